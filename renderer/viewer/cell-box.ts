/** The unit cell box of a periodic structure (and the supercell box around it) as line segments. */
import { BufferGeometry, Float32BufferAttribute, Group, LineBasicMaterial, LineSegments } from 'three';
import { imageOffset } from './scene-data';
import type { Vec3 } from './viewer-api';

type Corner = readonly [number, number, number];

/** The 12 edges of the unit cube as pairs of fractional corners. */
export const BOX_EDGES: ReadonlyArray<readonly [Corner, Corner]> = [
  [[0, 0, 0], [1, 0, 0]], [[0, 1, 0], [1, 1, 0]], [[0, 0, 1], [1, 0, 1]], [[0, 1, 1], [1, 1, 1]],
  [[0, 0, 0], [0, 1, 0]], [[1, 0, 0], [1, 1, 0]], [[0, 0, 1], [0, 1, 1]], [[1, 0, 1], [1, 1, 1]],
  [[0, 0, 0], [0, 0, 1]], [[1, 0, 0], [1, 0, 1]], [[0, 1, 0], [0, 1, 1]], [[1, 1, 0], [1, 1, 1]],
];

/** Cartesian end points (Å, 72 numbers: 12 edges x 2 points x xyz) of the box spanning `scale` cells of `cell` (rows a, b, c). */
export function boxEdgeVertices(cell: ArrayLike<number>, scale: Vec3): number[] {
  const corner = ([i, j, k]: Corner) => imageOffset(cell, [i * scale[0], j * scale[1], k * scale[2]]);
  const vertices: number[] = [];
  for (const [p, q] of BOX_EDGES) vertices.push(...corner(p), ...corner(q));
  return vertices;
}

function box(cell: ArrayLike<number>, scale: Vec3, color: number, opacity: number): LineSegments {
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new Float32BufferAttribute(boxEdgeVertices(cell, scale), 3));
  return new LineSegments(geometry, new LineBasicMaterial({ color, transparent: opacity < 1, opacity }));
}

/** The cell box in `cellColor`, plus the supercell box in `supercellColor` when the supercell is larger than 1x1x1. */
export function createCellBox(cell: ArrayLike<number>, supercell: Vec3, cellColor: number, supercellColor: number): Group {
  const group = new Group();
  if (supercell.some((v) => v > 1)) group.add(box(cell, supercell, supercellColor, 0.9));
  group.add(box(cell, [1, 1, 1], cellColor, 1));
  return group;
}
