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
 *
 * Also nitrogen inversion of a secondary amine (an sp3 N with one H and two heavy neighbours): the H reflected
 * through the plane of N and its two heavy neighbours, which is the other invertomer with every bond length and
 * angle at N kept. Torsions alone cannot reach it, and it decides which side an N lone pair (an O−H···N hydrogen
 * bond) points to. A reflection is its own inverse, so this proposal too is symmetric.
 */
import { chemicalBonds } from '../../chem/bond-orders';
import { perceiveBonds } from '../../perception/perceive-bonds';
import type { Bond, Structure } from '../../structure/structure';
import { atomVector, cross, dot, norm } from '../../util/vec3';

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
  const { bonds, ordersKnown } = moleculeBonds(structure);
  const neighbours = neighbourLists(n, bonds);
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

/** A secondary-amine nitrogen that can invert: the N, its H, and its two heavy neighbours (0-based). */
export interface InvertibleNitrogen {
  readonly nitrogen: number;
  readonly hydrogen: number;
  readonly plane: readonly [number, number];
}

/**
 * Out-of-plane height (Å) below which an N counts as planar (amides, anilines, sulfonamides: sp2-like, where a
 * reflection would change nothing); an sp3 amine N stands ~0.35 Å above the plane of its three neighbours.
 */
const PLANAR_NITROGEN_HEIGHT = 0.15;

/**
 * The bonds of a molecule: orders assigned by core/chem/bond-orders.ts (`ordersKnown`), else the file's, else
 * perceived connectivity.
 */
function moleculeBonds(structure: Structure): { readonly bonds: readonly Bond[]; readonly ordersKnown: boolean } {
  const assigned = chemicalBonds(structure);
  return { bonds: assigned?.bonds ?? structure.bonds ?? perceiveBonds(structure), ordersKnown: assigned !== undefined };
}

function neighbourLists(atoms: number, bonds: readonly Bond[]): number[][] {
  const neighbours: number[][] = Array.from({ length: atoms }, () => []);
  for (const bond of bonds) {
    if (bond.order === 0) continue;
    neighbours[bond.a]!.push(bond.b);
    neighbours[bond.b]!.push(bond.a);
  }
  return neighbours;
}

/** Distance (Å) of atom p from the plane through atoms a, b, c of flat `positions`; 0 for a degenerate plane. */
function heightAbovePlane(positions: Float64Array, p: number, a: number, b: number, c: number): number {
  const normal = cross(atomVector(positions, a, b), atomVector(positions, a, c));
  const length = norm(normal);
  return length > 0 ? Math.abs(dot(normal, atomVector(positions, a, p))) / length : 0;
}

/** The secondary-amine nitrogens of a molecule that are pyramidal in its geometry (none for crystals). */
export function invertibleNitrogens(structure: Structure): InvertibleNitrogen[] {
  if (structure.cell && structure.pbc.some((p) => p)) return [];
  const neighbours = neighbourLists(structure.numbers.length, moleculeBonds(structure).bonds);
  const result: InvertibleNitrogen[] = [];
  structure.numbers.forEach((z, atom) => {
    const around = neighbours[atom]!;
    if (z !== 7 || around.length !== 3) return;
    const hydrogens = around.filter((x) => structure.numbers[x] === 1);
    const heavy = around.filter((x) => structure.numbers[x]! > 1);
    if (hydrogens.length !== 1 || heavy.length !== 2) return;
    if (heightAbovePlane(structure.positions, atom, around[0]!, around[1]!, around[2]!) < PLANAR_NITROGEN_HEIGHT) return;
    result.push({ nitrogen: atom, hydrogen: hydrogens[0]!, plane: [heavy[0]!, heavy[1]!] });
  });
  return result;
}

/** Reflects the N's hydrogen through the plane of the N and its two heavy neighbours; a new array. */
export function invertNitrogen(positions: Float64Array, site: InvertibleNitrogen): Float64Array {
  const out = Float64Array.from(positions);
  const [a, b] = site.plane;
  const normal = cross(atomVector(positions, site.nitrogen, a), atomVector(positions, site.nitrogen, b));
  const length = norm(normal);
  if (!(length > 0)) return out;
  const offset = dot(normal, atomVector(positions, site.nitrogen, site.hydrogen)) / length;
  for (let k = 0; k < 3; k++) out[3 * site.hydrogen + k] = positions[3 * site.hydrogen + k]! - (2 * offset * normal[k]!) / length;
  return out;
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
 * The SMC `move` for these bonds and nitrogens: one uniformly chosen site; a bond turns by an angle uniform in
 * (−π, π], a nitrogen inverts. Undefined (no move) when the molecule has neither.
 */
export function createTorsionMove(
  bonds: readonly RotatableBond[],
  nitrogens: readonly InvertibleNitrogen[] = [],
): ((state: Float64Array, uniform: () => number) => Float64Array | undefined) | undefined {
  const sites = bonds.length + nitrogens.length;
  if (sites === 0) return undefined;
  return (state, uniform) => {
    const site = Math.min(sites - 1, Math.floor(uniform() * sites));
    if (site >= bonds.length) return invertNitrogen(state, nitrogens[site - bonds.length]!);
    return rotateAboutBond(state, bonds[site]!, Math.PI * (2 * uniform() - 1));
  };
}
