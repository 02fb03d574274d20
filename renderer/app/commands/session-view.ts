/**
 * Between the app's store and session files, pure (unit-tested without React): the view a session file keeps
 * (active document, each file's record and supercell, the measurements on screen), and what an opened session
 * changes in the store. A document's record is the one shown while it was last active (SessionMemory.records).
 */
import { LIMITS, type DocumentId, type SessionMeasurement, type SessionOpenResult, type SessionViewState } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import { measure } from '../../viewer/measure';
import type { Vec3 } from '../../viewer/viewer-api';
import type { MeasurementEntry } from '../components/side-panel';
import { addDocuments } from '../state/actions';
import { ONE_CELL, selectedIndexOf, type AppState, type AppStore } from '../state/app-state';
import { fromSettingsStyle } from '../state/app-services';
import { resolvedTheme } from '../state/use-session-events';

/** What the session contribution remembers beside the store. */
export interface SessionMemory {
  /** The record last shown of each document (while it was the active one). */
  readonly records: Map<DocumentId, number>;
  /** Records of an opened session's documents, shown when each is first made active. */
  readonly pending: Map<DocumentId, number>;
  /** An opened session's measurements, drawn once their record's structure is on screen. */
  pendingMeasurements: readonly SessionMeasurement[];
}

const memories = new WeakMap<AppStore, SessionMemory>();

/** The memory of one app (one store). */
export function memoryOf(store: AppStore): SessionMemory {
  let memory = memories.get(store);
  if (!memory) {
    memory = { records: new Map(), pending: new Map(), pendingMeasurements: [] };
    memories.set(store, memory);
  }
  return memory;
}

const inRange = (image: Vec3) => image.every((v) => Number.isInteger(v) && Math.abs(v) <= LIMITS.maxSupercellRepeat);

/** The view of the files open now (not documents jobs made: those are not saved). */
export function sessionViewOf(state: AppState, memory: SessionMemory): SessionViewState {
  const activeIndex = selectedIndexOf(state);
  const documents = state.documents
    .filter((d) => d.origin === undefined)
    .map((d) => ({
      docId: d.id,
      selectedRecord: d.id === state.activeDocId ? activeIndex : (memory.records.get(d.id) ?? null),
      supercell: (state.supercells.get(d.id) ?? ONE_CELL) as readonly [number, number, number],
    }));
  const docId = state.activeDocId;
  const measurements: SessionMeasurement[] =
    docId === null || activeIndex === null || !documents.some((d) => d.docId === docId)
      ? []
      : state.measurements
          .filter((e) => (e.measurement.images ?? []).every(inRange))
          .slice(0, LIMITS.maxSessionMeasurements)
          .map((e) => ({ docId, record: activeIndex, atoms: [...e.measurement.atoms], ...(e.measurement.images ? { images: e.measurement.images.map((i) => [i[0], i[1], i[2]] as const) } : {}) }));
  return { activeDocId: documents.some((d) => d.docId === docId) ? docId : null, documents, measurements };
}

/**
 * The store after a session opened: its documents listed, their supercells, the session's theme and viewer style,
 * the active document with its record; the other documents' records wait in `memory.pending`.
 */
export function openedSessionPatch(state: AppState, result: SessionOpenResult, memory: SessionMemory): Partial<AppState> {
  const supercells = new Map(state.supercells);
  for (const view of result.views) {
    supercells.set(view.docId, [view.supercell[0], view.supercell[1], view.supercell[2]]);
    if (view.docId !== result.activeDocId && view.selectedRecord !== null) memory.pending.set(view.docId, view.selectedRecord);
  }
  memory.pendingMeasurements = result.measurements;
  const active = result.views.find((v) => v.docId === result.activeDocId);
  const settings = result.settings;
  return {
    ...addDocuments(state, result.documents),
    supercells,
    theme: resolvedTheme(settings.theme),
    style: fromSettingsStyle(settings.viewerStyle),
    showCell: settings.showCell,
    labels: settings.showLabels ? 'element' : 'none',
    ...(result.activeDocId !== null
      ? { activeDocId: result.activeDocId, filterText: '', sort: { key: 'index', descending: false }, selectedRow: active?.selectedRecord ?? 0 }
      : {}),
  };
}

/** Cartesian offset (Å) of a periodic image: i·a + j·b + k·c. */
function imageShift(cell: Float64Array, image: readonly number[]): Vec3 {
  const [i, j, k] = [image[0] ?? 0, image[1] ?? 0, image[2] ?? 0];
  return [0, 1, 2].map((x) => i * cell[x]! + j * cell[3 + x]! + k * cell[6 + x]!) as unknown as Vec3;
}

/** The pending measurements of this record, measured on its structure (ones that do not fit it are dropped). */
export function restoredMeasurements(pending: readonly SessionMeasurement[], docId: DocumentId, record: number, structure: Structure): MeasurementEntry[] {
  return pending.flatMap((m): MeasurementEntry[] => {
    if (m.docId !== docId || m.record !== record) return [];
    if (m.images && !structure.cell) return [];
    try {
      const shifts = m.images && structure.cell ? m.images.map((image) => imageShift(structure.cell!, image)) : undefined;
      const images = m.images?.map((i) => [i[0], i[1], i[2]] as unknown as Vec3);
      return [{ measurement: { atoms: [...m.atoms], ...(images ? { images } : {}) }, result: measure(structure.positions, m.atoms, shifts) }];
    } catch {
      return [];
    }
  });
}
