/**
 * Opening a parsed session file: each of its files is opened the way the platform can have it (embedded bytes
 * anywhere; a path on the desktop; a name from web mode's store of recent files), in the session's order, one at
 * a time so each document keeps its view. A file that cannot be had is a failure saying so ('missing'), never a
 * rejection. Then the session's theme and viewer style are applied.
 */
import type {
  DocumentId,
  DocumentInfo,
  FileInput,
  OpenFailure,
  OpenResult,
  SessionDocumentView,
  SessionMeasurement,
  SessionOpenResult,
  Settings,
  SettingsPatch,
} from '../contract/equimol-api';
import type { SessionContents, SessionDocumentEntry } from './session-file';

/** Base name of a path (either separator); not documents.ts's, which would pull the format registry into main. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** How a platform opens a session's files. */
export interface SessionOpener {
  openFiles(files: readonly FileInput[]): Promise<OpenResult>;
  /** Files by absolute path (desktop); absent where there is no file system (web mode). */
  openPaths?(paths: readonly string[]): Promise<OpenResult>;
  /** A file by name from the store of recent files (web mode); undefined when it is not kept. */
  findStored?(name: string): Promise<FileInput | undefined>;
  setSettings(patch: SettingsPatch): Promise<Settings>;
}

function missing(entry: SessionDocumentEntry, why: string): OpenFailure {
  return { file: entry.path ?? entry.name, message: `${entry.name}: missing (${why})` };
}

/** Opens one entry: a document, failures, or a 'missing' failure when no way to have the file is left. */
async function openEntry(entry: SessionDocumentEntry, opener: SessionOpener): Promise<OpenResult> {
  if (entry.bytes) return opener.openFiles([{ name: entry.name, bytes: entry.bytes }]);
  if (entry.path !== undefined && opener.openPaths) return opener.openPaths([entry.path]);
  const stored = opener.findStored ? await opener.findStored(baseName(entry.name)) : undefined;
  if (stored) return opener.openFiles([stored]);
  const why =
    entry.path !== undefined
      ? `the session names it by its path ${entry.path}, which only the desktop app can read; open the file again`
      : opener.findStored
        ? 'the session keeps it by name only (it was not embedded) and this browser does not keep a file of that name; open it again'
        : 'the session keeps it by name only (it was not embedded); open it again';
  return { documents: [], failures: [missing(entry, why)] };
}

export async function restoreSession(contents: SessionContents, opener: SessionOpener): Promise<SessionOpenResult> {
  const documents: DocumentInfo[] = [];
  const failures: OpenFailure[] = [];
  const views: SessionDocumentView[] = [];
  const opened = new Map<number, DocumentInfo>();
  for (const [i, entry] of contents.documents.entries()) {
    let result: OpenResult;
    try {
      result = await openEntry(entry, opener);
    } catch (error) {
      result = { documents: [], failures: [{ file: entry.path ?? entry.name, message: `${entry.name}: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    failures.push(...result.failures);
    const info = result.documents[0];
    if (!info) continue;
    documents.push(...result.documents);
    opened.set(i, info);
    const record = entry.selectedRecord !== null && entry.selectedRecord < info.recordCount ? entry.selectedRecord : null;
    views.push({ docId: info.id, selectedRecord: record, supercell: entry.supercell });
  }
  const measurements = contents.measurements.flatMap((m): SessionMeasurement[] => {
    const info = opened.get(m.document);
    if (!info || m.record >= info.recordCount) return [];
    return [{ docId: info.id, record: m.record, atoms: m.atoms, ...(m.images ? { images: m.images } : {}) }];
  });
  const active: DocumentId | null = (contents.activeDocument !== null ? opened.get(contents.activeDocument)?.id : undefined) ?? documents[0]?.id ?? null;
  const settings = await opener.setSettings({
    theme: contents.theme,
    viewerStyle: contents.viewerStyle,
    showCell: contents.showCell,
    showLabels: contents.showLabels,
  });
  return { documents, failures, activeDocId: active, views, measurements, settings };
}
