/**
 * `equimol generate [--model NAME|FILE] --n N --steps S [--schedule KIND] --seed S --out gen.sdf`: new 3D molecules
 * from an EDM or GeoBFN generator (the file's family decides; core/generative/generation.ts, the same run as the
 * app's generate job: same seed, same molecules),
 * scored as EDM scores them. Each batch is scored and written to the SD file as it finishes (EDM's bonds, the
 * score fields per record), so Ctrl-C keeps every finished batch; the score report goes to stdout at the end.
 */
import { writeFile } from 'node:fs/promises';
import { createSdfWriter } from '../../../core/formats/sdf/writer';
import { createExtxyzWriter } from '../../../core/formats/xyz/writer';
import type { StepScheduleKind } from '../../../core/generative/generation';
import { stepScheduleKinds } from '../../../core/generative/step-schedules';
import type { Structure } from '../../../core/structure/structure';
import { FileTextSink } from '../../io/files';
import { generatorFilePathOf, NoGeneratorError, readGeneratorFile, recordGeneratorScores } from '../../models/generator-files';
import { initNodeBackend } from '../../models/node-backend';
import { BACKEND_NAMES, backendOption, parseCommandLine, positiveInteger } from '../args';
import { EXIT, UsageError, writeLine, type CliIo, type Command } from '../command';
import { formatDuration } from '../progress';


const HELP = `Usage: equimol generate [options] --n N --out GEN.sdf

Generates N new 3D molecules with a generator, EDM (Hoogeboom et al. 2022: ancestral sampling of an
E(3)-equivariant diffusion model) or GeoBFN (Song et al. 2024: a geometric Bayesian flow network), as the
file's family says, and scores them as EDM does: atom and molecule stability from EDM's bond-length table
and valences, RDKit validity, uniqueness of the canonical SMILES within the run.
Each record of GEN.sdf has EDM's bonds and the data fields status (ok, invalid, error), error (why invalid),
atom_stable_fraction, stable_atoms, mol_stable, valid, smiles, unique and fragments (and PROPERTY_target with
--target). The score report is printed at the end. The same seed, --n, --steps, --schedule and --batch-size
give the same molecules, and the same file, on the same backend.

Options:
  --model NAME|FILE      a shipped generator (NAME of assets/models/**/NAME.generator.json) or a
                         FILE.generator.json (default: the shipped generator trained on the most molecules)
  -n, --n N              molecules to generate (required)
  --steps S              denoising steps (EDM: 1..T of the generator, default T, fewer strides its
                         schedule; GeoBFN: default 100)
  --schedule KIND        where the steps go: uniform (default, the papers' samplers), log-snr (equal
                         steps of log SNR), karras (Karras et al. 2022, rho 7) or measured (steps spread
                         by the rate a seeded 8-molecule pilot run's estimate moved at)
  --seed S               seed of the atom counts and of all noise (default 1)
  --atoms N              atoms of every molecule (default: drawn from the training data's atom counts)
  --target PROP=VALUE    property target of a conditional generator, e.g. gap=6.5 (eV); default its training mean
  -o, --out GEN.sdf      the molecules (required)
  --trajectory T.extxyz  the first molecule's denoising trajectory, a frame every --every steps
  --every K              trajectory frame interval in steps (default: about 50 frames)
  --batch-size B         molecules denoised together (default 32)
  --models-dir DIR       where shipped generators are looked up (default assets/models)
  --backend NAME         ${BACKEND_NAMES.join(', ')} (default auto)
  --record-scores        write this run's scores (samples, steps, schedule, seed, the four percentages, the
                         command) into the generator file's \`scores\`, replacing a record of the same steps,
                         schedule, samples and seed; the default generator is the shipped one with the best
                         recorded molecule stability (then validity), else the one trained on the most molecules
  -h, --help             this text

Progress (molecules, step, ETA) goes to stderr. Exit codes: 0 done, 2 usage error (also when no generator is
shipped and --model is not given), 3 the generator file cannot be read, 130 interrupted (finished batches kept).
`;

function integerOption(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${option} needs an integer >= ${min}, got '${value}'`);
  return n;
}

function parseTarget(value: string | undefined): { property: string; value: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([A-Za-z_][\w]*)\s*=\s*(\S+)\s*$/.exec(value);
  const x = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isFinite(x)) throw new UsageError(`--target needs PROPERTY=NUMBER (e.g. gap=6.5), got '${value}'`);
  return { property: m[1]!, value: x };
}

/** Molecules and step on stderr: a redrawn line on a terminal, otherwise a line every `plainIntervalMs`. */
function createGenerateProgress(stderr: CliIo['stderr'], plainIntervalMs = 10_000) {
  const started = performance.now();
  let last = started;
  let drawn = false;
  return {
    update(p: { evaluations: number; totalEvaluations: number; step: number; batchSteps: number; molecules: number; count: number }) {
      const elapsed = (performance.now() - started) / 1000;
      const eta = p.evaluations > 0 ? (elapsed / p.evaluations) * (p.totalEvaluations - p.evaluations) : Infinity;
      const text = `${p.molecules}/${p.count} molecules, step ${p.step}/${p.batchSteps} of the batch, ETA ${formatDuration(eta)}`;
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[K${text.slice(0, Math.max(10, (stderr.columns || 100) - 1))}`);
        drawn = true;
        return;
      }
      const now = performance.now();
      if (now - last < plainIntervalMs) return;
      last = now;
      stderr.write(`progress: ${text}\n`);
    },
    finish() {
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate 3D molecules with an EDM or GeoBFN generator and score them like EDM',
  help: HELP,
  async run(args, io: CliIo) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string' }, n: { type: 'string', short: 'n' }, steps: { type: 'string' }, schedule: { type: 'string' }, seed: { type: 'string' },
      atoms: { type: 'string' }, target: { type: 'string' }, out: { type: 'string', short: 'o' }, trajectory: { type: 'string' },
      every: { type: 'string' }, 'batch-size': { type: 'string' }, 'models-dir': { type: 'string' }, backend: { type: 'string' },
      'record-scores': { type: 'boolean' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`generate takes no FILE arguments, got '${positionals[0]}'`);
    const count = positiveInteger(values.n, '--n');
    if (count === undefined) throw new UsageError('--n (the number of molecules) is required');
    if (values.out === undefined) throw new UsageError('--out GEN.sdf is required');
    if (!/\.sdf$/i.test(values.out)) throw new UsageError(`--out must be an .sdf file, got '${values.out}'`);
    if (values.trajectory !== undefined && !/\.(ext)?xyz$/i.test(values.trajectory)) throw new UsageError(`--trajectory must be an .extxyz file, got '${values.trajectory}'`);
    const steps = positiveInteger(values.steps, '--steps');
    const seed = integerOption(values.seed, '--seed', 0) ?? 1;
    const atoms = positiveInteger(values.atoms, '--atoms');
    const every = positiveInteger(values.every, '--every');
    const batchSize = positiveInteger(values['batch-size'], '--batch-size');
    const target = parseTarget(values.target);
    const schedule = values.schedule ?? 'uniform';
    if (!(stepScheduleKinds as readonly string[]).includes(schedule)) throw new UsageError(`--schedule must be one of ${stepScheduleKinds.join(', ')}, got '${schedule}'`);
    const backend = backendOption(values.backend) ?? 'auto';

    let path: string;
    try {
      path = await generatorFilePathOf(values.model, values['models-dir']);
    } catch (error) {
      if (error instanceof NoGeneratorError) throw new UsageError(error.message);
      throw error;
    }
    await initNodeBackend(backend);
    let model;
    try {
      model = (await readGeneratorFile(path)).model;
    } catch (error) {
      writeLine(io.stderr, `equimol generate: ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unreadable;
    }
    try {
      const [{ generateMolecules, withScores, stepLimits, familyOf, conditioningOf }, { loadRDKit }, { formatScoreReport, scoreMolecules }] = await Promise.all([
        import('../../../core/generative/generation'), import('../../../core/toolkits/toolkits'), import('../../../core/generative/scoring/score'),
      ]);
      const { defaultSteps, maxSteps } = stepLimits(model);
      if (steps !== undefined && steps > maxSteps) throw new UsageError(`--steps ${steps} exceeds the ${maxSteps} steps this generator ${familyOf(model) === 'edm' ? 'was trained with' : 'takes'}`);
      if (atoms !== undefined && atoms > model.maxAtoms) throw new UsageError(`--atoms ${atoms} exceeds the largest molecule of the training data (${model.maxAtoms} atoms)`);
      const context = conditioningOf(model);
      if (target && !context) throw new UsageError('--target: this generator is unconditional; it takes no property target');
      if (target && context && target.property !== context.property) throw new UsageError(`--target: this generator is conditioned on '${context.property}', not '${target.property}'`);
      const targetValue = context ? (target?.value ?? context.mean) : undefined;
      if (context && !target) writeLine(io.stderr, `equimol generate: no --target given: ${context.property} = ${context.mean.toPrecision(6)} (the training mean)`);

      await loadRDKit();
      const sdf = createSdfWriter();
      const out = await FileTextSink.open(values.out, 'w');
      const seen = new Set<string>();
      const written: Structure[] = [];
      const extra = context && targetValue !== undefined ? { [`${context.property}_target`]: targetValue } : {};
      const progress = createGenerateProgress(io.stderr);
      const started = performance.now();
      const result = await generateMolecules(model, {
        count, seed, ...(steps !== undefined ? { steps } : {}), schedule: schedule as StepScheduleKind, ...(atoms !== undefined ? { atoms } : {}),
        ...(targetValue !== undefined ? { target: targetValue } : {}), ...(batchSize !== undefined ? { batchSize } : {}),
        ...(values.trajectory !== undefined ? { trajectoryEvery: every ?? Math.max(1, Math.ceil((steps ?? defaultSteps) / 50)) } : {}),
        signal: io.signal,
        onProgress: (p) => progress.update(p),
        onBatch: async (molecules, first) => {
          const scored = withScores(molecules, seen, extra);
          for (let i = 0; i < scored.structures.length; i++) await out.write(sdf.write(scored.structures[i]!, first + i));
          written.push(...scored.structures);
        },
      }).finally(() => out.close());
      progress.finish();
      if (values.trajectory !== undefined && result.trajectory) {
        const xyz = createExtxyzWriter();
        await writeFile(values.trajectory, (xyz.begin?.() ?? '') + result.trajectory.map((s, i) => xyz.write(s, i)).join('') + (xyz.end?.() ?? ''));
      }
      const seconds = (performance.now() - started) / 1000;
      if (result.cancelled) writeLine(io.stderr, `equimol generate: interrupted: ${written.length} of ${count} molecules written to ${values.out}`);
      const report = scoreMolecules(written);
      io.stdout.write(formatScoreReport(report));
      if (values['record-scores'] && !result.cancelled) {
        await recordGeneratorScores(path, {
          samples: written.length, steps: steps ?? defaultSteps, schedule, seed, atomStability: percentOf(report.atom_stability_percent),
          moleculeStability: percentOf(report.molecule_stability_percent), validity: percentOf(report.validity_percent),
          uniqueness: percentOf(report.uniqueness_percent),
          command: `equimol generate ${args.join(' ')}`, date: new Date().toISOString(),
        });
        writeLine(io.stderr, `recorded the scores in ${path}`);
      }
      writeLine(io.stderr, `generated ${written.length} molecules in ${seconds.toFixed(1)} s (${(written.length / Math.max(seconds, 1e-9)).toFixed(2)} molecules/s), ${steps ?? defaultSteps} steps (${schedule}), seed ${seed}`);
      return result.cancelled ? EXIT.cancelled : EXIT.ok;
    } finally {
      model.dispose();
    }
  },
};

/** A recorded percentage, to 0.01 as the score report prints it. */
function percentOf(value: number): number {
  return Math.round(value * 100) / 100;
}
