/// <reference lib="webworker" />
import { isEquimolMethod, type EquimolApi } from '../../../core/contract/equimol-api';
import type { MainToWorker, WorkerToMain } from '../rpc-protocol';

/** What the host needs of a worker global (or a MessagePort in tests). */
export interface RpcEndpoint {
  postMessage(message: WorkerToMain, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<MainToWorker>) => void): void;
}

/** Bytes of an ExportedFile are fresh per call: transfer them instead of copying. */
function transferablesOf(value: unknown): Transferable[] {
  if (value && typeof value === 'object' && 'bytes' in value) {
    const bytes = (value as { bytes: unknown }).bytes;
    if (bytes instanceof Uint8Array && bytes.buffer instanceof ArrayBuffer && bytes.byteLength === bytes.buffer.byteLength) return [bytes.buffer];
  }
  return [];
}

/**
 * Serves an EquimolApi over postMessage: answers each call by id with its result or the error's name and
 * message, and forwards every event. Unknown methods are answered with an error, never run.
 */
export function serveApi(api: EquimolApi, endpoint: RpcEndpoint): void {
  api.subscribe((event) => endpoint.postMessage({ type: 'event', event }));
  endpoint.addEventListener('message', (message) => {
    const data = message.data;
    if (!data || data.type !== 'call') return;
    const { id, method, args } = data;
    if (!isEquimolMethod(method)) {
      endpoint.postMessage({ type: 'result', id, ok: false, error: { name: 'TypeError', message: `unknown method '${String(method).slice(0, 64)}'` } });
      return;
    }
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve((api[method] as (...a: readonly unknown[]) => Promise<unknown>).apply(api, Array.isArray(args) ? args : []));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => endpoint.postMessage({ type: 'result', id, ok: true, value }, method === 'exportJob' || method === 'exportDocument' || method === 'saveSession' ? transferablesOf(value) : []),
      (error: unknown) =>
        endpoint.postMessage({
          type: 'result',
          id,
          ok: false,
          error: error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) },
        }),
    );
  });
}
