/**
 * Keeps one compute host running for main: starts it, forwards calls and events, and when it dies
 * unexpectedly (a crash, out of memory) starts a fresh one, re-applies the last settings and announces a
 * 'compute-restarted' event. Calls pending at the crash are rejected (HostExitedError), never left hanging.
 * A host that keeps dying (maxRestarts within windowMs) is given up on. Electron-free: `spawn` makes a
 * utilityProcess in the app and a worker thread in tests.
 */
import type { EquimolEvent, EquimolEventListener, Settings, Unsubscribe } from '../../core/contract/equimol-api';
import { ComputeHostClient, HostExitedError } from './compute-host-client';
import type { HostMethod, MessageEndpoint } from './protocol';

export interface HostProcess {
  readonly endpoint: MessageEndpoint;
  /** Registers the exit callback (code, or a reason string). */
  onExit(callback: (code: number | string) => void): void;
  kill(): void;
}

export interface SupervisorOptions {
  /** Restarts allowed within `windowMs` before giving up (default 3 in 60 s). */
  readonly maxRestarts?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
  /** Called when the host cannot be kept alive any more. */
  readonly onGiveUp?: (reason: string) => void;
}

export class HostSupervisor {
  private client: ComputeHostClient | undefined;
  private process: HostProcess | undefined;
  private readonly listeners = new Set<EquimolEventListener>();
  private readonly restarts: number[] = [];
  private settings: Settings | undefined;
  private stopped = false;
  private gaveUp: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly spawn: () => HostProcess,
    private readonly options: SupervisorOptions = {},
  ) {}

  /** Starts the first host and waits until it is ready. */
  start(): Promise<void> {
    this.starting = this.launch();
    return this.starting;
  }

  /** Resolves when the current host is ready (after a restart too). */
  get ready(): Promise<void> {
    return this.starting ?? Promise.reject(new Error('compute host not started'));
  }

  async call<T = unknown>(method: HostMethod, args: readonly unknown[] = []): Promise<T> {
    if (this.gaveUp) throw new HostExitedError(this.gaveUp);
    await this.starting;
    if (!this.client) throw new HostExitedError('not running');
    return this.client.call<T>(method, args);
  }

  subscribe(listener: EquimolEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Intentional shutdown: the host is killed and not restarted. */
  stop(): void {
    this.stopped = true;
    this.client?.fail('stopped');
    this.process?.kill();
  }

  private emit(event: EquimolEvent): void {
    if (event.type === 'settings-changed') this.settings = event.settings;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // keep going
      }
    }
  }

  private async launch(): Promise<void> {
    const process = this.spawn();
    const client = new ComputeHostClient(process.endpoint);
    this.process = process;
    this.client = client;
    client.subscribe((event) => {
      if (this.client === client) this.emit(event);
    });
    process.onExit((code) => this.exited(client, code));
    await client.ready;
  }

  private exited(client: ComputeHostClient, code: number | string): void {
    const reason = typeof code === 'number' ? `exit code ${code}` : code;
    client.fail(reason);
    if (this.stopped || this.client !== client) return;
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.windowMs ?? 60_000;
    while (this.restarts.length > 0 && now - this.restarts[0]! > windowMs) this.restarts.shift();
    if (this.restarts.length >= (this.options.maxRestarts ?? 3)) {
      this.gaveUp = `the compute process keeps stopping (${reason})`;
      this.client = undefined;
      this.options.onGiveUp?.(this.gaveUp);
      return;
    }
    this.restarts.push(now);
    const settings = this.settings;
    this.starting = this.launch().then(async () => {
      if (settings) await this.client!.call('setSettings', [settings]);
      this.emit({ type: 'compute-restarted', reason });
    });
    this.starting.catch(() => undefined);
  }
}
