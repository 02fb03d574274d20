import {
  EQUIMOL_METHODS,
  type EquimolApi,
  type EquimolEventListener,
  type EquimolMethod,
  type FileInput,
  type OpenResult,
  type SaveRequest,
  type SaveResult,
} from '../../core/contract/equimol-api';
import { downloadBytes } from '../app/util/download';
import type { MainToWorker, WorkerToMain } from './rpc-protocol';

/** An Error rebuilt on the main thread from the worker's name and message. */
export class WorkerCallError extends Error {
  constructor(
    readonly method: string,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

function pickFiles(accept: string): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    if (accept) input.accept = accept;
    input.addEventListener('change', () => resolve(Array.from(input.files ?? [])));
    input.addEventListener('cancel', () => resolve([]));
    input.click();
  });
}

/**
 * EquimolApi on the main thread of web mode: each method is a postMessage to the worker that hosts the
 * session, answered by id. Exactly the contract Electron's preload exposes as window.equimol, except the two
 * methods that need the page itself: showOpenDialog (a file picker) and saveFile (a download). openPaths goes to
 * the worker, which reopens recent files by name from the browser's store.
 */
export function createWorkerApi(worker: Worker): EquimolApi {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>();
  const listeners = new Set<EquimolEventListener>();
  let startupError: string | undefined;

  worker.addEventListener('message', (message: MessageEvent<WorkerToMain>) => {
    const data = message.data;
    if (data.type === 'event') {
      for (const listener of listeners) listener(data.event);
    } else if (data.type === 'ready') {
      startupError = data.error;
    } else if (data.type === 'result') {
      const call = pending.get(data.id);
      if (!call) return;
      pending.delete(data.id);
      if (data.ok) call.resolve(data.value);
      else call.reject(new WorkerCallError(call.method, data.error.name, data.error.message));
    }
  });
  worker.addEventListener('error', (event) => {
    const error = new Error(`compute worker failed: ${event.message || 'script error'}`);
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  });

  function call(method: EquimolMethod, args: readonly unknown[], transfer: Transferable[] = []): Promise<unknown> {
    if (startupError) return Promise.reject(new Error(`compute worker did not start: ${startupError}`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, method });
      const message: MainToWorker = { type: 'call', id, method, args };
      worker.postMessage(message, transfer);
    });
  }

  const api = {} as Record<string, unknown>;
  for (const method of EQUIMOL_METHODS) api[method] = (...args: unknown[]) => call(method, args);

  api['openFiles'] = (files: readonly FileInput[]) => {
    // Hand over copies' buffers without a second copy: the caller's arrays are not used afterwards.
    const transfer = files.map((f) => f.bytes.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
    return call('openFiles', [files], transfer);
  };
  api['showOpenDialog'] = async (): Promise<OpenResult> => {
    const info = (await call('getAppInfo', [])) as Awaited<ReturnType<EquimolApi['getAppInfo']>>;
    const accept = [...info.formats.flatMap((f) => f.extensions.map((e) => `.${e}`)), '.gz'].join(',');
    const files = await pickFiles(accept);
    if (files.length === 0) return { documents: [], failures: [] };
    const inputs = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    return (api['openFiles'] as EquimolApi['openFiles'])(inputs);
  };
  api['saveFile'] = (request: SaveRequest): Promise<SaveResult> => {
    downloadBytes(request.suggestedName, request.bytes);
    return Promise.resolve({ saved: true });
  };
  api['subscribe'] = (listener: EquimolEventListener) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };
  return api as unknown as EquimolApi;
}
