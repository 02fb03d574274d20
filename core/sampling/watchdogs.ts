/**
 * Watchdogs: cheap checks run by the samplers (relaxation, molecular dynamics) on every evaluated step. The first
 * check that fires ends the run with status 'stopped' and the returned SamplerProblem (core/sampling/frames.ts):
 *
 *   'non-finite'         energy, a force or a position is NaN/Infinity (always on)
 *   'close-contact'      two atoms closer than minDistance (default 0.5 Å), periodic images included
 *   'hydrogen-detached'  a hydrogen farther than maxHydrogenDistance (default 2.5 Å) from the partner it was
 *                        bonded to in the first frame (nearest heavy atom within bonding distance, else nearest atom)
 *   'temperature-spike'  MD: T > temperatureSpikeFactor (default 5) × the target (or initial) temperature, from step 10
 *                        (no check when that reference is 0 K, e.g. NVE started at rest). With few degrees of freedom
 *                        k a thermostatted T fluctuates widely (k T_inst / T is χ²_k: a dimer, k = 3, is above 5 T once
 *                        in 550 steps), so the factor is raised to the χ²_k quantile / k at a 1e-12 tail (19.6 for
 *                        k = 3; below 5 from k = 21)
 *   'energy-drift'       MD, NVE: |E_total − E_total(first frame)| / N > maxEnergyDriftPerAtom (default 0.05 eV)
 *
 * plus `coverageProblem` ('uncovered-element') run once before the first step. Messages name the step and the atoms
 * 1-based with their symbols, e.g. 'step 412: atoms 3 (C) and 7 (H) are 0.31 Å apart (limit 0.5 Å)'; `atoms` are 0-based.
 * The close-contact check uses the O(N) cell-list neighbour list (core/engine/geometry/neighbour-list.ts).
 * Units: Å, eV, K.
 */
import type { Calculator } from '../calc/calculator';
import { neighbourList } from '../engine/geometry/neighbour-list';
import { cellVolume } from '../structure/cell';
import { elementOf, symbolOf } from '../structure/elements';
import type { Structure } from '../structure/structure';
import type { SamplerFrame, SamplerProblem } from './frames';
import type { WatchdogOptions } from './options';
import { chiSquaredUpperQuantile } from './statistics';

export const WATCHDOG_DEFAULTS = {
  minDistance: 0.5,
  maxHydrogenDistance: 2.5,
  temperatureSpikeFactor: 5,
  maxEnergyDriftPerAtom: 0.05,
} as const;

/** The temperature-spike check starts at this step (the first steps of MD equilibrate). */
export const TEMPERATURE_SPIKE_FIRST_STEP = 10;

/** Bonding distance of the first frame: r_cov(a) + r_cov(b) + this tolerance, Å (Open Babel uses 0.45). */
const BOND_TOLERANCE = 0.45;

export interface WatchdogSetup extends WatchdogOptions {
  readonly mode: 'relax' | 'md';
  /** MD: the thermostat's target temperature, K; without it the first frame's temperature is the reference. */
  readonly targetTemperature?: number;
  /** MD without a thermostat: the total energy must be conserved. */
  readonly nve?: boolean;
  /** MD: the kinetic degrees of freedom of the temperature; few of them raise the spike factor (see above). */
  readonly degreesOfFreedom?: number;
}

/** Per-step probability of a canonical temperature above the raised spike limit. */
const SPIKE_TAIL_PROBABILITY = 1e-12;

/** The spike factor for `degreesOfFreedom`: at least `factor`, and at least the χ² tail quantile / k. */
export function temperatureSpikeLimitFactor(factor: number, degreesOfFreedom: number | undefined): number {
  if (degreesOfFreedom === undefined || degreesOfFreedom <= 0) return factor;
  return Math.max(factor, chiSquaredUpperQuantile(degreesOfFreedom, SPIKE_TAIL_PROBABILITY) / degreesOfFreedom);
}

export interface Watchdog {
  /** The first problem of this frame, or undefined. Frames must come in step order (the first sets references). */
  check(frame: SamplerFrame, step: number): SamplerProblem | undefined;
}

/** 'atom 3 (C)' */
export function atomLabel(structure: Structure, atom: number): string {
  return `atom ${atom + 1} (${symbolOf(structure.numbers[atom]!)})`;
}

function atomsLabel(structure: Structure, atoms: readonly number[], limit = 10): string {
  const shown = atoms.slice(0, limit).map((a) => `${a + 1} (${symbolOf(structure.numbers[a]!)})`);
  const more = atoms.length > limit ? ` and ${atoms.length - limit} more` : '';
  return `${atoms.length === 1 ? 'atom' : 'atoms'} ${shown.join(', ')}${more}`;
}

/** The calculator's reason not to evaluate the structure, as an 'uncovered-element' problem naming those atoms. */
export function coverageProblem(structure: Structure, calculator: Calculator, step = 0): SamplerProblem | undefined {
  const reason = calculator.unsupportedReason(structure);
  if (reason === undefined) return undefined;
  const covered = calculator.description.elements;
  const atoms: number[] = [];
  if (covered !== 'all') {
    const known = new Set(covered);
    for (let i = 0; i < structure.numbers.length; i++) if (!known.has(structure.numbers[i]!)) atoms.push(i);
  }
  const who = atoms.length > 0 ? `${atomsLabel(structure, atoms)}: ` : '';
  return { kind: 'uncovered-element', step, atoms, message: `step ${step}: ${who}${calculator.description.name} cannot evaluate this structure (${reason})` };
}

function isPeriodic(structure: Structure): boolean {
  return structure.cell !== undefined && structure.pbc.some((p) => p);
}

/**
 * Minimum-image distance vector helper for the hydrogen check: |r_b − r_a| over the lattice images
 * n ∈ {−1, 0, 1}³ around the fractional rounding (exact for any cell whenever the distance is below half the
 * shortest perpendicular cell width, which covers the 2.5 Å threshold in all but tiny cells).
 */
function imageDistance(positions: ArrayLike<number>, a: number, b: number, cell: Float64Array | undefined, inverse: Float64Array | undefined, pbc: readonly boolean[]): number {
  const dx = positions[3 * b]! - positions[3 * a]!;
  const dy = positions[3 * b + 1]! - positions[3 * a + 1]!;
  const dz = positions[3 * b + 2]! - positions[3 * a + 2]!;
  if (!cell || !inverse) return Math.hypot(dx, dy, dz);
  const round = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    if (pbc[d]) round[d] = Math.round(dx * inverse[d]! + dy * inverse[3 + d]! + dz * inverse[6 + d]!);
  }
  let best = Infinity;
  for (let i = -1; i <= 1; i++) {
    if (!pbc[0] && i !== 0) continue;
    for (let j = -1; j <= 1; j++) {
      if (!pbc[1] && j !== 0) continue;
      for (let k = -1; k <= 1; k++) {
        if (!pbc[2] && k !== 0) continue;
        const n0 = round[0]! + i, n1 = round[1]! + j, n2 = round[2]! + k;
        const x = dx - (n0 * cell[0]! + n1 * cell[3]! + n2 * cell[6]!);
        const y = dy - (n0 * cell[1]! + n1 * cell[4]! + n2 * cell[7]!);
        const z = dz - (n0 * cell[2]! + n1 * cell[5]! + n2 * cell[8]!);
        best = Math.min(best, Math.hypot(x, y, z));
      }
    }
  }
  return best;
}

function invert(cell: Float64Array): Float64Array | undefined {
  const [a, b, c, d, e, f, g, h, i] = Array.from(cell) as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const inv = Float64Array.of(e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d);
  for (let k = 0; k < 9; k++) inv[k] = inv[k]! / det;
  return inv;
}

/**
 * Each hydrogen's partner in the first frame: the nearest heavy atom within bonding distance
 * (r_cov sum + 0.45 Å), else the nearest atom of any kind within it; −1 when the hydrogen is unbonded.
 */
function hydrogenPartners(structure: Structure): Int32Array {
  const n = structure.numbers.length;
  const partners = new Int32Array(n).fill(-1);
  if (!structure.numbers.includes(1)) return partners;
  let maxRadius = 0;
  for (let i = 0; i < n; i++) maxRadius = Math.max(maxRadius, elementOf(structure.numbers[i]!).covalentRadius);
  const periodic = isPeriodic(structure);
  const list = neighbourList(
    { positions: structure.positions, ...(periodic ? { cell: structure.cell!, pbc: structure.pbc } : {}) },
    elementOf(1).covalentRadius + maxRadius + BOND_TOLERANCE,
  );
  const bestHeavy = new Float64Array(n).fill(Infinity);
  const bestAny = new Float64Array(n).fill(Infinity);
  const heavy = new Int32Array(n).fill(-1);
  const any = new Int32Array(n).fill(-1);
  for (let e = 0; e < list.src.length; e++) {
    const h = list.src[e]!, j = list.dst[e]!;
    if (structure.numbers[h] !== 1 || j === h) continue;
    const r = list.distances[e]!;
    const limit = elementOf(1).covalentRadius + elementOf(structure.numbers[j]!).covalentRadius + BOND_TOLERANCE;
    if (r > limit) continue;
    if (r < bestAny[h]!) { bestAny[h] = r; any[h] = j; }
    if (structure.numbers[j] !== 1 && r < bestHeavy[h]!) { bestHeavy[h] = r; heavy[h] = j; }
  }
  for (let i = 0; i < n; i++) partners[i] = heavy[i]! >= 0 ? heavy[i]! : any[i]!;
  return partners;
}

function option(value: number | false | undefined, fallback: number): number | undefined {
  if (value === false) return undefined;
  return value ?? fallback;
}

/** Builds the watchdog of one run. The first frame passed to `check` sets the energy and temperature references. */
export function createWatchdog(structure: Structure, options: WatchdogSetup): Watchdog {
  const n = structure.numbers.length;
  const minDistance = option(options.minDistance, WATCHDOG_DEFAULTS.minDistance);
  const maxHydrogen = option(options.maxHydrogenDistance, WATCHDOG_DEFAULTS.maxHydrogenDistance);
  const requestedSpikeFactor = options.mode === 'md' ? option(options.temperatureSpikeFactor, WATCHDOG_DEFAULTS.temperatureSpikeFactor) : undefined;
  const spikeFactor = requestedSpikeFactor === undefined ? undefined : temperatureSpikeLimitFactor(requestedSpikeFactor, options.degreesOfFreedom);
  const spikeLabel =
    spikeFactor === requestedSpikeFactor ? `${spikeFactor}` : `${spikeFactor?.toFixed(1)} (${requestedSpikeFactor}, raised for ${options.degreesOfFreedom} degrees of freedom)`;
  const maxDrift = options.mode === 'md' && options.nve ? option(options.maxEnergyDriftPerAtom, WATCHDOG_DEFAULTS.maxEnergyDriftPerAtom) : undefined;
  const periodic = isPeriodic(structure);
  const partners = maxHydrogen !== undefined ? hydrogenPartners(structure) : new Int32Array(0);
  const hydrogens: number[] = [];
  for (let i = 0; i < partners.length; i++) if (partners[i]! >= 0) hydrogens.push(i);
  let referenceTemperature = options.targetTemperature;
  let referenceTotal: number | undefined;

  function nonFinite(frame: SamplerFrame, step: number): SamplerProblem | undefined {
    const bad = new Set<number>();
    for (const array of [frame.positions, frame.forces, frame.velocities]) {
      if (!array) continue;
      for (let i = 0; i < array.length; i++) if (!Number.isFinite(array[i]!)) bad.add(Math.floor(i / 3));
    }
    const atoms = [...bad].sort((a, b) => a - b);
    const energyBad = !Number.isFinite(frame.energy);
    if (!energyBad && atoms.length === 0) return undefined;
    const parts: string[] = [];
    if (energyBad) parts.push(`the energy is ${frame.energy}`);
    if (atoms.length > 0) parts.push(`${atomsLabel(structure, atoms)} ${atoms.length === 1 ? 'has' : 'have'} non-finite positions, velocities or forces`);
    return { kind: 'non-finite', step, atoms, message: `step ${step}: ${parts.join('; ')}` };
  }

  function closeContact(frame: SamplerFrame, step: number, limit: number): SamplerProblem | undefined {
    const cell = frame.cell ?? structure.cell;
    // For dense periodic cells, bins of ~0.6 × the mean interatomic spacing keep the grid at a few bins per atom
    // (the list then holds about one pair per atom beyond the limit, filtered below).
    const binCutoff = periodic && cell && n > 0 ? Math.max(limit, 0.6 * Math.cbrt(Math.abs(cellVolume(cell)) / n)) : limit;
    const list = neighbourList({ positions: frame.positions, ...(periodic && cell ? { cell, pbc: structure.pbc } : {}) }, binCutoff);
    let best = -1;
    for (let e = 0; e < list.src.length; e++) {
      if (list.src[e] === list.dst[e] || list.distances[e]! >= limit) continue; // own image: a cell thinner than the limit
      if (best < 0 || list.distances[e]! < list.distances[best]!) best = e;
    }
    if (best < 0) return undefined;
    const a = Math.min(list.src[best]!, list.dst[best]!), b = Math.max(list.src[best]!, list.dst[best]!);
    return {
      kind: 'close-contact',
      step,
      atoms: [a, b],
      message: `step ${step}: atoms ${a + 1} (${symbolOf(structure.numbers[a]!)}) and ${b + 1} (${symbolOf(structure.numbers[b]!)}) are ${list.distances[best]!.toFixed(2)} Å apart (limit ${limit} Å)`,
    };
  }

  function detachedHydrogen(frame: SamplerFrame, step: number, limit: number): SamplerProblem | undefined {
    const cell = periodic ? (frame.cell ?? structure.cell) : undefined;
    const inverse = cell ? invert(cell) : undefined;
    for (const h of hydrogens) {
      const partner = partners[h]!;
      const r = imageDistance(frame.positions, h, partner, cell, inverse, structure.pbc);
      if (r > limit) {
        return {
          kind: 'hydrogen-detached',
          step,
          atoms: [h, partner],
          message: `step ${step}: hydrogen ${h + 1} (H) is ${r.toFixed(2)} Å from ${atomLabel(structure, partner)} it was bonded to (limit ${limit} Å)`,
        };
      }
    }
    return undefined;
  }

  return {
    check(frame, step) {
      if (frame.positions.length !== 3 * n) {
        return { kind: 'non-finite', step, atoms: [], message: `step ${step}: the frame has ${frame.positions.length / 3} atoms, the structure ${n}` };
      }
      const bad = nonFinite(frame, step);
      if (bad) return bad;
      if (minDistance !== undefined) {
        const problem = closeContact(frame, step, minDistance);
        if (problem) return problem;
      }
      if (maxHydrogen !== undefined && hydrogens.length > 0) {
        const problem = detachedHydrogen(frame, step, maxHydrogen);
        if (problem) return problem;
      }
      if (spikeFactor !== undefined && frame.temperature !== undefined) {
        referenceTemperature ??= frame.temperature;
        const limit = spikeFactor * referenceTemperature;
        if (step >= TEMPERATURE_SPIKE_FIRST_STEP && referenceTemperature > 0 && frame.temperature > limit) {
          return {
            kind: 'temperature-spike',
            step,
            atoms: [],
            message: `step ${step}: the temperature is ${frame.temperature.toFixed(1)} K, above ${spikeLabel} × ${referenceTemperature.toFixed(1)} K`,
          };
        }
      }
      if (maxDrift !== undefined && frame.total !== undefined && n > 0) {
        referenceTotal ??= frame.total;
        const drift = Math.abs(frame.total - referenceTotal) / n;
        if (drift > maxDrift) {
          return {
            kind: 'energy-drift',
            step,
            atoms: [],
            message: `step ${step}: the total energy drifted by ${(drift * 1000).toFixed(1)} meV/atom (${referenceTotal.toFixed(4)} → ${frame.total.toFixed(4)} eV; limit ${maxDrift * 1000} meV/atom); try a smaller timestep`,
          };
        }
      }
      return undefined;
    },
  };
}
