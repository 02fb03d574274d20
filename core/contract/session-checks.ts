/**
 * Checks of the settings and session-file calls (setSettings, saveSession, openSession): the layout record, the
 * UI's view of a session, and the session file handed over as bytes. Used by validate.ts.
 */
import { LIMITS } from './equimol-api';
import { arrayOf, boolean, bytes, fail, id, integer, isPlainObject, object, oneOf, optional, string, type Check } from './checks';

const LAYOUT_KEY = /^[A-Za-z0-9._-]{1,64}$/;

/** Settings.layout: an opaque record of pane sizes and collapsed flags, checked for shape only. */
export const layoutState: Check = (value, path) => {
  if (!isPlainObject(value)) fail(path, 'must be an object');
  const entries = Object.entries(value);
  if (entries.length > LIMITS.maxLayoutEntries) fail(path, `has too many entries (${entries.length} > ${LIMITS.maxLayoutEntries})`);
  for (const [key, v] of entries) {
    if (!LAYOUT_KEY.test(key)) fail(path, `has a bad key '${key.slice(0, 64)}' (letters, digits, '.', '_' or '-', up to 64)`);
    const at = `${path}.${key}`;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(at, `must be a finite number, got ${v}`);
    } else if (typeof v === 'string') {
      string(64)(v, at);
    } else if (typeof v !== 'boolean') {
      fail(at, 'must be a number, a boolean or a string');
    }
  }
};

const path: Check = string(LIMITS.maxPathLength, 1);

export const settingsPatch = object({
  theme: optional(oneOf(['system', 'light', 'dark'])),
  viewerStyle: optional(oneOf(['ball-and-stick', 'spacefill', 'sticks', 'wireframe'])),
  showCell: optional(boolean),
  showLabels: optional(boolean),
  recentFiles: optional(arrayOf(path, LIMITS.maxRecentFiles)),
  maxConcurrentJobs: optional(integer(1, 8)),
  layout: optional(layoutState),
});

const recordIndex = integer(0, 2 ** 31 - 1);
const repeat = integer(1, LIMITS.maxSupercellRepeat);
const supercell: Check = (value, p) => {
  arrayOf(repeat, 3, 3)(value, p);
};
const cellImage: Check = (value, p) => {
  arrayOf(integer(-LIMITS.maxSupercellRepeat, LIMITS.maxSupercellRepeat), 3, 3)(value, p);
};
const nullableRecord: Check = (value, p) => {
  if (value !== null) recordIndex(value, p);
};

const measurement: Check = (value, p) => {
  object({ docId: id, record: recordIndex, atoms: arrayOf(recordIndex, 4, 2), images: optional(arrayOf(cellImage, 4, 2)) })(value, p);
  const m = value as { atoms: unknown[]; images?: unknown[] };
  if (m.images !== undefined && m.images.length !== m.atoms.length) fail(`${p}.images`, `must have one image per atom (${m.atoms.length}), got ${m.images.length}`);
};

/** saveSession's view: the active document, each document's record and supercell, measurements. */
export const sessionViewState: Check = (value, p) => {
  object({
    activeDocId: (v, at) => {
      if (v !== null) id(v, at);
    },
    documents: arrayOf(object({ docId: id, selectedRecord: nullableRecord, supercell }), LIMITS.maxSessionDocuments),
    measurements: optional(arrayOf(measurement, LIMITS.maxSessionMeasurements)),
  })(value, p);
};

/** openSession's file: a name and the bytes of the session file. */
export const sessionFileInput = object({ name: path, bytes: bytes(LIMITS.maxSessionFileBytes) });
