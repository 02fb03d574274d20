/**
 * The batch-job half shared by `equimol predict` and `equimol relax`: the output file (its extension picks CSV,
 * JSON lines or a structure format, whose error rows are records carrying the error, also listed in
 * OUT.errors.csv beside it), resume and shard, the progress bar on stderr,
 * the summary line and the exit code. A command supplies only its predictor.
 */
import { createCsvRowSink } from '../../core/export/csv';
import { createJsonLinesRowSink } from '../../core/export/jsonl';
import { createStructureRowSink } from '../../core/export/structures';
import { extensionOf, FORMATS, formatById, formatsForFileName } from '../../core/formats/registry';
import { ResumeMismatchError, runBatchJob, type JobInput, type ResumePoint } from '../../core/pipeline/job';
import { ResumeHeaderError } from '../../core/pipeline/resume';
import { flatHeader, predictorColumns, type RowSink } from '../../core/pipeline/rows';
import type { Predictor } from '../../core/predict/predictor';
import { FileTextSink, fileInput, openTabularOutput, unreadableReason } from '../io/files';
import { EXIT, UsageError, writeLine, type CliIo } from './command';
import { createProgressReporter, formatRowRate } from './progress';

export type OutputKind = { kind: 'csv' } | { kind: 'jsonl' } | { kind: 'structures'; formatId: string };

/** '-' is CSV on stdout; otherwise the extension: .csv, .jsonl/.ndjson, or any writable structure format. */
export function outputKindOf(path: string): OutputKind {
  if (path === '-') return { kind: 'csv' };
  const ext = extensionOf(path);
  if (ext === 'csv') return { kind: 'csv' };
  if (ext === 'jsonl' || ext === 'ndjson') return { kind: 'jsonl' };
  const writable = formatsForFileName(path).filter((f) => f.createWriter);
  if (writable.length > 0) return { kind: 'structures', formatId: writable[0]!.id };
  const known = ['csv', 'jsonl', ...FORMATS.filter((f) => f.createWriter).flatMap((f) => f.extensions)];
  throw new UsageError(`cannot tell the output format from '${path}' (use one of: ${known.map((e) => '.' + e).join(' ')})`);
}

export interface BatchCommandOptions {
  /** The command's name for messages ('predict', 'relax'). */
  readonly command: string;
  readonly inputs: readonly string[];
  readonly out: string;
  readonly resume?: boolean;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly batchSize?: number;
  readonly format?: string;
}

/**
 * Checks the output options before any slow set-up (model loading, calculator start), so a bad command line
 * fails at once with exit 2.
 */
export function checkBatchOptions(options: BatchCommandOptions): OutputKind {
  const output = outputKindOf(options.out);
  if (options.resume && output.kind === 'structures') throw new UsageError('--resume works with .csv and .jsonl outputs only');
  if (options.resume && options.out === '-') throw new UsageError('--resume needs an output file, not stdout');
  if (options.format !== undefined && !formatById(options.format)) throw new UsageError(`unknown format '${options.format}'`);
  if (options.inputs.filter((p) => p === '-').length > 1) throw new UsageError("stdin ('-') can be given once");
  return output;
}

/** Runs the job of `predictor` over the inputs into the output and returns the exit code. */
export async function runBatchCommand(options: BatchCommandOptions, predictor: Predictor, io: CliIo): Promise<number> {
  const { command, out } = options;
  const output = checkBatchOptions(options);
  // Inputs that cannot be opened still get their error row from the job; warn early so the user sees it.
  for (const path of options.inputs) {
    const reason = await unreadableReason(path);
    if (reason) writeLine(io.stderr, `equimol ${command}: warning: ${reason}`);
  }
  const inputs: JobInput[] = await Promise.all(options.inputs.map(fileInput));
  const columns = predictorColumns(predictor);

  let sink: RowSink;
  let resumePoint: ResumePoint = { rows: 0 };
  let errorsPath: string | undefined;
  if (output.kind === 'structures') {
    const format = formatById(output.formatId)!;
    errorsPath = `${out}.errors.csv`;
    const errors = createCsvRowSink(await FileTextSink.open(errorsPath, 'w'), []);
    sink = createStructureRowSink(format, await FileTextSink.open(out, 'w'), columns, { errors, errorRecords: true });
  } else {
    const header = output.kind === 'csv' ? flatHeader(columns) : [];
    let opened;
    try {
      opened = await openTabularOutput(out, output.kind, header, options.resume ?? false);
    } catch (error) {
      if (error instanceof ResumeHeaderError || error instanceof SyntaxError) throw new UsageError(`cannot resume ${out}: ${error.message}`);
      throw error;
    }
    resumePoint = opened.resume;
    sink = output.kind === 'csv' ? createCsvRowSink(opened.sink, columns, { header: opened.writeHeader }) : createJsonLinesRowSink(opened.sink, columns);
    if (options.resume && resumePoint.rows > 0) writeLine(io.stderr, `equimol ${command}: resuming after ${resumePoint.rows} rows already in ${out}`);
  }

  const progress = createProgressReporter(io.stderr);
  let result;
  try {
    result = await runBatchJob({
      inputs,
      predictor,
      sink,
      signal: io.signal,
      onProgress: (p) => progress.update(p),
      progressIntervalMs: 200,
      ...(options.format !== undefined ? { format: options.format } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(resumePoint.rows > 0 ? { resume: resumePoint } : {}),
    });
  } catch (error) {
    progress.finish();
    await sink.close().catch(() => undefined);
    if (error instanceof ResumeMismatchError) throw new UsageError(`cannot resume ${out}: ${error.message}`);
    throw error;
  }
  progress.finish();
  await sink.close();
  const seconds = result.elapsedMs / 1000;
  const summary = [
    `${result.okRows} ok`,
    `${result.errorRows} errors`,
    ...(result.skippedResume > 0 ? [`${result.skippedResume} already done`] : []),
    ...(result.skippedShard > 0 ? [`${result.skippedShard} in other shards`] : []),
    `${seconds.toFixed(1)} s`,
    formatRowRate(result.rowsWritten / Math.max(seconds, 1e-9)),
  ].join(', ');
  writeLine(io.stderr, `equimol ${command}: ${result.cancelled ? 'interrupted' : 'done'}: ${summary} -> ${out}${errorsPath ? ` (errors: ${errorsPath})` : ''}`);
  if (result.cancelled) {
    writeLine(io.stderr, `equimol ${command}: output holds complete rows only; continue with --resume`);
    return EXIT.cancelled;
  }
  if (result.unreadableInputs.length > 0) return EXIT.unreadable;
  return result.errorRows > 0 ? EXIT.recordErrors : EXIT.ok;
}
