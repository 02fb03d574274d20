/**
 * Which perceived bonds a crystal view draws, after VESTA's default bond search (K. Momma & F. Izumi,
 * J. Appl. Cryst. 44, 1272 (2011)): a pair bonds when its distance is within the pair's cutoff
 * (covalent radii r_a + r_b + BOND_TOLERANCE, Å, as for molecules) and the pair is not cation–cation:
 * two metals never bond, so pure metals (fcc Cu) and intermetallics draw no bonds, and rutile TiO2 draws
 * Ti–O only. Anion–anion pairs (O–O, Cl–Cl) only bond at covalent distances, which ionic crystals never
 * reach, while covalent frameworks (SiO2, diamond) and molecular crystals keep their bonds.
 * Coordination polyhedra are drawn around atoms whose bonded neighbours are all more electronegative
 * (Pauling scale) and number at least MIN_POLYHEDRON_VERTICES. Pure (no three, no DOM).
 */
import type { Structure } from '../../core/structure';
import type { ViewBonds } from './bonds';

/**
 * Non-metals and metalloids (B, Si, Ge, As, Sb, Te, At): atoms that bond covalently to one another and act as
 * anions (or framework formers) towards metals. Every other element counts as a metal.
 */
const NON_METALS = new Set([1, 2, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32, 33, 34, 35, 36, 51, 52, 53, 54, 85, 86]);

/** Pauling electronegativities for Z = 0..96 (CRC Handbook); 0 where none is tabulated (He, Ne, Ar). */
const PAULING: readonly number[] = [
  0, 2.2, 0, 0.98, 1.57, 2.04, 2.55, 3.04, 3.44, 3.98, 0,
  0.93, 1.31, 1.61, 1.9, 2.19, 2.58, 3.16, 0,
  0.82, 1.0, 1.36, 1.54, 1.63, 1.66, 1.55, 1.83, 1.88, 1.91, 1.9, 1.65, 1.81, 2.01, 2.18, 2.55, 2.96, 3.0,
  0.82, 0.95, 1.22, 1.33, 1.6, 2.16, 1.9, 2.2, 2.28, 2.2, 1.93, 1.69, 1.78, 1.96, 2.05, 2.1, 2.66, 2.6,
  0.79, 0.89, 1.1, 1.12, 1.13, 1.14, 1.13, 1.17, 1.2, 1.2, 1.1, 1.22, 1.23, 1.24, 1.25, 1.1, 1.27,
  1.3, 1.5, 2.36, 1.9, 2.2, 2.2, 2.28, 2.54, 2.0, 1.62, 2.33, 2.02, 2.0, 2.2, 2.2,
  0.7, 0.9, 1.1, 1.3, 1.5, 1.38, 1.36, 1.28, 1.3, 1.3,
];

/** A polyhedron needs at least this many vertices (a tetrahedron). */
export const MIN_POLYHEDRON_VERTICES = 4;

export function isMetal(atomicNumber: number): boolean {
  return atomicNumber > 0 && !NON_METALS.has(atomicNumber);
}

/** Pauling electronegativity; 0 where none is tabulated. */
export function electronegativityOf(atomicNumber: number): number {
  return PAULING[atomicNumber] ?? 0;
}

/** True when a crystal view draws a bond between elements za and zb found within their cutoff: not metal–metal. */
export function crystalPairBonds(za: number, zb: number): boolean {
  return !(isMetal(za) && isMetal(zb));
}

/** The bonds of `bonds` (perceived within the covalent cutoffs) that a crystal view keeps: no metal–metal pairs. */
export function crystalBondsOf(structure: Structure, bonds: ViewBonds): ViewBonds {
  const keep: number[] = [];
  for (let t = 0; t < bonds.count; t++) {
    if (crystalPairBonds(structure.numbers[bonds.a[t]!]!, structure.numbers[bonds.b[t]!]!)) keep.push(t);
  }
  if (keep.length === bonds.count) return bonds;
  const shift = new Int16Array(3 * keep.length);
  keep.forEach((t, k) => shift.set(bonds.shift.subarray(3 * t, 3 * t + 3), 3 * k));
  return {
    count: keep.length,
    a: Int32Array.from(keep, (t) => bonds.a[t]!),
    b: Int32Array.from(keep, (t) => bonds.b[t]!),
    shift,
    order: Float32Array.from(keep, (t) => bonds.order[t]!),
  };
}

/** One bonded neighbour of an atom: the neighbour's index and the cell image it sits in, relative to the atom. */
export interface Neighbour {
  readonly atom: number;
  readonly shift: readonly [number, number, number];
}

/** Bonded neighbours of every atom (both directions of each bond). */
export function neighboursOf(atomCount: number, bonds: ViewBonds): Neighbour[][] {
  const out: Neighbour[][] = Array.from({ length: atomCount }, () => []);
  for (let t = 0; t < bonds.count; t++) {
    const a = bonds.a[t]!, b = bonds.b[t]!;
    const s0 = bonds.shift[3 * t]!, s1 = bonds.shift[3 * t + 1]!, s2 = bonds.shift[3 * t + 2]!;
    out[a]!.push({ atom: b, shift: [s0, s1, s2] });
    out[b]!.push({ atom: a, shift: [-s0, -s1, -s2] });
  }
  return out;
}

/** Coordination number (bonded neighbours, periodic images counted) of every atom. */
export function coordinationNumbers(atomCount: number, bonds: ViewBonds): Int32Array {
  const out = new Int32Array(atomCount);
  for (let t = 0; t < bonds.count; t++) {
    out[bonds.a[t]!]!++;
    out[bonds.b[t]!]!++;
  }
  return out;
}

/**
 * Per atom: true when it is drawn as a coordination polyhedron centre: at least MIN_POLYHEDRON_VERTICES
 * bonded neighbours, every one more electronegative than the atom itself (Ti in TiO2, Na in NaCl, Si in SiO2;
 * not O, Cl, or C in diamond).
 */
export function polyhedronCentres(structure: Structure, neighbours: readonly (readonly Neighbour[])[]): Uint8Array {
  const out = new Uint8Array(structure.numbers.length);
  for (let i = 0; i < out.length; i++) {
    const list = neighbours[i]!;
    if (list.length < MIN_POLYHEDRON_VERTICES) continue;
    const own = electronegativityOf(structure.numbers[i]!);
    if (own > 0 && list.every((n) => electronegativityOf(structure.numbers[n.atom]!) > own)) out[i] = 1;
  }
  return out;
}
