/**
 * EDM generator files: a JSON document `NAME.generator.json` plus a weights blob `NAME.weights.bin`.
 *
 * JSON: { format: "equimol-generator", formatVersion: 1, family: "edm",
 *         config: EdmConfig (atom encoding, denoiser sizes, noise schedule, context statistics, atom-count histogram),
 *         training?: { dataset, runs: [{ steps, seconds, molecules, command, stoppedBy, finalLoss }], backend, options, date },
 *         card: { title, description, trainingData, intendedUse, limitations, citation? },
 *         weights: { byteLength, crc32, manifest: [{ name, shape, dtype: "float32", offset, length }] } }
 * Blob: float32 little-endian tensors back to back in manifest order (the layout and CRC-32 of the energy-model
 * files, core/engine/model-file/model-file.ts, whose checksum this reuses). Core does no I/O: text and bytes in/out.
 */
import * as tf from '@tensorflow/tfjs';
import { crc32, ModelFileError, type ModelCard, type WeightEntry } from '../../engine/model-file/model-file';
import { dynamicsParamShapes } from './dynamics';
import { EdmModel, type EdmConfig } from './edm-model';

export const GENERATOR_FILE_FORMAT = 'equimol-generator';
export const GENERATOR_FILE_VERSION = 1;

export interface GeneratorRun {
  readonly steps: number;
  readonly seconds: number;
  readonly molecules: number;
  readonly command: string;
  readonly stoppedBy: string;
  readonly finalLoss: number;
}

export interface GeneratorTraining {
  readonly dataset: string;
  readonly trainMolecules: number;
  readonly runs: readonly GeneratorRun[];
  readonly backend: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly date: string;
}

export interface GeneratorFileDocument {
  readonly format: typeof GENERATOR_FILE_FORMAT;
  readonly formatVersion: number;
  readonly family: 'edm';
  readonly config: EdmConfig;
  readonly training?: GeneratorTraining;
  readonly card: ModelCard;
  readonly weights: { readonly byteLength: number; readonly crc32: string; readonly manifest: readonly WeightEntry[] };
}

/** Serialises a generator with the given weights (default: the model's variables; pass EMA weights for checkpoints). */
export function encodeGeneratorFile(
  model: EdmModel, meta: { card: ModelCard; training?: GeneratorTraining },
  weights?: ReadonlyMap<string, { readonly values: ArrayLike<number> }>,
): { json: string; weights: Uint8Array } {
  const shapes = dynamicsParamShapes(model.config.dynamics);
  const names = Object.keys(shapes).sort();
  const manifest: WeightEntry[] = [];
  let total = 0;
  for (const name of names) {
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
  const document: GeneratorFileDocument = {
    format: GENERATOR_FILE_FORMAT, formatVersion: GENERATOR_FILE_VERSION, family: 'edm', config: model.config,
    ...(meta.training ? { training: meta.training } : {}), card: meta.card,
    weights: { byteLength: total, crc32: crc32(blob), manifest },
  };
  return { json: JSON.stringify(document, null, 2) + '\n', weights: blob };
}

function fail(name: string, message: string): never {
  throw new ModelFileError(`${name}: ${message}`);
}

function positiveInteger(x: unknown): boolean {
  return Number.isInteger(x) && (x as number) > 0;
}

/** Parses and validates a generator file and builds the model (tf.Variables; dispose the model when done). */
export function decodeGeneratorFile(jsonText: string, blob: Uint8Array, name = 'generator file'): { model: EdmModel; document: GeneratorFileDocument } {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (error) {
    fail(name, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(name, 'not a JSON object');
  const doc = raw as Record<string, unknown>;
  if (doc['format'] !== GENERATOR_FILE_FORMAT) fail(name, `not an Equimol generator file (format is ${JSON.stringify(doc['format'])}, expected "${GENERATOR_FILE_FORMAT}")`);
  if (!positiveInteger(doc['formatVersion'])) fail(name, 'formatVersion is not a positive integer');
  if ((doc['formatVersion'] as number) > GENERATOR_FILE_VERSION) fail(name, `formatVersion ${String(doc['formatVersion'])} is newer than this Equimol reads (${GENERATOR_FILE_VERSION})`);
  if (doc['family'] !== 'edm') fail(name, `unknown generator family ${JSON.stringify(doc['family'])}`);
  const config = doc['config'] as EdmConfig | undefined;
  if (!config || typeof config !== 'object') fail(name, 'missing config');
  const enc = config.encoding;
  if (!enc || !Array.isArray(enc.species) || enc.species.length === 0 || !enc.species.every((z) => Number.isInteger(z) && z >= 1 && z <= 118)) fail(name, 'config.encoding.species must list atomic numbers');
  const dyn = config.dynamics;
  if (!dyn || !positiveInteger(dyn.features) || !positiveInteger(dyn.layers) || !positiveInteger(dyn.nodeFeatures)) fail(name, 'config.dynamics needs positive integer features, layers and nodeFeatures');
  if (dyn.nodeFeatures !== enc.species.length + (enc.includeCharges ? 1 : 0)) fail(name, `config.dynamics.nodeFeatures ${dyn.nodeFeatures} does not match the encoding`);
  if ((dyn.contextFeatures > 0) !== (config.context !== undefined)) fail(name, 'config.context and dynamics.contextFeatures disagree');
  if (!config.schedule || !positiveInteger(config.schedule.timesteps) || !['polynomial', 'cosine'].includes(config.schedule.kind)) fail(name, 'config.schedule needs kind polynomial|cosine and positive timesteps');
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
  const seen = new Set<string>();
  try {
    for (const entryRaw of manifest as WeightEntry[]) {
      const shape = shapes[entryRaw.name];
      if (!shape) fail(name, `unexpected tensor '${entryRaw.name}'`);
      if (seen.has(entryRaw.name)) fail(name, `tensor '${entryRaw.name}' appears twice`);
      seen.add(entryRaw.name);
      if (!Array.isArray(entryRaw.shape) || entryRaw.shape.join('x') !== shape.join('x')) fail(name, `tensor '${entryRaw.name}' has shape [${String(entryRaw.shape)}], expected [${shape}]`);
      const length = shape.reduce((a, b) => a * b, 1);
      if (entryRaw.length !== length || !Number.isInteger(entryRaw.offset) || entryRaw.offset < 0 || entryRaw.offset % 4 !== 0 || entryRaw.offset + 4 * length > blob.length) {
        fail(name, `tensor '${entryRaw.name}' has an invalid offset or length`);
      }
      const values = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        const v = view.getFloat32(entryRaw.offset + 4 * i, true);
        if (!Number.isFinite(v)) fail(name, `tensor '${entryRaw.name}' holds a non-finite value at index ${i}`);
        values[i] = v;
      }
      params[entryRaw.name] = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true));
    }
    const missing = Object.keys(shapes).filter((k) => !seen.has(k));
    if (missing.length > 0) fail(name, `weights lack ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}`);
    return { model: new EdmModel(config, params), document: doc as unknown as GeneratorFileDocument };
  } catch (error) {
    for (const v of Object.values(params)) v.dispose();
    throw error;
  }
}
