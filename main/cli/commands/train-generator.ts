/** `equimol train --family edm|geobfn DATA... --out NAME --minutes M`: trains a 3D-molecule generator (main/train/generator-training.ts). */
import { GENERATOR_FAMILIES, type GeneratorFamilyName } from '../../train/generator-families';
import type { GeneratorTrainingConfig } from '../../train/generator-training';
import { backendOption, finiteNumber, parseCommandLine, positiveInteger, positiveNumber } from '../args';
import { EXIT, UsageError, writeLine, type CliIo } from '../command';

export const GENERATOR_TRAIN_HELP = `Usage: equimol train --family edm|geobfn [options] DATA... --out NAME --minutes M
       equimol train --init NAME.generator.json [options] DATA... --out NAME --minutes M

Trains a generator of 3D molecules on the structures of DATA (atoms and positions; any readable format, gzip
detected), split by molecule name (the generator trains on the training side), and writes NAME.generator.json +
NAME.weights.bin (the EMA weights) at every checkpoint and at the end, with the card NAME.md (the data, every run's
command, budget and molecules/s). The file is what \`equimol generate --model NAME.generator.json\` and the app's
Generate dialog use; put it under assets/models to ship it.

  --family F               edm (EDM, Hoogeboom et al. 2022) or geobfn (GeoBFN, Song et al. 2024)
  --init FILE              continue from this generator file (family, widths and run record from it; Adam restarts)
  --minutes M              wall-clock budget (required)
  --checkpoint-minutes C   write the files every C minutes (default 10)
  --features N --layers N  the EGNN's width and blocks (default 64 and 4)
  --batch-size N (64)  --learning-rate LR (5e-4)  --ema-decay D (0.999; 0 off)
  --seed S                 seed of the split, the weights and the batches (default 1)
  --validation F --test F  fractions of molecule names left out (default 0.02 and 0.05)
  --limit N                train on the first N training molecules only
  --backend NAME           auto, tensorflow, webgpu, wasm, cpu (default wasm)
EDM:    --noise-schedule polynomial|cosine (polynomial)  --timesteps T (1000)  --condition PROPERTY (a conditional
        model on a per-structure property of DATA, e.g. gap)
GeoBFN: --sigma1-positions S (0.001)  --sigma1-charges S (0.15)

Exit codes: 0 done, 2 usage error, 3 unreadable data, 130 interrupted (Ctrl-C: the current step ends and the files
are written; continue with --init NAME.generator.json).
`;

const OPTIONS = {
  family: { type: 'string' }, init: { type: 'string' }, out: { type: 'string', short: 'o' }, minutes: { type: 'string' },
  'checkpoint-minutes': { type: 'string' }, features: { type: 'string' }, layers: { type: 'string' }, 'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' }, 'ema-decay': { type: 'string' }, seed: { type: 'string' }, validation: { type: 'string' }, test: { type: 'string' },
  limit: { type: 'string' }, backend: { type: 'string' }, 'noise-schedule': { type: 'string' }, timesteps: { type: 'string' }, condition: { type: 'string' },
  'sigma1-positions': { type: 'string' }, 'sigma1-charges': { type: 'string' },
} as const;

const EDM_ONLY = ['noise-schedule', 'timesteps', 'condition'] as const;
const GEOBFN_ONLY = ['sigma1-positions', 'sigma1-charges'] as const;

/** Whether a `train` command line asks for a generator (--family edm|geobfn, or --init of a generator file). */
export function isGeneratorTraining(args: readonly string[]): boolean {
  return args.some((a, i) => {
    const value = a.startsWith('--family=') ? a.slice(9) : a === '--family' ? args[i + 1] : a.startsWith('--init=') ? a.slice(7) : a === '--init' ? args[i + 1] : undefined;
    return value !== undefined && ((GENERATOR_FAMILIES as readonly string[]).includes(value) || value.endsWith('.generator.json'));
  });
}

function fraction(value: string | undefined, option: string, fallback: number): number {
  const x = finiteNumber(value, option) ?? fallback;
  if (x < 0 || x >= 1) throw new UsageError(`${option} needs a fraction in [0, 1), got '${value}'`);
  return x;
}

/** The configuration of a generator command line (no I/O). */
export function generatorTrainConfigFromArgs(args: readonly string[]): { config?: GeneratorTrainingConfig; help: boolean } {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError('train needs at least one DATA file');
  if (!values.out) throw new UsageError('train needs --out NAME');
  const minutes = positiveNumber(values.minutes, '--minutes');
  if (minutes === undefined) throw new UsageError('a generator trains on a time budget: give --minutes M');
  let family: GeneratorFamilyName | undefined;
  if (values.init) {
    if (!values.init.endsWith('.generator.json')) throw new UsageError(`--init needs a generator file (NAME.generator.json), got '${values.init}'`);
    const fixed = ['family', 'features', 'layers', ...EDM_ONLY, ...GEOBFN_ONLY].filter((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (fixed.length > 0) throw new UsageError(`--init takes the family and the model's settings from the file: drop ${fixed.map((k) => `--${k}`).join(', ')}`);
  } else {
    if (!(GENERATOR_FAMILIES as readonly string[]).includes(values.family ?? '')) throw new UsageError(`--family must be one of ${GENERATOR_FAMILIES.join(', ')} for a generator, got '${values.family}'`);
    family = values.family as GeneratorFamilyName;
    const foreign = (family === 'edm' ? GEOBFN_ONLY : EDM_ONLY).filter((k) => values[k] !== undefined);
    if (foreign.length > 0) throw new UsageError(`${foreign.map((k) => `--${k}`).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not for --family ${family}`);
  }
  const schedule = values['noise-schedule'] ?? 'polynomial';
  if (schedule !== 'polynomial' && schedule !== 'cosine') throw new UsageError(`--noise-schedule must be polynomial or cosine, got '${schedule}'`);
  const backend = backendOption(values.backend) ?? 'wasm';
  const emaDecay = finiteNumber(values['ema-decay'], '--ema-decay') ?? 0.999;
  if (emaDecay < 0 || emaDecay >= 1) throw new UsageError(`--ema-decay must lie in [0, 1), got ${emaDecay}`);
  const seed = finiteNumber(values.seed, '--seed') ?? 1;
  if (!Number.isInteger(seed)) throw new UsageError(`--seed needs an integer, got '${values.seed}'`);
  const limit = positiveInteger(values.limit, '--limit');
  const timesteps = positiveInteger(values.timesteps, '--timesteps');
  const sigma1Positions = positiveNumber(values['sigma1-positions'], '--sigma1-positions');
  const sigma1Charges = positiveNumber(values['sigma1-charges'], '--sigma1-charges');
  const config: GeneratorTrainingConfig = {
    ...(family ? { family } : {}), data: positionals, out: values.out.replace(/\.generator\.json$/, ''), minutes,
    checkpointMinutes: positiveNumber(values['checkpoint-minutes'], '--checkpoint-minutes') ?? 10,
    ...(values.init ? { init: values.init } : {}),
    model: {
      features: positiveInteger(values.features, '--features') ?? 64, layers: positiveInteger(values.layers, '--layers') ?? 4, seed,
      noiseSchedule: schedule, ...(timesteps !== undefined ? { timesteps } : {}), ...(values.condition ? { condition: values.condition } : {}),
      ...(sigma1Positions !== undefined ? { sigma1Positions } : {}), ...(sigma1Charges !== undefined ? { sigma1Charges } : {}),
    },
    batchSize: positiveInteger(values['batch-size'], '--batch-size') ?? 64,
    learningRate: positiveNumber(values['learning-rate'], '--learning-rate') ?? 5e-4,
    emaDecay, seed,
    validation: fraction(values.validation, '--validation', 0.02), test: fraction(values.test, '--test', 0.05),
    ...(limit !== undefined ? { limit } : {}),
    backend: backend as GeneratorTrainingConfig['backend'],
    command: `equimol train ${args.join(' ')}`,
  };
  if (config.validation + config.test >= 1) throw new UsageError('--validation and --test must leave some molecules to train on');
  return { config, help: false };
}

/** Runs a generator training command line. */
export async function runGeneratorTraining(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = generatorTrainConfigFromArgs(args);
  if (parsed.help) {
    io.stdout.write(GENERATOR_TRAIN_HELP);
    return EXIT.ok;
  }
  const { trainGeneratorOnFiles } = await import('../../train/generator-training');
  try {
    const result = await trainGeneratorOnFiles(parsed.config!, { log: (line) => writeLine(io.stderr, line), signal: io.signal });
    writeLine(io.stdout, `wrote ${result.files.join(', ')} (${result.steps} steps, ${result.moleculesSeen} molecules, stopped by ${result.stoppedBy})`);
    return result.stoppedBy === 'aborted' ? EXIT.cancelled : EXIT.ok;
  } catch (error) {
    writeLine(io.stderr, `equimol train: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.unreadable;
  }
}
