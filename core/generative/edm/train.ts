/**
 * Training of an EDM generator: the shared loop of ../train-loop.ts (seeded minibatches, Adam with an EMA of the
 * weights, a time budget, checkpoints of the EMA weights) on the L2 ε-objective of diffusion.ts, with EDM's adaptive
 * gradient clipping (clip at 1.5 × mean + 2 × std of the recent gradient norms, EDM `gradient_clipping`).
 */
import { assignGeneratorWeights, GradientNormQueue, trainGenerator, type GeneratorCheckpoint, type GeneratorTrainOptions, type GeneratorTrainResult } from '../train-loop';
import { lossTensor, noiseBatch } from './diffusion';
import { contextValue, type EdmModel } from './edm-model';
import { encodeMolecules } from './molecules';

export type EdmCheckpoint = GeneratorCheckpoint;
export type EdmTrainOptions = GeneratorTrainOptions;
export type EdmTrainResult = GeneratorTrainResult;

/** Trains `model` in place (its variables end as the latest, not the EMA, weights); resolves when a stop condition is met. */
export async function trainEdm(model: EdmModel, options: EdmTrainOptions): Promise<EdmTrainResult> {
  const { molecules } = options;
  const spec = model.config.context;
  const contexts = spec ? molecules.map((m, i) => model.normaliseContext(contextValue(m, spec.property, i))) : undefined;
  return trainGenerator(model.params, {
    name: 'EDM',
    prepareBatch: (picked, sources) => {
      const encoded = encodeMolecules(picked.map((i) => molecules[i]!), model.config.encoding);
      const noised = noiseBatch(model, encoded.batch, encoded, sources, contexts ? { context: picked.map((i) => contexts[i]!) } : {});
      return { batch: encoded.batch, loss: (tensors) => lossTensor(model, model.params, tensors, noised) };
    },
    // EDM utils.Queue: 50 norms, seeded with 3000.
    clippingQueue: () => new GradientNormQueue({ initial: 3000, capacity: 50, std: 'sample' }),
  }, options);
}

/** Copies EMA (or any) weights into the model's variables. */
export function assignEdmWeights(model: EdmModel, weights: ReadonlyMap<string, { readonly values: Float32Array }>): void {
  assignGeneratorWeights(model.params, weights, 'EDM');
}
