import type { Prediction, PredictionColumn, PredictionValue, Predictor } from '../predict/predictor';
import type { Structure } from '../structure/structure';

/**
 * One output row of a batch job: one per record (parsed and predicted, or failed), plus one per input that
 * could not be read at all (`record` null). Error rows carry the file, record and line of the problem.
 */
export interface ResultRow {
  readonly file: string;
  /** 0-based record index within `file`; null for an error about the whole file (unreadable, unknown format). */
  readonly record: number | null;
  /** 1-based line of the record's first line (or of the problem, for error rows); 0 when unknown. */
  readonly line: number;
  readonly name: string;
  /** Hill formula; '' for error rows that never parsed. */
  readonly formula: string;
  /** Atom count; null when the record did not parse. */
  readonly nAtoms: number | null;
  readonly status: 'ok' | 'error';
  /** '' for ok rows. */
  readonly error: string;
  /** The predictor's values by column key; {} for error rows. */
  readonly values: Readonly<Record<string, PredictionValue>>;
  /** Kept for structure outputs (SDF, extXYZ); not serialised by tabular writers. */
  readonly structure?: Structure;
  readonly prediction?: Prediction;
}

/** Writes rows in order. `write` resolves once the output has accepted them: the job awaits it (backpressure). */
export interface RowSink {
  write(rows: readonly ResultRow[]): Promise<void>;
  /** Writes any footer, flushes and releases the output. */
  close(): Promise<void>;
}

/** Columns every row has, before the predictor's own. */
export const BASE_COLUMNS = ['file', 'record', 'line', 'name', 'formula', 'n_atoms', 'status', 'error'] as const;

/** A predictor's columns minus any that repeat a base column (the base column carries the same value). */
export function predictorColumns(predictor: Pick<Predictor, 'columns'> | undefined): PredictionColumn[] {
  const base = new Set<string>(BASE_COLUMNS);
  return (predictor?.columns ?? []).filter((c) => !base.has(c.key));
}

/** Flat header names of a column: a vector of width 3 becomes key_x, key_y, key_z; other widths key_0 ... */
export function flatColumnNames(column: PredictionColumn): string[] {
  if (column.kind !== 'vector') return [column.key];
  const width = column.width ?? 3;
  if (width === 3) return ['x', 'y', 'z'].map((axis) => `${column.key}_${axis}`);
  return Array.from({ length: width }, (_, i) => `${column.key}_${i}`);
}

/**
 * The CSV header name of a flat column: the key, then its unit in brackets when it has one ('energy [eV]',
 * 'max_force [eV/Å]', 'center_of_mass_x [Å]'). `headerKey` takes the key back out.
 */
export function withUnit(name: string, unit: string): string {
  return unit ? `${name} [${unit}]` : name;
}

/** 'energy [eV]' -> 'energy'; a name without a unit is its own key. */
export function headerKey(name: string): string {
  return name.replace(/ \[[^\]]*\]$/, '');
}

/** The full flat header: base columns, then each predictor column flattened, with its unit. */
export function flatHeader(columns: readonly PredictionColumn[]): string[] {
  return [...BASE_COLUMNS, ...columns.flatMap((c) => flatColumnNames(c).map((name) => withUnit(name, c.unit)))];
}
