/**
 * The documents of a session: files opened from bytes (gzip accepted) and documents jobs make (trajectories,
 * relaxed structures); their table pages, structures, depictions, column values for plots and exports.
 * 'document-changed' events for a growing document are throttled to one per `documentEventIntervalMs`.
 */
import {
  LIMITS,
  type ColumnValues,
  type Depiction,
  type DepictionOptions,
  type DocumentId,
  type DocumentInfo,
  type ExportedFile,
  type ExportFormat,
  type FileInput,
  type ListQuery,
  type OpenFailure,
  type OpenId,
  type OpenProgress,
  type OpenResult,
  type Structure,
  type StructurePage,
} from '../contract/equimol-api';
import type { ResultRow } from '../pipeline/rows';
import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import { baseName, OpenDocument, UnknownDocumentError, type StructureDocumentOptions } from './documents';
import { OpenTracker, type OpenHandle } from './open-tracker';
import { OpenCancelledError, readDocument, type EmbedRecord } from './read-document';
import type { Emit } from './events';
import { exportFileName, stem, writeRows } from './export-rows';

/** Makes a 2D SVG of a structure (RDKit in practice); null when it cannot. */
export type Depicter = (structure: Structure, options: { readonly width: number; readonly height: number }) => Promise<string | null>;

/** A file to open with its path on disk (Electron main reads the bytes and passes the path along). */
export interface LocalFileInput extends FileInput {
  readonly path?: string;
}

export interface DocumentServiceOptions {
  readonly emit: Emit;
  readonly now: () => number;
  readonly depict?: Depicter;
  /** Minimum milliseconds between 'document-changed' events of one document while a job changes it (default 500). */
  readonly documentEventIntervalMs?: number;
  /** Minimum milliseconds between 'open-progress' events of one file within a phase (default 100). */
  readonly openEventIntervalMs?: number;
  /** Where SMILES records are embedded (default: in this thread). */
  readonly embedRecord?: EmbedRecord;
  /** Paths opened from disk (recent files). */
  readonly onOpenedPaths?: (paths: readonly string[]) => void;
}

/** How one file of an open call ended. */
interface OpenOutcome {
  readonly document?: DocumentInfo;
  readonly failure?: OpenFailure;
  readonly cancelled?: string;
}

export class DocumentService {
  private readonly documents = new Map<DocumentId, OpenDocument>();
  private readonly lastEvent = new Map<DocumentId, number>();
  /** Bytes of files opened without a path, for session files (oldest dropped beyond LIMITS.maxSessionEmbedTotalBytes). */
  private readonly sources = new Map<DocumentId, Uint8Array>();
  private sourceTotal = 0;
  private nextId = 1;
  private readonly opens: OpenTracker;

  constructor(private readonly options: DocumentServiceOptions) {
    this.opens = new OpenTracker({
      emit: options.emit,
      now: options.now,
      ...(options.openEventIntervalMs !== undefined ? { intervalMs: options.openEventIntervalMs } : {}),
    });
  }

  /**
   * openFiles with paths (Electron main); failures are per file, never a rejection. The files are read side by side,
   * each announced by 'open-progress' events and listed as soon as it is ready (its final event carries it).
   */
  async open(files: readonly LocalFileInput[]): Promise<OpenResult> {
    const started = files.map((file) => ({ file, id: `doc-${this.nextId++}`, handle: this.opens.begin(file.path ?? file.name, file.bytes.byteLength) }));
    const outcomes = await Promise.all(started.map(({ file, id, handle }) => this.openOne(file, id, handle)));
    const documents = outcomes.flatMap((o) => (o.document ? [o.document] : []));
    const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []));
    const cancelled = outcomes.flatMap((o) => (o.cancelled !== undefined ? [o.cancelled] : []));
    const paths = files.flatMap((f) => (f.path !== undefined && documents.some((d) => d.path === f.path) ? [f.path] : []));
    if (paths.length > 0) this.options.onOpenedPaths?.(paths);
    return { documents, failures, ...(cancelled.length > 0 ? { cancelled } : {}) };
  }

  /** Stops a file being opened (see OpenTracker.cancel). */
  cancelOpen(openId: OpenId): OpenProgress {
    return this.opens.cancel(openId);
  }

  /** Cancels every open in flight (shutdown). */
  cancelOpens(): void {
    this.opens.cancelAll();
  }

  private async openOne(file: LocalFileInput, id: DocumentId, handle: OpenHandle): Promise<OpenOutcome> {
    const label = file.path ?? file.name;
    try {
      const document = await readDocument(id, file, {
        ...(file.path !== undefined ? { path: file.path } : {}),
        signal: handle.signal,
        onProgress: handle.progress,
        whenForegroundIdle: () => this.opens.whenForegroundIdle(),
        ...(this.options.embedRecord ? { embedRecord: this.options.embedRecord } : {}),
      });
      this.documents.set(id, document);
      if (file.path === undefined) this.keepSource(id, file.bytes);
      const info = document.info();
      handle.finish('done', { document: info });
      return { document: info };
    } catch (error) {
      if (error instanceof OpenCancelledError || handle.signal.aborted) {
        handle.finish('cancelled');
        return { cancelled: label };
      }
      const message = error instanceof Error ? error.message : String(error);
      const name = baseName(file.name);
      const failure = { file: label, message: message.includes(name) ? message : `${name}: ${message}` };
      handle.finish('failed', { message: failure.message });
      return { failure };
    }
  }

  /** A new document of structures a job made; announced with a 'document-changed' event. */
  create(name: string, structures: readonly Structure[], options: StructureDocumentOptions = {}): OpenDocument {
    const id = `doc-${this.nextId++}`;
    const document = OpenDocument.fromStructures(id, name, structures, options);
    this.documents.set(id, document);
    this.changed(id, true);
    return document;
  }

  list(): DocumentInfo[] {
    return [...this.documents.values()].map((d) => d.info());
  }

  get(docId: DocumentId): OpenDocument {
    const document = this.documents.get(docId);
    if (!document) throw new UnknownDocumentError(docId);
    return document;
  }

  /** The document, or undefined once closed (a job writing into a closed document just stops showing it). */
  find(docId: DocumentId): OpenDocument | undefined {
    return this.documents.get(docId);
  }

  close(docId: DocumentId): void {
    this.get(docId);
    this.documents.delete(docId);
    this.lastEvent.delete(docId);
    this.dropSource(docId);
  }

  /** The bytes a file was opened from, when it had no path and they were kept (see LIMITS.maxSessionEmbedBytes). */
  sourceBytes(docId: DocumentId): Uint8Array | undefined {
    return this.sources.get(docId);
  }

  private keepSource(docId: DocumentId, bytes: Uint8Array): void {
    if (bytes.byteLength > LIMITS.maxSessionEmbedBytes) return;
    this.sources.set(docId, bytes);
    this.sourceTotal += bytes.byteLength;
    for (const oldest of this.sources.keys()) {
      if (this.sourceTotal <= LIMITS.maxSessionEmbedTotalBytes) break;
      this.dropSource(oldest);
    }
  }

  private dropSource(docId: DocumentId): void {
    const bytes = this.sources.get(docId);
    if (!bytes) return;
    this.sources.delete(docId);
    this.sourceTotal -= bytes.byteLength;
  }

  /** Announces a change: at most one event per interval unless `force` (the final state of a job's document). */
  changed(docId: DocumentId, force: boolean): void {
    const document = this.documents.get(docId);
    if (!document) return;
    const t = this.options.now();
    const interval = this.options.documentEventIntervalMs ?? 500;
    if (!force && t - (this.lastEvent.get(docId) ?? -Infinity) < interval) return;
    this.lastEvent.set(docId, t);
    this.options.emit({ type: 'document-changed', document: document.info() });
  }

  listStructures(docId: DocumentId, query: ListQuery): Promise<StructurePage> {
    return this.get(docId).list(query);
  }

  structure(docId: DocumentId, index: number): Structure {
    return this.get(docId).structure(index);
  }

  columnValues(docId: DocumentId, keys: readonly string[]): ColumnValues {
    return this.get(docId).columnValues(keys);
  }

  async depiction(docId: DocumentId, index: number, options: DepictionOptions = {}): Promise<Depiction> {
    const structure = this.get(docId).structure(index);
    if (structure.cell) return { svg: null, message: 'no 2D depiction for a periodic structure' };
    const depict = this.options.depict;
    if (!depict) return { svg: null, message: '2D depiction is not available (no toolkit loaded)' };
    try {
      const svg = await depict(structure, { width: options.width ?? 300, height: options.height ?? 220 });
      return svg ? { svg } : { svg: null, message: 'the toolkit could not depict this structure' };
    } catch (error) {
      return { svg: null, message: `depiction failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** A document's structures (all, or `indices`) with their predicted values, as bytes of `format`. */
  async export(docId: DocumentId, format: ExportFormat, indices?: readonly number[]): Promise<ExportedFile> {
    const document = this.get(docId);
    const chosen = indices ?? document.rows.map((r) => r.index);
    const columns = document
      .columns()
      .filter((c) => c.source !== 'file')
      .map(
        (c): PredictionColumn => ({
          key: c.key,
          label: c.label,
          unit: c.unit,
          kind: c.kind === 'boolean' ? 'string' : c.kind,
          ...(c.width !== undefined ? { width: c.width } : {}),
        }),
      );
    const rows: ResultRow[] = chosen.map((index) => {
      const structure = document.structure(index);
      const summary = document.summary(index);
      const values: Record<string, PredictionValue> = {};
      for (const c of columns) {
        const v = summary.values[c.key];
        if (v !== undefined) values[c.key] = typeof v === 'boolean' ? String(v) : v;
      }
      return {
        file: document.name,
        record: index,
        line: summary.line,
        name: structure.name,
        formula: summary.formula,
        nAtoms: summary.atoms,
        status: 'ok',
        error: '',
        values,
        structure,
        prediction: { values },
      };
    });
    return writeRows(rows, columns, format, exportFileName(stem(document.name), format));
  }
}
