/**
 * The compute host: serves an EquimolSession over a message endpoint, off the UI thread. In the app it runs
 * in an Electron utilityProcess (see host-entry.ts); in tests in a node:worker_threads Worker. Every call is
 * answered exactly once (value or serialized error); session events are forwarded as 'event' messages.
 */
import type { EquimolSession } from '../../core/session/session';
import { HOST_METHODS, serializeError, type HostMethod, type HostReply, type MessageEndpoint } from './protocol';

function isHostMethod(value: unknown): value is HostMethod {
  return typeof value === 'string' && (HOST_METHODS as readonly string[]).includes(value);
}

export class ComputeHost {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly session: EquimolSession,
    private readonly endpoint: MessageEndpoint,
  ) {
    this.unsubscribe = session.subscribe((event) => this.send({ type: 'event', event }));
    endpoint.onMessage((message) => void this.handle(message));
    this.send({ type: 'ready' });
  }

  private send(reply: HostReply): void {
    this.endpoint.post(reply);
  }

  private async handle(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const { type, id, method, args } = message as { type?: unknown; id?: unknown; method?: unknown; args?: unknown };
    if (type !== 'call' || typeof id !== 'number') return;
    try {
      if (!isHostMethod(method)) throw new TypeError(`compute host: unknown method '${String(method).slice(0, 64)}'`);
      if (!Array.isArray(args)) throw new TypeError(`compute host: ${method} arguments must be an array`);
      const fn = this.session[method] as (...a: unknown[]) => Promise<unknown>;
      const value = await fn.apply(this.session, args);
      this.send({ type: 'result', id, ok: true, value });
    } catch (error) {
      this.send({ type: 'result', id, ok: false, error: serializeError(error) });
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.session.dispose();
  }
}
