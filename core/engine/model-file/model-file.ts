/**
 * Equimol model files: a JSON document plus a binary weights blob.
 *
 * JSON (`*.model.json`): format tag and version, model family, config, feature description (irreps), species,
 * normalisation (reference energies, scale, shift), training metadata, test metrics, a model card, and the
 * weights manifest (name, shape, byte offset, length) with the blob's byte length and CRC-32.
 * Binary (`*.weights.bin`): Float32 little-endian tensors, back to back, in manifest order.
 *
 * `decodeModelFile` validates everything and throws ModelFileError with a message that says what is wrong
 * (bad JSON, wrong format, newer version, missing field, manifest/blob mismatch, checksum, shapes, NaN).
 * Core does no I/O: callers pass text and bytes.
 */
import type { EnergyNormalisation, ModelConfig, ModelDescription } from '../model';

export const MODEL_FILE_FORMAT = 'equimol-model';
/** Version written for energy models (unchanged since v1). */
export const MODEL_FILE_VERSION = 1;
/**
 * Version 2 adds property models (family 'properties', core/engine/properties/property-file.ts): declared
 * `outputs`, per-member sections, calibration. Energy files stay version 1, so older readers keep reading them.
 */
export const PROPERTY_MODEL_FILE_VERSION = 2;
/** The family name of property-model files (core/engine/properties/property-file.ts), single models and ensembles. */
export const PROPERTY_FAMILY = 'properties';
/** The newest version this Equimol reads. */
export const READABLE_MODEL_FILE_VERSION = 2;

/** The weights blob's file name of a model named `name` (no directory): 'mace-ethanol' -> 'mace-ethanol.weights.bin'. */
export function weightsNameFor(name: string): string {
  return `${name}.weights.bin`;
}

/**
 * The weights blob beside a model file, for a path or URL path: `dir/x.model.json` -> `dir/x.weights.bin`
 * (an older `dir/x.json` -> `dir/x.weights.bin`). The one place this naming rule is written.
 */
export function weightsPathFor(modelPath: string): string {
  return weightsNameFor(modelPath.replace(/\.model\.json$/i, '').replace(/\.json$/i, ''));
}

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  /** Byte offset in the weights blob (multiple of 4). */
  readonly offset: number;
  /** Number of values. */
  readonly length: number;
}

export interface ModelCard {
  readonly title: string;
  readonly description: string;
  /** Training data: dataset name, source, licence, level of theory. */
  readonly trainingData: string;
  /** Intended use and known limits (elements, conditions). */
  readonly intendedUse: string;
  readonly limitations: string;
  readonly citation?: string;
}

export interface TrainingMetadata {
  readonly dataset: string;
  readonly trainStructures: number;
  readonly validationStructures: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly seconds: number;
  /** Runs in order when training continued from earlier weights: epochs, seconds and the command of each. */
  readonly runs?: readonly { readonly epochs: number; readonly seconds: number; readonly command: string; readonly stoppedBy?: string }[];
  readonly backend: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly date: string;
}

export interface TestMetrics {
  readonly dataset: string;
  readonly structures: number;
  readonly energyMAE_meV: number;
  readonly energyMAE_meV_per_atom: number;
  readonly forceMAE_meV_per_A: number;
  readonly energyRMSE_meV?: number;
  readonly forceRMSE_meV_per_A?: number;
}

export interface ModelFileDocument {
  readonly format: typeof MODEL_FILE_FORMAT;
  readonly formatVersion: number;
  readonly family: string;
  readonly config: ModelConfig;
  readonly description: ModelDescription;
  /** Atomic numbers, species-index order. */
  readonly species: readonly number[];
  readonly cutoff: number;
  readonly normalisation: EnergyNormalisation;
  readonly training?: TrainingMetadata;
  readonly metrics?: readonly TestMetrics[];
  readonly card: ModelCard;
  readonly weights: {
    readonly byteLength: number;
    /** CRC-32 (IEEE) of the weights blob, as 8 lower-case hex digits. */
    readonly crc32: string;
    readonly manifest: readonly WeightEntry[];
  };
}

export interface DecodedModelFile {
  readonly document: ModelFileDocument;
  /** Values by tensor name (copied out of the blob, Float32). */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): string {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

export interface EncodeInput {
  readonly family: string;
  readonly config: ModelConfig;
  readonly description: ModelDescription;
  readonly species: readonly number[];
  readonly cutoff: number;
  readonly normalisation: EnergyNormalisation;
  readonly card: ModelCard;
  readonly training?: TrainingMetadata;
  readonly metrics?: readonly TestMetrics[];
  /** Default MODEL_FILE_VERSION; property models write PROPERTY_MODEL_FILE_VERSION. */
  readonly formatVersion?: number;
  /** Further top-level sections (property models: outputs, members, calibration ...), written after `card`. */
  readonly sections?: Readonly<Record<string, unknown>>;
  /** Tensors by name; written in sorted name order. */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: ArrayLike<number> }>;
}

/** Serialises to JSON text + weights bytes. */
export function encodeModelFile(input: EncodeInput): { json: string; weights: Uint8Array } {
  const names = [...input.tensors.keys()].sort();
  const manifest: WeightEntry[] = [];
  let total = 0;
  for (const name of names) {
    const t = input.tensors.get(name)!;
    const length = t.shape.reduce((a, b) => a * b, 1);
    if (length !== t.values.length) throw new ModelFileError(`tensor '${name}' has ${t.values.length} values for shape [${t.shape}]`);
    manifest.push({ name, shape: [...t.shape], dtype: 'float32', offset: total, length });
    total += 4 * length;
  }
  const weights = new Uint8Array(total);
  const view = new DataView(weights.buffer);
  for (const entry of manifest) {
    const values = input.tensors.get(entry.name)!.values;
    for (let k = 0; k < entry.length; k++) view.setFloat32(entry.offset + 4 * k, values[k]!, true);
  }
  const document: ModelFileDocument = {
    format: MODEL_FILE_FORMAT,
    formatVersion: input.formatVersion ?? MODEL_FILE_VERSION,
    family: input.family,
    config: input.config,
    description: input.description,
    species: [...input.species],
    cutoff: input.cutoff,
    normalisation: { referenceEnergies: [...input.normalisation.referenceEnergies], scale: input.normalisation.scale, shift: input.normalisation.shift },
    ...(input.training ? { training: input.training } : {}),
    ...(input.metrics ? { metrics: input.metrics } : {}),
    card: input.card,
    ...(input.sections ?? {}),
    weights: { byteLength: total, crc32: crc32(weights), manifest },
  };
  return { json: JSON.stringify(document, null, 2) + '\n', weights };
}

function fail(where: string, message: string): never {
  throw new ModelFileError(`${where}: ${message}`);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Parses and validates a model file. `name` is used in error messages (file name). */
export function decodeModelFile(jsonText: string, weights: Uint8Array, name = 'model file'): DecodedModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (error) {
    fail(name, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(name, 'not a JSON object');
  const doc = raw as Record<string, unknown>;
  if (doc['format'] !== MODEL_FILE_FORMAT) fail(name, `not an Equimol model file (format is ${JSON.stringify(doc['format'])}, expected "${MODEL_FILE_FORMAT}")`);
  const version = doc['formatVersion'];
  if (!Number.isInteger(version) || (version as number) < 1) fail(name, `formatVersion ${JSON.stringify(version)} is not a positive integer`);
  if (typeof doc['family'] !== 'string' || doc['family'] === '') fail(name, 'missing model family');
  // Version 2 exists for property models only; an energy family at version 2 comes from a newer Equimol.
  const readable = doc['family'] === 'properties' ? READABLE_MODEL_FILE_VERSION : MODEL_FILE_VERSION;
  if ((version as number) > readable) fail(name, `formatVersion ${version} is newer than this Equimol reads (${readable}): update Equimol`);
  if (typeof doc['config'] !== 'object' || doc['config'] === null) fail(name, 'missing config object');
  if (typeof doc['description'] !== 'object' || doc['description'] === null) fail(name, 'missing description (irreps)');
  if (typeof doc['card'] !== 'object' || doc['card'] === null) fail(name, 'missing model card');
  const species = doc['species'];
  if (!Array.isArray(species) || species.length === 0 || !species.every((z) => Number.isInteger(z) && z >= 1 && z <= 118)) {
    fail(name, 'species must be a non-empty list of atomic numbers 1-118');
  }
  if (new Set(species).size !== species.length) fail(name, 'species lists an element twice');
  if (!isFiniteNumber(doc['cutoff']) || doc['cutoff'] <= 0) fail(name, 'cutoff must be a positive number (Å)');
  const normalisation = doc['normalisation'] as Record<string, unknown> | undefined;
  if (!normalisation || typeof normalisation !== 'object') fail(name, 'missing normalisation');
  const e0 = normalisation['referenceEnergies'];
  if (!Array.isArray(e0) || !e0.every(isFiniteNumber)) fail(name, 'normalisation.referenceEnergies must be a list of finite numbers (eV)');
  if (e0.length !== species.length) fail(name, `normalisation.referenceEnergies has ${e0.length} values for ${species.length} species`);
  if (!isFiniteNumber(normalisation['scale']) || !isFiniteNumber(normalisation['shift'])) fail(name, 'normalisation.scale and .shift must be finite numbers');
  const weightsInfo = doc['weights'] as Record<string, unknown> | undefined;
  if (!weightsInfo || typeof weightsInfo !== 'object') fail(name, 'missing weights section');
  if (weightsInfo['byteLength'] !== weights.length) {
    fail(name, `weights blob has ${weights.length} bytes but the file expects ${String(weightsInfo['byteLength'])} (truncated or wrong weights file)`);
  }
  const expectedCrc = weightsInfo['crc32'];
  const actualCrc = crc32(weights);
  if (expectedCrc !== actualCrc) fail(name, `weights checksum mismatch (CRC-32 ${actualCrc}, file says ${String(expectedCrc)}): the weights file is corrupt or belongs to another model`);
  const manifest = weightsInfo['manifest'];
  if (!Array.isArray(manifest)) fail(name, 'weights.manifest must be a list');
  const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const covered: Array<[number, number]> = [];
  for (const [k, entryRaw] of manifest.entries()) {
    const entry = entryRaw as Record<string, unknown>;
    const where = `weights.manifest[${k}]`;
    if (typeof entry['name'] !== 'string' || entry['name'] === '') fail(name, `${where} has no name`);
    const tensorName = entry['name'];
    if (tensors.has(tensorName)) fail(name, `tensor '${tensorName}' appears twice in the manifest`);
    if (entry['dtype'] !== 'float32') fail(name, `tensor '${tensorName}' has dtype ${JSON.stringify(entry['dtype'])}; only float32 is supported`);
    const shape = entry['shape'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(name, `tensor '${tensorName}' has an invalid shape`);
    const length = shape.reduce((a: number, b: number) => a * b, 1);
    if (entry['length'] !== length) fail(name, `tensor '${tensorName}' length ${String(entry['length'])} does not match shape [${shape}]`);
    const offset = entry['offset'];
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 4 !== 0) fail(name, `tensor '${tensorName}' has an invalid offset`);
    const end = (offset as number) + 4 * length;
    if (end > weights.length) fail(name, `tensor '${tensorName}' runs past the end of the weights blob (${end} > ${weights.length} bytes)`);
    covered.push([offset as number, end]);
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const v = view.getFloat32((offset as number) + 4 * i, true);
      if (!Number.isFinite(v)) fail(name, `tensor '${tensorName}' holds a non-finite value at index ${i}`);
      values[i] = v;
    }
    tensors.set(tensorName, { shape, values });
  }
  covered.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < covered.length; k++) {
    if (covered[k]![0] < covered[k - 1]![1]) fail(name, 'weights manifest has overlapping tensors');
  }
  return { document: doc as unknown as ModelFileDocument, tensors };
}
