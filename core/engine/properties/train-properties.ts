/**
 * Training loop for property models (homo/lumo/gap, dipole, charges, optional energy + forces), on the same
 * machinery as core/engine/train/train.ts: Adam on flat host arrays (FlatAdam) with global-norm clipping and an EMA
 * of the weights, linear warmup then cosine decay (following the step count or the time budget, whichever is
 * further), epochs of `epochSize` structures walking a seeded shuffle, validation of the EMA weights after every
 * epoch, early stopping, a checkpoint callback with each new best EMA state, AbortSignal and progress callbacks.
 *
 * Loss: property-loss.ts (weighted per-target normalised MSE). Validation score: Σ_t w_t · MAE_t / σ_t.
 * Before training the target statistics (mean, std) are fitted on the training set unless `keepTargets` is set
 * (continuing from a file). Memory: each step runs in tf.tidy and weights are updated with assign.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';
import { FlatAdam } from '../train/flat-adam';
import { collectErrors, metricsFromErrors, type PropertyMetricValues } from './metrics';
import { fitTargetStatistics } from './outputs';
import { predictProperties } from './predict-properties';
import { checkTargets, propertyLossAndGradients, type PropertyLossWeights } from './property-loss';
import type { PropertyModel } from './property-model';

export interface PropertyTrainOptions {
  readonly train: readonly Structure[];
  readonly validation: readonly Structure[];
  readonly weights?: PropertyLossWeights;
  readonly batchSize?: number;
  /** Structures per epoch (default: the whole training set). */
  readonly epochSize?: number;
  readonly maxEpochs?: number;
  readonly learningRate?: number;
  readonly minLearningRate?: number;
  readonly warmupSteps?: number;
  /** Default 0.99. */
  readonly emaDecay?: number;
  /** Default 20 epochs. */
  readonly earlyStoppingPatience?: number;
  readonly timeBudgetSeconds?: number;
  readonly gradientClipNorm?: number;
  readonly seed?: number;
  /** Keep model.targets (continuing training) instead of fitting them on `train`. */
  readonly keepTargets?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PropertyTrainProgress) => void;
  readonly onCheckpoint?: (checkpoint: PropertyCheckpoint) => void | Promise<void>;
}

export interface PropertyTrainProgress {
  readonly phase: 'step' | 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly elapsedSeconds: number;
  readonly structuresPerSecond: number;
  readonly validation?: PropertyMetricValues;
  readonly score?: number;
  readonly bestEpoch?: number;
}

export interface PropertyCheckpoint {
  readonly epoch: number;
  readonly validation: PropertyMetricValues;
  readonly score: number;
  /** Best (EMA) weights by name; valid only during the callback. */
  readonly params: Readonly<Record<string, tf.Tensor>>;
}

export interface PropertyTrainResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValidation?: PropertyMetricValues;
  readonly history: ReadonlyArray<{ epoch: number; loss: number; learningRate: number; seconds: number; score: number; validation: PropertyMetricValues }>;
  readonly stoppedBy: 'max-epochs' | 'early-stopping' | 'time-budget' | 'cancelled';
  readonly seconds: number;
  readonly steps: number;
  readonly structuresPerSecond: number;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Validation score of `params`: Σ_t w_t · MAE_t / σ_t (dimensionless, lower is better), and the metrics. */
export async function propertyValidation(model: PropertyModel, structures: readonly Structure[], params: Readonly<Record<string, tf.Tensor>>, weights: PropertyLossWeights = {}): Promise<{ score: number; metrics: PropertyMetricValues }> {
  const predictions = await predictProperties(model, structures, { params, forces: (weights['forces'] ?? 0) > 0 });
  const errors = collectErrors(model.outputs, structures, predictions);
  let score = 0;
  for (const e of errors) {
    const w = e.name === 'forces' ? (weights['forces'] ?? 0) : (weights[e.name] ?? 1);
    if (w === 0 || e.errors.length === 0) continue;
    const sigma = e.name === 'forces' ? model.trunk.model.normalisation.scale : (model.targets[e.name]?.std ?? 1);
    score += (w * e.errors.reduce((s, v) => s + Math.abs(v), 0)) / e.errors.length / sigma;
  }
  return { score, metrics: metricsFromErrors(model.outputs, errors, structures, predictions) };
}

/** Trains `model` in place; at the end its params hold the best EMA weights. */
export async function trainPropertyModel(model: PropertyModel, options: PropertyTrainOptions): Promise<PropertyTrainResult> {
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const random = seededRandom(options.seed ?? 1);
  const weights = options.weights ?? {};
  const batchSize = options.batchSize ?? 16;
  const maxEpochs = options.maxEpochs ?? 100;
  const baseLr = options.learningRate ?? 2e-3;
  const minLr = options.minLearningRate ?? baseLr / 100;
  const warmupSteps = options.warmupSteps ?? 50;
  const patience = options.earlyStoppingPatience ?? 20;
  const trainSet = [...options.train];
  if (trainSet.length === 0) throw new Error('no training structures');
  if (options.validation.length === 0) throw new Error('no validation structures');
  checkTargets(model, trainSet, weights);
  if (!options.keepTargets) model.targets = fitTargetStatistics(trainSet, model.outputs);

  const names = Object.keys(model.params).sort();
  const variables = names.map((n) => model.params[n]!);
  const optimiser = new FlatAdam(variables.map((v) => v.dataSync() as Float32Array), {
    emaDecay: options.emaDecay ?? 0.99, ...(options.gradientClipNorm ? { clipNorm: options.gradientClipNorm } : {}),
  });
  const tensorsOf = (values: readonly Float32Array[]): Record<string, tf.Tensor> => Object.fromEntries(names.map((n, k) => [n, tf.tensor(values[k]!.slice(), variables[k]!.shape, 'float32')]));
  const assign = (values: readonly Float32Array[]) => tf.tidy(() => variables.forEach((v, k) => v.assign(tf.tensor(values[k]!.slice(), v.shape, 'float32'))));

  const epochSize = Math.max(1, Math.min(trainSet.length, Math.round(options.epochSize ?? trainSet.length)));
  const stepsPerEpoch = Math.ceil(epochSize / batchSize);
  let pass: Structure[] = [];
  const nextEpoch = (): Structure[] => {
    const out: Structure[] = [];
    while (out.length < epochSize) {
      if (pass.length === 0) pass = shuffled(trainSet, random);
      out.push(...pass.splice(0, epochSize - out.length));
    }
    return out;
  };
  const totalSteps = stepsPerEpoch * maxEpochs;
  const learningRateAt = (s: number): number => {
    if (s < warmupSteps) return (baseLr * (s + 1)) / warmupSteps;
    const byStep = (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    const byTime = options.timeBudgetSeconds ? elapsed() / options.timeBudgetSeconds : 0;
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(byStep, byTime))));
  };

  const history: Array<PropertyTrainResult['history'][number]> = [];
  let best: Float32Array[] | undefined;
  let bestScore = Infinity, bestEpoch = -1, sinceBest = 0, step = 0, seen = 0, trainSeconds = 0;
  let bestValidation: PropertyMetricValues | undefined;
  let stoppedBy: PropertyTrainResult['stoppedBy'] = 'max-epochs';
  let epoch = 0;
  for (epoch = 0; epoch < maxEpochs; epoch++) {
    const order = nextEpoch();
    let lossSum = 0, lr = learningRateAt(step), steps = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      if (options.signal?.aborted) { stoppedBy = 'cancelled'; break; }
      lr = learningRateAt(step);
      const batch = order.slice(b * batchSize, (b + 1) * batchSize);
      const ts = performance.now();
      const { loss, gradients } = propertyLossAndGradients(model, variables, batch, weights);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch + 1}, step ${b + 1} (lower the learning rate)`);
      const norm = optimiser.step(gradients, lr);
      if (!Number.isFinite(norm)) throw new Error(`training diverged: gradient norm ${norm} at epoch ${epoch + 1}, step ${b + 1}`);
      assign(optimiser.values);
      trainSeconds += (performance.now() - ts) / 1000;
      seen += batch.length;
      lossSum += loss; steps++; step++;
      options.onProgress?.({ phase: 'step', epoch, step: b + 1, stepsPerEpoch, loss, learningRate: lr, elapsedSeconds: elapsed(), structuresPerSecond: seen / trainSeconds });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (stoppedBy === 'cancelled') break;
    const averaged = tensorsOf(optimiser.average);
    let validation: { score: number; metrics: PropertyMetricValues };
    try {
      validation = await propertyValidation(model, options.validation, averaged, weights);
    } finally {
      tf.dispose(Object.values(averaged));
    }
    const meanLoss = lossSum / Math.max(1, steps);
    history.push({ epoch, loss: meanLoss, learningRate: lr, seconds: elapsed(), score: validation.score, validation: validation.metrics });
    if (validation.score < bestScore) {
      bestScore = validation.score; bestEpoch = epoch; bestValidation = validation.metrics; sinceBest = 0;
      best = optimiser.average.map((a) => a.slice());
      if (options.onCheckpoint) {
        const checkpoint = tensorsOf(best);
        try {
          await options.onCheckpoint({ epoch, validation: validation.metrics, score: validation.score, params: checkpoint });
        } finally {
          tf.dispose(Object.values(checkpoint));
        }
      }
    } else sinceBest++;
    options.onProgress?.({
      phase: 'epoch', epoch, step: stepsPerEpoch, stepsPerEpoch, loss: meanLoss, learningRate: lr, elapsedSeconds: elapsed(),
      structuresPerSecond: seen / Math.max(trainSeconds, 1e-9), validation: validation.metrics, score: validation.score, bestEpoch,
    });
    if (sinceBest >= patience) { stoppedBy = 'early-stopping'; epoch++; break; }
    if (options.timeBudgetSeconds && elapsed() >= options.timeBudgetSeconds) { stoppedBy = 'time-budget'; epoch++; break; }
  }
  assign(best ?? optimiser.average);
  return {
    epochs: epoch, bestEpoch, ...(bestValidation ? { bestValidation } : {}), history, stoppedBy,
    seconds: elapsed(), steps: step, structuresPerSecond: seen / Math.max(trainSeconds, 1e-9),
  };
}
