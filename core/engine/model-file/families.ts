/**
 * Model families known to the model-file loader: family id -> how to rebuild an EnergyModel from a decoded file.
 * Each family validates its config against the file (species, cutoff, shapes) and throws ModelFileError.
 * Registered here: egnn, mace, tdn, escn, faenet, properties (so `readModelFile` and `equimol eval` open every family the engine
 * trains). Further families register with `registerModelFamily`. The equivariant families are built from their model
 * factories directly.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnergyModel } from '../model';
import { egnnFromParams, type EgnnConfig } from '../models/egnn/egnn';
import { assignParams } from '../layers/params';
import { createMaceModel } from '../models/mace/mace-model';
import type { EquivariantModelConfig } from '../models/message-passing/equivariant-model';
import { createTdnModel, type TdnModelConfig } from '../models/tdn/tdn-model';
import { createEscnModel } from '../models/escn/escn-model';
import { createFaenetModel, type FaenetConfig } from '../models/faenet/faenet-model';
import { ensembleEnergyModel } from '../properties/ensemble';
import { PROPERTY_FAMILY, propertyEnsembleFromFile } from '../properties/property-file';
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

type ModelFactory = (config: Record<string, unknown> & { species: readonly number[] }) => EnergyModel;

/**
 * A family whose file config is the model's own config (factory defaults fill gaps) and whose parameters are
 * checked by name and shape against the freshly built model.
 */
function configuredFamily(name: string, create: ModelFactory): ModelFamily {
  return {
    family: name,
    fromFile(decoded) {
      const doc = decoded.document;
      const config = doc.config as Record<string, unknown>;
      if (!Array.isArray(config['species']) || (config['species'] as number[]).join() !== doc.species.join()) {
        throw new ModelFileError(`${name} config.species differs from the file's species [${doc.species.join()}]`);
      }
      if (config['cutoff'] !== doc.cutoff) throw new ModelFileError(`${name} config.cutoff ${String(config['cutoff'])} differs from the file's cutoff ${doc.cutoff}`);
      let model: EnergyModel | undefined;
      try {
        model = create({ ...config, species: doc.species });
        assignParams(model.params, decoded.tensors);
        model.normalisation = doc.normalisation;
        return model;
      } catch (error) {
        model?.dispose();
        throw error instanceof ModelFileError ? error : new ModelFileError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

type WithSpecies<T> = Partial<T> & { species: readonly number[] };
registerModelFamily(configuredFamily('mace', (c) => createMaceModel(c as WithSpecies<EquivariantModelConfig>)));
registerModelFamily(configuredFamily('tdn', (c) => createTdnModel(c as WithSpecies<TdnModelConfig>)));
registerModelFamily(configuredFamily('escn', (c) => createEscnModel(c as WithSpecies<EquivariantModelConfig>)));
registerModelFamily(configuredFamily('faenet', (c) => createFaenetModel(c as WithSpecies<FaenetConfig>)));

/**
 * Property models (core/engine/properties): as an EnergyModel a property file is the mean energy of its members,
 * so a property model or ensemble that declares an energy serves as a calculator; one without energy cannot.
 * Their outputs (homo, charges, dipole ...) are read with `propertyEnsembleFromFile`.
 */
registerModelFamily({
  family: PROPERTY_FAMILY,
  fromFile(decoded) {
    if (!(decoded.document as unknown as { outputs?: Array<{ kind?: string }> }).outputs?.some((o) => o.kind === 'energy')) {
      throw new ModelFileError('this property model declares no energy output (it predicts properties such as homo, lumo, charges), so it cannot serve as an energy model or calculator');
    }
    return ensembleEnergyModel(propertyEnsembleFromFile(decoded));
  },
});

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
