/**
 * A predict job over structures already in memory (open documents): batches go to Predictor.predict, each
 * structure yields one ResultRow (ok or error, in document order), progress is reported per batch and the
 * job yields to the event loop between batches so cancellation and table requests get through.
 */
import type { ResultRow } from '../pipeline/rows';
import type { Prediction, Predictor } from '../predict/predictor';
import { symbolOf } from '../structure/elements';
import { hillFormula, type Structure } from '../structure/structure';
import { JobCancelledError, yieldToEventLoop, type JobContext } from './job-queue';

export interface PredictItem {
  readonly docId: string;
  readonly file: string;
  readonly index: number;
  readonly structure: Structure;
  /** Hill formula when already known (document rows have it), saving its recomputation per row. */
  readonly formula?: string;
}

/** A finished (or partial) predict job's rows, in item order, with the document each came from. */
export interface PredictJobResult {
  readonly predictor: string;
  readonly rows: ResultRow[];
  readonly docIds: string[];
}

function formulaOf(structure: Structure): string {
  return hillFormula(structure.numbers, (z) => (z === 0 ? 'X' : symbolOf(z)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Columns every row of an item carries, whatever its status. */
function itemColumns(item: PredictItem) {
  return {
    file: item.file,
    record: item.index,
    line: item.structure.provenance?.line ?? 0,
    name: item.structure.name,
    formula: item.formula ?? formulaOf(item.structure),
    nAtoms: item.structure.numbers.length,
    structure: item.structure,
  };
}

function okRow(item: PredictItem, prediction: Prediction): ResultRow {
  return { ...itemColumns(item), status: 'ok', error: '', values: prediction.values, prediction };
}

function failedRow(item: PredictItem, message: string): ResultRow {
  return { ...itemColumns(item), status: 'error', error: message, values: {} };
}

/** predict() on a batch; when the whole call throws, each structure is retried alone so one bad one fails alone. */
async function predictBatch(predictor: Predictor, batch: readonly Structure[], signal: AbortSignal): Promise<Array<Prediction | Error>> {
  try {
    const out = await predictor.predict(batch, signal);
    if (out.length !== batch.length) throw new Error(`predictor '${predictor.id}' returned ${out.length} results for ${batch.length} structures`);
    return [...out];
  } catch (error) {
    if (signal.aborted) throw error;
    if (batch.length === 1) return [error instanceof Error ? error : new Error(messageOf(error))];
    const out: Array<Prediction | Error> = [];
    for (const s of batch) out.push(...(await predictBatch(predictor, [s], signal)));
    return out;
  }
}

/**
 * Runs `predictor` over `items`. `onRows` receives each batch's rows (the session stores them in documents
 * as they arrive). Throws JobCancelledError when the signal aborts.
 */
export async function runPredictJob(
  predictor: Predictor,
  items: readonly PredictItem[],
  context: JobContext,
  options: { readonly batchSize?: number; readonly onRows?: (items: readonly PredictItem[], rows: readonly ResultRow[]) => void } = {},
): Promise<PredictJobResult> {
  const { signal } = context;
  const batchSize = Math.max(1, options.batchSize ?? predictor.batchSize ?? 64);
  await predictor.prepare?.();
  const rows: ResultRow[] = [];
  const docIds: string[] = [];
  let failed = 0;
  for (let start = 0; start < items.length; start += batchSize) {
    if (signal.aborted) throw new JobCancelledError('');
    const batchItems = items.slice(start, start + batchSize);
    const results = await predictBatch(
      predictor,
      batchItems.map((item) => item.structure),
      signal,
    );
    if (signal.aborted) throw new JobCancelledError('');
    const batchRows = batchItems.map((item, i) => {
      const r = results[i]!;
      if (r instanceof Error) {
        failed++;
        return failedRow(item, r.message);
      }
      return okRow(item, r);
    });
    for (let i = 0; i < batchRows.length; i++) {
      rows.push(batchRows[i]!);
      docIds.push(batchItems[i]!.docId);
    }
    options.onRows?.(batchItems, batchRows);
    context.report(rows.length, failed);
    await yieldToEventLoop();
  }
  return { predictor: predictor.id, rows, docIds };
}
