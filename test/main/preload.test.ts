import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelOf, EQUIMOL_EVENT_CHANNEL, EQUIMOL_GLOBAL, EQUIMOL_METHODS, type EquimolEvent } from '../../core/contract/equimol-api';
import { exposeEquimolApi, unwrapInvokeError, type IpcRendererLike } from '../../main/electron/preload-api';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  readonly invocations: Array<[string, unknown[]]> = [];
  readonly listeners = new Map<string, Set<Listener>>();
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push([channel, args]);
    if (channel === channelOf('getDocument')) throw new Error(`Error invoking remote method '${channel}': UnknownDocumentError: no open document with id 'x'`);
    return { channel, args };
  }
  on(channel: string, listener: Listener): void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
  }
  removeListener(channel: string, listener: Listener): void {
    this.listeners.get(channel)?.delete(listener);
  }
  emit(channel: string, payload: unknown): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'main' }, payload);
  }
}

function expose() {
  const exposed: Array<[string, unknown]> = [];
  const ipc = new FakeIpcRenderer();
  exposeEquimolApi({ exposeInMainWorld: (key, api) => exposed.push([key, api]) }, ipc);
  return { exposed, ipc };
}

test('preload exposes exactly one object, window.equimol, with exactly the contract methods plus subscribe', () => {
  const { exposed } = expose();
  assert.equal(exposed.length, 1);
  assert.equal(exposed[0]![0], EQUIMOL_GLOBAL);
  const api = exposed[0]![1] as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), [...EQUIMOL_METHODS, 'subscribe'].sort());
  for (const key of Object.keys(api)) assert.equal(typeof api[key], 'function', key);
  assert.ok(Object.isFrozen(api));
});

test('each method is one invoke on its own channel with the arguments unchanged', async () => {
  const { exposed, ipc } = expose();
  const api = exposed[0]![1] as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const bytes = new Uint8Array([1, 2, 3]);
  for (const method of EQUIMOL_METHODS) {
    if (method === 'getDocument') continue;
    const args = method === 'openFiles' ? [[{ name: 'a.xyz', bytes }]] : ['arg', 1];
    assert.deepEqual(await api[method]!(...args), { channel: `equimol:${method}`, args });
  }
  assert.equal(ipc.invocations.length, EQUIMOL_METHODS.length - 1);
  assert.equal(new Set(ipc.invocations.map(([c]) => c)).size, EQUIMOL_METHODS.length - 1);
});

test('errors from main come back with the original name and message, without Electron\'s prefix', async () => {
  const { exposed } = expose();
  const api = exposed[0]![1] as Record<string, (...a: unknown[]) => Promise<unknown>>;
  await assert.rejects(api.getDocument!('x'), (e: Error) => e.name === 'UnknownDocumentError' && e.message === "no open document with id 'x'");
  const plain = unwrapInvokeError(new Error("Error invoking remote method 'equimol:listJobs': boom"));
  assert.equal(plain.message, 'boom');
});

test('subscribe delivers events from the event channel until unsubscribed', () => {
  const { exposed, ipc } = expose();
  const api = exposed[0]![1] as { subscribe(l: (e: EquimolEvent) => void): () => void };
  const seen: EquimolEvent[] = [];
  const unsubscribe = api.subscribe((e) => seen.push(e));
  const event: EquimolEvent = { type: 'menu', command: { id: 'open' } };
  ipc.emit(EQUIMOL_EVENT_CHANNEL, event);
  ipc.emit('some-other-channel', { type: 'menu', command: { id: 'about' } });
  assert.deepEqual(seen, [event]);
  unsubscribe();
  ipc.emit(EQUIMOL_EVENT_CHANNEL, event);
  assert.equal(seen.length, 1);
  assert.equal(ipc.listeners.get(EQUIMOL_EVENT_CHANNEL)!.size, 0);
  assert.throws(() => api.subscribe('not a function' as never), /listener must be a function/);
});
