/**
 * The files a session is opening: one id, AbortController and progress record per file, 'open-progress' events
 * (the first at once, every phase change at once, otherwise at most one per `intervalMs`, the final state always),
 * cancellation, and the gate that makes embedding wait while any other file is being read or parsed.
 */
import { OPEN_PHASES, type DocumentInfo, type OpenId, type OpenPhase, type OpenProgress, type OpenState } from '../contract/equimol-api';
import type { Emit } from './events';
import type { ReadProgress } from './read-document';

export class UnknownOpenError extends Error {
  constructor(readonly openId: string) {
    super(`no file being opened with id '${openId.slice(0, 64)}'`);
    this.name = 'UnknownOpenError';
  }
}

export interface OpenTrackerOptions {
  readonly emit: Emit;
  readonly now: () => number;
  /** Minimum milliseconds between progress events of one open within a phase (default 100). */
  readonly intervalMs?: number;
  /** Finished opens remembered for cancelOpen's answer (default 64). */
  readonly keepFinished?: number;
}

/** One file being opened, as the reader reports into it. */
export interface OpenHandle {
  readonly openId: OpenId;
  readonly signal: AbortSignal;
  progress(progress: ReadProgress): void;
  /** The final state; ignored once the open was cancelled. */
  finish(state: Exclude<OpenState, 'running'>, detail?: { readonly document?: DocumentInfo; readonly message?: string }): void;
}

interface OpenRecord {
  readonly openId: OpenId;
  readonly file: string;
  readonly totalBytes: number;
  readonly startedAt: number;
  readonly controller: AbortController;
  phase: OpenPhase;
  state: OpenState;
  completed: number;
  total: number;
  unit: 'bytes' | 'records';
  bytesRead: number;
  records: number;
  failedRecords: number;
  finishedAt: number | null;
  document?: DocumentInfo;
  message?: string;
  lastEvent: number;
}

export class OpenTracker {
  private readonly opens = new Map<OpenId, OpenRecord>();
  private readonly finished: OpenId[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 1;

  constructor(private readonly options: OpenTrackerOptions) {}

  /** Starts tracking one file: announces it ('reading', nothing read yet) and returns its handle. */
  begin(file: string, totalBytes: number): OpenHandle {
    const record: OpenRecord = {
      openId: `open-${this.nextId++}`,
      file,
      totalBytes,
      startedAt: this.options.now(),
      controller: new AbortController(),
      phase: 'reading',
      state: 'running',
      completed: 0,
      total: totalBytes,
      unit: 'bytes',
      bytesRead: 0,
      records: 0,
      failedRecords: 0,
      finishedAt: null,
      lastEvent: -Infinity,
    };
    this.opens.set(record.openId, record);
    this.emit(record);
    return {
      openId: record.openId,
      signal: record.controller.signal,
      progress: (progress) => this.progress(record, progress),
      finish: (state, detail) => {
        if (record.state !== 'running') return;
        if (state === 'done') record.completed = record.total;
        if (detail?.document) record.document = detail.document;
        if (detail?.message !== undefined) record.message = detail.message;
        this.end(record, state);
      },
    };
  }

  /** Cancels a running open (reported at once; its reader stops at its next yield); a finished one is returned as is. */
  cancel(openId: OpenId): OpenProgress {
    const record = this.opens.get(openId);
    if (!record) throw new UnknownOpenError(openId);
    if (record.state === 'running') {
      record.controller.abort();
      this.end(record, 'cancelled');
    }
    return this.snapshot(record);
  }

  /** Cancels every running open (shutdown). */
  cancelAll(): void {
    for (const record of [...this.opens.values()]) if (record.state === 'running') this.cancel(record.openId);
  }

  get(openId: OpenId): OpenProgress {
    const record = this.opens.get(openId);
    if (!record) throw new UnknownOpenError(openId);
    return this.snapshot(record);
  }

  /** Resolves when no open is reading or parsing (opens in their 'embedding' phase do not count). */
  whenForegroundIdle(): Promise<void> {
    if (!this.foregroundBusy()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private foregroundBusy(): boolean {
    for (const record of this.opens.values()) if (record.state === 'running' && record.phase !== 'embedding') return true;
    return false;
  }

  private wake(): void {
    if (this.waiters.length === 0 || this.foregroundBusy()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private progress(record: OpenRecord, progress: ReadProgress): void {
    if (record.state !== 'running') return;
    const from = OPEN_PHASES.indexOf(record.phase);
    const to = OPEN_PHASES.indexOf(progress.phase);
    if (to < from) return;
    const changed = to > from;
    record.phase = progress.phase;
    record.unit = progress.unit;
    record.total = progress.total;
    record.completed = changed ? progress.completed : Math.max(record.completed, progress.completed);
    record.bytesRead = Math.max(record.bytesRead, progress.bytesRead);
    record.records = Math.max(record.records, progress.records);
    record.failedRecords = Math.max(record.failedRecords, progress.failedRecords);
    if (changed) {
      this.emit(record);
      this.wake();
    } else if (this.options.now() - record.lastEvent >= (this.options.intervalMs ?? 100)) {
      this.emit(record);
    }
  }

  private end(record: OpenRecord, state: Exclude<OpenState, 'running'>): void {
    record.state = state;
    record.finishedAt = this.options.now();
    this.emit(record);
    this.finished.push(record.openId);
    while (this.finished.length > (this.options.keepFinished ?? 64)) this.opens.delete(this.finished.shift()!);
    this.wake();
  }

  private emit(record: OpenRecord): void {
    record.lastEvent = this.options.now();
    this.options.emit({ type: 'open-progress', progress: this.snapshot(record) });
  }

  private snapshot(record: OpenRecord): OpenProgress {
    return {
      openId: record.openId,
      file: record.file,
      phase: record.phase,
      state: record.state,
      completed: record.completed,
      total: record.total,
      unit: record.unit,
      bytesRead: record.bytesRead,
      totalBytes: record.totalBytes,
      records: record.records,
      failedRecords: record.failedRecords,
      done: record.state !== 'running',
      elapsedMs: Math.max(0, (record.finishedAt ?? this.options.now()) - record.startedAt),
      ...(record.document ? { document: record.document } : {}),
      ...(record.message !== undefined ? { message: record.message } : {}),
    };
  }
}
