import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import type { OpenProgress, OpenResult } from '../../core/contract/equimol-api';
import type { ComputeHostClient } from '../../main/compute-host/compute-host-client';
import { connectHostWorker } from '../helpers/host-worker';
import { ApiRouter } from '../../main/shell/api-router';

function waterFrames(frames: number): Uint8Array {
  const frame = '3\nProperties=species:S:1:pos:R:3 energy=-14.2\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n';
  return new TextEncoder().encode(frame.repeat(frames));
}

let worker: Worker;
let client: ComputeHostClient;
const progress: OpenProgress[] = [];

before(async () => {
  ({ worker, client } = await connectHostWorker('1.0.0', (e) => {
    if (e.type === 'open-progress') progress.push(e.progress);
  }));
});

after(async () => {
  await worker.terminate();
});

test('a file opened from disk through main streams open progress and stops on cancelOpen, listing it as cancelled', async () => {
  const files: Record<string, Uint8Array> = { '/data/big.extxyz': waterFrames(80_000) };
  const router = new ApiRouter(client, {
    showOpenDialog: async () => [],
    showSaveDialog: async () => undefined,
    fileSize: async (path) => files[path]!.byteLength,
    readFile: async (path) => files[path]!,
    writeFile: async () => undefined,
  });
  let answer: OpenProgress | undefined;
  const unsubscribe = client.subscribe((e) => {
    if (e.type === 'open-progress' && e.progress.phase === 'parsing' && e.progress.records > 0 && !answer) {
      void (router.handle('equimol:cancelOpen', [e.progress.openId]) as Promise<OpenProgress>).then((p) => (answer = p));
    }
  });
  const result = (await router.handle('equimol:openPaths', [['/data/big.extxyz']])) as OpenResult;
  unsubscribe();
  assert.deepEqual(result.documents, []);
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.cancelled, ['/data/big.extxyz']);
  while (!answer) await new Promise((r) => setTimeout(r, 5));
  assert.equal(answer.state, 'cancelled');
  const mine = progress.filter((p) => p.file === '/data/big.extxyz');
  assert.equal(mine[0]!.phase, 'reading');
  assert.equal(mine.at(-1)!.state, 'cancelled');
  assert.ok(mine.at(-1)!.records < 80_000);
  assert.deepEqual(await router.handle('equimol:listDocuments', []), []);
  await assert.rejects(router.handle('equimol:cancelOpen', [42]), /cancelOpen.*openId/);
  await assert.rejects(router.handle('equimol:cancelOpen', ['open-unknown']), /no file being opened/);
});
