import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordChunk } from '../../core/formats/format';
import { formatById } from '../../core/formats/registry';
import { EquimolSession } from '../../core/session/session';
import { FormatError } from '../../core/structure/errors';
import { createEmbedClient, type EmbedEndpoint, type EmbedReply, type EmbedRequest } from '../../core/session/embed-client';

const parseHere = async (formatId: string, chunk: RecordChunk, file: string) => formatById(formatId)!.parseRecord(chunk, file);

/** A worker stand-in that answers each request on a later turn, as embed-worker.ts does (or as told). */
function fakeWorker(answer: (request: EmbedRequest) => EmbedReply | 'error' = (r) => real(r)) {
  const listeners: { message: ((event: { data: EmbedReply }) => void)[]; error: ((event: { message: string }) => void)[] } = { message: [], error: [] };
  const requests: EmbedRequest[] = [];
  const endpoint = {
    postMessage(request: EmbedRequest) {
      requests.push(request);
      setTimeout(() => {
        const reply = answer(request);
        if (reply === 'error') for (const l of listeners.error) l({ message: 'worker script failed' });
        else for (const l of listeners.message) l({ data: reply });
      }, 1);
    },
    addEventListener(type: 'message' | 'error', listener: never) {
      (listeners[type] as unknown[]).push(listener);
    },
  } as EmbedEndpoint;
  return { endpoint, requests };
}

function real(request: EmbedRequest): EmbedReply {
  try {
    return { id: request.id, ok: true, structure: formatById(request.formatId)!.parseRecord(request.chunk, request.file) };
  } catch (error) {
    return { id: request.id, ok: false, message: (error as Error).message, line: (error as FormatError).line ?? request.chunk.firstLine, broken: false };
  }
}

test('a session embedding through the client gets the worker structures and line-numbered errors for bad rows', async () => {
  const worker = fakeWorker();
  let starts = 0;
  const session = new EquimolSession({ embedRecord: createEmbedClient(() => (starts++, worker.endpoint), parseHere) });
  const smi = new TextEncoder().encode('CCO ethanol\nC1CC broken\nc1ccccc1 benzene\n');
  const doc = (await session.openFiles([{ name: 'three.smi', bytes: smi }])).documents[0]!;
  assert.equal(doc.recordCount, 2);
  assert.deepEqual(doc.errors.map((e) => [e.record, e.line]), [[1, 2]]);
  assert.match(doc.errors[0]!.message, /C1CC/);
  assert.deepEqual((await session.listStructures(doc.id, { offset: 0, limit: 10 })).rows.map((r) => [r.name, r.line]), [['ethanol', 1], ['benzene', 3]]);
  assert.equal(worker.requests.length, 3);
  assert.equal(starts, 1, 'one worker, started on first use');
});

test('when the embed worker cannot load its toolkits or fails, records are embedded here and it is said once', async () => {
  for (const failure of ['broken', 'error'] as const) {
    const warnings: string[] = [];
    const worker = fakeWorker((r) => (failure === 'error' ? 'error' : { id: r.id, ok: false, message: 'the toolkits did not load: CSP', line: 0, broken: true }));
    const embed = createEmbedClient(() => worker.endpoint, parseHere, (m) => warnings.push(m));
    const chunk = (line: number, text: string): RecordChunk => ({ index: line - 1, firstLine: line, lines: [text] });
    const first = await embed('smi', chunk(1, 'CCO ethanol'), 'a.smi');
    assert.equal(first.name, 'ethanol');
    await assert.rejects(embed('smi', chunk(2, 'C1CC broken'), 'a.smi'), (e: unknown) => e instanceof FormatError && e.line === 2);
    assert.equal(worker.requests.length, 1, `${failure}: later records are not sent to a broken worker`);
    assert.equal(warnings.length, 1);
  }
});
