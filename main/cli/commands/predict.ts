import { PREDICTORS, predictorEntry, type PredictorEntry } from '../../../core/predict/registry';
import { modelNameOf, modelPredictorId, propertyModelHeaderOf } from '../../../core/predict/model-predictors';
import type { BackendPreference } from '../../../core/engine/backend/backend';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { backendOption, parseCommandLine, parseShard, positiveInteger } from '../args';
import { checkBatchOptions, runBatchCommand, type BatchCommandOptions } from '../batch-output';
import { EXIT, UsageError, type Command } from '../command';

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
  -m, --model MODEL     predict with a trained energy model instead: model:NAME for a shipped model (e.g.
                        model:mace-ethanol-rmd17) or a file FILE.model.json beside FILE.weights.bin: energy, energy per atom,
                        largest force, stress (fully periodic structures); per-atom forces in .extxyz/.sdf output
  --backend NAME        compute backend for --model: auto (default), tensorflow, webgpu, wasm, cpu
  --threads N           threads for an energy --model (default 1): N-1 worker threads, each with its own copy of
                        the model, take forward passes of every batch from a queue beside this one (same rows in
                        order; values equal to the one-thread run's, to float32 rounding after a bad record)
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

/**
 * A predictor entry for `--model FILE|model:NAME`: loads the model file (refusing a malformed or unknown one as a
 * usage error) and the backend.
 */
async function modelPredictorEntry(modelSpec: string, backend: BackendPreference, threads: number): Promise<PredictorEntry> {
  const { readModelFile, readPropertyModelFile, modelFilePathOf } = await import('../../models/model-files');
  const { initNodeBackend } = await import('../../models/node-backend');
  let modelPath: string;
  try {
    modelPath = await modelFilePathOf(modelSpec);
  } catch (error) {
    throw new UsageError(`cannot use model ${modelSpec}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const id = modelPredictorId(modelNameOf(modelPath)); // the id the app gives the same file
  const header = propertyModelHeaderOf(await readFile(modelPath, 'utf8').catch(() => ''));
  if (header) {
    if (threads > 1) throw new UsageError(`--threads applies to energy models; ${basename(modelPath)} is a property model`);
    // A property model (declared outputs: orbital energies, dipole, charges, optionally energy), one or N members.
    const { createPropertyModelPredictor } = await import('../../../core/predict/property-model-predictor');
    let ensemble;
    try {
      ensemble = await readPropertyModelFile(modelPath);
    } catch (error) {
      throw new UsageError(`cannot use model ${modelSpec}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const info = await initNodeBackend(backend);
    return {
      id,
      description: `property model ${basename(modelPath)} (${header.members} member${header.members === 1 ? '' : 's'}; ${header.outputs.map((o) => o.name).join(', ')}) on ${info.description}`,
      create: async () => createPropertyModelPredictor(ensemble, { id }),
    };
  }
  const { createEnergyModelPredictor } = await import('../../../core/predict/energy-model-predictor');
  let model;
  try {
    model = await readModelFile(modelPath);
  } catch (error) {
    throw new UsageError(`cannot use model ${modelSpec}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const info = await initNodeBackend(backend);
  return {
    id,
    description: `${model.family} model ${basename(modelPath)} on ${info.description}`,
    create: async () => {
      if (threads === 1) return createEnergyModelPredictor(model, { id });
      const { startParallelModelCalculator } = await import('../../calc/parallel-model-calculator');
      const calculator = await startParallelModelCalculator(model, { id, workers: threads - 1, backend });
      // Pipeline batches of 8 forward passes per thread: the calculator's queue then balances the threads.
      return createEnergyModelPredictor(model, { id, calculator, batchSize: 8 * threads * calculator.batchSize });
    },
  };
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
      threads: { type: 'string' },
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
    const backend = backendOption(values.backend) ?? 'auto';
    const batchOptions: BatchCommandOptions = {
      command: 'predict',
      inputs: positionals,
      out: values.out,
      ...(values.resume ? { resume: true } : {}),
      ...(values.shard !== undefined ? { shard: parseShard(values.shard)! } : {}),
      ...(values.batch !== undefined ? { batchSize: positiveInteger(values.batch, '--batch')! } : {}),
      ...(values.format !== undefined ? { format: values.format } : {}),
    };
    checkBatchOptions(batchOptions);
    const threads = values.threads !== undefined ? positiveInteger(values.threads, '--threads')! : 1;
    if (threads > 1 && values.model === undefined) throw new UsageError('--threads applies to --model energy models');
    const entry = values.model !== undefined ? await modelPredictorEntry(values.model, backend, threads) : predictorEntry(values.predictor ?? 'geometry');
    if (!entry) throw new UsageError(`unknown predictor '${values.predictor}' (available: ${PREDICTORS.map((p) => p.id).join(', ')})`);
    const predictor = await entry.create();
    try {
      return await runBatchCommand(batchOptions, predictor, io);
    } finally {
      predictor.dispose?.();
    }
  },
};
