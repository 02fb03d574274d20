/**
 * What the preload exposes as `window.equimol`: exactly the EquimolApi, one ipcRenderer.invoke per method
 * (built from EQUIMOL_METHODS, so the two cannot drift apart) plus `subscribe` over the one event channel.
 * Electron-free so tests can inject a fake ipcRenderer and contextBridge.
 */
import {
  channelOf,
  EQUIMOL_EVENT_CHANNEL,
  EQUIMOL_GLOBAL,
  EQUIMOL_METHODS,
  type EquimolApi,
  type EquimolEvent,
  type EquimolEventListener,
} from '../../core/contract/equimol-api';

/** The parts of Electron's ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

/** Electron wraps handler errors as "Error invoking remote method 'equimol:x': Name: message"; keep the message. */
export function unwrapInvokeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const match = /^Error invoking remote method '[^']*': (?:(\w*Error): )?([\s\S]*)$/.exec(error.message);
  if (!match) return error;
  const cleaned = new Error(match[2]);
  cleaned.name = match[1] ?? 'Error';
  return cleaned;
}

export function createPreloadApi(ipc: IpcRendererLike): EquimolApi {
  const api: Record<string, unknown> = {};
  for (const method of EQUIMOL_METHODS) {
    const channel = channelOf(method);
    api[method] = (...args: unknown[]) =>
      ipc.invoke(channel, ...args).catch((error: unknown) => {
        throw unwrapInvokeError(error);
      });
  }
  api.subscribe = (listener: EquimolEventListener) => {
    if (typeof listener !== 'function') throw new TypeError('subscribe: listener must be a function');
    const handler = (_event: unknown, payload: unknown) => listener(payload as EquimolEvent);
    ipc.on(EQUIMOL_EVENT_CHANNEL, handler);
    return () => {
      ipc.removeListener(EQUIMOL_EVENT_CHANNEL, handler);
    };
  };
  return Object.freeze(api) as unknown as EquimolApi;
}

/** Exposes the API to the page's main world under `window.equimol`. */
export function exposeEquimolApi(bridge: ContextBridgeLike, ipc: IpcRendererLike): EquimolApi {
  const api = createPreloadApi(ipc);
  bridge.exposeInMainWorld(EQUIMOL_GLOBAL, api);
  return api;
}
