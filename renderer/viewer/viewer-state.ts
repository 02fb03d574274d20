/**
 * The viewer's default state and the pure diff that decides which scene parts a state change rebuilds
 * (the three.js side only acts on the flags, so what redraws when is testable without a GPU).
 */
import type { Structure } from '../../core/structure';
import type { ViewerState } from './viewer-api';

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

/** Labels beyond this many atoms are not drawn (one sprite each). */
export const MAX_LABELS = 2000;

/** The structure a state shows: `frames[frame]` (clamped) when there are frames, else `structure`. */
export function shownStructure(state: ViewerState): Structure | null {
  if (state.frames.length > 0) return state.frames[Math.min(state.frames.length - 1, Math.max(0, Math.floor(state.frame)))] ?? null;
  return state.structure;
}

/** Which parts of the scene a state change touches. */
export interface ViewerChanges {
  /** Background colour (theme or background). */
  readonly theme: boolean;
  /** Atoms and bonds: another shown structure, style, scales, supercell, crystal options or colours. */
  readonly geometry: boolean;
  /** The drawn extent: an auto camera refits. */
  readonly size: boolean;
  /** Another structure or trajectory: an auto camera refits and resets its direction. */
  readonly content: boolean;
  readonly polyhedra: boolean;
  readonly cellAxes: boolean;
  readonly cell: boolean;
  /** Selection halos (also redrawn when the interaction mode changes: the pending picks are dropped). */
  readonly halos: boolean;
  readonly labels: boolean;
  readonly measurements: boolean;
  readonly forceArrows: boolean;
  readonly fixedAtoms: boolean;
  readonly dipole: boolean;
  readonly overlay: boolean;
  readonly interaction: boolean;
  /** An explicit camera pose to apply. */
  readonly camera: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What changes from `prev` to `next`; `shown` is the structure drawn now; `first` rebuilds everything. */
export function viewerChanges(prev: ViewerState, next: ViewerState, shown: Structure | null, first: boolean): ViewerChanges {
  const theme = first || prev.theme !== next.theme || prev.background !== next.background;
  const supercell = prev.supercell.join() !== next.supercell.join();
  const crystal = prev.boundaryAtoms !== next.boundaryAtoms || prev.bondedBeyondBoundary !== next.bondedBeyondBoundary || prev.polyhedra !== next.polyhedra;
  const geometry =
    first ||
    shownStructure(next) !== shown ||
    prev.style !== next.style ||
    prev.atomScale !== next.atomScale ||
    prev.bondScale !== next.bondScale ||
    supercell ||
    crystal ||
    !same(prev.colorScheme, next.colorScheme);
  const dipole = !same(prev.dipoleArrow, next.dipoleArrow);
  const size = supercell || prev.style !== next.style || prev.atomScale !== next.atomScale || prev.showCell !== next.showCell || crystal || dipole;
  const content = first || (next.frames.length > 0 ? prev.frames !== next.frames : prev.structure !== next.structure || prev.frames.length > 0);
  const scene = geometry || theme;
  const interaction = prev.interaction !== next.interaction;
  return {
    theme,
    geometry,
    size,
    content,
    polyhedra: scene,
    cellAxes: scene || prev.cellAxes !== next.cellAxes,
    cell: scene || prev.showCell !== next.showCell,
    halos: scene || prev.selection !== next.selection || interaction,
    labels: scene || prev.labels !== next.labels || prev.labelProperty !== next.labelProperty,
    measurements: scene || prev.measurements !== next.measurements,
    forceArrows: scene || !same(prev.forceArrows, next.forceArrows),
    fixedAtoms: scene || prev.fixedAtoms.join() !== next.fixedAtoms.join(),
    dipole: scene || dipole,
    overlay: first || prev.overlay !== next.overlay,
    interaction,
    camera: next.camera !== null && (first || next.camera !== prev.camera),
  };
}
