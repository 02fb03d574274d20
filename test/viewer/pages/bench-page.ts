// Frame-time benchmark page (bench/viewer.bench.ts): the viewer (instanced) against a naive scene with one Mesh
// per atom and per bond half, both drawn by three.js into an 800x600 canvas while the camera turns.
import {
  AmbientLight,
  Color,
  CylinderGeometry,
  DirectionalLight,
  HemisphereLight,
  Mesh,
  MeshPhongMaterial,
  PerspectiveCamera,
  Quaternion,
  Scene,
  SphereGeometry,
  Vector3,
  WebGLRenderer,
} from 'three';
import { createStructure, type Structure } from '../../../core/structure';
import { createViewer } from '../../../renderer/viewer';
import { buildSceneData } from '../../../renderer/viewer/scene-data';

const WIDTH = 800;
const HEIGHT = 600;

/** `copies` copies of a molecule on a cubic grid `spacing` Å apart (a dense molecular liquid/crystal). */
function replicate(numbers: number[], positions: number[], copies: number, spacing: number): Structure {
  const side = Math.ceil(Math.cbrt(copies));
  const n = numbers.length;
  const outNumbers = new Uint8Array(copies * n);
  const outPositions = new Float64Array(copies * n * 3);
  for (let c = 0; c < copies; c++) {
    const x = (c % side) * spacing, y = (Math.floor(c / side) % side) * spacing, z = Math.floor(c / side / side) * spacing;
    for (let i = 0; i < n; i++) {
      outNumbers[c * n + i] = numbers[i]!;
      outPositions[3 * (c * n + i)] = positions[3 * i]! + x;
      outPositions[3 * (c * n + i) + 1] = positions[3 * i + 1]! + y;
      outPositions[3 * (c * n + i) + 2] = positions[3 * i + 2]! + z;
    }
  }
  return createStructure({ name: `${copies} copies`, numbers: outNumbers, positions: outPositions });
}

function makeCanvas(): HTMLCanvasElement {
  document.body.replaceChildren();
  const canvas = document.createElement('canvas');
  canvas.style.cssText = `position:absolute;left:0;top:0;width:${WIDTH}px;height:${HEIGHT}px`;
  document.body.appendChild(canvas);
  return canvas;
}

/** Waits for the GPU: reading one pixel back forces the queued draw calls to finish. */
function finish(gl: WebGL2RenderingContext): void {
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface FrameResult {
  atoms: number;
  bonds: number;
  medianMs: number;
  loadMs: number;
  drawCalls: number;
  triangles: number;
  glRenderer: string;
}

const api = {
  /** The viewer (InstancedMesh atoms and bond halves): median ms per frame while turning the camera. */
  instanced(numbers: number[], positions: number[], copies: number, frames: number, antialias = true): FrameResult {
    const structure = replicate(numbers, positions, copies, 6);
    const canvas = makeCanvas();
    const t0 = performance.now();
    const viewer = createViewer(canvas, { pixelRatio: 1, interactive: false, antialias, initialState: { structure } });
    viewer.render();
    const gl = canvas.getContext('webgl2')!;
    finish(gl);
    const loadMs = performance.now() - t0;
    const pose = viewer.getCamera();
    const times: number[] = [];
    for (let f = 0; f < frames; f++) {
      const angle = (f + 1) * 0.05;
      const offset = new Vector3(...pose.position).sub(new Vector3(...pose.target)).applyAxisAngle(new Vector3(...pose.up), angle);
      const start = performance.now();
      viewer.setState({ camera: { ...pose, position: [pose.target[0] + offset.x, pose.target[1] + offset.y, pose.target[2] + offset.z] } });
      viewer.render();
      finish(gl);
      times.push(performance.now() - start);
    }
    const info = viewer.getInfo();
    viewer.dispose();
    return { atoms: info.atoms, bonds: info.bondInstances, medianMs: median(times), loadMs, drawCalls: info.drawCalls, triangles: info.triangles, glRenderer: info.glRenderer };
  },

  /**
   * The viewer turned by real pointer events on its canvas (what a user's drag does), so its interaction
   * resolution (ViewerOptions.interactionPixelScale) applies: median ms per frame while dragging.
   */
  dragged(numbers: number[], positions: number[], copies: number, frames: number): FrameResult {
    const structure = replicate(numbers, positions, copies, 6);
    const canvas = makeCanvas();
    const t0 = performance.now();
    const viewer = createViewer(canvas, { pixelRatio: 1, initialState: { structure } });
    viewer.render();
    const gl = canvas.getContext('webgl2')!;
    finish(gl);
    const loadMs = performance.now() - t0;
    const pointer = (type: string, x: number) =>
      canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: HEIGHT / 2, pointerId: 1, button: 0, buttons: type === 'pointerup' ? 0 : 1, bubbles: true }));
    let x = WIDTH / 2;
    pointer('pointerdown', x);
    const times: number[] = [];
    for (let f = 0; f < frames; f++) {
      const start = performance.now();
      x += 8;
      pointer('pointermove', x);
      viewer.render();
      finish(gl);
      times.push(performance.now() - start);
    }
    const reducedRatio = viewer.pixelRatio;
    pointer('pointerup', x);
    const info = viewer.getInfo();
    viewer.dispose();
    return { atoms: info.atoms, bonds: info.bondInstances, medianMs: median(times), loadMs, drawCalls: info.drawCalls, triangles: info.triangles, glRenderer: `${info.glRenderer}; pixel ratio while dragging ${reducedRatio}` };
  },

  /** Baseline: the same scene with one Mesh per atom and per bond half (shared geometry, one material per colour). */
  perObject(numbers: number[], positions: number[], copies: number, frames: number): FrameResult {
    const structure = replicate(numbers, positions, copies, 6);
    const canvas = makeCanvas();
    const t0 = performance.now();
    const data = buildSceneData(structure, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
    const renderer = new WebGLRenderer({ canvas, antialias: true, powerPreference: 'high-performance' });
    renderer.setPixelRatio(1);
    renderer.setSize(WIDTH, HEIGHT, false);
    const scene = new Scene();
    scene.background = new Color('#ffffff');
    scene.add(new HemisphereLight(0xffffff, 0x8a8f99, 1.25), new AmbientLight(0xffffff, 0.35));
    const camera = new PerspectiveCamera(30, WIDTH / HEIGHT, 0.1, 1000);
    const key = new DirectionalLight(0xffffff, 2.1);
    key.position.set(-1.2, 1.6, 2.4);
    camera.add(key);
    scene.add(camera);
    // Same tessellation the viewer picks for this atom count.
    const segments = data.atoms.count <= 2_000 ? [36, 24] : data.atoms.count <= 20_000 ? [18, 12] : data.atoms.count <= 60_000 ? [12, 8] : [8, 6];
    const sphere = new SphereGeometry(1, segments[0], segments[1]);
    const cylinder = new CylinderGeometry(1, 1, 1, data.bonds.count <= 5_000 ? 20 : data.bonds.count <= 40_000 ? 10 : 6, 1, true);
    const materials = new Map<number, MeshPhongMaterial>();
    const material = (hex: number) => {
      let m = materials.get(hex);
      if (!m) materials.set(hex, (m = new MeshPhongMaterial({ color: hex, shininess: 70, specular: 0x3a3a3a })));
      return m;
    };
    const lo = new Vector3(Infinity, Infinity, Infinity), hi = new Vector3(-Infinity, -Infinity, -Infinity);
    for (let i = 0; i < data.atoms.count; i++) {
      const mesh = new Mesh(sphere, material(data.atoms.color[i]!));
      mesh.position.fromArray(data.atoms.position, 3 * i);
      mesh.scale.setScalar(data.atoms.radius[i]!);
      lo.min(mesh.position);
      hi.max(mesh.position);
      scene.add(mesh);
    }
    const yAxis = new Vector3(0, 1, 0);
    for (let h = 0; h < data.bonds.count; h++) {
      const a = new Vector3().fromArray(data.bonds.start, 3 * h), b = new Vector3().fromArray(data.bonds.end, 3 * h);
      const direction = b.clone().sub(a);
      const mesh = new Mesh(cylinder, material(data.bonds.color[h]!));
      mesh.position.copy(a).add(b).multiplyScalar(0.5);
      mesh.quaternion.copy(new Quaternion().setFromUnitVectors(yAxis, direction.clone().normalize()));
      mesh.scale.set(data.bonds.radius[h]!, direction.length(), data.bonds.radius[h]!);
      scene.add(mesh);
    }
    const center = lo.clone().add(hi).multiplyScalar(0.5);
    const radius = lo.distanceTo(hi) / 2 + 1;
    const distance = radius / Math.sin((15 * Math.PI) / 180);
    camera.position.copy(center).add(new Vector3(0, 0, distance));
    camera.near = Math.max(0.1, distance - 1.5 * radius);
    camera.far = distance + 1.5 * radius;
    camera.lookAt(center);
    camera.updateProjectionMatrix();
    renderer.render(scene, camera);
    const gl = renderer.getContext() as WebGL2RenderingContext;
    finish(gl);
    const loadMs = performance.now() - t0;
    const times: number[] = [];
    const offset0 = camera.position.clone().sub(center);
    for (let f = 0; f < frames; f++) {
      const start = performance.now();
      camera.position.copy(center).add(offset0.clone().applyAxisAngle(yAxis, (f + 1) * 0.05));
      camera.lookAt(center);
      renderer.render(scene, camera);
      finish(gl);
      times.push(performance.now() - start);
    }
    const result = { atoms: structure.numbers.length, bonds: data.bondCount, medianMs: median(times), loadMs, drawCalls: renderer.info.render.calls, triangles: renderer.info.render.triangles, glRenderer: '' };
    sphere.dispose();
    cylinder.dispose();
    for (const m of materials.values()) m.dispose();
    renderer.dispose();
    return result;
  },
};

export type ViewerBenchApi = typeof api;
(globalThis as unknown as { viewerBench: ViewerBenchApi }).viewerBench = api;
(globalThis as unknown as { viewerBenchReady: boolean }).viewerBenchReady = true;
