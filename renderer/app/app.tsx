import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  Depiction,
  DocumentId,
  DocumentInfo,
  EquimolApi,
  ExportFormat,
  JobId,
  JobProgress,
  JobRequest,
  OpenResult,
  PredictorInfo,
  Settings,
  ViewerStyle as SettingsViewerStyle,
} from '../../core/contract/equimol-api';
import { TRAIN_NEEDS_DESKTOP_REASON } from '../../core/contract/equimol-api';
import type { Structure } from '../../core/structure';
import type { LabelMode, MeasureEvent, MeasureKind, PickEvent, StructureViewer, Vec3, ViewerStyle } from '../viewer/viewer-api';
import {
  BrandMark,
  CameraIcon,
  CellIcon,
  ExportIcon,
  FitIcon,
  HelpIcon,
  LabelIcon,
  MoonIcon,
  OpenIcon,
  PauseIcon,
  PlayIcon,
  RulerIcon,
  SunIcon,
} from './components/icons';
import { AtomColoringControls } from './components/atom-coloring-controls';
import { ColorBar } from './components/color-bar';
import { ConformersDialog } from './components/conformers-dialog';
import { ConformersPanel } from './components/conformers-panel';
import { GenerateDialog } from './components/generate-dialog';
import { LabelDialog } from './components/label-dialog';
import { TrainDialog } from './components/train-dialog';
import { TrainPanel, useTrainJob } from './components/train-panel';
import { JobsPanel } from './components/jobs-panel';
import { MeasureBar } from './components/measure-bar';
import { SamplerDialog } from './components/sampler-dialog';
import { TrajectoryPanel } from './components/trajectory-panel';
import { DropOverlay, HelpDialog, Toasts, type Toast } from './components/overlays';
import { SidePanel, type MeasurementEntry } from './components/side-panel';
import { StructureList } from './components/structure-list';
import { ViewerPane } from './components/viewer-pane';
import type { SortState } from './components/virtual-table';
import { isConformerEnsemble } from './conformer-ensemble';
import { useAtomColoring } from './hooks/use-atom-coloring';
import { useConformerEnsemble } from './hooks/use-conformer-ensemble';
import { useConformersJob } from './hooks/use-conformers-job';
import { useGenerateJob } from './hooks/use-generate-job';
import { useFixedAtoms } from './hooks/use-fixed-atoms';
import { rowErrorKey, useJobErrorRows } from './hooks/use-job-error-rows';
import { useSamplerJobs } from './hooks/use-sampler-jobs';
import { useStructurePages } from './hooks/use-structure-pages';
import { isTrajectory, useTrajectoryFrames } from './hooks/use-trajectory-frames';
import { downloadBytes } from './util/download';
import { formatBytes, plural } from './util/format';
import { frameSummary } from './util/frame-summary';

const STYLES: ReadonlyArray<{ id: ViewerStyle; label: string; key: string }> = [
  { id: 'ball-and-stick', label: 'Ball+stick', key: '1' },
  { id: 'spacefill', label: 'Spacefill', key: '2' },
  { id: 'licorice', label: 'Licorice', key: '3' },
  { id: 'wireframe', label: 'Wire', key: '4' },
];

/** Force arrows: 1 Å per eV/Å. */
const FORCE_ARROWS = { scale: 1 } as const;
const NO_ATOMS: readonly number[] = [];
const NO_STRUCTURES: readonly Structure[] = [];

/** Trajectory playback loads at most this many frames of a multi-record file. */
const MAX_PLAYBACK_FRAMES = 1000;

function toSettingsStyle(style: ViewerStyle): SettingsViewerStyle {
  return style === 'licorice' ? 'sticks' : style;
}

function fromSettingsStyle(style: SettingsViewerStyle): ViewerStyle {
  return style === 'sticks' ? 'licorice' : style;
}

function resolvedTheme(theme: Settings['theme']): 'light' | 'dark' {
  if (theme === 'light' || theme === 'dark') return theme;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function isTypingTarget(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element || !element.tagName) return false;
  return element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable;
}

function describeRecordErrors(doc: DocumentInfo): string {
  const shown = doc.errors.slice(0, 3).map((e) => `record ${e.record + 1}, line ${e.line}: ${e.message}`);
  const more = doc.errorCount > shown.length ? ` … and ${doc.errorCount - shown.length} more` : '';
  return shown.join('\n') + more;
}

export interface AppProps {
  readonly api: EquimolApi;
}

/** Debug handle for tests and scripts: the live viewer and app state. */
interface EquimolDebug {
  viewer: StructureViewer | null;
}

declare global {
  interface Window {
    __equimolDebug?: EquimolDebug;
  }
}

const ONE_CELL: Vec3 = [1, 1, 1];

export function App({ api }: AppProps) {
  const [theme, setTheme] = useState<'light' | 'dark'>(() => resolvedTheme('system'));
  const [documents, setDocuments] = useState<readonly DocumentInfo[]>([]);
  const [activeDocId, setActiveDocId] = useState<DocumentId | null>(null);
  const [sort, setSort] = useState<SortState>({ key: 'index', descending: false });
  const [filterText, setFilterText] = useState('');
  const [docVersion, setDocVersion] = useState(0);
  const [selectedRow, setSelectedRow] = useState(-1);
  // The selected record belongs to a document: a switch of tab never asks the new document for the old one's index.
  const [selected, setSelected] = useState<{ readonly docId: DocumentId; readonly index: number } | null>(null);
  const [structure, setStructure] = useState<Structure | null>(null);
  const [depiction, setDepiction] = useState<Depiction | null>(null);
  const [frames, setFrames] = useState<readonly Structure[]>([]);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [style, setStyle] = useState<ViewerStyle>('ball-and-stick');
  const [showCell, setShowCell] = useState(true);
  const [polyhedra, setPolyhedra] = useState(true);
  // Supercell per document (issue 17: it used to carry over to the next file opened).
  const [supercells, setSupercells] = useState<ReadonlyMap<DocumentId, Vec3>>(() => new Map());
  const supercell = (activeDocId !== null ? supercells.get(activeDocId) : undefined) ?? ONE_CELL;
  const setSupercell = useCallback(
    (update: (current: Vec3) => Vec3) => {
      if (activeDocId !== null) setSupercells((map) => new Map(map).set(activeDocId, update(map.get(activeDocId) ?? ONE_CELL)));
    },
    [activeDocId],
  );
  const [labels, setLabels] = useState<LabelMode>('none');
  const [measuring, setMeasuring] = useState(false);
  const [measureMode, setMeasureMode] = useState<MeasureKind>('distance');
  const [measurements, setMeasurements] = useState<readonly MeasurementEntry[]>([]);
  const [pickedAtom, setPickedAtom] = useState<number | null>(null);
  const [showForces, setShowForces] = useState(false);
  const [predictors, setPredictors] = useState<readonly PredictorInfo[]>([]);
  const [predictorId, setPredictorId] = useState('');
  const [jobs, setJobs] = useState<readonly JobProgress[]>([]);
  const [jobsCollapsed, setJobsCollapsed] = useState(false);
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const [dragging, setDragging] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [platform, setPlatform] = useState<'electron' | 'web'>('web');
  const [formatExtensions, setFormatExtensions] = useState<readonly string[]>([]);
  const viewerRef = useRef<StructureViewer | null>(null);
  const fileInputRef = useRef<HTMLInputElement>(null);
  const toastId = useRef(0);

  const activeDoc = documents.find((d) => d.id === activeDocId);
  const selectedIndex = selected && selected.docId === activeDocId && activeDoc && selected.index < activeDoc.recordCount ? selected.index : null;
  const pages = useStructurePages(api, { docId: activeDocId, sortBy: sort.key, descending: sort.descending, filterText, version: docVersion });
  const summary = selectedRow >= 0 ? pages.row(selectedRow) : undefined;
  // Trajectory documents (relax / MD jobs) play their frames; the side panel shows the frame the viewer shows.
  const trajectoryFrames = useTrajectoryFrames(api, activeDoc, setFrame);
  const shownFrames = trajectoryFrames.length > 0 ? trajectoryFrames : frames;
  const frameIndex = Math.min(frame, shownFrames.length - 1);
  const frameStructure = shownFrames.length > 0 ? (shownFrames[frameIndex] ?? null) : null;
  const panelStructure = frameStructure ?? structure;
  const panelSummary = frameStructure ? frameSummary(frameStructure, frameIndex) : summary;
  const coloring = useAtomColoring(panelStructure, panelSummary, activeDoc?.columns);

  // ---------- toasts ----------
  const notify = useCallback((kind: Toast['kind'], title: string, detail?: string) => {
    const id = ++toastId.current;
    setToasts((list) => [...list.slice(-4), { id, kind, title, ...(detail ? { detail } : {}) }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), kind === 'error' ? 12_000 : 4_000);
  }, []);

  // ---------- theme ----------
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);

  // ---------- startup: settings, predictors, app info, events ----------
  useEffect(() => {
    let alive = true;
    api.getSettings().then(
      (settings) => {
        if (!alive) return;
        setTheme(resolvedTheme(settings.theme));
        setStyle(fromSettingsStyle(settings.viewerStyle));
        setShowCell(settings.showCell);
        setLabels(settings.showLabels ? 'element' : 'none');
      },
      () => undefined,
    );
    api.listPredictors().then(
      (list) => {
        if (!alive) return;
        setPredictors(list);
        setPredictorId((current) => current || (list.find((p) => p.id === 'descriptors' || p.id.startsWith('rdkit'))?.id ?? list[0]?.id ?? ''));
      },
      (error: unknown) => notify('error', 'Could not list predictors', String(error)),
    );
    api.getAppInfo().then(
      (info) => {
        if (!alive) return;
        setPlatform(info.platform);
        setFormatExtensions(info.formats.flatMap((f) => f.extensions));
      },
      () => undefined,
    );
    api.listDocuments().then(
      (docs) => {
        if (alive && docs.length > 0) {
          setDocuments(docs);
          setActiveDocId((current) => current ?? docs[0]!.id);
        }
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api, notify]);

  // ---------- opening files ----------
  const handleOpenResult = useCallback(
    (result: OpenResult) => {
      if (result.documents.length > 0) {
        setDocuments((docs) => [...docs.filter((d) => !result.documents.some((n) => n.id === d.id)), ...result.documents]);
        const first = result.documents[0]!;
        setActiveDocId(first.id);
        setFilterText('');
        setSelectedRow(first.recordCount > 0 ? 0 : -1);
        const structures = result.documents.reduce((n, d) => n + d.recordCount, 0);
        const names = result.documents.map((d) => d.name).join(', ');
        notify('success', `Opened ${plural(result.documents.length, 'file')}: ${plural(structures, 'structure')}`, names);
      }
      for (const doc of result.documents) {
        if (doc.errorCount > 0) {
          notify('error', `${doc.name}: ${plural(doc.errorCount, 'record')} could not be read`, describeRecordErrors(doc));
        }
      }
      for (const failure of result.failures) notify('error', `Could not open ${failure.file}`, failure.message);
    },
    [notify],
  );

  const openFileList = useCallback(
    async (files: readonly File[]) => {
      if (files.length === 0) return;
      try {
        const inputs = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        handleOpenResult(await api.openFiles(inputs));
      } catch (error) {
        notify('error', 'Could not open the files', error instanceof Error ? error.message : String(error));
      }
    },
    [api, handleOpenResult, notify],
  );

  const openDialog = useCallback(() => {
    if (platform === 'electron') {
      api.showOpenDialog().then(handleOpenResult, (error: unknown) => notify('error', 'Could not open', String(error)));
    } else {
      fileInputRef.current?.click();
    }
  }, [api, platform, handleOpenResult, notify]);

  // Events pushed by the compute side. Job progress (one event per batch, hundreds a second on fast
  // predictors) is coalesced to at most one render per animation frame.
  useEffect(() => {
    const pendingProgress = new Map<JobId, JobProgress>();
    let frame = 0;
    const flushProgress = () => {
      frame = 0;
      const updates = [...pendingProgress.values()];
      pendingProgress.clear();
      setJobs((list) => {
        let next = list.slice();
        for (const progress of updates) {
          const i = next.findIndex((j) => j.id === progress.id);
          if (i < 0) next = [progress, ...next];
          else next[i] = progress;
        }
        return next;
      });
    };
    const unsubscribe = api.subscribe((event) => {
        switch (event.type) {
          case 'job-progress':
            pendingProgress.set(event.progress.id, event.progress);
            if (frame === 0) frame = requestAnimationFrame(flushProgress);
            if (event.progress.state === 'failed') notify('error', `Job failed: ${event.progress.label}`, event.progress.message);
            if (event.progress.state === 'done') notify('success', `Job finished: ${event.progress.label}`, `${plural(event.progress.done, event.progress.unit === 'steps' ? 'step' : 'structure')} in ${event.progress.elapsedSeconds.toFixed(1)} s`);
            break;
          case 'document-changed':
            setDocuments((docs) => docs.map((d) => (d.id === event.document.id ? event.document : d)));
            setDocVersion((v) => v + 1);
            break;
          case 'files-opened':
            handleOpenResult(event.result);
            break;
          case 'settings-changed':
            setTheme(resolvedTheme(event.settings.theme));
            break;
          case 'menu':
            // Menu commands are handled by the keyboard/menu dispatcher below.
            window.dispatchEvent(new CustomEvent('equimol-menu', { detail: event.command }));
            break;
        }
      });
    return () => {
      unsubscribe();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [api, handleOpenResult, notify]);

  // ---------- selection -> structure + depiction ----------
  useEffect(() => {
    setSelected(summary && activeDocId !== null ? { docId: activeDocId, index: summary.index } : null);
  }, [summary, activeDocId]);

  useEffect(() => {
    let alive = true;
    setPickedAtom(null);
    setMeasurements([]);
    setMeasuring(false);
    setPlaying(false);
    setFrames([]);
    if (!activeDocId || selectedIndex === null) {
      setStructure(null);
      setDepiction(null);
      return;
    }
    api.getStructure(activeDocId, selectedIndex).then(
      (s) => {
        if (!alive) return;
        setStructure(s);
        setDepiction(null);
        if (!s.cell) {
          api.getDepiction(activeDocId, selectedIndex, { width: 300, height: 220 }).then(
            (d) => alive && setDepiction(d),
            (error: unknown) => alive && setDepiction({ svg: null, message: error instanceof Error ? error.message : String(error) }),
          );
        }
      },
      (error: unknown) => alive && notify('error', 'Could not load the structure', String(error)),
    );
    return () => {
      alive = false;
    };
  }, [api, activeDocId, selectedIndex, notify]);

  // A predict job that adds columns (and per-atom arrays such as charges) to the open document: fetch the structure on
  // screen again so the viewer and the colour-by menu see the new arrays, keeping the selection and measurements.
  const predictedColumns = activeDoc?.columns.filter((c) => c.source !== undefined && c.source !== 'file').map((c) => c.key).join('|') ?? '';
  const fetchedColumns = useRef(predictedColumns);
  useEffect(() => {
    if (fetchedColumns.current === predictedColumns) return;
    fetchedColumns.current = predictedColumns;
    if (!activeDocId || selectedIndex === null) return;
    let alive = true;
    api.getStructure(activeDocId, selectedIndex).then(
      (s) => alive && setStructure(s),
      (error: unknown) => alive && notify('error', 'Could not load the structure', String(error)),
    );
    return () => {
      alive = false;
    };
  }, [api, activeDocId, selectedIndex, predictedColumns, notify]);

  // ---------- documents ----------
  const closeDocument = useCallback(
    (docId: DocumentId) => {
      api.closeDocument(docId).catch(() => undefined);
      setDocuments((docs) => {
        const rest = docs.filter((d) => d.id !== docId);
        setActiveDocId((current) => (current === docId ? (rest[rest.length - 1]?.id ?? null) : current));
        return rest;
      });
      setSelectedRow(0);
    },
    [api],
  );

  const activate = useCallback((docId: DocumentId) => {
    setActiveDocId(docId);
    setFilterText('');
    setSelectedRow(0);
  }, []);

  const onJobStarted = useCallback((progress: JobProgress) => {
    setJobsCollapsed(false);
    setJobs((list) => (list.some((j) => j.id === progress.id) ? list : [progress, ...list]));
  }, []);
  const onJobError = useCallback((title: string, detail: string) => notify('error', title, detail), [notify]);
  const sampler = useSamplerJobs({
    api,
    jobs,
    documents,
    addDocuments: useCallback((added: readonly DocumentInfo[]) => setDocuments((docs) => [...docs, ...added.filter((d) => !docs.some((o) => o.id === d.id))]), []),
    showDocument: activate,
    onStarted: onJobStarted,
    onError: onJobError,
  });
  // Conformer ensembles: the job, and the conformers superposed on the lowest, the others overlaid on the selected one.
  const conformers = useConformersJob({ api, jobs, documents, showDocument: activate, onStarted: onJobStarted, onError: onJobError });
  const generate = useGenerateJob({ api, jobs, documents, showDocument: activate, onStarted: onJobStarted, onError: onJobError });
  // Training: a model written by a train job is listed as a predictor (calculators are listed by each dialog).
  const relistPredictors = useCallback(() => void api.listPredictors().then(setPredictors, () => undefined), [api]);
  const train = useTrainJob({ api, jobs, onStarted: onJobStarted, onError: onJobError, onModelWritten: relistPredictors });
  const [labelOpen, setLabelOpen] = useState(false);
  const startLabel = useCallback(
    (request: JobRequest) => {
      setLabelOpen(false);
      api.startJob(request).then(onJobStarted, (error: unknown) => onJobError('Could not start the labelling', error instanceof Error ? error.message : String(error)));
    },
    [api, onJobStarted, onJobError],
  );
  const ensemble = useConformerEnsemble(api, activeDoc);
  const [overlayConformers, setOverlayConformers] = useState(true);
  const viewerStructure = ensemble && selectedIndex !== null ? (ensemble[selectedIndex] ?? structure) : structure;
  const conformerOverlay = useMemo(() => (ensemble && overlayConformers ? ensemble.filter((_, i) => i !== selectedIndex) : NO_STRUCTURES), [ensemble, overlayConformers, selectedIndex]);
  const selectConformer = useCallback((index: number) => {
    setSort({ key: 'index', descending: false });
    setFilterText('');
    setSelectedRow(index);
  }, []);
  const fixedAtoms = useFixedAtoms(api, activeDoc, activeDoc?.origin ? sampler.fixedAtomsOf(activeDoc.origin.jobId) : NO_ATOMS);
  // Choosing a row of a trajectory shows that frame.
  const activeIsTrajectory = isTrajectory(activeDoc);
  // Only a change of row within the document counts: the first row selected when a trajectory is shown
  // must not pull the frame away from the last one (the result, and where a running job is followed).
  const lastSelection = useRef<{ docId: DocumentId | null; index: number | null }>({ docId: null, index: null });
  useEffect(() => {
    if (selectedIndex === null) return;
    const previous = lastSelection.current;
    lastSelection.current = { docId: activeDocId, index: selectedIndex };
    if (activeIsTrajectory && previous.docId === activeDocId && previous.index !== selectedIndex) setFrame(selectedIndex);
  }, [activeIsTrajectory, activeDocId, selectedIndex]);

  const onSort = useCallback((key: string) => {
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: false }));
    setSelectedRow(0);
  }, []);

  const changeFilter = useCallback((text: string) => {
    setFilterText(text);
    setSelectedRow(0);
  }, []);
  const removeMeasurement = useCallback((i: number) => setMeasurements((list) => list.filter((_, k) => k !== i)), []);
  const clearMeasurements = useCallback(() => setMeasurements([]), []);
  const toggleJobsCollapsed = useCallback(() => setJobsCollapsed((c) => !c), []);
  const rowErrors = useJobErrorRows(api, jobs);

  // ---------- jobs ----------
  const startJob = useCallback(() => {
    if (!predictorId || documents.length === 0) return;
    setJobsCollapsed(false);
    api.startJob({ kind: 'predict', docIds: documents.map((d) => d.id), predictor: predictorId }).then(
      (progress) => setJobs((list) => (list.some((j) => j.id === progress.id) ? list : [progress, ...list])),
      (error: unknown) => notify('error', 'Could not start the job', error instanceof Error ? error.message : String(error)),
    );
  }, [api, predictorId, documents, notify]);

  const cancelJob = useCallback(
    (jobId: JobId) => {
      api.cancelJob(jobId).then(
        (progress) => setJobs((list) => list.map((j) => (j.id === jobId ? progress : j))),
        (error: unknown) => notify('error', 'Could not cancel', String(error)),
      );
    },
    [api, notify],
  );

  const save = useCallback(
    async (file: { fileName: string; bytes: Uint8Array; mimeType: string; records: number }) => {
      if (platform === 'web') {
        downloadBytes(file.fileName, file.bytes, file.mimeType);
        notify('success', `Exported ${file.fileName}`, `${plural(file.records, 'record')}, ${formatBytes(file.bytes.byteLength)}`);
        return;
      }
      const result = await api.saveFile({ suggestedName: file.fileName, bytes: file.bytes });
      if (result.saved) notify('success', `Saved ${file.fileName}`, result.path);
    },
    [api, platform, notify],
  );

  const exportJob = useCallback(
    (jobId: JobId, format: ExportFormat) => {
      api
        .exportJob(jobId, format)
        .then(save)
        .catch((error: unknown) => notify('error', 'Export failed', error instanceof Error ? error.message : String(error)));
    },
    [api, save, notify],
  );

  const exportCurrent = useCallback(() => {
    const lastDone = jobs.find((j) => j.state === 'done');
    if (lastDone) {
      exportJob(lastDone.id, 'csv');
      return;
    }
    if (!activeDocId) {
      notify('info', 'Nothing to export', 'Open a file or run a batch job first.');
      return;
    }
    api
      .exportDocument(activeDocId, 'extxyz')
      .then(save)
      .catch((error: unknown) => notify('error', 'Export failed', error instanceof Error ? error.message : String(error)));
  }, [api, jobs, activeDocId, exportJob, save, notify]);

  // ---------- viewer ----------
  const onPick = useCallback((event: PickEvent) => setPickedAtom(event.atom), []);
  const onMeasure = useCallback((event: MeasureEvent) => {
    const atoms = event.measurement.atoms;
    const images = event.measurement.images ?? [];
    const key = (k: number) => `${atoms[k]}@${(images[k] ?? [0, 0, 0]).join(',')}`;
    // Clicking the same atom image twice measures nothing: ignore it rather than list a 0 Å distance.
    if (new Set(atoms.map((_, k) => key(k))).size < atoms.length) {
      setMeasurements((list) => list.slice()); // re-push the list so the viewer drops the one it added
      return;
    }
    setMeasurements((list) => [...list, { measurement: event.measurement, result: event.result }]);
  }, []);
  const onFrame = useCallback((f: number) => setFrame(f), []);
  const onViewerReady = useCallback((viewer: StructureViewer | null) => {
    viewerRef.current = viewer;
    window.__equimolDebug = { viewer };
  }, []);
  const viewerMeasurements = useMemo(() => measurements.map((m) => m.measurement), [measurements]);
  const selection = useMemo(() => (pickedAtom === null ? [] : [pickedAtom]), [pickedAtom]);

  const exportPng = useCallback(() => {
    const viewer = viewerRef.current;
    if (!viewer) return;
    viewer.toPNG().then(
      (blob) => blob.arrayBuffer().then((buffer) => downloadBytes(`${(summary?.name || 'structure').replace(/[^\w.-]+/g, '_')}.png`, new Uint8Array(buffer), 'image/png')),
      (error: unknown) => notify('error', 'PNG export failed', String(error)),
    );
  }, [summary, notify]);

  const canPlay = (activeDoc?.recordCount ?? 0) > 1;
  const exportStructures = useCallback(
    (format: ExportFormat, indices?: readonly number[]) => {
      if (!activeDocId) return;
      api
        .exportDocument(activeDocId, format, indices)
        .then(save)
        .catch((error: unknown) => notify('error', 'Export failed', error instanceof Error ? error.message : String(error)));
    },
    [api, activeDocId, save, notify],
  );
  const seekFrame = useCallback((f: number) => {
    setPlaying(false);
    setFrame(f);
  }, []);
  const togglePlay = useCallback(() => {
    if (!activeDocId || !activeDoc || activeDoc.recordCount < 2) return;
    if (playing) {
      setPlaying(false);
      return;
    }
    if (shownFrames.length > 0) {
      setPlaying(true);
      return;
    }
    const count = Math.min(activeDoc.recordCount, MAX_PLAYBACK_FRAMES);
    Promise.all(Array.from({ length: count }, (_, i) => api.getStructure(activeDocId, i))).then(
      (loaded) => {
        setFrames(loaded);
        setFrame(selectedIndex ?? 0);
        setPlaying(true);
      },
      (error: unknown) => notify('error', 'Could not load the trajectory', String(error)),
    );
  }, [api, activeDocId, activeDoc, playing, shownFrames, selectedIndex, notify]);

  const changeStyle = useCallback(
    (next: ViewerStyle) => {
      setStyle(next);
      api.setSettings({ viewerStyle: toSettingsStyle(next) }).catch(() => undefined);
    },
    [api],
  );

  const toggleTheme = useCallback(() => {
    setTheme((t) => {
      const next = t === 'dark' ? 'light' : 'dark';
      api.setSettings({ theme: next }).catch(() => undefined);
      return next;
    });
  }, [api]);

  // ---------- keyboard shortcuts and menu commands ----------
  const commands = useRef<Record<string, () => void>>({});
  commands.current = {
    open: openDialog,
    export: exportCurrent,
    fit: () => viewerRef.current?.fitToView(),
    measure: () => setMeasuring((m) => !m),
    close: () => activeDocId && closeDocument(activeDocId),
    help: () => setHelpOpen((h) => !h),
    cell: () => setShowCell((c) => !c),
    labels: () => setLabels((l) => (l === 'none' ? 'element' : 'none')),
    play: togglePlay,
    escape: () => {
      setHelpOpen(false);
      setMeasuring(false);
    },
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const run = (name: string) => {
        event.preventDefault();
        commands.current[name]?.();
      };
      if (mod && event.key.toLowerCase() === 'o') return run('open');
      if (mod && event.key.toLowerCase() === 'e') return run('export');
      if (mod || event.altKey || isTypingTarget(event.target)) return;
      const style = STYLES.find((s) => s.key === event.key);
      if (style) {
        event.preventDefault();
        changeStyle(style.id);
        return;
      }
      const bindings: Record<string, string> = { f: 'fit', F: 'fit', m: 'measure', M: 'measure', Delete: 'close', '?': 'help', c: 'cell', C: 'cell', l: 'labels', L: 'labels', ' ': 'play', Escape: 'escape' };
      const name = bindings[event.key];
      if (name) run(name);
    };
    const onMenu = (event: Event) => {
      const command = (event as CustomEvent).detail as { id: string; style?: SettingsViewerStyle };
      const map: Record<string, string> = { open: 'open', export: 'export', 'close-document': 'close', 'toggle-cell': 'cell', 'toggle-labels': 'labels', 'reset-view': 'fit', about: 'help' };
      if (command.id === 'set-viewer-style' && command.style) changeStyle(fromSettingsStyle(command.style));
      else if (map[command.id]) commands.current[map[command.id]!]?.();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('equimol-menu', onMenu);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('equimol-menu', onMenu);
    };
  }, [changeStyle]);

  // ---------- drag and drop anywhere on the window ----------
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      void openFileList(files);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [openFileList]);

  const totalStructures = documents.reduce((n, d) => n + d.recordCount, 0);
  const periodic = Boolean(structure?.cell);
  const accept = formatExtensions.length > 0 ? [...formatExtensions.map((e) => `.${e}`), '.gz'].join(',') : undefined;

  return (
    <div className="app" data-testid="app">
      <header className="titlebar">
        <div className="brand">
          <BrandMark /> Equimol
        </div>
        <button className="btn" onClick={openDialog} title="Open files (Ctrl+O)" data-testid="open-button">
          <OpenIcon /> Open…
        </button>
        <button className="btn" onClick={exportCurrent} title="Export (Ctrl+E)" disabled={documents.length === 0}>
          <ExportIcon /> Export
        </button>
        <input
          ref={fileInputRef}
          type="file"
          multiple
          hidden
          accept={accept}
          data-testid="file-input"
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            event.target.value = '';
            void openFileList(files);
          }}
        />
        <div className="spacer" />
        <button className="btn ghost icon" onClick={toggleTheme} title={theme === 'dark' ? 'Light theme' : 'Dark theme'} data-testid="theme-toggle">
          {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
        </button>
        <button className="btn ghost icon" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
          <HelpIcon />
        </button>
      </header>

      <div className="workspace">
        <StructureList
          documents={documents}
          activeDocId={activeDocId}
          onActivate={activate}
          onClose={closeDocument}
          pages={pages}
          selectedRow={selectedRow}
          onSelectRow={setSelectedRow}
          sort={sort}
          onSort={onSort}
          filterText={filterText}
          onFilterText={changeFilter}
          rowErrors={rowErrors}
        />

        <main className="center">
          <div className="viewer-toolbar">
            <div className="seg" role="radiogroup" aria-label="Style">
              {STYLES.map((s) => (
                <button key={s.id} className={`btn${style === s.id ? ' active' : ''}`} onClick={() => changeStyle(s.id)} title={`${s.label} (${s.key})`} data-testid={`style-${s.id}`}>
                  {s.label}
                </button>
              ))}
            </div>
            {periodic ? (
              <>
                <span className="sep" />
                <button className={`btn${showCell ? ' active' : ''}`} onClick={() => setShowCell((c) => !c)} title="Unit cell (C)" data-testid="cell-button">
                  <CellIcon /> Cell
                </button>
                <button className={`btn${polyhedra ? ' active' : ''}`} onClick={() => setPolyhedra((p) => !p)} title="Coordination polyhedra" data-testid="polyhedra-button">
                  Polyhedra
                </button>
                <label title="Supercell repeats along a, b, c">
                  Supercell
                  {[0, 1, 2].map((axis) => (
                    <input
                      key={axis}
                      className="input tiny mono"
                      type="number"
                      min={1}
                      max={6}
                      value={supercell[axis]}
                      onChange={(e) => {
                        const n = Math.max(1, Math.min(6, Math.round(Number(e.target.value) || 1)));
                        setSupercell((s) => s.map((v, i) => (i === axis ? n : v)) as unknown as Vec3);
                      }}
                      aria-label={`Supercell ${'abc'[axis]}`}
                    />
                  ))}
                </label>
              </>
            ) : null}
            <span className="sep" />
            <button className={`btn${labels !== 'none' ? ' active' : ''}`} onClick={() => setLabels((l) => (l === 'none' ? 'element' : 'none'))} title="Atom labels (L)">
              <LabelIcon /> Labels
            </button>
            <button className={`btn${measuring ? ' active' : ''}`} onClick={() => setMeasuring((m) => !m)} title="Measure distances, angles, dihedrals (M)" data-testid="measure-button">
              <RulerIcon /> Measure
            </button>
            <button className="btn" onClick={() => viewerRef.current?.fitToView()} title="Fit to view (F)" data-testid="fit-button">
              <FitIcon /> Fit
            </button>
            <button className="btn icon" onClick={exportPng} disabled={!structure} title="Save the view as PNG">
              <CameraIcon />
            </button>
            <span className="sep" />
            <button className={`btn${playing ? ' active' : ''}`} onClick={togglePlay} disabled={!canPlay} title="Play the file as a trajectory (Space)">
              {playing ? <PauseIcon /> : <PlayIcon />} {playing ? 'Pause' : 'Play'}
            </button>
            <button
              className={`btn${showForces ? ' active' : ''}`}
              onClick={() => setShowForces((f) => !f)}
              disabled={!panelStructure?.atomArrays['forces']}
              title="Force arrows, 1 Å per eV/Å (structures with forces)"
              data-testid="forces-button"
            >
              Forces
            </button>
            <AtomColoringControls coloring={coloring} />
            <span className="sep" />
            <button className="btn" onClick={() => sampler.openDialog('relax')} disabled={!activeDoc || activeDoc.recordCount === 0} title="Relax the selected structure or the whole file" data-testid="relax-button">
              Relax…
            </button>
            <button className="btn" onClick={() => sampler.openDialog('md')} disabled={selectedIndex === null} title="Molecular dynamics of the selected structure" data-testid="md-button">
              Run MD…
            </button>
            <button className="btn" onClick={conformers.openDialog} disabled={selectedIndex === null || periodic} title="Conformers of the selected molecule with energies and Boltzmann weights" data-testid="conformers-button">
              Conformers…
            </button>
            <button className="btn" onClick={generate.openDialog} title="Generate new 3D molecules with a diffusion model, scored like EDM" data-testid="generate-button">
              Generate…
            </button>
            <button className="btn" onClick={() => setLabelOpen(true)} disabled={!activeDoc || activeDoc.recordCount === 0} title="Label the file's structures with a calculator (xtb): energy, forces, charges, dipole, orbitals" data-testid="label-button">
              Label…
            </button>
            <button
              className="btn"
              onClick={train.openDialog}
              disabled={platform === 'web' || !activeDoc || activeDoc.recordCount === 0}
              title={platform === 'web' ? TRAIN_NEEDS_DESKTOP_REASON : 'Train or fine-tune an energy model on the file (live curves; the model is listed as model:NAME)'}
              data-reason={platform === 'web' ? TRAIN_NEEDS_DESKTOP_REASON : undefined}
              data-testid="train-button"
            >
              Train…
            </button>
          </div>
          <div style={{ position: 'relative', flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
            <ViewerPane
              structure={viewerStructure}
              overlay={conformerOverlay}
              frames={shownFrames}
              frame={frame}
              forceArrows={showForces ? FORCE_ARROWS : null}
              colorScheme={coloring.colorScheme}
              dipoleArrow={coloring.dipoleArrow}
              fixedAtoms={fixedAtoms}
              playing={playing}
              style={style}
              showCell={showCell}
              polyhedra={polyhedra}
              supercell={supercell}
              labels={labels}
              interaction={measuring ? measureMode : 'select'}
              measurements={viewerMeasurements}
              selection={selection}
              theme={theme}
              onReady={onViewerReady}
              onPick={onPick}
              onMeasure={onMeasure}
              onFrame={onFrame}
            />
            {panelStructure && panelSummary ? (
              <div className="viewer-caption" data-testid="viewer-caption">
                <strong>{panelSummary.name || panelSummary.formula}</strong>
                <div>
                  {panelSummary.formula} · {plural(panelSummary.atoms, 'atom')}
                  {periodic ? ' · periodic' : ''}
                </div>
              </div>
            ) : null}
            {coloring.legend ? <ColorBar legend={coloring.legend} /> : null}
            {measuring ? <MeasureBar mode={measureMode} onMode={setMeasureMode} onStop={() => setMeasuring(false)} /> : null}
            {documents.length === 0 ? <EmptyState onOpen={openDialog} /> : null}
          </div>
          {shownFrames.length > 0 ? (
            <div className="traj-bar">
              <button className="btn ghost icon" onClick={togglePlay} data-testid="frame-play" title={playing ? 'Pause' : 'Play'}>
                {playing ? <PauseIcon /> : <PlayIcon />}
              </button>
              <input type="range" min={0} max={shownFrames.length - 1} value={frameIndex} onChange={(e) => setFrame(Number(e.target.value))} aria-label="Frame" data-testid="frame-slider" />
              <span className="mono muted" data-testid="frame-label">
                {frameIndex + 1}/{shownFrames.length}
              </span>
            </div>
          ) : null}
          {activeDoc && isTrajectory(activeDoc) ? <TrajectoryPanel api={api} doc={activeDoc} frame={frameIndex} onSeek={seekFrame} theme={theme} onExport={exportStructures} /> : null}
          {train.shown ? <TrainPanel job={train.shown} theme={theme} onClose={train.closePanel} /> : null}
          {activeDoc && isConformerEnsemble(activeDoc) ? (
            <ConformersPanel api={api} doc={activeDoc} selectedIndex={selectedIndex} onSelect={selectConformer} overlay={overlayConformers} onOverlay={setOverlayConformers} theme={theme} onExport={exportStructures} />
          ) : null}
        </main>

        <SidePanel
          summary={panelSummary}
          structure={panelStructure}
          depiction={depiction}
          pickedAtom={pickedAtom}
          measurements={measurements}
          onRemoveMeasurement={removeMeasurement}
          onClearMeasurements={clearMeasurements}
          rowError={activeDocId !== null && selectedIndex !== null ? rowErrors.get(rowErrorKey(activeDocId, selectedIndex)) : undefined}
          columns={activeDoc?.columns}
        />
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((list) => list.filter((t) => t.id !== id))} />
      </div>

      <JobsPanel
        predictors={predictors}
        predictorId={predictorId}
        onPredictorId={setPredictorId}
        documentCount={documents.length}
        structureCount={totalStructures}
        jobs={jobs}
        collapsed={jobsCollapsed}
        onToggleCollapsed={toggleJobsCollapsed}
        onStart={startJob}
        onCancel={cancelJob}
        onExport={exportJob}
        onShowOutput={sampler.showOutput}
      />

      <footer className="statusbar">
        <span>{documents.length === 0 ? 'Ready' : `${plural(documents.length, 'file')} · ${plural(totalStructures, 'structure')}`}</span>
        {activeDoc ? (
          <span>
            {activeDoc.formatName} · {formatBytes(activeDoc.byteLength)}
            {activeDoc.gzipped ? ' (gzip)' : ''} · read in {activeDoc.readMs.toFixed(0)} ms
          </span>
        ) : null}
        <span className="spacer" />
        <span>{platform === 'web' ? 'Web mode' : 'Desktop'}</span>
        <span>
          Press <span className="kbd">?</span> for shortcuts
        </span>
      </footer>

      {dragging ? <DropOverlay /> : null}
      {helpOpen ? <HelpDialog onClose={() => setHelpOpen(false)} /> : null}
      {sampler.dialog && activeDoc ? (
        <SamplerDialog
          api={api}
          mode={sampler.dialog}
          docId={activeDoc.id}
          docName={activeDoc.name}
          recordCount={activeDoc.recordCount}
          selectedIndex={selectedIndex}
          selectedName={summary?.name ?? ''}
          selectedAtoms={summary?.atoms ?? 0}
          periodic={activeDoc.periodic}
          onStart={sampler.start}
          onClose={sampler.closeDialog}
        />
      ) : null}
      {generate.dialogOpen ? <GenerateDialog api={api} onStart={generate.start} onClose={generate.closeDialog} /> : null}
      {train.dialogOpen && activeDoc ? <TrainDialog api={api} doc={activeDoc} onStart={train.start} onClose={train.closeDialog} /> : null}
      {labelOpen && activeDoc ? <LabelDialog api={api} doc={activeDoc} onStart={startLabel} onClose={() => setLabelOpen(false)} /> : null}
      {conformers.dialogOpen && activeDoc && selectedIndex !== null ? (
        <ConformersDialog
          api={api}
          docId={activeDoc.id}
          docName={activeDoc.name}
          selectedIndex={selectedIndex}
          selectedName={summary?.name ?? ''}
          onStart={conformers.start}
          onClose={conformers.closeDialog}
        />
      ) : null}
    </div>
  );
}

function EmptyState(props: { readonly onOpen: () => void }) {
  return (
    <div className="empty" data-testid="empty-state">
      <div className="card">
        <svg width="64" height="64" viewBox="0 0 24 24" aria-hidden="true" style={{ opacity: 0.9 }}>
          <line x1="6" y1="7" x2="17" y2="6" stroke="var(--border-strong)" strokeWidth="1.2" />
          <line x1="6" y1="7" x2="10" y2="18" stroke="var(--border-strong)" strokeWidth="1.2" />
          <line x1="17" y1="6" x2="10" y2="18" stroke="var(--border-strong)" strokeWidth="1.2" />
          <circle cx="6" cy="7" r="3" fill="#e5484d" />
          <circle cx="17" cy="6" r="2.4" fill="#3e8bff" />
          <circle cx="10" cy="18" r="3.4" fill="#8e99a8" />
        </svg>
        <h2>Drop molecule or crystal files here</h2>
        <p>or open them with the button or Ctrl+O. Several files at once, gzipped too.</p>
        <div className="formats">
          {['XYZ', 'extXYZ', 'SDF/MOL', 'PDB', 'CIF', 'POSCAR', 'SMILES', '.gz'].map((f) => (
            <span key={f} className="badge fmt">
              {f}
            </span>
          ))}
        </div>
        <div style={{ marginTop: 16 }}>
          <button className="btn primary" onClick={props.onOpen}>
            <OpenIcon /> Open files…
          </button>
        </div>
        <div className="shortcuts">
          <span className="kbd">1–4</span> <span>viewer styles</span>
          <span className="kbd">M</span> <span>measure</span>
          <span className="kbd">?</span> <span>all shortcuts</span>
        </div>
      </div>
    </div>
  );
}
