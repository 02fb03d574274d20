/**
 * EquimolSession: the compute half of the EquimolApi on pure core. The Electron compute host and the web
 * mode's Web Worker both run one. A thin facade over its services: documents (open files and documents jobs
 * make, tables, exports, column values), predictors, calculators, jobs (a queue of cancellable jobs of several
 * kinds, jobs/registry.ts, that stream progress events) and settings, all emitting through one event hub.
 *
 * Platform methods (openPaths, showOpenDialog, saveFile) need a file system or a DOM: the session rejects
 * them with NotAvailableError; Electron main and the web adapter implement them around the session.
 */
import {
  EQUIMOL_API_VERSION,
  type AppInfo,
  type CalculatorCheck,
  type CalculatorInfo,
  type ColumnValues,
  type Depiction,
  type DepictionOptions,
  type DocumentId,
  type DocumentInfo,
  type EquimolApi,
  type EquimolEventListener,
  type ExportedFile,
  type ExportFormat,
  type FileInput,
  type GeneratorInfo,
  type JobId,
  type JobProgress,
  type JobRequest,
  type JobResultPage,
  type ListQuery,
  type OpenId,
  type OpenProgress,
  type OpenResult,
  type PageQuery,
  type PredictorInfo,
  type SaveRequest,
  type SaveResult,
  type SessionOpenResult,
  type SessionViewState,
  type Settings,
  type SettingsPatch,
  type Structure,
  type StructurePage,
  type Unsubscribe,
} from '../contract/equimol-api';
import { FORMATS } from '../formats/registry';
import { CalculatorService, type CalculatorSource } from './calculator-service';
import { DocumentService, type Depicter, type LocalFileInput } from './document-service';
import { EventHub } from './events';
import type { EmbedRecord } from './read-document';
import { GeneratorService, type GeneratorSource } from './generator-service';
import { JobService } from './job-service';
import type { Trainer } from './jobs/train-job-kind';
import { PredictorService, type PredictorSource } from './predictor-service';
import { buildSessionContents, parseSession, serializeSession, sessionFileName } from './session-file';
import { restoreSession, type SessionOpener } from './session-restore';
import { SettingsService } from './settings-service';

export type { CalculatorEntry, CalculatorSource } from './calculator-service';
export type { Depicter, LocalFileInput } from './document-service';
export { UnknownPredictorError, type PredictorSource } from './predictor-service';
export { UnknownCalculatorError } from './calculator-service';
export { UnknownGeneratorError, type GeneratorSource } from './generator-service';
export { UnknownOpenError } from './open-tracker';
export type { EmbedRecord } from './read-document';

export interface SessionOptions {
  /**
   * The predictors offered: ready instances, or lazy registry entries (core/predict/registry PREDICTORS) created
   * on first use. A list, or a function read on every call so late registrations show. Default: PREDICTORS.
   */
  readonly predictors?: readonly PredictorSource[] | (() => readonly PredictorSource[]);
  /**
   * The calculators of relax and md jobs, each created on first use: a list, a function read on every call, or a
   * promise of the list (the host lists its model files after start-up; calls wait for it). Default: none.
   */
  readonly calculators?: CalculatorSource;
  /** The generator files of generate jobs, listed on first need, each built on first use. Default: none. */
  readonly generators?: GeneratorSource;
  /** Runs train jobs (needs files and Node: the compute host's main/train/train-job-host.ts). Default: none. */
  readonly trainer?: Trainer;
  readonly depict?: Depicter;
  /** Starting settings (e.g. loaded from disk by Electron main or localStorage in web mode). */
  readonly settings?: Partial<Settings>;
  readonly platform?: AppInfo['platform'];
  readonly appName?: string;
  readonly appVersion?: string;
  /** Milliseconds clock for progress timing (tests). */
  readonly now?: () => number;
  /** Minimum milliseconds between 'document-changed' events while a job streams predictions or frames (default 500). */
  readonly documentEventIntervalMs?: number;
  /** Minimum milliseconds between 'open-progress' events of one file within a phase (default 100). */
  readonly openEventIntervalMs?: number;
  /** Where SMILES records are embedded into 3D (a worker of its own, core/session/embed-client.ts: a Web Worker in web mode, a worker thread of the desktop compute host); default: in the session's thread. */
  readonly embedRecord?: EmbedRecord;
  /** Minimum milliseconds between a sampler job's step progress events (default 100). */
  readonly samplerEventIntervalMs?: number;
}

export class NotAvailableError extends Error {
  constructor(method: string) {
    super(`${method} is not available here: the ${method === 'saveFile' ? 'save' : 'open'} dialog belongs to the app shell`);
    this.name = 'NotAvailableError';
  }
}

export class EquimolSession implements EquimolApi {
  private readonly events = new EventHub();
  private readonly options: SessionOptions;
  private readonly documents: DocumentService;
  private readonly predictors: PredictorService;
  private readonly calculators: CalculatorService;
  private readonly generators: GeneratorService;
  private readonly jobs: JobService;
  private readonly settings: SettingsService;

  constructor(options: SessionOptions = {}) {
    this.options = options;
    const now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
    const emit = this.events.emit;
    this.settings = new SettingsService(options.settings, emit, (settings) => {
      // The queue exists once the constructor is done; settings change only afterwards.
      this.jobs.queue.concurrency = settings.maxConcurrentJobs;
    });
    this.documents = new DocumentService({
      emit,
      now,
      ...(options.depict ? { depict: options.depict } : {}),
      ...(options.documentEventIntervalMs !== undefined ? { documentEventIntervalMs: options.documentEventIntervalMs } : {}),
      ...(options.openEventIntervalMs !== undefined ? { openEventIntervalMs: options.openEventIntervalMs } : {}),
      ...(options.embedRecord ? { embedRecord: options.embedRecord } : {}),
      onOpenedPaths: (paths) => this.settings.addRecentFiles(paths),
    });
    this.predictors = new PredictorService(options.predictors);
    this.calculators = new CalculatorService(options.calculators);
    this.generators = new GeneratorService(options.generators);
    this.jobs = new JobService(
      { documents: this.documents, predictors: this.predictors, calculators: this.calculators, generators: this.generators, ...(options.trainer ? { trainer: options.trainer } : {}) },
      {
        concurrency: this.settings.current.maxConcurrentJobs,
        now,
        onProgress: (progress) => emit({ type: 'job-progress', progress }),
        ...(options.samplerEventIntervalMs !== undefined ? { samplerIntervalMs: options.samplerEventIntervalMs } : {}),
      },
    );
  }

  subscribe(listener: EquimolEventListener): Unsubscribe {
    return this.events.subscribe(listener);
  }

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
    return this.documents.open(files.map((f) => ({ name: f.name, bytes: f.bytes })));
  }

  /** openFiles with paths (Electron main); failures are per file, never a rejection. */
  async openLocalFiles(files: readonly LocalFileInput[]): Promise<OpenResult> {
    return this.documents.open(files);
  }

  async openPaths(_paths: readonly string[]): Promise<OpenResult> {
    throw new NotAvailableError('openPaths');
  }

  async showOpenDialog(): Promise<OpenResult> {
    throw new NotAvailableError('showOpenDialog');
  }

  async cancelOpen(openId: OpenId): Promise<OpenProgress> {
    return this.documents.cancelOpen(openId);
  }

  async listDocuments(): Promise<readonly DocumentInfo[]> {
    return this.documents.list();
  }

  async getDocument(docId: DocumentId): Promise<DocumentInfo> {
    return this.documents.get(docId).info();
  }

  async closeDocument(docId: DocumentId): Promise<void> {
    this.documents.close(docId);
  }

  async listStructures(docId: DocumentId, query: ListQuery): Promise<StructurePage> {
    return this.documents.listStructures(docId, query);
  }

  async getStructure(docId: DocumentId, index: number): Promise<Structure> {
    return this.documents.structure(docId, index);
  }

  async getDepiction(docId: DocumentId, index: number, options: DepictionOptions = {}): Promise<Depiction> {
    return this.documents.depiction(docId, index, options);
  }

  async exportDocument(docId: DocumentId, format: ExportFormat, indices?: readonly number[]): Promise<ExportedFile> {
    return this.documents.export(docId, format, indices);
  }

  async getColumnValues(docId: DocumentId, keys: readonly string[]): Promise<ColumnValues> {
    return this.documents.columnValues(docId, keys);
  }

  // ----- calculators -----

  async listCalculators(): Promise<readonly CalculatorInfo[]> {
    return this.calculators.list();
  }

  async checkCalculators(docId: DocumentId, indices?: readonly number[]): Promise<readonly CalculatorCheck[]> {
    const document = this.documents.get(docId);
    const chosen = indices ?? document.rows.map((r) => r.index);
    return this.calculators.check(chosen.map((i) => document.structure(i)));
  }

  // ----- generators -----

  async listGenerators(): Promise<readonly GeneratorInfo[]> {
    return this.generators.list();
  }

  // ----- predictors and jobs -----

  async listPredictors(): Promise<readonly PredictorInfo[]> {
    return this.predictors.list();
  }

  async startJob(request: JobRequest): Promise<JobProgress> {
    return this.jobs.start(request);
  }

  async cancelJob(jobId: JobId): Promise<JobProgress> {
    return this.jobs.cancel(jobId);
  }

  async listJobs(): Promise<readonly JobProgress[]> {
    return this.jobs.list();
  }

  /** Resolves with a job's final snapshot (tests, the CLI-less batch use of a session). */
  whenJobFinished(jobId: JobId): Promise<JobProgress> {
    return this.jobs.whenFinished(jobId);
  }

  /** Resolves when no job is queued or running, cancelled ones included (their documents are final then). */
  whenIdle(): Promise<void> {
    return this.jobs.queue.idle();
  }

  async getJobResults(jobId: JobId, query: PageQuery): Promise<JobResultPage> {
    return this.jobs.results(jobId, query);
  }

  async exportJob(jobId: JobId, format: ExportFormat): Promise<ExportedFile> {
    return this.jobs.export(jobId, format);
  }

  // ----- settings -----

  async getSettings(): Promise<Settings> {
    return this.settings.current;
  }

  async setSettings(patch: SettingsPatch): Promise<Settings> {
    return this.settings.set(patch);
  }

  async saveFile(_request: SaveRequest): Promise<SaveResult> {
    throw new NotAvailableError('saveFile');
  }

  // ----- session files -----

  async saveSession(view: SessionViewState): Promise<ExportedFile> {
    const info = await this.getAppInfo();
    const contents = buildSessionContents({
      sources: this.documents.list().map((d) => {
        const bytes = this.documents.sourceBytes(d.id);
        return bytes ? { info: d, bytes } : { info: d };
      }),
      view,
      settings: this.settings.current,
      app: { name: info.name, version: info.version, platform: info.platform },
      savedAt: new Date().toISOString(),
    });
    return { fileName: sessionFileName(contents), mimeType: 'application/json', bytes: serializeSession(contents), records: contents.documents.length };
  }

  /** Opens a session file's embedded files (and, with `opener`, paths or stored files too); SessionFileError when it is not one. */
  async openSession(file: FileInput, opener: Partial<SessionOpener> = {}): Promise<SessionOpenResult> {
    return restoreSession(parseSession(file.bytes), {
      openFiles: (files) => this.openFiles(files),
      setSettings: (patch) => this.setSettings(patch),
      ...opener,
    });
  }

  /** Cancels every job and frees the calculators (shutdown). */
  dispose(): void {
    this.documents.cancelOpens();
    this.jobs.dispose();
    this.calculators.dispose();
    this.generators.dispose();
    this.events.clear();
  }
}
