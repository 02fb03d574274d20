/**
 * Training of a GeoBFN generator: the shared loop of ../train-loop.ts (seeded minibatches, Adam with an EMA of the
 * weights, a time budget, checkpoints of the EMA weights) on the continuous-time loss L∞ of loss.ts, with GeoBFN's
 * gradient clipping (its `Gradient_clip` callback: clip at 1.5 × mean + 2 × std of up to 3000 recent norms, the
 * queue starting at [1]; a step whose norm exceeds `maximumAllowedNorm`, GeoBFN 1e4, is skipped).
 */
import { assignGeneratorWeights, GradientNormQueue, trainGenerator, type GeneratorCheckpoint, type GeneratorTrainOptions, type GeneratorTrainResult } from '../train-loop';
import type { GeoBfnModel } from './geobfn-model';
import { bfnLossTensor, encodeBfnData, flowBatch } from './loss';

export type { WeightMap } from '../train-loop';
export type GeoBfnCheckpoint = GeneratorCheckpoint;
export type GeoBfnTrainResult = GeneratorTrainResult;

export interface GeoBfnTrainOptions extends GeneratorTrainOptions {
  /** Skip a step whose gradient norm exceeds this (GeoBFN: 1e4). */
  readonly maximumAllowedNorm?: number;
}

/** Trains `model` in place (its variables end as the latest, not the EMA, weights). */
export async function trainGeoBfn(model: GeoBfnModel, options: GeoBfnTrainOptions): Promise<GeoBfnTrainResult> {
  const { molecules } = options;
  return trainGenerator(model.params, {
    name: 'GeoBFN',
    prepareBatch: (picked, sources) => {
      const data = encodeBfnData(model, picked.map((i) => molecules[i]!));
      const flow = flowBatch(model, data, sources);
      return { batch: data.batch, loss: (tensors) => bfnLossTensor(model, model.params, tensors, flow) };
    },
    // GeoBFN Gradient_clip: up to 3000 norms, starting at [1], population std.
    clippingQueue: () => new GradientNormQueue({ initial: 1, capacity: 3000, std: 'population' }),
    maximumAllowedNorm: options.maximumAllowedNorm ?? 1e4,
  }, options);
}

/** Copies EMA (or any) weights into the model's variables. */
export function assignGeoBfnWeights(model: GeoBfnModel, weights: ReadonlyMap<string, { readonly values: Float32Array }>): void {
  assignGeneratorWeights(model.params, weights, 'GeoBFN');
}
