/**
 * Did a sampled conformer stay the same molecule? Two checks against the source structure, as CREST's topology
 * check (and RDKit's `AssignStereochemistryFrom3D`) does in spirit:
 *  - connectivity: the bond graph perceived from covalent radii (core/perception/perceive-bonds.ts) is the same;
 *  - stereo: every tetrahedral stereocentre keeps the sign of its signed volume (p1 − c)·((p2 − c)×(p3 − c)) over
 *    its first three neighbours in ascending atom order, and every stereogenic double bond keeps its cis/trans
 *    relation (the sign of the cosine of the dihedral between the lowest-numbered substituent on each end).
 * A stereocentre is an atom with four neighbours in four different graph classes (refined Morgan-style
 * extended connectivity: element and degree, refined by the neighbours' classes until stable), so CH2 and CH3
 * groups whose hydrogens swap places are not counted. Double bonds are the structure's order-2 bonds; a structure
 * without bond orders gets acyclic bonds between two trigonal carbons (or a trigonal carbon and a two-coordinate
 * nitrogen) as short as a double bond (C=C ≤ 1.40 Å, C=N ≤ 1.33 Å) and planar in the source. Positions Å, flat [nAtoms * 3]; atoms 1-based in messages.
 */
import { perceiveBonds } from '../../perception/perceive-bonds';
import type { Structure } from '../../structure/structure';
import { atomVector, cross, dot, norm } from '../../util/vec3';

/** A neighbour list (0-based, ascending) per atom, from covalent-radius perception of `positions`. */
export function perceivedAdjacency(structure: Structure, positions: Float64Array = structure.positions): number[][] {
  const neighbours: number[][] = Array.from({ length: structure.numbers.length }, () => []);
  for (const bond of perceiveBonds({ ...structure, positions })) {
    neighbours[bond.a]!.push(bond.b);
    neighbours[bond.b]!.push(bond.a);
  }
  for (const list of neighbours) list.sort((x, y) => x - y);
  return neighbours;
}

/** The bonds present in one graph and not the other, as '3-7 formed' / '2-5 broken' (1-based), or [] when equal. */
export function connectivityChanges(reference: readonly (readonly number[])[], candidate: readonly (readonly number[])[]): string[] {
  const changes: string[] = [];
  for (let i = 0; i < reference.length; i++) {
    const before = new Set(reference[i]);
    const after = new Set(candidate[i]);
    for (const j of before) if (j > i && !after.has(j)) changes.push(`${i + 1}-${j + 1} broken`);
    for (const j of after) if (j > i && !before.has(j)) changes.push(`${i + 1}-${j + 1} formed`);
  }
  return changes;
}

/** Graph classes: atoms in the same class are indistinguishable by element and extended connectivity. */
export function graphClasses(numbers: ArrayLike<number>, adjacency: readonly (readonly number[])[]): number[] {
  const n = numbers.length;
  let classes = Array.from({ length: n }, (_, i) => `${numbers[i]}:${adjacency[i]!.length}`);
  let count = new Set(classes).size;
  for (let round = 0; round < n; round++) {
    const next = classes.map((c, i) => `${c}|${adjacency[i]!.map((j) => classes[j]!).sort().join(',')}`);
    // Renumber so the strings stay short.
    const ids = new Map<string, number>();
    for (const key of [...new Set(next)].sort()) ids.set(key, ids.size);
    const renamed = next.map((key) => String(ids.get(key)!));
    const nextCount = ids.size;
    classes = renamed;
    if (nextCount === count) break;
    count = nextCount;
  }
  const ids = new Map<string, number>();
  return classes.map((c) => {
    if (!ids.has(c)) ids.set(c, ids.size);
    return ids.get(c)!;
  });
}

interface Centre {
  readonly atom: number;
  readonly neighbours: readonly [number, number, number];
  readonly sign: number;
}

interface DoubleBond {
  readonly a: number;
  readonly b: number;
  /** The lowest-numbered substituents of a and b (other than b and a). */
  readonly ra: number;
  readonly rb: number;
  /** Sign of cos(dihedral ra-a-b-rb) in the source: +1 cis, −1 trans. */
  readonly sign: number;
}

/** The stereo elements of the source structure, to compare conformers against. */
export interface StereoReference {
  readonly centres: readonly Centre[];
  readonly doubleBonds: readonly DoubleBond[];
}

/** Signed volume of the first three neighbours around `atom`, normalised by their lengths (−1..1). */
export function chiralVolume(positions: ArrayLike<number>, atom: number, neighbours: readonly [number, number, number]): number {
  const u = atomVector(positions, atom, neighbours[0]);
  const v = atomVector(positions, atom, neighbours[1]);
  const w = atomVector(positions, atom, neighbours[2]);
  return dot(u, cross(v, w)) / Math.max(norm(u) * norm(v) * norm(w), 1e-12);
}

/** cos of the dihedral i-j-k-l. */
export function dihedralCosine(positions: ArrayLike<number>, i: number, j: number, k: number, l: number): number {
  const b1 = atomVector(positions, i, j);
  const b2 = atomVector(positions, j, k);
  const b3 = atomVector(positions, k, l);
  const n1 = cross(b1, b2);
  const n2 = cross(b2, b3);
  return dot(n1, n2) / Math.max(norm(n1) * norm(n2), 1e-12);
}

/** True when removing the bond a-b leaves a and b connected (the bond is in a ring). */
function inRing(adjacency: readonly (readonly number[])[], a: number, b: number): boolean {
  const seen = new Set([a]);
  const queue = [a];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (const j of adjacency[i]!) {
      if ((i === a && j === b) || seen.has(j)) continue;
      if (j === b) return true;
      seen.add(j);
      queue.push(j);
    }
  }
  return false;
}

/** Double bonds to check: order-2 bonds of the structure, else trigonal acyclic planar C=C / C=N of the source. */
function doubleBondCandidates(structure: Structure, adjacency: readonly (readonly number[])[]): Array<[number, number]> {
  const ordered = (structure.bonds ?? []).filter((bond) => bond.order === 2).map((bond) => [bond.a, bond.b] as [number, number]);
  const hasOrders = (structure.bonds ?? []).some((bond) => bond.order !== 1);
  if (hasOrders) return ordered;
  const numbers = structure.numbers;
  const trigonal = (i: number) => (numbers[i] === 6 && adjacency[i]!.length === 3) || (numbers[i] === 7 && adjacency[i]!.length === 2);
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < numbers.length; a++) {
    for (const b of adjacency[a]!) {
      if (b <= a || !trigonal(a) || !trigonal(b) || (numbers[a] !== 6 && numbers[b] !== 6)) continue;
      // Double-bond lengths only: C=C ≈ 1.34 Å, C=N ≈ 1.28 Å; conjugated single bonds (dienes, biaryls, 1.45–1.49 Å)
      // turn between conformers (s-cis / s-trans) and must not count.
      const p = structure.positions;
      const r = Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
      if (r > (numbers[a] === 7 || numbers[b] === 7 ? 1.33 : 1.4)) continue;
      if (inRing(adjacency, a, b)) continue;
      pairs.push([a, b]);
    }
  }
  return pairs;
}

/** The stereocentres and stereogenic double bonds of `structure` under the bond graph `adjacency`. */
export function stereoReference(structure: Structure, adjacency: readonly (readonly number[])[]): StereoReference {
  const classes = graphClasses(structure.numbers, adjacency);
  const p = structure.positions;
  const centres: Centre[] = [];
  for (let atom = 0; atom < structure.numbers.length; atom++) {
    const neighbours = adjacency[atom]!;
    if (neighbours.length !== 4) continue;
    if (new Set(neighbours.map((j) => classes[j])).size !== 4) continue;
    const first: [number, number, number] = [neighbours[0]!, neighbours[1]!, neighbours[2]!];
    const volume = chiralVolume(p, atom, first);
    if (Math.abs(volume) < 0.1) continue; // flat in the source: no defined configuration to keep
    centres.push({ atom, neighbours: first, sign: Math.sign(volume) });
  }
  const doubleBonds: DoubleBond[] = [];
  for (const [a, b] of doubleBondCandidates(structure, adjacency)) {
    const sa = adjacency[a]!.filter((j) => j !== b);
    const sb = adjacency[b]!.filter((j) => j !== a);
    if (sa.length === 0 || sb.length === 0) continue;
    // Two equal substituents on one end (=CH2, =C(CH3)2): no E/Z.
    if (sa.length === 2 && classes[sa[0]!] === classes[sa[1]!]) continue;
    if (sb.length === 2 && classes[sb[0]!] === classes[sb[1]!]) continue;
    const cosine = dihedralCosine(p, sa[0]!, a, b, sb[0]!);
    if (Math.abs(cosine) < 0.5) continue; // twisted in the source: no defined E/Z
    doubleBonds.push({ a, b, ra: sa[0]!, rb: sb[0]!, sign: Math.sign(cosine) });
  }
  return { centres, doubleBonds };
}

/** What changed in `positions` against the reference: 'atom 3 inverted', 'double bond 2=5 E/Z flipped' (1-based). */
export function stereoChanges(reference: StereoReference, positions: ArrayLike<number>): string[] {
  const changes: string[] = [];
  for (const centre of reference.centres) {
    if (Math.sign(chiralVolume(positions, centre.atom, centre.neighbours)) !== centre.sign) changes.push(`atom ${centre.atom + 1} inverted`);
  }
  for (const bond of reference.doubleBonds) {
    if (Math.sign(dihedralCosine(positions, bond.ra, bond.a, bond.b, bond.rb)) !== bond.sign) {
      changes.push(`double bond ${bond.a + 1}=${bond.b + 1} E/Z flipped`);
    }
  }
  return changes;
}
