/**
 * A trained energy model (any family: EGNN, MACE, TDN, eSCN, FAENet) as a batch predictor: total energy, energy per
 * atom, largest force and, for fully periodic structures, the stress; per-atom forces go to `atomArrays.forces`
 * (written by the extended-XYZ and SDF exporters). Forces and stress come from `energyAndForces`, the engine's one
 * place for −∂E/∂r and (1/V) ∂E/∂ε.
 *
 * The tfjs backend must be initialised by the caller (the CLI and the compute host pick the fastest one). A
 * structure the model cannot handle (an element it was not trained on, no atoms) becomes an Error in its slot, so
 * it turns into an error row while the rest of the batch goes on.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../structure/structure';
import { symbolOf } from '../structure/elements';
import { buildGraphContext } from '../engine/geometry/batch';
import { disposeGraphContext } from '../engine/graph/graph-context';
import { energyAndForces, type EnergyModel } from '../engine/model';
import type { Prediction, PredictionColumn, Predictor } from './predictor';

export interface EnergyModelPredictorOptions {
  /** Predictor id shown in outputs, e.g. 'model:mace-ethanol-rmd17'. */
  readonly id: string;
  readonly description?: string;
  /** Structures per forward pass (one disjoint graph); default 32. */
  readonly batchSize?: number;
  /** Dispose the model's weights when the predictor is disposed (default true). */
  readonly ownsModel?: boolean;
}

export const ENERGY_MODEL_COLUMNS: readonly PredictionColumn[] = [
  { key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' },
  { key: 'energy_per_atom', label: 'Energy per atom', unit: 'eV', kind: 'number' },
  { key: 'max_force', label: 'Largest force |F|', unit: 'eV/Å', kind: 'number' },
  // Voigt order xx, yy, zz, yz, xz, xy (ASE); null for molecules and partly periodic structures.
  { key: 'stress', label: 'Stress (Voigt)', unit: 'eV/Å³', kind: 'vector', width: 6 },
];

/** Why the model cannot evaluate this structure, or undefined when it can. */
function unsupportedReason(structure: Structure, species: ReadonlySet<number>): string | undefined {
  if (structure.numbers.length === 0) return 'the structure has no atoms';
  const unknown = [...new Set(structure.numbers)].filter((z) => !species.has(z));
  if (unknown.length > 0) {
    const known = [...species].map(symbolOf).join(', ');
    return `the model knows ${known} only; this structure has ${unknown.map(symbolOf).join(', ')}`;
  }
  return undefined;
}

function fullyPeriodic(structure: Structure): boolean {
  return structure.cell !== undefined && structure.pbc.every(Boolean);
}

export function createEnergyModelPredictor(model: EnergyModel, options: EnergyModelPredictorOptions): Predictor {
  const species = new Set(model.species);
  const graphOptions = { cutoff: model.cutoff, species: model.species };

  /** Energies and forces of structures the model supports, in one disjoint graph. */
  const evaluate = (structures: readonly Structure[], withStress: boolean): Prediction[] => {
    const ctx = buildGraphContext(structures, graphOptions);
    try {
      const { energy, forces, stress } = tf.tidy(() => {
        const r = energyAndForces(model, ctx, { stress: withStress });
        return {
          energy: r.energy.dataSync() as Float32Array, // [nGraphs] eV
          forces: r.forces.dataSync() as Float32Array, // [nAtoms * 3] eV/Å
          stress: r.stress ? (r.stress.dataSync() as Float32Array) : undefined, // [nGraphs * 9] eV/Å³
        };
      });
      let atom = 0;
      return structures.map((structure, g) => {
        const n = structure.numbers.length;
        const f = Float64Array.from(forces.subarray(3 * atom, 3 * (atom + n)));
        atom += n;
        let maxForce = 0;
        for (let i = 0; i < n; i++) maxForce = Math.max(maxForce, Math.hypot(f[3 * i]!, f[3 * i + 1]!, f[3 * i + 2]!));
        const s = stress?.subarray(9 * g, 9 * g + 9);
        return {
          values: {
            energy: energy[g]!,
            energy_per_atom: energy[g]! / n,
            max_force: maxForce,
            stress: s ? [s[0]!, s[4]!, s[8]!, s[5]!, s[2]!, s[1]!] : null,
          },
          atomArrays: { forces: { width: 3, data: f } },
        };
      });
    } finally {
      disposeGraphContext(ctx);
    }
  };

  return {
    id: options.id,
    description: options.description ?? `${model.family} energy model: energy, forces (−∂E/∂r), stress for periodic structures`,
    columns: ENERGY_MODEL_COLUMNS,
    batchSize: options.batchSize ?? 32,
    async predict(batch, signal) {
      const results: Array<Prediction | Error> = new Array<Prediction | Error>(batch.length);
      // Periodic and non-periodic structures go in separate graphs (only the former need the strain derivative).
      const groups: [number[], number[]] = [[], []];
      batch.forEach((structure, k) => {
        const reason = unsupportedReason(structure, species);
        if (reason) results[k] = new Error(`${structure.name || `structure ${k + 1}`}: ${reason}`);
        else groups[fullyPeriodic(structure) ? 1 : 0].push(k);
      });
      for (const [g, indices] of groups.entries()) {
        if (indices.length === 0) continue;
        if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
        const structures = indices.map((k) => batch[k]!);
        try {
          evaluate(structures, g === 1).forEach((p, j) => (results[indices[j]!] = p));
        } catch {
          // One structure broke the shared graph (e.g. a degenerate cell): evaluate one by one so only it fails.
          for (const k of indices) {
            try {
              results[k] = evaluate([batch[k]!], g === 1)[0]!;
            } catch (error) {
              results[k] = error instanceof Error ? error : new Error(String(error));
            }
          }
        }
      }
      return results;
    },
    dispose() {
      if (options.ownsModel ?? true) model.dispose();
    },
  };
}
