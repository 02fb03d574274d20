import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import { flatColumnNames, flatHeader, type ResultRow, type RowSink } from '../pipeline/rows';
import { csvField, csvLine, parseCsvLine } from '../io/csv-codec';
import type { TextSink } from './text-sink';

/**
 * CSV rows (RFC 4180 quoting by core/io/csv-codec.ts). Lines end in \n. The header names each column with its
 * unit (`energy [eV]`, rows.ts flatHeader). Numbers are written in JavaScript's shortest round-trip form for
 * doubles (String(x), ECMA-262 Number::toString): that is already the shortest decimal that reads back as the
 * same double, so 1.3505999999999998 is printed because it is a different double from 1.3506. The float noise
 * of a model's outputs (float32 widened to double) is removed where those values enter the rows, by the
 * predictor (core/predict/energy-model-predictor.ts, core/util/float32-decimal.ts): only it knows a value is a
 * float32, and rounding there gives the same numbers to CSV, JSON lines, SDF, extXYZ and the app's table,
 * whereas guessing here (e.g. 9 significant digits for every column) would drop digits of real doubles.
 * Missing values (null, NaN) are empty fields; vector columns become one field per component (key_x, key_y,
 * key_z). The codec is re-exported here for callers that read CSV results back.
 */
export { csvField, csvLine, parseCsvLine };

function numberField(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}

function valueFields(column: PredictionColumn, value: PredictionValue | undefined): string[] {
  if (column.kind === 'vector') {
    const width = column.width ?? 3;
    const out = new Array<string>(width).fill('');
    if (Array.isArray(value)) for (let i = 0; i < width && i < value.length; i++) out[i] = numberField(value[i]!);
    return out;
  }
  if (value === null || value === undefined) return [''];
  if (typeof value === 'number') return [numberField(value)];
  if (Array.isArray(value)) return [value.join(' ')];
  return [String(value)];
}

/** Fields of one row in `flatHeader(columns)` order. */
export function rowFields(row: ResultRow, columns: readonly PredictionColumn[]): string[] {
  const fields = [
    row.file,
    row.record === null ? '' : String(row.record + 1), // 1-based for people (README: records are numbered from 1)
    String(row.line),
    row.name,
    row.formula,
    row.nAtoms === null ? '' : String(row.nAtoms),
    row.status,
    row.error,
  ];
  for (const column of columns) fields.push(...valueFields(column, row.values[column.key]));
  return fields;
}

export interface CsvSinkOptions {
  /** Write the header line first (false when appending to a resumed file that has it). */
  readonly header?: boolean;
}

export function createCsvRowSink(out: TextSink, columns: readonly PredictionColumn[], options: CsvSinkOptions = {}): RowSink {
  let headerPending = options.header ?? true;
  return {
    async write(rows) {
      let text = '';
      if (headerPending) {
        text += csvLine(flatHeader(columns));
        headerPending = false;
      }
      for (const row of rows) text += csvLine(rowFields(row, columns));
      if (text) await out.write(text);
    },
    async close() {
      if (headerPending) {
        await out.write(csvLine(flatHeader(columns)));
        headerPending = false;
      }
      await out.close();
    },
  };
}

export { flatColumnNames };
