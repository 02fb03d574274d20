/**
 * A minimal external store (the shape React's useSyncExternalStore reads): one immutable state object, replaced
 * by setState with a patch; listeners run after each change. No React, no DOM: unit-tested under node.
 */
export type StatePatch<S> = Partial<S> | ((state: S) => Partial<S>);

export interface Store<S extends object> {
  getState(): S;
  /** Merges the patch (or the patch the updater returns for the current state); a patch that changes nothing notifies no one. */
  setState(patch: StatePatch<S>): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    setState(patch) {
      const changes = typeof patch === 'function' ? patch(state) : patch;
      const keys = Object.keys(changes) as (keyof S)[];
      if (keys.every((key) => Object.is(state[key], changes[key]))) return;
      state = { ...state, ...changes };
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
