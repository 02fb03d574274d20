/**
 * Reading a file's bytes (gzip inflated) into an OpenDocument with the format registry; bad records are kept as
 * RecordErrors. Reading yields to the event loop between slices so a 100k-record file never blocks other calls.
 */
import type { DocumentId, FileInput } from '../contract/equimol-api';
import { LIMITS } from '../contract/equimol-api';
import { detectFormat } from '../formats/registry';
import { isGzip, lineBatches, readHead } from '../io/lines';
import { toRecordError, type RecordError } from '../structure/errors';
import type { Structure } from '../structure/structure';
import { baseName, OpenDocument, rowOf, type Row } from './documents';
import { yieldToEventLoop } from './job-queue';

/** Milliseconds of parsing between yields to the event loop. */
const SLICE_MS = 25;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export interface ReadOptions {
  readonly path?: string;
  readonly signal?: AbortSignal;
  /** Called at each yield (about every 25 ms) and once at the end with raw bytes consumed and records parsed. */
  readonly onProgress?: (bytesRead: number, records: number, done: boolean) => void;
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
 * unknown format, corrupt gzip, toolkit failing to load. Bad records become RecordErrors.
 */
export async function readDocument(id: DocumentId, file: FileInput, options: ReadOptions = {}): Promise<OpenDocument> {
  const started = now();
  const name = baseName(file.name);
  const gzipped = isGzip(file.bytes);
  const counter = { read: 0 };
  const head = await readHead(countingSource(file.bytes, counter), 64 * 1024);
  const format = detectFormat(file.name, head.text);
  await format.prepare?.();
  const structures: Structure[] = [];
  const rows: Row[] = [];
  const errors: RecordError[] = [];
  let errorCount = 0;
  const splitter = format.createSplitter();
  let sliceStart = now();
  const parse = (chunk: ReturnType<typeof splitter.push>) => {
    if (!chunk) return;
    try {
      const structure = format.parseRecord(chunk, name);
      // Table rows are built as records arrive, inside the yielding loop, not in one go at the end.
      rows.push(rowOf(structure, structures.length));
      structures.push(structure);
    } catch (error) {
      errorCount++;
      if (errors.length < LIMITS.maxReportedErrors) errors.push(toRecordError(error, name, chunk.index, chunk.firstLine));
    }
  };
  for await (const batch of lineBatches(head.bytes, { gunzip: false })) {
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      parse(splitter.push(lines[i]!));
      // A batch is a whole decoded chunk (~1 MiB): check the clock every 256 lines, not only between batches.
      if ((i & 255) === 255 && now() - sliceStart > SLICE_MS) {
        options.onProgress?.(counter.read, structures.length, false);
        await yieldToEventLoop();
        if (options.signal?.aborted) throw new Error(`${name}: reading was cancelled`);
        sliceStart = now();
      }
    }
  }
  parse(splitter.end());
  options.onProgress?.(file.bytes.byteLength, structures.length, true);
  return new OpenDocument(
    id,
    name,
    options.path,
    format.id,
    format.name,
    file.bytes.byteLength,
    gzipped,
    structures,
    errors,
    errorCount,
    now() - started,
    rows,
  );
}
