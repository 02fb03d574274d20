/**
 * The app's actions that talk to the api (open, save, export, start and cancel jobs, settings) on top of the store:
 * created once per app, stable functions, no React. The panel context hands these to contributions.
 */
import type {
  DocumentId,
  DocumentInfo,
  EquimolApi,
  ExportedFile,
  ExportFormat,
  JobId,
  JobProgress,
  JobRequest,
  OpenResult,
  ViewerStyle as SettingsViewerStyle,
} from '../../../core/contract/equimol-api';
import type { ViewerStyle } from '../../viewer/viewer-api';
import type { NotifyKind, StartJobOptions } from '../panels/panel-registry';
import { openProgressStore } from '../hooks/use-open-progress';
import { downloadBytes } from '../util/download';
import { formatBytes, plural } from '../util/format';
import * as actions from './actions';
import { activeDocumentOf, selectedIndexOf, type AppStore } from './app-state';

/** Trajectory playback loads at most this many frames of a multi-record file. */
export const MAX_PLAYBACK_FRAMES = 1000;

export function toSettingsStyle(style: ViewerStyle): SettingsViewerStyle {
  return style === 'licorice' ? 'sticks' : style;
}

export function fromSettingsStyle(style: SettingsViewerStyle): ViewerStyle {
  return style === 'sticks' ? 'licorice' : style;
}

function describeRecordErrors(doc: DocumentInfo): string {
  const shown = doc.errors.slice(0, 3).map((e) => `record ${e.record + 1}, line ${e.line}: ${e.message}`);
  const more = doc.errorCount > shown.length ? ` … and ${doc.errorCount - shown.length} more` : '';
  return shown.join('\n') + more;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface AppServices {
  notify(kind: NotifyKind, title: string, detail?: string): void;
  dismissToast(id: number): void;
  openResult(result: OpenResult): void;
  openFileList(files: readonly File[]): Promise<void>;
  /** The open dialog (desktop) or the hidden file input (web), which the titlebar binds here. */
  openDialog(): void;
  readonly fileInput: { current: HTMLInputElement | null };
  addDocuments(docs: readonly DocumentInfo[]): void;
  showDocument(docId: DocumentId): void;
  closeDocument(docId: DocumentId): void;
  selectRecord(index: number): void;
  save(file: ExportedFile): Promise<void>;
  exportStructures(format: ExportFormat, indices?: readonly number[]): void;
  exportJob(jobId: JobId, format: ExportFormat): void;
  /** Ctrl+E: the last finished job's CSV, else the active document as extended XYZ. */
  exportCurrent(): void;
  onJobStarted(progress: JobProgress): void;
  startJob(request: JobRequest, options?: StartJobOptions): Promise<JobProgress | undefined>;
  /** Shows the output document a started job's `show` picks, once it is listed (call on every jobs/documents change). */
  followOutputs(): void;
  /** The jobs panel's Start: the chosen predictor over every open document. */
  startPredict(): void;
  cancelJob(jobId: JobId): void;
  relistPredictors(): void;
  changeStyle(style: ViewerStyle): void;
  toggleTheme(): void;
  seekFrame(frame: number): void;
  /** Play/pause; `shownFrames` is how many frames are on screen already (a trajectory's, or a previous Play's). */
  togglePlay(shownFrames: number): void;
}

export function createAppServices(api: EquimolApi, store: AppStore): AppServices {
  const { getState, setState } = store;
  let toastId = 0;
  const followed = new Map<JobId, NonNullable<StartJobOptions['show']>>();

  const notify = (kind: NotifyKind, title: string, detail?: string) => {
    const id = ++toastId;
    setState((s) => actions.pushToast(s, { id, kind, title, ...(detail ? { detail } : {}) }));
    setTimeout(() => setState((s) => actions.dismissToast(s, id)), kind === 'error' ? 12_000 : 4_000);
  };

  const openResult = (result: OpenResult) => {
    if (result.documents.length > 0) {
      setState((s) => actions.openedDocuments(s, result));
      const structures = result.documents.reduce((n, d) => n + d.recordCount, 0);
      const names = result.documents.map((d) => d.name).join(', ');
      notify('success', `Opened ${plural(result.documents.length, 'file')}: ${plural(structures, 'structure')}`, names);
    }
    for (const doc of result.documents) {
      if (doc.errorCount > 0) notify('error', `${doc.name}: ${plural(doc.errorCount, 'record')} could not be read`, describeRecordErrors(doc));
    }
    for (const failure of result.failures) notify('error', `Could not open ${failure.file}`, failure.message);
  };

  const save = async (file: ExportedFile) => {
    if (getState().platform === 'web') {
      downloadBytes(file.fileName, file.bytes, file.mimeType);
      notify('success', `Exported ${file.fileName}`, `${plural(file.records, 'record')}, ${formatBytes(file.bytes.byteLength)}`);
      return;
    }
    const result = await api.saveFile({ suggestedName: file.fileName, bytes: file.bytes });
    if (result.saved) notify('success', `Saved ${file.fileName}`, result.path);
  };
  const saving = (exported: Promise<ExportedFile>) => {
    exported.then(save).catch((error: unknown) => notify('error', 'Export failed', messageOf(error)));
  };

  const onJobStarted = (progress: JobProgress) => setState((s) => actions.jobStarted(s, progress));
  const showDocument = (docId: DocumentId) => setState(actions.activateDocument(docId));
  const exportJob = (jobId: JobId, format: ExportFormat) => saving(api.exportJob(jobId, format));

  const services: AppServices = {
    notify,
    dismissToast: (id) => setState((s) => actions.dismissToast(s, id)),
    openResult,
    async openFileList(files) {
      if (files.length === 0) return;
      // Listed as pending at once (dropped or picked): reading tens of MB into memory before they are handed over takes a while.
      openProgressStore(api).expect(files.map((f) => ({ name: f.name, size: f.size })));
      try {
        const inputs = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        openResult(await api.openFiles(inputs));
      } catch (error) {
        notify('error', 'Could not open the files', messageOf(error));
      }
    },
    fileInput: { current: null },
    openDialog() {
      if (getState().platform === 'electron') api.showOpenDialog().then(openResult, (error: unknown) => notify('error', 'Could not open', String(error)));
      else services.fileInput.current?.click();
    },
    addDocuments: (docs) => setState((s) => actions.addDocuments(s, docs)),
    showDocument,
    closeDocument(docId) {
      api.closeDocument(docId).catch(() => undefined);
      setState((s) => actions.closeDocument(s, docId));
    },
    selectRecord: (index) => setState(actions.selectRecord(index)),
    save,
    exportStructures(format, indices) {
      const docId = getState().activeDocId;
      if (docId) saving(api.exportDocument(docId, format, indices));
    },
    exportJob,
    exportCurrent() {
      const { jobs, activeDocId } = getState();
      const lastDone = jobs.find((j) => j.state === 'done');
      if (lastDone) return exportJob(lastDone.id, 'csv');
      if (!activeDocId) return notify('info', 'Nothing to export', 'Open a file or run a batch job first.');
      saving(api.exportDocument(activeDocId, 'extxyz'));
    },
    onJobStarted,
    async startJob(request, options = {}) {
      try {
        const progress = await api.startJob(request);
        if (options.show) followed.set(progress.id, options.show);
        onJobStarted(progress);
        services.followOutputs();
        return progress;
      } catch (error) {
        notify('error', options.errorTitle ?? 'Could not start the job', messageOf(error));
        return undefined;
      }
    },
    followOutputs() {
      const { jobs, documents } = getState();
      for (const [jobId, show] of followed) {
        const job = jobs.find((j) => j.id === jobId);
        if (!job) continue;
        const target = show(job, documents);
        const ended = job.state !== 'queued' && job.state !== 'running';
        if (target !== undefined && documents.some((d) => d.id === target)) {
          followed.delete(jobId);
          showDocument(target);
        } else if (ended && (job.outputDocIds ?? []).every((id) => documents.some((d) => d.id === id))) {
          followed.delete(jobId); // ended, every output listed, none chosen: stop asking
        }
      }
    },
    startPredict() {
      const { predictorId, documents } = getState();
      if (!predictorId || documents.length === 0) return;
      setState({ jobsCollapsed: false });
      api.startJob({ kind: 'predict', docIds: documents.map((d) => d.id), predictor: predictorId }).then(
        (progress) => setState((s) => ({ jobs: s.jobs.some((j) => j.id === progress.id) ? s.jobs : [progress, ...s.jobs] })),
        (error: unknown) => notify('error', 'Could not start the job', messageOf(error)),
      );
    },
    cancelJob(jobId) {
      api.cancelJob(jobId).then(
        (progress) => setState((s) => ({ jobs: s.jobs.map((j) => (j.id === jobId ? progress : j)) })),
        (error: unknown) => notify('error', 'Could not cancel', String(error)),
      );
    },
    relistPredictors() {
      api.listPredictors().then((predictors) => setState({ predictors }), () => undefined);
    },
    changeStyle(style) {
      setState({ style });
      api.setSettings({ viewerStyle: toSettingsStyle(style) }).catch(() => undefined);
    },
    toggleTheme() {
      const theme = getState().theme === 'dark' ? 'light' : 'dark';
      setState({ theme });
      api.setSettings({ theme }).catch(() => undefined);
    },
    seekFrame: (frame) => setState({ playing: false, frame }),
    togglePlay(shownFrames) {
      const state = getState();
      const doc = activeDocumentOf(state);
      if (!doc || doc.recordCount < 2) return;
      if (state.playing) return setState({ playing: false });
      if (shownFrames > 0) return setState({ playing: true });
      const count = Math.min(doc.recordCount, MAX_PLAYBACK_FRAMES);
      const selectedIndex = selectedIndexOf(state);
      Promise.all(Array.from({ length: count }, (_, i) => api.getStructure(doc.id, i))).then(
        (frames) => setState({ frames, frame: selectedIndex ?? 0, playing: true }),
        (error: unknown) => notify('error', 'Could not load the trajectory', String(error)),
      );
    },
  };
  return services;
}
