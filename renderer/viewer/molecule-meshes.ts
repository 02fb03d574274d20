/**
 * Atoms and bonds of the shown structure: InstancedMeshes (one draw call each, whatever the atom count) whose sphere
 * and cylinder tessellation drop as the count grows, ray-cast impostors above the impostor threshold (impostors.ts),
 * and line segments for the wireframe style. Meshes are reused while they are large enough and of the same detail.
 */
import {
  BufferGeometry,
  CylinderGeometry,
  Float32BufferAttribute,
  InstancedBufferAttribute,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  MeshPhongMaterial,
  PlaneGeometry,
  SphereGeometry,
  type Object3D,
  type ShaderMaterial,
} from 'three';
import { createImpostorCylinderMaterial, createImpostorSphereMaterial } from './impostors';
import { disposeObject, LinearColors, shared } from './scene-util';
import type { AtomInstances, BondHalves } from './scene-data';

/** Sphere width and height segments for `count` atoms. */
export function sphereSegments(count: number): [number, number] {
  if (count <= 2_000) return [36, 24];
  if (count <= 20_000) return [18, 12];
  if (count <= 60_000) return [12, 8];
  return [8, 6];
}

/** Cylinder radial segments for `count` bond halves. */
export function cylinderSegments(count: number): number {
  if (count <= 5_000) return 20;
  if (count <= 40_000) return 10;
  return 6;
}

/**
 * Writes the column-major instance matrix at `m` taking the unit cylinder (radius 1, height 1 along y, centred) to
 * the segment from (sx, sy, sz) along (dx, dy, dz) with radius `r`.
 */
export function bondMatrix(out: Float32Array, m: number, sx: number, sy: number, sz: number, dx: number, dy: number, dz: number, r: number): void {
  const length = Math.hypot(dx, dy, dz) || 1e-6;
  const yx = dx / length, yy = dy / length, yz = dz / length;
  // u: a unit vector perpendicular to the bond; w = u x y completes a right-handed basis (u, y, w).
  let ux: number, uy: number, uz: number;
  if (Math.abs(yx) < 0.9) {
    // u = normalize(x_axis x y)
    ux = 0; uy = -yz; uz = yy;
  } else {
    // u = normalize(y x z_axis)
    ux = yy; uy = -yx; uz = 0;
  }
  const ul = Math.hypot(ux, uy, uz);
  ux /= ul; uy /= ul; uz /= ul;
  const wx = uy * yz - uz * yy, wy = uz * yx - ux * yz, wz = ux * yy - uy * yx;
  out[m] = ux * r; out[m + 1] = uy * r; out[m + 2] = uz * r; out[m + 3] = 0;
  out[m + 4] = dx; out[m + 5] = dy; out[m + 6] = dz; out[m + 7] = 0;
  out[m + 8] = wx * r; out[m + 9] = wy * r; out[m + 10] = wz * r; out[m + 11] = 0;
  out[m + 12] = sx + dx / 2; out[m + 13] = sy + dy / 2; out[m + 14] = sz + dz / 2; out[m + 15] = 1;
}

/** Owns the atom and bond meshes of one viewer and their shared materials. */
export class MoleculeMeshes {
  private readonly colors = new LinearColors();
  // Phong: glossy highlights at a fraction of the per-pixel cost of PBR, and no shared lookup textures to leak.
  private readonly atomMaterial = new MeshPhongMaterial({ shininess: 70, specular: 0x3a3a3a, userData: { shared: true } });
  private readonly bondMaterial = new MeshPhongMaterial({ shininess: 50, specular: 0x2a2a2a, userData: { shared: true } });
  private impostorMaterial: ShaderMaterial | null = null;
  private cylinderImpostorMaterial: ShaderMaterial | null = null;
  private atomMesh: InstancedMesh | null = null;
  private bondMesh: InstancedMesh | null = null;
  private wireLines: LineSegments | null = null;

  constructor(private readonly parent: Object3D) {}

  /**
   * Draws `atoms` (spheres, or impostors when `impostor`) and `bonds` (cylinders, impostors, or lines when
   * `wireframe`); `pickCount` (atoms without supercell-only copies) sets the tessellation. Null data draws nothing.
   */
  update(atoms: AtomInstances | null, bonds: BondHalves | null, options: { readonly pickCount: number; readonly impostor: boolean; readonly wireframe: boolean }): void {
    this.updateAtoms(atoms, options.pickCount, options.impostor);
    this.updateBonds(bonds, options.impostor, options.wireframe);
  }

  private updateAtoms(atoms: AtomInstances | null, pickCount: number, impostor: boolean): void {
    const count = atoms?.count ?? 0;
    const [widthSegments, heightSegments] = sphereSegments(pickCount);
    const detailKey = impostor ? 'impostor' : `${widthSegments}x${heightSegments}`;
    const mesh = this.atomMesh;
    if (mesh && (mesh.instanceMatrix.count < count || mesh.userData['detail'] !== detailKey || count === 0)) {
      disposeObject(mesh);
      this.atomMesh = null;
    }
    if (!atoms || count === 0) return;
    if (!this.atomMesh) {
      this.atomMesh = impostor
        ? new InstancedMesh(new PlaneGeometry(2, 2), (this.impostorMaterial ??= shared(createImpostorSphereMaterial())), count)
        : new InstancedMesh(new SphereGeometry(1, widthSegments, heightSegments), this.atomMaterial, count);
      this.atomMesh.userData['detail'] = detailKey;
      this.atomMesh.instanceColor = new InstancedBufferAttribute(new Float32Array(count * 3), 3);
      this.atomMesh.frustumCulled = false;
      this.parent.add(this.atomMesh);
    }
    const target = this.atomMesh;
    target.count = count;
    const matrices = target.instanceMatrix.array as Float32Array;
    const colors = target.instanceColor!.array as Float32Array;
    for (let i = 0; i < count; i++) {
      const r = atoms.radius[i]!;
      const m = 16 * i;
      matrices.fill(0, m, m + 16);
      matrices[m] = r;
      matrices[m + 5] = r;
      matrices[m + 10] = r;
      matrices[m + 12] = atoms.position[3 * i]!;
      matrices[m + 13] = atoms.position[3 * i + 1]!;
      matrices[m + 14] = atoms.position[3 * i + 2]!;
      matrices[m + 15] = 1;
      this.colors.write(colors, 3 * i, atoms.color[i]!);
    }
    target.instanceMatrix.needsUpdate = true;
    target.instanceColor!.needsUpdate = true;
  }

  private updateBonds(bonds: BondHalves | null, impostor: boolean, asLines: boolean): void {
    const count = bonds?.count ?? 0;
    if (this.wireLines) {
      disposeObject(this.wireLines);
      this.wireLines = null;
    }
    const segments = cylinderSegments(count);
    const detailKey = impostor ? 'impostor' : `phong${segments}`;
    // Impostors draw a whole bond (both halves, split colour in the shader) per instance: half the vertices.
    const instances = impostor ? count >> 1 : count;
    if (this.bondMesh && (asLines || this.bondMesh.instanceMatrix.count < instances || this.bondMesh.userData['detail'] !== detailKey || count === 0)) {
      disposeObject(this.bondMesh);
      this.bondMesh = null;
    }
    if (!bonds || count === 0) return;
    if (asLines) {
      this.wireLines = this.createWireLines(bonds);
      this.parent.add(this.wireLines);
      return;
    }
    if (!this.bondMesh) {
      if (impostor) {
        const quad = new PlaneGeometry(2, 2);
        quad.setAttribute('instanceColorB', new InstancedBufferAttribute(new Float32Array(instances * 3), 3));
        quad.setAttribute('instanceSplit', new InstancedBufferAttribute(new Float32Array(instances), 1));
        this.bondMesh = new InstancedMesh(quad, (this.cylinderImpostorMaterial ??= shared(createImpostorCylinderMaterial())), instances);
      } else this.bondMesh = new InstancedMesh(new CylinderGeometry(1, 1, 1, segments, 1, true), this.bondMaterial, instances);
      this.bondMesh.userData['detail'] = detailKey;
      this.bondMesh.instanceColor = new InstancedBufferAttribute(new Float32Array(instances * 3), 3);
      this.bondMesh.frustumCulled = false;
      this.parent.add(this.bondMesh);
    }
    const mesh = this.bondMesh;
    mesh.count = instances;
    const matrices = mesh.instanceMatrix.array as Float32Array;
    const colors = mesh.instanceColor!.array as Float32Array;
    const colorsB = impostor ? (mesh.geometry.getAttribute('instanceColorB') as InstancedBufferAttribute) : null;
    const splits = impostor ? (mesh.geometry.getAttribute('instanceSplit') as InstancedBufferAttribute) : null;
    for (let h = 0; h < instances; h++) {
      // Impostor instance h spans halves 2h (start side) and 2h+1 (end side); a mesh instance is one half.
      const first = impostor ? 2 * h : h;
      const last = impostor ? 2 * h + 1 : h;
      const sx = bonds.start[3 * first]!, sy = bonds.start[3 * first + 1]!, sz = bonds.start[3 * first + 2]!;
      const dx = bonds.end[3 * last]! - sx, dy = bonds.end[3 * last + 1]! - sy, dz = bonds.end[3 * last + 2]! - sz;
      if (colorsB && splits) {
        this.colors.write(colorsB.array as Float32Array, 3 * h, bonds.color[last]!);
        const half = Math.hypot(bonds.end[3 * first]! - sx, bonds.end[3 * first + 1]! - sy, bonds.end[3 * first + 2]! - sz);
        (splits.array as Float32Array)[h] = half / (Math.hypot(dx, dy, dz) || 1e-6);
      }
      bondMatrix(matrices, 16 * h, sx, sy, sz, dx, dy, dz, bonds.radius[first]!);
      this.colors.write(colors, 3 * h, bonds.color[first]!);
    }
    mesh.instanceMatrix.needsUpdate = true;
    mesh.instanceColor!.needsUpdate = true;
    if (colorsB) colorsB.needsUpdate = true;
    if (splits) splits.needsUpdate = true;
  }

  private createWireLines(bonds: BondHalves): LineSegments {
    const count = bonds.count;
    const positions = new Float32Array(count * 6);
    const colors = new Float32Array(count * 6);
    for (let h = 0; h < count; h++) {
      positions.set(bonds.start.subarray(3 * h, 3 * h + 3), 6 * h);
      positions.set(bonds.end.subarray(3 * h, 3 * h + 3), 6 * h + 3);
      this.colors.write(colors, 6 * h, bonds.color[h]!);
      this.colors.write(colors, 6 * h + 3, bonds.color[h]!);
    }
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
    geometry.setAttribute('color', new Float32BufferAttribute(colors, 3));
    const lines = new LineSegments(geometry, new LineBasicMaterial({ vertexColors: true }));
    lines.frustumCulled = false;
    return lines;
  }

  /** Frees the meshes and the shared materials. */
  dispose(): void {
    for (const part of [this.atomMesh, this.bondMesh, this.wireLines]) if (part) disposeObject(part);
    this.atomMesh = this.bondMesh = null;
    this.wireLines = null;
    this.atomMaterial.dispose();
    this.bondMaterial.dispose();
    this.impostorMaterial?.dispose();
    this.cylinderImpostorMaterial?.dispose();
  }
}
