/**
 * Training of an EDM generator: seeded minibatches of the training molecules, the L2 ε-objective of
 * diffusion.ts, Adam with an exponential moving average of the weights (core/engine/train/flat-adam.ts), EDM's
 * adaptive gradient clipping (clip at 1.5 × mean + 2 × std of the recent gradient norms, EDM `gradient_clipping`),
 * a time budget and a checkpoint callback that receives the EMA weights.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatAdam } from '../../engine/train/flat-adam';
import type { Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';
import { lossTensor, noiseBatch } from './diffusion';
import { batchTensors, disposeBatchTensors } from './dynamics';
import { contextValue, type EdmModel } from './edm-model';
import { encodeMolecules, gaussianSource } from './molecules';

export interface EdmCheckpoint {
  readonly step: number;
  readonly seconds: number;
  /** EMA weights by parameter name (copies). */
  readonly weights: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;
  /** Mean training loss over the steps since the previous checkpoint. */
  readonly loss: number;
  /** Set on the final checkpoint of a run: why it stopped. */
  readonly stoppedBy?: EdmTrainResult['stoppedBy'];
}

export interface EdmTrainOptions {
  readonly molecules: readonly Structure[];
  readonly seed: number;
  /** Molecules per step (EDM: 64). */
  readonly batchSize?: number;
  /** Adam learning rate (EDM: 1e-4 at batch 64 over days; larger for short CPU runs). */
  readonly learningRate?: number;
  /** EMA decay (EDM: 0.9999; 0 disables). */
  readonly emaDecay?: number;
  /** Stop after this many steps. */
  readonly maxSteps?: number;
  /** Stop after this many seconds of training. */
  readonly timeBudgetSeconds?: number;
  /** EDM's adaptive gradient clipping (default true). */
  readonly adaptiveClipping?: boolean;
  /** Call onCheckpoint every this many seconds (and at the end). */
  readonly checkpointEverySeconds?: number;
  readonly onCheckpoint?: (checkpoint: EdmCheckpoint) => void | Promise<void>;
  readonly onStep?: (info: { step: number; loss: number; seconds: number; gradientNorm: number }) => void;
  readonly signal?: AbortSignal;
  /** Clock in seconds (default performance.now()/1000); tests pass a fake one. */
  readonly now?: () => number;
}

export interface EdmTrainResult {
  readonly steps: number;
  readonly seconds: number;
  readonly moleculesSeen: number;
  /** Loss of every step, in order. */
  readonly losses: readonly number[];
  readonly stoppedBy: 'max-steps' | 'time-budget' | 'aborted';
  /** Steps refused because the loss or gradient was not finite. */
  readonly skippedSteps: number;
}

/** Adaptive clipping state of EDM (utils.Queue of 50 norms, seeded with 3000). */
class GradientNormQueue {
  private readonly norms: number[] = [3000];

  threshold(): number {
    const mean = this.norms.reduce((a, b) => a + b, 0) / this.norms.length;
    const variance = this.norms.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, this.norms.length - 1);
    return 1.5 * mean + 2 * Math.sqrt(this.norms.length > 1 ? variance : 0);
  }

  add(norm: number): void {
    this.norms.push(norm);
    if (this.norms.length > 50) this.norms.shift();
  }
}

/** Trains `model` in place (its variables end as the latest, not the EMA, weights); resolves when a stop condition is met. */
export async function trainEdm(model: EdmModel, options: EdmTrainOptions): Promise<EdmTrainResult> {
  const { molecules } = options;
  if (molecules.length === 0) throw new Error('EDM training needs at least one molecule');
  if (options.maxSteps === undefined && options.timeBudgetSeconds === undefined && !options.signal) {
    throw new Error('EDM training needs a stop condition: maxSteps, timeBudgetSeconds or an AbortSignal');
  }
  const spec = model.config.context;
  const contexts = spec ? molecules.map((m, i) => model.normaliseContext(contextValue(m, spec.property, i))) : undefined;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 64, molecules.length));
  const learningRate = options.learningRate ?? 5e-4;
  const now = options.now ?? (() => performance.now() / 1000);
  const uniform = seededRandom(options.seed);
  const gaussian = gaussianSource(seededRandom(options.seed ^ 0x5bd1e995));
  const names = Object.keys(model.params).sort();
  const variables = names.map((n) => model.params[n]!);
  const optimiser = new FlatAdam(variables.map((v) => v.dataSync() as Float32Array), { emaDecay: options.emaDecay ?? 0.999 });
  const clipping = options.adaptiveClipping ?? true ? new GradientNormQueue() : undefined;
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
  const checkpoint = async (step: number, loss: number, stoppedBy?: EdmTrainResult['stoppedBy']) => {
    if (!options.onCheckpoint) return;
    const weights = new Map(names.map((n, k) => [n, { shape: variables[k]!.shape, values: optimiser.average[k]!.slice() }]));
    await options.onCheckpoint({ step, seconds: now() - start, weights, loss, ...(stoppedBy ? { stoppedBy } : {}) });
  };

  const losses: number[] = [];
  let step = 0;
  let skippedSteps = 0;
  let stoppedBy: EdmTrainResult['stoppedBy'] = 'max-steps';
  let lastCheckpoint = start;
  let sinceCheckpoint: number[] = [];
  for (;;) {
    if (options.maxSteps !== undefined && step >= options.maxSteps) { stoppedBy = 'max-steps'; break; }
    if (options.timeBudgetSeconds !== undefined && now() - start >= options.timeBudgetSeconds) { stoppedBy = 'time-budget'; break; }
    if (options.signal?.aborted) { stoppedBy = 'aborted'; break; }
    const picked = nextBatch();
    const encoded = encodeMolecules(picked.map((i) => molecules[i]!), model.config.encoding);
    const noised = noiseBatch(model, encoded.batch, encoded, { uniform, gaussian }, contexts ? { context: picked.map((i) => contexts[i]!) } : {});
    const tensors = batchTensors(encoded.batch);
    let loss: number;
    let gradients: Float32Array[];
    try {
      const { value, grads } = tf.variableGrads(() => lossTensor(model, model.params, tensors, noised), variables);
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
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
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

/** Copies EMA (or any) weights into the model's variables. */
export function assignEdmWeights(model: EdmModel, weights: ReadonlyMap<string, { readonly values: Float32Array }>): void {
  tf.tidy(() => {
    for (const [name, v] of Object.entries(model.params)) {
      const w = weights.get(name);
      if (!w) throw new Error(`EDM weights lack '${name}'`);
      v.assign(tf.tensor(w.values, v.shape, 'float32'));
    }
  });
}
