/**
 * Trained model files as predictor entries: a host (the Electron compute host with node:fs, web mode's worker with
 * fetch) lists the model files it ships and reads their bytes; core turns each into a lazy registry entry
 * `model:<name>` whose predictor is `createEnergyModelPredictor` on the decoded model, the same id, columns and
 * values `equimol predict --model FILE` writes.
 *
 * Listing reads only the small JSON of each file (for the model card title and the measured test errors shown as
 * the description). The weights are read and decoded, and the tfjs backend initialised, when a job first uses
 * the predictor (its prepare()), not at start-up. A property model file (family 'properties', core/engine/properties)
 * becomes `createPropertyModelPredictor` on its ensemble instead (homo, lumo, gap, dipole, charges ... with spreads).
 * A malformed file still lists, with a description saying why
 * it cannot be used; choosing it fails with an error naming the file.
 */
import type { EnergyModel } from '../engine/model';
import type { PropertyEnsemble } from '../engine/properties/ensemble';
import type { Predictor } from './predictor';
import type { PredictorEntry } from './registry';

/** One model file a host offers: `<name>.model.json` with `<name>.weights.bin` beside it. */
export interface ModelAsset {
  /** File name without directories and without `.model.json`, e.g. 'mace-ethanol-rmd17'. */
  readonly name: string;
  /** Where it lives, for messages (a path or URL). */
  readonly location: string;
}

/**
 * The order in which hosts list model files: the general models (a `general/` folder: trained for any molecule of
 * their elements) first, then the others (benchmarks, the user's own), each group by path.
 */
export function modelCatalogueOrder(paths: readonly string[]): string[] {
  const general = (path: string) => /(^|[\\/])general[\\/]/.test(path);
  return [...paths].sort((a, b) => Number(general(b)) - Number(general(a)) || (a < b ? -1 : a > b ? 1 : 0));
}

/** What a host provides: core reads no files itself. */
export interface ModelCatalogue {
  list(): Promise<readonly ModelAsset[]>;
  /** The `.model.json` text. */
  readJson(asset: ModelAsset): Promise<string>;
  /** The `.weights.bin` bytes. */
  readWeights(asset: ModelAsset): Promise<Uint8Array>;
}

export interface ModelPredictorOptions {
  /** Initialises the tfjs backend (e.g. `initBackend` with the host's loader); called once, on first use of any model. */
  readonly initBackend: () => Promise<unknown>;
  /** Structures per forward pass (default 32, as `equimol predict --model`). */
  readonly batchSize?: number;
}

/** `dir/mace-ethanol-rmd17.model.json` -> 'mace-ethanol-rmd17'. */
export function modelNameOf(fileName: string): string {
  return (fileName.split(/[\\/]/).pop() ?? fileName).replace(/\.model\.json$/i, '').replace(/\.json$/i, '');
}

/** The predictor id of a model file, as `equimol predict --model` names it: 'model:<name>'. */
export function modelPredictorId(name: string): string {
  return `model:${name}`;
}

export class ModelCatalogueError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message.startsWith(file) ? message : `${file}: ${message}`);
    this.name = 'ModelCatalogueError';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatNumber(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '?';
}

/** What a model file's JSON says about itself: family ('MACE'), card title and the first measured test errors. */
export interface ModelCardSummary {
  readonly family: string;
  readonly title: string;
  /** E.g. 'test force MAE 63.1 meV/Å, energy MAE 3.03 meV/atom (1000 structures of ...)' or 'no test errors recorded'. */
  readonly measured: string;
}

/** Reads the card summary of a model JSON; throws ModelCatalogueError naming the file when the JSON is unusable. */
export function modelCardOf(json: string, fileName: string): ModelCardSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ModelCatalogueError(fileName, `not valid JSON (${errorText(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelCatalogueError(fileName, 'not a JSON object');
  const doc = raw as { format?: unknown; family?: unknown; card?: { title?: unknown }; metrics?: unknown };
  if (doc.format !== 'equimol-model') throw new ModelCatalogueError(fileName, `not an Equimol model file (format ${JSON.stringify(doc.format)})`);
  if (typeof doc.family !== 'string' || doc.family === '') throw new ModelCatalogueError(fileName, 'missing model family');
  const family = doc.family.toUpperCase();
  const title = typeof doc.card?.title === 'string' && doc.card.title !== '' ? doc.card.title : fileName;
  const metrics = Array.isArray(doc.metrics) ? (doc.metrics[0] as Record<string, unknown> | undefined) : undefined;
  let measured = 'no test errors recorded';
  if (metrics && typeof metrics['forceMAE_meV_per_A'] === 'number') {
    measured = `test force MAE ${formatNumber(metrics['forceMAE_meV_per_A'], 1)} meV/Å`;
    if (typeof metrics['energyMAE_meV_per_atom'] === 'number') measured += `, energy MAE ${formatNumber(metrics['energyMAE_meV_per_atom'], 2)} meV/atom`;
    if (typeof metrics['structures'] === 'number' && typeof metrics['dataset'] === 'string') measured += ` (${metrics['structures']} structures of ${metrics['dataset']})`;
  }
  return { family, title, measured };
}

/**
 * Description of a model file from its JSON: family, card title and the first measured test errors, e.g.
 * 'MACE: MACE for ethanol (...); test force MAE 63.1 meV/Å, energy MAE 3.03 meV/atom (1000 structures of
 * botnet_ethanol_rmd17/test_MD.extxyz.gz)'. Throws ModelCatalogueError naming the file when the JSON is unusable.
 */
export function describeModelJson(json: string, fileName: string): string {
  const { family, title, measured } = modelCardOf(json, fileName);
  return `${family}: ${title}; ${measured}. Energy, energy/atom, largest force, stress for crystals; per-atom forces in extXYZ/SDF exports`;
}

/** The header fields a calculator entry lists without the weights: species (Z) and cutoff (Å), when the JSON has them. */
export function modelHeaderOf(json: string): { readonly species?: readonly number[]; readonly cutoff?: number } {
  try {
    const doc = JSON.parse(json) as { species?: unknown; cutoff?: unknown };
    const species = Array.isArray(doc.species) && doc.species.every((z) => Number.isInteger(z)) ? (doc.species as number[]) : undefined;
    const cutoff = typeof doc.cutoff === 'number' && doc.cutoff > 0 ? doc.cutoff : undefined;
    return { ...(species ? { species } : {}), ...(cutoff ? { cutoff } : {}) };
  } catch {
    return {};
  }
}

/** Calls `initBackend` once, on first use by any model; a failure is retried on the next use. */
export function sharedBackendInit(initBackend: () => Promise<unknown>): () => Promise<unknown> {
  let backend: Promise<unknown> | undefined;
  return () => {
    backend ??= initBackend();
    backend.catch(() => (backend = undefined));
    return backend;
  };
}

/**
 * Reads the weights of a listed model, decodes the file, initialises the backend and builds the model (shared by the
 * predictor and calculator entries). Rejects with a ModelCatalogueError naming the file.
 */
export async function loadCatalogueModel(asset: ModelAsset, json: string, catalogue: ModelCatalogue, backendReady: () => Promise<unknown>): Promise<EnergyModel> {
  const fileName = `${asset.name}.model.json`;
  const [{ decodeModelFile, weightsNameFor }, { modelFromFile }] = await Promise.all([import('../engine/model-file/model-file'), import('../engine/model-file/families')]);
  let weights: Uint8Array;
  try {
    weights = await catalogue.readWeights(asset);
  } catch (error) {
    throw new ModelCatalogueError(fileName, `cannot read its weights (${weightsNameFor(asset.name)} beside ${asset.location}): ${errorText(error)}`);
  }
  let decoded;
  try {
    decoded = decodeModelFile(json, weights, fileName);
  } catch (error) {
    throw new ModelCatalogueError(fileName, errorText(error));
  }
  await backendReady();
  try {
    return modelFromFile(decoded);
  } catch (error) {
    throw new ModelCatalogueError(fileName, errorText(error));
  }
}

/** A listed model file: its JSON text, or why it could not be read. */
export type CatalogueModelFile = { readonly asset: ModelAsset; readonly json: string } | { readonly asset: ModelAsset; readonly failure: ModelCatalogueError };

/** The catalogue's model files in order, each name once (the first file), with their JSON read (small). */
export async function readCatalogueFiles(catalogue: ModelCatalogue): Promise<CatalogueModelFile[]> {
  const byName = new Map<string, ModelAsset>();
  for (const asset of await catalogue.list()) if (!byName.has(asset.name)) byName.set(asset.name, asset);
  return Promise.all(
    [...byName.values()].map(async (asset): Promise<CatalogueModelFile> => {
      try {
        return { asset, json: await catalogue.readJson(asset) };
      } catch (error) {
        return { asset, failure: new ModelCatalogueError(`${asset.name}.model.json`, `cannot be read from ${asset.location}: ${errorText(error)}`) };
      }
    }),
  );
}

/** What a property model file's JSON declares (family 'properties'), or undefined for another file. */
export interface PropertyModelHeader {
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly kind: 'graph-scalar' | 'atom-scalar' | 'graph-vector' | 'energy'; readonly unit: string }>;
  readonly members: number;
}

export function propertyModelHeaderOf(json: string): PropertyModelHeader | undefined {
  try {
    const doc = JSON.parse(json) as { family?: unknown; outputs?: unknown; members?: unknown };
    if (doc.family !== 'properties' || !Array.isArray(doc.outputs)) return undefined;
    return { outputs: doc.outputs as PropertyModelHeader['outputs'], members: Array.isArray(doc.members) ? doc.members.length : 1 };
  } catch {
    return undefined;
  }
}

/** 'PROPERTIES: <title>; test gap MAE 120 meV, dipole |μ| MAE 0.21 D, charges MAE 9.8 me (3000 structures of …)'. */
function describePropertyModelJson(json: string, fileName: string, header: PropertyModelHeader): string {
  const { title } = modelCardOf(json, fileName);
  const doc = JSON.parse(json) as { propertyMetrics?: Array<{ dataset?: unknown; structures?: unknown; metrics?: Record<string, unknown> }> };
  const first = Array.isArray(doc.propertyMetrics) ? doc.propertyMetrics[0] : undefined;
  const parts: string[] = [];
  const metric = (key: string, label: string, unit: string, digits: number) => {
    const v = first?.metrics?.[key];
    if (typeof v === 'number') parts.push(`${label} ${formatNumber(v, digits)} ${unit}`);
  };
  metric('gapMAE_meV', 'gap MAE', 'meV', 0);
  metric('dipoleNormMAE_D', 'dipole |μ| MAE', 'D', 3);
  metric('chargesMAE_me', 'charges MAE', 'me', 1);
  metric('forcesMAE_meV_per_A', 'force MAE', 'meV/Å', 1);
  const measured = parts.length > 0 ? `test ${parts.join(', ')}${typeof first?.structures === 'number' && typeof first.dataset === 'string' ? ` (${first.dataset})` : ''}` : 'no test errors recorded';
  const ensemble = header.members > 1 ? `ensemble of ${header.members} with calibrated spread and in-domain flag; ` : '';
  return `PROPERTIES: ${title}; ${measured}. ${ensemble}outputs ${header.outputs.map((o) => `${o.name} (${o.unit})`).join(', ')}`;
}

/** Reads and decodes a listed property model file into its ensemble (N ≥ 1 members); rejects naming the file. */
export async function loadCataloguePropertyEnsemble(asset: ModelAsset, json: string, catalogue: ModelCatalogue, backendReady: () => Promise<unknown>): Promise<PropertyEnsemble> {
  const fileName = `${asset.name}.model.json`;
  const [{ decodeModelFile, weightsNameFor }, { propertyEnsembleFromFile }] = await Promise.all([import('../engine/model-file/model-file'), import('../engine/properties/property-file')]);
  let weights: Uint8Array;
  try {
    weights = await catalogue.readWeights(asset);
  } catch (error) {
    throw new ModelCatalogueError(fileName, `cannot read its weights (${weightsNameFor(asset.name)} beside ${asset.location}): ${errorText(error)}`);
  }
  await backendReady();
  try {
    return propertyEnsembleFromFile(decodeModelFile(json, weights, fileName), fileName);
  } catch (error) {
    throw new ModelCatalogueError(fileName, errorText(error));
  }
}

/** A lazy predictor that loads its model on first use (prepare or predict); a failed load is retried next time. */
function lazyPredictor(id: string, description: string, columns: Predictor['columns'], batchSize: number, build: () => Promise<Predictor>): Predictor {
  let loading: Promise<Predictor> | undefined;
  let disposed = false;
  const load = (): Promise<Predictor> => {
    loading ??= build();
    loading.catch(() => (loading = undefined));
    return loading;
  };
  return {
    id,
    description,
    columns,
    batchSize,
    async prepare() {
      await load();
    },
    async predict(batch, signal) {
      if (disposed) throw new Error(`${id} was disposed`);
      return (await load()).predict(batch, signal);
    },
    dispose() {
      disposed = true;
      void loading?.then((p) => p.dispose?.(), () => undefined);
    },
  };
}

/** A property model file as a lazy registry entry: `createPropertyModelPredictor` on its ensemble. */
/**
 * The listing of one model file: its description from `describe` (read from the JSON only), or, when the JSON
 * cannot be described, 'cannot be used: …' and an entry whose create() rejects with that reason.
 */
function describedEntry(asset: ModelAsset, describe: (fileName: string) => string, create: (id: string, description: string) => Promise<Predictor>): PredictorEntry {
  const id = modelPredictorId(asset.name);
  const fileName = `${asset.name}.model.json`;
  let description: string;
  let headerError: ModelCatalogueError | undefined;
  try {
    description = describe(fileName);
  } catch (error) {
    headerError = error instanceof ModelCatalogueError ? error : new ModelCatalogueError(fileName, errorText(error));
    description = `cannot be used: ${headerError.message}`;
  }
  return {
    id,
    description,
    async create(): Promise<Predictor> {
      if (headerError) throw headerError;
      return create(id, description);
    },
  };
}

function propertyModelEntry(asset: ModelAsset, json: string, header: PropertyModelHeader, catalogue: ModelCatalogue, backendReady: () => Promise<unknown>, batchSize: number): PredictorEntry {
  return describedEntry(asset, (fileName) => describePropertyModelJson(json, fileName, header), async (id, description) => {
    const { createPropertyModelPredictor, propertyPredictorColumns } = await import('./property-model-predictor');
    return lazyPredictor(id, description, propertyPredictorColumns(header.outputs, header.members > 1), batchSize, async () =>
      createPropertyModelPredictor(await loadCataloguePropertyEnsemble(asset, json, catalogue, backendReady), { id, description, batchSize }));
  });
}

/** One model file as a lazy registry entry (the JSON text already read). */
function modelEntry(asset: ModelAsset, json: string, catalogue: ModelCatalogue, backendReady: () => Promise<unknown>, batchSize: number): PredictorEntry {
  const property = propertyModelHeaderOf(json);
  if (property) return propertyModelEntry(asset, json, property, catalogue, backendReady, batchSize);
  return describedEntry(asset, (fileName) => describeModelJson(json, fileName), async (id, description) => {
    const { createEnergyModelPredictor, ENERGY_MODEL_COLUMNS } = await import('./energy-model-predictor');
    return lazyPredictor(id, description, ENERGY_MODEL_COLUMNS, batchSize, async () =>
      createEnergyModelPredictor(await loadCatalogueModel(asset, json, catalogue, backendReady), { id, description, batchSize }));
  });
}

/**
 * The catalogue's models as registry entries, in catalogue order (ids `model:<name>`; a name listed twice keeps
 * its first file). Reads every model JSON (small); weights and the backend wait for first use. A JSON that cannot
 * be read still gives an entry, whose create() rejects with an error naming the file.
 */
export async function modelPredictorEntries(catalogue: ModelCatalogue, options: ModelPredictorOptions): Promise<PredictorEntry[]> {
  const backendReady = sharedBackendInit(options.initBackend);
  const batchSize = options.batchSize ?? 32;
  return (await readCatalogueFiles(catalogue)).map((file) =>
    'failure' in file
      ? ({ id: modelPredictorId(file.asset.name), description: `cannot be used: ${file.failure.message}`, create: () => Promise.reject(file.failure) } satisfies PredictorEntry)
      : modelEntry(file.asset, file.json, catalogue, backendReady, batchSize),
  );
}
