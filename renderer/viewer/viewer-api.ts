/**
 * Public contract of the Equimol 3D viewer: a React-free three.js module driven by typed state.
 *
 * The host (renderer/app) owns the state and pushes it with `setState(partial)`; the viewer owns the GPU
 * resources and draws. Same state -> same picture (no randomness, no time dependence except playback).
 * Units: Å for lengths, degrees for angles. Atom indices are 0-based indices into the shown Structure.
 */
import type { Structure } from '../../core/structure';
import type { ColorLegend, ColorMapName } from './color-maps';

export type { ColorLegend, ColorMapName } from './color-maps';

/** How atoms and bonds are drawn. */
export type ViewerStyle = 'ball-and-stick' | 'spacefill' | 'licorice' | 'wireframe';

/**
 * How atoms are coloured.
 * - 'element': Jmol/CPK colours from core/structure/elements.
 * - 'uniform': one colour for every atom.
 * - 'property': a per-atom numeric array (`structure.atomArrays[name]`, first column, or the vector norm when
 *   `norm` is true) through a colour map (color-maps.ts): `map` 'auto' (default) takes the diverging blue-white-red
 *   map, symmetric about 0, when a value is negative (charges) and the sequential viridis map from 0 otherwise
 *   (spreads, norms); `min` / `max` fix the ends. Atoms without a finite value are grey (MISSING_COLOR). `label`
 *   (default the name, `|name|` with norm) and `unit` go on the colour bar (StructureViewer.getColorLegend). A name
 *   the shown structure lacks draws element colours.
 */
export type ColorScheme =
  | { readonly kind: 'element' }
  | { readonly kind: 'uniform'; readonly color: string }
  | {
      readonly kind: 'property';
      readonly name: string;
      readonly norm?: boolean;
      readonly min?: number;
      readonly max?: number;
      readonly map?: ColorMapName | 'auto';
      readonly label?: string;
      readonly unit?: string;
    };

/** What text is drawn beside each atom. 'property' uses `ViewerState.labelProperty` (a per-atom array name). */
export type LabelMode = 'none' | 'element' | 'index' | 'property';

export type Vec3 = readonly [number, number, number];

/** Periodic image of an atom: integer cell offsets along a, b, c; [0, 0, 0] is the home cell. */
export type CellImage = Vec3;

/**
 * A measurement between 2 (distance), 3 (angle at the middle atom) or 4 (dihedral) atoms.
 * `images` (same length as `atoms`, optional) names which periodic image of each atom is meant
 * (as reported by the 'pick' event); omitted means the home cell for every atom.
 */
export interface Measurement {
  readonly atoms: readonly number[];
  readonly images?: readonly CellImage[];
}

export type MeasureKind = 'distance' | 'angle' | 'dihedral';

export interface MeasureResult {
  readonly kind: MeasureKind;
  /** Å for distance, degrees for angle and dihedral (dihedral in (-180, 180]). */
  readonly value: number;
  readonly unit: 'Å' | '°';
}

/** Camera pose in structure coordinates (Å). `fov` is the vertical field of view in degrees. */
export interface CameraState {
  readonly position: Vec3;
  readonly target: Vec3;
  readonly up: Vec3;
  readonly fov: number;
}

/** What a click does: 'select' reports picks only; the measure modes collect picked atoms into a Measurement. */
export type InteractionMode = 'select' | 'distance' | 'angle' | 'dihedral';

export type ViewerTheme = 'light' | 'dark';

/**
 * Per-atom arrows of a vector array: `structure.atomArrays[array]` (width 3; default 'forces', eV/Å) scaled to
 * `scale` Å per unit (1 Å per eV/Å by default), one arrow from each atom centre.
 */
export interface ForceArrowOptions {
  readonly scale: number;
  readonly array?: string;
}

/**
 * One arrow for a molecular dipole (Debye) from the centroid of the atoms (their mean position), `scale` Å per D,
 * pointing along the vector (from − to +, the physics convention of xtb and ASE) with its magnitude as a label
 * ('4.48 D'). The vector is `vector` when given, else the shown structure's `property` (default 'dipole', 3 numbers).
 */
export interface DipoleArrowOptions {
  readonly scale: number;
  readonly vector?: Vec3;
  readonly property?: string;
}

/** The full state of a viewer. Every field has a default (see DEFAULT_VIEWER_STATE in viewer-state.ts). */
export interface ViewerState {
  /** The structure shown when `frames` is empty; null shows nothing. */
  readonly structure: Structure | null;
  /** A trajectory or multi-record file: when non-empty, `frames[frame]` is shown instead of `structure`. */
  readonly frames: readonly Structure[];
  /** Index into `frames` (clamped). */
  readonly frame: number;
  /** Play `frames` in a loop at `fps` frames per second; the viewer emits 'frame' as it advances. */
  readonly playing: boolean;
  readonly fps: number;
  readonly style: ViewerStyle;
  readonly colorScheme: ColorScheme;
  /** Multiplies atom radii (1 = style default). */
  readonly atomScale: number;
  /** Multiplies bond radii (1 = style default). */
  readonly bondScale: number;
  /** Draw the unit cell box (periodic structures only). */
  readonly showCell: boolean;
  /** Repeat the cell n x m x k times along a, b, c (each >= 1; ignored for molecules). */
  readonly supercell: Vec3;
  /**
   * Crystals (periodic structures): draw atoms on the cell boundary (fractional coordinate within 1e-3 of 0 or 1)
   * at every equivalent face, edge and corner of the (super)cell, as VESTA does; bonds are drawn only between
   * drawn atoms (no half-sticks leaving the cell). Off: each atom once per cell.
   */
  readonly boundaryAtoms: boolean;
  /** Crystals: also draw the atoms outside the cell that are bonded to drawn atoms (VESTA's option; default off). */
  readonly bondedBeyondBoundary: boolean;
  /**
   * Crystals: translucent coordination polyhedra around cations with at least 4 more electronegative bonded
   * neighbours (TiO6 in rutile, NaCl6 in rock salt), coloured by the central atom; their vertex atoms are drawn. Not drawn in spacefill.
   */
  readonly polyhedra: boolean;
  /** Crystals: an a/b/c axis triad in the lower-left corner (turns with the view). */
  readonly cellAxes: boolean;
  readonly labels: LabelMode;
  /** Per-atom array name for labels === 'property'. */
  readonly labelProperty: string | null;
  /** Highlighted atoms (indices into the shown structure; all periodic images are highlighted). */
  readonly selection: readonly number[];
  readonly measurements: readonly Measurement[];
  readonly interaction: InteractionMode;
  /** CSS colour; null uses the theme's background. */
  readonly background: string | null;
  readonly theme: ViewerTheme;
  /** Camera pose; null fits the view to the structure whenever a new structure is shown. */
  readonly camera: CameraState | null;
  /** Force arrows on the shown structure (where it has the array); null draws none. */
  readonly forceArrows: ForceArrowOptions | null;
  /** The dipole arrow (where a vector is given or the shown structure has the property); null draws none. */
  readonly dipoleArrow: DipoleArrowOptions | null;
  /**
   * Atoms marked as fixed (a wire cube around each), 0-based, besides those the shown structure's `move_mask`
   * (selective dynamics) fixes along all three axes, which are always marked.
   */
  readonly fixedAtoms: readonly number[];
  /**
   * More structures drawn with the shown one, thin and semi-transparent in element colours (a conformer ensemble
   * superposed on the selected conformer); not pickable, not part of the fit. Empty draws none.
   */
  readonly overlay: readonly Structure[];
}

export interface PickEvent {
  /** Atom index in the shown structure, or null when the click hit nothing. */
  readonly atom: number | null;
  readonly image: CellImage;
  /** Cartesian position of the picked atom image (Å). */
  readonly position: Vec3 | null;
  /** Canvas-relative CSS pixel coordinates of the click. */
  readonly x: number;
  readonly y: number;
  readonly shiftKey: boolean;
}

export interface HoverEvent {
  readonly atom: number | null;
  readonly image: CellImage;
  readonly x: number;
  readonly y: number;
}

export interface MeasureEvent {
  readonly measurement: Measurement;
  readonly result: MeasureResult;
}

/** Events the viewer emits to its host. */
export interface ViewerEvents {
  pick: PickEvent;
  hover: HoverEvent;
  /** A measurement completed in a measure interaction mode (the viewer also adds it to state.measurements). */
  measure: MeasureEvent;
  /** The user moved the camera (drag, wheel, fit, reset). */
  camera: CameraState;
  /** Playback advanced to another frame. */
  frame: { readonly frame: number };
}

export type ViewerEventName = keyof ViewerEvents;

/** Counts for diagnostics and leak tests (three's renderer.info plus scene counts). */
export interface ViewerInfo {
  readonly atoms: number;
  /** Atom instances drawn (atoms x supercell images). */
  readonly atomInstances: number;
  /** Bonds drawn (including periodic-image bonds and supercell copies). */
  readonly bondInstances: number;
  /** Coordination polyhedra drawn (crystal view). */
  readonly polyhedra: number;
  /** Whether the a/b/c axis inset is drawn. */
  readonly cellAxes: boolean;
  readonly geometries: number;
  readonly textures: number;
  readonly drawCalls: number;
  readonly triangles: number;
  /** Force arrows drawn (atom instances with a non-negligible vector). */
  readonly forceArrows: number;
  /** Fixed-atom markers drawn. */
  readonly fixedMarkers: number;
  /** Length (Å) of the dipole arrow drawn, 0 when none is. */
  readonly dipoleArrow: number;
  /** Overlay structures drawn (state.overlay) and their atoms. */
  readonly overlayStructures: number;
  readonly overlayAtoms: number;
  /** WebGL backend as reported by the browser (e.g. 'ANGLE (Google, Vulkan ... SwiftShader ...)'). */
  readonly glRenderer: string;
}

export interface ViewerOptions {
  readonly initialState?: Partial<ViewerState>;
  /** Attach mouse/touch camera controls and picking to the canvas (default true). */
  readonly interactive?: boolean;
  /** Device pixel ratio to render at (default window.devicePixelRatio, capped at 2). */
  readonly pixelRatio?: number;
  /** MSAA (default true). */
  readonly antialias?: boolean;
  /**
   * Above this many atoms (supercell images included) atoms and bonds are drawn as ray-cast impostors
   * (2 triangles each) instead of tessellated meshes (default 5000).
   */
  readonly impostorThreshold?: number;
  /**
   * While the user drags or zooms a structure drawn with impostors, render at this fraction of the pixel ratio
   * and redraw at full resolution 250 ms after the motion stops (default 0.5; 1 disables).
   */
  readonly interactionPixelScale?: number;
  /** Keep the drawing buffer after compositing (default false; toPNG works either way). */
  readonly preserveDrawingBuffer?: boolean;
}

/** Image export resolution: multiples of the canvas' drawing buffer. */
export type ImageScale = 1 | 2 | 4;

/** Options of toPNG / toDataURL. */
export interface ImageExportOptions {
  /** Pixels per canvas pixel along each side (default 1: the canvas resolution). */
  readonly scale?: ImageScale;
  /** Clear with alpha 0 instead of the background colour (default false). */
  readonly transparent?: boolean;
}

/** Pixel size of an image export and whether it fits the GPU's largest drawing buffer (`maxSide` per side). */
export interface ImageExportSize {
  readonly width: number;
  readonly height: number;
  readonly scale: ImageScale;
  readonly maxSide: number;
  readonly fits: boolean;
}

export interface StructureViewer {
  /** Merge `partial` into the state and redraw (on the next animation frame, or now with `render()`). */
  setState(partial: Partial<ViewerState>): void;
  getState(): ViewerState;
  /** Subscribe; returns an unsubscribe function. */
  on<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): () => void;
  off<K extends ViewerEventName>(type: K, listener: (event: ViewerEvents[K]) => void): void;
  /** Current camera pose (also emitted as 'camera' when the user moves it). */
  getCamera(): CameraState;
  /** Value of a measurement on the shown structure (images honoured), or null when an index is out of range. */
  measurementResult(measurement: Measurement): MeasureResult | null;
  /** Frame the whole shown structure (with supercell) and emit 'camera'. */
  fitToView(): void;
  /** Back to the default view direction (looking down -z) and fit. */
  resetCamera(): void;
  /** Match the canvas drawing buffer to its CSS size (or the given size); called automatically on container resize. */
  resize(width?: number, height?: number): void;
  /** Draw synchronously now. */
  render(): void;
  /** The atom (and image) under canvas-relative CSS pixel (x, y), or null. */
  pickAt(x: number, y: number): { atom: number; image: CellImage } | null;
  /** Canvas-relative CSS pixel position of an atom image, or null if it is not shown / behind the camera. */
  projectAtom(atom: number, image?: CellImage): { x: number; y: number } | null;
  /**
   * Current picture as a PNG blob / data URL (draws first, so it works without preserveDrawingBuffer), at `scale`
   * times the canvas resolution (labels and insets scale with it) and, with `transparent`, on alpha 0 instead of the
   * background. The view on screen is unchanged. Throws (rejects) a RangeError naming the size and the GPU's limit
   * when the image would exceed it (see imageExportSize), and for a scale other than 1, 2 or 4.
   */
  toPNG(options?: ImageExportOptions): Promise<Blob>;
  toDataURL(options?: ImageExportOptions): string;
  /** The pixel size an export at `options.scale` would have now, and whether it fits the GPU. */
  imageExportSize(options?: ImageExportOptions): ImageExportSize;
  getInfo(): ViewerInfo;
  /** Colour bar of the current 'property' colour scheme on the shown structure; null for element colours. */
  getColorLegend(): ColorLegend | null;
  /** Colour (0xRRGGBB, sRGB) of each atom of the shown structure as drawn now (empty when none is shown). */
  getAtomColors(): readonly number[];
  readonly canvas: HTMLCanvasElement;
  /** Drawing-buffer pixels per CSS pixel right now (lowered while a large structure is being turned). */
  readonly pixelRatio: number;
  /** Free every GPU resource (geometries, materials, textures, render targets, the renderer) and listeners. */
  dispose(): void;
}

/** Signature of the factory in viewer.ts: a canvas is drawn into; a container gets a canvas filling it. */
export type CreateViewer = (target: HTMLCanvasElement | HTMLElement, options?: ViewerOptions) => StructureViewer;
