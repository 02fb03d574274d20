/**
 * Bonds as the viewer draws them: atom pairs plus the periodic image of the second atom, so a bond that
 * crosses a cell face is drawn to the image atom. Taken from the Structure's bonds when it has them,
 * else perceived from covalent radii with an O(N) cell-list (grid) search, periodic images included.
 * Pure (no three, no DOM).
 */
import { ELEMENTS, type Structure } from '../../core/structure';
import { crystalBondsOf } from './crystal-bonds';

/** Bonds in flat typed arrays (100k-atom structures have ~100k+ bonds). */
export interface ViewBonds {
  readonly count: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** [count * 3]: integer cell offset of atom b's image relative to atom a (0,0,0 for ordinary bonds). */
  readonly shift: Int16Array;
  /** Bond order (1 when perceived). */
  readonly order: Float32Array;
}

/** Two atoms bond when their distance is below r_a + r_b + BOND_TOLERANCE (covalent radii, Å), Jmol's rule. */
export const BOND_TOLERANCE = 0.45;
/** Pairs closer than this (Å) are overlapping duplicates, not bonds. */
export const MIN_BOND_LENGTH = 0.1;

class BondList {
  private a = new Int32Array(64);
  private b = new Int32Array(64);
  private shift = new Int16Array(192);
  private order = new Float32Array(64);
  count = 0;

  push(a: number, b: number, sa: number, sb: number, sc: number, order: number): void {
    if (this.count === this.a.length) {
      const grow = <T extends Int32Array | Int16Array | Float32Array>(array: T, size: number): T => {
        const next = new (array.constructor as new (n: number) => T)(size);
        next.set(array);
        return next;
      };
      this.a = grow(this.a, this.count * 2);
      this.b = grow(this.b, this.count * 2);
      this.order = grow(this.order, this.count * 2);
      this.shift = grow(this.shift, this.count * 6);
    }
    const k = this.count++;
    this.a[k] = a;
    this.b[k] = b;
    this.shift[3 * k] = sa;
    this.shift[3 * k + 1] = sb;
    this.shift[3 * k + 2] = sc;
    this.order[k] = order;
  }

  finish(): ViewBonds {
    return {
      count: this.count,
      a: this.a.slice(0, this.count),
      b: this.b.slice(0, this.count),
      shift: this.shift.slice(0, 3 * this.count),
      order: this.order.slice(0, this.count),
    };
  }
}

/** Inverse of a 3x3 row-major matrix (cell rows a, b, c); throws for a singular cell. */
export function invert3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-9) throw new RangeError('cell matrix is singular');
  const r = 1 / det;
  return Float64Array.from([
    (e * i - f * h) * r, (c * h - b * i) * r, (b * f - c * e) * r,
    (f * g - d * i) * r, (a * i - c * g) * r, (c * d - a * f) * r,
    (d * h - e * g) * r, (b * g - a * h) * r, (a * e - b * d) * r,
  ]);
}

/** True when the structure has a usable cell and at least one periodic direction. */
export function isPeriodic(structure: Structure): boolean {
  if (!structure.cell || !structure.pbc.some(Boolean)) return false;
  try {
    invert3(structure.cell);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fractional coordinates f (row vector) with r = f · cell, i.e. f = r · cell^-1.
 * Returns [nAtoms * 3].
 */
function fractional(positions: Float64Array, cell: Float64Array): Float64Array {
  const inv = invert3(cell);
  const n = positions.length / 3;
  const out = new Float64Array(positions.length);
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i]!, y = positions[3 * i + 1]!, z = positions[3 * i + 2]!;
    out[3 * i] = x * inv[0]! + y * inv[3]! + z * inv[6]!;
    out[3 * i + 1] = x * inv[1]! + y * inv[4]! + z * inv[7]!;
    out[3 * i + 2] = x * inv[2]! + y * inv[5]! + z * inv[8]!;
  }
  return out;
}

/** Bonds given by the file, each assigned the minimum-image shift when the structure is periodic. */
function bondsFromFile(structure: Structure): ViewBonds {
  const list = new BondList();
  const periodic = isPeriodic(structure);
  const frac = periodic ? fractional(structure.positions, structure.cell!) : null;
  for (const bond of structure.bonds ?? []) {
    let s0 = 0, s1 = 0, s2 = 0;
    if (frac) {
      // Image of b nearest to a: shift = -round(f_b - f_a) along periodic axes.
      const d = [0, 1, 2].map((k) => (structure.pbc[k] ? -Math.round(frac[3 * bond.b + k]! - frac[3 * bond.a + k]!) : 0));
      [s0, s1, s2] = [d[0]!, d[1]!, d[2]!];
    }
    list.push(bond.a, bond.b, s0, s1, s2, bond.order);
  }
  return list.finish();
}

/**
 * Perceives bonds from covalent radii: d < r_a + r_b + BOND_TOLERANCE. Cell-list search: atoms are binned in a
 * grid whose cells are at least the largest cutoff wide, so each atom is compared only with the 27 cells
 * around it (O(N)). For periodic structures, positions are wrapped into the cell and every neighbouring cell
 * image within the cutoff is searched; the image shift is reported per bond.
 */
export function perceiveViewBonds(structure: Structure): ViewBonds {
  const n = structure.numbers.length;
  const list = new BondList();
  if (n < 2) return list.finish();
  const radius = new Float64Array(n);
  let maxRadius = 0;
  for (let i = 0; i < n; i++) {
    const z = structure.numbers[i]!;
    radius[i] = z === 0 ? 0 : (ELEMENTS[z]?.covalentRadius ?? 0.2);
    maxRadius = Math.max(maxRadius, radius[i]!);
  }
  const cutoff = 2 * maxRadius + BOND_TOLERANCE;

  // Wrapped positions (periodic) and the integer offsets k_i removed from each atom: w_i = p_i - k_i · cell.
  const periodic = isPeriodic(structure);
  const cell = structure.cell;
  const pos = Float64Array.from(structure.positions);
  const wrapOffset = new Int32Array(3 * n);
  const shifts: Array<[number, number, number]> = [[0, 0, 0]];
  if (periodic && cell) {
    const frac = fractional(structure.positions, cell);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) {
        const offset = structure.pbc[k] ? Math.floor(frac[3 * i + k]!) : 0;
        wrapOffset[3 * i + k] = offset;
        if (offset !== 0) for (let c = 0; c < 3; c++) pos[3 * i + c] = pos[3 * i + c]! - offset * cell[3 * k + c]!;
      }
    }
    // Number of neighbouring images per axis: the cutoff divided by the distance between opposite cell faces.
    const volume = Math.abs(determinant(cell));
    const reach = [0, 1, 2].map((k) => {
      if (!structure.pbc[k]) return 0;
      const u = (k + 1) % 3, v = (k + 2) % 3;
      const cx = cell[3 * u + 1]! * cell[3 * v + 2]! - cell[3 * u + 2]! * cell[3 * v + 1]!;
      const cy = cell[3 * u + 2]! * cell[3 * v]! - cell[3 * u]! * cell[3 * v + 2]!;
      const cz = cell[3 * u]! * cell[3 * v + 1]! - cell[3 * u + 1]! * cell[3 * v]!;
      const height = volume / Math.hypot(cx, cy, cz);
      return Math.min(8, Math.ceil(cutoff / height));
    });
    shifts.length = 0;
    for (let a = -reach[0]!; a <= reach[0]!; a++)
      for (let b = -reach[1]!; b <= reach[1]!; b++)
        for (let c = -reach[2]!; c <= reach[2]!; c++) shifts.push([a, b, c]);
  }

  // Grid over the (wrapped) positions.
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k]!, pos[3 * i + k]!);
      hi[k] = Math.max(hi[k]!, pos[3 * i + k]!);
    }
  }
  // At most ~2 cells per atom so sparse inputs do not allocate huge grids.
  const maxCells = Math.max(1, 2 * n);
  let size = cutoff;
  let dims = [0, 1, 2].map((k) => Math.max(1, Math.ceil((hi[k]! - lo[k]! + 1e-9) / size)));
  while (dims[0]! * dims[1]! * dims[2]! > maxCells) {
    size *= 1.5;
    dims = [0, 1, 2].map((k) => Math.max(1, Math.ceil((hi[k]! - lo[k]! + 1e-9) / size)));
  }
  const [nx, ny, nz] = dims as [number, number, number];
  const cellOf = (x: number, y: number, z: number): number => {
    const ix = Math.min(nx - 1, Math.max(0, Math.floor((x - lo[0]!) / size)));
    const iy = Math.min(ny - 1, Math.max(0, Math.floor((y - lo[1]!) / size)));
    const iz = Math.min(nz - 1, Math.max(0, Math.floor((z - lo[2]!) / size)));
    return (ix * ny + iy) * nz + iz;
  };
  const start = new Int32Array(nx * ny * nz + 1);
  const atomCell = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    atomCell[i] = cellOf(pos[3 * i]!, pos[3 * i + 1]!, pos[3 * i + 2]!);
    start[atomCell[i]! + 1]!++;
  }
  for (let c = 0; c < nx * ny * nz; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, nx * ny * nz);
  const sorted = new Int32Array(n);
  for (let i = 0; i < n; i++) sorted[fill[atomCell[i]!]!++] = i;

  for (const [sa, sb, sc] of shifts) {
    const zeroShift = sa === 0 && sb === 0 && sc === 0;
    // Lexicographically positive shift: keeps one of (i, i, s) and (i, i, -s).
    const positiveShift = sa > 0 || (sa === 0 && (sb > 0 || (sb === 0 && sc > 0)));
    const ox = cell ? sa * cell[0]! + sb * cell[3]! + sc * cell[6]! : 0;
    const oy = cell ? sa * cell[1]! + sb * cell[4]! + sc * cell[7]! : 0;
    const oz = cell ? sa * cell[2]! + sb * cell[5]! + sc * cell[8]! : 0;
    for (let i = 0; i < n; i++) {
      // Looking for j with w_j + offset near w_i, i.e. w_j near q = w_i - offset.
      const qx = pos[3 * i]! - ox, qy = pos[3 * i + 1]! - oy, qz = pos[3 * i + 2]! - oz;
      if (qx < lo[0]! - cutoff || qx > hi[0]! + cutoff || qy < lo[1]! - cutoff || qy > hi[1]! + cutoff || qz < lo[2]! - cutoff || qz > hi[2]! + cutoff) continue;
      const cx = Math.floor((qx - lo[0]!) / size), cy = Math.floor((qy - lo[1]!) / size), cz = Math.floor((qz - lo[2]!) / size);
      for (let x = Math.max(0, cx - 1); x <= Math.min(nx - 1, cx + 1); x++) {
        for (let y = Math.max(0, cy - 1); y <= Math.min(ny - 1, cy + 1); y++) {
          for (let z = Math.max(0, cz - 1); z <= Math.min(nz - 1, cz + 1); z++) {
            const c = (x * ny + y) * nz + z;
            for (let t = start[c]!; t < start[c + 1]!; t++) {
              const j = sorted[t]!;
              if (j < i || (j === i && !positiveShift)) continue;
              if (j === i && zeroShift) continue;
              const dx = pos[3 * j]! - qx, dy = pos[3 * j + 1]! - qy, dz = pos[3 * j + 2]! - qz;
              const d2 = dx * dx + dy * dy + dz * dz;
              const limit = radius[i]! + radius[j]! + BOND_TOLERANCE;
              if (radius[i] === 0 || radius[j] === 0 || d2 > limit * limit || d2 < MIN_BOND_LENGTH * MIN_BOND_LENGTH) continue;
              // Back to the unwrapped positions: p_j + s·cell - p_i with s = s_w - k_j + k_i.
              list.push(
                i,
                j,
                sa - wrapOffset[3 * j]! + wrapOffset[3 * i]!,
                sb - wrapOffset[3 * j + 1]! + wrapOffset[3 * i + 1]!,
                sc - wrapOffset[3 * j + 2]! + wrapOffset[3 * i + 2]!,
                1,
              );
            }
          }
        }
      }
    }
  }
  return list.finish();
}

function determinant(m: ArrayLike<number>): number {
  return m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
}

const CACHE = new WeakMap<Structure, ViewBonds>();

/**
 * The structure's own bonds (with image shifts) when it has any, else perceived ones (for crystals without
 * metal-metal pairs, see crystal-bonds.ts); cached per Structure object.
 */
export function viewBondsOf(structure: Structure): ViewBonds {
  let bonds = CACHE.get(structure);
  if (!bonds) {
    if (structure.bonds && structure.bonds.length > 0) bonds = bondsFromFile(structure);
    // Crystals: no cation-cation bonds (crystal-bonds.ts), as VESTA draws them; molecules keep every perceived bond.
    else bonds = isPeriodic(structure) ? crystalBondsOf(structure, perceiveViewBonds(structure)) : perceiveViewBonds(structure);
    CACHE.set(structure, bonds);
  }
  return bonds;
}
