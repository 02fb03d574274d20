/** `equimol train DATA... --out NAME`: trains (or fine-tunes) an energy model through main/train/train-runner.ts. */
import { FAMILIES, WIDTH_FLAGS, familyWidths, type Family } from '../../train/family-recipes';
import type { TrainRunConfig, TrainRunEvent, TrainRunResult } from '../../train/train-runner';
import { finiteNumber, parseCommandLine, positiveInteger, positiveNumber } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';
import { formatDuration } from '../progress';
import { GENERATOR_TRAIN_HELP, isGeneratorTraining, runGeneratorTraining } from './train-generator';

const HELP = `Usage: equimol train [options] DATA... --out NAME (--epochs N | --minutes M)
       equimol train --resume NAME
       equimol train --family edm|geobfn DATA... --out NAME --minutes M   (a generator: see the end)

Trains an energy model on energies and forces read from DATA (extXYZ info keys and per-atom arrays, SDF data
fields, or a CSV beside the structures via --labels; any readable format, gzip detected) and writes
NAME.model.json + NAME.weights.bin, the card NAME.md with the measured test metrics and the run record,
NAME.learning-curve.svg and NAME.parity.svg. The best EMA model is written at every improving epoch and a
resume file (NAME.resume.json/.bin) after every epoch. A record missing a target is left out and counted.

Data and targets:
  --target NAME:UNIT     energy:eV|meV|kcal/mol|kJ/mol|Ha, forces:eV/Å|meV/Å|kcal/mol/Å|Ha/Bohr (repeatable;
                         default --target energy:eV --target forces:eV/Å)
  --energy-key KEY       info key / SD field / CSV column of the energy (default energy)
  --forces-key KEY       per-atom array of the forces (default forces)
  --labels CSV           per-structure targets from CSV columns, row k for record k of DATA (in order)
  --labels-name-column C match CSV rows to structures by name in column C instead
Split:
  --split KIND           random (default), name (all frames of a molecule on one side), scaffold (Bemis–Murcko)
  --validation F         validation fraction (default 0.05)
  --test F               test fraction (default 0.1)
  --seed S               seed of the split, the initial weights and the shuffling (default 1)
  --validation-file F    explicit validation structures (repeatable); --test-file F likewise
Model:
  --family F             ${FAMILIES.join(', ')} (default mace)
  --features N --layers N (egnn); --channels N --lmax L --sh-lmax L --interactions N --correlation N (mace, tdn,
  escn); --hidden N --interactions N (faenet); unset widths take the family's defaults
  --cutoff R             Å (default 5)
  --isolated-atoms FILE  E0 from isolated-atom energies (default: least squares on the training split)
Fine-tuning:
  --init FILE            start from this model file's weights (family, widths and species from it)
  --freeze trunk         train only the readout heads ...
  --unfreeze-after E     ... for E epochs, then every weight
  --refit-e0             refit the reference energies to the new data (another level of theory)
Budget and optimiser:
  --epochs N             at most N epochs (default 100 without --minutes)
  --minutes M            wall-clock budget per member (cosine decay follows it)
  --batch-size N (8)  --learning-rate LR (family default; 1e-3 with --init)  --min-learning-rate LR
  --warmup-steps N    --schedule cosine|plateau  --ema-decay D (0.99; 0 off)  --patience N (50)
  --clip-norm C (10)  --energy-weight W (1)  --force-weight W (10)  --epoch-size N (structures per epoch)
Ensembles and threads:
  --members N            N members (default 1), written as NAME.m1.model.json ... NAME.mN.model.json and (mace,
                         tdn, escn, egnn) one ensemble file NAME.model.json with spreads calibrated on validation
  --ensemble KIND        seeds (default: seed, seed+1, ...) or bootstrap (each member on a resample)
  --threads N            this thread plus N-1 gradient helpers per step (default 1)
  --resume NAME          continue the run NAME exactly (its NAME.run.json holds the configuration); with a
                         larger --minutes M or --epochs N, a run that ended on its budget goes on (the
                         learning-rate schedule then follows the new budget)
  --json                 print the result as one JSON object on stdout
  -h, --help             this text

Exit codes: 0 done, 2 usage error, 3 unreadable data or no labelled record, 130 interrupted (Ctrl-C: the current
step ends, the best model, card and resume file are written; continue with --resume NAME).
`;

const OPTIONS = {
  out: { type: 'string', short: 'o' }, target: { type: 'string', multiple: true }, 'energy-key': { type: 'string' }, 'forces-key': { type: 'string' },
  labels: { type: 'string' }, 'labels-name-column': { type: 'string' }, split: { type: 'string' }, validation: { type: 'string' }, test: { type: 'string' },
  seed: { type: 'string' }, 'validation-file': { type: 'string', multiple: true }, 'test-file': { type: 'string', multiple: true },
  family: { type: 'string' }, ...Object.fromEntries(WIDTH_FLAGS.map((f) => [f, { type: 'string' }])), cutoff: { type: 'string' }, 'isolated-atoms': { type: 'string' },
  init: { type: 'string' }, freeze: { type: 'string' }, 'unfreeze-after': { type: 'string' }, 'refit-e0': { type: 'boolean' },
  epochs: { type: 'string' }, minutes: { type: 'string' }, 'batch-size': { type: 'string' }, 'learning-rate': { type: 'string' }, 'min-learning-rate': { type: 'string' },
  'warmup-steps': { type: 'string' }, schedule: { type: 'string' }, 'ema-decay': { type: 'string' }, patience: { type: 'string' }, 'clip-norm': { type: 'string' },
  'energy-weight': { type: 'string' }, 'force-weight': { type: 'string' }, 'epoch-size': { type: 'string' },
  members: { type: 'string' }, ensemble: { type: 'string' }, threads: { type: 'string' }, resume: { type: 'string' }, json: { type: 'boolean' },
} as const;

function fraction(value: string | undefined, option: string, fallback: number): number {
  const x = finiteNumber(value, option) ?? fallback;
  if (x < 0 || x >= 1) throw new UsageError(`${option} needs a fraction in [0, 1), got '${value}'`);
  return x;
}

function nonNegative(value: string | undefined, option: string): number | undefined {
  const x = finiteNumber(value, option);
  if (x !== undefined && x < 0) throw new UsageError(`${option} needs a number >= 0, got '${value}'`);
  return x;
}

function choice<T extends string>(value: string | undefined, option: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

/** The run configuration of a command line (no I/O). */
export function trainConfigFromArgs(args: readonly string[]): { config?: TrainRunConfig; resume?: string; extend?: { minutes?: number; epochs?: number }; json: boolean; help: boolean } {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return { json: false, help: true };
  const json = Boolean(values.json);
  const command = `equimol train ${args.join(' ')}`;
  if (values.resume !== undefined) {
    const others = Object.keys(values).filter((k) => !['resume', 'json', 'minutes', 'epochs'].includes(k));
    if (others.length > 0 || positionals.length > 0) throw new UsageError(`--resume continues the run with its own settings (a larger --minutes or --epochs may extend it): drop ${[...others.map((k) => `--${k}`), ...positionals].join(', ')}`);
    const minutes = positiveNumber(values.minutes, '--minutes');
    const epochs = positiveInteger(values.epochs, '--epochs');
    return { resume: values.resume, json, help: false, ...(minutes || epochs ? { extend: { ...(minutes ? { minutes } : {}), ...(epochs ? { epochs } : {}) } } : {}) };
  }
  if (positionals.length === 0) throw new UsageError('train needs at least one DATA file');
  if (!values.out) throw new UsageError('train needs --out NAME');
  const widths: Record<string, number> = {};
  for (const flag of WIDTH_FLAGS) {
    const v = positiveInteger((values as Record<string, string | undefined>)[flag], `--${flag}`);
    if (v !== undefined) widths[flag] = v;
  }
  const family = values.init ? undefined : choice(values.family, '--family', FAMILIES, 'mace' as Family);
  if (family) {
    try {
      familyWidths(family, widths);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values.init && (values.family || Object.keys(widths).length > 0)) throw new UsageError('--init takes family and widths from the model file: drop --family and the width flags');
  if (values.freeze !== undefined && values.freeze !== 'trunk' && values.freeze !== 'none') throw new UsageError(`--freeze must be trunk or none, got '${values.freeze}'`);
  if (values.freeze === 'trunk' && !values.init) throw new UsageError('--freeze trunk needs --init (a trained model to fine-tune)');
  if (values['unfreeze-after'] !== undefined && values.freeze !== 'trunk') throw new UsageError('--unfreeze-after needs --freeze trunk');
  const epochs = positiveInteger(values.epochs, '--epochs');
  const minutes = positiveNumber(values.minutes, '--minutes');
  const members = positiveInteger(values.members, '--members') ?? 1;
  const unfreezeAfter = values['unfreeze-after'] === undefined ? undefined : Number(values['unfreeze-after']);
  if (unfreezeAfter !== undefined && !(Number.isInteger(unfreezeAfter) && unfreezeAfter >= 0)) throw new UsageError(`--unfreeze-after needs an integer >= 0, got '${values['unfreeze-after']}'`);
  const num = (k: keyof typeof values, positive = true) => (positive ? positiveNumber(values[k] as string | undefined, `--${k}`) : nonNegative(values[k] as string | undefined, `--${k}`));
  const config: TrainRunConfig = {
    data: positionals, out: values.out.replace(/\.model\.json$/, ''), command,
    targets: values.target ?? ['energy:eV', 'forces:eV/Å'],
    ...(values['energy-key'] ? { energyKey: values['energy-key'] } : {}), ...(values['forces-key'] ? { forcesKey: values['forces-key'] } : {}),
    ...(values.labels ? { labels: values.labels } : {}), ...(values['labels-name-column'] ? { labelsNameColumn: values['labels-name-column'] } : {}),
    split: choice(values.split, '--split', ['random', 'name', 'scaffold'] as const, 'random'),
    validation: fraction(values.validation, '--validation', 0.05), test: fraction(values.test, '--test', 0.1),
    splitSeed: finiteNumber(values.seed, '--seed') ?? 1, seed: finiteNumber(values.seed, '--seed') ?? 1,
    ...(values['validation-file'] ? { validationFiles: values['validation-file'] } : {}), ...(values['test-file'] ? { testFiles: values['test-file'] } : {}),
    ...(family ? { family } : {}), widths,
    ...(values.cutoff ? { cutoff: positiveNumber(values.cutoff, '--cutoff')! } : {}), ...(values['isolated-atoms'] ? { isolatedAtoms: values['isolated-atoms'] } : {}),
    ...(values.init ? { init: values.init } : {}), ...(values.freeze ? { freeze: values.freeze } : {}), ...(unfreezeAfter !== undefined ? { unfreezeAfter } : {}),
    ...(values['refit-e0'] ? { refitReferenceEnergies: true } : {}),
    ...(epochs ? { epochs } : {}), ...(minutes ? { minutes } : {}),
    ...(values['batch-size'] ? { batchSize: positiveInteger(values['batch-size'], '--batch-size')! } : {}),
    ...(values['learning-rate'] ? { learningRate: num('learning-rate')! } : {}), ...(values['min-learning-rate'] ? { minLearningRate: num('min-learning-rate')! } : {}),
    ...(values['warmup-steps'] ? { warmupSteps: nonNegative(values['warmup-steps'], '--warmup-steps')! } : {}),
    ...(values.schedule ? { schedule: choice(values.schedule, '--schedule', ['cosine', 'plateau'] as const, 'cosine') } : {}),
    ...(values['ema-decay'] !== undefined ? { emaDecay: num('ema-decay', false)! } : {}), ...(values.patience ? { patience: positiveInteger(values.patience, '--patience')! } : {}),
    ...(values['clip-norm'] !== undefined ? { clipNorm: num('clip-norm', false)! } : {}),
    ...(values['energy-weight'] !== undefined ? { energyWeight: num('energy-weight', false)! } : {}), ...(values['force-weight'] !== undefined ? { forceWeight: num('force-weight', false)! } : {}),
    ...(values['epoch-size'] ? { epochSize: positiveInteger(values['epoch-size'], '--epoch-size')! } : {}),
    members, ensemble: choice(values.ensemble, '--ensemble', ['seeds', 'bootstrap'] as const, 'seeds'),
    threads: positiveInteger(values.threads, '--threads') ?? 1,
  };
  if (config.emaDecay !== undefined && config.emaDecay >= 1) throw new UsageError(`--ema-decay must lie in [0, 1), got ${config.emaDecay}`);
  return { config, json, help: false };
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** Human progress on stderr: a redrawn line on a terminal, a line per epoch otherwise. */
function progressPrinter(stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): (event: TrainRunEvent) => void {
  let drawn = false;
  const clear = () => { if (drawn) stderr.write('\r\x1b[K'); drawn = false; };
  return (e) => {
    if (e.kind === 'data') {
      writeLine(stderr, `data: ${e.records} records, ${e.train} train / ${e.validation} validation / ${e.test} test (${e.split})`);
      if (e.skipped > 0) writeLine(stderr, `skipped ${e.skipped} record${e.skipped === 1 ? '' : 's'} with a missing or non-finite target, e.g. ${e.skippedExamples.join('; ')}`);
    } else if (e.kind === 'member') {
      writeLine(stderr, `member ${e.member + 1}/${e.members}: ${e.parameters} parameters, training ${e.trainableTensors} of ${e.tensors} weight tensors${e.resumedAtEpoch !== undefined ? `, resumed after epoch ${e.resumedAtEpoch}` : ''}`);
    } else if (e.kind === 'progress') {
      const head = `${e.members > 1 ? `m${e.member + 1} ` : ''}epoch ${e.epoch + 1}`;
      const eta = e.etaSeconds !== undefined ? ` ETA ${formatDuration(e.etaSeconds)}` : '';
      if (e.phase === 'step' && stderr.isTTY) {
        const width = 20, filled = Math.round((e.step / e.stepsPerEpoch) * width);
        stderr.write(`\r\x1b[K${head} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] loss ${e.loss.toPrecision(4)} lr ${e.learningRate.toExponential(1)}${eta}`.slice(0, (stderr.columns || 100) - 1));
        drawn = true;
      } else if (e.phase === 'epoch') {
        clear();
        writeLine(stderr, `${head} loss ${e.loss.toPrecision(4)} val E ${fmt(e.validation?.energyMAE_meV_per_atom, 2)} meV/atom F ${fmt(e.validation?.forceMAE_meV_per_A)} meV/Å lr ${e.learningRate.toExponential(1)} ${formatDuration(e.elapsedSeconds)}${eta} (best ${(e.bestEpoch ?? 0) + 1})`);
      }
    } else if (e.kind === 'ensemble') {
      clear();
      writeLine(stderr, e.file ? `ensemble file ${e.file}${e.calibration ? ` (calibrated on validation: ${Object.entries(e.calibration).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ')})` : ''}` : e.reason ?? '');
    } else if (e.kind === 'member-done') {
      clear();
      writeLine(stderr, `member ${e.member + 1}: stopped by ${e.stoppedBy} after ${e.epochs} epochs; test E ${fmt(e.test?.energyMAE_meV_per_atom, 2)} meV/atom, F ${fmt(e.test?.forceMAE_meV_per_A)} meV/Å -> ${e.file}`);
    }
  };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train or fine-tune an energy model on labelled structures, or a generator of 3D molecules (card, checkpoints, resume)',
  help: `${HELP}\n${GENERATOR_TRAIN_HELP}`,
  async run(args, io) {
    if (isGeneratorTraining(args)) return runGeneratorTraining(args, io);
    const parsed = trainConfigFromArgs(args);
    if (parsed.help) {
      io.stdout.write(`${HELP}\n${GENERATOR_TRAIN_HELP}`);
      return EXIT.ok;
    }
    const { runTraining, resumeTraining } = await import('../../train/train-runner');
    const onEvent = progressPrinter(io.stderr);
    let result: TrainRunResult;
    try {
      result = parsed.resume !== undefined
        ? await resumeTraining(parsed.resume.replace(/\.model\.json$/, ''), { signal: io.signal, onEvent, command: `equimol train ${args.join(' ')}`, ...(parsed.extend ? { extend: parsed.extend } : {}) })
        : await runTraining(parsed.config!, { signal: io.signal, onEvent });
    } catch (error) {
      writeLine(io.stderr, `equimol train: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unreadable;
    }
    if (parsed.json) writeLine(io.stdout, JSON.stringify({ files: result.files, card: result.card, stoppedBy: result.stoppedBy, members: result.members.map((m) => ({ file: m.file, epochs: m.epochs, stoppedBy: m.stoppedBy, test: m.test ?? null })), ensembleTest: result.ensembleTest ?? null, ensembleFile: result.ensembleFile ?? null, ensembleCalibration: result.ensembleCalibration ?? null }));
    else writeLine(io.stdout, `wrote ${[...(result.ensembleFile ? [result.ensembleFile] : []), ...result.files].join(', ')} and ${result.card}`);
    return result.stoppedBy === 'cancelled' ? EXIT.cancelled : EXIT.ok;
  },
};
