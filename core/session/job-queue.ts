/**
 * A queue of cancellable, progress-reporting jobs: at most `concurrency` run at once, higher priority first,
 * FIFO within a priority. A job is an async function that receives an AbortSignal and a `report` callback;
 * it should yield between batches (see `yieldToEventLoop`) so cancellation and other calls get through.
 * A failing job is marked 'failed' and the queue goes on; a cancelled job is marked 'cancelled' at once,
 * its slot freed as soon as its function returns (at its next batch boundary).
 *
 * Sampler jobs (relax, md) also report their current step (`reportSampler`, throttled to one event per
 * `samplerIntervalMs`), the documents they make (`addOutputDocument`) and why a sampler stopped (`setMessage`).
 */
import type { DocumentId, JobId, JobKind, JobProgress, JobState, SamplerJobStatus } from '../contract/equimol-api';
import { JobCancelledError } from '../pipeline/cancel';

export { JobCancelledError } from '../pipeline/cancel';

export interface JobContext {
  readonly jobId: JobId;
  readonly signal: AbortSignal;
  /** Reports progress: `done` counts processed items (monotone: smaller values are ignored). */
  report(done: number, failed?: number): void;
  /** Changes the total when it becomes known or changes. */
  setTotal(total: number): void;
  /**
   * The current step of a sampler; with `done`, also the progress count (steps of an md or single relax job).
   * Throttled: an event at most every `samplerIntervalMs` (the final snapshot carries the last status anyway).
   */
  reportSampler(status: SamplerJobStatus, done?: number): void;
  /** A document the job made (trajectory, relaxed structures): listed in JobProgress.outputDocIds at once. */
  addOutputDocument(docId: DocumentId): void;
  /** A note kept with the job (why a sampler stopped early); shown as JobProgress.message. */
  setMessage(message: string): void;
}

export interface JobSpec<R> {
  readonly kind: JobKind;
  readonly label: string;
  readonly total: number;
  /** What done and total count (JobProgress.unit); omitted from snapshots when not given. */
  readonly unit?: 'structures' | 'steps';
  /** Higher runs first; FIFO within equal priorities. */
  readonly priority?: number;
  run(context: JobContext): Promise<R>;
}

export interface JobQueueOptions {
  readonly concurrency?: number;
  /** Milliseconds clock (injected by tests); defaults to performance.now / Date.now. */
  readonly now?: () => number;
  /** Receives every progress snapshot: state changes and reports. */
  readonly onProgress?: (progress: JobProgress) => void;
  /** Minimum milliseconds between progress events from reportSampler (default 100). */
  readonly samplerIntervalMs?: number;
}

interface JobRecord {
  readonly id: JobId;
  readonly seq: number;
  readonly spec: JobSpec<unknown>;
  readonly priority: number;
  readonly controller: AbortController;
  state: JobState;
  done: number;
  failed: number;
  total: number;
  startedAt: number | null;
  finishedAt: number | null;
  message?: string;
  sampler?: SamplerJobStatus;
  lastSamplerEvent: number;
  readonly outputDocIds: DocumentId[];
  result?: unknown;
  /**
   * Cancelled while running and its run() has not returned yet: the job is reported cancelled at once, but what the
   * run records while it stops (why it stopped, its last sampler status, the documents of what it kept) still lands,
   * and `finished` resolves when it has returned.
   */
  windingDown: boolean;
  readonly finished: Promise<JobProgress>;
  resolveFinished: (progress: JobProgress) => void;
}

/** Lets other tasks (IPC calls, cancellation) run: a macrotask turn, not just a microtask. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class UnknownJobError extends Error {
  constructor(readonly jobId: string) {
    super(`no job with id '${jobId.slice(0, 64)}'`);
    this.name = 'UnknownJobError';
  }
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class JobQueue {
  private readonly jobs = new Map<JobId, JobRecord>();
  private readonly waiting: JobRecord[] = [];
  private running = 0;
  private seq = 0;
  private concurrencyLimit: number;
  private readonly now: () => number;
  private readonly onProgress: (progress: JobProgress) => void;
  private readonly samplerIntervalMs: number;

  constructor(options: JobQueueOptions = {}) {
    this.concurrencyLimit = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.now = options.now ?? defaultNow;
    this.onProgress = options.onProgress ?? (() => {});
    this.samplerIntervalMs = options.samplerIntervalMs ?? 100;
  }

  get concurrency(): number {
    return this.concurrencyLimit;
  }

  set concurrency(value: number) {
    this.concurrencyLimit = Math.max(1, Math.floor(value));
    this.pump();
  }

  /** Queues a job and returns its first snapshot ('running' when a slot was free, else 'queued'). */
  enqueue<R>(spec: JobSpec<R>): JobProgress {
    const seq = ++this.seq;
    let resolveFinished!: (progress: JobProgress) => void;
    const finished = new Promise<JobProgress>((resolve) => (resolveFinished = resolve));
    const record: JobRecord = {
      id: `job-${seq}`,
      seq,
      spec: spec as JobSpec<unknown>,
      priority: spec.priority ?? 0,
      controller: new AbortController(),
      state: 'queued',
      done: 0,
      failed: 0,
      total: Math.max(0, spec.total),
      startedAt: null,
      finishedAt: null,
      windingDown: false,
      lastSamplerEvent: -Infinity,
      outputDocIds: [],
      finished,
      resolveFinished,
    };
    this.jobs.set(record.id, record);
    // Insert after every waiting job of the same or higher priority: FIFO within a priority.
    let at = this.waiting.length;
    while (at > 0 && this.waiting[at - 1]!.priority < record.priority) at--;
    this.waiting.splice(at, 0, record);
    this.emit(record);
    this.pump();
    return this.snapshot(record);
  }

  /** Cancels a queued or running job; a finished job is returned unchanged. */
  cancel(id: JobId): JobProgress {
    const record = this.record(id);
    if (record.state === 'queued') {
      this.waiting.splice(this.waiting.indexOf(record), 1);
      this.finish(record, 'cancelled');
    } else if (record.state === 'running') {
      record.controller.abort(new JobCancelledError(id));
      // The slot is released when run() returns; the job is reported cancelled now, and settles when it has stopped.
      record.windingDown = true;
      this.finish(record, 'cancelled');
    }
    return this.snapshot(record);
  }

  get(id: JobId): JobProgress {
    return this.snapshot(this.record(id));
  }

  has(id: JobId): boolean {
    return this.jobs.has(id);
  }

  list(): JobProgress[] {
    return [...this.jobs.values()].map((r) => this.snapshot(r));
  }

  /** The value the job's function resolved with (state 'done'); undefined otherwise. */
  result<R>(id: JobId): R | undefined {
    return this.record(id).result as R | undefined;
  }

  /** Resolves with the final snapshot once the job is done, failed or cancelled. */
  whenFinished(id: JobId): Promise<JobProgress> {
    return this.record(id).finished;
  }

  /** Resolves when nothing is queued or running (including cancelled jobs still unwinding). */
  async idle(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) {
      await Promise.all([...this.jobs.values()].map((r) => r.finished));
      await yieldToEventLoop();
    }
  }

  /** Cancels everything (shutdown). */
  cancelAll(): void {
    for (const record of this.jobs.values()) {
      if (record.state === 'queued' || record.state === 'running') this.cancel(record.id);
    }
  }

  /** Forgets a finished job and its result. */
  remove(id: JobId): void {
    const record = this.record(id);
    if (record.state === 'queued' || record.state === 'running') this.cancel(id);
    this.jobs.delete(id);
  }

  private record(id: JobId): JobRecord {
    const record = this.jobs.get(id);
    if (!record) throw new UnknownJobError(id);
    return record;
  }

  private pump(): void {
    while (this.running < this.concurrencyLimit && this.waiting.length > 0) {
      const record = this.waiting.shift()!;
      void this.start(record);
    }
  }

  private async start(record: JobRecord): Promise<void> {
    this.running++;
    record.state = 'running';
    record.startedAt = this.now();
    this.emit(record);
    const context: JobContext = {
      jobId: record.id,
      signal: record.controller.signal,
      report: (done, failed) => {
        if (record.state !== 'running') return;
        const nextDone = Math.min(Math.max(record.done, done), Math.max(record.total, done));
        const nextFailed = Math.max(record.failed, failed ?? record.failed);
        if (nextDone === record.done && nextFailed === record.failed) return;
        record.done = nextDone;
        record.failed = nextFailed;
        if (record.done > record.total) record.total = record.done;
        this.emit(record);
      },
      setTotal: (total) => {
        if (record.state !== 'running') return;
        record.total = Math.max(record.done, Math.floor(total));
        this.emit(record);
      },
      reportSampler: (status, done) => {
        if (record.state !== 'running' && !record.windingDown) return;
        record.sampler = status;
        if (record.windingDown) return; // kept for the snapshot emitted when the run returns
        if (done !== undefined) {
          record.done = Math.max(record.done, Math.floor(done));
          if (record.done > record.total) record.total = record.done;
        }
        const t = this.now();
        if (t - record.lastSamplerEvent < this.samplerIntervalMs) return;
        record.lastSamplerEvent = t;
        this.emit(record);
      },
      addOutputDocument: (docId) => {
        if (record.outputDocIds.includes(docId)) return;
        record.outputDocIds.push(docId);
        if (record.state === 'running') this.emit(record);
      },
      setMessage: (message) => {
        if (record.state === 'running' || record.windingDown) record.message = message;
      },
    };
    try {
      // Start on a fresh turn so enqueue() returns before the job does any work.
      await yieldToEventLoop();
      if (record.controller.signal.aborted) throw new JobCancelledError(record.id);
      const result = await record.spec.run(context);
      if (record.state === 'running') {
        record.result = result;
        this.finish(record, 'done');
      }
    } catch (error) {
      if (record.state === 'running') {
        if (error instanceof JobCancelledError || record.controller.signal.aborted) this.finish(record, 'cancelled');
        else this.finish(record, 'failed', error instanceof Error ? error.message : String(error));
      }
    } finally {
      this.running--;
      if (record.windingDown) {
        record.windingDown = false;
        const snapshot = this.snapshot(record);
        this.onProgress(snapshot);
        record.resolveFinished(snapshot);
      }
      this.pump();
    }
  }

  private finish(record: JobRecord, state: 'done' | 'failed' | 'cancelled', message?: string): void {
    record.state = state;
    record.finishedAt = this.now();
    if (message !== undefined) record.message = message;
    if (state === 'done') record.done = record.total = Math.max(record.done, record.total);
    const snapshot = this.snapshot(record);
    this.onProgress(snapshot);
    if (!record.windingDown) record.resolveFinished(snapshot);
  }

  private emit(record: JobRecord): void {
    this.onProgress(this.snapshot(record));
  }

  private snapshot(record: JobRecord): JobProgress {
    const end = record.finishedAt ?? this.now();
    const elapsedSeconds = record.startedAt === null ? 0 : Math.max(0, (end - record.startedAt) / 1000);
    const rate = elapsedSeconds > 0 && record.done > 0 ? record.done / elapsedSeconds : 0;
    const remaining = Math.max(0, record.total - record.done);
    const etaSeconds =
      record.state === 'done' ? 0 : record.state !== 'running' ? null : rate > 0 ? remaining / rate : null;
    return {
      id: record.id,
      kind: record.spec.kind,
      label: record.spec.label,
      state: record.state,
      done: record.done,
      total: record.total,
      failed: record.failed,
      rate,
      etaSeconds,
      elapsedSeconds,
      ...(record.message !== undefined ? { message: record.message } : {}),
      ...(record.spec.unit !== undefined ? { unit: record.spec.unit } : {}),
      ...(record.sampler !== undefined ? { sampler: record.sampler } : {}),
      ...(record.outputDocIds.length > 0 ? { outputDocIds: [...record.outputDocIds] } : {}),
    };
  }
}
