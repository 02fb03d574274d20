/**
 * The one cancellation error of every job runner: the streaming batch pipeline (core/pipeline/job.ts), the
 * session's job queue (core/session/job-queue.ts) and the job kinds it runs. A runner throws it when its
 * AbortSignal fires; callers test `instanceof JobCancelledError` or `isAbort`.
 */

export class JobCancelledError extends Error {
  /** `jobId`: the session job that was cancelled; absent for a pipeline run. */
  constructor(readonly jobId?: string) {
    super(jobId ? `job ${jobId} was cancelled` : 'cancelled');
    this.name = 'JobCancelledError';
  }
}

/** True when `error` means "stopped on request": the signal fired, an AbortError, or a JobCancelledError. */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted ?? false) || (error instanceof Error && (error.name === 'AbortError' || error instanceof JobCancelledError));
}
