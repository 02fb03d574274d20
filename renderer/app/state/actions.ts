/**
 * The app's state transitions as pure functions of the state (each returns the patch to merge), so the store's
 * behaviour is unit-tested without React or a DOM. Side effects (api calls, toasts' timers) live in the hooks.
 */
import type { DocumentId, DocumentInfo, JobProgress, OpenResult } from '../../../core/contract/equimol-api';
import type { MeasureEvent, Vec3 } from '../../viewer/viewer-api';
import type { Toast } from '../components/overlays';
import type { MeasurementEntry } from '../components/side-panel';
import { ONE_CELL, type AppState } from './app-state';

type Patch = Partial<AppState>;

/** Toasts kept on screen at once (the oldest go first). */
export const MAX_TOASTS = 5;

/** Lists the documents not listed yet, after the others. */
export function addDocuments(state: AppState, added: readonly DocumentInfo[]): Patch {
  const fresh = added.filter((d) => !state.documents.some((o) => o.id === d.id));
  return fresh.length === 0 ? {} : { documents: [...state.documents, ...fresh] };
}

/** Files opened: they replace same-id documents, go last, and the first becomes the active one with its first row selected. */
export function openedDocuments(state: AppState, result: OpenResult): Patch {
  if (result.documents.length === 0) return {};
  const first = result.documents[0]!;
  const documents = [...state.documents.filter((d) => !result.documents.some((n) => n.id === d.id)), ...result.documents];
  // A document of this result listed early (its own open finished first) and shown since: keep showing it.
  if (state.activeDocId !== null && result.documents.some((d) => d.id === state.activeDocId)) return { documents };
  return { documents, activeDocId: first.id, filterText: '', selectedRow: first.recordCount > 0 ? 0 : -1 };
}

/** A document changed (a job added columns): replace it and make the list refetch. */
export function documentChanged(state: AppState, doc: DocumentInfo): Patch {
  return { documents: state.documents.map((d) => (d.id === doc.id ? doc : d)), docVersion: state.docVersion + 1 };
}

/** Makes a document the active one, its first row selected and the filter cleared. */
export function activateDocument(docId: DocumentId): Patch {
  return { activeDocId: docId, filterText: '', selectedRow: 0 };
}

/** Closes a document; if it was active, the last one left becomes active. */
export function closeDocument(state: AppState, docId: DocumentId): Patch {
  const rest = state.documents.filter((d) => d.id !== docId);
  return { documents: rest, activeDocId: state.activeDocId === docId ? (rest[rest.length - 1]?.id ?? null) : state.activeDocId, selectedRow: 0 };
}

/** Selects a record by index: the list goes back to file order with no filter, so the row is the record. */
export function selectRecord(index: number): Patch {
  return { sort: { key: 'index', descending: false }, filterText: '', selectedRow: index };
}

/** Sorting by a column; the same column again flips the direction. */
export function sortBy(state: AppState, key: string): Patch {
  return { sort: state.sort.key === key ? { key, descending: !state.sort.descending } : { key, descending: false }, selectedRow: 0 };
}

export function filterBy(text: string): Patch {
  return { filterText: text, selectedRow: 0 };
}

/** Merges progress updates into the jobs list: known jobs are updated in place, new ones go first. */
export function mergeJobs(jobs: readonly JobProgress[], updates: readonly JobProgress[]): readonly JobProgress[] {
  let next = jobs.slice();
  for (const progress of updates) {
    const i = next.findIndex((j) => j.id === progress.id);
    if (i < 0) next = [progress, ...next];
    else next[i] = progress;
  }
  return next;
}

/** A job started: listed first (unless a progress event listed it already) and the jobs panel opened. */
export function jobStarted(state: AppState, progress: JobProgress): Patch {
  return { jobsCollapsed: false, jobs: state.jobs.some((j) => j.id === progress.id) ? state.jobs : [progress, ...state.jobs] };
}

export function pushToast(state: AppState, toast: Toast): Patch {
  return { toasts: [...state.toasts.slice(-(MAX_TOASTS - 1)), toast] };
}

export function dismissToast(state: AppState, id: number): Patch {
  return state.toasts.some((t) => t.id === id) ? { toasts: state.toasts.filter((t) => t.id !== id) } : {};
}

/** Changes the active document's supercell (no document: nothing). */
export function updateSupercell(state: AppState, update: (current: Vec3) => Vec3): Patch {
  const docId = state.activeDocId;
  if (docId === null) return {};
  return { supercells: new Map(state.supercells).set(docId, update(state.supercells.get(docId) ?? ONE_CELL)) };
}

/** One supercell repeat typed in: an integer 1..6 (anything else: 1). */
export function supercellAxis(current: Vec3, axis: 0 | 1 | 2, typed: string): Vec3 {
  const n = Math.max(1, Math.min(6, Math.round(Number(typed) || 1)));
  return current.map((v, i) => (i === axis ? n : v)) as unknown as Vec3;
}

/**
 * A measurement the viewer made. Clicking the same atom image twice measures nothing: the list is re-pushed as a
 * new array (so the viewer drops the one it drew) rather than listing a 0 Å distance.
 */
export function addMeasurement(list: readonly MeasurementEntry[], event: MeasureEvent): readonly MeasurementEntry[] {
  const atoms = event.measurement.atoms;
  const images = event.measurement.images ?? [];
  const key = (k: number) => `${atoms[k]}@${(images[k] ?? [0, 0, 0]).join(',')}`;
  if (new Set(atoms.map((_, k) => key(k))).size < atoms.length) return list.slice();
  return [...list, { measurement: event.measurement, result: event.result }];
}

/** The selection changed: what belonged to the previous structure (picked atom, measurements, playback) goes. */
export function selectionReset(): Patch {
  return { pickedAtom: null, measurements: [], measuring: false, playing: false, frames: [] };
}
