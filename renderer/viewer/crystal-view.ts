/**
 * Which atom images, bonds and coordination polyhedra a crystal view draws, as VESTA draws a unit cell
 * (K. Momma & F. Izumi, J. Appl. Cryst. 44, 1272 (2011), "Boundary" settings):
 * - every atom whose fractional coordinates (wrapped into the cell) lie in [-tol, n + tol] along each periodic
 *   axis of the n-cell supercell, so an atom on a face, edge or corner is drawn on every equivalent one
 *   (BOUNDARY_TOLERANCE = 1e-3, fractional);
 * - a bond only where both of its atoms are drawn (no half-sticks leaving the cell); with `bondedBeyond`, the
 *   atoms bonded to drawn atoms are drawn too, one bond deep (VESTA's "search bonded atoms beyond boundary");
 * - with `polyhedra`, a polyhedron around every drawn centre atom of the region (see polyhedronCentres), its
 *   vertex atoms drawn even outside the cell so the polyhedron is whole.
 * Pure (no three, no DOM).
 */
import type { Structure } from '../../core/structure';
import { invert3, type ViewBonds } from './bonds';
import { neighboursOf, polyhedronCentres, type Neighbour } from './crystal-bonds';
import type { Vec3 } from './viewer-api';

/** Fractional distance from a cell face within which an atom is drawn on the opposite face as well. */
export const BOUNDARY_TOLERANCE = 1e-3;

export interface CrystalViewOptions {
  /** Draw atoms on the cell boundary at every equivalent face, edge and corner (else each atom once per cell). */
  readonly boundary: boolean;
  /** Also draw atoms outside the region bonded to drawn atoms, with those bonds. */
  readonly bondedBeyond: boolean;
  /** Coordination polyhedra around the centre atoms of the region. */
  readonly polyhedra: boolean;
}

export interface CrystalLayout {
  /** Atom images drawn: base atom index and integer cell image (relative to the atom's stored position). */
  readonly count: number;
  readonly atom: Int32Array;
  /** [count * 3] */
  readonly image: Int16Array;
  /** The first `regionCount` images lie in the displayed region; the rest are bonded atoms beyond it. */
  readonly regionCount: number;
  /** Bonds drawn: instance indices of the bond's first (`from`, bonds.a) and second atom, and the bond index. */
  readonly bondCount: number;
  readonly bondFrom: Int32Array;
  readonly bondTo: Int32Array;
  readonly bondIndex: Int32Array;
  /** Polyhedra: centre instance and its vertex instances (vertexInstance[vertexStart[p] .. vertexStart[p+1]]). */
  readonly polyhedronCount: number;
  readonly polyhedronCentre: Int32Array;
  readonly vertexStart: Int32Array;
  readonly vertexInstance: Int32Array;
}

/** Fractional coordinates [n * 3] (f = r · cell^-1, cell rows a, b, c). */
export function fractionalCoordinates(structure: Structure): Float64Array {
  const inv = invert3(structure.cell!);
  const p = structure.positions;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length / 3; i++) {
    for (let k = 0; k < 3; k++) out[3 * i + k] = p[3 * i]! * inv[k]! + p[3 * i + 1]! * inv[3 + k]! + p[3 * i + 2]! * inv[6 + k]!;
  }
  return out;
}

/** Cell-offset key of an atom image; images are stored relative to the atom's home cell floor(f). */
const SPAN = 64;
const BIAS = 16;

/** Integer cell images t of one atom along one axis with f + t inside [lo, hi]. */
function imageRange(f: number, lo: number, hi: number): [number, number] {
  return [Math.ceil(lo - f - 1e-12), Math.floor(hi - f + 1e-12)];
}

export function crystalLayout(structure: Structure, bonds: ViewBonds, supercell: Vec3, options: CrystalViewOptions): CrystalLayout {
  const n = structure.numbers.length;
  const frac = fractionalCoordinates(structure);
  const home = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) home[3 * i + k] = structure.pbc[k] ? Math.floor(frac[3 * i + k]! + BOUNDARY_TOLERANCE) : 0;
  const atoms: number[] = [];
  const images: number[] = [];
  const index = new Map<number, number>();
  const keyOf = (atom: number, t0: number, t1: number, t2: number): number => {
    const u0 = t0 + home[3 * atom]! + BIAS, u1 = t1 + home[3 * atom + 1]! + BIAS, u2 = t2 + home[3 * atom + 2]! + BIAS;
    if (u0 < 0 || u0 >= SPAN || u1 < 0 || u1 >= SPAN || u2 < 0 || u2 >= SPAN) return -1;
    return ((atom * SPAN + u0) * SPAN + u1) * SPAN + u2;
  };
  const add = (atom: number, t0: number, t1: number, t2: number): void => {
    const key = keyOf(atom, t0, t1, t2);
    if (key < 0 || index.has(key)) return;
    index.set(key, atoms.length);
    atoms.push(atom);
    images.push(t0, t1, t2);
  };
  const find = (atom: number, t0: number, t1: number, t2: number): number => {
    const key = keyOf(atom, t0, t1, t2);
    return key < 0 ? -1 : (index.get(key) ?? -1);
  };

  // The region: [-tol, n + tol] per periodic axis with boundary images, else [0, n) (each atom once per cell).
  const tol = options.boundary ? BOUNDARY_TOLERANCE : 0;
  for (let i = 0; i < n; i++) {
    const ranges = [0, 1, 2].map((k): [number, number] => {
      if (!structure.pbc[k]) return [0, 0];
      const f = frac[3 * i + k]!;
      if (options.boundary) return imageRange(f, -tol, supercell[k]! + tol);
      const first = Math.ceil(-f - 1e-12);
      return [first, first + supercell[k]! - 1];
    });
    for (let a = ranges[0]![0]; a <= ranges[0]![1]; a++)
      for (let b = ranges[1]![0]; b <= ranges[1]![1]; b++)
        for (let c = ranges[2]![0]; c <= ranges[2]![1]; c++) add(i, a, b, c);
  }
  const regionCount = atoms.length;

  const neighbours = neighboursOf(n, bonds);
  const centres = polyhedronCentres(structure, neighbours);
  const addNeighbours = (instance: number, list: readonly Neighbour[]) => {
    const t0 = images[3 * instance]!, t1 = images[3 * instance + 1]!, t2 = images[3 * instance + 2]!;
    for (const nb of list) add(nb.atom, t0 + nb.shift[0], t1 + nb.shift[1], t2 + nb.shift[2]);
  };
  for (let q = 0; q < regionCount; q++) {
    const atom = atoms[q]!;
    if (options.bondedBeyond || (options.polyhedra && centres[atom])) addNeighbours(q, neighbours[atom]!);
  }

  // Bonds between drawn images: each listed bond (a, b, s) once per drawn image of a whose partner is drawn.
  const byAtom: number[][] = Array.from({ length: n }, () => []);
  for (let q = 0; q < atoms.length; q++) byAtom[atoms[q]!]!.push(q);
  const from: number[] = [], to: number[] = [], which: number[] = [];
  for (let t = 0; t < bonds.count; t++) {
    const a = bonds.a[t]!, b = bonds.b[t]!;
    const s0 = bonds.shift[3 * t]!, s1 = bonds.shift[3 * t + 1]!, s2 = bonds.shift[3 * t + 2]!;
    for (const q of byAtom[a]!) {
      const partner = find(b, images[3 * q]! + s0, images[3 * q + 1]! + s1, images[3 * q + 2]! + s2);
      if (partner < 0) continue;
      from.push(q);
      to.push(partner);
      which.push(t);
    }
  }

  const centre: number[] = [], vertexStart: number[] = [0], vertices: number[] = [];
  if (options.polyhedra) {
    for (let q = 0; q < regionCount; q++) {
      const atom = atoms[q]!;
      if (!centres[atom]) continue;
      const corner = neighbours[atom]!.map((nb) => find(nb.atom, images[3 * q]! + nb.shift[0], images[3 * q + 1]! + nb.shift[1], images[3 * q + 2]! + nb.shift[2]));
      if (corner.some((v) => v < 0)) continue;
      centre.push(q);
      vertices.push(...corner);
      vertexStart.push(vertices.length);
    }
  }
  return {
    count: atoms.length,
    atom: Int32Array.from(atoms),
    image: Int16Array.from(images),
    regionCount,
    bondCount: from.length,
    bondFrom: Int32Array.from(from),
    bondTo: Int32Array.from(to),
    bondIndex: Int32Array.from(which),
    polyhedronCount: centre.length,
    polyhedronCentre: Int32Array.from(centre),
    vertexStart: Int32Array.from(vertexStart),
    vertexInstance: Int32Array.from(vertices),
  };
}
