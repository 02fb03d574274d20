/**
 * Training loop for any EnergyModel on energies and forces.
 *
 * Loss per batch (batch-loss.ts): L = w_E · mean_g ((E_g - E_g^ref) / N_g)² + w_F · mean_{i,α} (F_iα - F_iα^ref)²
 * (eV², (eV/Å)²) with forces from the shared energyAndForces (so the force term differentiates a gradient: second
 * order, exact thanks to core/engine/backend/second-order-gradients). Optional helper threads compute parts of it.
 * Optimiser: Adam on flat host arrays (flat-adam.ts; learning rate set per step), optional global-norm
 * gradient clipping, learning rate linear warmup then cosine decay (or reduce-on-plateau), EMA of weights used
 * for validation and kept as the result, early stopping on the validation score, best-EMA checkpoints.
 * Seeded (split, shuffling); cancellable through an AbortSignal; progress callbacks after every step/epoch.
 * Fine-tuning: `trainableWeights` restricts the optimiser to weights named by prefix (e.g. the readout heads, see
 * headWeightNames in train-state.ts), `unfreezeAfterEpochs` then trains all of them (staged unfreezing).
 * Resume: `onState` receives the whole run state after every epoch and `resume` continues from one, exactly (or,
 * for a run that ended on its budget, goes on under a larger one).
 * Memory: each step runs in tf.tidy, weights are updated with assign, optimiser state lives in host memory, so
 * tf.memory().numTensors stays flat.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import type { EnergyModel } from '../model';
import { evaluateModel, referenceEnergy, referenceForces, type EvaluationResult } from '../eval';
import { assignWeights, batchLossAndGradients, countsOf, sumLossAndGradients, weightNames, type BatchCounts, type LossAndGradients, type LossWeights } from './batch-loss';
import { seededRandom } from '../../util/seeded-random';
import { FlatAdam } from './flat-adam';
import { canContinue, countingRandom, type TrainHistoryEntry, type TrainState } from './train-state';

export interface TrainOptions {
  readonly train: readonly Structure[];
  /** Held-out structures; when absent, `validationFraction` of `train` is split off (seeded). */
  readonly validation?: readonly Structure[];
  readonly validationFraction?: number;
  /** Weight of the per-atom energy MSE (eV²). Default 1. */
  readonly energyWeight?: number;
  /** Weight of the force-component MSE ((eV/Å)²). Default 10; 0 trains on energies only (no second order). */
  readonly forceWeight?: number;
  readonly batchSize?: number;
  /**
   * Structures per epoch (validation and checkpoints follow every epoch). Default: the whole training set. Smaller
   * values walk a seeded shuffle of the training set in consecutive slices (reshuffled after each full pass), so a
   * large dataset gets frequent validation and checkpoints without skipping any structure.
   */
  readonly epochSize?: number;
  readonly maxEpochs?: number;
  readonly learningRate?: number;
  readonly minLearningRate?: number;
  readonly warmupSteps?: number;
  readonly schedule?: 'cosine' | 'plateau';
  /** Plateau schedule: epochs without improvement before lr *= plateauFactor. */
  readonly plateauPatience?: number;
  readonly plateauFactor?: number;
  /** EMA decay per step (0 disables EMA). Default 0.99. */
  readonly emaDecay?: number;
  /** Stop when the validation score has not improved for this many epochs. Default 20. */
  readonly earlyStoppingPatience?: number;
  /** Wall-clock budget: training stops after the epoch that exceeds it; cosine decay follows it too. */
  readonly timeBudgetSeconds?: number;
  /** Clip gradients to this global norm (0/undefined: no clipping). */
  readonly gradientClipNorm?: number;
  readonly seed?: number;
  readonly energyKey?: string;
  readonly forcesKey?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrainProgress) => void;
  /**
   * Other threads that each compute the loss and gradients of one part of every batch (main/train/gradient-helpers.ts):
   * the batch is split into count + 1 parts and this thread computes the first. The step is the same as without them.
   */
  readonly helpers?: GradientHelpers;
  /** Called with each new best (EMA) state; the model's params hold nothing special at that moment. */
  readonly onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>;
  /**
   * Train only the weights whose names start with one of these prefixes (the others stay frozen: no gradient, no
   * optimiser step, no EMA change). Default: all weights.
   */
  readonly trainableWeights?: readonly string[];
  /** Staged unfreezing: from this epoch (0-based count of epochs done) on, every weight trains. */
  readonly unfreezeAfterEpochs?: number;
  /** Called after every epoch with the state that `resume` accepts (copies; the caller may keep them). */
  readonly onState?: (state: TrainState) => void | Promise<void>;
  /** Continue a run from its state after an epoch: the same data and options give the same result as one run. */
  readonly resume?: TrainState;
}

/** Loss and gradients of parts of a batch, computed elsewhere at given weights. */
export interface GradientHelpers {
  readonly count: number;
  /**
   * Loss (with the trainer's `loss` weights and reference keys) and gradients of `part` at `weights` (the trainer's
   * weight tensors in sorted-name order), normalised by the whole batch's `counts`. Must copy `weights` before it
   * returns: the trainer updates them once all parts are in.
   */
  lossAndGradients(helper: number, part: readonly Structure[], weights: readonly Float32Array[], counts: BatchCounts, loss: LossWeights): Promise<LossAndGradients>;
}

export interface TrainProgress {
  readonly phase: 'step' | 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly maxEpochs: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly elapsedSeconds: number;
  readonly validation?: EvaluationResult;
  readonly bestEpoch?: number;
  /** Estimated seconds to the end of the run (epoch or time budget, whichever comes first). */
  readonly etaSeconds?: number;
  /** Weight tensors being trained / frozen at this step. */
  readonly trainableTensors: number;
  readonly frozenTensors: number;
}

export interface TrainCheckpoint {
  readonly epoch: number;
  readonly validation: EvaluationResult;
  /** Best weights (EMA), by parameter name; valid only during the callback. */
  readonly params: Readonly<Record<string, tf.Tensor>>;
}

export interface TrainResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValidation?: EvaluationResult;
  readonly history: readonly TrainHistoryEntry[];
  readonly stoppedBy: 'max-epochs' | 'early-stopping' | 'time-budget' | 'cancelled';
  readonly seconds: number;
  readonly trainStructures: number;
  readonly validationStructures: number;
}

/** `batch` cut into at most `n` contiguous, near-equal, non-empty parts. */
export function splitBatch<T>(batch: readonly T[], n: number): T[][] {
  const parts: T[][] = [];
  const count = Math.max(1, Math.min(n, batch.length));
  for (let k = 0; k < count; k++) parts.push(batch.slice(Math.round((k * batch.length) / count), Math.round(((k + 1) * batch.length) / count)));
  return parts;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Validation score (lower is better): energy MAE per atom and force MAE, weighted like the loss terms. */
export function validationScore(v: EvaluationResult, energyWeight: number, forceWeight: number): number {
  const e = Number.isNaN(v.energyMAE_meV_per_atom) ? 0 : Math.sqrt(energyWeight) * v.energyMAE_meV_per_atom;
  const f = Number.isNaN(v.forceMAE_meV_per_A) || forceWeight === 0 ? 0 : Math.sqrt(forceWeight) * v.forceMAE_meV_per_A;
  return e + f;
}

/** Trains `model` in place; at the end its params hold the best EMA weights. */
export async function trainModel(model: EnergyModel, options: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const resume = options.resume;
  const elapsed = () => (resume?.elapsedSeconds ?? 0) + (performance.now() - t0) / 1000;
  const seed = options.seed ?? 1;
  const generator = countingRandom(seededRandom(seed));
  const random = generator.next;
  const energyWeight = options.energyWeight ?? 1;
  const forceWeight = options.forceWeight ?? 10;
  const batchSize = options.batchSize ?? 8;
  const maxEpochs = options.maxEpochs ?? 100;
  const baseLr = options.learningRate ?? 1e-3;
  const minLr = options.minLearningRate ?? baseLr / 100;
  const warmupSteps = options.warmupSteps ?? 50;
  const emaDecay = options.emaDecay ?? 0.99;
  const patience = options.earlyStoppingPatience ?? 20;
  const schedule = options.schedule ?? 'cosine';
  let trainSet = [...options.train];
  let validationSet = options.validation ? [...options.validation] : [];
  if (!options.validation) {
    const order = shuffled(trainSet, random);
    const nValidation = Math.max(1, Math.round((options.validationFraction ?? 0.1) * order.length));
    validationSet = order.slice(0, nValidation);
    trainSet = order.slice(nValidation);
  }
  if (trainSet.length === 0) throw new Error('no training structures');
  for (const st of trainSet) {
    if (referenceEnergy(st, options.energyKey) === undefined && energyWeight > 0) throw new Error(`training structure '${st.name}' has no energy`);
    if (forceWeight > 0 && !referenceForces(st, options.forcesKey)) throw new Error(`training structure '${st.name}' has no forces (set forceWeight 0 to train on energies only)`);
  }
  const names = weightNames(model);
  const variables = names.map((n) => model.params[n]!);
  for (const v of variables) if (v.dtype !== 'float32') throw new Error(`weight '${v.name}' is ${v.dtype}: training needs float32 weights`);
  const optimiser = new FlatAdam(variables.map((v) => v.dataSync() as Float32Array), {
    beta1: 0.9, beta2: 0.999, epsilon: 1e-8, emaDecay, ...(options.gradientClipNorm ? { clipNorm: options.gradientClipNorm } : {}),
  });
  /** Tensors of the EMA weights (for validation and checkpoints); the caller disposes them. */
  const averageTensors = (values: readonly Float32Array[]): tf.Tensor[] => values.map((a, k) => tf.tensor(a.slice(), variables[k]!.shape, 'float32'));
  let best: Float32Array[] | undefined;
  const prefixes = options.trainableWeights;
  const frozenAtStart = names.map((n) => prefixes !== undefined && !prefixes.some((p) => n.startsWith(p)));
  if (frozenAtStart.every((f) => f)) throw new Error(`no weight name starts with ${prefixes!.map((p) => `'${p}'`).join(', ')}: nothing to train (weights: ${names.slice(0, 5).join(', ')}, ...)`);
  let frozen = frozenAtStart;
  const epochSize = Math.max(1, Math.min(trainSet.length, Math.round(options.epochSize ?? trainSet.length)));
  const stepsPerEpoch = Math.ceil(epochSize / batchSize);
  let pass: number[] = [];
  const trainIndices = trainSet.map((_, i) => i);
  /** The next epoch's structures: consecutive slices of a seeded shuffle, reshuffled after every full pass. */
  const nextEpoch = (): Structure[] => {
    const out: number[] = [];
    while (out.length < epochSize) {
      if (pass.length === 0) pass = shuffled(trainIndices, random);
      out.push(...pass.splice(0, epochSize - out.length));
    }
    return out.map((i) => trainSet[i]!);
  };
  const totalSteps = stepsPerEpoch * maxEpochs;
  let step = 0;
  let plateauLr = baseLr;
  const learningRateAt = (s: number): number => {
    if (s < warmupSteps) return (baseLr * (s + 1)) / warmupSteps;
    if (schedule === 'plateau') return plateauLr;
    const byStep = (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    const byTime = options.timeBudgetSeconds ? elapsed() / options.timeBudgetSeconds : 0;
    const progress = Math.min(1, Math.max(byStep, byTime));
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
  const history: TrainHistoryEntry[] = [];
  let bestScore = Infinity;
  let bestEpoch = -1;
  let bestValidation: EvaluationResult | undefined;
  let stoppedBy: TrainResult['stoppedBy'] = 'max-epochs';
  let sinceBest = 0;

  const referenceKeys = { ...(options.energyKey ? { energyKey: options.energyKey } : {}), ...(options.forcesKey ? { forcesKey: options.forcesKey } : {}) };
  const lossWeights: LossWeights = { energyWeight, forceWeight, ...referenceKeys };
  const helpers = options.helpers;
  /** One optimiser step on `batch`; returns the batch loss (non-finite: diverged, weights unchanged). */
  const trainStep = async (batch: readonly Structure[], lr: number): Promise<number> => {
    const counts = countsOf(batch);
    const [own, ...others] = splitBatch(batch, 1 + (helpers?.count ?? 0));
    // Helpers copy the weights when asked, before this thread computes its own part.
    const pending = others.map((part, h) => helpers!.lossAndGradients(h, part, optimiser.values, counts, lossWeights));
    // Gradients of the trainable weights only; frozen ones stay undefined (and the optimiser skips them).
    const trainable = variables.filter((_, k) => !frozen[k]);
    const ownPart = batchLossAndGradients(model, trainable, own!, lossWeights, counts);
    let next = 0;
    const ownGradients = variables.map((_, k) => (frozen[k] ? undefined : ownPart.gradients[next++]));
    const parts = [{ loss: ownPart.loss, gradients: ownGradients }, ...(await Promise.all(pending)).map((p) => ({ loss: p.loss, gradients: p.gradients.map((g, k) => (frozen[k] ? undefined : g)) }))];
    const { loss, gradients } = sumLossAndGradients(parts);
    if (!Number.isFinite(loss)) return loss;
    const gradientNorm = optimiser.step(gradients, lr, frozen);
    if (!Number.isFinite(gradientNorm)) return gradientNorm;
    assignWeights(variables, optimiser.values);
    return loss;
  };

  let startEpoch = 0;
  if (resume) {
    if (resume.weightNames.join('\n') !== names.join('\n')) throw new Error('resume state: the model has other weights than the run that wrote it');
    if (resume.trainStructures !== trainSet.length || resume.validationStructures !== validationSet.length) {
      throw new Error(`resume state: ${resume.trainStructures} training / ${resume.validationStructures} validation structures, now ${trainSet.length} / ${validationSet.length}`);
    }
    if (!canContinue(resume, { maxEpochs, ...(options.timeBudgetSeconds ? { timeBudgetSeconds: options.timeBudgetSeconds } : {}) })) {
      throw new Error(`resume state: the run already ended (${resume.finished ?? 'max-epochs'} after ${resume.epochsDone} epochs, ${Math.round(resume.elapsedSeconds)} s); give it a larger budget to go on`);
    }
    optimiser.restoreState(resume.optimiser);
    assignWeights(variables, optimiser.values);
    generator.skipTo(resume.randomDraws);
    pass = [...resume.pass];
    step = resume.step;
    plateauLr = resume.plateauLearningRate;
    bestScore = resume.bestScore ?? Infinity;
    bestEpoch = resume.bestEpoch;
    bestValidation = resume.bestValidation;
    sinceBest = resume.sinceBest;
    history.push(...resume.history);
    best = resume.best?.map((a) => a.slice());
    startEpoch = resume.epochsDone;
  }
  const runState = (epochsDone: number, finished?: TrainState['finished']): TrainState => ({
    version: 1, weightNames: names, trainStructures: trainSet.length, validationStructures: validationSet.length,
    epochsDone, step, randomDraws: generator.draws(), pass: [...pass], plateauLearningRate: plateauLr,
    bestScore: Number.isFinite(bestScore) ? bestScore : null, bestEpoch, ...(bestValidation ? { bestValidation } : {}), sinceBest,
    history: [...history], elapsedSeconds: elapsed(), optimiser: optimiser.exportState(), ...(best ? { best: best.map((a) => a.slice()) } : {}),
    ...(finished ? { finished } : {}),
  });
  const stepsAtStart = step;
  const t1 = performance.now();
  /** Seconds to the end: the remaining steps at this session's pace, capped by the time budget. */
  const eta = (): number | undefined => {
    const done = step - stepsAtStart;
    if (done === 0) return undefined;
    const bySteps = (((performance.now() - t1) / 1000) / done) * Math.max(0, totalSteps - step);
    return options.timeBudgetSeconds ? Math.min(bySteps, Math.max(0, options.timeBudgetSeconds - elapsed())) : bySteps;
  };
  const tensorCounts = () => {
    const nFrozen = frozen.filter((f) => f).length;
    return { trainableTensors: frozen.length - nFrozen, frozenTensors: nFrozen };
  };

  let epoch = 0;
  for (epoch = startEpoch; epoch < maxEpochs; epoch++) {
    if (options.unfreezeAfterEpochs !== undefined && epoch >= options.unfreezeAfterEpochs) frozen = names.map(() => false);
    const order = nextEpoch();
    let lossSum = 0;
    let lr = learningRateAt(step);
    for (let b = 0; b < stepsPerEpoch; b++) {
      if (options.signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      lr = learningRateAt(step);
      const loss = await trainStep(order.slice(b * batchSize, (b + 1) * batchSize), lr);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch + 1}, step ${b + 1} (lower the learning rate)`);
      lossSum += loss;
      step++;
      const etaSeconds = eta();
      options.onProgress?.({ phase: 'step', epoch, step: b + 1, stepsPerEpoch, maxEpochs, loss, learningRate: lr, elapsedSeconds: elapsed(), ...(etaSeconds !== undefined ? { etaSeconds } : {}), ...tensorCounts() });
      await new Promise((resolve) => setTimeout(resolve, 0)); // let cancellation and progress through
    }
    if (stoppedBy === 'cancelled') break;
    const averaged = averageTensors(optimiser.average);
    let validation: EvaluationResult;
    try {
      validation = await evaluateModel(model, validationSet, {
        params: Object.fromEntries(names.map((n, k) => [n, averaged[k]!])),
        ...referenceKeys,
      });
    } finally {
      tf.dispose(averaged);
    }
    const score = validationScore(validation, energyWeight, forceWeight);
    const meanLoss = lossSum / stepsPerEpoch;
    history.push({ epoch, loss: meanLoss, learningRate: lr, validation, seconds: elapsed() });
    if (score < bestScore) {
      bestScore = score;
      bestEpoch = epoch;
      bestValidation = validation;
      sinceBest = 0;
      best = optimiser.average.map((a) => a.slice());
      if (options.onCheckpoint) {
        const checkpoint = averageTensors(best);
        try {
          await options.onCheckpoint({ epoch, validation, params: Object.fromEntries(names.map((n, k) => [n, checkpoint[k]!])) });
        } finally {
          tf.dispose(checkpoint);
        }
      }
    } else {
      sinceBest++;
      if (schedule === 'plateau' && sinceBest % (options.plateauPatience ?? 5) === 0) {
        plateauLr = Math.max(minLr, plateauLr * (options.plateauFactor ?? 0.5));
      }
    }
    const etaSeconds = eta();
    options.onProgress?.({ phase: 'epoch', epoch, step: stepsPerEpoch, stepsPerEpoch, maxEpochs, loss: meanLoss, learningRate: lr, elapsedSeconds: elapsed(), validation, bestEpoch, ...(etaSeconds !== undefined ? { etaSeconds } : {}), ...tensorCounts() });
    let finished: TrainState['finished'];
    if (sinceBest >= patience) finished = 'early-stopping';
    else if (options.timeBudgetSeconds && elapsed() >= options.timeBudgetSeconds) finished = 'time-budget';
    else if (epoch + 1 >= maxEpochs) finished = 'max-epochs';
    await options.onState?.(runState(epoch + 1, finished));
    if (finished && finished !== 'max-epochs') {
      stoppedBy = finished;
      epoch++;
      break;
    }
  }
  // Keep the best EMA weights (or the current EMA when no epoch completed).
  assignWeights(variables, best ?? optimiser.average);
  return {
    epochs: epoch,
    bestEpoch,
    ...(bestValidation ? { bestValidation } : {}),
    history,
    stoppedBy,
    seconds: elapsed(),
    trainStructures: trainSet.length,
    validationStructures: validationSet.length,
  };
}
