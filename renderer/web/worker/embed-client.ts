/**
 * The session worker's side of the embed worker: an EmbedRecord that sends each SMILES record to a worker of its own
 * (started on first use) and rebuilds bad records' FormatErrors with their lines. If that worker cannot start or
 * cannot load the toolkits, records are embedded here instead (`fallback`), and the problem is logged once.
 */
import type { RecordChunk } from '../../../core/formats/format';
import type { EmbedRecord } from '../../../core/session/session';
import { FormatError } from '../../../core/structure/errors';
import type { Structure } from '../../../core/structure/structure';
import type { EmbedReply, EmbedRequest } from './embed-protocol';

/** What the client needs of a Worker (a fake in tests). */
export interface EmbedEndpoint {
  postMessage(message: EmbedRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<EmbedReply>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}

interface Pending {
  readonly formatId: string;
  readonly chunk: RecordChunk;
  readonly file: string;
  resolve(structure: Structure): void;
  reject(error: unknown): void;
}

export function createEmbedClient(start: () => EmbedEndpoint, fallback: EmbedRecord, warn: (message: string) => void = (m) => console.error(m)): EmbedRecord {
  let endpoint: EmbedEndpoint | undefined;
  let broken = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const runHere = (p: Pending) => fallback(p.formatId, p.chunk, p.file).then(p.resolve, p.reject);
  const breakDown = (why: string) => {
    if (!broken) warn(`SMILES embedding runs in the session worker (slower to answer meanwhile): ${why}`);
    broken = true;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) void runHere(p);
  };

  const connect = (): EmbedEndpoint | undefined => {
    if (endpoint || broken) return endpoint;
    try {
      const started = start();
      started.addEventListener('message', (event) => {
        const data = event.data;
        const p = pending.get(data.id);
        if (!p) return;
        if (data.ok) {
          pending.delete(data.id);
          p.resolve(data.structure);
        } else if (data.broken) {
          breakDown(data.message);
        } else {
          pending.delete(data.id);
          p.reject(new FormatError(data.message, data.line));
        }
      });
      started.addEventListener('error', (event) => breakDown(event.message || 'the embed worker failed'));
      endpoint = started;
    } catch (error) {
      breakDown(error instanceof Error ? error.message : String(error));
    }
    return endpoint;
  };

  return (formatId, chunk, file) =>
    new Promise<Structure>((resolve, reject) => {
      const p: Pending = { formatId, chunk, file, resolve, reject };
      const target = connect();
      if (!target || broken) return void runHere(p);
      const id = nextId++;
      pending.set(id, p);
      target.postMessage({ id, formatId, chunk, file });
    });
}
