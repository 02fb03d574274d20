// Test page for the viewer: a fixed-size canvas plus `window.viewerTest`, driven from Node by playwright.
// WebGL object creation/deletion is counted on the context prototype so tests can check dispose() frees everything.
import { createStructure, type Structure } from '../../../core/structure';
import { createViewer, type ImageExportOptions, type StructureViewer, type ViewerEvents, type ViewerState } from '../../../renderer/viewer';

/** A Structure as plain JSON (typed arrays do not cross page.evaluate). */
export interface PlainStructure {
  name?: string;
  numbers: number[];
  positions: number[];
  cell?: number[];
  pbc?: [boolean, boolean, boolean];
  bonds?: Array<{ a: number; b: number; order: 1 | 2 | 3 }>;
  floatArrays?: Record<string, { width: number; data: number[] }>;
  /** Per-atom flags, e.g. move_mask (selective dynamics), 0/1. */
  boolArrays?: Record<string, { width: number; data: number[] }>;
}

export type PlainState = Omit<Partial<ViewerState>, 'structure' | 'frames'> & { structure?: PlainStructure | null; frames?: PlainStructure[] };

const GL_KINDS = ['Buffer', 'Texture', 'Program', 'Shader', 'VertexArray', 'Framebuffer', 'Renderbuffer'] as const;
const live: Record<string, number> = Object.fromEntries(GL_KINDS.map((k) => [k, 0]));
const proto = WebGL2RenderingContext.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const kind of GL_KINDS) {
  const create = proto[`create${kind}`]!;
  const remove = proto[`delete${kind}`]!;
  proto[`create${kind}`] = function (this: unknown, ...args: unknown[]) {
    const object = create.apply(this, args);
    if (object) live[kind]!++;
    return object;
  };
  proto[`delete${kind}`] = function (this: unknown, ...args: unknown[]) {
    if (args[0]) live[kind]!--;
    return remove.apply(this, args);
  };
}

function toStructure(plain: PlainStructure): Structure {
  return createStructure({
    name: plain.name ?? '',
    numbers: plain.numbers,
    positions: plain.positions,
    ...(plain.cell ? { cell: plain.cell } : {}),
    ...(plain.pbc ? { pbc: plain.pbc } : {}),
    ...(plain.bonds ? { bonds: plain.bonds } : {}),
    atomArrays: Object.fromEntries([
      ...Object.entries(plain.floatArrays ?? {}).map(([key, array]) => [key, { kind: 'float' as const, width: array.width, data: Float64Array.from(array.data) }]),
      ...Object.entries(plain.boolArrays ?? {}).map(([key, array]) => [key, { kind: 'bool' as const, width: array.width, data: Uint8Array.from(array.data) }]),
    ]),
  });
}

const canvas = document.createElement('canvas');
canvas.style.cssText = 'position:absolute;left:0;top:0;width:640px;height:480px';
document.body.appendChild(canvas);

let viewer: StructureViewer | null = null;
const events: { pick: ViewerEvents['pick'][]; measure: ViewerEvents['measure'][]; hover: ViewerEvents['hover'][]; frame: number[] } = { pick: [], measure: [], hover: [], frame: [] };

function convert(state: PlainState): Partial<ViewerState> {
  const { structure, frames, ...rest } = state;
  return {
    ...rest,
    ...(structure !== undefined ? { structure: structure ? toStructure(structure) : null } : {}),
    ...(frames !== undefined ? { frames: frames.map(toStructure) } : {}),
  };
}

function current(): StructureViewer {
  if (!viewer) throw new Error('no viewer: call viewerTest.create first');
  return viewer;
}

const api = {
  create(state: PlainState, options: { pixelRatio?: number; antialias?: boolean; impostorThreshold?: number } = {}) {
    viewer?.dispose();
    viewer = createViewer(canvas, {
      initialState: convert(state),
      pixelRatio: options.pixelRatio ?? 1,
      antialias: options.antialias ?? true,
      ...(options.impostorThreshold !== undefined ? { impostorThreshold: options.impostorThreshold } : {}),
    });
    viewer.on('pick', (e) => events.pick.push(e));
    viewer.on('measure', (e) => events.measure.push(e));
    viewer.on('hover', (e) => events.hover.push(e));
    viewer.on('frame', (e) => events.frame.push(e.frame));
    viewer.on('camera', () => api.cameraEvents++);
    viewer.render();
    return viewer.getInfo();
  },
  set(state: PlainState) {
    current().setState(convert(state));
    current().render();
    return current().getInfo();
  },
  state() {
    const { structure: _s, frames, ...rest } = current().getState();
    return { ...rest, frameCount: frames.length };
  },
  dataURL: () => current().toDataURL(),
  async pngSize() {
    const blob = await current().toPNG();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return { type: blob.type, size: blob.size, signature: Array.from(bytes.subarray(0, 8)) };
  },
  /** toPNG(options) decoded in the page: its size, the top-left pixel (RGBA) and how many pixels are fully transparent. */
  async exportImage(options: ImageExportOptions) {
    const blob = await current().toPNG(options);
    const bitmap = await createImageBitmap(blob);
    const scratch = document.createElement('canvas');
    scratch.width = bitmap.width;
    scratch.height = bitmap.height;
    const context = scratch.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let clear = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] === 0) clear++;
    return { type: blob.type, width: bitmap.width, height: bitmap.height, corner: Array.from(pixels.subarray(0, 4)), clear, canvas: [canvas.width, canvas.height] };
  },
  exportSize: (options: ImageExportOptions) => current().imageExportSize(options),
  /** Draws now (the normal render path, not an export) and reads the canvas' top-left pixel (RGBA) in the same task. */
  drawnCorner() {
    current().render();
    const scratch = document.createElement('canvas');
    scratch.width = scratch.height = 1;
    const context = scratch.getContext('2d')!;
    context.drawImage(canvas, 0, 0, 1, 1, 0, 0, 1, 1);
    return Array.from(context.getImageData(0, 0, 1, 1).data);
  },
  /** The export's error message (or null when it succeeded). */
  async exportError(options: ImageExportOptions) {
    try {
      await current().toPNG(options);
      return null;
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  },
  resize: (width?: number, height?: number) => {
    current().resize(width, height);
    current().render();
    return [canvas.width, canvas.height];
  },
  project: (atom: number, image?: [number, number, number]) => current().projectAtom(atom, image),
  pickAt: (x: number, y: number) => current().pickAt(x, y),
  info: () => current().getInfo(),
  camera: () => current().getCamera(),
  rotate(radians: number) {
    // Orbit the camera about the view's up axis through the target (what a horizontal drag does).
    const pose = current().getCamera();
    const [px, py, pz] = pose.position, [tx, ty, tz] = pose.target, [ux, uy, uz] = pose.up;
    const ox = px - tx, oy = py - ty, oz = pz - tz;
    const c = Math.cos(radians), s = Math.sin(radians), dot = ux * ox + uy * oy + uz * oz;
    const rotated: [number, number, number] = [
      ox * c + (uy * oz - uz * oy) * s + ux * dot * (1 - c),
      oy * c + (uz * ox - ux * oz) * s + uy * dot * (1 - c),
      oz * c + (ux * oy - uy * ox) * s + uz * dot * (1 - c),
    ];
    current().setState({ camera: { ...pose, position: [tx + rotated[0], ty + rotated[1], tz + rotated[2]] } });
    current().render();
  },
  events: () => events,
  clearEvents() {
    events.pick.length = events.measure.length = events.hover.length = events.frame.length = 0;
  },
  liveGlObjects: () => ({ ...live }),
  /** Disposes the viewer (if any) and returns its info read after dispose. */
  dispose() {
    if (!viewer) return null;
    const disposed = viewer;
    disposed.dispose();
    viewer = null;
    return disposed.getInfo();
  },
  /** A viewer inside a container div (it makes its own canvas); reports sizes before/after resizing the div. */
  async containerLifecycle(state: PlainState) {
    const container = document.createElement('div');
    container.style.cssText = 'position:absolute;left:700px;top:0;width:320px;height:240px';
    document.body.appendChild(container);
    const inner = createViewer(container, { initialState: convert(state), pixelRatio: 1 });
    const canvas = container.querySelector('canvas')!;
    const first = [canvas.width, canvas.height];
    container.style.width = '400px';
    container.style.height = '300px';
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    await new Promise((ok) => setTimeout(ok, 50));
    const second = [canvas.width, canvas.height];
    inner.dispose();
    const canvasesLeft = container.querySelectorAll('canvas').length;
    container.remove();
    return { first, second, canvasesLeft };
  },
  cameraEvents: 0,
  pixelRatio: () => current().pixelRatio,
  drawingBufferWidth: () => canvas.width,
  canvasRect() {
    const r = canvas.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  },
};

export type ViewerTestApi = typeof api;
(globalThis as unknown as { viewerTest: ViewerTestApi }).viewerTest = api;
(globalThis as unknown as { viewerPageReady: boolean }).viewerPageReady = true;
