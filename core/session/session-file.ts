/**
 * Session files (`NAME.equimol-session.json`): what was open and how it was shown, to reopen later. Pure: build
 * the contents from the open documents and the UI's view, serialise them to JSON bytes, and parse + validate such
 * bytes back, with an error naming the field for anything wrong (wrong format or version, a missing field, a
 * non-finite number, an index out of range, base64 that does not decode to the stated size).
 *
 * Version 1 (JSON object):
 *   format 'equimol-session', version 1, savedAt (ISO time), app { name, version, platform },
 *   theme, viewerStyle, showCell, showLabels,
 *   documents [{ name, path? (desktop) | bytesBase64? (embedded) | neither (by name only), byteLength,
 *                selectedRecord (0-based or null), supercell [a, b, c] }],
 *   activeDocument (index into documents, or null),
 *   measurements [{ document (index), record, atoms [2..4 atoms], images? [[i, j, k] per atom] }]
 */
import {
  LIMITS,
  type DocumentId,
  type DocumentInfo,
  type SessionViewState,
  type Settings,
  type Supercell,
  type Theme,
  type ViewerStyle,
} from '../contract/equimol-api';
import { arrayOf, boolean, Fail, fail, integer, isPlainObject, object, oneOf, optional, string, type Check } from '../contract/checks';
import { Base64Error, decodeBase64, encodeBase64 } from '../io/base64';

export const SESSION_FILE_FORMAT = 'equimol-session';
export const SESSION_FILE_VERSION = 1;
export const SESSION_FILE_SUFFIX = '.equimol-session.json';

/** One file of a session: by path (desktop), with its bytes (embedded), or by name only. */
export interface SessionDocumentEntry {
  readonly name: string;
  readonly path?: string;
  readonly bytes?: Uint8Array;
  /** Size of the file as it was opened (compressed size for .gz). */
  readonly byteLength: number;
  readonly selectedRecord: number | null;
  readonly supercell: Supercell;
}

export interface SessionMeasurementEntry {
  /** Index into the session's documents. */
  readonly document: number;
  readonly record: number;
  readonly atoms: readonly number[];
  readonly images?: readonly (readonly [number, number, number])[];
}

/** A session file's contents, embedded files decoded. */
export interface SessionContents {
  readonly savedAt: string;
  readonly app: { readonly name: string; readonly version: string; readonly platform: 'electron' | 'web' };
  readonly theme: Theme;
  readonly viewerStyle: ViewerStyle;
  readonly showCell: boolean;
  readonly showLabels: boolean;
  readonly documents: readonly SessionDocumentEntry[];
  readonly activeDocument: number | null;
  readonly measurements: readonly SessionMeasurementEntry[];
}

/** A session file that cannot be read; `field` is the path of the bad field ('documents[1].supercell[2]'). */
export class SessionFileError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`session file: ${field ? `${field} ` : ''}${message}`);
    this.name = 'SessionFileError';
  }
}

/** An open file and, where the session kept them, its bytes (files opened without a path). */
export interface SessionSource {
  readonly info: DocumentInfo;
  readonly bytes?: Uint8Array;
}

export interface BuildSessionInput {
  readonly sources: readonly SessionSource[];
  readonly view: SessionViewState;
  readonly settings: Settings;
  readonly app: SessionContents['app'];
  readonly savedAt: string;
}

const ONE_CELL: Supercell = [1, 1, 1];

/**
 * The session of the open files, in the view's order (then the others in the given order); documents made by jobs
 * (DocumentInfo.origin) are left out. A file keeps its path
 * where it has one; else its bytes while they fit LIMITS.maxSessionEmbedBytes and, in order, the total
 * LIMITS.maxSessionEmbedTotalBytes; else only its name.
 */
export function buildSessionContents(input: BuildSessionInput): SessionContents {
  const views = new Map(input.view.documents.map((v) => [v.docId, v]));
  const rank = new Map(input.view.documents.map((v, i) => [v.docId, i]));
  const files = input.sources
    .map((source, i) => ({ source, order: rank.get(source.info.id) ?? input.view.documents.length + i }))
    .filter(({ source }) => source.info.origin === undefined)
    .sort((a, b) => a.order - b.order)
    .map(({ source }) => source);
  const index = new Map<DocumentId, number>(files.map((s, i) => [s.info.id, i]));
  let embedded = 0;
  const documents = files.map((source): SessionDocumentEntry => {
    const { info, bytes } = source;
    const view = views.get(info.id);
    const shown = { byteLength: info.byteLength, selectedRecord: view?.selectedRecord ?? null, supercell: view?.supercell ?? ONE_CELL };
    if (info.path !== undefined) return { name: info.name, path: info.path, ...shown };
    if (bytes && bytes.byteLength <= LIMITS.maxSessionEmbedBytes && embedded + bytes.byteLength <= LIMITS.maxSessionEmbedTotalBytes) {
      embedded += bytes.byteLength;
      return { name: info.name, bytes, ...shown, byteLength: bytes.byteLength };
    }
    return { name: info.name, ...shown };
  });
  const measurements = (input.view.measurements ?? []).flatMap((m): SessionMeasurementEntry[] => {
    const document = index.get(m.docId);
    if (document === undefined) return [];
    return [{ document, record: m.record, atoms: m.atoms, ...(m.images ? { images: m.images } : {}) }];
  });
  const active = input.view.activeDocId === null ? undefined : index.get(input.view.activeDocId);
  return {
    savedAt: input.savedAt,
    app: input.app,
    theme: input.settings.theme,
    viewerStyle: input.settings.viewerStyle,
    showCell: input.settings.showCell,
    showLabels: input.settings.showLabels,
    documents,
    activeDocument: active ?? null,
    measurements: measurements.slice(0, LIMITS.maxSessionMeasurements),
  };
}

/** A file name for the session: the active (else first) file's stem, e.g. 'aspirin.equimol-session.json'. */
export function sessionFileName(contents: SessionContents): string {
  const named = contents.documents[contents.activeDocument ?? 0]?.name ?? 'session';
  const stem = named.replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || 'session';
  return `${stem.replace(/[\\/:*?"<>|]/g, '_').slice(0, 100)}${SESSION_FILE_SUFFIX}`;
}

/** The session file's JSON bytes (UTF-8). The contents are checked first: an invalid session is never written. */
export function serializeSession(contents: SessionContents): Uint8Array {
  const json = {
    format: SESSION_FILE_FORMAT,
    version: SESSION_FILE_VERSION,
    savedAt: contents.savedAt,
    app: contents.app,
    theme: contents.theme,
    viewerStyle: contents.viewerStyle,
    showCell: contents.showCell,
    showLabels: contents.showLabels,
    documents: contents.documents.map((d) => ({
      name: d.name,
      ...(d.path !== undefined ? { path: d.path } : {}),
      ...(d.bytes !== undefined ? { bytesBase64: encodeBase64(d.bytes) } : {}),
      byteLength: d.byteLength,
      selectedRecord: d.selectedRecord,
      supercell: [...d.supercell],
    })),
    activeDocument: contents.activeDocument,
    measurements: contents.measurements.map((m) => ({ ...m, atoms: [...m.atoms] })),
  };
  asSessionError(() => checkSessionJson(json));
  return new TextEncoder().encode(`${JSON.stringify(json, null, 1)}\n`);
}

// ----- reading -----

const count = integer(0, Number.MAX_SAFE_INTEGER);
const recordIndex = integer(0, 2 ** 31 - 1);
const nullable =
  (check: Check): Check =>
  (value, path) => {
    if (value !== null) check(value, path);
  };
const cellImage = arrayOf(integer(-LIMITS.maxSupercellRepeat, LIMITS.maxSupercellRepeat), 3, 3);
/** base64 text (its decoding is checked after the shape). */
const base64Text = string(Math.ceil(LIMITS.maxSessionEmbedBytes / 3) * 4);

const documentEntry = object({
  name: string(LIMITS.maxPathLength, 1),
  path: optional(string(LIMITS.maxPathLength, 1)),
  bytesBase64: optional(base64Text),
  byteLength: count,
  selectedRecord: nullable(recordIndex),
  supercell: arrayOf(integer(1, LIMITS.maxSupercellRepeat), 3, 3),
});

const measurementEntry = object({
  document: count,
  record: recordIndex,
  atoms: arrayOf(recordIndex, 4, 2),
  images: optional(arrayOf(cellImage, 4, 2)),
});

const sessionShape = object({
  format: oneOf([SESSION_FILE_FORMAT]),
  version: integer(SESSION_FILE_VERSION, SESSION_FILE_VERSION),
  savedAt: string(64, 1),
  app: object({ name: string(128, 1), version: string(64), platform: oneOf(['electron', 'web']) }),
  theme: oneOf(['system', 'light', 'dark']),
  viewerStyle: oneOf(['ball-and-stick', 'spacefill', 'sticks', 'wireframe']),
  showCell: boolean,
  showLabels: boolean,
  documents: arrayOf(documentEntry, LIMITS.maxSessionDocuments),
  activeDocument: nullable(count),
  measurements: arrayOf(measurementEntry, LIMITS.maxSessionMeasurements),
});

/** The whole JSON value: format and version first (their own messages), then the shape, then cross-references. */
function checkSessionJson(value: unknown): void {
  if (!isPlainObject(value)) fail('', 'must be a JSON object');
  if (value.format !== SESSION_FILE_FORMAT) fail('format', `must be '${SESSION_FILE_FORMAT}' (this is not an Equimol session file)`);
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) fail('version', `must be an integer, got ${JSON.stringify(version) ?? 'nothing'}`);
  if (version > SESSION_FILE_VERSION) fail('version', `${version} is newer than this Equimol reads (${SESSION_FILE_VERSION}): update Equimol`);
  if (version !== SESSION_FILE_VERSION) fail('version', `${version} is not a session file version (${SESSION_FILE_VERSION})`);
  sessionShape(value, '');
  const documents = value.documents as { path?: string; bytesBase64?: string }[];
  documents.forEach((d, i) => {
    if (d.path !== undefined && d.bytesBase64 !== undefined) fail(`documents[${i}]`, 'has both path and bytesBase64 (one or the other)');
  });
  const active = value.activeDocument as number | null;
  if (active !== null && active >= documents.length) fail('activeDocument', `must be below the number of documents (${documents.length}), got ${active}`);
  (value.measurements as { document: number; atoms: unknown[]; images?: unknown[] }[]).forEach((m, i) => {
    if (m.document >= documents.length) fail(`measurements[${i}].document`, `must be below the number of documents (${documents.length}), got ${m.document}`);
    if (m.images !== undefined && m.images.length !== m.atoms.length) fail(`measurements[${i}].images`, `must have one image per atom (${m.atoms.length}), got ${m.images.length}`);
  });
}

/** Runs a check, turning its Fail into a SessionFileError ('session file: documents[0].name must be a string ...'). */
function asSessionError(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof Fail)) throw error;
    // Paths below the root start with '.': '.documents[0]' is the field 'documents[0]'.
    throw new SessionFileError(error.path.replace(/^\./, ''), error.detail);
  }
}

/** Reads a session file's bytes (or text); throws SessionFileError naming the bad field. */
export function parseSession(input: Uint8Array | string): SessionContents {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.byteLength > LIMITS.maxSessionFileBytes) throw new SessionFileError('', `is too large (${input.byteLength} > ${LIMITS.maxSessionFileBytes} bytes)`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new SessionFileError('', 'is not UTF-8 text');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SessionFileError('', `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  asSessionError(() => checkSessionJson(json));
  const value = json as Omit<SessionContents, 'documents'> & { documents: (Omit<SessionDocumentEntry, 'bytes'> & { bytesBase64?: string })[] };
  const documents = value.documents.map((d, i): SessionDocumentEntry => {
    const { bytesBase64, ...rest } = d;
    if (bytesBase64 === undefined) return { ...rest, supercell: [d.supercell[0]!, d.supercell[1]!, d.supercell[2]!] };
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(bytesBase64);
    } catch (error) {
      throw new SessionFileError(`documents[${i}].bytesBase64`, `is not base64: ${error instanceof Base64Error ? error.message : String(error)}`);
    }
    if (bytes.byteLength !== d.byteLength) throw new SessionFileError(`documents[${i}].bytesBase64`, `decodes to ${bytes.byteLength} bytes, but byteLength is ${d.byteLength}`);
    return { ...rest, bytes, supercell: [d.supercell[0]!, d.supercell[1]!, d.supercell[2]!] };
  });
  return {
    savedAt: value.savedAt,
    app: value.app,
    theme: value.theme,
    viewerStyle: value.viewerStyle,
    showCell: value.showCell,
    showLabels: value.showLabels,
    documents,
    activeDocument: value.activeDocument,
    measurements: value.measurements,
  };
}
