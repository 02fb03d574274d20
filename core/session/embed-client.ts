/**
 * SMILES → 3D off the session's thread: the messages between a session and its embed worker, the session's side
 * (an EmbedRecord that sends each record to a worker of its own, started on first use, and rebuilds bad records'
 * FormatErrors with their lines) and the worker's answer to one request. Web mode's embed worker is a Web Worker
 * (renderer/web/worker/embed-worker.ts), the desktop compute host's a worker thread (main/compute-host/embed-thread.ts).
 * If the worker cannot start or cannot load the toolkits, records are embedded in the session's thread instead
 * (`fallback`), and the problem is logged once.
 */
import type { RecordChunk } from '../formats/format';
import { formatById } from '../formats/registry';
import { FormatError } from '../structure/errors';
import type { Structure } from '../structure/structure';
import type { EmbedRecord } from './read-document';

export interface EmbedRequest {
  readonly id: number;
  readonly formatId: string;
  readonly chunk: RecordChunk;
  readonly file: string;
}

export type EmbedReply =
  | { readonly id: number; readonly ok: true; readonly structure: Structure }
  /** `line` > 0: a bad record (a FormatError at that line); `broken`: the worker cannot embed at all (toolkits did not load). */
  | { readonly id: number; readonly ok: false; readonly message: string; readonly line: number; readonly broken: boolean };

/** What the client needs of a worker: a Web Worker as it is, a worker thread through an adapter, a fake in tests. */
export interface EmbedEndpoint {
  postMessage(message: EmbedRequest): void;
  addEventListener(type: 'message', listener: (event: { readonly data: EmbedReply }) => void): void;
  addEventListener(type: 'error', listener: (event: { readonly message: string }) => void): void;
}

/** The worker's side: parses one record once `toolkits` (RDKit and openchemlib) have loaded. */
export async function answerEmbedRequest(request: EmbedRequest, toolkits: Promise<unknown>): Promise<EmbedReply> {
  const { id, formatId, chunk, file } = request;
  try {
    await toolkits;
  } catch (error) {
    return { id, ok: false, message: `the toolkits did not load: ${error instanceof Error ? error.message : String(error)}`, line: 0, broken: true };
  }
  const format = formatById(formatId);
  if (!format?.embeds) return { id, ok: false, message: `format '${String(formatId).slice(0, 64)}' is not embedded here`, line: 0, broken: true };
  try {
    return { id, ok: true, structure: format.parseRecord(chunk, file) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id, ok: false, message, line: error instanceof FormatError ? error.line || chunk.firstLine : chunk.firstLine, broken: false };
  }
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
    if (!broken) warn(`SMILES embedding runs in the session's thread (slower to answer meanwhile): ${why}`);
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
