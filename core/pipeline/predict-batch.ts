/**
 * The one batch-predict step, shared by the streaming batch pipeline (core/pipeline/job.ts: `equimol predict`,
 * `equimol relax`) and the session's predict jobs (core/session/jobs/predict-job-kind.ts): one Predictor.predict
 * call per batch, retried one structure at a time when the whole call throws (so one bad structure fails alone),
 * and one ResultRow per structure, ok or error, in batch order.
 */
import type { Prediction, Predictor } from '../predict/predictor';
import { symbolOf } from '../structure/elements';
import { hillFormula, type Structure } from '../structure/structure';
import { isAbort, JobCancelledError } from './cancel';
import type { ResultRow } from './rows';

/** Where a structure came from, for its row: file, 0-based record, 1-based line; the formula when already known. */
export interface RowPlace {
  readonly file: string;
  readonly record: number | null;
  readonly line: number;
  /** Hill formula of the input when the caller has it (document rows do), saving its recomputation. */
  readonly formula?: string;
}

export interface PredictItem {
  readonly place: RowPlace;
  readonly structure: Structure;
}

export function formulaOf(structure: Structure): string {
  return hillFormula(structure.numbers, (z) => (z === 0 ? 'X' : symbolOf(z)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorRow(file: string, record: number | null, line: number, message: string, structure?: Structure, formula?: string): ResultRow {
  return {
    file,
    record,
    line,
    name: structure?.name ?? '',
    formula: structure ? (formula ?? formulaOf(structure)) : '',
    nAtoms: structure ? structure.numbers.length : null,
    status: 'error',
    error: message,
    values: {},
    ...(structure ? { structure } : {}),
  };
}

/**
 * The row of one structure: an error row for an Error, else an ok row with the prediction's values. A prediction
 * that makes a new structure (a relaxation's final geometry) carries it instead of the input. Without a
 * prediction (convert), the row has no values.
 */
export function predictedRow(place: RowPlace, input: Structure, result: Prediction | Error | undefined): ResultRow {
  if (result instanceof Error) return errorRow(place.file, place.record, place.line, result.message, input, place.formula);
  const structure = result?.structure ?? input;
  return {
    file: place.file,
    record: place.record,
    line: place.line,
    name: structure.name,
    formula: structure === input && place.formula !== undefined ? place.formula : formulaOf(structure),
    nAtoms: structure.numbers.length,
    status: 'ok',
    error: '',
    values: result?.values ?? {},
    structure,
    ...(result ? { prediction: result } : {}),
  };
}

/**
 * predictor.predict on a batch; when the whole call throws, each structure is retried alone so one bad structure
 * fails alone. Throws JobCancelledError when the signal aborts.
 */
export async function predictBatch(predictor: Predictor, structures: readonly Structure[], signal?: AbortSignal): Promise<Array<Prediction | Error>> {
  try {
    const results = await predictor.predict(structures, signal);
    if (results.length !== structures.length) {
      throw new Error(`predictor '${predictor.id}' returned ${results.length} results for ${structures.length} structures`);
    }
    return [...results];
  } catch (error) {
    if (isAbort(error, signal)) throw new JobCancelledError();
    if (structures.length === 1) return [error instanceof Error ? error : new Error(messageOf(error))];
    const out: Array<Prediction | Error> = [];
    for (const structure of structures) out.push(...(await predictBatch(predictor, [structure], signal)));
    return out;
  }
}

/** The batch step: predicts `items` (one call, with the one-by-one retry) and returns their rows in order. */
export async function predictRows(predictor: Predictor, items: readonly PredictItem[], signal?: AbortSignal): Promise<ResultRow[]> {
  const results = await predictBatch(
    predictor,
    items.map((item) => item.structure),
    signal,
  );
  if (signal?.aborted) throw new JobCancelledError();
  return items.map((item, i) => predictedRow(item.place, item.structure, results[i]));
}
