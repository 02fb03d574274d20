/**
 * Messages between Electron main (the client) and the compute host (utilityProcess or worker thread) that
 * runs an EquimolSession. Plain structured-cloneable objects; errors travel as { name, message }.
 */
import type { EquimolEvent, EquimolMethod } from '../../core/contract/equimol-api';

/**
 * Methods the host serves: the contract's compute methods, plus openLocalFiles (bytes with their disk paths). Main
 * serves the ones that need the file system or a dialog (openSession too: its files may be paths).
 */
export type HostMethod = Exclude<EquimolMethod, 'openPaths' | 'showOpenDialog' | 'saveFile' | 'openSession'> | 'openLocalFiles';

export const HOST_METHODS: readonly HostMethod[] = [
  'getAppInfo',
  'openFiles',
  'openLocalFiles',
  'cancelOpen',
  'listDocuments',
  'getDocument',
  'closeDocument',
  'listStructures',
  'getStructure',
  'getDepiction',
  'exportDocument',
  'getColumnValues',
  'listCalculators',
  'checkCalculators',
  'listGenerators',
  'listPredictors',
  'startJob',
  'cancelJob',
  'listJobs',
  'getJobResults',
  'exportJob',
  'getSettings',
  'setSettings',
  'saveSession',
];

export interface HostCall {
  readonly type: 'call';
  readonly id: number;
  readonly method: HostMethod;
  readonly args: readonly unknown[];
}

export type HostRequest = HostCall;

export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

export type HostReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: SerializedError }
  | { readonly type: 'event'; readonly event: EquimolEvent };

/** Either end of a message channel: worker_threads' parentPort / Worker, Electron's parentPort / UtilityProcess. */
export interface MessageEndpoint {
  post(message: unknown): void;
  /** Registers the one message handler. */
  onMessage(handler: (message: unknown) => void): void;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** An Error rebuilt on the receiving side, keeping the original name. */
export function deserializeError(error: SerializedError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
