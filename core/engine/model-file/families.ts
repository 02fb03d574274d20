/**
 * Model families known to the model-file loader: family id -> how to rebuild an EnergyModel from a decoded file.
 * Each family validates its config against the file (species, cutoff, shapes) and throws ModelFileError.
 * Other families register with `registerModelFamily` (e.g. from their own module's index).
 */
import * as tf from '@tensorflow/tfjs';
import type { EnergyModel } from '../model';
import { egnnFromParams, type EgnnConfig } from '../models/egnn/egnn';
import { encodeModelFile, ModelFileError, type DecodedModelFile, type ModelCard, type TestMetrics, type TrainingMetadata } from './model-file';

export interface ModelFamily {
  readonly family: string;
  fromFile(decoded: DecodedModelFile): EnergyModel;
}

const families = new Map<string, ModelFamily>();

export function registerModelFamily(family: ModelFamily): void {
  families.set(family.family, family);
}

export function knownModelFamilies(): string[] {
  return [...families.keys()].sort();
}

function tensorsOf(decoded: DecodedModelFile): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of decoded.tensors) out[name] = tf.tensor(t.values, [...t.shape]);
  return out;
}

export const egnnFamily: ModelFamily = {
  family: 'egnn',
  fromFile(decoded) {
    const doc = decoded.document;
    const config = doc.config as unknown as EgnnConfig;
    const numeric = ['cutoff', 'features', 'layers', 'averageNeighbours', 'seed', 'radialBasis'] as const;
    for (const key of numeric) {
      if (typeof config[key] !== 'number' || !Number.isFinite(config[key])) throw new ModelFileError(`EGNN config.${key} must be a number`);
    }
    if (!Array.isArray(config.species) || config.species.join() !== doc.species.join()) {
      throw new ModelFileError(`EGNN config.species [${String(config.species)}] differs from the file's species [${doc.species.join()}]`);
    }
    if (config.cutoff !== doc.cutoff) throw new ModelFileError(`EGNN config.cutoff ${config.cutoff} differs from the file's cutoff ${doc.cutoff}`);
    const tensors = tensorsOf(decoded);
    try {
      return egnnFromParams(config, tensors, doc.normalisation);
    } catch (error) {
      throw new ModelFileError(error instanceof Error ? error.message : String(error));
    } finally {
      tf.dispose(Object.values(tensors));
    }
  },
};

registerModelFamily(egnnFamily);

/** Rebuilds the model a decoded file describes. */
export function modelFromFile(decoded: DecodedModelFile): EnergyModel {
  const family = families.get(decoded.document.family);
  if (!family) {
    throw new ModelFileError(`unknown model family '${decoded.document.family}' (this Equimol knows ${knownModelFamilies().join(', ')})`);
  }
  return family.fromFile(decoded);
}

/** Serialises a model with its card and optional training metadata and test metrics. */
export function modelToFile(
  model: EnergyModel,
  extras: { card: ModelCard; training?: TrainingMetadata; metrics?: readonly TestMetrics[] },
): { json: string; weights: Uint8Array } {
  const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  for (const [name, v] of Object.entries(model.params)) tensors.set(name, { shape: v.shape, values: v.dataSync() as Float32Array });
  return encodeModelFile({
    family: model.family,
    config: model.config,
    description: model.description,
    species: model.species,
    cutoff: model.cutoff,
    normalisation: model.normalisation,
    card: extras.card,
    ...(extras.training ? { training: extras.training } : {}),
    ...(extras.metrics ? { metrics: extras.metrics } : {}),
    tensors,
  });
}
