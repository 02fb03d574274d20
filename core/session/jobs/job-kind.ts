/**
 * Job kinds: every kind of job the session runs (predict, relax, md; later conformers, train, generate) is one
 * JobKindHandler in the JOB_KINDS table (registry.ts). A handler checks a request against the session (open
 * documents, predictor or calculator ids) and returns a JobPlan: label, total and unit for the progress bar, the
 * columns of its result rows (the results table and the CSV export) and `run`, which the job queue calls with a
 * JobContext (signal, progress, sampler status, output documents) and a JobOutput that stores result rows.
 */
import type { DocumentId, JobKind, JobRequest } from '../../contract/equimol-api';
import type { ResultRow } from '../../pipeline/rows';
import type { PredictionColumn } from '../../predict/predictor';
import type { CalculatorService } from '../calculator-service';
import type { DocumentService } from '../document-service';
import type { GeneratorService } from '../generator-service';
import type { JobContext } from '../job-queue';
import type { PredictorService } from '../predictor-service';
import type { Trainer } from './train-job-kind';

/** What a job kind may use of the session. */
export interface JobServices {
  readonly documents: DocumentService;
  readonly predictors: PredictorService;
  readonly calculators: CalculatorService;
  /** Generators of generate jobs (absent: none offered). */
  readonly generators?: GeneratorService;
  /** Runs train jobs (the compute host's; absent in web mode, which refuses them). */
  readonly trainer?: Trainer;
}

/** Where a running job puts its result rows: one per structure, in order, each with the document it belongs to. */
export interface JobOutput {
  addRows(rows: readonly ResultRow[], docIds: readonly DocumentId[]): void;
}

export interface JobPlan {
  /** Short human label, e.g. 'geometry on aspirin.sdf (+1)'. */
  readonly label: string;
  readonly total: number;
  /** What `total` counts. */
  readonly unit: 'structures' | 'steps';
  /** Columns of the result rows' values. */
  readonly columns: readonly PredictionColumn[];
  /** What the export file is named after the input's stem: 'aspirin-<suffix>.csv'. */
  readonly exportSuffix: string;
  run(context: JobContext, output: JobOutput): Promise<void>;
}

export interface JobKindHandler<R extends JobRequest = JobRequest> {
  readonly kind: R['kind'];
  /** Checks `request` against the session and plans the job; throws an Error naming the field or the id. */
  plan(request: R, services: JobServices): Promise<JobPlan>;
}

/** One handler per JobKind; the type makes a new kind in the contract fail to compile until it has one. */
export type JobKindTable = { readonly [K in JobKind]: JobKindHandler<Extract<JobRequest, { kind: K }>> };

/** A structure of an open document, with where it came from. */
export interface JobItem {
  readonly docId: DocumentId;
  readonly file: string;
  readonly index: number;
}

/** The (document, index) pairs of a request over docIds (+ indices, with a single document); checks them. */
export function requestItems(services: JobServices, docIds: readonly DocumentId[], indices: readonly number[] | undefined): JobItem[] {
  const documents = docIds.map((id) => services.documents.get(id));
  const items: JobItem[] = [];
  for (const document of documents) {
    const chosen = indices ?? document.rows.map((r) => r.index);
    for (const index of chosen) {
      document.structure(index); // throws RecordIndexError naming the document
      items.push({ docId: document.id, file: document.name, index });
    }
  }
  return items;
}

/** 'NAME on aspirin.sdf (+1)'. */
export function jobLabel(what: string, services: JobServices, docIds: readonly DocumentId[]): string {
  const first = services.documents.get(docIds[0]!).name;
  return `${what} on ${first}${docIds.length > 1 ? ` (+${docIds.length - 1})` : ''}`;
}
