/**
 * three.js objects for the viewer's overlays on atoms: force arrows (instanced shafts and cones, two draw calls
 * whatever the atom count) and fixed-atom markers (a wire cube around each fixed atom, one draw call).
 * The arrays come from force-arrows.ts; the caller owns the returned Group (dispose it with its geometries).
 */
import { BufferGeometry, ConeGeometry, CylinderGeometry, Float32BufferAttribute, Group, InstancedMesh, LineBasicMaterial, LineSegments, MeshPhongMaterial } from 'three';
import type { ArrowInstances } from './force-arrows';
import type { AtomInstances } from './scene-data';

/** Shaft radius (Å), cone radius (Å) and the head length: a share of the arrow, at most ARROW_HEAD_MAX Å. */
export const ARROW_SHAFT_RADIUS = 0.045;
export const ARROW_HEAD_RADIUS = 0.11;
export const ARROW_HEAD_SHARE = 0.35;
export const ARROW_HEAD_MAX = 0.3;

/** Writes a column-major 4x4 matrix taking the unit y axis to `dir * length` and x, z to `radius` across it. */
export function orientedMatrix(out: Float32Array, m: number, dx: number, dy: number, dz: number, length: number, radius: number, tx: number, ty: number, tz: number): void {
  // u: a unit vector perpendicular to the direction; w = u x d completes the basis (u, d, w).
  let ux: number, uy: number, uz: number;
  if (Math.abs(dx) < 0.9) {
    ux = 0; uy = -dz; uz = dy;
  } else {
    ux = dy; uy = -dx; uz = 0;
  }
  const ul = Math.hypot(ux, uy, uz) || 1;
  ux /= ul; uy /= ul; uz /= ul;
  const wx = uy * dz - uz * dy, wy = uz * dx - ux * dz, wz = ux * dy - uy * dx;
  out[m] = ux * radius; out[m + 1] = uy * radius; out[m + 2] = uz * radius; out[m + 3] = 0;
  out[m + 4] = dx * length; out[m + 5] = dy * length; out[m + 6] = dz * length; out[m + 7] = 0;
  out[m + 8] = wx * radius; out[m + 9] = wy * radius; out[m + 10] = wz * radius; out[m + 11] = 0;
  out[m + 12] = tx; out[m + 13] = ty; out[m + 14] = tz; out[m + 15] = 1;
}

/** Head length (Å) of an arrow of `length` Å (at most `headMax`). */
export function arrowHeadLength(length: number, headMax = ARROW_HEAD_MAX): number {
  return Math.min(headMax, ARROW_HEAD_SHARE * length);
}

/** Radii (Å) and largest head length (Å) of drawn arrows; force arrows use the ARROW_* defaults. */
export interface ArrowSizes {
  readonly shaftRadius: number;
  readonly headRadius: number;
  readonly headMax: number;
}

const FORCE_ARROW_SIZES: ArrowSizes = { shaftRadius: ARROW_SHAFT_RADIUS, headRadius: ARROW_HEAD_RADIUS, headMax: ARROW_HEAD_MAX };

/** Arrows as two InstancedMeshes (shafts, heads) in one colour (0xRRGGBB); null when there are none. */
export function createArrowGroup(arrows: ArrowInstances, color: number, sizes: ArrowSizes = FORCE_ARROW_SIZES): Group | null {
  if (arrows.count === 0) return null;
  const material = new MeshPhongMaterial({ color, shininess: 40 });
  // Unit shapes standing on the origin along +y, so the instance matrix scales y to the part's length.
  const shaftGeometry = new CylinderGeometry(1, 1, 1, 10, 1, false).translate(0, 0.5, 0);
  const headGeometry = new ConeGeometry(1, 1, 14, 1, false).translate(0, 0.5, 0);
  const shafts = new InstancedMesh(shaftGeometry, material, arrows.count);
  const heads = new InstancedMesh(headGeometry, material, arrows.count);
  const shaftMatrices = shafts.instanceMatrix.array as Float32Array;
  const headMatrices = heads.instanceMatrix.array as Float32Array;
  for (let k = 0; k < arrows.count; k++) {
    const length = arrows.length[k]!;
    const head = arrowHeadLength(length, sizes.headMax);
    const dx = arrows.direction[3 * k]!, dy = arrows.direction[3 * k + 1]!, dz = arrows.direction[3 * k + 2]!;
    const sx = arrows.start[3 * k]!, sy = arrows.start[3 * k + 1]!, sz = arrows.start[3 * k + 2]!;
    const shaft = length - head;
    orientedMatrix(shaftMatrices, 16 * k, dx, dy, dz, Math.max(shaft, 1e-4), sizes.shaftRadius, sx, sy, sz);
    orientedMatrix(headMatrices, 16 * k, dx, dy, dz, head, sizes.headRadius, sx + dx * shaft, sy + dy * shaft, sz + dz * shaft);
  }
  const group = new Group();
  for (const mesh of [shafts, heads]) {
    mesh.instanceMatrix.needsUpdate = true;
    mesh.frustumCulled = false;
    mesh.renderOrder = 3;
    group.add(mesh);
  }
  group.userData['arrows'] = arrows.count;
  return group;
}

/** Cube corners as (x, y, z) signs and the 12 edges between them. */
const CUBE_EDGES: ReadonlyArray<readonly [number, number]> = [
  [0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7],
];

/** A wire cube (edge 2 * (radius + 0.15) Å) around every drawn instance of a fixed atom; null when none is fixed. */
export function createFixedMarkers(atoms: AtomInstances, fixed: ReadonlySet<number>, color: number): LineSegments | null {
  if (fixed.size === 0) return null;
  const vertices: number[] = [];
  let markers = 0;
  for (let i = 0; i < atoms.count; i++) {
    if (!fixed.has(atoms.atom[i]!)) continue;
    const h = Math.max(atoms.radius[i]!, 0.2) + 0.15;
    const corner = (c: number) => [atoms.position[3 * i]! + (c & 1 ? h : -h), atoms.position[3 * i + 1]! + (c & 2 ? h : -h), atoms.position[3 * i + 2]! + (c & 4 ? h : -h)];
    for (const [p, q] of CUBE_EDGES) vertices.push(...corner(p), ...corner(q));
    markers++;
  }
  if (markers === 0) return null;
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new Float32BufferAttribute(vertices, 3));
  const lines = new LineSegments(geometry, new LineBasicMaterial({ color }));
  lines.frustumCulled = false;
  lines.renderOrder = 4;
  lines.userData['markers'] = markers;
  return lines;
}
