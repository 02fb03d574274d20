/**
 * `equimol conformers IN... --calculator C --seed S --out ensemble.sdf`: a Boltzmann conformer ensemble of every
 * record (core/sampling/conformers/conformer-search.ts, the step the app's conformers job runs). One input record
 * maps to several output records, so the command runs the streaming batch job (core/pipeline/job.ts: parsing,
 * error rows, shards, resume) with one row per molecule and a row sink that writes both files:
 *  - OUT (any writable structure format): the conformers of each molecule together, sorted by energy, named after
 *    the molecule, with energy (eV), relative_energy (kcal/mol), boltzmann_weight (sum 1 per molecule) and
 *    conformer_rank;
 *  - OUT.molecules.csv: one row per input record (ok or error) with the molecule's summary and `out_bytes`, the
 *    size of OUT after its conformers. OUT is flushed before the row is written, so on --resume the ledger's last
 *    complete row says where OUT ends: OUT is truncated there and the run goes on from the next molecule.
 */
import { open, stat } from 'node:fs/promises';
import { createCsvRowSink } from '../../../core/export/csv';
import { formatById } from '../../../core/formats/registry';
import type { StructureWriter } from '../../../core/formats/format';
import { JobCancelledError } from '../../../core/pipeline/cancel';
import { ResumeMismatchError, runBatchJob } from '../../../core/pipeline/job';
import { ResumeHeaderError } from '../../../core/pipeline/resume';
import { flatHeader, headerKey, type ResultRow, type RowSink } from '../../../core/pipeline/rows';
import { parseCsvLine } from '../../../core/io/csv-codec';
import type { Prediction, Predictor } from '../../../core/predict/predictor';
import {
  CONFORMER_SEARCH_DEFAULTS,
  CONFORMER_SUMMARY_COLUMNS,
  conformerSummaryValues,
  searchConformers,
  type ConformerSearchOptions,
} from '../../../core/sampling/conformers/conformer-search';
import type { Calculator } from '../../../core/calc/calculator';
import type { Structure } from '../../../core/structure/structure';
import { CALCULATOR_NAMES_HELP } from '../../calc/calculator-catalogue';
import { FileTextSink, fileInput, openTabularOutput, unreadableReason } from '../../io/files';
import { finiteNumber, parseCommandLine, parseShard, positiveInteger, positiveNumber } from '../args';
import { outputKindOf } from '../batch-output';
import { calculatorOption } from '../calculator-option';
import { EXIT, UsageError, writeLine, type Command } from '../command';
import { createProgressReporter } from '../progress';

const d = CONFORMER_SEARCH_DEFAULTS;

const HELP = `Usage: equimol conformers [options] FILE... --calculator CALC --seed S --out OUT

Finds the conformers of every record (molecule) that matter at the temperature: annealed Langevin dynamics of a
population of replicas from a high temperature down to the target with sequential Monte Carlo reweighting and
resampling, then relaxation of every replica and starting geometry (L-BFGS, fmax 0.01 eV/Å), removal of
those whose bonds or stereocentres changed, an energy window, removal of duplicates (symmetry-aware heavy-atom
RMSD after alignment, and energy) and Boltzmann weights. A SMILES record starts from several seeded 3D
embeddings.

OUT gets the conformers of each molecule together, sorted by energy and named after the molecule, with the
fields energy (eV), relative_energy (kcal/mol), boltzmann_weight (summing to 1 per molecule) and
conformer_rank (1 = lowest). OUT.molecules.csv gets one row per record: conformers, lowest_energy (eV),
dropped_connectivity, dropped_stereo, dropped_duplicates, dropped_window, failed (relaxations), final_ess,
calls, starts, out_bytes; a record that fails (unreadable, not covered by the calculator, every replica
broken) is an error row there, and the run goes on.

Options:
  -c, --calculator CALC    ${CALCULATOR_NAMES_HELP}
  -o, --out OUT            .sdf (or another structure format: .extxyz, .xyz, .pdb)
  --seed S                 seed of the sampler and the embeddings (an integer; required: results depend on it)
  --population N           replicas (default ${d.population})
  --start-temperature T    annealing start, K (default ${d.startTemperature})
  --temperature T          target temperature of the ensemble and its weights, K (default ${d.temperature})
  --rungs N                temperature rungs (default ${d.rungs})
  --steps-per-rung N       Langevin steps per rung (default ${d.stepsPerRung})
  --ess-threshold F        resample when the effective sample size falls below F × population (default ${d.essThreshold})
  --window E               energy window above the lowest conformer, kcal/mol (default ${d.windowKcal})
  --rmsd R                 heavy-atom RMSD below which two conformers are one, Å (default ${d.rmsdThreshold})
  --no-torsion-moves       Langevin moves only (default: also Metropolis rotations about rotatable bonds)
  --backend NAME           compute backend for model calculators: auto (default), tensorflow, webgpu, wasm, cpu
  --resume                 continue an interrupted run (same inputs, order and shard) after its last molecule
  --shard i/n              process only records k with k % n == i (k counts records over all inputs)
  --format ID              read inputs as this format instead of detecting it
  -h, --help               this text

Progress goes to stderr. Exit codes: 0 every record done, 1 some error rows, 2 usage error, 3 an input could
not be read, 130 interrupted by Ctrl-C (complete molecules only; rerun with --resume).
`;

/** The companion ledger of OUT: one row per molecule. */
export function ledgerPathOf(out: string): string {
  return `${out}.molecules.csv`;
}

const LEDGER_COLUMNS = [...CONFORMER_SUMMARY_COLUMNS, { key: 'out_bytes', label: 'Size of OUT after this molecule', unit: 'bytes', kind: 'number' as const }];

/** A predictor over single molecules whose prediction is the summary; the conformers travel beside it. */
function conformerPredictor(calculator: Calculator, options: ConformerSearchOptions, ensembles: WeakMap<Prediction, Structure[]>): Predictor {
  return {
    id: 'conformers',
    description: 'conformer ensemble (annealed SMC, relaxation, deduplication, Boltzmann weights)',
    columns: CONFORMER_SUMMARY_COLUMNS,
    batchSize: 1,
    async predict(batch, signal) {
      const out: Array<Prediction | Error> = [];
      for (const input of batch) {
        const record = input.provenance ? input.provenance.record + 1 : 1;
        const base = input.provenance?.file.replace(/^.*[\\/]/, '').replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || 'molecule';
        const name = input.name || `${base}_${record}`;
        const molecule: Structure = { ...input, name };
        try {
          const result = await searchConformers(molecule, calculator, { ...options, ...(signal ? { signal } : {}) });
          if (result.status === 'cancelled') throw new JobCancelledError();
          if (result.status === 'stopped' || !result.ensemble) {
            out.push(new Error(`conformer search of ${name} stopped: ${result.problem ?? 'no conformers'}`));
            continue;
          }
          const prediction: Prediction = { values: conformerSummaryValues(result), structure: result.ensemble.conformers[0]! };
          ensembles.set(prediction, result.ensemble.conformers);
          out.push(prediction);
        } catch (error) {
          if (error instanceof JobCancelledError || signal?.aborted) throw new JobCancelledError();
          out.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return out;
    },
  };
}

/** Writes each ok row's conformers to OUT, flushes, then the row (with out_bytes) to the ledger. */
function ensembleSink(writer: StructureWriter, out: FileTextSink, startBytes: number, ledger: RowSink, ensembles: WeakMap<Prediction, Structure[]>): RowSink & { readonly conformers: number } {
  let bytes = startBytes;
  let begun = startBytes > 0;
  let written = 0;
  const put = async (text: string) => {
    if (!text) return;
    await out.write(text);
    bytes += Buffer.byteLength(text, 'utf8');
  };
  return {
    get conformers() {
      return written;
    },
    async write(rows: readonly ResultRow[]) {
      for (const row of rows) {
        const conformers = row.status === 'ok' && row.prediction ? (ensembles.get(row.prediction) ?? []) : [];
        if (conformers.length > 0) {
          let text = begun ? '' : (writer.begin?.() ?? '');
          begun = true;
          for (const conformer of conformers) text += writer.write(conformer, written++);
          await put(text);
          await out.flush();
        }
        await ledger.write([{ ...row, values: { ...row.values, out_bytes: bytes } }]);
      }
    },
    async close() {
      await put((begun ? '' : (writer.begin?.() ?? '')) + (writer.end?.() ?? ''));
      await out.close();
      await ledger.close();
    },
  };
}

/** out_bytes of the ledger's last row (0 when none): where OUT ends after the molecules already done. */
function resumeBytesOf(header: readonly string[] | undefined, lastRow: string | undefined): number {
  const column = (header ?? []).map(headerKey).indexOf('out_bytes'); // 'out_bytes [bytes]', or 'out_bytes' in older ledgers
  if (column < 0 || lastRow === undefined) return 0;
  const value = Number(parseCsvLine(lastRow)[column]);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

function integerOption(value: string | undefined, option: string): number | undefined {
  const x = finiteNumber(value, option);
  if (x !== undefined && !Number.isInteger(x)) throw new UsageError(`${option} needs an integer, got '${value}'`);
  return x;
}

export const conformersCommand: Command = {
  name: 'conformers',
  summary: 'a Boltzmann conformer ensemble of every molecule (annealed SMC, relaxation, deduplication)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      calculator: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      population: { type: 'string' },
      'start-temperature': { type: 'string' },
      temperature: { type: 'string' },
      rungs: { type: 'string' },
      'steps-per-rung': { type: 'string' },
      'ess-threshold': { type: 'string' },
      window: { type: 'string' },
      rmsd: { type: 'string' },
      'no-torsion-moves': { type: 'boolean' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
      shard: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('conformers needs at least one input FILE');
    if (values.calculator === undefined) throw new UsageError('conformers needs --calculator (e.g. xtb, model:NAME, lj)');
    if (values.out === undefined) throw new UsageError('conformers needs --out FILE (e.g. ensemble.sdf)');
    if (values.seed === undefined) throw new UsageError('conformers needs --seed S (the ensemble depends on it)');
    const out = values.out;
    const output = out === '-' ? undefined : outputKindOf(out);
    if (!output || output.kind !== 'structures') throw new UsageError(`--out must be a structure file such as ensemble.sdf, got '${out}'`);
    const format = formatById(output.formatId)!;
    if (values.format !== undefined && !formatById(values.format)) throw new UsageError(`unknown format '${values.format}'`);
    if (positionals.filter((p) => p === '-').length > 1) throw new UsageError("stdin ('-') can be given once");
    const population = positiveInteger(values.population, '--population');
    if (population !== undefined && population < 2) throw new UsageError(`--population needs at least 2 replicas, got ${population}`);
    const startTemperature = positiveNumber(values['start-temperature'], '--start-temperature');
    const temperature = positiveNumber(values.temperature, '--temperature');
    if ((startTemperature ?? d.startTemperature) <= (temperature ?? d.temperature)) {
      throw new UsageError(`--start-temperature (${startTemperature ?? d.startTemperature} K) must be above --temperature (${temperature ?? d.temperature} K)`);
    }
    const essThreshold = positiveNumber(values['ess-threshold'], '--ess-threshold');
    if (essThreshold !== undefined && essThreshold > 1) throw new UsageError(`--ess-threshold needs a fraction in (0, 1], got ${essThreshold}`);
    const rungs = positiveInteger(values.rungs, '--rungs');
    const stepsPerRung = positiveInteger(values['steps-per-rung'], '--steps-per-rung');
    const windowKcal = positiveNumber(values.window, '--window');
    const rmsdThreshold = positiveNumber(values.rmsd, '--rmsd');
    const options: ConformerSearchOptions = {
      seed: integerOption(values.seed, '--seed')!,
      ...(population !== undefined ? { population } : {}),
      ...(startTemperature !== undefined ? { startTemperature } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(rungs !== undefined ? { rungs } : {}),
      ...(stepsPerRung !== undefined ? { stepsPerRung } : {}),
      ...(essThreshold !== undefined ? { essThreshold } : {}),
      ...(windowKcal !== undefined ? { windowKcal } : {}),
      ...(rmsdThreshold !== undefined ? { rmsdThreshold } : {}),
      ...(values['no-torsion-moves'] ? { torsionMoves: false } : {}),
    };
    const shard = values.shard !== undefined ? parseShard(values.shard)! : undefined;

    // The ledger decides where a resumed run starts; OUT is cut back to the end of its last molecule.
    const ledgerPath = ledgerPathOf(out);
    let ledger;
    try {
      ledger = await openTabularOutput(ledgerPath, 'csv', flatHeader(LEDGER_COLUMNS), values.resume ?? false);
    } catch (error) {
      if (error instanceof ResumeHeaderError || error instanceof SyntaxError) throw new UsageError(`cannot resume ${ledgerPath}: ${error.message}`);
      throw error;
    }
    const resumeRows = ledger.resume.rows;
    let startBytes = 0;
    if (values.resume && resumeRows > 0) {
      startBytes = resumeBytesOf(ledger.scan?.header, ledger.scan?.lastRow);
      const size = (await fileSize(out)) ?? 0;
      if (size < startBytes) {
        await ledger.sink.close();
        throw new UsageError(`cannot resume: ${out} has ${size} bytes but ${ledgerPath} says its molecules end at byte ${startBytes}`);
      }
    }
    if (startBytes > 0) {
      const handle = await open(out, 'r+');
      try {
        await handle.truncate(startBytes);
      } finally {
        await handle.close();
      }
    }
    for (const path of positionals) {
      const reason = await unreadableReason(path);
      if (reason) writeLine(io.stderr, `equimol conformers: warning: ${reason}`);
    }
    const calculator = await calculatorOption(values.calculator, values.backend).catch(async (error: unknown) => {
      await ledger.sink.close();
      throw error;
    });
    const ensembles = new WeakMap<Prediction, Structure[]>();
    const rows = createCsvRowSink(ledger.sink, LEDGER_COLUMNS, { header: ledger.writeHeader });
    const sink = ensembleSink(format.createWriter!(), await FileTextSink.open(out, startBytes > 0 ? 'a' : 'w'), startBytes, rows, ensembles);
    if (resumeRows > 0) writeLine(io.stderr, `equimol conformers: resuming after ${resumeRows} molecules already in ${ledgerPath}`);
    const progress = createProgressReporter(io.stderr);
    let result;
    try {
      result = await runBatchJob({
        inputs: await Promise.all(positionals.map(fileInput)),
        predictor: conformerPredictor(calculator, options, ensembles),
        sink,
        signal: io.signal,
        batchSize: 1,
        onProgress: (p) => progress.update(p),
        progressIntervalMs: 200,
        ...(values.format !== undefined ? { format: values.format } : {}),
        ...(shard ? { shard } : {}),
        ...(resumeRows > 0 ? { resume: ledger.resume } : {}),
      });
    } catch (error) {
      progress.finish();
      await sink.close().catch(() => undefined);
      if (error instanceof ResumeMismatchError) throw new UsageError(`cannot resume ${ledgerPath}: ${error.message}`);
      throw error;
    } finally {
      calculator.dispose?.();
    }
    progress.finish();
    await sink.close();
    const summary = [
      `${result.okRows} molecules`,
      `${sink.conformers} conformers`,
      `${result.errorRows} errors`,
      ...(result.skippedResume > 0 ? [`${result.skippedResume} already done`] : []),
      ...(result.skippedShard > 0 ? [`${result.skippedShard} in other shards`] : []),
      `${(result.elapsedMs / 1000).toFixed(1)} s`,
    ].join(', ');
    writeLine(io.stderr, `equimol conformers: ${result.cancelled ? 'interrupted' : 'done'}: ${summary} -> ${out} (per molecule: ${ledgerPath})`);
    if (result.cancelled) {
      writeLine(io.stderr, 'equimol conformers: outputs hold complete molecules only; continue with --resume');
      return EXIT.cancelled;
    }
    if (result.unreadableInputs.length > 0) return EXIT.unreadable;
    return result.errorRows > 0 ? EXIT.recordErrors : EXIT.ok;
  },
};
