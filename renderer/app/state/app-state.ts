import type { Depiction, DocumentId, DocumentInfo, JobProgress, PredictorInfo } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import type { LabelMode, MeasureKind, StructureViewer, Vec3, ViewerStyle } from '../../viewer/viewer-api';
import type { Toast } from '../components/overlays';
import type { MeasurementEntry } from '../components/side-panel';
import type { SortState } from '../components/virtual-table';
import { createStore, type Store } from './store';

/** The record selected in a document: a switch of tab never asks the new document for the old one's index. */
export interface SelectedRecord {
  readonly docId: DocumentId;
  readonly index: number;
}

/** Everything the app shows, in one store (issue 17: it used to be ~35 useStates in app.tsx). */
export interface AppState {
  readonly theme: 'light' | 'dark';
  readonly platform: 'electron' | 'web';
  /** File extensions the open dialog accepts (without the dot). */
  readonly formatExtensions: readonly string[];

  readonly documents: readonly DocumentInfo[];
  readonly activeDocId: DocumentId | null;
  /** The structure list's sort and filter, and the selected row of that sorted, filtered list (-1: none). */
  readonly sort: SortState;
  readonly filterText: string;
  readonly selectedRow: number;
  /** Bumped when a document changes (a job added columns): the list refetches its pages. */
  readonly docVersion: number;
  readonly selected: SelectedRecord | null;
  /** The selected record's structure and 2D depiction as loaded. */
  readonly structure: Structure | null;
  readonly depiction: Depiction | null;

  /** Frames loaded by Play for a multi-record file (trajectory documents bring their own). */
  readonly frames: readonly Structure[];
  readonly frame: number;
  readonly playing: boolean;

  readonly style: ViewerStyle;
  readonly showCell: boolean;
  readonly polyhedra: boolean;
  /** Supercell per document (issue 17: it used to carry over to the next file opened). */
  readonly supercells: ReadonlyMap<DocumentId, Vec3>;
  readonly labels: LabelMode;
  readonly showForces: boolean;
  readonly overlayConformers: boolean;
  readonly measuring: boolean;
  readonly measureMode: MeasureKind;
  readonly measurements: readonly MeasurementEntry[];
  readonly pickedAtom: number | null;
  /** The live viewer once it is ready. */
  readonly viewer: StructureViewer | null;

  readonly predictors: readonly PredictorInfo[];
  readonly predictorId: string;
  readonly jobs: readonly JobProgress[];
  readonly jobsCollapsed: boolean;

  readonly toasts: readonly Toast[];
  readonly dragging: boolean;
  readonly helpOpen: boolean;
  /** The id of the dialog contribution shown, if any (one at a time). */
  readonly dialog: string | null;
}

export type AppStore = Store<AppState>;

export const ONE_CELL: Vec3 = [1, 1, 1];

export function initialAppState(theme: 'light' | 'dark' = 'light'): AppState {
  return {
    theme,
    platform: 'web',
    formatExtensions: [],
    documents: [],
    activeDocId: null,
    sort: { key: 'index', descending: false },
    filterText: '',
    selectedRow: -1,
    docVersion: 0,
    selected: null,
    structure: null,
    depiction: null,
    frames: [],
    frame: 0,
    playing: false,
    style: 'ball-and-stick',
    showCell: true,
    polyhedra: true,
    supercells: new Map(),
    labels: 'none',
    showForces: false,
    overlayConformers: true,
    measuring: false,
    measureMode: 'distance',
    measurements: [],
    pickedAtom: null,
    viewer: null,
    predictors: [],
    predictorId: '',
    jobs: [],
    jobsCollapsed: false,
    toasts: [],
    dragging: false,
    helpOpen: false,
    dialog: null,
  };
}

export function createAppStore(initial: Partial<AppState> = {}): AppStore {
  return createStore<AppState>({ ...initialAppState(), ...initial });
}

// ---------- derived values ----------

export function activeDocumentOf(state: AppState): DocumentInfo | undefined {
  return state.documents.find((d) => d.id === state.activeDocId);
}

/** The selected record of the active document, or null (none, another document's, or past its end). */
export function selectedIndexOf(state: AppState): number | null {
  const doc = activeDocumentOf(state);
  const { selected } = state;
  return selected && doc && selected.docId === doc.id && selected.index < doc.recordCount ? selected.index : null;
}

export function supercellOf(state: AppState): Vec3 {
  return (state.activeDocId !== null ? state.supercells.get(state.activeDocId) : undefined) ?? ONE_CELL;
}

export function totalStructuresOf(state: AppState): number {
  return state.documents.reduce((n, d) => n + d.recordCount, 0);
}
