/**
 * The generator families `equimol train --family edm|geobfn` trains (main/train/generator-training.ts): how each makes
 * a new model from its options and the training molecules, reads and writes its file, trains, and what its card says.
 */
import type * as tf from '@tensorflow/tfjs';
import { atomCountHistogram, contextSpecOf, createEdm } from '../../core/generative/edm/edm-model';
import { decodeGeneratorFile, encodeGeneratorFile } from '../../core/generative/edm/generator-file';
import { trainEdm } from '../../core/generative/edm/train';
import type { GeneratorMeta, GeneratorTraining, WeightValues } from '../../core/generative/generator-weights';
import { decodeGeoBfnFile, encodeGeoBfnFile } from '../../core/generative/geobfn/generator-file';
import { createGeoBfn } from '../../core/generative/geobfn/geobfn-model';
import { trainGeoBfn } from '../../core/generative/geobfn/train';
import type { GeneratorTrainOptions, GeneratorTrainResult } from '../../core/generative/train-loop';
import type { Structure } from '../../core/structure/structure';

/** The families a generator file names (core's list, under the names the training code uses). */
export { generatorFamilies as GENERATOR_FAMILIES, type GeneratorFamily as GeneratorFamilyName } from '../../core/generative/generator-weights';
import type { GeneratorFamily as GeneratorFamilyName } from '../../core/generative/generator-weights';

/** A new model's settings (the shared widths and seed, and each family's own). */
export interface GeneratorModelOptions {
  readonly features: number;
  readonly layers: number;
  readonly seed: number;
  /** EDM: noise schedule and its timesteps T; the property to condition on. */
  readonly noiseSchedule?: 'polynomial' | 'cosine';
  readonly timesteps?: number;
  readonly condition?: string;
  /** GeoBFN: σ₁ of positions and of charges. */
  readonly sigma1Positions?: number;
  readonly sigma1Charges?: number;
}

/** A generator model as the training code uses it. */
export interface TrainableGenerator {
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly config: { readonly dynamics: { readonly features: number; readonly layers: number } };
  dispose(): void;
}

export interface GeneratorFamily {
  /** The name that heads the card's title. */
  readonly title: string;
  create(options: GeneratorModelOptions, train: readonly Structure[]): TrainableGenerator;
  decode(json: string, blob: Uint8Array, name: string): { model: TrainableGenerator; document: { readonly training?: GeneratorTraining } };
  encode(model: TrainableGenerator, meta: GeneratorMeta, weights: WeightValues): { json: string; weights: Uint8Array };
  train(model: TrainableGenerator, options: GeneratorTrainOptions): Promise<GeneratorTrainResult>;
  describe(model: TrainableGenerator): string;
  /** The molecule property a model is conditioned on, if any. */
  condition(model: TrainableGenerator): string | undefined;
  readonly limitations: string;
  readonly citation: string;
}

type EdmModel = ReturnType<typeof createEdm>;
type GeoBfnModel = ReturnType<typeof createGeoBfn>;

const edm: GeneratorFamily = {
  title: 'EDM',
  create: (o, train) => createEdm({
    atomCounts: atomCountHistogram(train), features: o.features, layers: o.layers, seed: o.seed,
    schedule: o.noiseSchedule === 'cosine'
      ? { kind: 'cosine', timesteps: o.timesteps ?? 1000 }
      : { kind: 'polynomial', timesteps: o.timesteps ?? 1000, power: 2, precision: 1e-5 },
    ...(o.condition ? { context: contextSpecOf(train, o.condition) } : {}),
  }),
  decode: (json, blob, name) => decodeGeneratorFile(json, blob, name),
  encode: (model, meta, weights) => encodeGeneratorFile(model as EdmModel, meta, weights),
  train: (model, options) => trainEdm(model as EdmModel, options),
  describe: (model) => {
    const c = (model as EdmModel).config;
    return `E(3) equivariant diffusion model (EGNN dynamics, ${c.dynamics.features} features, ${c.dynamics.layers} blocks, ` +
      `${c.schedule.kind} schedule, T = ${c.schedule.timesteps})` + (c.context ? `, conditioned on ${c.context.property}` : '');
  },
  condition: (model) => (model as EdmModel).config.context?.property,
  limitations: 'Trained on a CPU for a small fraction of EDM\'s budget (EDM: 256×9, ~3000 epochs on a GPU); see the measured scores for what it generates.',
  citation: 'Hoogeboom, Satorras, Vignac, Welling. Equivariant Diffusion for Molecule Generation in 3D. ICML 2022.',
};

const geobfn: GeneratorFamily = {
  title: 'GeoBFN',
  create: (o, train) => createGeoBfn({
    atomCounts: atomCountHistogram(train), features: o.features, layers: o.layers, seed: o.seed,
    sigma1Positions: o.sigma1Positions ?? 0.001, sigma1Charges: o.sigma1Charges ?? 0.15,
  }),
  decode: (json, blob, name) => decodeGeoBfnFile(json, blob, name),
  encode: (model, meta, weights) => encodeGeoBfnFile(model as GeoBfnModel, meta, weights),
  train: (model, options) => trainGeoBfn(model as GeoBfnModel, options),
  describe: (model) => {
    const c = (model as GeoBfnModel).config;
    return `Geometric Bayesian flow network (EDM's EGNN, ${c.dynamics.features} features, ${c.dynamics.layers} blocks; ` +
      `σ₁ ${c.sigma1Positions} positions, ${c.sigma1Charges} charges on ${c.bins} bins; continuous-time loss)`;
  },
  condition: () => undefined,
  limitations: 'Trained on a CPU for a small fraction of GeoBFN\'s budget (GeoBFN: 256×9, 3000 epochs on a GPU); see the measured scores for what it generates.',
  citation: 'Song, Gong, Zhou, Liu, Xie, Ma, Zhou. Unified Generative Modeling of 3D Molecules via Bayesian Flow Networks. ICLR 2024.',
};

export const generatorFamilies: Readonly<Record<GeneratorFamilyName, GeneratorFamily>> = { edm, geobfn };
