/**
 * Fixed atoms during a relaxation, as ASE's constraints do it:
 *   - fully fixed atoms (`RelaxOptions.fixed`, and POSCAR selective dynamics 'F F F'): ASE `FixAtoms`, forces zeroed,
 *     displacement zeroed: the atom does not move at all (with a cell filter it keeps its fractional coordinates);
 *   - atoms fixed along some axes (selective dynamics 'T F T'): ASE `FixScaled` for periodic structures (the
 *     fractional coordinates along the fixed cell vectors are kept, as ASE's POSCAR reader sets it up) and
 *     `FixCartesian` for molecules (the Cartesian components are kept).
 * Follows ASE 3.22.1 `ase/constraints.py` (FixAtoms, FixScaled.adjust_forces / adjust_positions, FixCartesian).
 * Forces on fixed atoms are zeroed before the optimizer sees them, so fmax ignores them.
 */
import { SELECTIVE_DYNAMICS_ARRAY } from '../../formats/poscar/index';
import type { Structure } from '../../structure/structure';
import type { FixedAtoms } from '../frames';
import { inverse3 } from './matrix-exp';

/** Per-atom axes fixed (true = fixed), for atoms fixed along some but not all axes. */
export type AxisMask = readonly [boolean, boolean, boolean];

export interface AtomConstraints {
  /** Atoms that do not move (0-based). */
  readonly fixed: ReadonlySet<number>;
  /** Atoms fixed along some axes only. */
  readonly partial: ReadonlyMap<number, AxisMask>;
  /** How `partial` axes are read: along the cell vectors (FixScaled) or Cartesian x, y, z (FixCartesian). */
  readonly frame: 'scaled' | 'cartesian';
}

/** The constraints of a structure: `fixed` plus its own selective-dynamics flags. Throws RangeError for atoms that do not exist. */
export function atomConstraints(structure: Structure, fixed?: FixedAtoms): AtomConstraints {
  const nAtoms = structure.numbers.length;
  const all = new Set<number>();
  for (const atom of fixed ?? []) {
    if (!(Number.isInteger(atom) && atom >= 0 && atom < nAtoms)) {
      throw new RangeError(`fixed atom ${atom + 1} does not exist (the structure has ${nAtoms} atoms)`);
    }
    all.add(atom);
  }
  const partial = new Map<number, AxisMask>();
  const flags = structure.atomArrays[SELECTIVE_DYNAMICS_ARRAY];
  if (flags && flags.kind === 'bool' && flags.width === 3) {
    for (let i = 0; i < nAtoms; i++) {
      const free: AxisMask = [flags.data[3 * i] !== 0, flags.data[3 * i + 1] !== 0, flags.data[3 * i + 2] !== 0];
      if (!free[0] && !free[1] && !free[2]) all.add(i);
      else if (!(free[0] && free[1] && free[2]) && !all.has(i)) partial.set(i, [!free[0], !free[1], !free[2]]);
    }
  }
  for (const atom of all) partial.delete(atom);
  const periodic = structure.cell !== undefined && structure.pbc.every(Boolean);
  return { fixed: all, partial, frame: periodic ? 'scaled' : 'cartesian' };
}

export function hasConstraints(constraints: AtomConstraints): boolean {
  return constraints.fixed.size > 0 || constraints.partial.size > 0;
}

/** Row vector v (3) times a row-major 3×3 matrix m. */
function rowTimes(v0: number, v1: number, v2: number, m: ArrayLike<number>): [number, number, number] {
  return [v0 * m[0]! + v1 * m[3]! + v2 * m[6]!, v0 * m[1]! + v1 * m[4]! + v2 * m[7]!, v0 * m[2]! + v1 * m[5]! + v2 * m[8]!];
}

/**
 * Zeroes the constrained force components in place (eV/Å). For FixScaled, as ASE: f_s = f·cell, the fixed
 * components of f_s zeroed, f = f_s·cell⁻¹ (`cell` rows a, b, c, Å).
 */
export function adjustForces(constraints: AtomConstraints, forces: Float64Array, cell?: ArrayLike<number>): void {
  for (const atom of constraints.fixed) forces.fill(0, 3 * atom, 3 * atom + 3);
  if (constraints.partial.size === 0) return;
  const scaled = constraints.frame === 'scaled' && cell !== undefined;
  const inverse = scaled ? inverse3(cell) : undefined;
  for (const [atom, mask] of constraints.partial) {
    let v: [number, number, number] = [forces[3 * atom]!, forces[3 * atom + 1]!, forces[3 * atom + 2]!];
    if (scaled) v = rowTimes(v[0], v[1], v[2], cell);
    for (let k = 0; k < 3; k++) if (mask[k]) v[k] = 0;
    if (inverse) v = rowTimes(v[0], v[1], v[2], inverse);
    forces.set(v, 3 * atom);
  }
}

/**
 * Zeroes the constrained components of a displacement in place (Å). For FixScaled the fractional displacement
 * d·cell⁻¹ along the fixed cell vectors is zeroed (ASE keeps those scaled coordinates), d = d_s·cell.
 */
export function adjustDisplacement(constraints: AtomConstraints, displacement: Float64Array, cell?: ArrayLike<number>): void {
  for (const atom of constraints.fixed) displacement.fill(0, 3 * atom, 3 * atom + 3);
  if (constraints.partial.size === 0) return;
  const scaled = constraints.frame === 'scaled' && cell !== undefined;
  const inverse = scaled ? inverse3(cell) : undefined;
  for (const [atom, mask] of constraints.partial) {
    let v: [number, number, number] = [displacement[3 * atom]!, displacement[3 * atom + 1]!, displacement[3 * atom + 2]!];
    if (inverse) v = rowTimes(v[0], v[1], v[2], inverse);
    for (let k = 0; k < 3; k++) if (mask[k]) v[k] = 0;
    if (scaled) v = rowTimes(v[0], v[1], v[2], cell);
    displacement.set(v, 3 * atom);
  }
}
