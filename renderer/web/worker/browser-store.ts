/// <reference lib="webworker" />
/**
 * Web mode's storage: one IndexedDB database ('equimol') with the settings (store 'settings', key 'settings') and
 * the recent files' bytes (store 'files', keyed by name; core/session/recent-files.ts says what is kept). Values are
 * returned as read, unchecked: the persistent API checks them (a corrupt record is reported and ignored).
 */
import type { Settings } from '../../../core/contract/equimol-api';
import type { StoredFile } from '../../../core/session/recent-files';

/** What the persistent API needs of storage (IndexedDB in the browser, a Map in Node tests). */
export interface PersistentStore {
  readSettings(): Promise<unknown>;
  writeSettings(settings: Settings): Promise<void>;
  /** Every record of the files store, as stored. */
  readFiles(): Promise<unknown[]>;
  writeFile(file: StoredFile): Promise<void>;
  deleteFiles(names: readonly string[]): Promise<void>;
}

const DB_NAME = 'equimol';
const DB_VERSION = 1;
const SETTINGS = 'settings';
const FILES = 'files';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Opens (creating on first use) the database; rejects when IndexedDB is missing, blocked or slower than `timeoutMs`. */
export function openIndexedDbStore(factory: IDBFactory | undefined, timeoutMs = 5000): Promise<PersistentStore> {
  if (!factory) return Promise.reject(new Error('IndexedDB is not available in this browser'));
  const opening = new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(SETTINGS)) db.createObjectStore(SETTINGS);
      if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES, { keyPath: 'name' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of Equimol'));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`IndexedDB did not open within ${timeoutMs} ms`)), timeoutMs));
  return Promise.race([opening, timeout]).then((db) => indexedDbStore(db));
}

function indexedDbStore(db: IDBDatabase): PersistentStore {
  return {
    async readSettings() {
      return request(db.transaction(SETTINGS, 'readonly').objectStore(SETTINGS).get(SETTINGS));
    },
    async writeSettings(settings) {
      const tx = db.transaction(SETTINGS, 'readwrite');
      tx.objectStore(SETTINGS).put(settings, SETTINGS);
      await done(tx);
    },
    async readFiles() {
      return request(db.transaction(FILES, 'readonly').objectStore(FILES).getAll());
    },
    async writeFile(file) {
      const tx = db.transaction(FILES, 'readwrite');
      tx.objectStore(FILES).put(file);
      await done(tx);
    },
    async deleteFiles(names) {
      if (names.length === 0) return;
      const tx = db.transaction(FILES, 'readwrite');
      const store = tx.objectStore(FILES);
      for (const name of names) store.delete(name);
      await done(tx);
    },
  };
}
