/** The session's event fan-out: every service emits through one hub; a broken listener never stops the others. */
import type { EquimolEvent, EquimolEventListener, Unsubscribe } from '../contract/equimol-api';

export type Emit = (event: EquimolEvent) => void;

export class EventHub {
  private readonly listeners = new Set<EquimolEventListener>();

  subscribe(listener: EquimolEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  readonly emit: Emit = (event) => {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // a broken listener must not stop jobs or other listeners
      }
    }
  };

  clear(): void {
    this.listeners.clear();
  }
}
