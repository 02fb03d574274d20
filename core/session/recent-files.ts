/**
 * Web mode's recent files: the bytes of files opened in the browser, kept (IndexedDB) so a reload reopens the
 * files that were open and openPaths can reopen a recent one by name. Pure rules, no storage:
 * - a file larger than LIMITS.maxStoredFileBytes is not kept;
 * - one entry per name (opening a file of the same name again replaces it);
 * - eviction: entries are ranked by when they were last opened, most recent first, and kept while both bounds
 *   hold (at most LIMITS.maxRecentFiles entries, at most LIMITS.maxStoredTotalBytes bytes together); the first
 *   entry that would break a bound and every older one are evicted. Open files are ranked like any other.
 * - a stored record that does not have the expected shape is reported and dropped.
 */
import { LIMITS } from '../contract/equimol-api';

export interface StoredFile {
  /** Base name, the key. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** When it was last opened (ms; only the order matters). */
  readonly openedAt: number;
  /** Open when the page was left: reopened on the next start. */
  readonly open: boolean;
}

export interface StoreLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

export const STORE_LIMITS: StoreLimits = {
  maxFiles: LIMITS.maxRecentFiles,
  maxFileBytes: LIMITS.maxStoredFileBytes,
  maxTotalBytes: LIMITS.maxStoredTotalBytes,
};

/** Whether a file of this size is kept at all. */
export function isStorable(byteLength: number, limits: StoreLimits = STORE_LIMITS): boolean {
  return byteLength <= limits.maxFileBytes;
}

/** A record read back from storage, or the reason it is not a stored file. */
export function checkStoredFile(value: unknown, limits: StoreLimits = STORE_LIMITS): StoredFile | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const record = value as Record<string, unknown>;
  const name = record['name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.maxPathLength) return 'has no valid name';
  const label = `'${name.slice(0, 64)}'`;
  const bytes = record['bytes'];
  if (!(bytes instanceof Uint8Array)) return `${label} has no bytes`;
  if (bytes.byteLength > limits.maxFileBytes) return `${label} is larger than ${limits.maxFileBytes} bytes`;
  const openedAt = record['openedAt'];
  if (typeof openedAt !== 'number' || !Number.isFinite(openedAt)) return `${label} has no valid openedAt time`;
  const open = record['open'];
  if (typeof open !== 'boolean') return `${label} has no valid open flag`;
  const extra = Object.keys(record).find((k) => !['name', 'bytes', 'openedAt', 'open'].includes(k));
  if (extra !== undefined) return `${label} has an unknown field '${extra.slice(0, 64)}'`;
  return { name, bytes, openedAt, open };
}

/** Most recently opened first (ties: by name, so the order is always the same). */
export function byRecency(files: readonly StoredFile[]): StoredFile[] {
  return [...files].sort((a, b) => b.openedAt - a.openedAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Which entries stay and which names go, by the eviction rule above; duplicates of a name keep the latest. */
export function planStore(files: readonly StoredFile[], limits: StoreLimits = STORE_LIMITS): { readonly keep: StoredFile[]; readonly evict: string[] } {
  const keep: StoredFile[] = [];
  const evict: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  let full = false;
  for (const file of byRecency(files)) {
    if (seen.has(file.name)) continue;
    seen.add(file.name);
    if (!full && isStorable(file.bytes.byteLength, limits) && keep.length < limits.maxFiles && total + file.bytes.byteLength <= limits.maxTotalBytes) {
      keep.push(file);
      total += file.bytes.byteLength;
    } else {
      full = true;
      evict.push(file.name);
    }
  }
  return { keep, evict };
}
