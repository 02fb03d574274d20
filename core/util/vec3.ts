/**
 * Three-vectors as plain [x, y, z] tuples for the geometry of a few atoms (stereo checks, torsion moves, model
 * Hessians): the difference of two atoms of a flat positions array [nAtoms * 3], dot and cross products, norm.
 */
export type Vec3 = [number, number, number];

/** positions[to] − positions[from] of a flat [nAtoms * 3] array. */
export function atomVector(positions: ArrayLike<number>, from: number, to: number): Vec3 {
  return [positions[3 * to]! - positions[3 * from]!, positions[3 * to + 1]! - positions[3 * from + 1]!, positions[3 * to + 2]! - positions[3 * from + 2]!];
}

export function sub(a: readonly number[], b: readonly number[]): Vec3 {
  return [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
}

export function dot(u: readonly number[], v: readonly number[]): number {
  return u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
}

export function cross(u: readonly number[], v: readonly number[]): Vec3 {
  return [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
}

export function norm(u: readonly number[]): number {
  return Math.sqrt(dot(u, u));
}
