/**
 * Training of a GeoBFN generator: seeded minibatches, the continuous-time loss L∞ of loss.ts, Adam with an EMA of
 * the weights (core/engine/train/flat-adam.ts), GeoBFN's gradient clipping (its `Gradient_clip` callback: clip at
 * 1.5 × mean + 2 × std of up to 3000 recent norms, the queue starting at [1]; a step whose norm exceeds
 * `maximumAllowedNorm`, GeoBFN 1e4, is skipped), a time budget and checkpoints of the EMA weights.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatAdam } from '../../engine/train/flat-adam';
import type { Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';
import { batchTensors, disposeBatchTensors } from '../edm/dynamics';
import { gaussianSource } from '../edm/molecules';
import type { GeoBfnModel } from './geobfn-model';
import { bfnLossTensor, encodeBfnData, flowBatch } from './loss';

export type WeightMap = ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;

export interface GeoBfnCheckpoint {
  readonly step: number;
  readonly seconds: number;
  /** EMA weights by parameter name (copies). */
  readonly weights: WeightMap;
  /** Mean training loss since the previous checkpoint. */
  readonly loss: number;
  readonly stoppedBy?: GeoBfnTrainResult['stoppedBy'];
}

export interface GeoBfnTrainOptions {
  readonly molecules: readonly Structure[];
  readonly seed: number;
  /** Molecules per step (GeoBFN: 64). */
  readonly batchSize?: number;
  /** Adam learning rate (GeoBFN: 1e-4 over days on a GPU; default 5e-4 for short CPU runs). */
  readonly learningRate?: number;
  /** EMA decay (GeoBFN: 0.9999; default 0.999; 0 disables). */
  readonly emaDecay?: number;
  readonly maxSteps?: number;
  readonly timeBudgetSeconds?: number;
  /** GeoBFN's adaptive clipping (default true). */
  readonly adaptiveClipping?: boolean;
  /** Skip a step whose gradient norm exceeds this (GeoBFN: 1e4). */
  readonly maximumAllowedNorm?: number;
  readonly checkpointEverySeconds?: number;
  readonly onCheckpoint?: (checkpoint: GeoBfnCheckpoint) => void | Promise<void>;
  readonly onStep?: (info: { step: number; loss: number; seconds: number; gradientNorm: number }) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface GeoBfnTrainResult {
  readonly steps: number;
  readonly seconds: number;
  readonly moleculesSeen: number;
  readonly losses: readonly number[];
  readonly stoppedBy: 'max-steps' | 'time-budget' | 'aborted';
  /** Steps refused: non-finite loss or gradient, or a norm above maximumAllowedNorm. */
  readonly skippedSteps: number;
}

/** GeoBFN's queue of recent gradient norms (max 3000, starting at [1]); threshold 1.5 mean + 2 std (population). */
class ClippingQueue {
  private readonly norms: number[] = [1];

  threshold(): number {
    const mean = this.norms.reduce((a, b) => a + b, 0) / this.norms.length;
    const variance = this.norms.reduce((a, b) => a + (b - mean) ** 2, 0) / this.norms.length;
    return 1.5 * mean + 2 * Math.sqrt(variance);
  }

  add(norm: number): void {
    this.norms.push(norm);
    if (this.norms.length > 3000) this.norms.shift();
  }
}

/** Trains `model` in place (its variables end as the latest, not the EMA, weights). */
export async function trainGeoBfn(model: GeoBfnModel, options: GeoBfnTrainOptions): Promise<GeoBfnTrainResult> {
  const { molecules } = options;
  if (molecules.length === 0) throw new Error('GeoBFN training needs at least one molecule');
  if (options.maxSteps === undefined && options.timeBudgetSeconds === undefined && !options.signal) {
    throw new Error('GeoBFN training needs a stop condition: maxSteps, timeBudgetSeconds or an AbortSignal');
  }
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 64, molecules.length));
  const learningRate = options.learningRate ?? 5e-4;
  const maximumAllowedNorm = options.maximumAllowedNorm ?? 1e4;
  const now = options.now ?? (() => performance.now() / 1000);
  const uniform = seededRandom(options.seed);
  const gaussian = gaussianSource(seededRandom(options.seed ^ 0x5bd1e995));
  const names = Object.keys(model.params).sort();
  const variables = names.map((n) => model.params[n]!);
  const optimiser = new FlatAdam(variables.map((v) => v.dataSync() as Float32Array), { emaDecay: options.emaDecay ?? 0.999 });
  const clipping = options.adaptiveClipping ?? true ? new ClippingQueue() : undefined;
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
  const checkpoint = async (step: number, loss: number, stoppedBy?: GeoBfnTrainResult['stoppedBy']) => {
    if (!options.onCheckpoint) return;
    const weights = new Map(names.map((n, k) => [n, { shape: variables[k]!.shape, values: optimiser.average[k]!.slice() }]));
    await options.onCheckpoint({ step, seconds: now() - start, weights, loss, ...(stoppedBy ? { stoppedBy } : {}) });
  };

  const losses: number[] = [];
  let step = 0;
  let skippedSteps = 0;
  let stoppedBy: GeoBfnTrainResult['stoppedBy'] = 'max-steps';
  let lastCheckpoint = start;
  let sinceCheckpoint: number[] = [];
  for (;;) {
    if (options.maxSteps !== undefined && step >= options.maxSteps) { stoppedBy = 'max-steps'; break; }
    if (options.timeBudgetSeconds !== undefined && now() - start >= options.timeBudgetSeconds) { stoppedBy = 'time-budget'; break; }
    if (options.signal?.aborted) { stoppedBy = 'aborted'; break; }
    const data = encodeBfnData(model, nextBatch().map((i) => molecules[i]!));
    const flow = flowBatch(model, data, { uniform, gaussian });
    const tensors = batchTensors(data.batch);
    let loss: number;
    let gradients: Float32Array[];
    try {
      const { value, grads } = tf.variableGrads(() => bfnLossTensor(model, model.params, tensors, flow), variables);
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
    if (step % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await checkpoint(step, sinceCheckpoint.length > 0 ? mean(sinceCheckpoint) : NaN, stoppedBy);
  return { steps: step, seconds: now() - start, moleculesSeen: step * batchSize, losses, stoppedBy, skippedSteps };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Copies EMA (or any) weights into the model's variables. */
export function assignGeoBfnWeights(model: GeoBfnModel, weights: ReadonlyMap<string, { readonly values: Float32Array }>): void {
  tf.tidy(() => {
    for (const [name, v] of Object.entries(model.params)) {
      const w = weights.get(name);
      if (!w) throw new Error(`GeoBFN weights lack '${name}'`);
      v.assign(tf.tensor(w.values, v.shape, 'float32'));
    }
  });
}
