/**
 * The compute host's Trainer (core/session/jobs/train-job-kind.ts): a train job's structures are written to
 * MODELS/NAME.data.extxyz (the run's data, kept beside the model for its card and `equimol train --resume`), then
 * `runTraining` runs with the job's AbortSignal and writes MODELS/NAME.model.json, the card NAME.md, learning
 * curves and the parity plot. Its plain-data events become the job's TrainJobStatus (epoch, loss, learning rate,
 * validation errors, ETA, the learning curve). Cancelling keeps the best checkpoint (runTraining writes it at
 * every improving epoch), so a cancelled run still leaves a loadable model. `onModelWritten` tells the session to
 * list the new file as `model:NAME`.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainFamily, TrainJobStatus, TrainSize, TrainTestMetrics } from '../../core/contract/equimol-api';
import { createExtxyzWriter } from '../../core/formats/xyz/writer';
import type { Trainer, TrainerOutcome, TrainerRun } from '../../core/session/jobs/train-job-kind';
import { MODEL_NAME_PREFIX, modelFilePathOf } from '../models/model-files';
import { energyEnsembleMemberCount } from './ensemble-members';
import type { TrainRunConfig, TrainRunEvent } from './train-runner';

/** Widths of each size preset ('standard': the family's defaults, family-recipes.ts). */
export const SIZE_PRESETS: Readonly<Record<TrainFamily, Readonly<Record<Exclude<TrainSize, 'standard'>, Readonly<Record<string, number>>>>>> = {
  mace: { tiny: { channels: 8, lmax: 1, 'sh-lmax': 2, interactions: 1, correlation: 2 }, small: { channels: 16, lmax: 1, 'sh-lmax': 2, interactions: 2, correlation: 2 } },
  tdn: { tiny: { channels: 8, lmax: 1, 'sh-lmax': 2, interactions: 1, correlation: 2 }, small: { channels: 16, lmax: 1, 'sh-lmax': 2, interactions: 2, correlation: 2 } },
  escn: { tiny: { channels: 8, lmax: 1, 'sh-lmax': 2, interactions: 1, correlation: 2 }, small: { channels: 16, lmax: 1, 'sh-lmax': 2, interactions: 2, correlation: 2 } },
  egnn: { tiny: { features: 16, layers: 2 }, small: { features: 32, layers: 3 } },
  faenet: { tiny: { hidden: 16, interactions: 1 }, small: { hidden: 32, interactions: 2 } },
};

export interface TrainJobHostOptions {
  /** The user's models folder: NAME.model.json and its files are written here. */
  readonly modelsDir: string;
  /** Folders whose `*.model.json` files a fine-tuning `init: 'model:NAME'` may name (default: the shipped ones, then modelsDir). */
  readonly initModelDirs?: readonly (string | undefined)[];
  /** Called with the model file once a run has written it (done or cancelled with a checkpoint). */
  readonly onModelWritten?: (path: string) => void | Promise<void>;
  /** Gradient threads (default 1: training shares the machine with the app). */
  readonly threads?: number;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** The model file a fine-tuning `init` names (model:NAME in the shipped or the user's models). */
async function initPathOf(init: string, dirs: readonly (string | undefined)[]): Promise<string> {
  if (!init.startsWith(MODEL_NAME_PREFIX)) throw new RangeError(`request.init: '${init.slice(0, 64)}' is not a model id (model:NAME)`);
  let firstError: unknown;
  for (const dir of dirs) {
    try {
      return await modelFilePathOf(init, dir);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw new RangeError(`request.init: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
}

const nanIfUndefined = (x: number | undefined): number => (x === undefined ? Number.NaN : x);

/** The run configuration of a train job (no I/O). */
export function trainConfigOfJob(run: Pick<TrainerRun, 'request' | 'dataNames'>, dataPath: string, out: string, initPath: string | undefined, threads: number): TrainRunConfig {
  const r = run.request;
  const family = r.family ?? 'mace';
  const size = r.size ?? 'small';
  return {
    data: [dataPath], out, command: `app train job: ${JSON.stringify(r)}`,
    targets: r.targets ?? ['energy:eV', 'forces:eV/Å'],
    ...(r.energyKey ? { energyKey: r.energyKey } : {}), ...(r.forcesKey ? { forcesKey: r.forcesKey } : {}),
    split: r.split ?? 'random', validation: r.validation ?? 0.1, test: r.test ?? 0.1, splitSeed: r.seed ?? 1, seed: r.seed ?? 1,
    ...(initPath
      ? {
          init: initPath, ...(r.freezeTrunk ? { freeze: 'trunk' as const } : {}), ...(r.unfreezeAfter !== undefined ? { unfreezeAfter: r.unfreezeAfter } : {}),
          ...(r.refitReferenceEnergies ? { refitReferenceEnergies: true } : {}),
        }
      : { family, widths: size === 'standard' ? {} : SIZE_PRESETS[family][size] }),
    ...(r.epochs !== undefined ? { epochs: r.epochs } : {}), ...(r.minutes !== undefined ? { minutes: r.minutes } : {}),
    ...(r.batchSize !== undefined ? { batchSize: r.batchSize } : {}), ...(r.learningRate !== undefined ? { learningRate: r.learningRate } : {}),
    members: r.members ?? 1, ensemble: 'seeds', threads,
    card: { trainingData: `${run.dataNames.join(', ')} (copied to ${dataPath.split(/[\\/]/).pop()})` },
  };
}

/** Folds runTraining's events into the job's status (the curve grows by one point per finished epoch). */
export function createStatusFolder(members: number): { readonly status: () => TrainJobStatus; fold(event: TrainRunEvent): TrainJobStatus | undefined } {
  let status: TrainJobStatus = { stage: 'reading', member: 0, members, epoch: 0, maxEpochs: 0, step: 0, stepsPerEpoch: 0, loss: Number.NaN, learningRate: 0, curve: [] };
  return {
    status: () => status,
    fold(e) {
      if (e.kind === 'data') {
        status = { ...status, data: { train: e.train, validation: e.validation, test: e.test, skipped: e.skipped, split: e.split } };
      } else if (e.kind === 'member') {
        status = { ...status, stage: 'training', member: e.member, epoch: e.resumedAtEpoch ?? 0, step: 0 };
      } else if (e.kind === 'progress') {
        const { bestEpoch: _b, etaSeconds: _e, ...rest } = status;
        status = {
          ...rest, stage: 'training', member: e.member, epoch: e.epoch, maxEpochs: e.maxEpochs, step: e.phase === 'epoch' ? e.stepsPerEpoch : e.step,
          stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, learningRate: e.learningRate,
          ...(e.etaSeconds !== undefined ? { etaSeconds: e.etaSeconds } : {}), ...(e.bestEpoch !== undefined ? { bestEpoch: e.bestEpoch } : {}),
        };
        if (e.phase === 'epoch') {
          status = { ...status, curve: [...status.curve, {
            member: e.member, epoch: e.epoch, loss: e.loss, learningRate: e.learningRate,
            validationEnergy: nanIfUndefined(e.validation?.energyMAE_meV_per_atom), validationForces: nanIfUndefined(e.validation?.forceMAE_meV_per_A),
          }] };
        }
      } else if (e.kind === 'member-done') {
        status = { ...status, stage: 'testing' };
      } else {
        return undefined;
      }
      return status;
    },
  };
}

export function createTrainJobHost(options: TrainJobHostOptions): Trainer {
  const modelsDir = options.modelsDir;
  const initDirs = options.initModelDirs ?? [undefined, modelsDir];
  return {
    async check(request) {
      const file = join(modelsDir, `${request.name}.model.json`);
      if (await exists(file)) throw new RangeError(`request.name: a model '${request.name}' already exists (${file}); choose another name`);
      const initMembers = request.init !== undefined ? await energyEnsembleMemberCount(await initPathOf(request.init, initDirs)) : 0;
      if (initMembers > 0 && request.members !== undefined && request.members !== 1 && request.members !== initMembers) {
        throw new RangeError(`request.members: ${request.init} is an ensemble of ${initMembers}, and fine-tuning it fine-tunes each member (leave members out)`);
      }
      return { members: initMembers > 0 ? initMembers : (request.members ?? 1) };
    },
    async train(run): Promise<TrainerOutcome> {
      const { request } = run;
      await mkdir(modelsDir, { recursive: true });
      const out = join(modelsDir, request.name);
      const dataPath = `${out}.data.extxyz`;
      const writer = createExtxyzWriter();
      await writeFile(dataPath, (writer.begin?.() ?? '') + run.structures.map((s, i) => writer.write(s, i)).join('') + (writer.end?.() ?? ''));
      const initPath = request.init !== undefined ? await initPathOf(request.init, initDirs) : undefined;
      const initMembers = initPath !== undefined ? await energyEnsembleMemberCount(initPath) : 0;
      const config = { ...trainConfigOfJob(run, dataPath, out, initPath, options.threads ?? 1), ...(initMembers > 0 ? { members: initMembers } : {}) };
      const folder = createStatusFolder(config.members);
      const { runTraining } = await import('./train-runner');
      let checkpoint: string | undefined;
      const result = await runTraining(config, {
        signal: run.signal,
        onEvent: (event) => {
          if (event.kind === 'checkpoint') checkpoint = event.file;
          const status = folder.fold(event);
          if (status) run.onStatus(status);
        },
      });
      const modelFile = result.ensembleFile ?? result.files[0] ?? checkpoint;
      if (!modelFile) throw new Error(`training ${request.name} stopped before its first checkpoint: no model was written`);
      await options.onModelWritten?.(modelFile);
      const parityPath = `${out}.parity.svg`;
      const paritySvg = (await exists(parityPath)) ? await readFile(parityPath, 'utf8') : undefined;
      const best = result.ensembleTest ?? result.members[0]?.test;
      const test: TrainTestMetrics | undefined = best
        ? { structures: best.structures, energyMAE_meV_per_atom: best.energyMAE_meV_per_atom, energyMAE_meV: best.energyMAE_meV, forceMAE_meV_per_A: best.forceMAE_meV_per_A }
        : undefined;
      const status: TrainJobStatus = {
        ...folder.status(), stage: 'done',
        result: {
          modelId: `${MODEL_NAME_PREFIX}${request.name}`, files: [...(result.ensembleFile ? [result.ensembleFile] : []), ...result.files, result.card],
          stoppedBy: result.stoppedBy, ...(test ? { test } : {}), ...(paritySvg ? { paritySvg } : {}),
        },
      };
      run.onStatus(status);
      return {
        status,
        members: result.members.map((m) => ({
          file: m.file, epochs: m.epochs, stoppedBy: m.stoppedBy,
          ...(m.test ? { test: { energyMAE_meV_per_atom: m.test.energyMAE_meV_per_atom, forceMAE_meV_per_A: m.test.forceMAE_meV_per_A, structures: m.test.structures } } : {}),
        })),
      };
    },
  };
}
