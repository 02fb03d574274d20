/**
 * Messages between the web-mode main thread (the EquimolApi proxy) and the Web Worker hosting the session.
 * Plain structured-cloneable data only, same shapes as Electron's IPC: a call names an EquimolMethod and its
 * arguments; the reply carries the result or an error's name and message; events carry an EquimolEvent.
 */
import type { EquimolEvent, EquimolMethod } from '../../core/contract/equimol-api';

export interface RpcCall {
  readonly type: 'call';
  readonly id: number;
  readonly method: EquimolMethod;
  readonly args: readonly unknown[];
}

export interface RpcReplyOk {
  readonly type: 'result';
  readonly id: number;
  readonly ok: true;
  readonly value: unknown;
}

export interface RpcReplyError {
  readonly type: 'result';
  readonly id: number;
  readonly ok: false;
  readonly error: { readonly name: string; readonly message: string };
}

export interface RpcEvent {
  readonly type: 'event';
  readonly event: EquimolEvent;
}

/** Sent once by the worker when the session is constructed (or failed to be). */
export interface RpcReady {
  readonly type: 'ready';
  readonly error?: string;
}

export type WorkerToMain = RpcReplyOk | RpcReplyError | RpcEvent | RpcReady;
export type MainToWorker = RpcCall;
