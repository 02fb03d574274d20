/**
 * Seeded random variates for molecular dynamics, all drawn from one Mulberry32 stream (core/util/seeded-random.ts):
 * standard normals (Box–Muller), chi-squared sums for CSVR (Marsaglia–Tsang gamma), Maxwell–Boltzmann velocities.
 */
import { seededRandom } from '../../util/seeded-random';
import { ACCELERATION_FACTOR, BOLTZMANN_EV_PER_K } from './units';

export interface MdRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Sum of the squares of `n` independent standard normals (chi-squared with n degrees of freedom). */
  chiSquared(n: number): number;
}

export function createMdRandom(seed: number): MdRandom {
  const uniform = seededRandom(seed);
  let spare: number | undefined;
  function normal(): number {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
  /** Gamma(shape, 1) for shape ≥ 1: Marsaglia & Tsang, ACM TOMS 26, 363 (2000). */
  function gamma(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = 1 - uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }
  function chiSquared(n: number): number {
    if (n <= 0) return 0;
    if (n === 1) {
      const x = normal();
      return x * x;
    }
    return 2 * gamma(n / 2);
  }
  return { uniform, normal, chiSquared };
}

/**
 * Maxwell–Boltzmann velocities (Å/fs) at `temperature` K, as ASE's MaxwellBoltzmannDistribution (force_temp=False:
 * no rescaling to the exact temperature, so the initial temperature fluctuates by ≈ √(2/N_f) around the target),
 * followed by ASE's Stationary (the centre-of-mass velocity removed) when `removeCentreOfMass`. Atoms with
 * `free[i] = 0` get zero velocity.
 */
export function maxwellBoltzmannVelocities(masses: Float64Array, free: Uint8Array, temperature: number, random: MdRandom, removeCentreOfMass: boolean): Float64Array {
  const n = masses.length;
  const velocities = new Float64Array(3 * n);
  const kT = BOLTZMANN_EV_PER_K * Math.max(0, temperature);
  for (let i = 0; i < n; i++) {
    const scale = Math.sqrt((kT * ACCELERATION_FACTOR) / masses[i]!);
    for (let k = 0; k < 3; k++) velocities[3 * i + k] = free[i] ? scale * random.normal() : 0;
  }
  if (removeCentreOfMass) subtractCentreOfMassVelocity(velocities, masses);
  return velocities;
}

/** Removes the centre-of-mass velocity Σ m v / Σ m from every atom, in place. */
export function subtractCentreOfMassVelocity(velocities: Float64Array, masses: Float64Array): void {
  const n = masses.length;
  let total = 0;
  const momentum = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    total += masses[i]!;
    for (let k = 0; k < 3; k++) momentum[k]! += masses[i]! * velocities[3 * i + k]!;
  }
  if (!(total > 0)) return;
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) velocities[3 * i + k]! -= momentum[k]! / total;
}
