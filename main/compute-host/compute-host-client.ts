/**
 * Main's side of the compute host: turns method calls into 'call' messages and replies into promises, and
 * hands 'event' messages to listeners. Knows nothing of Electron: give it any MessageEndpoint.
 */
import type { EquimolEvent, EquimolEventListener, Unsubscribe } from '../../core/contract/equimol-api';
import { deserializeError, type HostMethod, type HostReply, type MessageEndpoint } from './protocol';

export class HostExitedError extends Error {
  constructor(reason: string) {
    super(`the compute host stopped (${reason})`);
    this.name = 'HostExitedError';
  }
}

export class ComputeHostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Set<EquimolEventListener>();
  private readyResolve!: () => void;
  private readyReject!: (error: Error) => void;
  /** Resolves once the host has created its session; rejects if the host stops before that. */
  readonly ready: Promise<void> = new Promise((resolve, reject) => {
    this.readyResolve = resolve;
    this.readyReject = reject;
  });
  private stopped: Error | undefined;

  constructor(private readonly endpoint: MessageEndpoint) {
    endpoint.onMessage((message) => this.receive(message as HostReply));
    this.ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  }

  call<T = unknown>(method: HostMethod, args: readonly unknown[] = []): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.endpoint.post({ type: 'call', id, method, args });
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  subscribe(listener: EquimolEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Rejects every pending and future call: the host process exited or crashed. */
  fail(reason: string): void {
    this.stopped = new HostExitedError(reason);
    this.readyReject(this.stopped);
    for (const { reject } of this.pending.values()) reject(this.stopped);
    this.pending.clear();
  }

  private receive(message: HostReply): void {
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'ready':
        this.readyResolve();
        return;
      case 'event':
        this.dispatch(message.event);
        return;
      case 'result': {
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(deserializeError(message.error));
        return;
      }
    }
  }

  private dispatch(event: EquimolEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // one listener's failure must not starve the others
      }
    }
  }
}
