/**
 * The three.js implementation of StructureViewer (see viewer-api.ts): state, events, camera and the render loop.
 * The scene parts live in viewer-scene.ts (atoms and bonds in molecule-meshes.ts, overlays in their own modules),
 * what a state change rebuilds in viewer-state.ts, picking in picking.ts, measuring in measure-interaction.ts,
 * playback in playback.ts, framing in camera-fit.ts, image export in image-export.ts, events in viewer-events.ts and
 * the lower resolution while a large structure turns in render-resolution.ts.
 * Rendering is on demand (one animation frame per change), so an idle viewer costs nothing.
 */
import { PerspectiveCamera, Vector3, WebGLRenderer } from 'three';
import type { Structure } from '../../core/structure';
import { BoundingSphereCache, DEFAULT_FOV, fitCamera, updateClipping, type BoundingSphere } from './camera-fit';
import { CameraControls } from './camera-controls';
import type { ColorLegend } from './color-maps';
import { canvasPngBlob, exportSizeOf, withExportFrame, type ExportHost } from './image-export';
import { IMPOSTOR_THRESHOLD } from './impostors';
import { labelScale } from './labels';
import { MeasurePicker, measurementResultOf } from './measure-interaction';
import { Playback } from './playback';
import { RenderResolution } from './render-resolution';
import { atomImagePosition, hitKey, pickAtPixel, projectToCanvas, type AtomHit } from './picking';
import { buildSceneData, type SceneData } from './scene-data';
import { themeOf } from './themes';
import { DEFAULT_VIEWER_STATE, shownStructure, viewerChanges } from './viewer-state';
import { ViewerEmitter } from './viewer-events';
import { ViewerScene, type SceneInput } from './viewer-scene';
import type { CameraState, CellImage, CreateViewer, ImageExportOptions, ImageExportSize, Measurement, MeasureResult, StructureViewer, Vec3 } from './viewer-api';
import type { ViewerEventName, ViewerEvents, ViewerInfo, ViewerOptions, ViewerState } from './viewer-api';

export { DEFAULT_VIEWER_STATE, MAX_LABELS } from './viewer-state';

class ThreeStructureViewer implements StructureViewer {
  readonly canvas: HTMLCanvasElement;
  private readonly ownsCanvas: boolean;
  private readonly renderer: WebGLRenderer;
  private readonly camera = new PerspectiveCamera(DEFAULT_FOV, 1, 0.1, 1000);
  private readonly view: ViewerScene;
  private readonly controls: CameraControls | null;
  private readonly events = new ViewerEmitter();
  private readonly resizeObserver: ResizeObserver | null;
  private readonly picker = new MeasurePicker();
  private readonly playback: Playback;
  private readonly bounds = new BoundingSphereCache();
  private readonly cameraTarget = new Vector3();
  private state: ViewerState = DEFAULT_VIEWER_STATE;
  private data: SceneData | null = null;
  private shown: Structure | null = null;
  private hoverKey = '';
  private frameRequest: number | null = null;
  private sceneRadius = 1;
  private cssSize: [number, number] = [1, 1];
  /** The canvas's CSS box ('w x h') when the resize observer last looked. */
  private observedBox = '';
  private readonly glRenderer: string;
  private disposed = false;
  private readonly impostorThreshold: number;
  private readonly resolution: RenderResolution;
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
      // An alpha channel, so a transparent export can clear to alpha 0 (the scene background is opaque otherwise).
      alpha: true,
      preserveDrawingBuffer: options.preserveDrawingBuffer ?? false,
      powerPreference: 'high-performance',
    });
    const pixelRatio = options.pixelRatio ?? Math.min(2, globalThis.devicePixelRatio || 1);
    const interactionScale = Math.min(1, Math.max(0.1, options.interactionPixelScale ?? 0.5));
    this.resolution = new RenderResolution(this.renderer, pixelRatio, interactionScale, () => this.cssSize, () => this.requestRender());
    this.renderer.setPixelRatio(pixelRatio);
    this.renderer.setClearColor(0x000000, 0);
    const gl = this.renderer.getContext();
    const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
    this.glRenderer = String(debugInfo ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));

    this.view = new ViewerScene(this.camera);
    this.camera.position.set(0, 0, 20);
    this.playback = new Playback({
      current: () => (this.disposed || !this.state.playing || this.state.frames.length < 2 ? null : { frame: this.state.frame, count: this.state.frames.length, fps: this.state.fps }),
      advance: (frame) => {
        this.applyState({ ...this.state, frame }, false);
        this.emit('frame', { frame });
      },
    });
    this.controls =
      options.interactive === false
        ? null
        : new CameraControls(this.canvas, this.camera, {
            onChange: () => {
              this.resolution.moved(this.usesImpostors());
              updateClipping(this.camera, this.target, this.sceneRadius);
              this.emit('camera', this.getCamera());
              this.requestRender();
            },
            onClick: (x, y, event) => this.handleClick(x, y, event.shiftKey),
            onHover: (x, y) => this.handleHover(x, y),
          });

    // Only a change of the canvas's CSS box resizes: the observer's first callback (which may come after a host's
    // explicit resize(w, h)) reports the box the viewer started with, and must not undo that resize.
    this.resizeObserver = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.followCssBox());
    this.resizeObserver?.observe(this.ownsCanvas ? target : this.canvas);
    this.observedBox = this.cssBoxKey();
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
    const changes = viewerChanges(prev, next, this.shown, first);
    this.state = next;
    const theme = themeOf(next.theme);
    if (changes.theme) this.view.setBackground(next.background ?? theme.background);
    if (changes.geometry) {
      const structure = shownStructure(next);
      this.shown = structure;
      this.picker.reset();
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
    }
    if (changes.interaction) this.picker.reset();
    this.view.update(changes, this.sceneInput());

    if (changes.camera && next.camera) this.applyCamera(next.camera);
    else if (!next.camera && (changes.content || changes.size)) this.fit(changes.content);
    else if (changes.geometry) this.updateSceneRadius();

    if (next.playing && next.frames.length > 1) this.playback.start();
    else this.playback.stop();
    this.requestRender();
  }

  private sceneInput(): SceneInput {
    return {
      data: this.data,
      structure: this.shown,
      state: this.state,
      theme: themeOf(this.state.theme),
      pending: this.picker.pending,
      impostor: this.usesImpostors(),
      locate: (atom, image) => this.atomPosition(atom, image),
    };
  }

  /** Large structures: impostor spheres and custom-lit low-poly bonds (see impostors.ts). */
  private usesImpostors(): boolean {
    return (this.data?.pickAtoms.count ?? 0) > this.impostorThreshold;
  }

  /** Position of an atom image (Å) in the shown structure. */
  private atomPosition(atom: number, image: CellImage = [0, 0, 0]): Vec3 | null {
    return atomImagePosition(this.shown, this.data?.cell, atom, image);
  }

  measurementResult(measurement: Measurement): MeasureResult | null {
    return measurementResultOf(measurement, (atom, image) => this.atomPosition(atom, image));
  }

  // ---------------------------------------------------------------- camera

  getCamera(): CameraState {
    const t = this.target;
    return {
      position: [this.camera.position.x, this.camera.position.y, this.camera.position.z],
      target: [t.x, t.y, t.z],
      up: [this.camera.up.x, this.camera.up.y, this.camera.up.z],
      fov: this.camera.fov,
    };
  }

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

  private boundingSphere(): BoundingSphere {
    return this.bounds.get({ data: this.data, showCell: this.state.showCell, structure: this.shown, dipole: this.state.dipoleArrow });
  }

  private updateSceneRadius(): void {
    const { center, radius } = this.boundingSphere();
    this.sceneRadius = radius + center.distanceTo(this.target);
    updateClipping(this.camera, this.target, this.sceneRadius);
  }

  /** Frames the scene; keeps the view direction unless `resetDirection`. */
  private fit(resetDirection: boolean): void {
    const sphere = this.boundingSphere();
    fitCamera(this.camera, this.target, sphere, resetDirection, Boolean(this.data?.cell));
    this.sceneRadius = sphere.radius;
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

  pickAt(x: number, y: number): AtomHit | null {
    const atoms = this.data?.pickAtoms;
    return atoms ? pickAtPixel(atoms, this.camera, x, y, this.cssSize[0], this.cssSize[1]) : null;
  }

  projectAtom(atom: number, image: CellImage = [0, 0, 0]): { x: number; y: number } | null {
    const position = this.atomPosition(atom, image);
    return position ? projectToCanvas(position, this.camera, this.cssSize[0], this.cssSize[1]) : null;
  }

  private handleClick(x: number, y: number, shiftKey: boolean): void {
    const hit = this.pickAt(x, y);
    const position = hit ? this.atomPosition(hit.atom, hit.image) : null;
    this.emit('pick', { atom: hit?.atom ?? null, image: hit?.image ?? [0, 0, 0], position, x, y, shiftKey });
    if (this.state.interaction === 'select') return;
    const measurement = this.picker.click(this.state.interaction, hit);
    const result = measurement ? this.measurementResult(measurement) : null;
    if (measurement && result) {
      this.applyState({ ...this.state, measurements: [...this.state.measurements, measurement] }, false);
      this.emit('measure', { measurement, result });
    }
    this.view.updateHalos(this.sceneInput());
    this.requestRender();
  }

  private handleHover(x: number, y: number): void {
    const hit = this.pickAt(x, y);
    const key = hit ? hitKey(hit.atom, hit.image) : '';
    if (key === this.hoverKey) return;
    this.hoverKey = key;
    this.emit('hover', { atom: hit?.atom ?? null, image: hit?.image ?? [0, 0, 0], x, y });
  }

  on<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  off<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): void {
    this.events.off(type, listener);
  }

  private emit<K extends ViewerEventName>(type: K, event: ViewerEvents[K]): void {
    this.events.emit(type, event);
  }

  // ---------------------------------------------------------------- drawing

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

  private cssBoxKey(): string {
    return `${this.canvas.clientWidth} x ${this.canvas.clientHeight}`;
  }

  private followCssBox(): void {
    const box = this.cssBoxKey();
    if (box === this.observedBox) return;
    this.observedBox = box;
    this.resize();
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
    this.view.scaleLabels(labelScale(this.camera.fov, this.cssSize[1]));
    this.renderer.render(this.view.scene, this.camera);
    this.view.axesInset.render(this.renderer, this.camera, this.cssSize[1]);
  }

  // ---------------------------------------------------------------- export

  private exportHost(): ExportHost {
    if (this.disposed) throw new Error('viewer is disposed');
    this.resolution.restore();
    return {
      renderer: this.renderer,
      canvas: this.canvas,
      cssSize: this.cssSize,
      pixelRatio: this.resolution.basePixelRatio,
      setTransparent: (transparent) => this.view.setTransparent(transparent),
      draw: () => this.render(),
    };
  }

  imageExportSize(options?: ImageExportOptions): ImageExportSize {
    return exportSizeOf(this.exportHost(), options);
  }

  toDataURL(options?: ImageExportOptions): string {
    return withExportFrame(this.exportHost(), options, (canvas) => canvas.toDataURL('image/png'));
  }

  async toPNG(options?: ImageExportOptions): Promise<Blob> {
    return withExportFrame(this.exportHost(), options, canvasPngBlob);
  }

  // ---------------------------------------------------------------- info and disposal

  getInfo(): ViewerInfo {
    const memory = this.disposedMemory ?? this.renderer.info.memory;
    return {
      atoms: this.shown?.numbers.length ?? 0,
      atomInstances: this.data?.atoms.count ?? 0,
      bondInstances: this.data?.bondCount ?? 0,
      ...this.view.counts(),
      geometries: memory.geometries,
      textures: memory.textures,
      drawCalls: this.disposed ? 0 : this.renderer.info.render.calls,
      triangles: this.disposed ? 0 : this.renderer.info.render.triangles,
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
    this.playback.stop();
    this.resolution.dispose();
    this.resizeObserver?.disconnect();
    this.controls?.dispose();
    this.events.clear();
    this.view.dispose();
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

/** Creates a viewer drawing into `target` (a canvas) or into a new canvas filling `target` (a container). */
export const createViewer: CreateViewer = (target, options = {}) => new ThreeStructureViewer(target, options);
