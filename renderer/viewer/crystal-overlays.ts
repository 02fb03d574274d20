/**
 * three.js parts of the crystal view: translucent coordination polyhedra (convex hulls of the neighbour
 * positions, three's ConvexGeometry, quickhull) with their edges, and an a/b/c axis triad drawn in a corner
 * inset that turns with the camera (as VESTA's axes). Data come from scene-data.ts (Polyhedra) and the cell.
 */
import {
  BufferGeometry,
  Color,
  CylinderGeometry,
  DoubleSide,
  EdgesGeometry,
  Float32BufferAttribute,
  Group,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  MeshPhongMaterial,
  ConeGeometry,
  OrthographicCamera,
  Quaternion,
  Scene,
  Vector2,
  Vector3,
  Sprite,
  type Camera,
  type WebGLRenderer,
} from 'three';
import { ConvexGeometry } from 'three/examples/jsm/geometries/ConvexGeometry.js';
import { LabelFactory, type LabelStyle } from './labels';
import type { Polyhedra } from './scene-data';

/** Polyhedron face opacity (VESTA's default is about 0.5-0.6). */
export const POLYHEDRON_OPACITY = 0.55;

/**
 * One mesh (all faces, vertex colours of the centre atom) plus one line set (hull edges) for every polyhedron.
 * Returns null when there is nothing to draw. `userData.polyhedra` holds the polyhedron count.
 */
export function createPolyhedraGroup(polyhedra: Polyhedra | null, edgeColor: number): Group | null {
  if (!polyhedra || polyhedra.count === 0) return null;
  const positions: number[] = [], normals: number[] = [], colors: number[] = [], edges: number[] = [];
  const color = new Color();
  let drawn = 0;
  for (let p = 0; p < polyhedra.count; p++) {
    const points: Vector3[] = [];
    for (let v = polyhedra.vertexStart[p]!; v < polyhedra.vertexStart[p + 1]!; v++) points.push(new Vector3().fromArray(polyhedra.vertices, 3 * v));
    let hull: ConvexGeometry;
    try {
      hull = new ConvexGeometry(points);
    } catch {
      continue; // Degenerate (coplanar) neighbours: no solid to draw.
    }
    const position = hull.getAttribute('position');
    if (position.count === 0) {
      hull.dispose();
      continue;
    }
    color.setHex(polyhedra.color[p]!);
    const normal = hull.getAttribute('normal');
    for (let i = 0; i < position.count; i++) {
      positions.push(position.getX(i), position.getY(i), position.getZ(i));
      normals.push(normal.getX(i), normal.getY(i), normal.getZ(i));
      colors.push(color.r, color.g, color.b);
    }
    const hullEdges = new EdgesGeometry(hull, 10);
    const edgePosition = hullEdges.getAttribute('position');
    for (let i = 0; i < edgePosition.count; i++) edges.push(edgePosition.getX(i), edgePosition.getY(i), edgePosition.getZ(i));
    hullEdges.dispose();
    hull.dispose();
    drawn++;
  }
  if (drawn === 0) return null;
  const faces = new BufferGeometry();
  faces.setAttribute('position', new Float32BufferAttribute(positions, 3));
  faces.setAttribute('normal', new Float32BufferAttribute(normals, 3));
  faces.setAttribute('color', new Float32BufferAttribute(colors, 3));
  const faceMaterial = new MeshPhongMaterial({ vertexColors: true, transparent: true, opacity: POLYHEDRON_OPACITY, side: DoubleSide, depthWrite: false, shininess: 30 });
  const mesh = new Mesh(faces, faceMaterial);
  mesh.renderOrder = 3;
  const lineGeometry = new BufferGeometry();
  lineGeometry.setAttribute('position', new Float32BufferAttribute(edges, 3));
  const lines = new LineSegments(lineGeometry, new LineBasicMaterial({ color: edgeColor, transparent: true, opacity: 0.7 }));
  lines.renderOrder = 4;
  const group = new Group();
  group.add(mesh, lines);
  group.userData['polyhedra'] = drawn;
  return group;
}

/** Inset size in CSS pixels. */
export const AXES_INSET_PX = 96;
const AXIS_COLORS = [0xd62728, 0x2ca02c, 0x1f5fd6] as const;

/** The a/b/c triad in the lower-left corner: its own scene and orthographic camera, rotated with the main camera. */
export class CellAxesInset {
  private readonly scene = new Scene();
  private readonly camera = new OrthographicCamera(-1.45, 1.45, 1.45, -1.45, 0.1, 20);
  private readonly labels = new LabelFactory();
  private group: Group | null = null;

  constructor() {
    this.camera.position.set(0, 0, 5);
  }

  get shown(): boolean {
    return this.group !== null;
  }

  /** Rebuilds the triad for a cell (rows a, b, c, Å); null hides it. */
  update(cell: ArrayLike<number> | null, labelStyle: LabelStyle): void {
    this.clear();
    if (!cell) return;
    const group = new Group();
    const up = new Vector3(0, 1, 0);
    for (let k = 0; k < 3; k++) {
      const direction = new Vector3(cell[3 * k]!, cell[3 * k + 1]!, cell[3 * k + 2]!);
      if (direction.lengthSq() === 0) continue;
      direction.normalize();
      const material = new MeshBasicMaterial({ color: AXIS_COLORS[k] });
      const rotation = new Quaternion().setFromUnitVectors(up, direction);
      const shaft = new Mesh(new CylinderGeometry(0.045, 0.045, 0.75, 12), material);
      shaft.quaternion.copy(rotation);
      shaft.position.copy(direction).multiplyScalar(0.375);
      const head = new Mesh(new ConeGeometry(0.11, 0.28, 16), material);
      head.quaternion.copy(rotation);
      head.position.copy(direction).multiplyScalar(0.89);
      const label = this.labels.create('abc'[k]!, direction.x * 1.22, direction.y * 1.22, direction.z * 1.22, labelStyle);
      label.scale.set(0.42 * (label.userData['aspect'] as number), 0.42, 1);
      group.add(shaft, head, label);
    }
    this.group = group;
    this.scene.add(group);
  }

  /** Draws the inset over the current frame, turned like `view` (the main camera). */
  render(renderer: WebGLRenderer, view: Camera, cssHeight: number): void {
    if (!this.group) return;
    this.camera.quaternion.copy(view.quaternion);
    this.camera.position.set(0, 0, 5).applyQuaternion(view.quaternion);
    this.camera.updateMatrixWorld();
    const size = Math.min(AXES_INSET_PX, cssHeight);
    const autoClear = renderer.autoClear;
    renderer.autoClear = false;
    renderer.setViewport(0, 0, size, size);
    renderer.clearDepth();
    renderer.render(this.scene, this.camera);
    const target = renderer.getSize(new Vector2());
    renderer.setViewport(0, 0, target.x, target.y);
    renderer.autoClear = autoClear;
  }

  private clear(): void {
    if (!this.group) return;
    this.group.traverse((child) => {
      if (child instanceof Mesh) {
        child.geometry.dispose();
        (child.material as MeshBasicMaterial).dispose();
      }
      // Sprites share one geometry module-wide; freeing it is harmless (three re-uploads it when next drawn).
      if (child instanceof Sprite) child.geometry.dispose();
    });
    this.group.removeFromParent();
    this.labels.dispose();
    this.group = null;
  }

  dispose(): void {
    this.clear();
  }
}
