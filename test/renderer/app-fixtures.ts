/** Documents, jobs and a panel context for the renderer's pure unit tests (no React rendering, no DOM). */
import type { DocumentInfo, JobProgress } from '../../core/contract/equimol-api';
import type { PanelContext } from '../../renderer/app/panels/panel-registry';
import { createAppStore, activeDocumentOf, selectedIndexOf, type AppState } from '../../renderer/app/state/app-state';

export function doc(id: string, recordCount = 3, extra: Partial<DocumentInfo> = {}): DocumentInfo {
  return { id, name: `${id}.xyz`, format: 'xyz', formatName: 'XYZ', byteLength: 100, gzipped: false, recordCount, errorCount: 0, errors: [], periodic: false, columns: [], readMs: 1, ...extra };
}

export function job(id: string, extra: Partial<JobProgress> = {}): JobProgress {
  return { id, kind: 'predict', label: `job ${id}`, state: 'running', done: 0, total: 10, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 0, ...extra };
}

/**
 * A PanelContext over a fresh store holding `state`: the fields registry code reads (state, documents, selection,
 * dialog); the actions record their calls in `calls`.
 */
export function fakeContext(state: Partial<AppState> = {}): { ctx: PanelContext; calls: string[] } {
  const store = createAppStore(state);
  const s = store.getState();
  const calls: string[] = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
  const ctx = {
    state: s,
    store,
    platform: s.platform,
    theme: s.theme,
    documents: s.documents,
    activeDocument: activeDocumentOf(s),
    selectedIndex: selectedIndexOf(s),
    structure: s.structure,
    shownStructure: s.structure,
    frames: s.frames,
    frameIndex: -1,
    jobs: s.jobs,
    viewer: null,
    dialog: s.dialog,
    selectRecord: record('selectRecord'),
    openDialog: record('openDialog'),
    closeDialog: record('closeDialog'),
    notify: record('notify'),
  } as unknown as PanelContext;
  return { ctx, calls };
}
