/**
 * An EDM generator (Hoogeboom et al. 2022): the atom encoding, the EGNN denoiser's weights, the noise schedule,
 * the distribution of atom counts p(N) of the training data (EDM samples N first, then x, h | N), and for the
 * conditional model the normalisation of the context property c ↦ (c − mean) / MAD (EDM `compute_mean_mad`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { defaultDynamicsConfig, initialiseDynamics, type DynamicsConfig } from './dynamics';
import { edmFeatureScales, featureCount, type AtomEncoding } from './molecules';
import { defaultScheduleConfig, NoiseSchedule, type NoiseScheduleConfig } from './schedule';

/** A conditioning property: a per-structure numeric property (e.g. 'gap', eV) and its training-set statistics. */
export interface ContextSpec {
  readonly property: string;
  readonly mean: number;
  /** Mean absolute deviation from the mean. */
  readonly mad: number;
}

export interface EdmConfig {
  readonly encoding: AtomEncoding;
  readonly dynamics: DynamicsConfig;
  readonly schedule: NoiseScheduleConfig;
  readonly context?: ContextSpec;
  /** Molecules with n atoms in the training data, indexed by n (index 0 unused). */
  readonly atomCounts: readonly number[];
}

export class EdmModel {
  readonly schedule: NoiseSchedule;

  constructor(readonly config: EdmConfig, readonly params: Readonly<Record<string, tf.Variable>>) {
    this.schedule = new NoiseSchedule(config.schedule);
    if (!config.atomCounts.some((c) => c > 0)) throw new Error('EDM model: the atom-count distribution is empty');
  }

  /** Largest atom count with a non-zero probability. */
  get maxAtoms(): number {
    let n = 0;
    this.config.atomCounts.forEach((c, k) => { if (c > 0) n = k; });
    return n;
  }

  /** Normalised context (c − mean)/MAD; throws when the model is unconditional or c is not finite. */
  normaliseContext(value: number): number {
    const spec = this.config.context;
    if (!spec) throw new Error('this EDM model is unconditional: it takes no property target');
    if (!Number.isFinite(value)) throw new Error(`property target ${spec.property} must be a finite number, got ${value}`);
    return (value - spec.mean) / spec.mad;
  }

  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}

/** Histogram of atom counts, indexed by n (EDM `DistributionNodes`). */
export function atomCountHistogram(structures: readonly Structure[]): number[] {
  const counts: number[] = [];
  for (const st of structures) {
    const n = st.numbers.length;
    while (counts.length <= n) counts.push(0);
    counts[n]! += 1;
  }
  return counts;
}

/** Draws n with probability counts[n] / Σ counts. */
export function sampleAtomCount(counts: readonly number[], uniform: () => number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let u = uniform() * total;
  let last = 0;
  for (let n = 0; n < counts.length; n++) {
    if (counts[n]! <= 0) continue;
    last = n;
    u -= counts[n]!;
    if (u < 0) return n;
  }
  return last;
}

/** The per-structure value of a context property; throws naming the structure when it is missing or not finite. */
export function contextValue(structure: Structure, property: string, index: number): number {
  const v = structure.properties[property];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const where = structure.provenance ? `${structure.provenance.file} record ${structure.provenance.record + 1}` : `structure ${index + 1}${structure.name ? ` (${structure.name})` : ''}`;
    throw new Error(`${where}: property '${property}' is ${v === undefined ? 'missing' : `not a finite number (${String(v)})`}`);
  }
  return v;
}

/** Mean and mean absolute deviation of a property over structures (EDM's context normalisation). */
export function contextSpecOf(structures: readonly Structure[], property: string): ContextSpec {
  if (structures.length === 0) throw new Error('context statistics need at least one structure');
  const values = structures.map((s, i) => contextValue(s, property, i));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const mad = values.reduce((a, b) => a + Math.abs(b - mean), 0) / values.length;
  if (!(mad > 0)) throw new Error(`property '${property}' has no spread over the training structures (MAD 0)`);
  return { property, mean, mad };
}

export interface CreateEdmOptions {
  /** One-hot classes (EDM QM9: H C N O F). */
  readonly species?: readonly number[];
  readonly includeCharges?: boolean;
  readonly features?: number;
  readonly layers?: number;
  readonly schedule?: NoiseScheduleConfig;
  /** Conditioning property statistics (conditional model); omit for the unconditional one. */
  readonly context?: ContextSpec;
  readonly atomCounts: readonly number[];
  readonly seed?: number;
}

/** A new EDM generator with seeded weights. */
export function createEdm(options: CreateEdmOptions): EdmModel {
  const encoding: AtomEncoding = { species: options.species ?? [1, 6, 7, 8, 9], includeCharges: options.includeCharges ?? true, scales: edmFeatureScales };
  if (encoding.species.length < 1) throw new Error('EDM needs at least one atom type');
  const dynamics: DynamicsConfig = {
    ...defaultDynamicsConfig,
    nodeFeatures: featureCount(encoding),
    contextFeatures: options.context ? 1 : 0,
    ...(options.features !== undefined ? { features: options.features } : {}),
    ...(options.layers !== undefined ? { layers: options.layers } : {}),
    seed: options.seed ?? 1,
  };
  const config: EdmConfig = {
    encoding, dynamics, schedule: options.schedule ?? defaultScheduleConfig, atomCounts: [...options.atomCounts],
    ...(options.context ? { context: options.context } : {}),
  };
  return new EdmModel(config, initialiseDynamics(dynamics));
}
