/**
 * Files being opened, from the api's 'open-progress' events: one store per api (created on first use, so every
 * reader sees the same list), updated at most once per animation frame. A file leaves the list in its final event;
 * a finished file's document is handed to the `onDocument` listeners at once, before openFiles resolves, so a
 * small file dropped with a slow one is listed as soon as it is ready. Dropped files show as pending at once, before
 * their bytes are read and handed over (which takes a while for tens of MB), until their first event replaces them.
 */
import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import type { DocumentInfo, EquimolApi, OpenId, OpenProgress } from '../../../core/contract/equimol-api';

/** The running opens after `progress` (in the order they started): updated in place, or removed when final. */
export function mergeOpenProgress(opens: readonly OpenProgress[], progress: OpenProgress): readonly OpenProgress[] {
  const at = opens.findIndex((o) => o.openId === progress.openId);
  if (progress.done) return at < 0 ? opens : opens.filter((o) => o.openId !== progress.openId);
  if (at < 0) return [...opens, progress];
  const next = [...opens];
  next[at] = progress;
  return next;
}

/** Share of the current phase done, 0..1 (0 while the total is unknown). */
export function openFraction(progress: OpenProgress): number {
  if (progress.done) return 1;
  return progress.total > 0 ? Math.min(1, progress.completed / progress.total) : 0;
}

/** Open ids of files the UI handed over whose first event has not come back yet. */
export const PENDING_PREFIX = 'pending:';

/** A file handed over (dropped) but not yet announced by the compute side: shown as 'reading', nothing read. */
export function pendingProgress(openId: OpenId, name: string, size: number): OpenProgress {
  return {
    openId,
    file: name,
    phase: 'reading',
    state: 'running',
    completed: 0,
    total: size,
    unit: 'bytes',
    bytesRead: 0,
    totalBytes: size,
    records: 0,
    failedRecords: 0,
    done: false,
    elapsedMs: 0,
  };
}

const baseNameOf = (file: string) => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

export interface OpenProgressStore {
  getSnapshot(): readonly OpenProgress[];
  subscribe(listener: () => void): () => void;
  /** Receives each opened file's document as soon as its open is done. */
  onDocument(listener: (document: DocumentInfo) => void): () => void;
  /**
   * Files just handed over (a drop): listed at once as pending, each replaced by the first event of an open of
   * the same name; dropped after `timeoutMs` (default 30 s) if none comes.
   */
  expect(files: readonly { readonly name: string; readonly size: number }[], timeoutMs?: number): void;
  /** cancelOpen, or for a pending file: cancel it as soon as its open is announced. */
  cancel(openId: OpenId): Promise<void>;
}

const stores = new WeakMap<EquimolApi, OpenProgressStore>();

const nextFrame: (run: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (run) => void requestAnimationFrame(run) : (run) => void setTimeout(run, 16);

/** The one store of `api`'s opens (subscribes to its events once, for the api's lifetime). */
export function openProgressStore(api: EquimolApi): OpenProgressStore {
  const existing = stores.get(api);
  if (existing) return existing;
  let opens: readonly OpenProgress[] = [];
  let queued: OpenProgress[] = [];
  let scheduled = false;
  let pendingSeq = 0;
  /** Pending files whose Cancel was pressed before their open was announced. */
  const cancelWanted = new Set<OpenId>();
  /** The pending ids of each drop with its timeout, cleared once all of them were announced. */
  const batches = new Map<ReturnType<typeof setTimeout>, ReadonlySet<OpenId>>();
  const settleBatches = () => {
    for (const [timer, ids] of batches) {
      if (opens.some((o) => ids.has(o.openId))) continue;
      clearTimeout(timer);
      batches.delete(timer);
    }
  };
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  /** Takes the first pending entry of this file name out of the list, cancelling the open if that was asked. */
  const claimPending = (progress: OpenProgress) => {
    const name = baseNameOf(progress.file);
    const pending = opens.find((o) => o.openId.startsWith(PENDING_PREFIX) && o.file === name);
    if (!pending) return;
    opens = opens.filter((o) => o !== pending);
    settleBatches();
    if (cancelWanted.delete(pending.openId) && !progress.done) api.cancelOpen(progress.openId).catch(() => undefined);
  };
  const listeners = new Set<() => void>();
  const documentListeners = new Set<(document: DocumentInfo) => void>();
  const flush = () => {
    scheduled = false;
    const updates = queued;
    queued = [];
    const before = opens;
    for (const progress of updates) {
      if (!opens.some((o) => o.openId === progress.openId)) claimPending(progress);
      opens = mergeOpenProgress(opens, progress);
    }
    if (opens !== before) notify();
  };
  api.subscribe((event) => {
    if (event.type !== 'open-progress') return;
    const progress = event.progress;
    if (progress.state === 'done' && progress.document) for (const listener of [...documentListeners]) listener(progress.document);
    queued.push(progress);
    // The first sight of a file and its end show at once; progress in between waits for the next frame.
    const known = opens.some((o) => o.openId === progress.openId);
    if (!known || progress.done) flush();
    else if (!scheduled) {
      scheduled = true;
      nextFrame(flush);
    }
  });
  const store: OpenProgressStore = {
    getSnapshot: () => opens,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onDocument(listener) {
      documentListeners.add(listener);
      return () => void documentListeners.delete(listener);
    },
    expect(files, timeoutMs = 30_000) {
      if (files.length === 0) return;
      const added = files.map((f) => pendingProgress(`${PENDING_PREFIX}${++pendingSeq}`, baseNameOf(f.name), f.size));
      opens = [...opens, ...added];
      notify();
      const ids = new Set(added.map((p) => p.openId));
      const timer = setTimeout(() => {
        batches.delete(timer);
        if (!opens.some((o) => ids.has(o.openId))) return;
        opens = opens.filter((o) => !ids.has(o.openId));
        for (const id of ids) cancelWanted.delete(id);
        notify();
      }, timeoutMs);
      batches.set(timer, ids);
    },
    async cancel(openId) {
      if (openId.startsWith(PENDING_PREFIX)) {
        cancelWanted.add(openId);
        return;
      }
      await api.cancelOpen(openId);
    },
  };
  stores.set(api, store);
  return store;
}

export interface OpenProgressState {
  readonly opens: readonly OpenProgress[];
  cancel(openId: OpenId): void;
  /** See OpenProgressStore.expect. */
  expect(files: readonly { readonly name: string; readonly size: number }[]): void;
}

/**
 * The files being opened, and a cancel. `onDocument` (latest one used) gets each document when its open is done;
 * `onCancelError` when cancelOpen rejects.
 */
export function useOpenProgress(
  api: EquimolApi,
  onDocument?: (document: DocumentInfo) => void,
  onCancelError?: (file: string, message: string) => void,
): OpenProgressState {
  const store = openProgressStore(api);
  const opens = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const latest = useRef({ onDocument, onCancelError });
  latest.current = { onDocument, onCancelError };
  useEffect(() => store.onDocument((document) => latest.current.onDocument?.(document)), [store]);
  const cancel = useCallback(
    (openId: OpenId) => {
      const file = store.getSnapshot().find((o) => o.openId === openId)?.file ?? openId;
      store.cancel(openId).catch((error: unknown) => latest.current.onCancelError?.(file, error instanceof Error ? error.message : String(error)));
    },
    [store],
  );
  const expect = useCallback((files: readonly { readonly name: string; readonly size: number }[]) => store.expect(files), [store]);
  return { opens, cancel, expect };
}
