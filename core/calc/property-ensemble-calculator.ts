/**
 * A property model or ensemble that declares an energy, as a Calculator for relaxation, MD and conformer search:
 * the model calculator (model-calculator.ts: Verlet list, batching, finite checks) on the ensemble's mean energy
 * (core/engine/properties/ensemble.ts `ensembleEnergyModel`), so forces are −∂Ē/∂r = the members' mean force,
 * through energyAndForces. `model:NAME` of such a file reaches the same calculator through the model-file family
 * 'properties' (core/engine/model-file/families.ts).
 */
import type { PropertyEnsemble } from '../engine/properties/ensemble';
import { ensembleEnergyModel } from '../engine/properties/ensemble';
import { createModelCalculator, type ModelCalculator, type ModelCalculatorOptions } from './model-calculator';

export function createPropertyEnsembleCalculator(ensemble: PropertyEnsemble, options: ModelCalculatorOptions): ModelCalculator {
  return createModelCalculator(ensembleEnergyModel(ensemble), {
    name: `ensemble of ${ensemble.members.length} property models (mean energy)`,
    notes: `mean energy of ${ensemble.members.length} ${ensemble.members[0]!.config.trunk} property models, cutoff ${ensemble.cutoff} Å; forces −∂E/∂r`,
    ...options,
  });
}
