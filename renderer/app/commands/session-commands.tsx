/**
 * Session files and what outlives a reload, as contributions: the "Save session" (Ctrl+S) and "Open session…"
 * commands, the recent files over the empty viewer (session-recent.tsx), and one service panel that remembers each document's record, shows a restored document's record and
 * measurements when it comes on screen, keeps the jobs panel's collapsed state in Settings.layout, and reports what
 * could not be restored at start-up (AppInfo.notices). Theme and open files themselves come back through the
 * settings and listDocuments the app reads at start-up (web mode's worker restores them from IndexedDB first).
 */
import { useEffect, useRef } from 'react';
import type { LayoutState } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import { registerCommand, registerPanel, type PanelContext, type PanelProps } from '../panels/panel-registry';
import { plural } from '../util/format';
import { RecentFiles } from './session-recent';
import { memoryOf, openedSessionPatch, restoredMeasurements, sessionViewOf } from './session-view';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The layout keys this contribution keeps. */
const JOBS_COLLAPSED = 'jobs.collapsed';

async function saveSession(ctx: PanelContext): Promise<void> {
  const view = sessionViewOf(ctx.store.getState(), memoryOf(ctx.store));
  if (view.documents.length === 0) {
    ctx.notify('info', 'Nothing to save', 'Open a file first (documents made by jobs are not saved in a session).');
    return;
  }
  try {
    await ctx.save(await ctx.api.saveSession(view));
  } catch (error) {
    ctx.notify('error', 'Could not save the session', messageOf(error));
  }
}

/** A file chosen with the browser's picker (both shells), or undefined when cancelled. */
function pickSessionFile(): Promise<File | undefined> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.dataset['testid'] = 'session-file-input';
    input.addEventListener('change', () => resolve(input.files?.[0]));
    input.addEventListener('cancel', () => resolve(undefined));
    input.click();
  });
}

async function openSession(ctx: PanelContext): Promise<void> {
  const file = await pickSessionFile();
  if (!file) return;
  try {
    const result = await ctx.api.openSession({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    ctx.store.setState((state) => openedSessionPatch(state, result, memoryOf(ctx.store)));
    if (result.documents.length > 0) ctx.notify('success', `Opened the session ${file.name}`, `${plural(result.documents.length, 'file')}: ${result.documents.map((d) => d.name).join(', ')}`);
    for (const failure of result.failures) ctx.notify('error', `Could not reopen ${failure.file}`, failure.message);
  } catch (error) {
    ctx.notify('error', `Could not open the session ${file.name}`, messageOf(error));
  }
}

registerCommand({
  id: 'equimol.session.save',
  title: 'Save session',
  keybinding: 'Mod+S',
  menu: 'save-session',
  toolbar: { area: 'titlebar', group: 100, order: 30, label: 'Save session', tooltip: 'Save the open files and how they are shown (Ctrl+S)', testId: 'save-session-button', enabled: (ctx) => ctx.documents.length > 0 },
  run: (ctx) => void saveSession(ctx),
});

registerCommand({
  id: 'equimol.session.open',
  title: 'Open session',
  menu: 'open-session',
  toolbar: { area: 'titlebar', group: 100, order: 40, label: 'Open session…', tooltip: 'Open a saved session (.equimol-session.json)', testId: 'open-session-button' },
  run: (ctx) => void openSession(ctx),
});

/** Start-up notices, the layout kept in settings, and the records and measurements of a restored session. */
function SessionService({ ctx }: PanelProps) {
  const { api, store } = ctx;
  const notify = useRef(ctx.notify);
  notify.current = ctx.notify;

  useEffect(() => {
    let alive = true;
    api.getAppInfo().then(
      (info) => {
        if (alive && info.notices && info.notices.length > 0) notify.current('error', 'Some saved state could not be restored and was ignored', info.notices.join('\n'));
      },
      () => undefined,
    );
    // Settings.layout: applied once read, then this key written back whenever it changes (the record is read
    // again first, so keys other contributions keep there are not dropped).
    let written: boolean | undefined;
    api.getSettings().then(
      (settings) => {
        if (!alive) return;
        const collapsed = settings.layout[JOBS_COLLAPSED];
        if (typeof collapsed === 'boolean') store.setState({ jobsCollapsed: collapsed });
        written = store.getState().jobsCollapsed;
      },
      () => undefined,
    );
    const unsubscribe = store.subscribe(() => {
      const collapsed = store.getState().jobsCollapsed;
      if (written === undefined || collapsed === written) return;
      written = collapsed;
      api
        .getSettings()
        .then((settings) => api.setSettings({ layout: { ...settings.layout, [JOBS_COLLAPSED]: collapsed } satisfies LayoutState }))
        .catch(() => undefined);
    });
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [api, store]);

  const docId = ctx.activeDocument?.id ?? null;
  const index = ctx.selectedIndex;
  const structure = ctx.structure;
  const selectRecord = useRef(ctx.selectRecord);
  selectRecord.current = ctx.selectRecord;

  // Each document's record, and a restored document's record when it is first made active.
  useEffect(() => {
    if (docId === null) return;
    const memory = memoryOf(store);
    const pending = memory.pending.get(docId);
    if (pending !== undefined) {
      memory.pending.delete(docId);
      selectRecord.current(pending);
    } else if (index !== null) {
      memory.records.set(docId, index);
    }
  }, [store, docId, index]);

  // A restored measurement is drawn once its record's own structure has arrived (not the one on screen before).
  const selection = useRef<{ key: string; stale: Structure | null }>({ key: '', stale: null });
  useEffect(() => {
    const key = `${docId}:${index}`;
    if (selection.current.key !== key) {
      selection.current = { key, stale: structure };
      return;
    }
    const memory = memoryOf(store);
    if (docId === null || index === null || !structure || structure === selection.current.stale || memory.pendingMeasurements.length === 0) return;
    const restored = restoredMeasurements(memory.pendingMeasurements, docId, index, structure);
    memory.pendingMeasurements = memory.pendingMeasurements.filter((m) => m.docId !== docId || m.record !== index);
    if (restored.length > 0) store.setState({ measurements: restored });
  }, [store, docId, index, structure]);

  return null;
}

registerPanel({ id: 'equimol.session.service', title: 'Session files and restore', location: 'service', component: SessionService });
registerPanel({ id: 'equimol.session.recent-files', title: 'Recent files', location: 'overlay', order: 45, when: (ctx) => ctx.documents.length === 0, component: RecentFiles });
