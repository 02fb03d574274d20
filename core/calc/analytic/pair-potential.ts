/**
 * The shared core of the analytic pair potentials (Lennard-Jones, Morse): E = ½ Σ_i Σ_{j≠i} φ(r_ij) over all
 * pairs (periodic images included) within a cutoff, with forces and the virial stress, following the loop of
 * ASE 3.22.1 `ase.calculators.lj.LennardJones.calculate`:
 *
 *   F_i = Σ_j φ'(r_ij) d_ij / r_ij                (d_ij = r_j + n·cell − r_i, pointing towards the neighbour)
 *   σ   = (1/V) · ½ Σ_i Σ_j φ'(r_ij)/r_ij d_ij ⊗ d_ij   (ASE sign: σ = (1/V) ∂E/∂ε)
 *
 * Each pair is visited once from a Verlet list (verlet-list.ts: pairs within cutoff + skin, reused until an atom
 * moved more than skin/2, kept per calculator instance for a few structures), in a flat typed-array loop.
 * Units: Å, eV, eV/Å, eV/Å³. Pure Float64 TypeScript, no tfjs.
 */
import type { Structure } from '../../structure/structure';
import {
  calculateEach,
  CalculationError,
  elementCoverageReason,
  type CalcRequest,
  type CalcResult,
  type Calculator,
  type CalculatorDescription,
} from '../calculator';
import { buildPairList, createVerletListCache, type PairList, type VerletListCache } from './verlet-list';

/** A pair term: writes φ(r) (eV) and dφ/dr (eV/Å) into `out` for a distance r (Å) within the cutoff. */
export type PairTerm = (r: number, out: { energy: number; derivative: number }) => void;

export interface PairPotential {
  /** Pairs with r ≤ cutoff (Å) take part (ASE LJ keeps r = rc; below machine precision this does not matter). */
  readonly cutoff: number;
  readonly term: PairTerm;
  /**
   * Verlet skin (Å): the list holds the pairs within cutoff + skin and is rebuilt once an atom moved more than
   * skin/2 (verlet-list.ts). Lennard-Jones defaults to 0.3σ, Morse to 0.3 r0.
   */
  readonly skin: number;
}

/** True when all three directions are periodic and a cell is given: the stress is defined. */
export function isFullyPeriodic(structure: Structure): boolean {
  return structure.cell !== undefined && structure.pbc.every((p) => p);
}

function cellVolume(cell: ArrayLike<number>): number {
  const [a, b, c, d, e, f, g, h, i] = Array.from(cell) as [number, number, number, number, number, number, number, number, number];
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
}

/** The first atom (0-based) with a non-finite coordinate, or −1. */
function firstNonFiniteAtom(positions: Float64Array): number {
  for (let k = 0; k < positions.length; k++) if (!Number.isFinite(positions[k]!)) return Math.floor(k / 3);
  return -1;
}

/**
 * Energy (eV), forces (eV/Å) and stress (eV/Å³) of one structure from a half pair list that holds every pair
 * within the cutoff: each pair (i, j, n) once with r = |d|, d = r_j + n·cell − r_i, adds φ(r) to the energy,
 * φ'(r) d/r to F_i and its negative to F_j, and φ'(r)/r d ⊗ d to the virial (ASE adds ½ of each of both
 * directions: the same sums, in another order). Flat typed-array loop, no per-pair allocation.
 */
export function evaluatePairList(structure: Structure, list: PairList, potential: PairPotential, wantForces: boolean, wantStress: boolean): CalcResult {
  const n = structure.numbers.length;
  const positions = structure.positions;
  const { first, second, shifts, count } = list;
  const term = potential.term;
  const cutoff = potential.cutoff;
  const forces = new Float64Array(n * 3);
  const pair = { energy: 0, derivative: 0 };
  let energy = 0;
  let vxx = 0, vxy = 0, vxz = 0, vyy = 0, vyz = 0, vzz = 0; // virial Σ φ'(r)/r d ⊗ d (eV), symmetric
  for (let p = 0; p < count; p++) {
    const i3 = 3 * first[p]!, j3 = 3 * second[p]!, p3 = 3 * p;
    const dx = positions[j3]! + shifts[p3]! - positions[i3]!;
    const dy = positions[j3 + 1]! + shifts[p3 + 1]! - positions[i3 + 1]!;
    const dz = positions[j3 + 2]! + shifts[p3 + 2]! - positions[i3 + 2]!;
    const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (r > cutoff) continue;
    term(r, pair);
    energy += pair.energy;
    const scale = pair.derivative / r; // (dφ/dr) / r, eV/Å²
    const fx = scale * dx, fy = scale * dy, fz = scale * dz;
    forces[i3] += fx;
    forces[i3 + 1] += fy;
    forces[i3 + 2] += fz;
    forces[j3] -= fx;
    forces[j3 + 1] -= fy;
    forces[j3 + 2] -= fz;
    vxx += fx * dx;
    vxy += fx * dy;
    vxz += fx * dz;
    vyy += fy * dy;
    vyz += fy * dz;
    vzz += fz * dz;
  }
  let stress: Float64Array | undefined;
  if (wantStress && isFullyPeriodic(structure)) {
    const volume = cellVolume(structure.cell!);
    stress = Float64Array.of(vxx, vxy, vxz, vxy, vyy, vyz, vxz, vyz, vzz).map((v) => v / volume);
  }
  return { energy, ...(wantForces ? { forces } : {}), ...(stress ? { stress } : {}) };
}

/**
 * Energy, forces and stress of one structure under a pair potential with a list built afresh (no cache).
 * Throws for a singular periodic cell or a non-finite position.
 */
export function evaluatePairPotential(structure: Structure, potential: PairPotential, wantForces: boolean, wantStress: boolean): CalcResult {
  const bad = firstNonFiniteAtom(structure.positions);
  if (bad >= 0) throw new CalculationError(`the position of atom ${bad + 1} is not finite`, [bad]);
  return evaluatePairList(structure, buildPairList(structure, potential.cutoff * (1 + 1e-12)), potential, wantForces, wantStress);
}

/**
 * A pair potential with its own Verlet-list cache (verlet-list.ts, skin `potential.skin`): what the calculator
 * calls per structure. `lists.builds` counts the list builds.
 */
export function createPairPotentialEvaluator(potential: PairPotential): {
  readonly lists: VerletListCache;
  evaluate(structure: Structure, wantForces: boolean, wantStress: boolean): CalcResult;
} {
  const lists = createVerletListCache(potential.cutoff, potential.skin);
  return {
    lists,
    evaluate(structure, wantForces, wantStress) {
      const bad = firstNonFiniteAtom(structure.positions);
      if (bad >= 0) throw new CalculationError(`the position of atom ${bad + 1} is not finite`, [bad]);
      return evaluatePairList(structure, lists.listFor(structure), potential, wantForces, wantStress);
    },
  };
}

/** A Calculator over a pair potential: every element, no charge or spin, periodic cells with stress. */
export function createPairPotentialCalculator(description: Omit<CalculatorDescription, 'method' | 'elements' | 'charge' | 'spin' | 'periodic' | 'stress'>, potential: PairPotential): Calculator {
  const full: CalculatorDescription = { ...description, method: 'analytic', elements: 'all', charge: false, spin: false, periodic: true, stress: true };
  const unsupportedReason = (structure: Structure): string | undefined => {
    const reason = elementCoverageReason(structure, 'all', full.name);
    if (reason) return reason;
    if (structure.pbc.some((p) => p) && !structure.cell) return 'the structure is periodic but has no cell';
    return undefined;
  };
  const evaluator = createPairPotentialEvaluator(potential);
  return {
    description: full,
    unsupportedReason,
    calculate(structures: readonly Structure[], request: CalcRequest = {}): Promise<Array<CalcResult | Error>> {
      return calculateEach(structures, request, unsupportedReason, (structure) => evaluator.evaluate(structure, request.forces ?? false, request.stress ?? false));
    },
  };
}
