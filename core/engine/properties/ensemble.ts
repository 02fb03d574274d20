/**
 * An ensemble of property models with the same declared outputs (N ≥ 1 members, e.g. seeds), its mean and spread,
 * and their calibration:
 *
 *   mean   ȳ = (1/N) Σ_k y_k                      every output (scalars, dipole components, charges, energy, forces)
 *   spread σ = √((1/N) Σ_k (y_k − ȳ)²) · s_t      population std over members times the output's z-scaling factor
 *   forces spread per atom  √(σ_x² + σ_y² + σ_z²)  (eV/Å)
 *
 * s_t (uncertainty.ts `zScalingFactor`) is fitted on the validation split by `calibrate` and stored in the file, with
 * per-output domain thresholds (the 99th percentile of the calibrated spread on validation): a structure whose
 * spread exceeds one is flagged as outside what the model knows. With one member there is no spread.
 *
 * `ensembleEnergyModel` exposes the mean energy as an EnergyModel, so the model calculator (relax, MD) and
 * `energyAndForces` serve the ensemble: forces of the mean energy are the mean of the members' forces.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import type { GraphContext } from '../graph/graph-context';
import type { EnergyModel, ModelParams } from '../model';
import { collectErrors, metricsFromErrors, type PropertyMetricValues } from './metrics';
import type { OutputDeclaration } from './outputs';
import { predictProperties, type PropertyPredictions } from './predict-properties';
import type { PropertyModel } from './property-model';
import { zScalingFactor } from './uncertainty';

export interface EnsemblePredictions {
  readonly mean: PropertyPredictions;
  /** Calibrated spread (std × s), same layout as `mean`; absent for a single member. */
  readonly std?: PropertyPredictions;
  /** Per-atom norm of the calibrated force std, [Σ nAtoms] eV/Å. */
  readonly forcesSpread?: Float32Array;
  /** Each member's own predictions. */
  readonly members: readonly PropertyPredictions[];
}

export class PropertyEnsemble {
  readonly outputs: readonly OutputDeclaration[];
  readonly species: readonly number[];
  readonly cutoff: number;
  /** z-scaling factor by output name ('forces' for forces); 1 when absent. */
  calibration: Record<string, number> = {};
  /** Calibrated-spread thresholds by output name ('forces': per-atom force spread, eV/Å). */
  domainThresholds: Record<string, number> = {};

  constructor(readonly members: readonly PropertyModel[]) {
    if (members.length === 0) throw new Error('an ensemble needs at least one member');
    const first = members[0]!;
    const signature = (m: PropertyModel) => JSON.stringify({ o: m.outputs, s: m.species, c: m.cutoff });
    for (const [k, m] of members.entries()) {
      if (signature(m) !== signature(first)) throw new Error(`ensemble member ${k + 1} declares other outputs, species or cutoff than member 1`);
    }
    this.outputs = first.outputs;
    this.species = first.species;
    this.cutoff = first.cutoff;
  }

  get hasEnergy(): boolean {
    return this.outputs.some((o) => o.kind === 'energy');
  }

  /** Mean, calibrated spread and member predictions (throws naming the structure for an unknown element). */
  async predict(structures: readonly Structure[], options: { forces?: boolean; batchSize?: number; signal?: AbortSignal; calibrated?: boolean } = {}): Promise<EnsemblePredictions> {
    const members: PropertyPredictions[] = [];
    for (const m of this.members) {
      members.push(await predictProperties(m, structures, {
        forces: options.forces ?? false, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.signal ? { signal: options.signal } : {}),
      }));
    }
    const first = members[0]!;
    const n = members.length;
    const scaleOf = (name: string) => (options.calibrated ?? true ? (this.calibration[name] ?? 1) : 1);
    const reduce = (pick: (p: PropertyPredictions) => Float32Array, scale: number): { mean: Float32Array; std: Float32Array } => {
      const length = pick(first).length;
      const mean = new Float32Array(length), std = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        let s = 0;
        for (const p of members) s += pick(p)[i]!;
        const mu = s / n;
        let v = 0;
        for (const p of members) v += (pick(p)[i]! - mu) ** 2;
        mean[i] = mu;
        std[i] = Math.sqrt(v / n) * scale;
      }
      return { mean, std };
    };
    const meanValues: Record<string, Float32Array> = {}, stdValues: Record<string, Float32Array> = {};
    for (const o of this.outputs) {
      const r = reduce((p) => p.values[o.name]!, scaleOf(o.name));
      meanValues[o.name] = r.mean;
      stdValues[o.name] = r.std;
    }
    const forces = first.forces ? reduce((p) => p.forces!, scaleOf('forces')) : undefined;
    const base = { structures: first.structures, atomStart: first.atomStart };
    const mean: PropertyPredictions = { ...base, values: meanValues, ...(forces ? { forces: forces.mean } : {}) };
    if (n === 1) return { mean, members };
    const std: PropertyPredictions = { ...base, values: stdValues, ...(forces ? { forces: forces.std } : {}) };
    let forcesSpread: Float32Array | undefined;
    if (forces) {
      forcesSpread = new Float32Array(forces.std.length / 3);
      for (let a = 0; a < forcesSpread.length; a++) forcesSpread[a] = Math.hypot(forces.std[3 * a]!, forces.std[3 * a + 1]!, forces.std[3 * a + 2]!);
    }
    return { mean, std, members, ...(forcesSpread ? { forcesSpread } : {}) };
  }

  /**
   * Fits the z-scaling factor of every output (and forces) on `validation` and the domain thresholds (99th
   * percentile of the calibrated spread of graph scalars and of the per-atom force spread). Returns the metrics
   * of the calibrated ensemble on `validation` (MAE, Spearman, miscalibration area).
   */
  async calibrate(validation: readonly Structure[]): Promise<PropertyMetricValues> {
    if (this.members.length < 2) throw new Error('calibration needs an ensemble of at least two members');
    const raw = await this.predict(validation, { forces: this.hasEnergy, calibrated: false });
    const errors = collectErrors(this.outputs, validation, raw.mean, raw.std);
    this.calibration = Object.fromEntries(errors.map((e) => [e.name, zScalingFactor(e.errors, e.spreads!)]));
    const calibrated = await this.predict(validation, { forces: this.hasEnergy });
    this.domainThresholds = {};
    for (const o of this.outputs) if (o.kind === 'graph-scalar') this.domainThresholds[o.name] = percentile(calibrated.std!.values[o.name]!, 0.99);
    if (calibrated.forcesSpread) this.domainThresholds['forces'] = percentile(calibrated.forcesSpread, 0.99);
    return this.metrics(validation, calibrated);
  }

  /** Metrics of the ensemble mean with calibration figures (from `predictions` or a fresh prediction). */
  async metrics(structures: readonly Structure[], predictions?: EnsemblePredictions): Promise<PropertyMetricValues> {
    const p = predictions ?? (await this.predict(structures, { forces: this.hasEnergy }));
    return metricsFromErrors(this.outputs, collectErrors(this.outputs, structures, p.mean, p.std), structures, p.mean);
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/** The q-quantile (0..1) of `values` by linear interpolation between order statistics. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x), hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (x - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The ensemble's mean energy as an EnergyModel (family 'properties'): params are every member's weights prefixed
 * `m<k>/`; energy(ctx, params) = (1/N) Σ_k E_k. Forces and stress then come from energyAndForces as for any model.
 */
export function ensembleEnergyModel(ensemble: PropertyEnsemble): EnergyModel {
  if (!ensemble.hasEnergy) throw new Error('this property model declares no energy output, so it cannot serve as a calculator');
  const members = ensemble.members;
  const params: Record<string, tf.Variable> = {};
  members.forEach((m, k) => {
    for (const [name, v] of Object.entries(m.params)) params[`m${k}/${name}`] = v;
  });
  const first = members[0]!.trunk.model;
  return {
    family: 'properties',
    config: { members: members.length, trunk: members[0]!.config.trunk },
    description: { ...first.description, output: '1x0e', notes: `mean energy of an ensemble of ${members.length} ${first.family} property models` },
    species: ensemble.species,
    cutoff: ensemble.cutoff,
    normalisation: first.normalisation,
    params,
    energy(ctx: GraphContext, given: ModelParams = params): tf.Tensor1D {
      return tf.tidy(() => {
        let sum: tf.Tensor | undefined;
        members.forEach((m, k) => {
          const prefix = `m${k}/`;
          const own: Record<string, tf.Tensor> = {};
          for (const name of Object.keys(m.params)) own[name] = given[prefix + name]!;
          const e = m.trunk.model.energy(ctx, own);
          sum = sum ? tf.add(sum, e) : e;
        });
        return tf.div(sum!, members.length) as tf.Tensor1D;
      });
    },
    dispose: () => ensemble.dispose(),
  };
}
