/**
 * Picking: which atom image lies under a canvas pixel (an analytic ray-sphere test over the drawn atom instances),
 * where an atom image is, and the translucent halos that mark selected and pending atoms.
 */
import { InstancedMesh, MeshBasicMaterial, Raycaster, SphereGeometry, Vector2, Vector3, type Camera } from 'three';
import type { Structure } from '../../core/structure';
import { imageOffset, type AtomInstances } from './scene-data';
import type { CellImage, Vec3 } from './viewer-api';

export interface AtomHit {
  readonly atom: number;
  readonly image: CellImage;
}

/** Key of an atom image ('3:0,1,0'), for sets of picked images. */
export function hitKey(atom: number, image: ArrayLike<number>): string {
  return `${atom}:${image[0]},${image[1]},${image[2]}`;
}

/** Nearest atom instance hit by a ray (analytic ray-sphere test, O(N)); null when the ray misses every atom. */
export function nearestHit(atoms: AtomInstances, origin: Vector3, direction: Vector3): AtomHit | null {
  let best = -1;
  let bestT = Infinity;
  for (let i = 0; i < atoms.count; i++) {
    const ox = atoms.position[3 * i]! - origin.x, oy = atoms.position[3 * i + 1]! - origin.y, oz = atoms.position[3 * i + 2]! - origin.z;
    const along = ox * direction.x + oy * direction.y + oz * direction.z;
    const r = atoms.radius[i]!;
    const d2 = ox * ox + oy * oy + oz * oz - along * along;
    if (d2 > r * r) continue;
    const half = Math.sqrt(r * r - d2);
    const t = along - half >= 0 ? along - half : along + half;
    if (t >= 0 && t < bestT) {
      bestT = t;
      best = i;
    }
  }
  if (best < 0) return null;
  return { atom: atoms.atom[best]!, image: [atoms.image[3 * best]!, atoms.image[3 * best + 1]!, atoms.image[3 * best + 2]!] };
}

/** The atom image under canvas-relative CSS pixel (x, y) of a `width` x `height` canvas seen by `camera`. */
export function pickAtPixel(atoms: AtomInstances, camera: Camera, x: number, y: number, width: number, height: number): AtomHit | null {
  if (atoms.count === 0) return null;
  const raycaster = new Raycaster();
  raycaster.setFromCamera(new Vector2((x / width) * 2 - 1, -(y / height) * 2 + 1), camera);
  return nearestHit(atoms, raycaster.ray.origin, raycaster.ray.direction);
}

/** Canvas-relative CSS pixel position of `position` (Å) seen by `camera`, or null when it is outside the depth range. */
export function projectToCanvas(position: Vec3, camera: Camera, width: number, height: number): { x: number; y: number } | null {
  camera.updateMatrixWorld();
  const p = new Vector3(...position).project(camera);
  if (p.z < -1 || p.z > 1) return null;
  return { x: ((p.x + 1) / 2) * width, y: ((1 - p.y) / 2) * height };
}

/** Position (Å) of an atom image of `structure` (cell rows a, b, c or null), or null when the index is out of range. */
export function atomImagePosition(structure: Structure | null, cell: ArrayLike<number> | null | undefined, atom: number, image: CellImage = [0, 0, 0]): Vec3 | null {
  if (!structure || !Number.isInteger(atom) || atom < 0 || atom >= structure.numbers.length) return null;
  const [ox, oy, oz] = imageOffset(cell, image);
  return [structure.positions[3 * atom]! + ox, structure.positions[3 * atom + 1]! + oy, structure.positions[3 * atom + 2]! + oz];
}

/** Instances of `atoms` that are selected (every image of a selected atom) or pending (that image only). */
export function haloInstances(atoms: AtomInstances, selection: readonly number[], pending: readonly AtomHit[]): number[] {
  const chosen = new Set(selection);
  const pendingKeys = new Set(pending.map((p) => hitKey(p.atom, p.image)));
  if (chosen.size === 0 && pendingKeys.size === 0) return [];
  const picked: number[] = [];
  for (let i = 0; i < atoms.count; i++) {
    if (chosen.has(atoms.atom[i]!) || pendingKeys.has(hitKey(atoms.atom[i]!, atoms.image.subarray(3 * i, 3 * i + 3)))) picked.push(i);
  }
  return picked;
}

/** Translucent shells (0xRRGGBB `color`) around the given atom instances; null when there are none. */
export function createHaloMesh(atoms: AtomInstances, instances: readonly number[], color: number): InstancedMesh | null {
  if (instances.length === 0) return null;
  const material = new MeshBasicMaterial({ color, transparent: true, opacity: 0.38, depthWrite: false });
  const mesh = new InstancedMesh(new SphereGeometry(1, 24, 16), material, instances.length);
  const matrices = mesh.instanceMatrix.array as Float32Array;
  instances.forEach((i, k) => {
    const r = Math.max(atoms.radius[i]!, 0.2) * 1.25 + 0.12;
    const m = 16 * k;
    matrices[m] = r; matrices[m + 5] = r; matrices[m + 10] = r; matrices[m + 15] = 1;
    matrices[m + 12] = atoms.position[3 * i]!; matrices[m + 13] = atoms.position[3 * i + 1]!; matrices[m + 14] = atoms.position[3 * i + 2]!;
  });
  mesh.instanceMatrix.needsUpdate = true;
  mesh.frustumCulled = false;
  mesh.renderOrder = 5;
  return mesh;
}
