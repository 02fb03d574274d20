/**
 * GeoBFN generator files: the layout of EDM's (core/generative/edm/generator-file.ts), `family: "geobfn"`:
 *   NAME.generator.json  { format: "equimol-generator", formatVersion: 1, family: "geobfn", config: GeoBfnConfig,
 *                          training?: GeneratorTraining, card: ModelCard, weights: { byteLength, crc32, manifest } }
 *   NAME.weights.bin     float32 little-endian tensors back to back in manifest order (CRC-32 of the model files).
 * EDM's decoder is typed to EdmConfig and refuses other families, so this file has its own codec of the same layout.
 * Core does no I/O: text and bytes in and out.
 */
import * as tf from '@tensorflow/tfjs';
import { crc32, ModelFileError, type ModelCard, type WeightEntry } from '../../engine/model-file/model-file';
import { dynamicsParamShapes } from '../edm/dynamics';
import { GENERATOR_FILE_FORMAT, GENERATOR_FILE_VERSION, type GeneratorTraining } from '../edm/generator-file';
import { GeoBfnModel, type GeoBfnConfig } from './geobfn-model';

export interface GeoBfnFileDocument {
  readonly format: typeof GENERATOR_FILE_FORMAT;
  readonly formatVersion: number;
  readonly family: 'geobfn';
  readonly config: GeoBfnConfig;
  readonly training?: GeneratorTraining;
  readonly card: ModelCard;
  readonly weights: { readonly byteLength: number; readonly crc32: string; readonly manifest: readonly WeightEntry[] };
}

/** Serialises a generator with the given weights (default: the model's variables; pass EMA weights for checkpoints). */
export function encodeGeoBfnFile(
  model: GeoBfnModel, meta: { card: ModelCard; training?: GeneratorTraining },
  weights?: ReadonlyMap<string, { readonly values: ArrayLike<number> }>,
): { json: string; weights: Uint8Array } {
  const shapes = dynamicsParamShapes(model.config.dynamics);
  const manifest: WeightEntry[] = [];
  let total = 0;
  for (const name of Object.keys(shapes).sort()) {
    const length = shapes[name]!.reduce((a, b) => a * b, 1);
    manifest.push({ name, shape: shapes[name]!, dtype: 'float32', offset: total, length });
    total += 4 * length;
  }
  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  for (const entry of manifest) {
    const values = weights ? weights.get(entry.name)?.values : (model.params[entry.name]!.dataSync() as Float32Array);
    if (!values || values.length !== entry.length) throw new ModelFileError(`generator weights: '${entry.name}' has ${values?.length ?? 0} values, expected ${entry.length}`);
    for (let k = 0; k < entry.length; k++) view.setFloat32(entry.offset + 4 * k, values[k]!, true);
  }
  const document: GeoBfnFileDocument = {
    format: GENERATOR_FILE_FORMAT, formatVersion: GENERATOR_FILE_VERSION, family: 'geobfn', config: model.config,
    ...(meta.training ? { training: meta.training } : {}), card: meta.card, weights: { byteLength: total, crc32: crc32(blob), manifest },
  };
  return { json: JSON.stringify(document, null, 2) + '\n', weights: blob };
}

function fail(name: string, message: string): never {
  throw new ModelFileError(`${name}: ${message}`);
}

const positiveInteger = (x: unknown): boolean => Number.isInteger(x) && (x as number) > 0;
const inUnitInterval = (x: unknown): boolean => typeof x === 'number' && x > 0 && x < 1;

/** Parses and validates a GeoBFN generator file and builds the model (dispose it when done). */
export function decodeGeoBfnFile(jsonText: string, blob: Uint8Array, name = 'generator file'): { model: GeoBfnModel; document: GeoBfnFileDocument } {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (error) {
    fail(name, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(name, 'not a JSON object');
  const doc = raw as Record<string, unknown>;
  if (doc['format'] !== GENERATOR_FILE_FORMAT) fail(name, `not an Equimol generator file (format is ${JSON.stringify(doc['format'])}, expected "${GENERATOR_FILE_FORMAT}")`);
  if (!positiveInteger(doc['formatVersion']) || (doc['formatVersion'] as number) > GENERATOR_FILE_VERSION) fail(name, `formatVersion ${String(doc['formatVersion'])} is not one this Equimol reads (1..${GENERATOR_FILE_VERSION})`);
  if (doc['family'] !== 'geobfn') fail(name, `not a GeoBFN generator (family ${JSON.stringify(doc['family'])})`);
  const config = doc['config'] as GeoBfnConfig | undefined;
  if (!config || typeof config !== 'object') fail(name, 'missing config');
  if (!Array.isArray(config.species) || config.species.length === 0 || !config.species.every((z) => Number.isInteger(z) && z >= 1 && z <= 118)) fail(name, 'config.species must list atomic numbers');
  if (!positiveInteger(config.bins) || config.species.some((z) => z > config.bins)) fail(name, 'config.bins must be a positive integer ≥ every atomic number');
  if (!inUnitInterval(config.sigma1Positions) || !inUnitInterval(config.sigma1Charges)) fail(name, 'config.sigma1Positions and sigma1Charges must lie in (0, 1)');
  if (!(typeof config.positionScale === 'number' && config.positionScale > 0) || !(typeof config.tMin === 'number' && config.tMin >= 0 && config.tMin < 1)) fail(name, 'config.positionScale must be positive and tMin in [0, 1)');
  const dyn = config.dynamics;
  if (!dyn || !positiveInteger(dyn.features) || !positiveInteger(dyn.layers) || dyn.nodeFeatures !== config.chargeBasis || dyn.contextFeatures !== 0) fail(name, 'config.dynamics needs positive features and layers, nodeFeatures = chargeBasis and no context');
  if (!Array.isArray(config.atomCounts) || !config.atomCounts.every((c) => Number.isFinite(c) && c >= 0) || !config.atomCounts.some((c) => c > 0)) fail(name, 'config.atomCounts must be a non-empty histogram');
  const weightsInfo = doc['weights'] as Record<string, unknown> | undefined;
  if (!weightsInfo || typeof weightsInfo !== 'object') fail(name, 'missing weights section');
  if (weightsInfo['byteLength'] !== blob.length) fail(name, `weights blob has ${blob.length} bytes but the file expects ${String(weightsInfo['byteLength'])} (truncated or wrong weights file)`);
  if (weightsInfo['crc32'] !== crc32(blob)) fail(name, 'weights checksum mismatch: the weights file is corrupt or belongs to another generator');
  const manifest = weightsInfo['manifest'];
  if (!Array.isArray(manifest)) fail(name, 'weights.manifest must be a list');
  const shapes = dynamicsParamShapes(dyn);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const params: Record<string, tf.Variable> = {};
  try {
    for (const entry of manifest as WeightEntry[]) {
      const shape = shapes[entry.name];
      if (!shape) fail(name, `unexpected tensor '${entry.name}'`);
      if (params[entry.name]) fail(name, `tensor '${entry.name}' appears twice`);
      if (!Array.isArray(entry.shape) || entry.shape.join('x') !== shape.join('x')) fail(name, `tensor '${entry.name}' has shape [${String(entry.shape)}], expected [${shape}]`);
      const length = shape.reduce((a, b) => a * b, 1);
      if (entry.length !== length || !Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset % 4 !== 0 || entry.offset + 4 * length > blob.length) fail(name, `tensor '${entry.name}' has an invalid offset or length`);
      const values = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        const v = view.getFloat32(entry.offset + 4 * i, true);
        if (!Number.isFinite(v)) fail(name, `tensor '${entry.name}' holds a non-finite value at index ${i}`);
        values[i] = v;
      }
      params[entry.name] = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true));
    }
    const missing = Object.keys(shapes).filter((k) => !params[k]);
    if (missing.length > 0) fail(name, `weights lack ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}`);
    return { model: new GeoBfnModel(config, params), document: doc as unknown as GeoBfnFileDocument };
  } catch (error) {
    for (const v of Object.values(params)) v.dispose();
    throw error;
  }
}
