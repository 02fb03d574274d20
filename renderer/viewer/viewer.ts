/**
 * The three.js implementation of StructureViewer (see viewer-api.ts). Atoms and bond halves are InstancedMeshes
 * (one draw call each, whatever the atom count); sphere and cylinder tessellation drop as the count grows.
 * Rendering is on demand (one animation frame per change), so an idle viewer costs nothing.
 */
import {
  AmbientLight,
  BufferGeometry,
  Color,
  CylinderGeometry,
  DirectionalLight,
  Float32BufferAttribute,
  Group,
  HemisphereLight,
  InstancedBufferAttribute,
  InstancedMesh,
  LineBasicMaterial,
  LineDashedMaterial,
  LineSegments,
  MeshBasicMaterial,
  MeshPhongMaterial,
  PerspectiveCamera,
  PlaneGeometry,
  Raycaster,
  Scene,
  SphereGeometry,
  Sprite,
  Vector2,
  Vector3,
  WebGLRenderer,
  type Material,
  type ShaderMaterial,
  type Object3D,
} from 'three';
import { symbolOf, type Structure } from '../../core/structure';
import { CameraControls } from './camera-controls';
import { createImpostorCylinderMaterial, createImpostorSphereMaterial, IMPOSTOR_THRESHOLD } from './impostors';
import { LabelFactory, labelScale, type LabelStyle } from './labels';
import { arrowInstancesOf, fixedAtomsOf } from './force-arrows';
import { formatMeasure, measurePoints } from './measure';
import { atomScalars, buildSceneData, imageOffset, type AtomInstances, type SceneData } from './scene-data';
import { createOverlayGroup, type OverlayCounts } from './overlay-structures';
import { createArrowGroup, createFixedMarkers } from './viewer-overlays';
import { dipoleArrowInstances, dipoleArrowOf, formatDipole } from './dipole-arrow';
import type { ColorLegend } from './color-maps';
import { CellAxesInset, createPolyhedraGroup } from './crystal-overlays';
import type {
  CameraState,
  CellImage,
  CreateViewer,
  DipoleArrowOptions,
  Measurement,
  MeasureResult,
  StructureViewer,
  Vec3,
  ViewerEventName,
  ViewerEvents,
  ViewerInfo,
  ViewerOptions,
  ViewerState,
  ViewerTheme,
} from './viewer-api';

export const DEFAULT_VIEWER_STATE: ViewerState = {
  structure: null,
  frames: [],
  frame: 0,
  playing: false,
  fps: 10,
  style: 'ball-and-stick',
  colorScheme: { kind: 'element' },
  atomScale: 1,
  bondScale: 1,
  showCell: true,
  supercell: [1, 1, 1],
  boundaryAtoms: true,
  bondedBeyondBoundary: false,
  polyhedra: true,
  cellAxes: true,
  labels: 'none',
  labelProperty: null,
  selection: [],
  measurements: [],
  interaction: 'select',
  background: null,
  theme: 'light',
  camera: null,
  forceArrows: null,
  dipoleArrow: null,
  fixedAtoms: [],
  overlay: [],
};

interface ThemeColors {
  readonly background: string;
  readonly cell: number;
  readonly supercell: number;
  readonly measure: number;
  readonly selection: number;
  /** Force arrows and fixed-atom markers. */
  readonly arrow: number;
  readonly fixed: number;
  readonly dipole: number;
  readonly label: LabelStyle;
  readonly measureLabel: LabelStyle;
}

const THEMES: Readonly<Record<ViewerTheme, ThemeColors>> = {
  light: {
    background: '#ffffff',
    cell: 0x2b303b,
    supercell: 0x9aa1ad,
    measure: 0xc2410c,
    selection: 0x1e90ff,
    arrow: 0x16a34a,
    fixed: 0x7c3aed,
    dipole: 0xc026d3,
    label: { color: '#111418', outline: 'rgba(255,255,255,0.92)' },
    measureLabel: { color: '#9a3412', outline: 'rgba(255,255,255,0.95)' },
  },
  dark: {
    background: '#16181d',
    cell: 0xd5d9e0,
    supercell: 0x5d6470,
    measure: 0xfbbf24,
    selection: 0x38bdf8,
    arrow: 0x4ade80,
    fixed: 0xc4b5fd,
    dipole: 0xf0abfc,
    label: { color: '#f4f6fa', outline: 'rgba(0,0,0,0.85)' },
    measureLabel: { color: '#fde68a', outline: 'rgba(0,0,0,0.9)' },
  },
};

/** Labels beyond this many atoms are not drawn (one sprite each). */
export const MAX_LABELS = 2000;
const DEFAULT_FOV = 30;

function sphereSegments(count: number): [number, number] {
  if (count <= 2_000) return [36, 24];
  if (count <= 20_000) return [18, 12];
  if (count <= 60_000) return [12, 8];
  return [8, 6];
}

function cylinderSegments(count: number): number {
  if (count <= 5_000) return 20;
  if (count <= 40_000) return 10;
  return 6;
}

/** sRGB 0xRRGGBB -> linear RGB (three's working colour space), memoised. */
class LinearColors {
  private readonly cache = new Map<number, [number, number, number]>();
  private readonly color = new Color();
  get(hex: number): [number, number, number] {
    let rgb = this.cache.get(hex);
    if (!rgb) {
      this.color.setHex(hex);
      rgb = [this.color.r, this.color.g, this.color.b];
      this.cache.set(hex, rgb);
    }
    return rgb;
  }
}

function shownStructure(state: ViewerState): Structure | null {
  if (state.frames.length > 0) return state.frames[Math.min(state.frames.length - 1, Math.max(0, Math.floor(state.frame)))] ?? null;
  return state.structure;
}

function shared<T extends Material>(material: T): T {
  material.userData['shared'] = true;
  return material;
}

function disposeObject(object: Object3D): void {
  object.traverse((child) => {
    const withGeometry = child as Object3D & { geometry?: BufferGeometry; material?: Material | Material[] };
    if (child instanceof InstancedMesh) child.dispose();
    withGeometry.geometry?.dispose();
    if (!(child instanceof Sprite)) {
      const materials = Array.isArray(withGeometry.material) ? withGeometry.material : withGeometry.material ? [withGeometry.material] : [];
      // Materials shared across rebuilds (userData.shared) are freed by the viewer's dispose().
      for (const material of materials) if (!material.userData['shared']) material.dispose();
    }
  });
  object.removeFromParent();
}

class ThreeStructureViewer implements StructureViewer {
  readonly canvas: HTMLCanvasElement;
  private readonly ownsCanvas: boolean;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(DEFAULT_FOV, 1, 0.1, 1000);
  private readonly controls: CameraControls | null;
  private readonly colors = new LinearColors();
  private readonly listeners = new Map<ViewerEventName, Set<(event: never) => void>>();
  private readonly resizeObserver: ResizeObserver | null;
  private readonly labelFactory = new LabelFactory();
  private readonly measureLabelFactory = new LabelFactory();
  // Phong: glossy highlights at a fraction of the per-pixel cost of PBR, and no shared lookup textures to leak.
  private readonly atomMaterial = new MeshPhongMaterial({ shininess: 70, specular: 0x3a3a3a, userData: { shared: true } });
  private readonly bondMaterial = new MeshPhongMaterial({ shininess: 50, specular: 0x2a2a2a, userData: { shared: true } });
  private impostorMaterial: ShaderMaterial | null = null;
  private cylinderImpostorMaterial: ShaderMaterial | null = null;
  private state: ViewerState = DEFAULT_VIEWER_STATE;
  private data: SceneData | null = null;
  private shown: Structure | null = null;
  private atomMesh: InstancedMesh | null = null;
  private bondMesh: InstancedMesh | null = null;
  private wireLines: LineSegments | null = null;
  private haloMesh: InstancedMesh | null = null;
  private cellLines: Group | null = null;
  private labelGroup: Group | null = null;
  private measureGroup: Group | null = null;
  private polyhedraGroup: Group | null = null;
  private readonly axesInset = new CellAxesInset();
  private arrowGroup: Group | null = null;
  private dipoleGroup: Group | null = null;
  private readonly dipoleLabelFactory = new LabelFactory();
  private fixedLines: LineSegments | null = null;
  private overlayGroup: Group | null = null;
  private pending: Array<{ atom: number; image: CellImage }> = [];
  private hoverKey = '';
  private frameRequest: number | null = null;
  private playRequest: number | null = null;
  private lastAdvance = 0;
  private sceneRadius = 1;
  private cssSize: [number, number] = [1, 1];
  private glRenderer = '';
  private disposed = false;
  private readonly impostorThreshold: number;
  private readonly basePixelRatio: number;
  private readonly interactionPixelScale: number;
  private restoreTimer: ReturnType<typeof setTimeout> | null = null;
  private disposedMemory: { geometries: number; textures: number } | null = null;

  constructor(target: HTMLCanvasElement | HTMLElement, options: ViewerOptions) {
    this.impostorThreshold = options.impostorThreshold ?? IMPOSTOR_THRESHOLD;
    if (target instanceof HTMLCanvasElement) {
      this.canvas = target;
      this.ownsCanvas = false;
    } else {
      this.canvas = document.createElement('canvas');
      this.canvas.style.display = 'block';
      this.canvas.style.width = '100%';
      this.canvas.style.height = '100%';
      target.appendChild(this.canvas);
      this.ownsCanvas = true;
    }
    this.renderer = new WebGLRenderer({
      canvas: this.canvas,
      antialias: options.antialias ?? true,
      preserveDrawingBuffer: options.preserveDrawingBuffer ?? false,
      powerPreference: 'high-performance',
    });
    this.basePixelRatio = options.pixelRatio ?? Math.min(2, globalThis.devicePixelRatio || 1);
    this.interactionPixelScale = Math.min(1, Math.max(0.1, options.interactionPixelScale ?? 0.5));
    this.renderer.setPixelRatio(this.basePixelRatio);
    const gl = this.renderer.getContext();
    const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
    this.glRenderer = String(debugInfo ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));

    // Lighting: soft sky/ground fill plus a key light and a weak rim light that follow the camera.
    this.scene.add(new HemisphereLight(0xffffff, 0x8a8f99, 1.25));
    this.scene.add(new AmbientLight(0xffffff, 0.35));
    const key = new DirectionalLight(0xffffff, 2.1);
    key.position.set(-1.2, 1.6, 2.4);
    const rim = new DirectionalLight(0xffffff, 0.45);
    rim.position.set(1.5, -0.6, -1);
    this.camera.add(key, rim);
    key.target.position.set(0, 0, -1);
    rim.target.position.set(0, 0, -1);
    this.camera.add(key.target, rim.target);
    this.scene.add(this.camera);
    this.camera.position.set(0, 0, 20);

    this.controls =
      options.interactive === false
        ? null
        : new CameraControls(this.canvas, this.camera, {
            onChange: () => {
              this.beginInteraction();
              this.updateClipping();
              this.emit('camera', this.getCamera());
              this.requestRender();
            },
            onClick: (x, y, event) => this.handleClick(x, y, event.shiftKey),
            onHover: (x, y) => this.handleHover(x, y),
          });

    this.resizeObserver = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.resize());
    this.resizeObserver?.observe(this.ownsCanvas ? target : this.canvas);
    this.resize();
    this.applyState({ ...DEFAULT_VIEWER_STATE, ...options.initialState }, true);
  }

  // ---------------------------------------------------------------- state

  setState(partial: Partial<ViewerState>): void {
    if (this.disposed) throw new Error('viewer is disposed');
    this.applyState({ ...this.state, ...partial }, false);
  }

  getState(): ViewerState {
    return this.state;
  }

  private applyState(next: ViewerState, first: boolean): void {
    const prev = this.state;
    this.state = next;
    const structure = shownStructure(next);
    const theme = THEMES[next.theme] ?? THEMES.light;
    const themeChanged = first || prev.theme !== next.theme || prev.background !== next.background;
    if (themeChanged) this.scene.background = new Color(next.background ?? theme.background);

    const geometryChanged =
      first ||
      structure !== this.shown ||
      prev.style !== next.style ||
      prev.atomScale !== next.atomScale ||
      prev.bondScale !== next.bondScale ||
      prev.supercell.join() !== next.supercell.join() ||
      prev.boundaryAtoms !== next.boundaryAtoms ||
      prev.bondedBeyondBoundary !== next.bondedBeyondBoundary ||
      prev.polyhedra !== next.polyhedra ||
      JSON.stringify(prev.colorScheme) !== JSON.stringify(next.colorScheme);
    // Auto camera (state.camera null): refit when the content or its extent changes, keeping the view direction.
    const sizeChanged =
      prev.supercell.join() !== next.supercell.join() ||
      prev.style !== next.style ||
      prev.atomScale !== next.atomScale ||
      prev.showCell !== next.showCell ||
      prev.boundaryAtoms !== next.boundaryAtoms ||
      prev.bondedBeyondBoundary !== next.bondedBeyondBoundary ||
      prev.polyhedra !== next.polyhedra ||
      JSON.stringify(prev.dipoleArrow) !== JSON.stringify(next.dipoleArrow);
    const contentChanged = first || (next.frames.length > 0 ? prev.frames !== next.frames : prev.structure !== next.structure || prev.frames.length > 0);

    if (geometryChanged) {
      this.shown = structure;
      this.pending = [];
      this.data = structure
        ? buildSceneData(structure, {
            style: next.style,
            colorScheme: next.colorScheme,
            atomScale: next.atomScale,
            bondScale: next.bondScale,
            supercell: next.supercell,
            // Spacefill hides polyhedra inside the spheres: none then (nor their vertex atoms beyond the cell).
            crystal: { boundary: next.boundaryAtoms, bondedBeyond: next.bondedBeyondBoundary, polyhedra: next.polyhedra && next.style !== 'spacefill' },
          })
        : null;
      this.updateAtoms();
      this.updateBonds();
    }
    if (geometryChanged || themeChanged) this.updatePolyhedra();
    if (geometryChanged || themeChanged || prev.cellAxes !== next.cellAxes) this.axesInset.update(next.cellAxes ? (this.data?.cell ?? null) : null, theme.label);
    if (geometryChanged || themeChanged || prev.showCell !== next.showCell) this.updateCell();
    if (geometryChanged || themeChanged || prev.selection !== next.selection) this.updateHalos();
    if (geometryChanged || themeChanged || prev.labels !== next.labels || prev.labelProperty !== next.labelProperty) this.updateLabels();
    if (geometryChanged || themeChanged || prev.measurements !== next.measurements) this.updateMeasurements();
    if (geometryChanged || themeChanged || JSON.stringify(prev.forceArrows) !== JSON.stringify(next.forceArrows)) this.updateArrows();
    if (geometryChanged || themeChanged || prev.fixedAtoms.join() !== next.fixedAtoms.join()) this.updateFixedMarkers();
    if (geometryChanged || themeChanged || JSON.stringify(prev.dipoleArrow) !== JSON.stringify(next.dipoleArrow)) this.updateDipole();
    if (first || prev.overlay !== next.overlay) this.updateOverlay();
    if (prev.interaction !== next.interaction) {
      this.pending = [];
      this.updateHalos();
    }

    if (next.camera && (first || next.camera !== prev.camera)) this.applyCamera(next.camera);
    else if (!next.camera && (contentChanged || sizeChanged)) this.fit(contentChanged);
    else if (geometryChanged) this.updateSceneRadius();

    if (next.playing && next.frames.length > 1) this.startPlayback();
    else this.stopPlayback();
    this.requestRender();
  }

  // ---------------------------------------------------------------- scene parts

  private writeColors(attribute: Float32Array, offset: number, hex: number): void {
    const [r, g, b] = this.colors.get(hex);
    attribute[offset] = r;
    attribute[offset + 1] = g;
    attribute[offset + 2] = b;
  }

  /** Large structures: impostor spheres and custom-lit low-poly bonds (see impostors.ts). */
  private usesImpostors(): boolean {
    return (this.data?.pickAtoms.count ?? 0) > this.impostorThreshold;
  }

  private updateAtoms(): void {
    const atoms = this.data?.atoms;
    const count = atoms?.count ?? 0;
    const [widthSegments, heightSegments] = sphereSegments(this.data?.pickAtoms.count ?? 0);
    const mesh = this.atomMesh;
    const impostor = this.usesImpostors();
    const detailKey = impostor ? 'impostor' : `${widthSegments}x${heightSegments}`;
    if (mesh && (mesh.instanceMatrix.count < count || mesh.userData['detail'] !== detailKey || count === 0)) {
      disposeObject(mesh);
      this.atomMesh = null;
    }
    if (!atoms || count === 0) return;
    if (!this.atomMesh) {
      this.atomMesh = impostor
        ? new InstancedMesh(new PlaneGeometry(2, 2), this.impostorMaterial ??= shared(createImpostorSphereMaterial()), count)
        : new InstancedMesh(new SphereGeometry(1, widthSegments, heightSegments), this.atomMaterial, count);
      this.atomMesh.userData['detail'] = detailKey;
      this.atomMesh.instanceColor = new InstancedBufferAttribute(new Float32Array(count * 3), 3);
      this.atomMesh.frustumCulled = false;
      this.scene.add(this.atomMesh);
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
      this.writeColors(colors, 3 * i, atoms.color[i]!);
    }
    target.instanceMatrix.needsUpdate = true;
    target.instanceColor!.needsUpdate = true;
  }

  private updateBonds(): void {
    const bonds = this.data?.bonds;
    const asLines = this.state.style === 'wireframe';
    const count = bonds?.count ?? 0;
    if (this.wireLines) {
      disposeObject(this.wireLines);
      this.wireLines = null;
    }
    const impostor = this.usesImpostors();
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
      const positions = new Float32Array(count * 6);
      const colors = new Float32Array(count * 6);
      for (let h = 0; h < count; h++) {
        positions.set(bonds.start.subarray(3 * h, 3 * h + 3), 6 * h);
        positions.set(bonds.end.subarray(3 * h, 3 * h + 3), 6 * h + 3);
        this.writeColors(colors, 6 * h, bonds.color[h]!);
        this.writeColors(colors, 6 * h + 3, bonds.color[h]!);
      }
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
      geometry.setAttribute('color', new Float32BufferAttribute(colors, 3));
      this.wireLines = new LineSegments(geometry, new LineBasicMaterial({ vertexColors: true }));
      this.wireLines.frustumCulled = false;
      this.scene.add(this.wireLines);
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
      this.scene.add(this.bondMesh);
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
      const r = bonds.radius[first]!;
      const sx = bonds.start[3 * first]!, sy = bonds.start[3 * first + 1]!, sz = bonds.start[3 * first + 2]!;
      const dx = bonds.end[3 * last]! - sx, dy = bonds.end[3 * last + 1]! - sy, dz = bonds.end[3 * last + 2]! - sz;
      const length = Math.hypot(dx, dy, dz) || 1e-6;
      if (colorsB && splits) {
        this.writeColors(colorsB.array as Float32Array, 3 * h, bonds.color[last]!);
        const half = Math.hypot(bonds.end[3 * first]! - sx, bonds.end[3 * first + 1]! - sy, bonds.end[3 * first + 2]! - sz);
        (splits.array as Float32Array)[h] = half / length;
      }
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
      const m = 16 * h;
      matrices[m] = ux * r; matrices[m + 1] = uy * r; matrices[m + 2] = uz * r; matrices[m + 3] = 0;
      matrices[m + 4] = dx; matrices[m + 5] = dy; matrices[m + 6] = dz; matrices[m + 7] = 0;
      matrices[m + 8] = wx * r; matrices[m + 9] = wy * r; matrices[m + 10] = wz * r; matrices[m + 11] = 0;
      matrices[m + 12] = sx + dx / 2; matrices[m + 13] = sy + dy / 2; matrices[m + 14] = sz + dz / 2; matrices[m + 15] = 1;
      this.writeColors(colors, 3 * h, bonds.color[first]!);
    }
    mesh.instanceMatrix.needsUpdate = true;
    mesh.instanceColor!.needsUpdate = true;
    if (colorsB) colorsB.needsUpdate = true;
    if (splits) splits.needsUpdate = true;
  }

  private updateCell(): void {
    if (this.cellLines) {
      disposeObject(this.cellLines);
      this.cellLines = null;
    }
    const cell = this.data?.cell;
    if (!cell || !this.state.showCell) return;
    const theme = THEMES[this.state.theme] ?? THEMES.light;
    const group = new Group();
    const box = (scale: Vec3, color: number, opacity: number) => {
      const corner = (i: number, j: number, k: number) => imageOffset(cell, [i * scale[0], j * scale[1], k * scale[2]]);
      const edges: number[] = [];
      const pairs: Array<[[number, number, number], [number, number, number]]> = [
        [[0, 0, 0], [1, 0, 0]], [[0, 1, 0], [1, 1, 0]], [[0, 0, 1], [1, 0, 1]], [[0, 1, 1], [1, 1, 1]],
        [[0, 0, 0], [0, 1, 0]], [[1, 0, 0], [1, 1, 0]], [[0, 0, 1], [0, 1, 1]], [[1, 0, 1], [1, 1, 1]],
        [[0, 0, 0], [0, 0, 1]], [[1, 0, 0], [1, 0, 1]], [[0, 1, 0], [0, 1, 1]], [[1, 1, 0], [1, 1, 1]],
      ];
      for (const [p, q] of pairs) edges.push(...corner(...p), ...corner(...q));
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new Float32BufferAttribute(edges, 3));
      const material = new LineBasicMaterial({ color, transparent: opacity < 1, opacity });
      return new LineSegments(geometry, material);
    };
    const supercell = this.data!.supercell;
    if (supercell.some((v) => v > 1)) group.add(box(supercell, theme.supercell, 0.9));
    group.add(box([1, 1, 1], theme.cell, 1));
    this.cellLines = group;
    this.scene.add(group);
  }

  /** Coordination polyhedra of the crystal view (crystal-overlays.ts). */
  private updatePolyhedra(): void {
    if (this.polyhedraGroup) {
      disposeObject(this.polyhedraGroup);
      this.polyhedraGroup = null;
    }
    this.polyhedraGroup = createPolyhedraGroup(this.data?.polyhedra ?? null, (THEMES[this.state.theme] ?? THEMES.light).supercell);
    if (this.polyhedraGroup) this.scene.add(this.polyhedraGroup);
  }

  /** Translucent shells around selected atoms and atoms picked so far for a measurement. */
  private updateHalos(): void {
    if (this.haloMesh) {
      disposeObject(this.haloMesh);
      this.haloMesh = null;
    }
    const data = this.data;
    if (!data) return;
    const chosen = new Set(this.state.selection);
    const pendingKeys = new Set(this.pending.map((p) => `${p.atom}:${p.image.join()}`));
    if (chosen.size === 0 && pendingKeys.size === 0) return;
    const atoms = data.pickAtoms;
    const picked: number[] = [];
    for (let i = 0; i < atoms.count; i++) {
      if (chosen.has(atoms.atom[i]!) || pendingKeys.has(`${atoms.atom[i]}:${atoms.image[3 * i]},${atoms.image[3 * i + 1]},${atoms.image[3 * i + 2]}`)) picked.push(i);
    }
    if (picked.length === 0) return;
    const theme = THEMES[this.state.theme] ?? THEMES.light;
    const material = new MeshBasicMaterial({ color: theme.selection, transparent: true, opacity: 0.38, depthWrite: false });
    const mesh = new InstancedMesh(new SphereGeometry(1, 24, 16), material, picked.length);
    const matrices = mesh.instanceMatrix.array as Float32Array;
    picked.forEach((i, k) => {
      const r = Math.max(atoms.radius[i]!, 0.2) * 1.25 + 0.12;
      const m = 16 * k;
      matrices[m] = r; matrices[m + 5] = r; matrices[m + 10] = r; matrices[m + 15] = 1;
      matrices[m + 12] = atoms.position[3 * i]!; matrices[m + 13] = atoms.position[3 * i + 1]!; matrices[m + 14] = atoms.position[3 * i + 2]!;
    });
    mesh.instanceMatrix.needsUpdate = true;
    mesh.frustumCulled = false;
    mesh.renderOrder = 5;
    this.haloMesh = mesh;
    this.scene.add(mesh);
  }

  private labelText(structure: Structure, atom: number, scalars: Float64Array | null): string {
    switch (this.state.labels) {
      case 'element':
        return symbolOf(structure.numbers[atom]!);
      case 'index':
        return String(atom + 1);
      case 'property': {
        const name = this.state.labelProperty ?? '';
        const array = structure.atomArrays[name];
        if (array?.kind === 'string') return array.data[atom * array.width] ?? '';
        const value = scalars?.[atom];
        return value === undefined || Number.isNaN(value) ? '' : Number.isInteger(value) ? String(value) : value.toPrecision(3);
      }
      default:
        return '';
    }
  }

  private updateLabels(): void {
    if (this.labelGroup) {
      disposeObject(this.labelGroup);
      this.labelGroup = null;
    }
    this.labelFactory.dispose();
    const data = this.data;
    const structure = this.shown;
    if (!data || !structure || this.state.labels === 'none') return;
    const theme = THEMES[this.state.theme] ?? THEMES.light;
    const scalars = this.state.labels === 'property' && this.state.labelProperty ? atomScalars(structure, this.state.labelProperty) : null;
    const group = new Group();
    const atoms = data.pickAtoms;
    for (let i = 0; i < Math.min(atoms.count, MAX_LABELS); i++) {
      const text = this.labelText(structure, atoms.atom[i]!, scalars);
      if (text) group.add(this.labelFactory.create(text, atoms.position[3 * i]!, atoms.position[3 * i + 1]!, atoms.position[3 * i + 2]!, theme.label));
    }
    this.labelGroup = group;
    this.scene.add(group);
  }

  /** Position of an atom image (Å) in the shown structure. */
  private atomPosition(atom: number, image: CellImage = [0, 0, 0]): Vec3 | null {
    const structure = this.shown;
    if (!structure || !Number.isInteger(atom) || atom < 0 || atom >= structure.numbers.length) return null;
    const [ox, oy, oz] = imageOffset(this.data?.cell, image);
    return [structure.positions[3 * atom]! + ox, structure.positions[3 * atom + 1]! + oy, structure.positions[3 * atom + 2]! + oz];
  }

  /** Value of a measurement on the shown structure, or null when an index is out of range. */
  measurementResult(measurement: Measurement): MeasureResult | null {
    const points: Vec3[] = [];
    for (let k = 0; k < measurement.atoms.length; k++) {
      const point = this.atomPosition(measurement.atoms[k]!, measurement.images?.[k]);
      if (!point) return null;
      points.push(point);
    }
    try {
      return measurePoints(points);
    } catch {
      return null;
    }
  }

  private updateMeasurements(): void {
    if (this.measureGroup) {
      disposeObject(this.measureGroup);
      this.measureGroup = null;
    }
    this.measureLabelFactory.dispose();
    if (!this.data || this.state.measurements.length === 0) return;
    const theme = THEMES[this.state.theme] ?? THEMES.light;
    const group = new Group();
    const material = new LineDashedMaterial({ color: theme.measure, dashSize: 0.18, gapSize: 0.1, depthTest: false, transparent: true });
    const vertices: number[] = [];
    for (const measurement of this.state.measurements) {
      if (measurement.atoms.length < 2 || measurement.atoms.length > 4) continue;
      const result = this.measurementResult(measurement);
      if (!result) continue;
      const points = measurement.atoms.map((atom, k) => this.atomPosition(atom, measurement.images?.[k])!);
      for (let k = 0; k + 1 < points.length; k++) vertices.push(...points[k]!, ...points[k + 1]!);
      // Label: bond midpoint (distance), near the vertex (angle), middle of the central bond (dihedral).
      const at =
        points.length === 2
          ? [0, 1, 2].map((c) => (points[0]![c]! + points[1]![c]!) / 2)
          : points.length === 3
            ? [0, 1, 2].map((c) => points[1]![c]! + 0.3 * (points[0]![c]! + points[2]![c]! - 2 * points[1]![c]!))
            : [0, 1, 2].map((c) => (points[1]![c]! + points[2]![c]!) / 2);
      group.add(this.measureLabelFactory.create(formatMeasure(result), at[0]!, at[1]!, at[2]!, theme.measureLabel));
    }
    if (vertices.length > 0) {
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new Float32BufferAttribute(vertices, 3));
      const lines = new LineSegments(geometry, material);
      lines.computeLineDistances();
      lines.renderOrder = 8;
      group.add(lines);
    } else material.dispose();
    this.measureGroup = group;
    this.scene.add(group);
  }

  /** Force arrows of the shown structure (state.forceArrows), on every drawn atom instance. */
  private updateArrows(): void {
    if (this.arrowGroup) {
      disposeObject(this.arrowGroup);
      this.arrowGroup = null;
    }
    const options = this.state.forceArrows;
    if (!options || !this.data || !this.shown) return;
    const arrows = arrowInstancesOf(this.shown, this.data.pickAtoms, options.scale, options.array);
    if (!arrows) return;
    this.arrowGroup = createArrowGroup(arrows, (THEMES[this.state.theme] ?? THEMES.light).arrow);
    if (this.arrowGroup) this.scene.add(this.arrowGroup);
  }

  /** The dipole arrow from the centroid with its magnitude at the tip (state.dipoleArrow). */
  private updateDipole(): void {
    if (this.dipoleGroup) {
      disposeObject(this.dipoleGroup);
      this.dipoleGroup = null;
    }
    this.dipoleLabelFactory.dispose();
    const options = this.state.dipoleArrow;
    const arrow = options && this.shown ? dipoleArrowOf(this.shown, options) : null;
    if (!arrow) return;
    const theme = THEMES[this.state.theme] ?? THEMES.light;
    const group = createArrowGroup(dipoleArrowInstances(arrow), theme.dipole, { shaftRadius: 0.09, headRadius: 0.22, headMax: 0.6 });
    if (!group) return;
    const tip = arrow.start.map((x, c) => x + arrow.direction[c]! * (arrow.length + 0.35));
    group.add(this.dipoleLabelFactory.create(formatDipole(arrow.magnitude), tip[0]!, tip[1]!, tip[2]!, theme.measureLabel));
    group.userData['length'] = arrow.length;
    group.children.forEach((child) => (child.renderOrder = 9));
    this.dipoleGroup = group;
    this.scene.add(group);
  }

  /** Wire cubes around fixed atoms: the structure's move_mask plus state.fixedAtoms. */
  private updateFixedMarkers(): void {
    if (this.fixedLines) {
      disposeObject(this.fixedLines);
      this.fixedLines = null;
    }
    if (!this.data || !this.shown) return;
    const fixed = new Set(fixedAtomsOf(this.shown, this.state.fixedAtoms));
    this.fixedLines = createFixedMarkers(this.data.pickAtoms, fixed, (THEMES[this.state.theme] ?? THEMES.light).fixed);
    if (this.fixedLines) this.scene.add(this.fixedLines);
  }

  /** The overlay structures (state.overlay), thin and semi-transparent. */
  private updateOverlay(): void {
    if (this.overlayGroup) {
      disposeObject(this.overlayGroup);
      this.overlayGroup = null;
    }
    this.overlayGroup = createOverlayGroup(this.state.overlay);
    if (this.overlayGroup) this.scene.add(this.overlayGroup);
  }

  // ---------------------------------------------------------------- camera

  getCamera(): CameraState {
    const t = this.controls?.target ?? this.cameraTarget;
    return {
      position: [this.camera.position.x, this.camera.position.y, this.camera.position.z],
      target: [t.x, t.y, t.z],
      up: [this.camera.up.x, this.camera.up.y, this.camera.up.z],
      fov: this.camera.fov,
    };
  }

  private readonly cameraTarget = new Vector3();

  private get target(): Vector3 {
    return this.controls?.target ?? this.cameraTarget;
  }

  private applyCamera(pose: CameraState): void {
    this.camera.fov = pose.fov;
    this.camera.position.set(...pose.position);
    this.camera.up.set(...pose.up).normalize();
    this.target.set(...pose.target);
    this.camera.lookAt(this.target);
    this.updateSceneRadius();
  }

  private boundingCache: { data: SceneData | null; showCell: boolean; dipole: DipoleArrowOptions | null; sphere: { center: Vector3; radius: number } } | null = null;

  private boundingSphere(): { center: Vector3; radius: number } {
    const cache = this.boundingCache;
    if (cache && cache.data === this.data && cache.showCell === this.state.showCell && cache.dipole === this.state.dipoleArrow) return { center: cache.sphere.center.clone(), radius: cache.sphere.radius };
    const sphere = this.computeBoundingSphere();
    this.boundingCache = { data: this.data, showCell: this.state.showCell, dipole: this.state.dipoleArrow, sphere };
    return { center: sphere.center.clone(), radius: sphere.radius };
  }

  private computeBoundingSphere(): { center: Vector3; radius: number } {
    const atoms = this.data?.pickAtoms;
    if (!atoms || atoms.count === 0) return { center: new Vector3(), radius: 5 };
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < atoms.count; i++) {
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c]!, atoms.position[3 * i + c]!);
        hi[c] = Math.max(hi[c]!, atoms.position[3 * i + c]!);
      }
    }
    const cell = this.data?.cell;
    if (cell && this.state.showCell) {
      const sc = this.data!.supercell;
      for (const i of [0, sc[0]]) for (const j of [0, sc[1]]) for (const k of [0, sc[2]]) {
        const p = imageOffset(cell, [i, j, k]);
        for (let c = 0; c < 3; c++) {
          lo[c] = Math.min(lo[c]!, p[c]!);
          hi[c] = Math.max(hi[c]!, p[c]!);
        }
      }
    }
    const center = new Vector3((lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2, (lo[2]! + hi[2]!) / 2);
    let radius = 0;
    const p = new Vector3();
    for (let i = 0; i < atoms.count; i++) {
      p.fromArray(atoms.position, 3 * i);
      radius = Math.max(radius, p.distanceTo(center) + atoms.radius[i]!);
    }
    if (cell && this.state.showCell) radius = Math.max(radius, new Vector3(...lo).distanceTo(center));
    // The dipole arrow's tip and its label (about 0.8 Å beyond it) stay in view.
    const dipole = this.state.dipoleArrow && this.shown ? dipoleArrowOf(this.shown, this.state.dipoleArrow) : null;
    if (dipole) radius = Math.max(radius, new Vector3(...dipole.start).addScaledVector(new Vector3(...dipole.direction), dipole.length + 0.8).distanceTo(center));
    return { center, radius: Math.max(radius, 1) };
  }

  private updateSceneRadius(): void {
    const { center, radius } = this.boundingSphere();
    this.sceneRadius = radius + center.distanceTo(this.target);
    this.updateClipping();
  }

  private updateClipping(): void {
    const distance = this.camera.position.distanceTo(this.target);
    const r = this.sceneRadius;
    this.camera.near = Math.max(0.01, distance - 1.5 * r, distance * 0.002);
    this.camera.far = distance + 1.5 * r + 1;
    this.camera.updateProjectionMatrix();
  }

  /** Frames the scene; keeps the view direction unless `resetDirection`. */
  private fit(resetDirection: boolean): void {
    const { center, radius } = this.boundingSphere();
    let direction = this.camera.position.clone().sub(this.target);
    if (resetDirection || direction.lengthSq() === 0) {
      // Crystals: a slightly oblique view so the cell reads as a box; molecules: straight down -z.
      direction = this.data?.cell ? new Vector3(0.32, 0.24, 1) : new Vector3(0, 0, 1);
      this.camera.up.set(0, 1, 0);
      this.camera.fov = DEFAULT_FOV;
    }
    const vertical = (this.camera.fov * Math.PI) / 180;
    const horizontal = 2 * Math.atan(Math.tan(vertical / 2) * this.camera.aspect);
    const distance = (radius * 1.04) / Math.sin(Math.min(vertical, horizontal) / 2);
    this.target.copy(center);
    this.camera.position.copy(center).add(direction.normalize().multiplyScalar(distance));
    this.camera.lookAt(this.target);
    this.sceneRadius = radius;
    this.updateClipping();
  }

  fitToView(): void {
    this.fit(false);
    this.emit('camera', this.getCamera());
    this.requestRender();
  }

  resetCamera(): void {
    this.fit(true);
    this.emit('camera', this.getCamera());
    this.requestRender();
  }

  // ---------------------------------------------------------------- picking and events

  pickAt(x: number, y: number): { atom: number; image: CellImage } | null {
    const atoms = this.data?.pickAtoms;
    if (!atoms || atoms.count === 0) return null;
    const [width, height] = this.cssSize;
    const raycaster = new Raycaster();
    raycaster.setFromCamera(new Vector2((x / width) * 2 - 1, -(y / height) * 2 + 1), this.camera);
    const { origin, direction } = raycaster.ray;
    return nearestHit(atoms, origin, direction);
  }

  projectAtom(atom: number, image: CellImage = [0, 0, 0]): { x: number; y: number } | null {
    const position = this.atomPosition(atom, image);
    if (!position) return null;
    this.camera.updateMatrixWorld();
    const p = new Vector3(...position).project(this.camera);
    if (p.z < -1 || p.z > 1) return null;
    const [width, height] = this.cssSize;
    return { x: ((p.x + 1) / 2) * width, y: ((1 - p.y) / 2) * height };
  }

  private handleClick(x: number, y: number, shiftKey: boolean): void {
    const hit = this.pickAt(x, y);
    const position = hit ? this.atomPosition(hit.atom, hit.image) : null;
    this.emit('pick', { atom: hit?.atom ?? null, image: hit?.image ?? [0, 0, 0], position, x, y, shiftKey });
    const mode = this.state.interaction;
    if (mode === 'select') return;
    if (!hit) {
      this.pending = [];
    } else {
      this.pending.push(hit);
      const needed = mode === 'distance' ? 2 : mode === 'angle' ? 3 : 4;
      if (this.pending.length === needed) {
        const measurement: Measurement = { atoms: this.pending.map((p) => p.atom), images: this.pending.map((p) => p.image) };
        this.pending = [];
        const result = this.measurementResult(measurement);
        if (result) {
          this.applyState({ ...this.state, measurements: [...this.state.measurements, measurement] }, false);
          this.emit('measure', { measurement, result });
        }
      }
    }
    this.updateHalos();
    this.requestRender();
  }

  private handleHover(x: number, y: number): void {
    const hit = this.pickAt(x, y);
    const key = hit ? `${hit.atom}:${hit.image.join()}` : '';
    if (key === this.hoverKey) return;
    this.hoverKey = key;
    this.emit('hover', { atom: hit?.atom ?? null, image: hit?.image ?? [0, 0, 0], x, y });
  }

  on<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): void {
    this.listeners.get(type)?.delete(listener as (event: never) => void);
  }

  private emit<K extends ViewerEventName>(type: K, event: ViewerEvents[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as (event: ViewerEvents[K]) => void)(event);
  }

  // ---------------------------------------------------------------- playback

  private startPlayback(): void {
    if (this.playRequest !== null) return;
    this.lastAdvance = performance.now();
    const tick = (now: number) => {
      this.playRequest = null;
      const state = this.state;
      if (this.disposed || !state.playing || state.frames.length < 2) return;
      const interval = 1000 / Math.max(0.1, state.fps);
      if (now - this.lastAdvance >= interval) {
        this.lastAdvance = now - ((now - this.lastAdvance) % interval);
        const frame = (Math.floor(state.frame) + 1) % state.frames.length;
        this.applyState({ ...state, frame }, false);
        this.emit('frame', { frame });
      }
      if (this.state.playing) this.playRequest = requestAnimationFrame(tick);
    };
    this.playRequest = requestAnimationFrame(tick);
  }

  private stopPlayback(): void {
    if (this.playRequest !== null) cancelAnimationFrame(this.playRequest);
    this.playRequest = null;
  }

  // ---------------------------------------------------------------- drawing

  /** Large structures: lower resolution while the camera moves, full resolution once it rests. */
  private beginInteraction(): void {
    if (!this.usesImpostors() || this.interactionPixelScale >= 1) return;
    if (this.restoreTimer === null) {
      this.renderer.setPixelRatio(this.basePixelRatio * this.interactionPixelScale);
      this.renderer.setSize(this.cssSize[0], this.cssSize[1], false);
    } else clearTimeout(this.restoreTimer);
    this.restoreTimer = setTimeout(() => {
      this.endInteraction();
      this.requestRender();
    }, 250);
  }

  private endInteraction(): void {
    if (this.restoreTimer === null) return;
    clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
    this.renderer.setPixelRatio(this.basePixelRatio);
    this.renderer.setSize(this.cssSize[0], this.cssSize[1], false);
  }

  /** Drawing-buffer pixels per CSS pixel right now (lower while a large structure is being turned). */
  get pixelRatio(): number {
    return this.renderer.getPixelRatio();
  }

  resize(width?: number, height?: number): void {
    if (this.disposed) return;
    const w = Math.max(1, Math.round(width ?? (this.canvas.clientWidth || this.canvas.width || 300)));
    const h = Math.max(1, Math.round(height ?? (this.canvas.clientHeight || this.canvas.height || 150)));
    if (w === this.cssSize[0] && h === this.cssSize[1] && width === undefined) return;
    this.cssSize = [w, h];
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private requestRender(): void {
    if (this.disposed || this.frameRequest !== null) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = null;
      this.render();
    });
  }

  render(): void {
    if (this.disposed) return;
    const scale = labelScale(this.camera.fov, this.cssSize[1]);
    for (const group of [this.labelGroup, this.measureGroup, this.dipoleGroup]) {
      group?.children.forEach((child) => {
        if (child instanceof Sprite) child.scale.set(scale * (child.userData['aspect'] as number), scale, 1);
      });
    }
    this.renderer.render(this.scene, this.camera);
    this.axesInset.render(this.renderer, this.camera, this.cssSize[1]);
  }

  toDataURL(): string {
    this.endInteraction();
    this.render();
    return this.canvas.toDataURL('image/png');
  }

  async toPNG(): Promise<Blob> {
    const url = this.toDataURL();
    const binary = atob(url.slice(url.indexOf(',') + 1));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type: 'image/png' });
  }

  getInfo(): ViewerInfo {
    const memory = this.disposedMemory ?? this.renderer.info.memory;
    return {
      atoms: this.shown?.numbers.length ?? 0,
      atomInstances: this.data?.atoms.count ?? 0,
      bondInstances: this.data?.bondCount ?? 0,
      polyhedra: (this.polyhedraGroup?.userData['polyhedra'] as number | undefined) ?? 0,
      cellAxes: this.axesInset.shown,
      geometries: memory.geometries,
      textures: memory.textures,
      drawCalls: this.disposed ? 0 : this.renderer.info.render.calls,
      triangles: this.disposed ? 0 : this.renderer.info.render.triangles,
      forceArrows: (this.arrowGroup?.userData['arrows'] as number | undefined) ?? 0,
      fixedMarkers: (this.fixedLines?.userData['markers'] as number | undefined) ?? 0,
      dipoleArrow: (this.dipoleGroup?.userData['length'] as number | undefined) ?? 0,
      overlayStructures: (this.overlayGroup?.userData['counts'] as OverlayCounts | undefined)?.structures ?? 0,
      overlayAtoms: (this.overlayGroup?.userData['counts'] as OverlayCounts | undefined)?.atoms ?? 0,
      glRenderer: this.glRenderer,
    };
  }

  getColorLegend(): ColorLegend | null {
    return this.data?.legend ?? null;
  }

  getAtomColors(): readonly number[] {
    return Array.from(this.data?.atomColors ?? []);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = null;
    this.stopPlayback();
    if (this.restoreTimer !== null) clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
    this.resizeObserver?.disconnect();
    this.controls?.dispose();
    this.listeners.clear();
    let spriteGeometry: BufferGeometry | null = null;
    this.scene.traverse((child) => {
      if (child instanceof Sprite) spriteGeometry = child.geometry;
    });
    if (this.polyhedraGroup) disposeObject(this.polyhedraGroup);
    this.polyhedraGroup = null;
    this.axesInset.dispose();
    for (const part of [this.atomMesh, this.bondMesh, this.wireLines, this.haloMesh, this.cellLines, this.labelGroup, this.measureGroup, this.arrowGroup, this.dipoleGroup, this.fixedLines, this.overlayGroup]) if (part) disposeObject(part);
    this.arrowGroup = null;
    this.dipoleGroup = null;
    this.dipoleLabelFactory.dispose();
    this.overlayGroup = null;
    this.fixedLines = null;
    (spriteGeometry as BufferGeometry | null)?.dispose();
    this.atomMesh = this.bondMesh = this.haloMesh = null;
    this.wireLines = null;
    this.cellLines = null;
    this.labelGroup = this.measureGroup = null;
    this.labelFactory.dispose();
    this.measureLabelFactory.dispose();
    this.atomMaterial.dispose();
    this.bondMaterial.dispose();
    this.impostorMaterial?.dispose();
    this.cylinderImpostorMaterial?.dispose();
    this.renderer.renderLists.dispose();
    this.renderer.dispose();
    this.disposedMemory = { ...this.renderer.info.memory };
    if (this.ownsCanvas) {
      this.renderer.forceContextLoss();
      this.canvas.remove();
    }
    this.data = null;
    this.shown = null;
    this.disposed = true;
  }
}

/** Nearest atom instance hit by a ray (analytic ray-sphere test, O(N)). */
function nearestHit(atoms: AtomInstances, origin: Vector3, direction: Vector3): { atom: number; image: CellImage } | null {
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

/** Creates a viewer drawing into `target` (a canvas) or into a new canvas filling `target` (a container). */
export const createViewer: CreateViewer = (target, options = {}) => new ThreeStructureViewer(target, options);
