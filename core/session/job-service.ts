/**
 * The jobs of a session: requests planned by their kind's handler (jobs/registry.ts JOB_KINDS), run by the job
 * queue with progress events, and their result rows kept for paging and export.
 */
import type {
  DocumentId,
  ExportedFile,
  ExportFormat,
  JobId,
  JobProgress,
  JobRequest,
  JobResultPage,
  JobResultRow,
  PageQuery,
} from '../contract/equimol-api';
import type { ResultRow } from '../pipeline/rows';
import { exportFileName, stem, writeRows } from './export-rows';
import { JobQueue, type JobQueueOptions } from './job-queue';
import type { JobKindHandler, JobKindTable, JobPlan, JobServices } from './jobs/job-kind';
import { JOB_KINDS } from './jobs/registry';

interface StoredJob {
  readonly request: JobRequest;
  readonly plan: JobPlan;
  readonly rows: ResultRow[];
  readonly docIds: DocumentId[];
}

export class UnknownJobKindError extends Error {
  constructor(kind: unknown, known: readonly string[]) {
    super(`unknown job kind '${String(kind).slice(0, 64)}' (known: ${known.join(', ')})`);
    this.name = 'UnknownJobKindError';
  }
}

export class JobService {
  readonly queue: JobQueue;
  private readonly jobs = new Map<JobId, StoredJob>();

  constructor(
    private readonly services: JobServices,
    queueOptions: JobQueueOptions,
    private readonly kinds: JobKindTable = JOB_KINDS,
  ) {
    this.queue = new JobQueue(queueOptions);
  }

  async start(request: JobRequest): Promise<JobProgress> {
    const handler = (this.kinds as Readonly<Record<string, JobKindHandler<JobRequest>>>)[request.kind];
    if (!handler) throw new UnknownJobKindError(request.kind, Object.keys(this.kinds));
    const plan = await handler.plan(request, this.services);
    const stored: StoredJob = { request, plan, rows: [], docIds: [] };
    const progress = this.queue.enqueue({
      kind: request.kind,
      label: plan.label,
      total: plan.total,
      unit: plan.unit,
      priority: request.priority ?? 0,
      run: (context) =>
        plan.run(context, {
          addRows: (rows, docIds) => {
            for (let i = 0; i < rows.length; i++) {
              stored.rows.push(rows[i]!);
              stored.docIds.push(docIds[i]!);
            }
          },
        }),
    });
    this.jobs.set(progress.id, stored);
    return progress;
  }

  cancel(jobId: JobId): JobProgress {
    return this.queue.cancel(jobId);
  }

  list(): JobProgress[] {
    return this.queue.list();
  }

  whenFinished(jobId: JobId): Promise<JobProgress> {
    return this.queue.whenFinished(jobId);
  }

  private job(jobId: JobId): StoredJob {
    this.queue.get(jobId); // throws UnknownJobError
    return this.jobs.get(jobId)!;
  }

  results(jobId: JobId, query: PageQuery): JobResultPage {
    const job = this.job(jobId);
    const end = Math.min(job.rows.length, query.offset + query.limit);
    const rows: JobResultRow[] = [];
    for (let i = query.offset; i < end; i++) {
      const row = job.rows[i]!;
      rows.push({
        docId: job.docIds[i]!,
        index: row.record ?? -1,
        name: row.name,
        values: row.values,
        ...(row.status === 'error' ? { error: row.error } : {}),
      });
    }
    return { jobId, total: job.rows.length, offset: query.offset, rows };
  }

  async export(jobId: JobId, format: ExportFormat): Promise<ExportedFile> {
    const job = this.job(jobId);
    const names = new Set(job.docIds.map((id, i) => this.services.documents.find(id)?.name ?? job.rows[i]!.file));
    const base = names.size === 1 ? stem([...names][0]!) : 'results';
    return writeRows(job.rows, job.plan.columns, format, exportFileName(`${base}-${job.plan.exportSuffix}`, format));
  }

  dispose(): void {
    this.queue.cancelAll();
  }
}
