/**
 * Reading a file's bytes (gzip inflated) into an OpenDocument with the format registry; bad records are kept as
 * RecordErrors. Reading yields to the event loop between slices so a 100k-record file never blocks other calls.
 * Formats that embed (SMILES → 3D, about a second per molecule) are split first, then parsed one record per turn
 * after `whenForegroundIdle`, so other files opened at the same time are read first.
 */
import type { DocumentId, FileInput, OpenPhase } from '../contract/equimol-api';
import { LIMITS } from '../contract/equimol-api';
import type { RecordChunk } from '../formats/format';
import { detectFormat } from '../formats/registry';
import { isGzip, lineBatches, readHead } from '../io/lines';
import { toRecordError, type RecordError } from '../structure/errors';
import type { Structure } from '../structure/structure';
import { baseName, OpenDocument, rowOf, type Row } from './documents';
import { yieldToEventLoop } from './job-queue';

/** Milliseconds of parsing between yields to the event loop. */
const SLICE_MS = 25;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Thrown by readDocument when its signal fired: the open was cancelled and nothing was kept. */
export class OpenCancelledError extends Error {
  constructor(file: string) {
    super(`${file}: opening was cancelled`);
    this.name = 'OpenCancelledError';
  }
}

/** Where a read stands: `completed` of `total` bytes (reading, parsing) or records (embedding). */
export interface ReadProgress {
  readonly phase: OpenPhase;
  readonly completed: number;
  readonly total: number;
  readonly unit: 'bytes' | 'records';
  readonly bytesRead: number;
  readonly records: number;
  readonly failedRecords: number;
}

/**
 * Parses one record of an embedding format somewhere else (a worker of its own in web mode and in the desktop
 * compute host, so the session stays responsive during the seconds a molecule takes); rejects with a FormatError
 * for a bad record.
 */
export type EmbedRecord = (formatId: string, chunk: RecordChunk, file: string) => Promise<Structure>;

export interface ReadOptions {
  readonly path?: string;
  readonly signal?: AbortSignal;
  /** Called at every phase change, at each yield (about every 25 ms) and once at the end of the last phase. */
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Awaited before each embedded record: resolves when no other file is being read or parsed. */
  readonly whenForegroundIdle?: () => Promise<void>;
  /** Where records of embedding formats are parsed (default: here, with format.parseRecord). */
  readonly embedRecord?: EmbedRecord;
}

/** A byte source over in-memory bytes that counts what has been handed out (raw, before gunzip). */
function countingSource(bytes: Uint8Array, counter: { read: number }, chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
        const chunk = bytes.subarray(offset, Math.min(bytes.byteLength, offset + chunkSize));
        counter.read = offset + chunk.byteLength;
        yield chunk;
      }
    },
  };
}

/**
 * Reads one file into a document. Throws (an Error naming the file) only when the whole file is unusable:
 * unknown format, corrupt gzip, toolkit failing to load; OpenCancelledError when `signal` fired. Bad records
 * become RecordErrors.
 */
export async function readDocument(id: DocumentId, file: FileInput, options: ReadOptions = {}): Promise<OpenDocument> {
  const started = now();
  const name = baseName(file.name);
  const totalBytes = file.bytes.byteLength;
  const gzipped = isGzip(file.bytes);
  const counter = { read: 0 };
  const structures: Structure[] = [];
  const rows: Row[] = [];
  const errors: RecordError[] = [];
  let errorCount = 0;
  const report = (phase: OpenPhase, completed: number, total: number, unit: 'bytes' | 'records') =>
    options.onProgress?.({ phase, completed, total, unit, bytesRead: counter.read, records: structures.length, failedRecords: errorCount });
  const checkCancelled = () => {
    if (options.signal?.aborted) throw new OpenCancelledError(name);
  };
  report('reading', 0, totalBytes, 'bytes');
  const head = await readHead(countingSource(file.bytes, counter), 64 * 1024);
  const format = detectFormat(file.name, head.text);
  report('reading', counter.read, totalBytes, 'bytes');
  await format.prepare?.();
  checkCancelled();
  const accept = (structure: Structure) => {
    // Table rows are built as records arrive, inside the yielding loop, not in one go at the end.
    rows.push(rowOf(structure, structures.length));
    structures.push(structure);
  };
  const reject = (error: unknown, chunk: RecordChunk) => {
    errorCount++;
    if (errors.length < LIMITS.maxReportedErrors) errors.push(toRecordError(error, name, chunk.index, chunk.firstLine));
  };
  const parse = (chunk: RecordChunk | undefined) => {
    if (!chunk) return;
    try {
      accept(format.parseRecord(chunk, name));
    } catch (error) {
      reject(error, chunk);
    }
  };
  // Embedding formats only cut records here (cheap) and parse them afterwards, one per turn.
  const pending: (RecordChunk | undefined)[] = [];
  const take = format.embeds ? (chunk: RecordChunk | undefined) => void (chunk && pending.push(chunk)) : parse;
  const splitter = format.createSplitter();
  report('parsing', counter.read, totalBytes, 'bytes');
  let sliceStart = now();
  for await (const batch of lineBatches(head.bytes, { gunzip: false })) {
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      take(splitter.push(lines[i]!));
      // A batch is a whole decoded chunk (~1 MiB): check the clock every 256 lines, not only between batches.
      if ((i & 255) === 255 && now() - sliceStart > SLICE_MS) {
        report('parsing', counter.read, totalBytes, 'bytes');
        await yieldToEventLoop();
        checkCancelled();
        sliceStart = now();
      }
    }
  }
  take(splitter.end());
  counter.read = totalBytes;
  report('parsing', totalBytes, totalBytes, 'bytes');
  if (format.embeds) {
    report('embedding', 0, pending.length, 'records');
    // A cancel while waiting for other files ends the wait too.
    const aborted = new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      else options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    for (let i = 0; i < pending.length; i++) {
      if (options.whenForegroundIdle) await Promise.race([options.whenForegroundIdle(), aborted]);
      await yieldToEventLoop();
      checkCancelled();
      const chunk = pending[i]!;
      pending[i] = undefined; // frees the lines of a parsed record
      if (options.embedRecord) {
        try {
          // A cancel does not wait for the molecule in flight (its result is dropped).
          const structure = await Promise.race([options.embedRecord(format.id, chunk, name), aborted]);
          checkCancelled();
          accept(structure!);
        } catch (error) {
          if (error instanceof OpenCancelledError) throw error;
          reject(error, chunk);
        }
      } else parse(chunk);
      report('embedding', i + 1, pending.length, 'records');
    }
  }
  checkCancelled();
  return new OpenDocument(id, name, options.path, format.id, format.name, totalBytes, gzipped, structures, errors, errorCount, now() - started, rows);
}
