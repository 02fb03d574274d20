/**
 * EDM generator files: a JSON document `NAME.generator.json` plus a weights blob `NAME.weights.bin`.
 *
 * JSON: { format: "equimol-generator", formatVersion: 1, family: "edm",
 *         config: EdmConfig (atom encoding, denoiser sizes, noise schedule, context statistics, atom-count histogram),
 *         training?: { dataset, runs: [{ steps, seconds, molecules, command, stoppedBy, finalLoss }], backend, options, date },
 *         card: { title, description, trainingData, intendedUse, limitations, citation? },
 *         weights: { byteLength, crc32, manifest: [{ name, shape, dtype: "float32", offset, length }] } }
 * Blob: float32 little-endian tensors back to back in manifest order. The header, training record and weights codec
 * are shared with GeoBFN's files (../generator-weights.ts); this file checks EDM's config. Core does no I/O.
 */
import {
  checkAtomCounts, decodeWeights, encodeGenerator, fail, parseGeneratorJson, positiveInteger,
  type GeneratorDocument, type GeneratorMeta, type WeightValues,
} from '../generator-weights';
import { dynamicsParamShapes } from './dynamics';
import { EdmModel, type EdmConfig } from './edm-model';

export { GENERATOR_FILE_FORMAT, GENERATOR_FILE_VERSION, type GeneratorRun, type GeneratorTraining } from '../generator-weights';

export type GeneratorFileDocument = GeneratorDocument<'edm', EdmConfig>;

/** Serialises a generator with the given weights (default: the model's variables; pass EMA weights for checkpoints). */
export function encodeGeneratorFile(model: EdmModel, meta: GeneratorMeta, weights?: WeightValues): { json: string; weights: Uint8Array } {
  return encodeGenerator('edm', model, meta, weights);
}

/** Parses and validates a generator file and builds the model (tf.Variables; dispose the model when done). */
export function decodeGeneratorFile(jsonText: string, blob: Uint8Array, name = 'generator file'): { model: EdmModel; document: GeneratorFileDocument } {
  const doc = parseGeneratorJson(jsonText, name, 'edm');
  const config = doc['config'] as EdmConfig;
  const enc = config.encoding;
  if (!enc || !Array.isArray(enc.species) || enc.species.length === 0 || !enc.species.every((z) => Number.isInteger(z) && z >= 1 && z <= 118)) fail(name, 'config.encoding.species must list atomic numbers');
  const dyn = config.dynamics;
  if (!dyn || !positiveInteger(dyn.features) || !positiveInteger(dyn.layers) || !positiveInteger(dyn.nodeFeatures)) fail(name, 'config.dynamics needs positive integer features, layers and nodeFeatures');
  if (dyn.nodeFeatures !== enc.species.length + (enc.includeCharges ? 1 : 0)) fail(name, `config.dynamics.nodeFeatures ${dyn.nodeFeatures} does not match the encoding`);
  if ((dyn.contextFeatures > 0) !== (config.context !== undefined)) fail(name, 'config.context and dynamics.contextFeatures disagree');
  if (!config.schedule || !positiveInteger(config.schedule.timesteps) || !['polynomial', 'cosine'].includes(config.schedule.kind)) fail(name, 'config.schedule needs kind polynomial|cosine and positive timesteps');
  checkAtomCounts(config.atomCounts, name);
  const model = decodeWeights(doc['weights'], blob, dynamicsParamShapes(dyn), name, (params) => new EdmModel(config, params));
  return { model, document: doc as unknown as GeneratorFileDocument };
}
