import type { PredictionColumn } from '../predict/predictor';
import type { ResultRow, RowSink } from '../pipeline/rows';
import type { TextSink } from './text-sink';

/**
 * JSON lines: one object per row, keys file, record, line, name, formula, n_atoms, status, error, then each
 * predictor column by key (vectors as arrays). Non-finite numbers become null (JSON has no NaN).
 */
export function rowObject(row: ResultRow, columns: readonly PredictionColumn[]): Record<string, unknown> {
  const object: Record<string, unknown> = {
    file: row.file,
    record: row.record === null ? null : row.record + 1, // 1-based, as in the CSV
    line: row.line,
    name: row.name,
    formula: row.formula,
    n_atoms: row.nAtoms,
    status: row.status,
    error: row.error,
  };
  for (const column of columns) {
    const value = row.values[column.key];
    object[column.key] = value === undefined ? null : value;
  }
  return object;
}

function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export function createJsonLinesRowSink(out: TextSink, columns: readonly PredictionColumn[]): RowSink {
  return {
    async write(rows) {
      let text = '';
      for (const row of rows) text += JSON.stringify(rowObject(row, columns), finiteOrNull) + '\n';
      if (text) await out.write(text);
    },
    async close() {
      await out.close();
    },
  };
}
