/**
 * Equimol model files on disk: `x.model.json` with `x.weights.bin` beside it (core/engine/model-file/model-file.ts
 * names the pair and validates it; this file only reads and writes the bytes). The engine is imported on first
 * use so commands that need no model start fast.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EnergyModel } from '../../core/engine/model';
import type { PropertyEnsemble } from '../../core/engine/properties/ensemble';
import { weightsPathFor } from '../../core/engine/model-file/model-file';
import { silenceTfjsHints } from './node-backend';

/** Reads, validates and builds the model of a `*.model.json` file (throws ModelFileError or the fs error). */
export async function readModelFile(modelPath: string): Promise<EnergyModel> {
  const { decodeModelFile } = await import('../../core/engine/model-file/model-file');
  const { modelFromFile } = await import('../../core/engine/model-file/families');
  await silenceTfjsHints(); // the model's weights may be the first tensors of this process
  const [json, weights] = await Promise.all([readFile(modelPath, 'utf8'), readFile(weightsPathFor(modelPath))]);
  return modelFromFile(decodeModelFile(json, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), basename(modelPath)));
}

/** Reads a property model file (family 'properties': one model or an ensemble of N members with calibration). */
export async function readPropertyModelFile(modelPath: string): Promise<PropertyEnsemble> {
  const { decodeModelFile } = await import('../../core/engine/model-file/model-file');
  const { propertyEnsembleFromFile } = await import('../../core/engine/properties/property-file');
  await silenceTfjsHints();
  const [json, weights] = await Promise.all([readFile(modelPath, 'utf8'), readFile(weightsPathFor(modelPath))]);
  return propertyEnsembleFromFile(decodeModelFile(json, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), basename(modelPath)), basename(modelPath));
}

/** Writes an encoded model file: the weights first, so a reader never finds a JSON without its weights. */
export async function writeModelFile(modelPath: string, file: { json: string; weights: Uint8Array }): Promise<void> {
  if (!modelPath.endsWith('.model.json')) throw new Error(`model file names end in .model.json: ${modelPath}`);
  await writeFile(weightsPathFor(modelPath), file.weights);
  await writeFile(modelPath, file.json);
}

/** `model:NAME` names a shipped model by its catalogue name; anything else is a model file path. */
export const MODEL_NAME_PREFIX = 'model:';

export class UnknownModelError extends Error {
  constructor(
    readonly spec: string,
    readonly known: readonly string[],
  ) {
    super(`no shipped model named '${spec.slice(MODEL_NAME_PREFIX.length)}' (shipped: ${known.length > 0 ? known.map((n) => MODEL_NAME_PREFIX + n).join(', ') : 'none'})`);
    this.name = 'UnknownModelError';
  }
}

/**
 * The model file of `model:NAME` (a file under assets/models, as the app lists it) or of a path (returned as
 * given). A bare NAME (no `model:`, no `.model.json`, no such file) is a shipped model's name too, as in
 * `equimol predict drugs.sdf --model qm9xtb-properties`. Throws UnknownModelError listing the shipped names when
 * NAME is not one of them.
 */
export async function modelFilePathOf(spec: string, modelsDir?: string): Promise<string> {
  const bare = !spec.startsWith(MODEL_NAME_PREFIX) && !spec.endsWith('.model.json') && !/[\\/]/.test(spec) && !(await fileExists(spec));
  if (!spec.startsWith(MODEL_NAME_PREFIX) && !bare) return spec;
  const { nodeModelCatalogue } = await import('../compute-host/model-catalogue');
  const assets = await nodeModelCatalogue(modelsDir).list();
  const name = bare ? spec : spec.slice(MODEL_NAME_PREFIX.length);
  const asset = assets.find((a) => a.name === name);
  if (!asset) throw new UnknownModelError(MODEL_NAME_PREFIX + name, assets.map((a) => a.name));
  return asset.location;
}

async function fileExists(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then(() => true, () => false);
}
