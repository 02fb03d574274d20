import type { RecordChunk, StructureFormat } from '../formats/format';
import { detectFormat, formatById } from '../formats/registry';
import { ByteCounter, lineBatches, readHead, type ByteSource, type LineBatch } from '../io/lines';
import type { Predictor } from '../predict/predictor';
import { toRecordError } from '../structure/errors';
import type { Structure } from '../structure/structure';
import { isAbort, JobCancelledError } from './cancel';
import { errorRow, predictBatch, predictedRow } from './predict-batch';
import type { ResultRow, RowSink } from './rows';

export { JobCancelledError } from './cancel';
export { errorRow, formulaOf } from './predict-batch';

/**
 * The batch job: inputs -> format -> splitter -> parseRecord -> batches -> Predictor.predict -> rows -> sink,
 * streaming all the way. Records are read, parsed, predicted and written one batch at a time and the job awaits
 * the sink before reading on, so memory is bounded by one batch whatever the input size.
 *
 * Every record yields exactly one row, in input order (ok, or an error row naming file, record and line), and every
 * input that cannot be opened or recognised yields one file-level error row (record null). That fixed order is what
 * makes resume exact (skip as many units as the output has rows) and sharding deterministic (unit k belongs to
 * shard k % n, counting records across all inputs in the order given).
 */

export interface JobInput {
  /** File name or path as the user gave it (used for format detection and in rows). */
  readonly name: string;
  /** Opens the bytes (possibly gzip); called once, lazily, when the job reaches this input. */
  open(): ByteSource | Promise<ByteSource>;
  /** Size in bytes as stored (compressed size for .gz), for progress; undefined when unknown (stdin). */
  readonly size?: number;
}

/** Progress of one streaming batch run (rows and bytes), not to be confused with the session's JobProgress. */
export interface BatchJobProgress {
  /** Rows written by this run (ok + error). */
  readonly rowsWritten: number;
  readonly errorRows: number;
  /** Records passed over because an earlier run wrote them (resume) or another shard owns them. */
  readonly skipped: number;
  /** Raw bytes read so far over all inputs. */
  readonly bytesRead: number;
  /** Sum of input sizes, when all are known. */
  readonly totalBytes?: number;
  readonly currentFile: string;
  readonly elapsedMs: number;
  /** Rows per second over this run. */
  readonly rate: number;
  /** Seconds left, extrapolated from bytes read; undefined without sizes. */
  readonly etaSeconds?: number;
}

export interface ResumePoint {
  /** Rows already in the output: that many units are skipped. */
  readonly rows: number;
  /** The output's last row, checked against the last skipped unit so a changed input list is caught. */
  readonly last?: { readonly file: string; readonly record: number | null };
}

export interface Shard {
  /** 0-based shard index. */
  readonly index: number;
  readonly count: number;
}

export interface BatchJobOptions {
  readonly inputs: readonly JobInput[];
  /** Undefined: rows carry no values (used by convert). */
  readonly predictor?: Predictor;
  readonly sink: RowSink;
  /** Records per predict call (default: the predictor's batchSize, else 256). */
  readonly batchSize?: number;
  /** Force a format (registry id or the format itself) instead of detecting it per input. */
  readonly format?: string | StructureFormat;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BatchJobProgress) => void;
  /** Minimum time between progress events (default 250 ms); a final event is always sent. */
  readonly progressIntervalMs?: number;
  readonly resume?: ResumePoint;
  readonly shard?: Shard;
  /** Called when an input's format is known, before its records are read. */
  readonly onInput?: (input: JobInput, format: StructureFormat) => void;
  /** Bytes of decompressed text used to sniff the format (default 64 KiB). */
  readonly headBytes?: number;
}

export interface BatchJobResult {
  readonly rowsWritten: number;
  readonly okRows: number;
  readonly errorRows: number;
  /** Inputs that could not be opened, decompressed or recognised (each also wrote one error row). */
  readonly unreadableInputs: readonly string[];
  readonly skippedResume: number;
  readonly skippedShard: number;
  readonly bytesRead: number;
  readonly elapsedMs: number;
  /** True when the signal stopped the job: every row written is complete, the rest can be resumed. */
  readonly cancelled: boolean;
}

/** The existing output does not belong to these inputs (different files, order or shard). */
export class ResumeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeMismatchError';
  }
}

interface PendingRecord {
  readonly file: string;
  readonly format: StructureFormat;
  readonly chunk: RecordChunk;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Resolves like `promise`, or rejects with JobCancelledError as soon as `signal` aborts: a job blocked on a slow
 * source (stdin, a network stream) still stops promptly. The abandoned promise's outcome is ignored.
 */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new JobCancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new JobCancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function validateShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`shard ${shard.index}/${shard.count}: need 0 <= index < count`);
  }
}

export async function runBatchJob(options: BatchJobOptions): Promise<BatchJobResult> {
  const { predictor, sink, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? predictor?.batchSize ?? 256);
  const shard = options.shard;
  if (shard) validateShard(shard);
  const forced = typeof options.format === 'string' ? formatById(options.format) : options.format;
  if (options.format !== undefined && !forced) throw new RangeError(`unknown format '${String(options.format)}'`);
  const progressInterval = options.progressIntervalMs ?? 250;
  const sizes = options.inputs.map((i) => i.size);
  const totalBytes = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, b) => a + b!, 0) : undefined;
  const started = performance.now();

  let resumeLeft = options.resume?.rows ?? 0;
  let unitIndex = 0;
  let rowsWritten = 0;
  let okRows = 0;
  let errorRows = 0;
  let skippedResume = 0;
  let skippedShard = 0;
  let bytesDone = 0;
  let counter = new ByteCounter();
  let currentFile = '';
  let lastEmit = -Infinity;
  const unreadable: string[] = [];
  const prepared = new Set<StructureFormat>();
  let pending: PendingRecord[] = [];

  const checkCancelled = () => {
    if (signal?.aborted) throw new JobCancelledError();
  };

  const emit = (force: boolean) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastEmit < progressInterval) return;
    lastEmit = now;
    const elapsedMs = now - started;
    const bytesRead = bytesDone + counter.bytes;
    const rate = elapsedMs > 0 ? (rowsWritten / elapsedMs) * 1000 : 0;
    const etaSeconds =
      totalBytes !== undefined && bytesRead > 0 && elapsedMs > 0 ? Math.max(0, ((totalBytes - bytesRead) * elapsedMs) / bytesRead / 1000) : undefined;
    options.onProgress({
      rowsWritten,
      errorRows,
      skipped: skippedResume + skippedShard,
      bytesRead,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
      currentFile,
      elapsedMs,
      rate,
      ...(etaSeconds !== undefined ? { etaSeconds } : {}),
    });
  };

  const writeRows = async (rows: ResultRow[]) => {
    if (rows.length === 0) return;
    await sink.write(rows);
    rowsWritten += rows.length;
    for (const row of rows) {
      if (row.status === 'ok') okRows++;
      else errorRows++;
    }
    emit(false);
  };

  /** Claims the next unit (record or file-level error): false when another shard owns it or the output already has it. */
  const claim = (file: string, record: number | null): boolean => {
    const k = unitIndex++;
    if (shard && k % shard.count !== shard.index) {
      skippedShard++;
      return false;
    }
    if (resumeLeft > 0) {
      resumeLeft--;
      skippedResume++;
      const want = options.resume?.last;
      if (resumeLeft === 0 && want && (want.file !== file || want.record !== record)) {
        throw new ResumeMismatchError(
          `the output's last row is ${want.file} record ${want.record === null ? '-' : want.record + 1} but these inputs give ${file} record ${record === null ? '-' : record + 1} there`,
        );
      }
      return false;
    }
    return true;
  };

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const rows: Array<ResultRow | undefined> = new Array(batch.length);
    const structures: Structure[] = [];
    const slots: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const { file, format, chunk } = batch[i]!;
      try {
        const structure = format.parseRecord(chunk, file);
        structures.push(structure);
        slots.push(i);
      } catch (error) {
        const e = toRecordError(error, file, chunk.index, chunk.firstLine);
        rows[i] = errorRow(file, chunk.index, e.line, e.message);
      }
    }
    checkCancelled();
    const predictions = predictor && structures.length > 0 ? await predictBatch(predictor, structures, signal) : undefined;
    for (let j = 0; j < structures.length; j++) {
      const i = slots[j]!;
      const { file, chunk } = batch[i]!;
      rows[i] = predictedRow({ file, record: chunk.index, line: chunk.firstLine }, structures[j]!, predictions?.[j]);
    }
    await writeRows(rows as ResultRow[]);
  };

  const fileError = async (file: string, line: number, message: string) => {
    unreadable.push(file);
    if (!claim(file, null)) return;
    await flush();
    await writeRows([errorRow(file, null, line, message)]);
  };

  let cancelled = false;
  try {
    await predictor?.prepare?.();
    for (const input of options.inputs) {
      checkCancelled();
      currentFile = input.name;
      bytesDone += counter.bytes;
      counter = new ByteCounter();
      let format: StructureFormat;
      let bytes: ByteSource;
      try {
        const head = await untilAborted(readHead(counter.count(await input.open()), options.headBytes ?? 64 * 1024), signal);
        format = forced ?? detectFormat(input.name, head.text);
        if (!prepared.has(format)) {
          await format.prepare?.();
          prepared.add(format);
        }
        bytes = head.bytes;
        options.onInput?.(input, format);
      } catch (error) {
        if (isAbort(error, signal)) throw new JobCancelledError();
        await fileError(input.name, 0, `cannot read ${input.name}: ${messageOf(error)}`);
        continue;
      }
      const splitter = format.createSplitter();
      const take = async (chunk: RecordChunk | undefined) => {
        if (!chunk || !claim(input.name, chunk.index)) return;
        pending.push({ file: input.name, format, chunk });
        if (pending.length >= batchSize) await flush();
      };
      let lineNumber = 0;
      let readError: unknown;
      const lineIterator = lineBatches(bytes, { gunzip: false })[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<LineBatch>;
          try {
            next = await untilAborted(lineIterator.next(), signal);
          } catch (error) {
            readError = error;
            break;
          }
          if (next.done) break;
          checkCancelled();
          const lines = next.value.lines;
          for (let i = 0; i < lines.length; i++) {
            const chunk = splitter.push(lines[i]!);
            if (chunk) await take(chunk);
          }
          lineNumber = next.value.firstLine + lines.length - 1;
        }
      } finally {
        if (readError === undefined) await lineIterator.return?.(undefined);
      }
      if (readError !== undefined) {
        if (isAbort(readError, signal)) throw new JobCancelledError();
        // The bytes stopped making sense mid-file (corrupt gzip, overlong line): keep what was read, note where.
        await take(splitter.end());
        await fileError(input.name, lineNumber + 1, `reading stopped after line ${lineNumber}: ${messageOf(readError)}`);
        continue;
      }
      await take(splitter.end());
    }
    await flush();
  } catch (error) {
    if (!isAbort(error, signal)) throw error;
    cancelled = true;
  }
  bytesDone += counter.bytes;
  counter = new ByteCounter();

  if (!cancelled && options.resume && options.resume.rows > 0) {
    if (resumeLeft > 0) {
      throw new ResumeMismatchError(`the output has ${options.resume.rows} rows but these inputs give only ${options.resume.rows - resumeLeft}`);
    }
  }
  emit(true);
  return {
    rowsWritten,
    okRows,
    errorRows,
    unreadableInputs: unreadable,
    skippedResume,
    skippedShard,
    bytesRead: bytesDone,
    elapsedMs: performance.now() - started,
    cancelled,
  };
}
