/**
 * What the generator files of every family share (EDM, core/generative/edm/generator-file.ts; GeoBFN,
 * core/generative/geobfn/generator-file.ts): the JSON header { format: "equimol-generator", formatVersion, family },
 * the training record, the atom-count histogram, and the weights blob of the network's tensors.
 *
 *   weights: { byteLength, crc32, manifest: [{ name, shape, dtype: "float32", offset, length }] }
 *   blob:    float32 little-endian tensors back to back in manifest order (sorted names), the layout and CRC-32 of
 *            the energy-model files (core/engine/model-file/model-file.ts).
 *
 * Every failure is a ModelFileError naming the file. Core does no I/O: text and bytes in and out.
 */
import * as tf from '@tensorflow/tfjs';
import { crc32, ModelFileError, type ModelCard, type WeightEntry } from '../engine/model-file/model-file';
import { dynamicsParamShapes, type DynamicsConfig } from './edm/dynamics';

export const GENERATOR_FILE_FORMAT = 'equimol-generator';
export const GENERATOR_FILE_VERSION = 1;

/** The generator families a file's `family` names. */
export const generatorFamilies = ['edm', 'geobfn'] as const;
export type GeneratorFamily = (typeof generatorFamilies)[number];

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

/** The `weights` section of a generator file's JSON. */
export interface WeightsSection {
  readonly byteLength: number;
  readonly crc32: string;
  readonly manifest: readonly WeightEntry[];
}

/** A generator file's JSON document of family F with its config C. */
export interface GeneratorDocument<F extends GeneratorFamily, C> {
  readonly format: typeof GENERATOR_FILE_FORMAT;
  readonly formatVersion: number;
  readonly family: F;
  readonly config: C;
  readonly training?: GeneratorTraining;
  readonly card: ModelCard;
  readonly weights: WeightsSection;
}

/** What a generator file says of its model beside config and weights. */
export interface GeneratorMeta {
  readonly card: ModelCard;
  readonly training?: GeneratorTraining;
}

/** Weights to write instead of the model's variables (e.g. a checkpoint's EMA weights), by parameter name. */
export type WeightValues = ReadonlyMap<string, { readonly values: ArrayLike<number> }>;

/** Tensor shapes by parameter name (the network's `dynamicsParamShapes`). */
export type ParamShapes = Readonly<Record<string, readonly number[]>>;

export function fail(name: string, message: string): never {
  throw new ModelFileError(`${name}: ${message}`);
}

export const positiveInteger = (x: unknown): boolean => Number.isInteger(x) && (x as number) > 0;

/**
 * The blob and `weights` section of the tensors `shapes` names, values from `weights` when given (e.g. EMA
 * weights of a checkpoint), else from the model's variables `params`.
 */
function encodeWeights(
  shapes: ParamShapes, params: Readonly<Record<string, tf.Variable>>, weights?: WeightValues,
): { section: WeightsSection; blob: Uint8Array } {
  const manifest: WeightEntry[] = [];
  let total = 0;
  for (const name of Object.keys(shapes).sort()) {
    const length = shapes[name]!.reduce((a, b) => a * b, 1);
    manifest.push({ name, shape: [...shapes[name]!], dtype: 'float32', offset: total, length });
    total += 4 * length;
  }
  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  for (const entry of manifest) {
    const values = weights ? weights.get(entry.name)?.values : (params[entry.name]?.dataSync() as Float32Array | undefined);
    if (!values || values.length !== entry.length) throw new ModelFileError(`generator weights: '${entry.name}' has ${values?.length ?? 0} values, expected ${entry.length}`);
    for (let k = 0; k < entry.length; k++) view.setFloat32(entry.offset + 4 * k, values[k]!, true);
  }
  return { section: { byteLength: total, crc32: crc32(blob), manifest }, blob };
}

/**
 * Serialises a generator of `family` (both families' networks are EDM's EGNN, `config.dynamics`) with the given
 * weights (default: the model's variables; pass EMA weights for checkpoints): the JSON text (header fields first)
 * and the weights blob.
 */
export function encodeGenerator(
  family: GeneratorFamily, model: { readonly config: { readonly dynamics: DynamicsConfig }; readonly params: Readonly<Record<string, tf.Variable>> },
  meta: GeneratorMeta, weights?: WeightValues,
): { json: string; weights: Uint8Array } {
  const { section, blob } = encodeWeights(dynamicsParamShapes(model.config.dynamics), model.params, weights);
  const document = {
    format: GENERATOR_FILE_FORMAT, formatVersion: GENERATOR_FILE_VERSION, family, config: model.config,
    ...(meta.training ? { training: meta.training } : {}), card: meta.card, weights: section,
  };
  return { json: JSON.stringify(document, null, 2) + '\n', weights: blob };
}

/**
 * Parses a generator file's JSON and checks the header: format, a formatVersion this reads, the `family`
 * expected, and a config object. Returns the document.
 */
export function parseGeneratorJson(jsonText: string, name: string, family: GeneratorFamily): Record<string, unknown> {
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
  if (doc['family'] !== family) {
    const known = (generatorFamilies as readonly unknown[]).includes(doc['family']);
    fail(name, known ? `not a${family === 'edm' ? 'n EDM' : ' GeoBFN'} generator (family ${JSON.stringify(doc['family'])})` : `unknown generator family ${JSON.stringify(doc['family'])}`);
  }
  if (!doc['config'] || typeof doc['config'] !== 'object' || Array.isArray(doc['config'])) fail(name, 'missing config');
  return doc;
}

/** Checks config.atomCounts: a histogram of non-negative finite counts with one non-zero. */
export function checkAtomCounts(atomCounts: unknown, name: string): void {
  if (!Array.isArray(atomCounts) || !atomCounts.every((c) => Number.isFinite(c) && c >= 0) || !atomCounts.some((c) => c > 0)) fail(name, 'config.atomCounts must be a non-empty histogram');
}

/**
 * Checks the `weights` section against the blob (length, CRC-32) and the expected `shapes`, builds one tf.Variable
 * per tensor and hands them to `build` (the model then owns them; if anything throws, they are disposed). A
 * non-finite weight is an error naming the tensor and index.
 */
export function decodeWeights<M>(weightsInfo: unknown, blob: Uint8Array, shapes: ParamShapes, name: string, build: (params: Record<string, tf.Variable>) => M): M {
  if (!weightsInfo || typeof weightsInfo !== 'object') fail(name, 'missing weights section');
  const info = weightsInfo as Record<string, unknown>;
  if (info['byteLength'] !== blob.length) fail(name, `weights blob has ${blob.length} bytes but the file expects ${String(info['byteLength'])} (truncated or wrong weights file)`);
  if (info['crc32'] !== crc32(blob)) fail(name, 'weights checksum mismatch: the weights file is corrupt or belongs to another generator');
  const manifest = info['manifest'];
  if (!Array.isArray(manifest)) fail(name, 'weights.manifest must be a list');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const params: Record<string, tf.Variable> = {};
  try {
    for (const entry of manifest as WeightEntry[]) {
      const shape = shapes[entry.name];
      if (!shape) fail(name, `unexpected tensor '${entry.name}'`);
      if (params[entry.name]) fail(name, `tensor '${entry.name}' appears twice`);
      if (!Array.isArray(entry.shape) || entry.shape.join('x') !== shape.join('x')) fail(name, `tensor '${entry.name}' has shape [${String(entry.shape)}], expected [${shape.join(',')}]`);
      const length = shape.reduce((a, b) => a * b, 1);
      if (entry.length !== length || !Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset % 4 !== 0 || entry.offset + 4 * length > blob.length) {
        fail(name, `tensor '${entry.name}' has an invalid offset or length`);
      }
      const values = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        const v = view.getFloat32(entry.offset + 4 * i, true);
        if (!Number.isFinite(v)) fail(name, `tensor '${entry.name}' holds a non-finite value at index ${i}`);
        values[i] = v;
      }
      params[entry.name] = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], 'float32'), true));
    }
    const missing = Object.keys(shapes).filter((k) => !params[k]);
    if (missing.length > 0) fail(name, `weights lack ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}`);
    return build(params);
  } catch (error) {
    for (const v of Object.values(params)) v.dispose();
    throw error;
  }
}
