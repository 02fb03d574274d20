import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { EquimolApi, JobProgress, JobRequest } from '../../core/contract/equimol-api';
import { createAppServices } from '../../renderer/app/state/app-services';
import { createAppStore } from '../../renderer/app/state/app-state';
import { doc, job } from './app-fixtures';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

/** An api whose listed methods are given; calling any other one fails the test. */
function fakeApi(methods: Partial<Record<keyof EquimolApi, (...args: never[]) => unknown>>): EquimolApi {
  return new Proxy(methods, {
    get: (target, name: string) => target[name as keyof EquimolApi] ?? (() => assert.fail(`unexpected api.${name}()`)),
  }) as unknown as EquimolApi;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('startJob lists the started job first, opens the jobs panel and resolves its progress', async () => {
  const requests: JobRequest[] = [];
  const api = fakeApi({ startJob: async (request: JobRequest) => (requests.push(request), job('j1')) });
  const store = createAppStore({ jobsCollapsed: true, jobs: [job('old')] });
  const services = createAppServices(api, store);
  const progress = await services.startJob({ kind: 'predict', docIds: ['a'], predictor: 'descriptors' });
  assert.equal(progress?.id, 'j1');
  assert.deepEqual(store.getState().jobs.map((j) => j.id), ['j1', 'old']);
  assert.equal(store.getState().jobsCollapsed, false);
  assert.equal(requests.length, 1);
});

test('a rejected startJob becomes an error toast with the given title and resolves undefined', async () => {
  const api = fakeApi({ startJob: async () => Promise.reject(new Error('no such calculator')) });
  const store = createAppStore();
  const progress = await createAppServices(api, store).startJob({ kind: 'predict', docIds: ['a'], predictor: 'x' }, { errorTitle: 'Could not start the labelling' });
  assert.equal(progress, undefined);
  assert.deepEqual(store.getState().toasts.map((t) => [t.kind, t.title, t.detail]), [['error', 'Could not start the labelling', 'no such calculator']]);
  mock.timers.tick(12_000);
  assert.equal(store.getState().toasts.length, 0);
});

test("a started job's `show` shows the output document it picks once that document is listed, and only once", async () => {
  const api = fakeApi({ startJob: async () => job('j1') });
  const store = createAppStore({ documents: [doc('src')], activeDocId: 'src' });
  const services = createAppServices(api, store);
  await services.startJob({ kind: 'predict', docIds: ['src'], predictor: 'x' }, { show: (j) => j.outputDocIds?.[0] });
  store.setState({ jobs: [job('j1', { outputDocIds: ['out'] })] });
  services.followOutputs();
  assert.equal(store.getState().activeDocId, 'src', 'not listed yet: nothing shown');
  store.setState((s) => ({ documents: [...s.documents, doc('out')] }));
  services.followOutputs();
  assert.equal(store.getState().activeDocId, 'out');
  store.setState({ activeDocId: 'src' });
  services.followOutputs();
  assert.equal(store.getState().activeDocId, 'src', 'followed once');
});

test('Ctrl+E with nothing open says so; with a finished job it exports that job as CSV', async () => {
  const exported: string[] = [];
  const api = fakeApi({
    exportJob: async (id: string, format: string) => (exported.push(`${id}:${format}`), { fileName: 'r.csv', mimeType: 'text/csv', bytes: new Uint8Array(3), records: 1 }),
    saveFile: async () => ({ saved: true, path: '/tmp/r.csv' }),
  });
  const store = createAppStore({ platform: 'electron' });
  const services = createAppServices(api, store);
  services.exportCurrent();
  assert.deepEqual(store.getState().toasts.map((t) => t.title), ['Nothing to export']);
  store.setState({ jobs: [job('running'), job('done', { state: 'done' as JobProgress['state'] })] });
  services.exportCurrent();
  await settle();
  assert.deepEqual(exported, ['done:csv']);
  assert.equal(store.getState().toasts.at(-1)?.title, 'Saved r.csv');
});

test('closing a document tells the api and activates the last one left', async () => {
  const closed: string[] = [];
  const api = fakeApi({ closeDocument: async (id: string) => void closed.push(id) });
  const store = createAppStore({ documents: [doc('a'), doc('b')], activeDocId: 'b' });
  createAppServices(api, store).closeDocument('b');
  assert.deepEqual(closed, ['b']);
  assert.equal(store.getState().activeDocId, 'a');
});

test('Play loads the frames of a multi-record file from the selected one; a one-record file does not play', async () => {
  const api = fakeApi({ getStructure: async (_doc: string, index: number) => ({ index }) });
  const store = createAppStore({ documents: [doc('a', 4), doc('one', 1)], activeDocId: 'a', selected: { docId: 'a', index: 2 } });
  const services = createAppServices(api, store);
  services.togglePlay(0);
  await settle();
  assert.equal(store.getState().frames.length, 4);
  assert.equal(store.getState().frame, 2);
  assert.equal(store.getState().playing, true);
  services.togglePlay(4);
  assert.equal(store.getState().playing, false);
  store.setState({ activeDocId: 'one', frames: [] });
  services.togglePlay(0);
  assert.equal(store.getState().playing, false);
});
