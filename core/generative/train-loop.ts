/**
 * The training loop both generator families run (edm/train.ts, geobfn/train.ts): seeded minibatches (a fresh
 * Fisher–Yates shuffle of the molecules each epoch), the family's loss on the batch, Adam with an exponential moving
 * average of the weights (core/engine/train/flat-adam.ts), adaptive gradient clipping against a queue of recent
 * gradient norms (clip at 1.5 × mean + 2 × std), a time budget, an abort signal and a checkpoint callback that
 * receives the EMA weights. The family passes its loss and its clipping queue; everything else is shared.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatAdam } from '../engine/train/flat-adam';
import type { Structure } from '../structure/structure';
import { seededRandom } from '../util/seeded-random';
import { batchTensors, disposeBatchTensors, type BatchTensors } from './edm/dynamics';
import { gaussianSource, type MoleculeBatchHost } from './edm/molecules';

export type WeightMap = ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;

export type StoppedBy = 'max-steps' | 'time-budget' | 'aborted';

export interface GeneratorCheckpoint {
  readonly step: number;
  readonly seconds: number;
  /** EMA weights by parameter name (copies). */
  readonly weights: WeightMap;
  /** Mean training loss over the steps since the previous checkpoint. */
  readonly loss: number;
  /** Set on the final checkpoint of a run: why it stopped. */
  readonly stoppedBy?: StoppedBy;
}

export interface GeneratorTrainOptions {
  readonly molecules: readonly Structure[];
  readonly seed: number;
  /** Molecules per step (EDM and GeoBFN: 64). */
  readonly batchSize?: number;
  /** Adam learning rate (EDM and GeoBFN: 1e-4 at batch 64 over days on a GPU; default 5e-4 for short CPU runs). */
  readonly learningRate?: number;
  /** EMA decay (EDM and GeoBFN: 0.9999; default 0.999; 0 disables). */
  readonly emaDecay?: number;
  /** Stop after this many steps. */
  readonly maxSteps?: number;
  /** Stop after this many seconds of training. */
  readonly timeBudgetSeconds?: number;
  /** The family's adaptive gradient clipping (default true). */
  readonly adaptiveClipping?: boolean;
  /** Call onCheckpoint every this many seconds (and at the end). */
  readonly checkpointEverySeconds?: number;
  readonly onCheckpoint?: (checkpoint: GeneratorCheckpoint) => void | Promise<void>;
  readonly onStep?: (info: { step: number; loss: number; seconds: number; gradientNorm: number }) => void;
  readonly signal?: AbortSignal;
  /** Clock in seconds (default performance.now()/1000); tests pass a fake one. */
  readonly now?: () => number;
}

export interface GeneratorTrainResult {
  readonly steps: number;
  readonly seconds: number;
  readonly moleculesSeen: number;
  /** Loss of every step, in order. */
  readonly losses: readonly number[];
  readonly stoppedBy: StoppedBy;
  /** Steps refused: non-finite loss or gradient, or a norm above the family's maximum allowed norm. */
  readonly skippedSteps: number;
}

/** The random sources of a run: `uniform` draws the batches (and the family's times), `gaussian` its noise. */
export interface TrainingSources {
  readonly uniform: () => number;
  readonly gaussian: () => number;
}

/** What a family adds to the loop. */
export interface TrainingFamily {
  /** For error messages: 'EDM', 'GeoBFN'. */
  readonly name: string;
  /** Encodes the picked molecules (indices into options.molecules) and draws the batch's noise. */
  readonly prepareBatch: (picked: readonly number[], sources: TrainingSources) => {
    readonly batch: MoleculeBatchHost;
    /** The scalar loss on the batch's tensors, differentiated with respect to the model's variables. */
    readonly loss: (tensors: BatchTensors) => tf.Scalar;
  };
  /** A fresh clipping queue of the family's own rule (used when adaptiveClipping is on). */
  readonly clippingQueue: () => GradientNormQueue;
  /** Skip a step whose gradient norm exceeds this (default: no limit). */
  readonly maximumAllowedNorm?: number;
}

/**
 * Recent gradient norms and the clip threshold 1.5 × mean + 2 × std over them. EDM (`utils.Queue`): 50 norms, seeded
 * with 3000, sample std (0 while one norm is held); GeoBFN (`Gradient_clip`): 3000 norms, seeded with 1, population std.
 */
export class GradientNormQueue {
  private readonly norms: number[];

  constructor(private readonly rule: { readonly initial: number; readonly capacity: number; readonly std: 'sample' | 'population' }) {
    this.norms = [rule.initial];
  }

  threshold(): number {
    const n = this.norms.length;
    const mean = this.norms.reduce((a, b) => a + b, 0) / n;
    const squares = this.norms.reduce((a, b) => a + (b - mean) ** 2, 0);
    if (this.rule.std === 'population') return 1.5 * mean + 2 * Math.sqrt(squares / n);
    return 1.5 * mean + 2 * Math.sqrt(n > 1 ? squares / Math.max(1, n - 1) : 0);
  }

  add(norm: number): void {
    this.norms.push(norm);
    if (this.norms.length > this.rule.capacity) this.norms.shift();
  }
}

/** Trains `params` in place (they end as the latest, not the EMA, weights); resolves when a stop condition is met. */
export async function trainGenerator(
  params: Readonly<Record<string, tf.Variable>>, family: TrainingFamily, options: GeneratorTrainOptions,
): Promise<GeneratorTrainResult> {
  const { molecules } = options;
  if (molecules.length === 0) throw new Error(`${family.name} training needs at least one molecule`);
  if (options.maxSteps === undefined && options.timeBudgetSeconds === undefined && !options.signal) {
    throw new Error(`${family.name} training needs a stop condition: maxSteps, timeBudgetSeconds or an AbortSignal`);
  }
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 64, molecules.length));
  const learningRate = options.learningRate ?? 5e-4;
  const maximumAllowedNorm = family.maximumAllowedNorm ?? Infinity;
  const now = options.now ?? (() => performance.now() / 1000);
  const uniform = seededRandom(options.seed);
  const gaussian = gaussianSource(seededRandom(options.seed ^ 0x5bd1e995));
  const names = Object.keys(params).sort();
  const variables = names.map((n) => params[n]!);
  const optimiser = new FlatAdam(variables.map((v) => v.dataSync() as Float32Array), { emaDecay: options.emaDecay ?? 0.999 });
  const clipping = options.adaptiveClipping ?? true ? family.clippingQueue() : undefined;
  const start = now();
  let order: number[] = [];
  const nextBatch = (): number[] => {
    const out: number[] = [];
    while (out.length < batchSize) {
      if (order.length === 0) {
        order = molecules.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(uniform() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      out.push(order.pop()!);
    }
    return out;
  };
  const checkpoint = async (step: number, loss: number, stoppedBy?: StoppedBy) => {
    if (!options.onCheckpoint) return;
    const weights = new Map(names.map((n, k) => [n, { shape: variables[k]!.shape, values: optimiser.average[k]!.slice() }]));
    await options.onCheckpoint({ step, seconds: now() - start, weights, loss, ...(stoppedBy ? { stoppedBy } : {}) });
  };

  const losses: number[] = [];
  let step = 0;
  let skippedSteps = 0;
  let stoppedBy: StoppedBy = 'max-steps';
  let lastCheckpoint = start;
  let sinceCheckpoint: number[] = [];
  for (;;) {
    if (options.maxSteps !== undefined && step >= options.maxSteps) { stoppedBy = 'max-steps'; break; }
    if (options.timeBudgetSeconds !== undefined && now() - start >= options.timeBudgetSeconds) { stoppedBy = 'time-budget'; break; }
    if (options.signal?.aborted) { stoppedBy = 'aborted'; break; }
    const prepared = family.prepareBatch(nextBatch(), { uniform, gaussian });
    const tensors = batchTensors(prepared.batch);
    let loss: number;
    let gradients: Float32Array[];
    try {
      const { value, grads } = tf.variableGrads(() => prepared.loss(tensors), variables);
      loss = value.dataSync()[0]!;
      gradients = variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      disposeBatchTensors(tensors);
    }
    step++;
    let squared = 0;
    for (const g of gradients) for (let i = 0; i < g.length; i++) squared += g[i]! * g[i]!;
    const norm = Math.sqrt(squared);
    if (!Number.isFinite(loss) || !Number.isFinite(norm) || norm > maximumAllowedNorm) {
      skippedSteps++;
      continue;
    }
    if (clipping) {
      const threshold = clipping.threshold();
      if (norm > threshold) {
        const scale = threshold / norm;
        for (const g of gradients) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
      }
      clipping.add(Math.min(norm, threshold));
    }
    optimiser.step(gradients, learningRate);
    tf.tidy(() => variables.forEach((v, k) => v.assign(tf.tensor(optimiser.values[k]!, v.shape, 'float32'))));
    losses.push(loss);
    sinceCheckpoint.push(loss);
    options.onStep?.({ step, loss, seconds: now() - start, gradientNorm: norm });
    if (options.checkpointEverySeconds !== undefined && now() - lastCheckpoint >= options.checkpointEverySeconds) {
      await checkpoint(step, mean(sinceCheckpoint));
      lastCheckpoint = now();
      sinceCheckpoint = [];
    }
    if (step % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // lets an abort arrive
  }
  await checkpoint(step, sinceCheckpoint.length > 0 ? mean(sinceCheckpoint) : NaN, stoppedBy);
  return { steps: step, seconds: now() - start, moleculesSeen: step * batchSize, losses, stoppedBy, skippedSteps };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Copies EMA (or any) weights into a generator's variables; `family` names the model in the error. */
export function assignGeneratorWeights(
  params: Readonly<Record<string, tf.Variable>>, weights: ReadonlyMap<string, { readonly values: Float32Array }>, family: string,
): void {
  tf.tidy(() => {
    for (const [name, v] of Object.entries(params)) {
      const w = weights.get(name);
      if (!w) throw new Error(`${family} weights lack '${name}'`);
      v.assign(tf.tensor(w.values, v.shape, 'float32'));
    }
  });
}
