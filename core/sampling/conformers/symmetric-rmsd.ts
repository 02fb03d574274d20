/**
 * Symmetry-aware heavy-atom RMSD of two conformers of one molecule: the Kabsch RMSD (core/sampling/relax/rmsd.ts,
 * proper rotations only) minimised over the automorphisms of the heavy-atom bond graph, as RDKit's
 * `rdMolAlign.GetBestRMS` and CREST's duplicate test do: relabelling the three methyl carbons of a tert-butyl
 * group, the two ortho carbons of a phenyl ring or the two oxygens of a carboxylate gives the same conformer, which
 * a plain atom-by-atom RMSD would call different.
 *
 * Automorphisms are enumerated by a backtracking matcher (VF2-like, without its look-ahead): atoms are taken in
 * breadth-first order, each may map only to an atom with the same label (element, number of heavy neighbours,
 * number of hydrogens), and every already-mapped neighbour must map to a neighbour. The enumeration stops at a
 * cap (default 1000), so a very symmetric molecule (C60) gets the best RMSD over the first `cap` automorphisms.
 * Positions Å, flat [nAtoms * 3].
 */
import { perceiveBonds } from '../../perception/perceive-bonds';
import type { Structure } from '../../structure/structure';
import { alignedRmsd, heavyAtoms } from '../relax/rmsd';

/** Default cap on the number of automorphisms enumerated. */
export const DEFAULT_AUTOMORPHISM_CAP = 1000;

/** Neighbour lists (0-based, sorted) of every atom, from the structure's bonds or, when it has none, perceived ones. */
export function adjacencyOf(structure: Structure): number[][] {
  const bonds = structure.bonds && structure.bonds.length > 0 ? structure.bonds : perceiveBonds(structure);
  const neighbours: number[][] = Array.from({ length: structure.numbers.length }, () => []);
  for (const bond of bonds) {
    if (bond.a === bond.b) continue;
    if (!neighbours[bond.a]!.includes(bond.b)) neighbours[bond.a]!.push(bond.b);
    if (!neighbours[bond.b]!.includes(bond.a)) neighbours[bond.b]!.push(bond.a);
  }
  for (const list of neighbours) list.sort((x, y) => x - y);
  return neighbours;
}

/** The heavy atoms and their automorphisms, ready for repeated RMSD queries. */
export interface HeavyAtomSymmetry {
  /** Heavy atoms (Z > 1), 0-based atom indices, ascending. */
  readonly atoms: readonly number[];
  /**
   * Automorphisms as atom maps over `atoms`: `map[k]` is the atom that plays the role of `atoms[k]`. The identity
   * is first.
   */
  readonly automorphisms: readonly (readonly number[])[];
  /** True when the enumeration stopped at the cap. */
  readonly capped: boolean;
}

/**
 * Automorphisms of the heavy-atom graph of a molecule with atomic numbers `numbers` and neighbour lists
 * `adjacency` (all atoms). Labels: element, heavy-atom degree and hydrogen count.
 */
export function heavyAtomSymmetry(numbers: ArrayLike<number>, adjacency: readonly (readonly number[])[], cap = DEFAULT_AUTOMORPHISM_CAP): HeavyAtomSymmetry {
  const atoms = heavyAtoms(numbers);
  const n = atoms.length;
  if (n === 0) return { atoms, automorphisms: [], capped: false };
  const local = new Map<number, number>(atoms.map((atom, k) => [atom, k]));
  const heavyNeighbours: number[][] = atoms.map((atom) => adjacency[atom]!.filter((j) => local.has(j)).map((j) => local.get(j)!));
  const label = atoms.map((atom, k) => {
    const hydrogens = adjacency[atom]!.length - heavyNeighbours[k]!.length;
    return `${numbers[atom]}:${heavyNeighbours[k]!.length}:${hydrogens}`;
  });
  const adjacent = heavyNeighbours.map((list) => new Set(list));

  // Breadth-first order over every connected component, so each atom after the first of its component has a mapped neighbour.
  const order: number[] = [];
  const seen = new Uint8Array(n);
  for (let start = 0; start < n; start++) {
    if (seen[start]) continue;
    seen[start] = 1;
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const k = queue[q]!;
      order.push(k);
      for (const j of heavyNeighbours[k]!) {
        if (!seen[j]) {
          seen[j] = 1;
          queue.push(j);
        }
      }
    }
  }

  const image = new Int32Array(n).fill(-1);
  const used = new Uint8Array(n);
  const found: number[][] = [];
  let capped = false;
  const extend = (depth: number): void => {
    if (found.length >= cap) {
      capped = true;
      return;
    }
    if (depth === n) {
      found.push(Array.from(image, (k) => atoms[k]!));
      return;
    }
    const k = order[depth]!;
    // Candidates: neighbours of a mapped neighbour's image when there is one (connected growth), else any atom.
    const anchor = heavyNeighbours[k]!.find((j) => image[j]! >= 0);
    const candidates = anchor !== undefined ? heavyNeighbours[image[anchor]!]! : Array.from({ length: n }, (_, c) => c);
    for (const c of candidates) {
      if (used[c] || label[c] !== label[k]) continue;
      let consistent = true;
      for (let d = 0; d < depth && consistent; d++) {
        const m = order[d]!;
        if (adjacent[k]!.has(m) !== adjacent[c]!.has(image[m]!)) consistent = false;
      }
      if (!consistent) continue;
      image[k] = c;
      used[c] = 1;
      extend(depth + 1);
      image[k] = -1;
      used[c] = 0;
      if (capped) return;
    }
  };
  extend(0);
  // The identity is found first (candidates are tried in ascending order and the identity is always consistent),
  // but make sure of it, so the plain RMSD is always among those minimised over.
  const identity = atoms.slice();
  const first = found[0];
  if (!first || first.some((a, k) => a !== identity[k])) {
    const at = found.findIndex((map) => map.every((a, k) => a === identity[k]));
    if (at > 0) found.splice(at, 1);
    found.unshift(identity);
  }
  return { atoms, automorphisms: found, capped };
}

/** The symmetry of a structure's heavy atoms from its bond graph (bonds given or perceived). */
export function heavyAtomSymmetryOf(structure: Structure, cap = DEFAULT_AUTOMORPHISM_CAP): HeavyAtomSymmetry {
  return heavyAtomSymmetry(structure.numbers, adjacencyOf(structure), cap);
}

/** Plain heavy-atom RMSD after Kabsch alignment, Å (atom i to atom i). */
export function heavyAtomRmsd(mobile: ArrayLike<number>, target: ArrayLike<number>, symmetry: HeavyAtomSymmetry): number {
  return alignedRmsd(mobile, target, symmetry.atoms);
}

/**
 * The smallest heavy-atom RMSD after Kabsch alignment over the automorphisms, Å: min over maps π of
 * RMSD({mobile[π(a)]}, {target[a]}). Stops early below `stopBelow` (a duplicate test needs no better answer).
 */
export function symmetricRmsd(mobile: ArrayLike<number>, target: ArrayLike<number>, symmetry: HeavyAtomSymmetry, stopBelow = 0): number {
  const { atoms } = symmetry;
  if (atoms.length === 0) return 0;
  if (mobile.length !== target.length) throw new RangeError(`symmetricRmsd: the structures have ${mobile.length / 3} and ${target.length / 3} atoms`);
  const k = atoms.length;
  const fixed = new Float64Array(3 * k);
  for (let i = 0; i < k; i++) for (let c = 0; c < 3; c++) fixed[3 * i + c] = target[3 * atoms[i]! + c]!;
  const moved = new Float64Array(3 * k);
  let best = Infinity;
  for (const map of symmetry.automorphisms) {
    for (let i = 0; i < k; i++) for (let c = 0; c < 3; c++) moved[3 * i + c] = mobile[3 * map[i]! + c]!;
    const rmsd = alignedRmsd(moved, fixed);
    if (rmsd < best) best = rmsd;
    if (best < stopBelow) break;
  }
  return best;
}
