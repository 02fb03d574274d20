/**
 * Calculators as lazy entries, for the compute host and web mode's worker: each lists what it is (its
 * CalculatorDescription) at once and builds the calculator (weights, tfjs backend, native handles) only on
 * `create()`. `modelCalculatorEntries` turns a host's model catalogue into entries `model:<name>`, exactly as
 * core/predict/model-predictors.ts turns it into predictor entries (same ids, same files, same lazy loading):
 * listing reads only each model's JSON (family, card title, species, cutoff), never the weights.
 */
import type { Calculator, CalculatorDescription } from './calculator';
import {
  loadCatalogueModel,
  modelCardOf,
  modelHeaderOf,
  modelPredictorId,
  propertyModelHeaderOf,
  readCatalogueFiles,
  sharedBackendInit,
  ModelCatalogueError,
  type ModelCatalogue,
} from '../predict/model-predictors';

export interface CalculatorEntry {
  readonly id: string;
  readonly description: CalculatorDescription;
  /** Builds the calculator; each call gives a new one (the caller disposes it). */
  create(): Promise<Calculator>;
}

export interface ModelCalculatorEntryOptions {
  /** Initialises the tfjs backend; called once, on the first create() of any model. */
  readonly initBackend: () => Promise<unknown>;
  /** Structures per forward pass (default 32). */
  readonly batchSize?: number;
  /** Verlet skin (Å) of the model calculators (default 0.5). */
  readonly skin?: number;
}

function modelDescription(id: string, name: string, json: string | undefined, notes: string): CalculatorDescription {
  const header = json ? modelHeaderOf(json) : {};
  const cutoff = header.cutoff !== undefined ? `; cutoff ${header.cutoff} Å` : '';
  return {
    id,
    name,
    method: 'model',
    elements: header.species ?? [],
    charge: false,
    spin: false,
    periodic: true,
    stress: true,
    notes: notes + cutoff,
  };
}

/**
 * One entry per model file of the catalogue, in catalogue order (a name listed twice keeps its first file). A file
 * whose JSON cannot be read or is not a model file still lists, with notes saying why; its create() rejects with a
 * ModelCatalogueError naming the file.
 */
export async function modelCalculatorEntries(catalogue: ModelCatalogue, options: ModelCalculatorEntryOptions): Promise<CalculatorEntry[]> {
  const backendReady = sharedBackendInit(options.initBackend);
  // A property model without a declared energy (orbital energies, dipole, charges only) is a predictor, not a calculator.
  const files = (await readCatalogueFiles(catalogue)).filter((file) => {
    if ('failure' in file) return true;
    const header = propertyModelHeaderOf(file.json);
    return header === undefined || header.outputs.some((o) => o.kind === 'energy');
  });
  return files.map((file): CalculatorEntry => {
    const id = modelPredictorId(file.asset.name);
    if ('failure' in file) {
      const failure = file.failure;
      return { id, description: modelDescription(id, file.asset.name, undefined, `cannot be used: ${failure.message}`), create: () => Promise.reject(failure) };
    }
    const fileName = `${file.asset.name}.model.json`;
    let name = file.asset.name, notes: string;
    let headerError: ModelCatalogueError | undefined;
    try {
      const card = modelCardOf(file.json, fileName);
      name = `${card.family}: ${card.title}`;
      notes = `${card.measured}; energy, forces (−∂E/∂r), stress for periodic cells`;
    } catch (error) {
      headerError = error instanceof ModelCatalogueError ? error : new ModelCatalogueError(fileName, String(error));
      notes = `cannot be used: ${headerError.message}`;
    }
    const description = modelDescription(id, name, headerError ? undefined : file.json, notes);
    return {
      id,
      description,
      async create(): Promise<Calculator> {
        if (headerError) throw headerError;
        const [{ createModelCalculator }, model] = await Promise.all([import('./model-calculator'), loadCatalogueModel(file.asset, file.json, catalogue, backendReady)]);
        return createModelCalculator(model, {
          id,
          name: description.name,
          ...(description.notes ? { notes: description.notes } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.skin !== undefined ? { skin: options.skin } : {}),
        });
      },
    };
  });
}
