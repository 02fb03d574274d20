/**
 * Verlet neighbour lists for the analytic pair potentials (L. Verlet, Phys. Rev. 159, 98 (1967); Allen & Tildesley,
 * Computer Simulation of Liquids, 2nd ed. §5.3): the pairs within cutoff + skin are listed once, and the list is
 * reused while no atom has moved more than skin/2 since it was built — then no pair that was farther apart than
 * cutoff + skin can have come within the cutoff (each of its two atoms moved at most skin/2).
 *
 * A list is a half list: each pair once, i < j, and an atom's own periodic image (i = j) only for the offset n
 * that is lexicographically positive (its mirror −n gives the same pair). Image offsets are kept as integers n,
 * and their Cartesian shifts n·cell (Å) are computed once per build, so that the pair vector is
 * d = r_j + n·cell − r_i (Å), as in ASE's `NeighborList` / `LennardJones` loop.
 *
 * The cache keeps the lists of a few structures (per calculator instance): a list is reused for a structure with
 * the same atom count, atomic numbers, pbc and cell (bit for bit) whose every atom lies within skin/2 of the
 * positions the list was built from; anything else builds a new list. Units: Å. Pure TypeScript, no tfjs.
 */
import type { Structure } from '../../structure/structure';
import { neighbourList } from '../../engine/geometry/neighbour-list';

/** Pairs (i, j, n) with |r_j + n·cell − r_i| < cutoff + skin at build time, each pair once. */
export interface PairList {
  readonly count: number;
  /** [count] first atom i (0-based). */
  readonly first: Int32Array;
  /** [count] second atom j (0-based). */
  readonly second: Int32Array;
  /** [count * 3] integer lattice offsets n of j's image. */
  readonly offsets: Int32Array;
  /** [count * 3] Cartesian shifts n·cell (Å). */
  readonly shifts: Float64Array;
}

interface CachedList {
  readonly numbers: Uint8Array;
  readonly pbc: readonly [boolean, boolean, boolean];
  readonly cell: Float64Array | undefined;
  /** Positions (Å) the list was built from. */
  readonly reference: Float64Array;
  readonly list: PairList;
}

/** Pair searches (pairs × images) up to which the direct O(N² · images) search is used instead of cell lists. */
const DIRECT_SEARCH_LIMIT = 4e6;

function invertCell3(m: ArrayLike<number>): number[] | undefined {
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[3]!, e = m[4]!, f = m[5]!, g = m[6]!, h = m[7]!, i = m[8]!;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const s = 1 / det;
  return [(e * i - f * h) * s, (c * h - b * i) * s, (b * f - c * e) * s, (f * g - d * i) * s, (a * i - c * g) * s, (c * d - a * f) * s, (d * h - e * g) * s, (b * g - a * h) * s, (a * e - b * d) * s];
}

function grown(values: Int32Array, size: number): Int32Array {
  const larger = new Int32Array(size);
  larger.set(values);
  return larger;
}

/** A growable set of pairs (typed arrays doubled as needed). */
class PairBuffer {
  count = 0;
  first: Int32Array = new Int32Array(256);
  second: Int32Array = new Int32Array(256);
  offsets: Int32Array = new Int32Array(768);
  push(i: number, j: number, n0: number, n1: number, n2: number): void {
    if (this.count === this.first.length) {
      this.first = grown(this.first, 2 * this.count);
      this.second = grown(this.second, 2 * this.count);
      this.offsets = grown(this.offsets, 6 * this.count);
    }
    const k = this.count++;
    this.first[k] = i;
    this.second[k] = j;
    this.offsets[3 * k] = n0;
    this.offsets[3 * k + 1] = n1;
    this.offsets[3 * k + 2] = n2;
  }
}

/**
 * The half pair list from the engine's cell-list neighbour list (core/engine/geometry/neighbour-list.ts, both
 * directions), keeping i < j and, for i = j, the positive offsets. Throws RangeError for a singular periodic cell.
 */
function cellListPairs(structure: Structure, radius: number, out: PairBuffer): void {
  const full = neighbourList({ positions: structure.positions, ...(structure.cell ? { cell: structure.cell } : {}), pbc: structure.pbc }, radius);
  const offsets = full.cellOffsets;
  for (let e = 0; e < full.src.length; e++) {
    const i = full.src[e]!, j = full.dst[e]!;
    const o = 3 * e;
    const positive = offsets[o]! > 0 || (offsets[o] === 0 && (offsets[o + 1]! > 0 || (offsets[o + 1] === 0 && offsets[o + 2]! > 0)));
    if (i < j || (i === j && positive)) out.push(i, j, offsets[o]!, offsets[o + 1]!, offsets[o + 2]!);
  }
}

/**
 * Every pair i ≤ j against every lattice image n with |n_d| ≤ ⌈radius / h_d⌉ along the periodic directions (h_d:
 * the distance between lattice planes), after wrapping the positions into the cell, so that fractional
 * differences lie in [−1, 1]. A few times faster than the cell lists for the small cells and clusters of tests and MD.
 */
function directPairs(structure: Structure, radius: number, cell: ArrayLike<number> | undefined, inverse: number[] | undefined, out: PairBuffer): void {
  const positions = structure.positions;
  const n = positions.length / 3;
  const periodic = structure.pbc;
  const wrapped = Float64Array.from(positions);
  const wrap = new Int32Array(3 * n);
  const reach = [0, 0, 0];
  if (cell && inverse) {
    for (let d = 0; d < 3; d++) {
      if (!periodic[d]) continue;
      const planeDistance = 1 / Math.hypot(inverse[d]!, inverse[3 + d]!, inverse[6 + d]!); // Å
      reach[d] = Math.ceil(radius / planeDistance);
    }
    for (let a = 0; a < n; a++) {
      const x = positions[3 * a]!, y = positions[3 * a + 1]!, z = positions[3 * a + 2]!;
      for (let d = 0; d < 3; d++) {
        if (periodic[d]) wrap[3 * a + d] = Math.floor(x * inverse[d]! + y * inverse[3 + d]! + z * inverse[6 + d]!);
      }
      const w0 = wrap[3 * a]!, w1 = wrap[3 * a + 1]!, w2 = wrap[3 * a + 2]!;
      for (let d = 0; d < 3; d++) wrapped[3 * a + d] = positions[3 * a + d]! - (w0 * cell[d]! + w1 * cell[3 + d]! + w2 * cell[6 + d]!);
    }
  }
  // Image translations m·cell (Å) in the wrapped frame.
  const images: number[] = [];
  for (let m0 = -reach[0]!; m0 <= reach[0]!; m0++) {
    for (let m1 = -reach[1]!; m1 <= reach[1]!; m1++) {
      for (let m2 = -reach[2]!; m2 <= reach[2]!; m2++) images.push(m0, m1, m2);
    }
  }
  const imageCount = images.length / 3;
  const imageShift = new Float64Array(3 * imageCount);
  for (let m = 0; m < imageCount; m++) {
    const m0 = images[3 * m]!, m1 = images[3 * m + 1]!, m2 = images[3 * m + 2]!;
    if (!cell) continue;
    for (let d = 0; d < 3; d++) imageShift[3 * m + d] = m0 * cell[d]! + m1 * cell[3 + d]! + m2 * cell[6 + d]!;
  }
  const radius2 = radius * radius;
  for (let i = 0; i < n; i++) {
    const xi = wrapped[3 * i]!, yi = wrapped[3 * i + 1]!, zi = wrapped[3 * i + 2]!;
    for (let j = i; j < n; j++) {
      const bx = wrapped[3 * j]! - xi, by = wrapped[3 * j + 1]! - yi, bz = wrapped[3 * j + 2]! - zi;
      for (let m = 0; m < imageCount; m++) {
        const dx = bx + imageShift[3 * m]!, dy = by + imageShift[3 * m + 1]!, dz = bz + imageShift[3 * m + 2]!;
        if (dx * dx + dy * dy + dz * dz >= radius2) continue;
        const m0 = images[3 * m]!, m1 = images[3 * m + 1]!, m2 = images[3 * m + 2]!;
        // one of each mirrored self-image pair (n, −n); never the atom itself (n = 0)
        if (i === j && !(m0 > 0 || (m0 === 0 && (m1 > 0 || (m1 === 0 && m2 > 0))))) continue;
        // Offset in the original (unwrapped) frame: n = m − w_j + w_i.
        out.push(i, j, m0 - wrap[3 * j]! + wrap[3 * i]!, m1 - wrap[3 * j + 1]! + wrap[3 * i + 1]!, m2 - wrap[3 * j + 2]! + wrap[3 * i + 2]!);
      }
    }
  }
}

/**
 * The half pair list of `structure` within `radius` Å: a direct search for small systems, cell lists for large
 * ones (`method` forces one, for tests). Throws RangeError for a singular periodic cell.
 */
export function buildPairList(structure: Structure, radius: number, method?: 'direct' | 'cells'): PairList {
  const periodic = structure.pbc.some((p) => p);
  const inverse = structure.cell ? invertCell3(structure.cell) : undefined;
  if (periodic && !structure.cell) throw new RangeError('periodic structure has no cell');
  if (periodic && !inverse) throw new RangeError('periodic structure has a singular cell (zero volume)');
  const cell = periodic ? structure.cell : undefined;
  let images = 1;
  if (cell && inverse) {
    for (let d = 0; d < 3; d++) {
      if (structure.pbc[d]) images *= 2 * Math.ceil(radius * Math.hypot(inverse[d]!, inverse[3 + d]!, inverse[6 + d]!)) + 1;
    }
  }
  const n = structure.numbers.length;
  const buffer = new PairBuffer();
  if (method === 'direct' || (method === undefined && (n * (n + 1) * images) / 2 <= DIRECT_SEARCH_LIMIT)) {
    directPairs(structure, radius, cell, inverse, buffer);
  } else {
    cellListPairs(structure, radius, buffer);
  }
  const count = buffer.count;
  const offsets = buffer.offsets.slice(0, 3 * count);
  const shifts = new Float64Array(3 * count);
  if (cell) {
    for (let k = 0; k < count; k++) {
      const n0 = offsets[3 * k]!, n1 = offsets[3 * k + 1]!, n2 = offsets[3 * k + 2]!;
      shifts[3 * k] = n0 * cell[0]! + n1 * cell[3]! + n2 * cell[6]!;
      shifts[3 * k + 1] = n0 * cell[1]! + n1 * cell[4]! + n2 * cell[7]!;
      shifts[3 * k + 2] = n0 * cell[2]! + n1 * cell[5]! + n2 * cell[8]!;
    }
  }
  return { count, first: buffer.first.slice(0, count), second: buffer.second.slice(0, count), offsets, shifts };
}

/** Same atom count, atomic numbers, pbc and cell (bit for bit) as the structure the list was built for. */
function sameIdentity(entry: CachedList, structure: Structure): boolean {
  const numbers = structure.numbers;
  if (entry.numbers.length !== numbers.length) return false;
  for (let a = 0; a < numbers.length; a++) if (entry.numbers[a] !== numbers[a]) return false;
  for (let d = 0; d < 3; d++) if (entry.pbc[d] !== structure.pbc[d]) return false;
  const cell = structure.cell;
  if (!entry.cell || !cell) return !entry.cell && !cell;
  for (let k = 0; k < 9; k++) if (entry.cell[k] !== cell[k]) return false;
  return true;
}

/** True when no atom is farther than `limit` Å from where it was at the build (NaN positions fail). */
function withinDisplacement(reference: Float64Array, positions: Float64Array, limit: number): boolean {
  const limit2 = limit * limit;
  for (let k = 0; k < positions.length; k += 3) {
    const dx = positions[k]! - reference[k]!, dy = positions[k + 1]! - reference[k + 1]!, dz = positions[k + 2]! - reference[k + 2]!;
    if (!(dx * dx + dy * dy + dz * dz <= limit2)) return false;
  }
  return true;
}

export interface VerletListCache {
  /** The skin (Å) added to the cutoff. */
  readonly skin: number;
  /** How many lists were built so far (for tests and benchmarks). */
  readonly builds: number;
  /** A list holding every pair within the cutoff of `structure` now: a cached one when still valid, else a new one. */
  listFor(structure: Structure): PairList;
}

/**
 * A cache of Verlet lists for pairs within `cutoff` Å, built with cutoff + skin and kept for up to `capacity`
 * structures (least recently used dropped). skin = 0 builds anew whenever any atom moved at all.
 */
export function createVerletListCache(cutoff: number, skin: number, capacity = 4): VerletListCache {
  if (!(cutoff > 0 && Number.isFinite(cutoff))) throw new RangeError(`the Verlet list needs a positive cutoff (got ${cutoff} Å)`);
  if (!(skin >= 0 && Number.isFinite(skin))) throw new RangeError(`the Verlet list needs a skin ≥ 0 (got ${skin} Å)`);
  // With no skin, a hair above the cutoff so that a pair at exactly r = cutoff is found (the evaluation keeps r ≤ cutoff).
  const radius = skin > 0 ? cutoff + skin : cutoff * (1 + 1e-12);
  const entries: CachedList[] = [];
  let builds = 0;
  return {
    skin,
    get builds() {
      return builds;
    },
    listFor(structure: Structure): PairList {
      for (let e = 0; e < entries.length; e++) {
        const entry = entries[e]!;
        if (sameIdentity(entry, structure) && withinDisplacement(entry.reference, structure.positions, skin / 2)) {
          if (e > 0) {
            entries.splice(e, 1);
            entries.unshift(entry);
          }
          return entry.list;
        }
      }
      const list = buildPairList(structure, radius);
      builds++;
      entries.unshift({
        numbers: Uint8Array.from(structure.numbers),
        pbc: [structure.pbc[0], structure.pbc[1], structure.pbc[2]],
        cell: structure.cell ? Float64Array.from(structure.cell) : undefined,
        reference: Float64Array.from(structure.positions),
        list,
      });
      if (entries.length > capacity) entries.length = capacity;
      return list;
    },
  };
}
