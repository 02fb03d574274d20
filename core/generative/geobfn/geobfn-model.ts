/**
 * A GeoBFN generator (Song et al., ICLR 2024): the atom types it knows, the discretised charge variable (K bins),
 * the accuracy schedules of positions and charges (σ₁ each), the EGNN network of EDM (core/generative/edm/dynamics.ts,
 * reused unchanged: it reads the input distribution's parameters instead of noisy samples), and the atom-count
 * histogram p(N) of the training data. Defaults are GeoBFN's QM9 configuration (configs/bfn4molgen.yaml):
 * positions / 2 Å, σ₁ = 0.001 (positions) and 0.15 (charges), K = 9, t_min = 1e-4, 16 Gaussian basis features of
 * the charge mean; the network is smaller (GeoBFN: 256 features × 9 layers) for CPU training.
 */
import type * as tf from '@tensorflow/tfjs';
import { defaultDynamicsConfig, initialiseDynamics, type DynamicsConfig } from '../edm/dynamics';
import { chargeValue } from './bayesian-flow';

export interface GeoBfnConfig {
  /** Atomic numbers of the atom types (QM9: H C N O F). Each must be ≤ bins. */
  readonly species: readonly number[];
  /** K bins of the discretised charge variable (GeoBFN: the largest atomic number, 9 on QM9). */
  readonly bins: number;
  /** Positions are divided by this (Å; GeoBFN: 2). */
  readonly positionScale: number;
  /** σ₁ of the positions' accuracy schedule (GeoBFN: 0.001). */
  readonly sigma1Positions: number;
  /** σ₁ of the charges' accuracy schedule (GeoBFN: 0.15). */
  readonly sigma1Charges: number;
  /** Times are clamped to at least t_min in the network and the loss (GeoBFN: 1e-4). */
  readonly tMin: number;
  /** Gaussian basis features of the charge mean fed to the network (GeoBFN: 16, centres on [−2, 2]). */
  readonly chargeBasis: number;
  /** Clamp μ_x to [−2, 2] and σ_x to [1e-6, 4] (GeoBFN charge_clamp: true). */
  readonly chargeClamp: boolean;
  /** EDM's EGNN: nodeFeatures = chargeBasis, no context. */
  readonly dynamics: DynamicsConfig;
  /** Molecules with n atoms in the training data, indexed by n (index 0 unused). */
  readonly atomCounts: readonly number[];
}

export class GeoBfnModel {
  constructor(readonly config: GeoBfnConfig, readonly params: Readonly<Record<string, tf.Variable>>) {
    if (!config.atomCounts.some((c) => c > 0)) throw new Error('GeoBFN model: the atom-count distribution is empty');
    for (const z of config.species) chargeValue(z, config.bins);
    if (config.dynamics.nodeFeatures !== config.chargeBasis || config.chargeBasis < 2) {
      throw new Error(`GeoBFN model: the network needs chargeBasis (${config.chargeBasis}) ≥ 2 node features, has ${config.dynamics.nodeFeatures}`);
    }
    for (const [what, s] of [['positions', config.sigma1Positions], ['charges', config.sigma1Charges]] as const) {
      if (!(s > 0 && s < 1)) throw new RangeError(`GeoBFN model: σ₁ of the ${what} must lie in (0, 1), got ${s}`);
    }
  }

  /** Largest atom count with a non-zero probability. */
  get maxAtoms(): number {
    let n = 0;
    this.config.atomCounts.forEach((c, k) => { if (c > 0) n = k; });
    return n;
  }

  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}

export interface CreateGeoBfnOptions {
  readonly atomCounts: readonly number[];
  readonly species?: readonly number[];
  readonly bins?: number;
  readonly features?: number;
  readonly layers?: number;
  readonly sigma1Positions?: number;
  readonly sigma1Charges?: number;
  readonly seed?: number;
}

/** A new GeoBFN generator with seeded weights (EDM's initialisation of the EGNN). */
export function createGeoBfn(options: CreateGeoBfnOptions): GeoBfnModel {
  const species = options.species ?? [1, 6, 7, 8, 9];
  if (species.length < 1) throw new Error('GeoBFN needs at least one atom type');
  const chargeBasis = 16;
  const dynamics: DynamicsConfig = {
    ...defaultDynamicsConfig,
    nodeFeatures: chargeBasis,
    contextFeatures: 0,
    ...(options.features !== undefined ? { features: options.features } : {}),
    ...(options.layers !== undefined ? { layers: options.layers } : {}),
    seed: options.seed ?? 1,
  };
  const config: GeoBfnConfig = {
    species: [...species], bins: options.bins ?? Math.max(...species), positionScale: 2,
    sigma1Positions: options.sigma1Positions ?? 0.001, sigma1Charges: options.sigma1Charges ?? 0.15,
    tMin: 1e-4, chargeBasis, chargeClamp: true, dynamics, atomCounts: [...options.atomCounts],
  };
  return new GeoBfnModel(config, initialiseDynamics(dynamics));
}
