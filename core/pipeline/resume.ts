import { parseCsvLine } from '../io/csv-codec';
import type { ByteSource } from '../io/lines';
import type { ResumePoint } from './job';
import { headerKey } from './rows';

/**
 * Reading a partial output back for resume. A row counts only when its line ending arrived (outside quotes, for
 * CSV): a row cut by a kill is dropped and redone. `completeBytes` is where the caller truncates the file before
 * appending, so the resumed output is byte-identical to an uninterrupted run.
 */
export type TabularKind = 'csv' | 'jsonl';

export interface OutputScan {
  /** Bytes of complete lines (header included); everything after is a torn row to truncate. */
  readonly completeBytes: number;
  /** Complete data rows (the CSV header not counted). */
  readonly rows: number;
  /** CSV header fields, when the header line is complete. */
  readonly header?: readonly string[];
  /** The last complete data row's text, without its line ending. */
  readonly lastRow?: string;
}

const LF = 0x0a;
const QUOTE = 0x22;

/** Streams bytes once, in O(1) memory apart from the current row. */
export class OutputScanner {
  private offset = 0;
  private complete = 0;
  private inQuotes = false;
  private lines = 0;
  private row: Uint8Array[] = [];
  private firstLine?: Uint8Array;
  private lastLine?: Uint8Array;

  constructor(readonly kind: TabularKind) {}

  push(bytes: Uint8Array): void {
    const quoteAware = this.kind === 'csv';
    let start = 0;
    let inQuotes = this.inQuotes;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (quoteAware && b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) {
        this.row.push(bytes.subarray(start, i + 1));
        this.endLine(this.offset + i + 1);
        start = i + 1;
      }
    }
    this.inQuotes = inQuotes;
    if (start < bytes.length) this.row.push(bytes.slice(start));
    this.offset += bytes.length;
  }

  private endLine(end: number): void {
    const line = this.row.length === 1 ? this.row[0]! : concat(this.row);
    this.row = [];
    if (this.lines === 0) this.firstLine = line;
    this.lastLine = line;
    this.lines++;
    this.complete = end;
  }

  finish(): OutputScan {
    const decode = (bytes: Uint8Array) => new TextDecoder('utf-8').decode(bytes).replace(/\r?\n$/, '');
    const headerLines = this.kind === 'csv' ? 1 : 0;
    const rows = Math.max(0, this.lines - headerLines);
    return {
      completeBytes: this.complete,
      rows,
      ...(this.kind === 'csv' && this.firstLine ? { header: parseCsvLine(decode(this.firstLine)) } : {}),
      ...(rows > 0 && this.lastLine ? { lastRow: decode(this.lastLine) } : {}),
    };
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export async function scanOutput(source: ByteSource, kind: TabularKind): Promise<OutputScan> {
  const scanner = new OutputScanner(kind);
  for await (const chunk of source) scanner.push(chunk);
  return scanner.finish();
}

export class ResumeHeaderError extends Error {
  constructor(expected: readonly string[], found: readonly string[]) {
    super(`the existing output's header (${found.slice(0, 12).join(',')}) differs from this job's (${expected.slice(0, 12).join(',')}): another predictor?`);
    this.name = 'ResumeHeaderError';
  }
}

/**
 * A found header matches the expected one field by field, exactly or in the older form without units that
 * earlier versions wrote ('energy' for 'energy [eV]'): the columns and their order are the same, so the rows
 * appended continue the file (which keeps its own header line).
 */
export function headerMatches(found: readonly string[], expected: readonly string[]): boolean {
  return found.length === expected.length && found.every((h, i) => h === expected[i] || h === headerKey(expected[i]!));
}

/** Where to restart, from a scan of the existing output; checks a CSV header against the job's. */
export function resumePointOf(scan: OutputScan, kind: TabularKind, expectedHeader?: readonly string[]): ResumePoint {
  if (kind === 'csv' && scan.header && expectedHeader && !headerMatches(scan.header, expectedHeader)) {
    throw new ResumeHeaderError(expectedHeader, scan.header);
  }
  if (scan.rows === 0 || scan.lastRow === undefined) return { rows: 0 };
  let file: string;
  let record: number | null;
  if (kind === 'csv') {
    const fields = parseCsvLine(scan.lastRow);
    file = fields[0] ?? '';
    record = fields[1] === undefined || fields[1] === '' ? null : Number(fields[1]) - 1; // the column is 1-based
  } else {
    const object = JSON.parse(scan.lastRow) as { file?: unknown; record?: unknown };
    file = String(object.file ?? '');
    record = typeof object.record === 'number' ? object.record - 1 : null; // the key is 1-based
  }
  return { rows: scan.rows, last: { file, record } };
}
