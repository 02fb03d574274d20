/**
 * The documents of a session: files opened from bytes (gzip accepted) and documents jobs make (trajectories,
 * relaxed structures); their table pages, structures, depictions, column values for plots and exports.
 * 'document-changed' events for a growing document are throttled to one per `documentEventIntervalMs`.
 */
import type {
  ColumnValues,
  Depiction,
  DepictionOptions,
  DocumentId,
  DocumentInfo,
  ExportedFile,
  ExportFormat,
  FileInput,
  ListQuery,
  OpenFailure,
  OpenResult,
  Structure,
  StructurePage,
} from '../contract/equimol-api';
import type { ResultRow } from '../pipeline/rows';
import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import { baseName, OpenDocument, UnknownDocumentError, type StructureDocumentOptions } from './documents';
import { readDocument } from './read-document';
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
  /** Paths opened from disk (recent files). */
  readonly onOpenedPaths?: (paths: readonly string[]) => void;
}

export class DocumentService {
  private readonly documents = new Map<DocumentId, OpenDocument>();
  private readonly lastEvent = new Map<DocumentId, number>();
  private nextId = 1;

  constructor(private readonly options: DocumentServiceOptions) {}

  /** openFiles with paths (Electron main); failures are per file, never a rejection. */
  async open(files: readonly LocalFileInput[]): Promise<OpenResult> {
    const documents: DocumentInfo[] = [];
    const failures: OpenFailure[] = [];
    for (const file of files) {
      const id = `doc-${this.nextId++}`;
      try {
        const label = file.path ?? file.name;
        let lastEvent = -Infinity;
        const document = await readDocument(id, file, {
          ...(file.path !== undefined ? { path: file.path } : {}),
          onProgress: (bytesRead, records, done) => {
            const t = this.options.now();
            if (!done && t - lastEvent < 200) return;
            // Small files are read within one slice: no events for them at all.
            if (done && lastEvent === -Infinity) return;
            lastEvent = t;
            this.options.emit({ type: 'open-progress', progress: { file: label, bytesRead, totalBytes: file.bytes.byteLength, records, done } });
          },
        });
        this.documents.set(id, document);
        documents.push(document.info());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const name = baseName(file.name);
        failures.push({ file: file.path ?? file.name, message: message.includes(name) ? message : `${name}: ${message}` });
      }
    }
    const paths = files.flatMap((f) => (f.path !== undefined && documents.some((d) => d.path === f.path) ? [f.path] : []));
    if (paths.length > 0) this.options.onOpenedPaths?.(paths);
    return { documents, failures };
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

  listStructures(docId: DocumentId, query: ListQuery): StructurePage {
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
