/**
 * Evaluates an energy model against labelled structures: energy and force errors.
 * Energies are compared as totals (eV per structure; meV in the result), forces per component (meV/Å).
 * The model is evaluated by `evaluateModelBatch` (core/calc/model-calculator.ts), shared with the model calculator.
 */
import type { Structure } from '../structure/structure';
import { evaluateModelBatch } from '../calc/model-calculator';
import type { EnergyModel, ModelParams } from './model';

export interface EvaluationOptions {
  readonly params?: ModelParams;
  readonly batchSize?: number;
  /** Property holding the reference energy (eV). */
  readonly energyKey?: string;
  /** Per-atom array holding reference forces (eV/Å). */
  readonly forcesKey?: string;
  readonly signal?: AbortSignal;
}

export interface EvaluationResult {
  readonly structures: number;
  /** Structures with a reference energy / with reference forces. */
  readonly withEnergy: number;
  readonly withForces: number;
  readonly energyMAE_meV: number;
  readonly energyRMSE_meV: number;
  readonly energyMAE_meV_per_atom: number;
  readonly forceMAE_meV_per_A: number;
  readonly forceRMSE_meV_per_A: number;
}

export function referenceEnergy(structure: Structure, key = 'energy'): number | undefined {
  const value = structure.properties[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function referenceForces(structure: Structure, key = 'forces'): Float64Array | undefined {
  const array = structure.atomArrays[key];
  return array && array.kind === 'float' && array.width === 3 ? array.data : undefined;
}

/** Predicts every structure in batches and returns MAE/RMSE; NaN where no structure has that label. */
export async function evaluateModel(model: EnergyModel, structures: readonly Structure[], options: EvaluationOptions = {}): Promise<EvaluationResult> {
  const batchSize = options.batchSize ?? 32;
  let eAbs = 0, eSq = 0, ePerAtomAbs = 0, nE = 0;
  let fAbs = 0, fSq = 0, nF = 0, nFStructures = 0;
  for (let start = 0; start < structures.length; start += batchSize) {
    if (options.signal?.aborted) throw new Error('evaluation cancelled');
    const batch = structures.slice(start, start + batchSize);
    // The model calculator's batch evaluation (the one evaluation path); non-finite outputs stay NaN in the errors.
    const result = await evaluateModelBatch(model, batch, { forces: true, ...(options.params ? { params: options.params } : {}) });
    const energies = result.energy, forces = result.forces!;
    batch.forEach((structure, g) => {
      const e = referenceEnergy(structure, options.energyKey);
      const n = structure.numbers.length;
      if (e !== undefined) {
        const err = energies[g]! - e;
        eAbs += Math.abs(err); eSq += err * err; ePerAtomAbs += Math.abs(err) / Math.max(n, 1); nE++;
      }
      const f = referenceForces(structure, options.forcesKey);
      if (f) {
        const base = 3 * result.atomStart[g]!;
        for (let k = 0; k < 3 * n; k++) {
          const err = forces[base + k]! - f[k]!;
          fAbs += Math.abs(err); fSq += err * err; nF++;
        }
        nFStructures++;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return {
    structures: structures.length,
    withEnergy: nE,
    withForces: nFStructures,
    energyMAE_meV: nE ? (1000 * eAbs) / nE : NaN,
    energyRMSE_meV: nE ? 1000 * Math.sqrt(eSq / nE) : NaN,
    energyMAE_meV_per_atom: nE ? (1000 * ePerAtomAbs) / nE : NaN,
    forceMAE_meV_per_A: nF ? (1000 * fAbs) / nF : NaN,
    forceRMSE_meV_per_A: nF ? 1000 * Math.sqrt(fSq / nF) : NaN,
  };
}
