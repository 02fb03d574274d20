import { useSyncExternalStore } from 'react';
import type { Store } from './store';

/** The store's current state; the component re-renders on every change. */
export function useStoreState<S extends object>(store: Store<S>): S {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}

/** One value of the store's state (compared with Object.is): the component re-renders only when it changes. */
export function useStoreValue<S extends object, T>(store: Store<S>, select: (state: S) => T): T {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.getState()),
    () => select(store.getState()),
  );
}
