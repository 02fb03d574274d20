/**
 * The Electron renderer without Electron: the real preload API (createPreloadApi) over an ipcRenderer that
 * forwards to the Node side through playwright bindings, exposed as window.equimol, and the real React UI
 * mounted on it. (The test records CSP violations from an init script, before any of the page loads.)
 */
import { EQUIMOL_EVENT_CHANNEL, EQUIMOL_GLOBAL } from '../../../core/contract/equimol-api';
import { createPreloadApi, type IpcRendererLike } from '../../../main/electron/preload-api';
import { mountApp } from '../../../renderer/app/mount';
import { decodeWire, encodeWire } from './wire';

type Listener = (event: unknown, ...args: unknown[]) => void;
const w = window as unknown as Record<string, unknown> & {
  __ipcInvoke(channel: string, args: unknown): Promise<unknown>;
};

const listeners = new Set<Listener>();
const ipc: IpcRendererLike = {
  invoke: async (channel, ...args) => decodeWire(await w.__ipcInvoke(channel, encodeWire(args))),
  on: (channel, listener) => {
    if (channel === EQUIMOL_EVENT_CHANNEL) listeners.add(listener);
  },
  removeListener: (_channel, listener) => {
    listeners.delete(listener);
  },
};
w.__ipcEmit = (payload: unknown) => {
  for (const listener of listeners) listener({}, decodeWire(payload));
};

const api = createPreloadApi(ipc);
w[EQUIMOL_GLOBAL] = api;
mountApp(document.getElementById('root')!, api);
w.rendererPageReady = true;
