/**
 * One training run as `equimol train` and the app's Train job run it: read and split the data, build (or load, for
 * fine-tuning) each ensemble member, train it with core's trainModel, and write NAME.model.json (+ weights), the
 * card NAME.md, learning curves and a parity plot. Checkpoints: the best EMA model is written at every improving
 * epoch, and a resume file after every epoch, so `resumeTraining(NAME)` continues the same run exactly.
 * Progress reaches the caller as plain-data events (TrainRunEvent).
 *
 * Ensembles: N members one after another, with seeds seed, seed+1, ... (`seeds`) or each on a bootstrap resample of
 * the training split (`bootstrap`), written as NAME.m1.model.json ... and, for trunk families (mace, tdn, escn,
 * egnn), as one ensemble file NAME.model.json in the property-model format (ensemble-file.ts), its spreads
 * calibrated on the validation split.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { weightsPathFor } from '../../core/engine/model-file/model-file';
import type { EvaluationResult } from '../../core/engine/eval';
import type { EnergyModel } from '../../core/engine/model';
import { formatIssue, TRAINER_KEYS } from '../../core/engine/train/dataset';
import { averageNeighbourCount, fitNormalisation } from '../../core/engine/train/normalisation';
import { canContinue, headWeightNames, type TrainState } from '../../core/engine/train/train-state';
import { trainModel, type TrainOptions, type TrainResult } from '../../core/engine/train/train';
import { learningCurveSvg } from '../../core/engine/train/training-plots';
import { seededRandom } from '../../core/util/seeded-random';
import { readStructures } from '../io/read-structures';
import { readModelFile } from '../models/model-files';
import { initNodeBackend } from '../models/node-backend';
import { FAMILY_RECIPES, familyWidths, type Family } from './family-recipes';
import { startGradientHelpers } from './gradient-helpers';
import { readResumeFile, resumePaths, writeResumeFile } from './resume-file';
import { cardMarkdown, meanPredictions, metricsOf, parityOf, predictAll, type MemberSummary, type Predictions } from './train-card';
import { loadTrainingData, type DataConfig, type TrainingData } from './training-data';
import { assignParams, writeMemberModel } from './member-file';
import { canWriteEnsembleFile, readEnergyEnsembleMember, writeEnsembleFile } from './ensemble-file';
import { energyEnsembleMemberCount } from './ensemble-members';

export interface TrainRunConfig extends DataConfig {
  /** Output base: NAME.model.json, NAME.md, ... */
  readonly out: string;
  readonly family?: Family;
  readonly widths?: Readonly<Record<string, number>>;
  readonly cutoff?: number;
  /** Atomic numbers the model knows (default: the elements of the data). */
  readonly species?: readonly number[];
  /** A structure file of isolated atoms whose energies become E0 (default: least squares on the training set). */
  readonly isolatedAtoms?: string;
  /** Start from this model file's weights (fine-tuning); family, widths and species come from it. */
  readonly init?: string;
  /** 'trunk': train only the readout heads first (until `unfreezeAfter` epochs, if given). */
  readonly freeze?: 'trunk' | 'none';
  readonly unfreezeAfter?: number;
  /** Fine-tuning: refit E0 and the shift on the new training data (a different level of theory). */
  readonly refitReferenceEnergies?: boolean;
  readonly minutes?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly minLearningRate?: number;
  readonly warmupSteps?: number;
  readonly schedule?: 'cosine' | 'plateau';
  readonly emaDecay?: number;
  readonly patience?: number;
  readonly clipNorm?: number;
  readonly energyWeight?: number;
  readonly forceWeight?: number;
  readonly epochSize?: number;
  readonly seed: number;
  readonly members: number;
  readonly ensemble: 'seeds' | 'bootstrap';
  readonly threads: number;
  /** The command line, for the run record. */
  readonly command: string;
  /** Card texts (defaults describe the data generically). */
  readonly card?: { readonly title?: string; readonly description?: string; readonly trainingData?: string; readonly intendedUse?: string; readonly limitations?: string; readonly citation?: string };
}

export type TrainRunEvent =
  | { readonly kind: 'data'; readonly records: number; readonly skipped: number; readonly skippedExamples: readonly string[]; readonly train: number; readonly validation: number; readonly test: number; readonly split: string }
  | { readonly kind: 'member'; readonly member: number; readonly members: number; readonly parameters: number; readonly resumedAtEpoch?: number; readonly trainableTensors: number; readonly tensors: number }
  | { readonly kind: 'progress'; readonly member: number; readonly members: number; readonly phase: 'step' | 'epoch'; readonly epoch: number; readonly maxEpochs: number; readonly step: number; readonly stepsPerEpoch: number; readonly loss: number; readonly learningRate: number; readonly elapsedSeconds: number; readonly etaSeconds?: number; readonly validation?: EvaluationResult; readonly bestEpoch?: number }
  | { readonly kind: 'checkpoint'; readonly member: number; readonly epoch: number; readonly file: string }
  | { readonly kind: 'member-done'; readonly member: number; readonly file: string; readonly stoppedBy: TrainResult['stoppedBy']; readonly epochs: number; readonly test?: EvaluationResult }
  | { readonly kind: 'ensemble'; readonly file?: string; readonly reason?: string; readonly calibration?: Readonly<Record<string, number>> };

export interface TrainRunResult {
  /** Member model files (one for a single model). */
  readonly files: readonly string[];
  /** The ensemble file, when members > 1 and the family can be a property-model trunk. */
  readonly ensembleFile?: string;
  /** Calibrated metrics of the ensemble on the validation split (Spearman of |error| with spread, ...). */
  readonly ensembleCalibration?: Readonly<Record<string, number>>;
  readonly card: string;
  readonly stoppedBy: TrainResult['stoppedBy'];
  readonly members: readonly MemberSummary[];
  readonly ensembleTest?: EvaluationResult;
}

/** Member k's output base (NAME for a single model, NAME.mK for ensembles). */
export function memberBase(config: Pick<TrainRunConfig, 'out' | 'members'>, k: number): string {
  return config.members > 1 ? `${config.out}.m${k + 1}` : config.out;
}

const runFile = (out: string) => `${out}.run.json`;

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** A seeded bootstrap resample (with replacement) of `items`, same size. */
export function bootstrapSample<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  return items.map(() => items[Math.floor(random() * items.length)]!);
}

/** One call of runTraining on this run: the first, then each resume. */
interface Session { readonly command: string; readonly started: string; readonly resumedAt?: string }

async function buildModel(config: TrainRunConfig, data: TrainingData, seed: number, member: number, initIsEnsemble: boolean): Promise<{ model: EnergyModel; initRuns: unknown[]; initEpochs: number; initSeconds: number }> {
  if (config.init) {
    // An ensemble file: member k starts from the file's member k.
    const model = initIsEnsemble ? await readEnergyEnsembleMember(config.init, member) : await readModelFile(config.init);
    const doc = JSON.parse(await readFile(config.init, 'utf8')) as { training?: { epochs?: number; seconds?: number; runs?: unknown[] } };
    const known = new Set(model.species);
    for (const s of [...data.train, ...data.validation, ...data.test]) {
      const z = [...s.numbers].find((n) => !known.has(n));
      if (z !== undefined) throw new Error(`${s.provenance?.file ?? 'data'}: record ${(s.provenance?.record ?? 0) + 1}: element Z=${z} is not among the species of ${config.init} (${model.species.join(', ')})`);
    }
    if (config.refitReferenceEnergies) {
      const refit = fitNormalisation(data.train, model.species);
      model.normalisation = { ...model.normalisation, referenceEnergies: refit.referenceEnergies, shift: refit.shift };
    }
    return { model, initRuns: doc.training?.runs ?? [], initEpochs: doc.training?.epochs ?? 0, initSeconds: doc.training?.seconds ?? 0 };
  }
  const family = config.family ?? 'mace';
  const recipe = FAMILY_RECIPES[family];
  const species = config.species ?? [...new Set(data.train.flatMap((s) => [...s.numbers]))].sort((a, b) => a - b);
  const cutoff = config.cutoff ?? 5;
  let isolatedAtomEnergies: Map<number, number> | undefined;
  if (config.isolatedAtoms) {
    const atoms = await readStructures(config.isolatedAtoms);
    isolatedAtomEnergies = new Map(atoms.filter((s) => s.numbers.length === 1 && typeof s.properties[config.energyKey ?? 'energy'] === 'number').map((s) => [s.numbers[0]!, s.properties[config.energyKey ?? 'energy'] as number]));
  }
  const normalisation = fitNormalisation(data.train, species, isolatedAtomEnergies ? { isolatedAtomEnergies } : {});
  const model = recipe.create(familyWidths(family, config.widths ?? {}), { species, cutoff, averageNeighbours: averageNeighbourCount(data.train, cutoff), seed }, normalisation);
  return { model, initRuns: [], initEpochs: 0, initSeconds: 0 };
}

/** Runs (or, with `resume`, continues) a training run; see the file comment. */
export async function runTraining(requested: TrainRunConfig, options: { signal?: AbortSignal; onEvent?: (event: TrainRunEvent) => void; resume?: boolean; sessionCommand?: string } = {}): Promise<TrainRunResult> {
  const emit = options.onEvent ?? (() => {});
  // Fine-tuning an ensemble file fine-tunes each of its members, so the run has as many.
  const initMembers = requested.init ? await energyEnsembleMemberCount(requested.init) : 0;
  if (initMembers > 0 && requested.members !== 1 && requested.members !== initMembers) {
    throw new RangeError(`--members ${requested.members}: ${requested.init} is an ensemble of ${initMembers}, and fine-tuning it fine-tunes each member (leave --members out)`);
  }
  const config: TrainRunConfig = initMembers > 0 ? { ...requested, members: initMembers } : requested;
  // Bad widths are refused before anything is read or written (no NAME.run.json for a run that cannot start).
  if (!config.init) familyWidths(config.family ?? 'mace', config.widths ?? {});
  const backend = await initNodeBackend();
  const data = await loadTrainingData(config);
  emit({ kind: 'data', records: data.records, skipped: data.skipped.length, skippedExamples: data.skipped.slice(0, 3).map(formatIssue), train: data.train.length, validation: data.validation.length, test: data.test.length, split: data.splitDescription });
  const sessions: Session[] = options.resume ? ((JSON.parse(await readFile(runFile(config.out), 'utf8')) as { sessions: Session[] }).sessions) : [];
  const session: { command: string; started: string; resumedAt?: string } = { command: options.sessionCommand ?? config.command, started: new Date().toISOString() };
  sessions.push(session);
  await mkdir(dirname(config.out), { recursive: true });
  if (!options.resume) await writeFile(runFile(config.out), JSON.stringify({ format: 'equimol-train-run', version: 1, config, sessions }, null, 2));
  const initSha = config.init ? await sha256(weightsPathFor(config.init)) : undefined;
  const members: MemberSummary[] = [];
  const predictions: Predictions[] = [];
  let stoppedBy: TrainResult['stoppedBy'] = 'max-epochs';
  let firstModelInfo: { family: string; parameters: number; config: unknown; describe: string } | undefined;
  let firstOptions: TrainOptions | undefined;
  for (let k = 0; k < config.members; k++) {
    const base = memberBase(config, k);
    const seed = config.seed + k;
    const train = config.ensemble === 'bootstrap' && config.members > 1 ? bootstrapSample(data.train, seed * 7919 + 17) : data.train;
    const { model, initRuns, initEpochs, initSeconds } = await buildModel(config, data, seed, k, initMembers > 0);
    try {
      const names = Object.keys(model.params).sort();
      const heads = headWeightNames(names);
      const freezing = config.freeze === 'trunk';
      if (freezing && heads.length === 0) throw new Error(`--freeze trunk: ${model.family} has no readout weights (names starting with readout/head)`);
      let resume: TrainState | undefined;
      if (options.resume) {
        try {
          resume = (await readResumeFile(base)).state;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      const parameters = Object.values(model.params).reduce((n, v) => n + v.size, 0);
      firstModelInfo ??= { family: model.family, parameters, config: model.config, describe: (FAMILY_RECIPES[model.family as Family]?.describe ?? (() => model.family))(model.config as Record<string, unknown>) };
      emit({ kind: 'member', member: k, members: config.members, parameters, ...(resume ? { resumedAtEpoch: resume.epochsDone } : {}), trainableTensors: freezing ? heads.length : names.length, tensors: names.length });
      const recipe = FAMILY_RECIPES[model.family as Family];
      const trainOptions: TrainOptions = {
        train, validation: data.validation, seed,
        energyWeight: config.energyWeight ?? (data.targets.some((t) => t.name === 'energy') ? 1 : 0),
        forceWeight: config.forceWeight ?? (data.targets.some((t) => t.name === 'forces') ? 10 : 0),
        batchSize: config.batchSize ?? 8,
        maxEpochs: config.epochs ?? (config.minutes ? 1_000_000 : 100),
        learningRate: config.learningRate ?? (config.init ? 1e-3 : recipe?.learningRate ?? 1e-3),
        ...(config.minLearningRate !== undefined ? { minLearningRate: config.minLearningRate } : {}),
        warmupSteps: config.warmupSteps ?? (config.init ? 10 : recipe?.warmupSteps ?? 50),
        schedule: config.schedule ?? 'cosine',
        emaDecay: config.emaDecay ?? 0.99,
        earlyStoppingPatience: config.patience ?? 50,
        gradientClipNorm: config.clipNorm ?? 10,
        ...(config.minutes ? { timeBudgetSeconds: config.minutes * 60 } : {}),
        ...(config.epochSize ? { epochSize: config.epochSize } : {}),
        ...(freezing ? { trainableWeights: heads } : {}),
        ...(freezing && config.unfreezeAfter !== undefined ? { unfreezeAfterEpochs: config.unfreezeAfter } : {}),
        energyKey: TRAINER_KEYS.energy, forcesKey: TRAINER_KEYS.forces,
        ...(resume ? { resume } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      firstOptions ??= trainOptions;
      const card = {
        title: config.card?.title ?? `${firstModelInfo.describe} trained on ${config.data.map((d) => basename(d)).join(', ')}`,
        description: config.card?.description ?? recipe?.description ?? `${model.family} energy model`,
        trainingData: config.card?.trainingData ?? config.data.join(', '),
        intendedUse: config.card?.intendedUse ?? 'Energies and forces of structures like those of the training data.',
        limitations: config.card?.limitations ?? `Knows the elements ${model.species.join(', ')} only; reliable only near the training distribution.`,
        citation: config.card?.citation ?? recipe?.citation ?? '',
      };
      const metadata = (result: { epochs: number; bestEpoch: number; seconds: number; stoppedBy?: string }) => ({
        dataset: config.data.join(', '), trainStructures: train.length, validationStructures: data.validation.length,
        epochs: initEpochs + result.epochs, bestEpoch: initEpochs + result.bestEpoch + 1, seconds: Math.round(initSeconds + result.seconds),
        runs: [...initRuns, {
          command: sessions[0]!.command, epochs: result.epochs, seconds: Math.round(result.seconds), ...(result.stoppedBy ? { stoppedBy: result.stoppedBy } : {}),
          ...(initSha ? { initWeightsSha256: initSha } : {}), budget: config.minutes ? `${config.minutes} min` : `${config.epochs ?? 100} epochs`,
          ...(sessions.length > 1 ? { resumedBy: sessions.slice(1).map((s) => `${s.command}${s.resumedAt ? ` (at ${s.resumedAt})` : ''}`) } : {}),
        }] as Array<{ epochs: number; seconds: number; command: string }>,
        backend: backend.description,
        options: { family: model.family, split: data.splitDescription, seed, member: k + 1, members: config.members, ensemble: config.ensemble, freeze: config.freeze ?? 'none', ...(config.unfreezeAfter !== undefined ? { unfreezeAfter: config.unfreezeAfter } : {}), batchSize: trainOptions.batchSize, learningRate: trainOptions.learningRate, energyWeight: trainOptions.energyWeight, forceWeight: trainOptions.forceWeight, emaDecay: trainOptions.emaDecay, parameters },
        date: new Date().toISOString(),
      });
      let result: TrainResult;
      if (resume && !canContinue(resume, { maxEpochs: trainOptions.maxEpochs!, ...(trainOptions.timeBudgetSeconds ? { timeBudgetSeconds: trainOptions.timeBudgetSeconds } : {}) })) {
        // This member ended in an earlier session: its model file holds the final weights.
        const done = await readModelFile(`${base}.model.json`);
        assignParams(model, done);
        done.dispose();
        result = { epochs: resume.epochsDone, bestEpoch: resume.bestEpoch, ...(resume.bestValidation ? { bestValidation: resume.bestValidation } : {}), history: resume.history, stoppedBy: resume.finished ?? 'max-epochs', seconds: resume.elapsedSeconds, trainStructures: train.length, validationStructures: data.validation.length };
      } else {
      if (resume && session.resumedAt === undefined) session.resumedAt = `member ${k + 1}, epoch ${resume.epochsDone}`;
      const helpers = config.threads > 1 ? await startGradientHelpers(model, { count: config.threads - 1 }) : undefined;
      try {
        result = await trainModel(model, {
          ...trainOptions,
          ...(helpers ? { helpers } : {}),
          onProgress: (p) => emit({ kind: 'progress', member: k, members: config.members, phase: p.phase, epoch: p.epoch, maxEpochs: p.maxEpochs, step: p.step, stepsPerEpoch: p.stepsPerEpoch, loss: p.loss, learningRate: p.learningRate, elapsedSeconds: p.elapsedSeconds, ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}), ...(p.validation ? { validation: p.validation } : {}), ...(p.bestEpoch !== undefined ? { bestEpoch: p.bestEpoch } : {}) }),
          onCheckpoint: async (c) => {
            await writeMemberModel(`${base}.model.json`, model, c.params, { card, training: metadata({ epochs: c.epoch + 1, bestEpoch: c.epoch, seconds: 0, stoppedBy: 'checkpoint' }) });
            emit({ kind: 'checkpoint', member: k, epoch: c.epoch, file: `${base}.model.json` });
          },
          onState: (state) => writeResumeFile(base, state, { member: k }),
        });
      } finally {
        await helpers?.close();
      }
      }
      stoppedBy = result.stoppedBy;
      const testPredictions = data.test.length > 0 ? await predictAll(model, data.test) : undefined;
      const test = testPredictions ? metricsOf(data.test, testPredictions) : undefined;
      if (testPredictions) predictions.push(testPredictions);
      const metrics = test ? [{ dataset: `test split of ${config.data.map((d) => basename(d)).join(', ')}`, structures: test.structures, energyMAE_meV: test.energyMAE_meV, energyMAE_meV_per_atom: test.energyMAE_meV_per_atom, forceMAE_meV_per_A: test.forceMAE_meV_per_A, energyRMSE_meV: test.energyRMSE_meV, forceRMSE_meV_per_A: test.forceRMSE_meV_per_A }] : undefined;
      await writeMemberModel(`${base}.model.json`, model, model.params, { card, training: metadata(result), ...(metrics ? { metrics } : {}) });
      const learningCurve = `${base}.learning-curve.svg`;
      await writeFile(learningCurve, learningCurveSvg(result.history, `${basename(base)}: learning curve`));
      members.push({ file: `${basename(base)}.model.json`, seed, epochs: initEpochs + result.epochs, bestEpoch: initEpochs + result.bestEpoch + 1, seconds: result.seconds, stoppedBy: result.stoppedBy, ...(test ? { test } : {}), ...(result.bestValidation ? { validation: result.bestValidation } : {}), history: result.history, learningCurve: basename(learningCurve) });
      emit({ kind: 'member-done', member: k, file: `${base}.model.json`, stoppedBy: result.stoppedBy, epochs: result.epochs, ...(test ? { test } : {}) });
      if (result.stoppedBy === 'cancelled') break;
    } finally {
      model.dispose();
    }
  }
  await writeFile(runFile(config.out), JSON.stringify({ format: 'equimol-train-run', version: 1, config, sessions }, null, 2));
  const mean = predictions.length === config.members && predictions.length > 0 ? meanPredictions(predictions) : undefined;
  const ensembleTest = mean ? metricsOf(data.test, mean) : undefined;
  let parity: string | undefined;
  if (mean) {
    parity = `${config.out}.parity.svg`;
    await writeFile(parity, parityOf(data.test, mean));
  }
  const cardPath = `${config.out}.md`;
  const info = firstModelInfo!;
  let ensembleFile: string | undefined;
  let ensembleCalibration: Record<string, number> | undefined;
  let ensembleNote: string | undefined;
  if (config.members > 1 && members.length === config.members && stoppedBy !== 'cancelled') {
    if (canWriteEnsembleFile(info.family)) {
      ensembleFile = `${config.out}.model.json`;
      ensembleCalibration = await writeEnsembleFile(ensembleFile, members.map((m) => join(dirname(config.out), m.file)), data.validation, {
        card: {
          title: `${info.describe}, ensemble of ${config.members} (${config.ensemble})`, description: `Ensemble of ${config.members} energy models; see ${basename(cardPath)}.`,
          trainingData: config.card?.trainingData ?? config.data.join(', '), intendedUse: config.card?.intendedUse ?? 'Energies and forces with an ensemble spread.',
          limitations: config.card?.limitations ?? 'Reliable only near the training distribution.', citation: config.card?.citation ?? FAMILY_RECIPES[info.family as Family]?.citation ?? '',
        },
      });
      ensembleNote = `one ensemble file \`${basename(ensembleFile)}\` (property-model format: mean energy and forces, calibrated spread${ensembleCalibration ? `; on validation: ${Object.entries(ensembleCalibration).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toPrecision(3) : v}`).join(', ')}` : ''})`;
    } else {
      ensembleNote = `no ensemble file: ${info.family} cannot be a property-model trunk, so the members stay separate files`;
    }
    emit({ kind: 'ensemble', ...(ensembleFile ? { file: ensembleFile } : { reason: ensembleNote }), ...(ensembleCalibration ? { calibration: ensembleCalibration } : {}) });
  }
  await writeFile(cardPath, cardMarkdown({
    title: config.card?.title ?? `${info.describe}${config.members > 1 ? `, ensemble of ${config.members}` : ''}, trained on ${config.data.map((d) => basename(d)).join(', ')}`,
    description: config.card?.description ?? FAMILY_RECIPES[info.family as Family]?.description ?? '',
    family: info.family, parameters: info.parameters, config: info.config,
    dataDescription: config.card?.trainingData ?? config.data.join(', '),
    targets: data.targets.map((t) => `${t.name} (${t.unit}, from '${t.key}')`).join(', '),
    splitDescription: data.splitDescription, records: data.records, skipped: data.skipped.length, skippedExamples: data.skipped.slice(0, 3).map(formatIssue),
    members, ...(config.members > 1 ? { ensemble: { kind: config.ensemble, ...(ensembleTest ? { test: ensembleTest } : {}), ...(ensembleNote ? { note: ensembleNote } : {}) } } : {}),
    budget: config.minutes ? `${config.minutes} min per member` : `${config.epochs ?? 100} epochs per member`,
    sessions: sessions.map((s) => `\`${s.command}\` (${s.started}${s.resumedAt ? `, resumed at ${s.resumedAt}` : ''})`),
    ...(initSha ? { initWeightsSha256: initSha } : {}),
    ...(config.init ? { init: { file: config.init, sha256: initSha!, freeze: config.freeze === 'trunk' ? `trunk frozen${config.unfreezeAfter !== undefined ? `, all weights train from epoch ${config.unfreezeAfter + 1}` : ' throughout'}` : 'all weights trained' } } : {}),
    optimiser: `Adam (flat), lr ${firstOptions?.learningRate} (warmup ${firstOptions?.warmupSteps} steps), ${firstOptions?.schedule}, EMA ${firstOptions?.emaDecay}, batch ${firstOptions?.batchSize}, loss w_E=${firstOptions?.energyWeight} (per-atom energy), w_F=${firstOptions?.forceWeight}, early stopping after ${firstOptions?.earlyStoppingPatience} epochs, gradient clip ${firstOptions?.gradientClipNorm}`,
    backend: backend.description,
    ...(parity ? { parity: basename(parity) } : {}),
    ...(config.testFiles?.length ? { check: `equimol eval ${ensembleFile ?? join(dirname(config.out), members[0]?.file ?? '')} ${config.testFiles.join(' ')} --json` } : {}),
    limitations: config.card?.limitations ?? 'Reliable only near the training distribution; elements outside the model species are refused.',
    citation: config.card?.citation ?? FAMILY_RECIPES[info.family as Family]?.citation ?? '',
  }));
  return {
    files: members.map((m) => join(dirname(config.out), m.file)), card: cardPath, stoppedBy, members, ...(ensembleTest ? { ensembleTest } : {}),
    ...(ensembleFile ? { ensembleFile } : {}), ...(ensembleCalibration ? { ensembleCalibration } : {}),
  };
}

/** Continues the run whose files start with `out` (its NAME.run.json holds the configuration). */
export async function resumeTraining(
  out: string,
  options: { signal?: AbortSignal; onEvent?: (event: TrainRunEvent) => void; command?: string; extend?: { readonly minutes?: number; readonly epochs?: number } } = {},
): Promise<TrainRunResult> {
  const run = JSON.parse(await readFile(runFile(out), 'utf8')) as { config: TrainRunConfig };
  const { command, extend, ...rest } = options;
  // A larger budget lets a run that ended on its budget go on (the schedule follows the new budget).
  const config = { ...run.config, ...(extend?.minutes ? { minutes: extend.minutes } : {}), ...(extend?.epochs ? { epochs: extend.epochs } : {}) };
  return runTraining(config, { ...rest, resume: true, ...(command ? { sessionCommand: command } : {}) });
}

/** Removes a finished run's resume files (the model files stay). */
export async function removeResumeFiles(config: Pick<TrainRunConfig, 'out' | 'members'>): Promise<void> {
  for (let k = 0; k < config.members; k++) {
    const paths = resumePaths(memberBase(config, k));
    await rm(paths.json, { force: true });
    await rm(paths.bin, { force: true });
  }
}
