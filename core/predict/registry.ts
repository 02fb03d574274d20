import { createGeometryPredictor } from './geometry-descriptors';
import type { Predictor } from './predictor';

/**
 * Predictors the CLI, the batch pipeline and the app can offer, by id. Entries create their predictor lazily
 * (toolkits and model weights load only when chosen). Add one entry per predictor module.
 */
export interface PredictorEntry {
  readonly id: string;
  readonly description: string;
  create(): Promise<Predictor>;
}

export const PREDICTORS: readonly PredictorEntry[] = [
  {
    id: 'geometry',
    description: 'formula, atom count, molar mass, centre of mass, radius of gyration, principal moments of inertia; cell volume and density for crystals (no toolkit)',
    create: async () => createGeometryPredictor(),
  },
  {
    id: 'rdkit-descriptors',
    description: 'RDKit descriptors: canonical SMILES, InChIKey, formula, MW, exact mass, cLogP, TPSA, HBD/HBA, rotatable bonds, rings (RDKit wasm)',
    create: async () => (await import('./rdkit-descriptors')).createRdkitDescriptorPredictor(),
  },
];

export function predictorEntry(id: string): PredictorEntry | undefined {
  return PREDICTORS.find((p) => p.id === id.toLowerCase());
}

export class UnknownPredictorError extends Error {
  constructor(readonly id: string) {
    super(`unknown predictor '${id}' (available: ${PREDICTORS.map((p) => p.id).join(', ')})`);
    this.name = 'UnknownPredictorError';
  }
}

export async function createPredictor(id: string): Promise<Predictor> {
  const entry = predictorEntry(id);
  if (!entry) throw new UnknownPredictorError(id);
  return entry.create();
}
