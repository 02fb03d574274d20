/**
 * Additional structures drawn with the shown one (a conformer ensemble superposed on the selected conformer):
 * thin, semi-transparent sticks and small atoms in element colours (hydrogen grey, so it shows on a white
 * background), every overlay structure in one pair of
 * InstancedMeshes (two draw calls whatever their number). Not pickable; the caller owns the returned Group
 * (dispose it with its geometries and materials).
 */
import { Color, CylinderGeometry, Group, InstancedBufferAttribute, InstancedMesh, MeshPhongMaterial, SphereGeometry } from 'three';
import { ELEMENTS, type Structure } from '../../core/structure';
import { buildSceneData, type SceneData } from './scene-data';
import { orientedMatrix } from './viewer-overlays';

/** Overlay atoms and sticks: licorice at this share of its radius (0.2 Å), so 0.09 Å. */
export const OVERLAY_SCALE = 0.45;
/** Opacity of overlay structures. */
export const OVERLAY_OPACITY = 0.55;
/** Hydrogen in the overlay (its element colour is white). */
export const OVERLAY_HYDROGEN = 0x8a94a6;

const HYDROGEN_COLOR = ELEMENTS[1]?.color;

/** Overlay colour (0xRRGGBB) of an element colour. */
function overlayColor(hex: number): number {
  return hex === HYDROGEN_COLOR ? OVERLAY_HYDROGEN : hex;
}

export interface OverlayCounts {
  readonly structures: number;
  readonly atoms: number;
  readonly bondHalves: number;
}

/** Scene data of each overlay structure (licorice, element colours, thin). */
export function overlaySceneData(structures: readonly Structure[]): SceneData[] {
  return structures.map((s) => buildSceneData(s, { style: 'licorice', colorScheme: { kind: 'element' }, atomScale: OVERLAY_SCALE, bondScale: OVERLAY_SCALE, supercell: [1, 1, 1] }));
}

/** The overlay Group (userData.counts: OverlayCounts), or null when there is nothing to draw. */
export function createOverlayGroup(structures: readonly Structure[]): Group | null {
  const scenes = overlaySceneData(structures);
  const atoms = scenes.reduce((n, d) => n + d.atoms.count, 0);
  const halves = scenes.reduce((n, d) => n + d.bonds.count, 0);
  if (atoms === 0) return null;
  const color = new Color();
  const group = new Group();
  const material = () => new MeshPhongMaterial({ shininess: 30, transparent: true, opacity: OVERLAY_OPACITY, depthWrite: false });
  const atomMesh = new InstancedMesh(new SphereGeometry(1, 14, 10), material(), atoms);
  atomMesh.instanceColor = new InstancedBufferAttribute(new Float32Array(atoms * 3), 3);
  const matrices = atomMesh.instanceMatrix.array as Float32Array;
  const colors = atomMesh.instanceColor.array as Float32Array;
  let k = 0;
  for (const data of scenes) {
    for (let i = 0; i < data.atoms.count; i++, k++) {
      const r = data.atoms.radius[i]!;
      matrices.fill(0, 16 * k, 16 * k + 16);
      matrices[16 * k] = r;
      matrices[16 * k + 5] = r;
      matrices[16 * k + 10] = r;
      matrices.set(data.atoms.position.subarray(3 * i, 3 * i + 3), 16 * k + 12);
      matrices[16 * k + 15] = 1;
      color.setHex(overlayColor(data.atoms.color[i]!));
      colors.set([color.r, color.g, color.b], 3 * k);
    }
  }
  group.add(atomMesh);
  if (halves > 0) {
    const bondMesh = new InstancedMesh(new CylinderGeometry(1, 1, 1, 8, 1, true).translate(0, 0.5, 0), material(), halves);
    bondMesh.instanceColor = new InstancedBufferAttribute(new Float32Array(halves * 3), 3);
    const bondMatrices = bondMesh.instanceMatrix.array as Float32Array;
    const bondColors = bondMesh.instanceColor.array as Float32Array;
    let h = 0;
    for (const data of scenes) {
      const b = data.bonds;
      for (let i = 0; i < b.count; i++, h++) {
        const sx = b.start[3 * i]!, sy = b.start[3 * i + 1]!, sz = b.start[3 * i + 2]!;
        const dx = b.end[3 * i]! - sx, dy = b.end[3 * i + 1]! - sy, dz = b.end[3 * i + 2]! - sz;
        const length = Math.hypot(dx, dy, dz) || 1e-6;
        orientedMatrix(bondMatrices, 16 * h, dx / length, dy / length, dz / length, length, b.radius[i]!, sx, sy, sz);
        color.setHex(overlayColor(b.color[i]!));
        bondColors.set([color.r, color.g, color.b], 3 * h);
      }
    }
    group.add(bondMesh);
  }
  for (const mesh of group.children as InstancedMesh[]) {
    mesh.instanceMatrix.needsUpdate = true;
    mesh.instanceColor!.needsUpdate = true;
    mesh.frustumCulled = false;
    mesh.renderOrder = 2;
  }
  const counts: OverlayCounts = { structures: structures.length, atoms, bondHalves: halves };
  group.userData['counts'] = counts;
  return group;
}
