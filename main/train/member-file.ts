/** Writing a model file with given weights (the best EMA weights of a checkpoint), atomically, and copying weights between models. */
import type * as tf from '@tensorflow/tfjs';
import { encodeModelFile, type ModelCard, type TestMetrics, type TrainingMetadata } from '../../core/engine/model-file/model-file';
import { assignWeights } from '../../core/engine/train/batch-loss';
import type { EnergyModel } from '../../core/engine/model';
import { rename, writeFile } from 'node:fs/promises';
import { weightsPathFor } from '../../core/engine/model-file/model-file';

/** Writes `model` (family, config, normalisation) with the weights `params` (by name) as an Equimol model file. */
export async function writeMemberModel(
  path: string,
  model: EnergyModel,
  params: Readonly<Record<string, tf.Tensor>>,
  extras: { card: ModelCard; training?: TrainingMetadata; metrics?: readonly TestMetrics[] },
): Promise<void> {
  const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  for (const name of Object.keys(model.params)) {
    const t = params[name];
    if (!t) throw new Error(`checkpoint lacks weight '${name}'`);
    tensors.set(name, { shape: t.shape, values: t.dataSync() as Float32Array });
  }
  await writeModelFileAtomically(path, encodeModelFile({
    family: model.family, config: model.config, description: model.description, species: model.species, cutoff: model.cutoff,
    normalisation: model.normalisation, card: extras.card, ...(extras.training ? { training: extras.training } : {}),
    ...(extras.metrics ? { metrics: extras.metrics } : {}), tensors,
  }));
}

/**
 * Writes a model file pair through temporary names and renames (weights first), so that a run killed while writing a
 * checkpoint leaves the previous checkpoint or the new one, never a torn file.
 */
export async function writeModelFileAtomically(path: string, file: { json: string; weights: Uint8Array }): Promise<void> {
  if (!path.endsWith('.model.json')) throw new Error(`model file names end in .model.json: ${path}`);
  const weights = weightsPathFor(path);
  await writeFile(`${weights}.tmp`, file.weights);
  await writeFile(`${path}.tmp`, file.json);
  await rename(`${weights}.tmp`, weights);
  await rename(`${path}.tmp`, path);
}

/** Copies `from`'s weights into `into` (same family and config), normalisation included. */
export function assignParams(into: EnergyModel, from: EnergyModel): void {
  const names = Object.keys(into.params).sort();
  assignWeights(names.map((n) => into.params[n]!), names.map((n) => {
    const t = from.params[n];
    if (!t) throw new Error(`model lacks weight '${n}'`);
    return t.dataSync() as Float32Array;
  }));
  into.normalisation = from.normalisation;
}
