import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import { flatColumnNames, flatHeader, type ResultRow, type RowSink } from '../pipeline/rows';
import type { TextSink } from './text-sink';

/**
 * CSV rows (RFC 4180 quoting: a field containing a comma, quote, CR or LF is wrapped in double quotes and its
 * quotes doubled). Lines end in \n. Numbers are written in JavaScript's shortest round-trip form; missing values
 * (null, NaN) are empty fields; vector columns become one field per component (key_x, key_y, key_z).
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += csvField(fields[i]!);
  }
  return line + '\n';
}

/** Splits one CSV line (without its line ending) into fields, undoing RFC 4180 quoting. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      const comma = line.indexOf(',', i);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

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
    row.record === null ? '' : String(row.record),
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
