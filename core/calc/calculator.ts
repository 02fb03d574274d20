/**
 * Calculators: the one interface for energy, forces and stress of structures (ASE's `Calculator` idea), used by
 * every sampler (relaxation, molecular dynamics, conformer search) and by the model predictors.
 *
 * Units are fixed and named in CALC_UNITS: energy eV, forces eV/Å, stress eV/Å³ in ASE's sign convention
 * σ = (1/V) ∂E/∂ε (a compressed crystal, which wants to expand, has a negative diagonal; pressure = −tr σ / 3).
 *
 * `calculate` takes a batch and returns one result per structure, in order. A structure the calculator cannot
 * handle (an element it does not cover, an SCF that does not converge, a non-finite result) yields an Error in
 * its slot, never a result with NaN in it: `checkFinite` is the one place that turns NaN/Infinity into an error.
 */
import type { Structure } from '../structure/structure';
import { symbolOf } from '../structure/elements';

export const CALC_UNITS = { energy: 'eV', forces: 'eV/Å', stress: 'eV/Å³', charges: 'e', dipole: 'e·Å', orbital: 'eV' } as const;

/** 1 eV/Å³ in GPa (ASE 3.22.1: 1 / units.GPa, CODATA 2014); pressures cross the contract and the CLI in GPa. */
export const GPA_PER_EV_PER_A3 = 160.21766208;

/** What a calculator is, for choosers, cards and error messages. */
export interface CalculatorDescription {
  /** Stable id, e.g. 'xtb:gfn2', 'model:mace-ethanol-rmd17', 'lj'. */
  readonly id: string;
  /** Human name, e.g. 'GFN2-xTB (libxtb 6.5)'. */
  readonly name: string;
  /** Method family: 'xtb', 'model', 'analytic'. */
  readonly method: string;
  /** Atomic numbers covered; 'all' when any element is accepted. */
  readonly elements: readonly number[] | 'all';
  /** Takes the structure's total charge into account. */
  readonly charge: boolean;
  /** Takes unpaired electrons (multiplicity − 1) into account. */
  readonly spin: boolean;
  /** Accepts periodic cells (and then can return stress when `stress` is true). */
  readonly periodic: boolean;
  /** Returns the stress tensor for periodic cells. */
  readonly stress: boolean;
  /** Free text: reference, cutoff, training data, limits. */
  readonly notes?: string;
}

export interface CalcRequest {
  /** The energy is always returned; these flags ask for more. */
  readonly forces?: boolean;
  /** Stress for fully periodic structures (ignored for molecules). */
  readonly stress?: boolean;
  readonly signal?: AbortSignal;
}

/** One structure's result. Arrays are new (the caller may keep them). */
export interface CalcResult {
  /** Total (potential) energy, eV. */
  readonly energy: number;
  /** [nAtoms * 3] eV/Å, when forces were requested. */
  readonly forces?: Float64Array;
  /** [9] row-major 3×3 stress, eV/Å³ (ASE sign), when requested for a periodic structure. */
  readonly stress?: Float64Array;
  /** Extra per-atom outputs (xtb: 'charges' in e). */
  readonly atomArrays?: Readonly<Record<string, Float64Array>>;
  /** Extra per-structure outputs with units in CALC_UNITS (xtb: 'dipole' [3] e·Å, 'homo', 'lumo' eV). */
  readonly extras?: Readonly<Record<string, number | readonly number[]>>;
}

export interface Calculator {
  readonly description: CalculatorDescription;
  /** Why this calculator cannot evaluate the structure (uncovered element, periodic cell), or undefined. */
  unsupportedReason(structure: Structure): string | undefined;
  calculate(structures: readonly Structure[], request?: CalcRequest): Promise<Array<CalcResult | Error>>;
  /** Frees weights, native handles or child processes. */
  dispose?(): void;
}

/** A calculation of one structure that failed: names the structure, and the atoms when known. */
export class CalculationError extends Error {
  constructor(
    message: string,
    readonly atoms: readonly number[] = [],
  ) {
    super(message);
    this.name = 'CalculationError';
  }
}

/** The common `unsupportedReason` for an element list: 'the model knows C, H, O only; this structure has N'. */
export function elementCoverageReason(structure: Structure, elements: readonly number[] | 'all', who = 'the calculator'): string | undefined {
  if (structure.numbers.length === 0) return 'the structure has no atoms';
  if (elements === 'all') return undefined;
  const known = new Set(elements);
  const unknown = [...new Set(structure.numbers)].filter((z) => !known.has(z));
  if (unknown.length === 0) return undefined;
  return `${who} knows ${elements.map(symbolOf).join(', ')} only; this structure has ${unknown.map(symbolOf).join(', ')}`;
}

/**
 * Turns a result with a non-finite energy, force or stress into a CalculationError naming the atoms whose
 * forces are not finite (1-based in the message, 0-based in `atoms`). The one non-finite check.
 */
export function checkFinite(result: CalcResult, label = 'the structure'): CalcResult | CalculationError {
  if (!Number.isFinite(result.energy)) return new CalculationError(`${label}: the energy is not finite (${result.energy})`);
  if (result.forces) {
    const bad: number[] = [];
    for (let i = 0; i < result.forces.length; i += 3) {
      if (!(Number.isFinite(result.forces[i]!) && Number.isFinite(result.forces[i + 1]!) && Number.isFinite(result.forces[i + 2]!))) bad.push(i / 3);
    }
    if (bad.length > 0) {
      const shown = bad.slice(0, 10).map((a) => a + 1).join(', ');
      return new CalculationError(`${label}: forces on atom${bad.length > 1 ? 's' : ''} ${shown}${bad.length > 10 ? ' …' : ''} are not finite`, bad);
    }
  }
  if (result.stress && !result.stress.every(Number.isFinite)) return new CalculationError(`${label}: the stress is not finite`);
  return result;
}

/** A structure's label for messages: 'aspirin.sdf record 3' or the name. */
export function structureLabel(structure: Structure, fallbackIndex?: number): string {
  if (structure.provenance) return `${structure.provenance.file} record ${structure.provenance.record + 1}`;
  if (structure.name) return structure.name;
  return fallbackIndex !== undefined ? `structure ${fallbackIndex + 1}` : 'the structure';
}

/**
 * The per-structure loop of a calculator that evaluates one structure at a time (analytic potentials, xtb): a
 * structure `unsupportedReason` refuses, an evaluation that throws, or a non-finite result becomes a CalculationError
 * in its slot naming the structure (keeping the atoms a CalculationError names); the rest go on. An aborted signal
 * rejects, before a structure and after a failed evaluation.
 */
export async function calculateEach(
  structures: readonly Structure[],
  request: CalcRequest,
  unsupportedReason: (structure: Structure) => string | undefined,
  evaluate: (structure: Structure) => CalcResult | Promise<CalcResult>,
  /** Put before an evaluation's error message, e.g. 'GFN2-xTB: '. */
  failurePrefix = '',
): Promise<Array<CalcResult | Error>> {
  const results: Array<CalcResult | Error> = [];
  for (let s = 0; s < structures.length; s++) {
    if (request.signal?.aborted) throw request.signal.reason as Error;
    const structure = structures[s]!;
    const label = structureLabel(structure, s);
    const reason = unsupportedReason(structure);
    if (reason) {
      results.push(new CalculationError(`${label}: ${reason}`));
      continue;
    }
    try {
      results.push(checkFinite(await evaluate(structure), label));
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason as Error;
      const atoms = error instanceof CalculationError ? error.atoms : [];
      results.push(new CalculationError(`${label}: ${failurePrefix}${error instanceof Error ? error.message : String(error)}`, atoms));
    }
  }
  return results;
}

/** Largest per-atom force norm |F_i| (eV/Å) over the atoms not listed in `fixed`. */
export function maxForce(forces: ArrayLike<number>, fixed?: ReadonlySet<number>): number {
  let max = 0;
  for (let i = 0; i < forces.length / 3; i++) {
    if (fixed?.has(i)) continue;
    max = Math.max(max, Math.hypot(forces[3 * i]!, forces[3 * i + 1]!, forces[3 * i + 2]!));
  }
  return max;
}

/** Voigt order xx, yy, zz, yz, xz, xy (ASE) of a row-major 3×3 tensor. */
export function toVoigt(tensor: ArrayLike<number>): [number, number, number, number, number, number] {
  return [tensor[0]!, tensor[4]!, tensor[8]!, tensor[5]!, tensor[2]!, tensor[1]!];
}
