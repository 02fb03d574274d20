/**
 * Connectivity from coordinates: atoms i and j are bonded when their distance is at most
 * r_cov(i) + r_cov(j) + tolerance (Cordero 2008 single-bond radii). A uniform cell grid with cells as
 * wide as the longest possible bond makes this O(N). Periodic structures add ghost images of atoms near
 * the cell faces, so bonds across the boundary are found too (as plain i-j bonds).
 *
 * Layering: core/perception sits below core/formats (the PDB reader perceives missing bonds) and below core/chem
 * (bond orders start from these bonds); it imports only core/structure.
 */
import { createStructure, type Bond, type Structure } from '../structure/structure';
import { ELEMENTS } from '../structure/elements';

export interface PerceiveBondsOptions {
  /** Added to the sum of covalent radii (Å). */
  readonly tolerance?: number;
  /** Pairs closer than this (Å) are overlapping atoms, not bonds. */
  readonly minDistance?: number;
}

const DEFAULT_TOLERANCE = 0.45;

function radiusOf(z: number): number {
  return ELEMENTS[z]?.covalentRadius ?? 0.2;
}

/** 3x3 inverse of the row-vector cell matrix (fractional = cartesian · inverse). */
function invert3(m: ArrayLike<number>): Float64Array | undefined {
  const [a, b, c, d, e, f, g, h, i] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const r = 1 / det;
  return Float64Array.of(
    (e * i - f * h) * r, (c * h - b * i) * r, (b * f - c * e) * r,
    (f * g - d * i) * r, (a * i - c * g) * r, (c * d - a * f) * r,
    (d * h - e * g) * r, (b * g - a * h) * r, (a * e - b * d) * r,
  );
}

/** Bonds (order 1) perceived from covalent radii; periodic images used along axes with pbc and a cell. */
export function perceiveBonds(structure: Structure, options: PerceiveBondsOptions = {}): Bond[] {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const minDistance = options.minDistance ?? 0.1;
  const n = structure.numbers.length;
  if (n < 2) return [];
  const radii = new Float64Array(n);
  let maxRadius = 0;
  for (let i = 0; i < n; i++) {
    radii[i] = radiusOf(structure.numbers[i]!);
    if (radii[i]! > maxRadius) maxRadius = radii[i]!;
  }
  const cutoff = 2 * maxRadius + tolerance;

  // Points to search: the atoms themselves, plus ghost images for periodic structures.
  let xs: Float64Array;
  let owner: Int32Array;
  const cell = structure.cell;
  const periodic = cell !== undefined && structure.pbc.some((p) => p);
  const inverse = periodic ? invert3(cell) : undefined;
  if (periodic && cell && inverse) {
    const points: number[] = [];
    const owners: number[] = [];
    // Perpendicular heights of the cell: 1 / |row of inverse transposed| = V / |b x c| ...
    const margins = [0, 1, 2].map((axis) => {
      if (!structure.pbc[axis]) return 0;
      const gx = inverse[axis]!, gy = inverse[3 + axis]!, gz = inverse[6 + axis]!;
      return cutoff * Math.hypot(gx, gy, gz); // cutoff / height, in fractional units
    });
    const ranges = margins.map((m) => Math.ceil(m));
    const inside = (axis: number, v: number) => !structure.pbc[axis] || (v >= -margins[axis]! && v <= 1 + margins[axis]!);
    const p = structure.positions;
    for (let i = 0; i < n; i++) {
      const x = p[3 * i]!, y = p[3 * i + 1]!, z = p[3 * i + 2]!;
      const f = [0, 1, 2].map((k) => x * inverse[k]! + y * inverse[3 + k]! + z * inverse[6 + k]!);
      for (let k = 0; k < 3; k++) if (structure.pbc[k]) f[k] = f[k]! - Math.floor(f[k]!);
      for (let sa = -ranges[0]!; sa <= ranges[0]!; sa++) {
        const fa = f[0]! + sa;
        if (!inside(0, fa)) continue;
        for (let sb = -ranges[1]!; sb <= ranges[1]!; sb++) {
          const fb = f[1]! + sb;
          if (!inside(1, fb)) continue;
          for (let sc = -ranges[2]!; sc <= ranges[2]!; sc++) {
            const fc = f[2]! + sc;
            if (!inside(2, fc)) continue;
            points.push(
              fa * cell[0]! + fb * cell[3]! + fc * cell[6]!,
              fa * cell[1]! + fb * cell[4]! + fc * cell[7]!,
              fa * cell[2]! + fb * cell[5]! + fc * cell[8]!,
            );
            owners.push(i);
          }
        }
      }
    }
    xs = Float64Array.from(points);
    owner = Int32Array.from(owners);
  } else {
    xs = structure.positions;
    owner = new Int32Array(n);
    for (let i = 0; i < n; i++) owner[i] = i;
  }

  const m = owner.length;
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let i = 0; i < m; i++) {
    const x = xs[3 * i]!, y = xs[3 * i + 1]!, z = xs[3 * i + 2]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  // Dense grid of cells at least `cutoff` wide, coarsened so it never has many more cells than points.
  let size = cutoff;
  const cellsFor = (w: number) => Math.floor((maxX - minX) / w) + 1;
  let nx = cellsFor(size), ny = Math.floor((maxY - minY) / size) + 1, nz = Math.floor((maxZ - minZ) / size) + 1;
  while (nx * ny * nz > 8 * m + 64) {
    size *= 1.5;
    nx = cellsFor(size);
    ny = Math.floor((maxY - minY) / size) + 1;
    nz = Math.floor((maxZ - minZ) / size) + 1;
  }
  const inv = 1 / size;
  const nCells = nx * ny * nz;
  const cellOf = new Int32Array(m);
  const cellStart = new Int32Array(nCells + 1);
  for (let i = 0; i < m; i++) {
    const cx = Math.min(nx - 1, Math.floor((xs[3 * i]! - minX) * inv));
    const cy = Math.min(ny - 1, Math.floor((xs[3 * i + 1]! - minY) * inv));
    const cz = Math.min(nz - 1, Math.floor((xs[3 * i + 2]! - minZ) * inv));
    const c = (cx * ny + cy) * nz + cz;
    cellOf[i] = c;
    cellStart[c + 1]!++;
  }
  for (let c = 0; c < nCells; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, nCells);
  const sorted = new Int32Array(m);
  for (let i = 0; i < m; i++) sorted[fill[cellOf[i]!]!++] = i;

  const bonds: Bond[] = [];
  const seen = periodic ? new Set<number>() : undefined;
  const min2 = minDistance * minDistance;
  for (let i = 0; i < m; i++) {
    const oi = owner[i]!;
    const xi = xs[3 * i]!, yi = xs[3 * i + 1]!, zi = xs[3 * i + 2]!;
    const ri = radii[oi]! + tolerance;
    const c = cellOf[i]!;
    const cz = c % nz, cy = ((c - cz) / nz) % ny, cx = (c - cz - cy * nz) / (ny * nz);
    for (let ax = Math.max(0, cx - 1); ax <= Math.min(nx - 1, cx + 1); ax++) {
      for (let ay = Math.max(0, cy - 1); ay <= Math.min(ny - 1, cy + 1); ay++) {
        const row = (ax * ny + ay) * nz;
        const from = cellStart[row + Math.max(0, cz - 1)]!;
        const to = cellStart[row + Math.min(nz - 1, cz + 1) + 1]!;
        for (let k = from; k < to; k++) {
          const j = sorted[k]!;
          if (j <= i) continue;
          const oj = owner[j]!;
          if (oj === oi) continue;
          const ex = xs[3 * j]! - xi, ey = xs[3 * j + 1]! - yi, ez = xs[3 * j + 2]! - zi;
          const d2 = ex * ex + ey * ey + ez * ez;
          const limit = ri + radii[oj]!;
          if (d2 > limit * limit || d2 < min2) continue;
          const a = oi < oj ? oi : oj, b = oi < oj ? oj : oi;
          if (seen) {
            const key = a * n + b;
            if (seen.has(key)) continue;
            seen.add(key);
          }
          bonds.push({ a, b, order: 1 });
        }
      }
    }
  }
  bonds.sort((p, q) => p.a - q.a || p.b - q.b);
  return bonds;
}

/** The structure with perceived bonds when it has none (returned unchanged otherwise). */
export function withPerceivedBonds(structure: Structure, options: PerceiveBondsOptions = {}): Structure {
  if (structure.bonds) return structure;
  return createStructure({ ...structure, bonds: perceiveBonds(structure, options) });
}
