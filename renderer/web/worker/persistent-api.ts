/**
 * Web mode's session with persistence: the EquimolApi the worker serves, an EquimolSession whose settings and
 * open files outlive the page. On start it reads the store (IndexedDB, browser-store.ts): the settings (checked
 * field by field), then the kept files (each checked); it reopens the files that were open, in the order they were
 * opened, and lists the kept ones as recent files (names, most recent first). Every call waits for that restore,
 * so the UI's first listDocuments and getSettings see it. Anything corrupt or unreadable is reported in
 * getAppInfo().notices and ignored; storage that cannot be opened at all leaves a session that keeps nothing.
 *
 * Kept files follow core/session/recent-files.ts. openPaths reopens kept files by name; openSession takes a
 * session file's embedded files, and its by-name files from the kept ones.
 */
import { EQUIMOL_METHODS, type EquimolApi, type EquimolEventListener, type FileInput, type OpenFailure, type OpenResult, type Settings } from '../../../core/contract/equimol-api';
import { baseName } from '../../../core/session/documents';
import { checkStoredFile, isStorable, planStore, type StoredFile } from '../../../core/session/recent-files';
import type { EquimolSession } from '../../../core/session/session';
import { sanitizeStoredSettings } from '../../../core/session/settings-service';
import type { PersistentStore } from './browser-store';

export interface PersistentApiOptions {
  /** Milliseconds clock for the opening order (tests). */
  readonly now?: () => number;
  /** Where write failures go (default console.warn). */
  readonly warn?: (message: string) => void;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createPersistentApi(session: EquimolSession, storage: Promise<PersistentStore>, options: PersistentApiOptions = {}): EquimolApi {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const clock = options.now ?? Date.now;
  let lastTime = -Infinity;
  const now = () => (lastTime = Math.max(clock(), lastTime + 1));
  const notices: string[] = [];
  /** Kept files by name, as in the store. */
  const kept = new Map<string, StoredFile>();
  /** Open documents opened from kept (or keepable) files: document id -> file name. */
  const docNames = new Map<string, string>();
  let store: PersistentStore | undefined;
  let writes: Promise<void> = Promise.resolve();
  let restoring = true;

  /** Store writes run one after another; a failed one is reported and the next still runs. */
  const write = (what: string, run: (s: PersistentStore) => Promise<void>): void => {
    const target = store;
    if (!target) return;
    writes = writes.then(() => run(target)).catch((error: unknown) => warn(`could not save ${what} in the browser: ${describeError(error)}`));
  };

  /** Applies the eviction rule, drops what goes, and lists the kept names as recent files. */
  const settle = async (): Promise<void> => {
    const { keep, evict } = planStore([...kept.values()]);
    for (const name of evict) kept.delete(name);
    if (evict.length > 0) write('the recent files', (s) => s.deleteFiles(evict));
    await session.setSettings({ recentFiles: keep.map((f) => f.name) });
  };

  const keepFile = (file: StoredFile): void => {
    kept.set(file.name, file);
    write(`'${file.name}'`, (s) => s.writeFile(file));
  };

  const setOpen = (name: string, open: boolean): void => {
    const file = kept.get(name);
    if (file && file.open !== open) keepFile({ ...file, open });
  };

  /** Opens files and keeps each opened one (open, just now); the documents are mapped to their names. */
  const openAndKeep = async (files: readonly FileInput[]): Promise<OpenResult> => {
    const result = await session.openFiles(files);
    const unmatched = [...files];
    for (const doc of result.documents) {
      const i = unmatched.findIndex((f) => baseName(f.name) === doc.name);
      if (i < 0) continue;
      const [file] = unmatched.splice(i, 1);
      docNames.set(doc.id, doc.name);
      if (isStorable(file!.bytes.byteLength)) keepFile({ name: doc.name, bytes: file!.bytes, openedAt: now(), open: true });
    }
    await settle();
    return result;
  };

  const restore = async (): Promise<void> => {
    try {
      store = await storage;
    } catch (error) {
      notices.push(`Browser storage is not available (${describeError(error)}): settings and open files will not be kept.`);
      return;
    }
    try {
      const stored = await store.readSettings();
      if (stored !== undefined) {
        const { patch, problems } = sanitizeStoredSettings(stored);
        notices.push(...problems);
        const { recentFiles: _ignored, ...rest } = patch;
        if (Object.keys(rest).length > 0) await session.setSettings(rest);
      }
    } catch (error) {
      notices.push(`Stored settings could not be read (${describeError(error)}): defaults used.`);
    }
    let records: unknown[] = [];
    try {
      records = await store.readFiles();
    } catch (error) {
      notices.push(`Kept files could not be read (${describeError(error)}): none reopened.`);
    }
    const bad: string[] = [];
    records.forEach((record, i) => {
      const file = checkStoredFile(record);
      if (typeof file === 'string') {
        notices.push(`Kept file #${i + 1} ${file}: ignored.`);
        const name = (record as { name?: unknown } | null)?.name;
        if (typeof name === 'string') bad.push(name);
      } else {
        kept.set(file.name, file);
        lastTime = Math.max(lastTime, file.openedAt);
      }
    });
    if (bad.length > 0) write('the recent files', (s) => s.deleteFiles(bad));
    const reopen = [...kept.values()].filter((f) => f.open).sort((a, b) => a.openedAt - b.openedAt);
    // One at a time, so the documents are listed in the order the files were first opened.
    for (const file of reopen) {
      const result = await session.openFiles([{ name: file.name, bytes: file.bytes }]);
      const doc = result.documents[0];
      if (doc) docNames.set(doc.id, file.name);
      else setOpen(file.name, false);
      for (const failure of result.failures) notices.push(`A kept file could not be reopened: ${failure.message}`);
    }
    await settle();
  };

  const ready = restore()
    .catch((error: unknown) => void notices.push(`Restoring the last session failed (${describeError(error)}).`))
    .finally(() => (restoring = false));

  session.subscribe((event) => {
    if (event.type === 'settings-changed' && !restoring) {
      const settings: Settings = event.settings;
      write('the settings', (s) => s.writeSettings(settings));
    }
  });

  const openKept = async (names: readonly string[]): Promise<OpenResult> => {
    const files: FileInput[] = [];
    const failures: OpenFailure[] = [];
    for (const name of names) {
      const file = kept.get(baseName(name));
      if (file) files.push({ name: file.name, bytes: file.bytes });
      else failures.push({ file: name, message: `${name}: this browser does not keep a file of that name (open it again)` });
    }
    const result = files.length > 0 ? await openAndKeep(files) : { documents: [], failures: [] };
    return { documents: result.documents, failures: [...failures, ...result.failures], ...(result.cancelled ? { cancelled: result.cancelled } : {}) };
  };

  const overrides: Partial<EquimolApi> = {
    getAppInfo: async () => {
      const info = await session.getAppInfo();
      return notices.length > 0 ? { ...info, notices: [...notices] } : info;
    },
    openFiles: (files) => openAndKeep(files),
    openPaths: (names) => openKept(names),
    closeDocument: async (docId) => {
      await session.closeDocument(docId);
      const name = docNames.get(docId);
      docNames.delete(docId);
      if (name !== undefined && ![...docNames.values()].includes(name)) setOpen(name, false);
    },
    setSettings: async (patch) => {
      if (patch.recentFiles === undefined) return session.setSettings(patch);
      // Recent files are the kept ones: a name left out (and not open) is forgotten.
      const open = new Set(docNames.values());
      const forget = [...kept.keys()].filter((name) => !patch.recentFiles!.includes(name) && !open.has(name));
      for (const name of forget) kept.delete(name);
      write('the recent files', (s) => s.deleteFiles(forget));
      const { recentFiles: _ignored, ...rest } = patch;
      await session.setSettings(rest);
      await settle();
      return session.getSettings();
    },
    openSession: (file) =>
      session.openSession(file, {
        openFiles: (files) => openAndKeep(files),
        findStored: async (name) => {
          const found = kept.get(name);
          return found ? { name: found.name, bytes: found.bytes } : undefined;
        },
      }),
  };

  const api: Record<string, unknown> = {};
  for (const method of EQUIMOL_METHODS) {
    const own = overrides[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    const base = session[method] as (...args: unknown[]) => Promise<unknown>;
    api[method] = async (...args: unknown[]) => {
      await ready;
      return own ? own(...args) : base.apply(session, args);
    };
  }
  api['subscribe'] = (listener: EquimolEventListener) => session.subscribe(listener);
  return api as unknown as EquimolApi;
}
