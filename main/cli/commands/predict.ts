import { createCsvRowSink } from '../../../core/export/csv';
import { createJsonLinesRowSink } from '../../../core/export/jsonl';
import { createStructureRowSink } from '../../../core/export/structures';
import { extensionOf, FORMATS, formatById, formatsForFileName } from '../../../core/formats/registry';
import { ResumeMismatchError, runBatchJob, type JobInput } from '../../../core/pipeline/job';
import { ResumeHeaderError } from '../../../core/pipeline/resume';
import { flatHeader, predictorColumns, type RowSink } from '../../../core/pipeline/rows';
import { PREDICTORS, predictorEntry, type PredictorEntry } from '../../../core/predict/registry';
import { modelNameOf, modelPredictorId } from '../../../core/predict/model-predictors';
import type { BackendPreference } from '../../../core/engine/backend/backend';
import { basename } from 'node:path';
import { FileTextSink, fileInput, openTabularOutput, unreadableReason } from '../../io/files';
import { parseCommandLine, parseShard, positiveInteger } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';
import { createProgressReporter } from '../progress';

const HELP = `Usage: equimol predict [options] FILE... --out OUT

Streams every record of the input files through a predictor and writes one row per record, in input order.
A record that fails to parse or predict becomes an error row (file, record, line, message); the job goes on.

Options:
  -o, --out OUT         output file; its extension picks the format:
                          .csv          columns file, record, line, name, formula, n_atoms, status, error, then the
                                        predictor's (vectors as _x/_y/_z)
                          .jsonl        one JSON object per row
                          .sdf/.extxyz  structures with predictions attached (SD fields / extXYZ info keys);
                                        error rows go to OUT.errors.csv
                        '-' writes CSV to stdout
  -p, --predictor ID    ${PREDICTORS.map((p) => p.id).join(', ')} (default geometry)
  -m, --model FILE      predict with a trained energy model instead (FILE.model.json beside FILE.weights.bin,
                        e.g. assets/models/benchmarks/mace-ethanol-rmd17.model.json): energy, energy per atom,
                        largest force, stress (fully periodic structures); per-atom forces in .extxyz/.sdf output
  --backend NAME        compute backend for --model: auto (default), tensorflow, webgpu, wasm, cpu
  --resume              continue an interrupted run: keep OUT's complete rows, drop a torn last row, skip the
                        records already written (csv/jsonl only; same inputs, order, predictor and shard)
  --shard i/n           process only records k with k % n == i (k counts records over all inputs; 0 <= i < n)
  --batch N             records per predict call (default: the predictor's preferred size)
  --format ID           read inputs as this format instead of detecting it
  -h, --help            this text

Progress goes to stderr: a bar on a terminal, otherwise a line every 10 s.
Exit codes: 0 every record predicted, 1 some error rows, 2 usage error, 3 an input could not be read,
130 interrupted by Ctrl-C (the output holds complete rows only; rerun with --resume).
`;

/** A predictor entry for `--model FILE`: loads the model file (refusing a malformed one as a usage error) and the backend. */
async function modelPredictorEntry(modelPath: string, backend: string): Promise<PredictorEntry> {
  const { readModelFile, initNodeBackend } = await import('./eval');
  const { createEnergyModelPredictor } = await import('../../../core/predict/energy-model-predictor');
  let model;
  try {
    model = await readModelFile(modelPath);
  } catch (error) {
    throw new UsageError(`cannot use model ${modelPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const info = await initNodeBackend(backend as BackendPreference);
  const id = modelPredictorId(modelNameOf(modelPath)); // the id the app gives the same file
  return {
    id,
    description: `${model.family} model ${basename(modelPath)} on ${info.description}`,
    create: async () => createEnergyModelPredictor(model, { id }),
  };
}

type OutputKind = { kind: 'csv' } | { kind: 'jsonl' } | { kind: 'structures'; formatId: string };

function outputKindOf(path: string): OutputKind {
  if (path === '-') return { kind: 'csv' };
  const ext = extensionOf(path);
  if (ext === 'csv') return { kind: 'csv' };
  if (ext === 'jsonl' || ext === 'ndjson') return { kind: 'jsonl' };
  const writable = formatsForFileName(path).filter((f) => f.createWriter);
  if (writable.length > 0) return { kind: 'structures', formatId: writable[0]!.id };
  const known = ['csv', 'jsonl', ...FORMATS.filter((f) => f.createWriter).flatMap((f) => f.extensions)];
  throw new UsageError(`cannot tell the output format from '${path}' (use one of: ${known.map((e) => '.' + e).join(' ')})`);
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'batch-predict properties of every record into CSV, JSON lines, SDF or extXYZ',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      out: { type: 'string', short: 'o' },
      predictor: { type: 'string', short: 'p' },
      model: { type: 'string', short: 'm' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
      shard: { type: 'string' },
      batch: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('predict needs at least one input FILE');
    if (values.out === undefined) throw new UsageError('predict needs --out FILE (or --out - for CSV on stdout)');
    if (values.model !== undefined && values.predictor !== undefined) throw new UsageError('give either --predictor or --model, not both');
    const backends = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
    if (values.backend !== undefined && !backends.includes(values.backend)) throw new UsageError(`unknown backend '${values.backend}' (available: ${backends.join(', ')})`);
    const entry = values.model !== undefined ? await modelPredictorEntry(values.model, values.backend ?? 'auto') : predictorEntry(values.predictor ?? 'geometry');
    if (!entry) throw new UsageError(`unknown predictor '${values.predictor}' (available: ${PREDICTORS.map((p) => p.id).join(', ')})`);
    if (values.format !== undefined && !formatById(values.format)) throw new UsageError(`unknown format '${values.format}'`);
    const shard = parseShard(values.shard);
    const batchSize = positiveInteger(values.batch, '--batch');
    const output = outputKindOf(values.out);
    if (values.resume && output.kind === 'structures') throw new UsageError('--resume works with .csv and .jsonl outputs only');
    if (values.resume && values.out === '-') throw new UsageError('--resume needs an output file, not stdout');
    const stdinCount = positionals.filter((p) => p === '-').length;
    if (stdinCount > 1) throw new UsageError("stdin ('-') can be given once");

    // Inputs that cannot be opened still get their error row from the job; warn early so the user sees it.
    for (const path of positionals) {
      const reason = await unreadableReason(path);
      if (reason) writeLine(io.stderr, `equimol predict: warning: ${reason}`);
    }
    const inputs: JobInput[] = await Promise.all(positionals.map(fileInput));
    const predictor = await entry.create();
    const columns = predictorColumns(predictor);

    let sink: RowSink;
    let resumePoint = { rows: 0 } as { rows: number; last?: { file: string; record: number | null } };
    let errorsPath: string | undefined;
    if (output.kind === 'structures') {
      const format = formatById(output.formatId)!;
      errorsPath = `${values.out}.errors.csv`;
      const errors = createCsvRowSink(await FileTextSink.open(errorsPath, 'w'), []);
      sink = createStructureRowSink(format, await FileTextSink.open(values.out, 'w'), columns, { errors });
    } else {
      const header = output.kind === 'csv' ? flatHeader(columns) : [];
      let opened;
      try {
        opened = await openTabularOutput(values.out, output.kind, header, values.resume ?? false);
      } catch (error) {
        if (error instanceof ResumeHeaderError || error instanceof SyntaxError) throw new UsageError(`cannot resume ${values.out}: ${error.message}`);
        throw error;
      }
      resumePoint = opened.resume;
      sink = output.kind === 'csv' ? createCsvRowSink(opened.sink, columns, { header: opened.writeHeader }) : createJsonLinesRowSink(opened.sink, columns);
      if (values.resume && resumePoint.rows > 0) writeLine(io.stderr, `equimol predict: resuming after ${resumePoint.rows} rows already in ${values.out}`);
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
        ...(values.format !== undefined ? { format: values.format } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(shard ? { shard } : {}),
        ...(resumePoint.rows > 0 ? { resume: resumePoint } : {}),
      });
    } catch (error) {
      progress.finish();
      await sink.close().catch(() => undefined);
      if (error instanceof ResumeMismatchError) throw new UsageError(`cannot resume ${values.out}: ${error.message}`);
      throw error;
    } finally {
      predictor.dispose?.();
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
      `${(result.rowsWritten / Math.max(seconds, 1e-9)).toFixed(0)} rows/s`,
    ].join(', ');
    writeLine(io.stderr, `equimol predict: ${result.cancelled ? 'interrupted' : 'done'}: ${summary} -> ${values.out}${errorsPath ? ` (errors: ${errorsPath})` : ''}`);
    if (result.cancelled) {
      writeLine(io.stderr, `equimol predict: output holds complete rows only; continue with --resume`);
      return EXIT.cancelled;
    }
    if (result.unreadableInputs.length > 0) return EXIT.unreadable;
    return result.errorRows > 0 ? EXIT.recordErrors : EXIT.ok;
  },
};
