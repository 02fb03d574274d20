/**
 * EquimolSession: the compute half of the EquimolApi on pure core. The Electron compute host and the web
 * mode's Web Worker both run one. It owns open documents (read from bytes, gzip accepted), a job queue of
 * cancellable predict jobs that stream progress events, job results and exports to bytes.
 *
 * Platform methods (openPaths, showOpenDialog, saveFile) need a file system or a DOM: the session rejects
 * them with NotAvailableError; Electron main and the web adapter implement them around the session.
 */
import {
  DEFAULT_SETTINGS,
  EQUIMOL_API_VERSION,
  LIMITS,
  type AppInfo,
  type Depiction,
  type DepictionOptions,
  type DocumentId,
  type DocumentInfo,
  type EquimolApi,
  type EquimolEvent,
  type EquimolEventListener,
  type ExportedFile,
  type ExportFormat,
  type FileInput,
  type JobId,
  type JobProgress,
  type JobRequest,
  type JobResultPage,
  type ListQuery,
  type OpenFailure,
  type OpenResult,
  type PageQuery,
  type PredictorInfo,
  type SaveRequest,
  type SaveResult,
  type Settings,
  type SettingsPatch,
  type Structure,
  type StructurePage,
  type Unsubscribe,
} from '../contract/equimol-api';
import { createCsvRowSink } from '../export/csv';
import { createStructureRowSink } from '../export/structures';
import { StringSink } from '../export/text-sink';
import { FORMATS, formatById } from '../formats/registry';
import { predictorColumns, type ResultRow, type RowSink } from '../pipeline/rows';
import type { PredictionColumn, PredictionValue, Predictor } from '../predict/predictor';
import { PREDICTORS, type PredictorEntry } from '../predict/registry';
import { baseName, readDocument, UnknownDocumentError, type OpenDocument } from './documents';
import { JobQueue } from './job-queue';
import { runPredictJob, type PredictItem } from './predict-job';

/** Makes a 2D SVG of a structure (RDKit in practice); null when it cannot. */
export type Depicter = (structure: Structure, options: { readonly width: number; readonly height: number }) => Promise<string | null>;

export interface SessionOptions {
  /**
   * The predictors offered: ready instances, or lazy registry entries (core/predict/registry PREDICTORS) created
   * on first use. A list, or a function read on every call so late registrations show. Default: PREDICTORS.
   */
  readonly predictors?: readonly PredictorSource[] | (() => readonly PredictorSource[]);
  readonly depict?: Depicter;
  /** Starting settings (e.g. loaded from disk by Electron main or localStorage in web mode). */
  readonly settings?: Partial<Settings>;
  readonly platform?: AppInfo['platform'];
  readonly appName?: string;
  readonly appVersion?: string;
  /** Milliseconds clock for progress timing (tests). */
  readonly now?: () => number;
  /** Minimum milliseconds between 'document-changed' events while a job streams predictions (default 500). */
  readonly documentEventIntervalMs?: number;
}

/** A predictor instance, or a registry entry that creates one on first use. */
export type PredictorSource = Predictor | PredictorEntry;

/** A file to open with its path on disk (Electron main reads the bytes and passes the path along). */
export interface LocalFileInput extends FileInput {
  readonly path?: string;
}

export class NotAvailableError extends Error {
  constructor(method: string) {
    super(`${method} is not available here: the ${method === 'saveFile' ? 'save' : 'open'} dialog belongs to the app shell`);
    this.name = 'NotAvailableError';
  }
}

export class UnknownPredictorError extends Error {
  constructor(
    readonly predictor: string,
    known: readonly string[],
  ) {
    super(`unknown predictor '${predictor.slice(0, 64)}' (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownPredictorError';
  }
}

interface StoredJob {
  readonly request: JobRequest;
  readonly predictor: Predictor;
  readonly rows: ResultRow[];
  readonly docIds: DocumentId[];
  readonly label: string;
}

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv',
  sdf: 'chemical/x-mdl-sdfile',
  extxyz: 'chemical/x-xyz',
};

function stem(name: string): string {
  return baseName(name).replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || 'structures';
}

export class EquimolSession implements EquimolApi {
  private readonly documents = new Map<DocumentId, OpenDocument>();
  private readonly jobs = new Map<JobId, StoredJob>();
  private readonly listeners = new Set<EquimolEventListener>();
  private readonly queue: JobQueue;
  private readonly options: SessionOptions;
  private settings: Settings;
  private nextDocument = 1;
  private readonly lastDocumentEvent = new Map<DocumentId, number>();
  private readonly now: () => number;
  private readonly createdPredictors = new Map<PredictorEntry, Promise<Predictor>>();

  constructor(options: SessionOptions = {}) {
    this.options = options;
    this.now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.queue = new JobQueue({
      concurrency: this.settings.maxConcurrentJobs,
      now: this.now,
      onProgress: (progress) => this.emit({ type: 'job-progress', progress }),
    });
  }

  // ----- events -----

  subscribe(listener: EquimolEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(event: EquimolEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // a broken listener must not stop jobs or other listeners
      }
    }
  }

  // ----- app -----

  async getAppInfo(): Promise<AppInfo> {
    return {
      name: this.options.appName ?? 'Equimol',
      version: this.options.appVersion ?? '0.0.0',
      apiVersion: EQUIMOL_API_VERSION,
      platform: this.options.platform ?? 'web',
      formats: FORMATS.map((f) => ({
        id: f.id,
        name: f.name,
        extensions: f.extensions,
        ...(f.fileNames ? { fileNames: f.fileNames } : {}),
        writable: f.createWriter !== undefined,
      })),
    };
  }

  // ----- documents -----

  async openFiles(files: readonly FileInput[]): Promise<OpenResult> {
    return this.openLocalFiles(files.map((f) => ({ name: f.name, bytes: f.bytes })));
  }

  /** openFiles with paths (Electron main); failures are per file, never a rejection. */
  async openLocalFiles(files: readonly LocalFileInput[]): Promise<OpenResult> {
    const documents: DocumentInfo[] = [];
    const failures: OpenFailure[] = [];
    for (const file of files) {
      const id = `doc-${this.nextDocument++}`;
      try {
        const label = file.path ?? file.name;
        let lastEvent = -Infinity;
        const document = await readDocument(id, file, {
          ...(file.path !== undefined ? { path: file.path } : {}),
          onProgress: (bytesRead, records, done) => {
            const t = this.now();
            if (!done && t - lastEvent < 200) return;
            // Small files are read within one slice: no events for them at all.
            if (done && lastEvent === -Infinity) return;
            lastEvent = t;
            this.emit({ type: 'open-progress', progress: { file: label, bytesRead, totalBytes: file.bytes.byteLength, records, done } });
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
    if (paths.length > 0) this.addRecentFiles(paths);
    return { documents, failures };
  }

  async openPaths(_paths: readonly string[]): Promise<OpenResult> {
    throw new NotAvailableError('openPaths');
  }

  async showOpenDialog(): Promise<OpenResult> {
    throw new NotAvailableError('showOpenDialog');
  }

  async listDocuments(): Promise<readonly DocumentInfo[]> {
    return [...this.documents.values()].map((d) => d.info());
  }

  async getDocument(docId: DocumentId): Promise<DocumentInfo> {
    return this.document(docId).info();
  }

  async closeDocument(docId: DocumentId): Promise<void> {
    this.document(docId);
    this.documents.delete(docId);
    this.lastDocumentEvent.delete(docId);
  }

  private document(docId: DocumentId): OpenDocument {
    const document = this.documents.get(docId);
    if (!document) throw new UnknownDocumentError(docId);
    return document;
  }

  // ----- structures -----

  async listStructures(docId: DocumentId, query: ListQuery): Promise<StructurePage> {
    return this.document(docId).list(query);
  }

  async getStructure(docId: DocumentId, index: number): Promise<Structure> {
    return this.document(docId).structure(index);
  }

  async getDepiction(docId: DocumentId, index: number, options: DepictionOptions = {}): Promise<Depiction> {
    const structure = this.document(docId).structure(index);
    if (structure.cell) return { svg: null, message: 'no 2D depiction for a periodic structure' };
    if (!this.options.depict) return { svg: null, message: '2D depiction is not available (no toolkit loaded)' };
    try {
      const svg = await this.options.depict(structure, { width: options.width ?? 300, height: options.height ?? 220 });
      return svg ? { svg } : { svg: null, message: 'the toolkit could not depict this structure' };
    } catch (error) {
      return { svg: null, message: `depiction failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async exportDocument(docId: DocumentId, format: ExportFormat, indices?: readonly number[]): Promise<ExportedFile> {
    const document = this.document(docId);
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
    return this.writeRows(rows, columns, format, `${stem(document.name)}.${format}`);
  }

  private async writeRows(rows: readonly ResultRow[], columns: readonly PredictionColumn[], format: ExportFormat, fileName: string): Promise<ExportedFile> {
    const out = new StringSink();
    let sink: RowSink;
    if (format === 'csv') {
      sink = createCsvRowSink(out, columns);
    } else {
      const target = formatById(format);
      if (!target?.createWriter) throw new Error(`cannot export as '${format}': no writer for that format is registered`);
      sink = createStructureRowSink(target, out, columns);
    }
    const chunk = 1000;
    for (let i = 0; i < rows.length; i += chunk) await sink.write(rows.slice(i, i + chunk));
    await sink.close();
    const records = format === 'csv' ? rows.length : rows.filter((r) => r.status === 'ok' && r.structure).length;
    return { fileName, mimeType: MIME[format], bytes: new TextEncoder().encode(out.text), records };
  }

  // ----- predictors and jobs -----

  private predictorSources(): readonly PredictorSource[] {
    const p = this.options.predictors;
    return typeof p === 'function' ? p() : (p ?? PREDICTORS);
  }

  /** The predictor with this id, created (once) from its registry entry when needed. */
  private async predictor(id: string): Promise<Predictor> {
    const sources = this.predictorSources();
    const source = sources.find((p) => p.id === id);
    if (!source) throw new UnknownPredictorError(id, sources.map((p) => p.id));
    if ('predict' in source) return source;
    let created = this.createdPredictors.get(source);
    if (!created) {
      created = source.create();
      this.createdPredictors.set(source, created);
      created.catch(() => this.createdPredictors.delete(source));
    }
    return created;
  }

  async listPredictors(): Promise<readonly PredictorInfo[]> {
    const infos: PredictorInfo[] = [];
    for (const source of this.predictorSources()) {
      // Entries are created to learn their columns; registry entries are cheap until prepare() loads weights.
      const predictor = await this.predictor(source.id).catch(() => undefined);
      infos.push({
        id: source.id,
        description: source.description,
        columns: predictor?.columns ?? [],
        batchSize: predictor?.batchSize ?? 1,
      });
    }
    return infos;
  }

  async startJob(request: JobRequest): Promise<JobProgress> {
    const predictor = await this.predictor(request.predictor);
    const documents = request.docIds.map((id) => this.document(id));
    const items: PredictItem[] = [];
    for (const document of documents) {
      const indices = request.indices ?? document.rows.map((r) => r.index);
      for (const index of indices) {
        items.push({ docId: document.id, file: document.name, index, structure: document.structure(index), formula: document.rows[index]!.formula });
      }
    }
    const label = `${predictor.id} on ${documents[0]!.name}${documents.length > 1 ? ` (+${documents.length - 1})` : ''}`;
    const stored: StoredJob = { request, predictor, rows: [], docIds: [], label };
    const columns = predictorColumns(predictor);
    const progress = this.queue.enqueue({
      kind: request.kind,
      label,
      total: items.length,
      priority: request.priority ?? 0,
      run: (context) =>
        runPredictJob(predictor, items, context, {
          ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
          onRows: (batchItems, rows) => {
            const byDocument = new Map<DocumentId, Array<readonly [number, Readonly<Record<string, PredictionValue>>]>>();
            rows.forEach((row, i) => {
              const item = batchItems[i]!;
              stored.rows.push(row);
              stored.docIds.push(item.docId);
              if (row.status !== 'ok') return;
              let entries = byDocument.get(item.docId);
              if (!entries) byDocument.set(item.docId, (entries = []));
              entries.push([item.index, row.values]);
            });
            for (const [id, entries] of byDocument) {
              this.documents.get(id)?.addPredictions(predictor.id, columns, entries);
              this.documentChanged(id, false);
            }
          },
        }),
    });
    this.jobs.set(progress.id, stored);
    void this.queue.whenFinished(progress.id).then(() => {
      for (const id of new Set(stored.docIds)) this.documentChanged(id, true);
    });
    return progress;
  }

  private documentChanged(docId: DocumentId, force: boolean): void {
    const document = this.documents.get(docId);
    if (!document) return;
    const t = this.now();
    const interval = this.options.documentEventIntervalMs ?? 500;
    if (!force && t - (this.lastDocumentEvent.get(docId) ?? -Infinity) < interval) return;
    this.lastDocumentEvent.set(docId, t);
    this.emit({ type: 'document-changed', document: document.info() });
  }

  async cancelJob(jobId: JobId): Promise<JobProgress> {
    return this.queue.cancel(jobId);
  }

  async listJobs(): Promise<readonly JobProgress[]> {
    return this.queue.list();
  }

  /** Resolves with a job's final snapshot (tests, the CLI-less batch use of a session). */
  whenJobFinished(jobId: JobId): Promise<JobProgress> {
    return this.queue.whenFinished(jobId);
  }

  private job(jobId: JobId): StoredJob {
    this.queue.get(jobId); // throws UnknownJobError
    return this.jobs.get(jobId)!;
  }

  async getJobResults(jobId: JobId, query: PageQuery): Promise<JobResultPage> {
    const job = this.job(jobId);
    const end = Math.min(job.rows.length, query.offset + query.limit);
    const rows = [];
    for (let i = query.offset; i < end; i++) {
      const row = job.rows[i]!;
      rows.push({
        docId: job.docIds[i]!,
        index: row.record ?? -1,
        name: row.name,
        values: row.values,
        ...(row.status === 'error' ? { error: row.error } : {}),
      });
    }
    return { jobId, total: job.rows.length, offset: query.offset, rows };
  }

  async exportJob(jobId: JobId, format: ExportFormat): Promise<ExportedFile> {
    const job = this.job(jobId);
    const names = new Set(job.docIds.map((id, i) => this.documents.get(id)?.name ?? job.rows[i]!.file));
    const base = names.size === 1 ? stem([...names][0]!) : 'results';
    return this.writeRows(job.rows, predictorColumns(job.predictor), format, `${base}-${job.predictor.id}.${format}`);
  }

  // ----- settings -----

  async getSettings(): Promise<Settings> {
    return this.settings;
  }

  async setSettings(patch: SettingsPatch): Promise<Settings> {
    const next: Settings = { ...this.settings, ...patch };
    this.settings = { ...next, recentFiles: next.recentFiles.slice(0, LIMITS.maxRecentFiles) };
    this.queue.concurrency = this.settings.maxConcurrentJobs;
    this.emit({ type: 'settings-changed', settings: this.settings });
    return this.settings;
  }

  private addRecentFiles(paths: readonly string[]): void {
    const recent = [...paths.slice().reverse(), ...this.settings.recentFiles.filter((p) => !paths.includes(p))];
    void this.setSettings({ recentFiles: recent.slice(0, LIMITS.maxRecentFiles) });
  }

  async saveFile(_request: SaveRequest): Promise<SaveResult> {
    throw new NotAvailableError('saveFile');
  }

  /** Cancels every job (shutdown). */
  dispose(): void {
    this.queue.cancelAll();
    this.listeners.clear();
  }
}
