/**
 * Framing the scene: the bounding sphere of what is drawn (atom instances, the (super)cell box when shown, the
 * dipole arrow and its label), camera fitting along a view direction, and near/far planes that hug the scene.
 */
import { Vector3, type PerspectiveCamera } from 'three';
import type { Structure } from '../../core/structure';
import { dipoleArrowOf } from './dipole-arrow';
import { imageOffset, type SceneData } from './scene-data';
import type { DipoleArrowOptions } from './viewer-api';

export const DEFAULT_FOV = 30;

export interface BoundingSphere {
  readonly center: Vector3;
  readonly radius: number;
}

/** What the bounding sphere covers: the scene data, whether the cell is drawn, and the dipole arrow's structure and options. */
export interface FramedContent {
  readonly data: SceneData | null;
  readonly showCell: boolean;
  readonly structure: Structure | null;
  readonly dipole: DipoleArrowOptions | null;
}

/** Bounding sphere (Å) of the drawn content; radius 5 about the origin when nothing is drawn, at least 1. */
export function boundingSphereOf({ data, showCell, structure, dipole }: FramedContent): BoundingSphere {
  const atoms = data?.pickAtoms;
  if (!data || !atoms || atoms.count === 0) return { center: new Vector3(), radius: 5 };
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const include = (p: ArrayLike<number>, offset = 0) => {
    for (let c = 0; c < 3; c++) {
      lo[c] = Math.min(lo[c]!, p[offset + c]!);
      hi[c] = Math.max(hi[c]!, p[offset + c]!);
    }
  };
  for (let i = 0; i < atoms.count; i++) include(atoms.position, 3 * i);
  const cell = data.cell;
  const withCell = cell !== null && showCell;
  if (withCell) {
    const sc = data.supercell;
    for (const i of [0, sc[0]]) for (const j of [0, sc[1]]) for (const k of [0, sc[2]]) include(imageOffset(cell, [i, j, k]));
  }
  const center = new Vector3((lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2, (lo[2]! + hi[2]!) / 2);
  let radius = 0;
  const p = new Vector3();
  for (let i = 0; i < atoms.count; i++) {
    p.fromArray(atoms.position, 3 * i);
    radius = Math.max(radius, p.distanceTo(center) + atoms.radius[i]!);
  }
  if (withCell) radius = Math.max(radius, new Vector3(lo[0], lo[1], lo[2]).distanceTo(center));
  // The dipole arrow's tip and its label (about 0.8 Å beyond it) stay in view.
  const arrow = dipole && structure ? dipoleArrowOf(structure, dipole) : null;
  if (arrow) radius = Math.max(radius, new Vector3(...arrow.start).addScaledVector(new Vector3(...arrow.direction), arrow.length + 0.8).distanceTo(center));
  return { center, radius: Math.max(radius, 1) };
}

/** Remembers the last bounding sphere while its inputs stay the same objects (a camera move does not recompute it). */
export class BoundingSphereCache {
  private last: { content: FramedContent; sphere: BoundingSphere } | null = null;

  get(content: FramedContent): BoundingSphere {
    const last = this.last;
    const hit =
      last &&
      last.content.data === content.data &&
      last.content.showCell === content.showCell &&
      last.content.dipole === content.dipole &&
      last.content.structure === content.structure;
    if (!hit) this.last = { content, sphere: boundingSphereOf(content) };
    const sphere = this.last!.sphere;
    return { center: sphere.center.clone(), radius: sphere.radius };
  }
}

/** Near and far planes for a camera `distance` from its target with the scene within `sceneRadius` of it. */
export function clippingPlanes(distance: number, sceneRadius: number): { readonly near: number; readonly far: number } {
  return { near: Math.max(0.01, distance - 1.5 * sceneRadius, distance * 0.002), far: distance + 1.5 * sceneRadius + 1 };
}

/** Applies clippingPlanes to `camera` looking at `target`. */
export function updateClipping(camera: PerspectiveCamera, target: Vector3, sceneRadius: number): void {
  const { near, far } = clippingPlanes(camera.position.distanceTo(target), sceneRadius);
  camera.near = near;
  camera.far = far;
  camera.updateProjectionMatrix();
}

/** Distance at which a sphere of `radius` fills the smaller of the vertical `fov` (degrees) and the horizontal one at `aspect`. */
export function fitDistance(radius: number, fov: number, aspect: number): number {
  const vertical = (fov * Math.PI) / 180;
  const horizontal = 2 * Math.atan(Math.tan(vertical / 2) * aspect);
  return (radius * 1.04) / Math.sin(Math.min(vertical, horizontal) / 2);
}

/**
 * Moves `camera` (and `target`) to frame `sphere`, keeping the view direction unless `resetDirection` (or there is
 * none): then crystals get a slightly oblique view so the cell reads as a box, molecules look straight down -z.
 */
export function fitCamera(camera: PerspectiveCamera, target: Vector3, sphere: BoundingSphere, resetDirection: boolean, crystal: boolean): void {
  let direction = camera.position.clone().sub(target);
  if (resetDirection || direction.lengthSq() === 0) {
    direction = crystal ? new Vector3(0.32, 0.24, 1) : new Vector3(0, 0, 1);
    camera.up.set(0, 1, 0);
    camera.fov = DEFAULT_FOV;
  }
  const distance = fitDistance(sphere.radius, camera.fov, camera.aspect);
  target.copy(sphere.center);
  camera.position.copy(sphere.center).add(direction.normalize().multiplyScalar(distance));
  camera.lookAt(target);
  updateClipping(camera, target, sphere.radius);
}
