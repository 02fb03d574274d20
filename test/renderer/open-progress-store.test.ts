import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DocumentInfo, EquimolApi, EquimolEvent, EquimolEventListener, OpenProgress } from '../../core/contract/equimol-api';
import { openStatusText, openRecordsText } from '../../renderer/app/components/open-progress';
import { mergeOpenProgress, openFraction, openProgressStore, PENDING_PREFIX } from '../../renderer/app/hooks/use-open-progress';

function progress(openId: string, file: string, patch: Partial<OpenProgress> = {}): OpenProgress {
  return {
    openId,
    file,
    phase: 'parsing',
    state: 'running',
    completed: 10,
    total: 100,
    unit: 'bytes',
    bytesRead: 10,
    totalBytes: 100,
    records: 3,
    failedRecords: 0,
    done: false,
    elapsedMs: 50,
    ...patch,
  };
}

/** An api that only has events and cancelOpen (records what was cancelled). */
function fakeApi() {
  const listeners = new Set<EquimolEventListener>();
  const cancelled: string[] = [];
  const api = {
    subscribe(listener: EquimolEventListener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async cancelOpen(openId: string) {
      cancelled.push(openId);
      return progress(openId, 'x', { state: 'cancelled', done: true });
    },
  } as unknown as EquimolApi;
  const emit = (event: EquimolEvent) => {
    for (const listener of listeners) listener(event);
  };
  return { api, cancelled, push: (p: OpenProgress) => emit({ type: 'open-progress', progress: p }) };
}

test('merging progress adds a new open, replaces a known one in place and drops it in its final state', () => {
  let opens = mergeOpenProgress([], progress('open-1', 'a.sdf'));
  opens = mergeOpenProgress(opens, progress('open-2', 'b.cif'));
  opens = mergeOpenProgress(opens, progress('open-1', 'a.sdf', { completed: 50 }));
  assert.deepEqual(opens.map((o) => [o.openId, o.completed]), [['open-1', 50], ['open-2', 10]]);
  opens = mergeOpenProgress(opens, progress('open-1', 'a.sdf', { state: 'done', done: true }));
  assert.deepEqual(opens.map((o) => o.openId), ['open-2']);
  assert.equal(mergeOpenProgress(opens, progress('open-9', 'c.xyz', { state: 'cancelled', done: true })), opens);
});

test('the bar fraction and texts follow the phase: bytes while parsing, molecules while embedding', () => {
  assert.equal(openFraction(progress('open-1', 'a')), 0.1);
  assert.equal(openFraction(progress('open-1', 'a', { total: 0, completed: 0 })), 0);
  assert.equal(openFraction(progress('open-1', 'a', { state: 'done', done: true })), 1);
  const embedding = progress('open-1', 'drugs.smi', { phase: 'embedding', unit: 'records', completed: 3, total: 20, records: 2, failedRecords: 1, elapsedMs: 4200 });
  assert.equal(openStatusText(embedding), 'Building 3D · 3 of 20 molecules');
  assert.equal(openRecordsText(embedding), '2 structures so far · 1 failed');
  assert.equal(openStatusText(progress('open-2', 'big.xyz', { completed: 2 * 1024 * 1024, total: 10 * 1024 * 1024 })), 'Parsing · 2.0 MB of 10.0 MB');
});

test('a dropped file shows as pending at once and is replaced by the first event of its open', () => {
  const { api, push } = fakeApi();
  const store = openProgressStore(api);
  assert.equal(openProgressStore(api), store, 'one store per api');
  let changes = 0;
  store.subscribe(() => changes++);
  store.expect([{ name: 'big.extxyz.gz', size: 1000 }]);
  const [pending] = store.getSnapshot();
  assert.ok(pending!.openId.startsWith(PENDING_PREFIX));
  assert.deepEqual([pending!.file, pending!.phase, pending!.total, pending!.completed], ['big.extxyz.gz', 'reading', 1000, 0]);
  assert.equal(changes, 1);
  push(progress('open-1', 'big.extxyz.gz', { phase: 'reading', completed: 0, total: 1000 }));
  assert.deepEqual(store.getSnapshot().map((o) => o.openId), ['open-1']);
  push(progress('open-1', 'big.extxyz.gz', { state: 'done', done: true }));
  assert.deepEqual(store.getSnapshot(), []);
});

test('Cancel on a pending file cancels its open as soon as it is announced; documents are handed over when done', async () => {
  const { api, push, cancelled } = fakeApi();
  const store = openProgressStore(api);
  const documents: string[] = [];
  store.onDocument((d) => documents.push(d.id));
  store.expect([{ name: 'a.smi', size: 10 }, { name: 'b.cif', size: 20 }]);
  const pendingA = store.getSnapshot().find((o) => o.file === 'a.smi')!;
  await store.cancel(pendingA.openId);
  assert.deepEqual(cancelled, []);
  push(progress('open-7', 'b.cif', { phase: 'reading' }));
  push(progress('open-6', '/data/a.smi', { phase: 'reading' }));
  assert.deepEqual(cancelled, ['open-6']);
  assert.deepEqual(store.getSnapshot().map((o) => o.openId), ['open-7', 'open-6']);
  push(progress('open-7', 'b.cif', { state: 'done', done: true, document: { id: 'doc-2' } as DocumentInfo }));
  assert.deepEqual(documents, ['doc-2']);
  await store.cancel('open-6');
  assert.deepEqual(cancelled, ['open-6', 'open-6']);
});

test('a pending file whose open is never announced is dropped after the timeout', async () => {
  const { api } = fakeApi();
  const store = openProgressStore(api);
  store.expect([{ name: 'lost.pdb', size: 5 }], 20);
  assert.equal(store.getSnapshot().length, 1);
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(store.getSnapshot(), []);
});
