/**
 * Geometry of picked atoms: distance (Å), angle (°) and dihedral (°). Pure functions (no three, no DOM),
 * unit-tested in Node.
 */
import type { MeasureKind, MeasureResult, Vec3 } from './viewer-api';

type Point = readonly [number, number, number];

const sub = (p: Point, q: Point): Point => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
const dot = (p: Point, q: Point): number => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
const cross = (p: Point, q: Point): Point => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
const norm = (p: Point): number => Math.sqrt(dot(p, p));
const DEG = 180 / Math.PI;

export function measureKindOf(count: number): MeasureKind {
  if (count === 2) return 'distance';
  if (count === 3) return 'angle';
  if (count === 4) return 'dihedral';
  throw new RangeError(`a measurement takes 2, 3 or 4 atoms, got ${count}`);
}

/**
 * Measures between points given directly (Å): 2 points -> distance, 3 -> angle at the middle point,
 * 4 -> dihedral about the middle bond (IUPAC sign: positive when the front bond turns clockwise onto
 * the back bond looking from point 2 to point 3), in (-180, 180].
 */
export function measurePoints(points: readonly Vec3[]): MeasureResult {
  const kind = measureKindOf(points.length);
  if (kind === 'distance') return { kind, value: norm(sub(points[1]!, points[0]!)), unit: 'Å' };
  if (kind === 'angle') {
    const u = sub(points[0]!, points[1]!);
    const v = sub(points[2]!, points[1]!);
    const lengths = norm(u) * norm(v);
    if (lengths === 0) throw new RangeError('angle is undefined: two of its atoms coincide');
    const cosine = Math.min(1, Math.max(-1, dot(u, v) / lengths));
    return { kind, value: Math.acos(cosine) * DEG, unit: '°' };
  }
  const b1 = sub(points[1]!, points[0]!);
  const b2 = sub(points[2]!, points[1]!);
  const b3 = sub(points[3]!, points[2]!);
  const n1 = cross(b1, b2);
  const n2 = cross(b2, b3);
  const y = norm(b2) * dot(b1, n2);
  const x = dot(n1, n2);
  if (norm(n1) === 0 || norm(n2) === 0) throw new RangeError('dihedral is undefined: three of its atoms are collinear');
  let value = Math.atan2(y, x) * DEG;
  if (value <= -180) value += 360;
  return { kind, value, unit: '°' };
}

/**
 * Measures between atoms of a flat position array ([nAtoms * 3], Å). `shifts` (optional, Å, one per index)
 * is added to each atom, e.g. the Cartesian offset of a periodic image.
 */
export function measure(positions: ArrayLike<number>, indices: readonly number[], shifts?: readonly Vec3[]): MeasureResult {
  const nAtoms = Math.floor(positions.length / 3);
  const points = indices.map((index, k): Vec3 => {
    if (!Number.isInteger(index) || index < 0 || index >= nAtoms) throw new RangeError(`atom index ${index} out of range (structure has ${nAtoms} atoms)`);
    const shift = shifts?.[k] ?? [0, 0, 0];
    return [positions[3 * index]! + shift[0], positions[3 * index + 1]! + shift[1], positions[3 * index + 2]! + shift[2]];
  });
  return measurePoints(points);
}

/** Label text, e.g. '1.234 Å', '109.5°', '-60.0°'. */
export function formatMeasure(result: MeasureResult): string {
  return result.kind === 'distance' ? `${result.value.toFixed(3)} Å` : `${result.value.toFixed(1)}°`;
}
