/**
 * Torsion-space Monte Carlo moves for the conformer sampler: rotate the smaller side of a rotatable bond about the
 * bond axis by a uniform random angle in (−π, π] (a symmetric proposal, so Metropolis acceptance at the rung
 * temperature keeps the Boltzmann density invariant; cf. the torsion moves of Monte Carlo conformer searches,
 * Chang, Guida, Still, J. Am. Chem. Soc. 111, 4379 (1989)).
 *
 * A bond is rotatable when it is single (order 1 from the file or assigned by core/chem/bond-orders.ts; with only
 * perceived connectivity, when either end is saturated: C with 4, N with 3 or O/S with 2 neighbours), not in a ring
 * (removing it disconnects the graph) and each end either has another heavy-atom neighbour or is a polar-hydrogen
 * rotor: an O or S with one H, or an N with one or two H, and nothing else (hydroxyl, thiol, amine and amide
 * hydrogens: the rotor that forms or breaks an intramolecular hydrogen bond, which Langevin steps alone rarely
 * turn). Methyl and other symmetric CH3/NH3 spins are left out: every angle of them is the same state.
 * Positions Å, angles rad.
 */
import { chemicalBonds } from '../../chem/bond-orders';
import { perceiveBonds } from '../../perception/perceive-bonds';
import type { Bond, Structure } from '../../structure/structure';

export interface RotatableBond {
  /** 0-based atoms of the bond; `moving` are on b's side (b included), the smaller side. */
  readonly a: number;
  readonly b: number;
  readonly moving: Int32Array;
}

const SATURATED_DEGREE: Readonly<Record<number, number>> = { 6: 4, 7: 3, 8: 2, 16: 2 };
/** Largest number of hydrogens a polar-hydrogen rotor end carries, by element (N: NH and NH2; O and S: OH, SH). */
const POLAR_ROTOR_HYDROGENS: Readonly<Record<number, number>> = { 7: 2, 8: 1, 16: 1 };

/** Atoms reachable from `start` without crossing the bond start–`blocked`; undefined when `blocked` is reached (a ring). */
function sideOf(neighbours: readonly number[][], start: number, blocked: number): number[] | undefined {
  const seen = new Set<number>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const atom = stack.pop()!;
    for (const next of neighbours[atom]!) {
      if (atom === start && next === blocked) continue;
      if (next === blocked) return undefined;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return [...seen];
}

/** The rotatable bonds of a molecule (none for crystals). */
export function rotatableBonds(structure: Structure): RotatableBond[] {
  if (structure.cell && structure.pbc.some((p) => p)) return [];
  const n = structure.numbers.length;
  const assigned = chemicalBonds(structure);
  const bonds: readonly Bond[] = assigned?.bonds ?? structure.bonds ?? perceiveBonds(structure);
  const ordersKnown = assigned !== undefined;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const bond of bonds) {
    if (bond.order === 0) continue;
    neighbours[bond.a]!.push(bond.b);
    neighbours[bond.b]!.push(bond.a);
  }
  const heavy = (atom: number): boolean => structure.numbers[atom]! > 1;
  const saturated = (atom: number): boolean => SATURATED_DEGREE[structure.numbers[atom]!] === neighbours[atom]!.length;
  /** `end` of the bond to `partner` turns something that changes the state: a heavy atom beyond it, or polar hydrogens. */
  const turnsSomething = (end: number, partner: number): boolean => {
    const others = neighbours[end]!.filter((x) => x !== partner);
    if (others.some(heavy)) return true;
    const maxHydrogens = POLAR_ROTOR_HYDROGENS[structure.numbers[end]!] ?? 0;
    return others.length >= 1 && others.length <= maxHydrogens;
  };
  const result: RotatableBond[] = [];
  for (const bond of bonds) {
    const { a, b } = bond;
    if (!heavy(a) || !heavy(b)) continue;
    if (ordersKnown ? bond.order !== 1 : !(saturated(a) || saturated(b))) continue;
    if (!turnsSomething(a, b) || !turnsSomething(b, a)) continue;
    // A dihedral needs a third atom on each side: a polar-hydrogen end's partner must have another neighbour.
    if (!neighbours[a]!.some((x) => x !== b) || !neighbours[b]!.some((x) => x !== a)) continue;
    const sideB = sideOf(neighbours, b, a);
    if (!sideB) continue; // ring bond
    const smallerOnB = 2 * sideB.length <= n;
    const moving = smallerOnB ? sideB : sideOf(neighbours, a, b)!;
    result.push(smallerOnB ? { a, b, moving: Int32Array.from(moving) } : { a: b, b: a, moving: Int32Array.from(moving) });
  }
  return result;
}

/** Rotates `moving` atoms of `positions` [n*3] Å about the axis a→b by `angle` rad (Rodrigues' formula); a new array. */
export function rotateAboutBond(positions: Float64Array, bond: RotatableBond, angle: number): Float64Array {
  const out = Float64Array.from(positions);
  const ax = positions[3 * bond.a]!, ay = positions[3 * bond.a + 1]!, az = positions[3 * bond.a + 2]!;
  let ux = positions[3 * bond.b]! - ax, uy = positions[3 * bond.b + 1]! - ay, uz = positions[3 * bond.b + 2]! - az;
  const length = Math.hypot(ux, uy, uz);
  if (!(length > 0)) return out;
  ux /= length; uy /= length; uz /= length;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  for (const atom of bond.moving) {
    const px = positions[3 * atom]! - ax, py = positions[3 * atom + 1]! - ay, pz = positions[3 * atom + 2]! - az;
    const dot = ux * px + uy * py + uz * pz;
    const cx = uy * pz - uz * py, cy = uz * px - ux * pz, cz = ux * py - uy * px;
    out[3 * atom] = ax + px * cos + cx * sin + ux * dot * (1 - cos);
    out[3 * atom + 1] = ay + py * cos + cy * sin + uy * dot * (1 - cos);
    out[3 * atom + 2] = az + pz * cos + cz * sin + uz * dot * (1 - cos);
  }
  return out;
}

/**
 * The SMC `move` for these bonds: one uniformly chosen rotatable bond, an angle uniform in (−π, π]; undefined
 * (no move) when the molecule has no rotatable bond.
 */
export function createTorsionMove(bonds: readonly RotatableBond[]): ((state: Float64Array, uniform: () => number) => Float64Array | undefined) | undefined {
  if (bonds.length === 0) return undefined;
  return (state, uniform) => {
    const bond = bonds[Math.min(bonds.length - 1, Math.floor(uniform() * bonds.length))]!;
    return rotateAboutBond(state, bond, Math.PI * (2 * uniform() - 1));
  };
}
