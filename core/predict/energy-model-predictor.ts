/**
 * A trained energy model (any family: EGNN, MACE, TDN, eSCN, FAENet) as a batch predictor: total energy, energy per
 * atom, largest force and, for fully periodic structures, the stress; per-atom forces go to `atomArrays.forces`
 * (written by the extended-XYZ and SDF exporters). A thin user of the model calculator (core/calc/model-calculator.ts),
 * whose forces and stress come from `energyAndForces`, the engine's one place for −∂E/∂r and (1/V) ∂E/∂ε.
 *
 * The tfjs backend must be initialised by the caller (the CLI and the compute host pick the fastest one). A
 * structure the model cannot handle (an element it was not trained on, no atoms, a non-finite energy or force
 * such as two atoms at the same position) becomes an Error in its slot, so it turns into an error row while the rest of the batch goes on.
 */
import type { EnergyModel } from '../engine/model';
import { maxForce, toVoigt, type Calculator } from '../calc/calculator';
import { createModelCalculator } from '../calc/model-calculator';
import { float32Decimal, float32Decimals } from '../util/float32-decimal';
import type { Prediction, PredictionColumn, Predictor } from './predictor';

export interface EnergyModelPredictorOptions {
  /** Predictor id shown in outputs, e.g. 'model:mace-ethanol-rmd17'. */
  readonly id: string;
  readonly description?: string;
  /** Structures per forward pass (one disjoint graph); default 32. */
  readonly batchSize?: number;
  /** Dispose the model's weights when the predictor is disposed (default true). */
  readonly ownsModel?: boolean;
  /**
   * The calculator to evaluate `model` with (disposed with the predictor), e.g. the host's data-parallel one over
   * worker threads (main/calc/parallel-model-calculator.ts); default the in-thread model calculator.
   */
  readonly calculator?: Calculator;
}

export const ENERGY_MODEL_COLUMNS: readonly PredictionColumn[] = [
  { key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' },
  { key: 'energy_per_atom', label: 'Energy per atom', unit: 'eV', kind: 'number' },
  { key: 'max_force', label: 'Largest force |F|', unit: 'eV/Å', kind: 'number' },
  // Voigt order xx, yy, zz, yz, xz, xy (ASE); null for molecules and partly periodic structures.
  { key: 'stress', label: 'Stress (Voigt)', unit: 'eV/Å³', kind: 'vector', width: 6 },
];

export function createEnergyModelPredictor(model: EnergyModel, options: EnergyModelPredictorOptions): Predictor {
  const batchSize = options.batchSize ?? 32;
  const calculator = options.calculator ?? createModelCalculator(model, { id: options.id, batchSize, ownsModel: false });
  return {
    id: options.id,
    description: options.description ?? `${model.family} energy model: energy, forces (−∂E/∂r), stress for periodic structures`,
    columns: ENERGY_MODEL_COLUMNS,
    batchSize,
    async predict(batch, signal) {
      const results = await calculator.calculate(batch, { forces: true, stress: true, ...(signal ? { signal } : {}) });
      return results.map((result, k): Prediction | Error => {
        if (result instanceof Error) return result;
        const n = batch[k]!.numbers.length;
        // The model computes in float32: every value is given as the shortest decimal of its float32 (derived
        // ones too, rounded to float32 first), so outputs show 1.3506, not the widened 1.350600004196167.
        const forces = float32Decimals(result.forces!);
        return {
          values: {
            energy: float32Decimal(result.energy),
            energy_per_atom: float32Decimal(result.energy / n),
            max_force: float32Decimal(maxForce(forces)),
            // Voigt order xx, yy, zz, yz, xz, xy; null for molecules and partly periodic structures.
            stress: result.stress ? toVoigt(result.stress).map(float32Decimal) : null,
          },
          atomArrays: { forces: { width: 3, data: forces } },
        };
      });
    },
    dispose() {
      calculator.dispose?.();
      if (options.ownsModel ?? true) model.dispose();
    },
  };
}
