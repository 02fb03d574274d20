/** Typed listeners of the viewer's events (ViewerEvents), in subscription order. */
import type { ViewerEventName, ViewerEvents } from './viewer-api';

type Listener<K extends ViewerEventName> = (event: ViewerEvents[K]) => void;

export class ViewerEmitter {
  private readonly listeners = new Map<ViewerEventName, Set<(event: never) => void>>();

  /** Subscribes; returns an unsubscribe function. */
  on<K extends ViewerEventName>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends ViewerEventName>(type: K, listener: Listener<K>): void {
    this.listeners.get(type)?.delete(listener as (event: never) => void);
  }

  /** Calls the listeners subscribed now (one that unsubscribes another during the call does not skip it). */
  emit<K extends ViewerEventName>(type: K, event: ViewerEvents[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as Listener<K>)(event);
  }

  clear(): void {
    this.listeners.clear();
  }
}
