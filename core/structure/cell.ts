/**
 * Unit-cell maths shared by crystal readers, writers and the viewer.
 * A cell is 9 numbers, the lattice vectors a, b, c as rows (Å), row-major: [ax, ay, az, bx, by, bz, cx, cy, cz].
 * Fractional (scaled) coordinates f relate to Cartesian r by r = f · cell (row vector times matrix), as in ASE.
 */

/** Lattice lengths a, b, c (Å) and angles alpha, beta, gamma (degrees). */
export interface CellParameters {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

/** Around 1.4e-14, ASE's tolerance for treating an angle as exactly 90° (2 * np.spacing(90.0)). */
const RIGHT_ANGLE_EPS = 2 * 1.4210854715202004e-14;

/**
 * Cell vectors from lengths and angles with ASE's convention (ase.geometry.cellpar_to_cell):
 * a along x, b in the xy plane, c completing a right-handed set. Angles within ~1e-14 of 90° give exact zeros.
 * Throws RangeError when the angles cannot form a cell.
 */
export function cellFromParameters(a: number, b: number, c: number, alpha: number, beta: number, gamma: number): Float64Array {
  const deg = Math.PI / 180;
  const cosAlpha = Math.abs(Math.abs(alpha) - 90) < RIGHT_ANGLE_EPS ? 0 : Math.cos(alpha * deg);
  const cosBeta = Math.abs(Math.abs(beta) - 90) < RIGHT_ANGLE_EPS ? 0 : Math.cos(beta * deg);
  let cosGamma: number;
  let sinGamma: number;
  if (Math.abs(gamma - 90) < RIGHT_ANGLE_EPS) {
    cosGamma = 0;
    sinGamma = 1;
  } else if (Math.abs(gamma + 90) < RIGHT_ANGLE_EPS) {
    cosGamma = 0;
    sinGamma = -1;
  } else {
    cosGamma = Math.cos(gamma * deg);
    sinGamma = Math.sin(gamma * deg);
  }
  if (sinGamma === 0) throw new RangeError(`cell angle gamma = ${gamma}° makes a and b parallel`);
  const cx = cosBeta;
  const cy = (cosAlpha - cosBeta * cosGamma) / sinGamma;
  const czSquared = 1 - cx * cx - cy * cy;
  if (!(czSquared >= 0)) throw new RangeError(`cell angles alpha=${alpha}°, beta=${beta}°, gamma=${gamma}° do not form a cell`);
  const cz = Math.sqrt(czSquared);
  return Float64Array.of(a, 0, 0, b * cosGamma, b * sinGamma, 0, c * cx, c * cy, c * cz);
}

/** Lengths and angles of a cell, as ase.geometry.cell_to_cellpar (angle 90° where a length is ~0). */
export function cellParameters(cell: ArrayLike<number>): CellParameters {
  const lengths = [0, 1, 2].map((i) => Math.hypot(cell[3 * i]!, cell[3 * i + 1]!, cell[3 * i + 2]!));
  const angles = [0, 1, 2].map((i) => {
    const j = (i + 2) % 3;
    const k = (i + 1) % 3;
    const ll = lengths[j]! * lengths[k]!;
    if (ll <= 1e-16) return 90;
    const dot = cell[3 * j]! * cell[3 * k]! + cell[3 * j + 1]! * cell[3 * k + 1]! + cell[3 * j + 2]! * cell[3 * k + 2]!;
    return (Math.acos(Math.max(-1, Math.min(1, dot / ll))) * 180) / Math.PI;
  });
  return { a: lengths[0]!, b: lengths[1]!, c: lengths[2]!, alpha: angles[0]!, beta: angles[1]!, gamma: angles[2]! };
}

/** Signed volume a · (b × c) (Å³); negative for a left-handed cell. */
export function cellVolume(cell: ArrayLike<number>): number {
  const [ax, ay, az, bx, by, bz, cx, cy, cz] = Array.from({ length: 9 }, (_, i) => cell[i]!) as [number, number, number, number, number, number, number, number, number];
  return ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
}

/** Inverse of the 3x3 cell matrix (row-major); throws RangeError for a singular cell. */
export function invertCell(cell: ArrayLike<number>): Float64Array {
  const m = Array.from({ length: 9 }, (_, i) => cell[i]!);
  const det = cellVolume(m);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('cell is singular (zero volume)');
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const inv = Float64Array.of(e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d);
  for (let k = 0; k < 9; k++) inv[k] = inv[k]! / det;
  return inv;
}

/** Cartesian positions r = f · cell for fractional positions [n * 3]. */
export function fractionalToCartesian(fractional: ArrayLike<number>, cell: ArrayLike<number>): Float64Array {
  const n = fractional.length / 3;
  const out = new Float64Array(n * 3);
  for (let p = 0; p < n; p++) {
    const f0 = fractional[3 * p]!;
    const f1 = fractional[3 * p + 1]!;
    const f2 = fractional[3 * p + 2]!;
    for (let k = 0; k < 3; k++) out[3 * p + k] = f0 * cell[k]! + f1 * cell[3 + k]! + f2 * cell[6 + k]!;
  }
  return out;
}

/** Fractional positions f = r · cell⁻¹ for Cartesian positions [n * 3]. */
export function cartesianToFractional(cartesian: ArrayLike<number>, cell: ArrayLike<number>): Float64Array {
  return fractionalToCartesian(cartesian, invertCell(cell));
}

/** x mod 1 in [0, 1), with values that round to 1 mapped to 0 (like numpy's mod then a guard). */
export function wrapFraction(x: number): number {
  const w = x - Math.floor(x);
  return w >= 1 ? 0 : w;
}

/**
 * Wraps Cartesian positions into the cell along the periodic directions (as ase.geometry.wrap_positions with
 * eps = 0): fractional coordinates along periodic axes end in [0, 1). Returns new positions.
 */
export function wrapPositions(
  positions: ArrayLike<number>,
  cell: ArrayLike<number>,
  pbc: readonly [boolean, boolean, boolean] = [true, true, true],
): Float64Array {
  const fractional = cartesianToFractional(positions, cell);
  for (let i = 0; i < fractional.length; i++) {
    if (pbc[i % 3]) fractional[i] = wrapFraction(fractional[i]!);
  }
  return fractionalToCartesian(fractional, cell);
}

/** Distance between fractional points under periodic wrap: max over axes of |Δ - round(Δ)| (unitless). */
export function periodicFractionalDistance(f1: ArrayLike<number>, o1: number, f2: ArrayLike<number>, o2: number): number {
  let worst = 0;
  for (let k = 0; k < 3; k++) {
    const d = f1[o1 + k]! - f2[o2 + k]!;
    const w = Math.abs(d - Math.round(d));
    if (w > worst) worst = w;
  }
  return worst;
}
