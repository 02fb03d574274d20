/**
 * GeoBFN generator files: the layout of EDM's (core/generative/edm/generator-file.ts), `family: "geobfn"`:
 *   NAME.generator.json  { format: "equimol-generator", formatVersion: 1, family: "geobfn", config: GeoBfnConfig,
 *                          training?: GeneratorTraining, card: ModelCard, weights: { byteLength, crc32, manifest } }
 *   NAME.weights.bin     float32 little-endian tensors back to back in manifest order (CRC-32 of the model files).
 * The header, training record and weights codec are shared with EDM's files (../generator-weights.ts); this file
 * checks GeoBFN's config. Core does no I/O: text and bytes in and out.
 */
import { dynamicsParamShapes } from '../edm/dynamics';
import {
  checkAtomCounts, decodeWeights, encodeGenerator, fail, parseGeneratorJson, positiveInteger,
  type GeneratorDocument, type GeneratorMeta, type WeightValues,
} from '../generator-weights';
import { GeoBfnModel, type GeoBfnConfig } from './geobfn-model';

export type GeoBfnFileDocument = GeneratorDocument<'geobfn', GeoBfnConfig>;

/** Serialises a generator with the given weights (default: the model's variables; pass EMA weights for checkpoints). */
export function encodeGeoBfnFile(model: GeoBfnModel, meta: GeneratorMeta, weights?: WeightValues): { json: string; weights: Uint8Array } {
  return encodeGenerator('geobfn', model, meta, weights);
}

const inUnitInterval = (x: unknown): boolean => typeof x === 'number' && x > 0 && x < 1;

/** Parses and validates a GeoBFN generator file and builds the model (dispose it when done). */
export function decodeGeoBfnFile(jsonText: string, blob: Uint8Array, name = 'generator file'): { model: GeoBfnModel; document: GeoBfnFileDocument } {
  const doc = parseGeneratorJson(jsonText, name, 'geobfn');
  const config = doc['config'] as GeoBfnConfig;
  if (!Array.isArray(config.species) || config.species.length === 0 || !config.species.every((z) => Number.isInteger(z) && z >= 1 && z <= 118)) fail(name, 'config.species must list atomic numbers');
  if (!positiveInteger(config.bins) || config.species.some((z) => z > config.bins)) fail(name, 'config.bins must be a positive integer ≥ every atomic number');
  if (!inUnitInterval(config.sigma1Positions) || !inUnitInterval(config.sigma1Charges)) fail(name, 'config.sigma1Positions and sigma1Charges must lie in (0, 1)');
  if (!(typeof config.positionScale === 'number' && config.positionScale > 0) || !(typeof config.tMin === 'number' && config.tMin >= 0 && config.tMin < 1)) fail(name, 'config.positionScale must be positive and tMin in [0, 1)');
  const dyn = config.dynamics;
  if (!dyn || !positiveInteger(dyn.features) || !positiveInteger(dyn.layers) || dyn.nodeFeatures !== config.chargeBasis || dyn.contextFeatures !== 0) fail(name, 'config.dynamics needs positive features and layers, nodeFeatures = chargeBasis and no context');
  checkAtomCounts(config.atomCounts, name);
  const model = decodeWeights(doc['weights'], blob, dynamicsParamShapes(dyn), name, (params) => new GeoBfnModel(config, params));
  return { model, document: doc as unknown as GeoBfnFileDocument };
}
