import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentId, DocumentInfo, EquimolApi, JobId, JobProgress, JobRequest } from '../../../core/contract/equimol-api';
import type { SamplerMode } from '../sampler-form';

export interface SamplerJobsOptions {
  readonly api: EquimolApi;
  readonly jobs: readonly JobProgress[];
  readonly documents: readonly DocumentInfo[];
  /** Adds documents the app does not list yet. */
  readonly addDocuments: (docs: readonly DocumentInfo[]) => void;
  /** Shows a document (makes it the active one). */
  readonly showDocument: (docId: DocumentId) => void;
  /** A job was started: the host adds its first progress to the jobs list. */
  readonly onStarted: (progress: JobProgress) => void;
  readonly onError: (title: string, detail: string) => void;
}

export interface SamplerJobs {
  /** The dialog open, if any. */
  readonly dialog: SamplerMode | null;
  readonly openDialog: (mode: SamplerMode) => void;
  readonly closeDialog: () => void;
  readonly start: (request: JobRequest) => void;
  /** Shows the trajectory (else the first) document a job made. */
  readonly showOutput: (jobId: JobId) => void;
  /** The fixedAtoms (0-based) a job started here was given. */
  readonly fixedAtomsOf: (jobId: JobId) => readonly number[];
}

/** The trajectory among a job's output documents, else the first one. */
function preferredOutput(ids: readonly DocumentId[], documents: readonly DocumentInfo[]): DocumentId | undefined {
  return ids.find((id) => documents.find((d) => d.id === id)?.origin?.kind === 'trajectory') ?? ids[0];
}

/**
 * Relax / MD jobs started from the UI: the dialog, startJob, and the documents jobs make (trajectories, relaxed
 * structures), which are added to the document list as soon as a progress event names them; the trajectory of
 * a job started here is shown once it exists, so its plot and frames grow live.
 */
export function useSamplerJobs(options: SamplerJobsOptions): SamplerJobs {
  const { api, jobs, documents } = options;
  const [dialog, setDialog] = useState<SamplerMode | null>(null);
  const followed = useRef<JobId | null>(null);
  const requested = useRef(new Set<DocumentId>());
  const fixed = useRef(new Map<JobId, readonly number[]>());
  const latest = useRef(options);
  latest.current = options;

  // Output documents named by job progress: fetch each once and add it.
  useEffect(() => {
    const known = new Set(documents.map((d) => d.id));
    const missing = jobs.flatMap((j) => j.outputDocIds ?? []).filter((id) => !known.has(id) && !requested.current.has(id));
    if (missing.length === 0) return;
    for (const id of missing) requested.current.add(id);
    Promise.allSettled(missing.map((id) => api.getDocument(id))).then((results) => {
      const docs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (docs.length > 0) latest.current.addDocuments(docs);
    });
  }, [api, jobs, documents]);

  // Show the trajectory of the job started here, once its document is listed.
  useEffect(() => {
    const id = followed.current;
    if (!id) return;
    const job = jobs.find((j) => j.id === id);
    const listed = (job?.outputDocIds ?? []).filter((o) => documents.some((d) => d.id === o));
    const trajectory = listed.find((o) => documents.find((d) => d.id === o)?.origin?.kind === 'trajectory');
    const finished = job !== undefined && job.state !== 'queued' && job.state !== 'running';
    const target = trajectory ?? (finished ? listed[0] : undefined);
    if (!target) return;
    followed.current = null;
    latest.current.showDocument(target);
  }, [jobs, documents]);

  const start = useCallback(
    (request: JobRequest) => {
      setDialog(null);
      api.startJob(request).then(
        (progress) => {
          // A single structure has a trajectory worth following; a batch relax is followed in the jobs panel.
          const single = request.kind === 'md' || (request.kind === 'relax' && request.indices?.length === 1);
          followed.current = single ? progress.id : null;
          if ((request.kind === 'relax' || request.kind === 'md') && request.fixedAtoms) fixed.current.set(progress.id, request.fixedAtoms);
          latest.current.onStarted(progress);
        },
        (error: unknown) => latest.current.onError('Could not start the job', error instanceof Error ? error.message : String(error)),
      );
    },
    [api],
  );

  const showOutput = useCallback((jobId: JobId) => {
    const { jobs: list, documents: docs } = latest.current;
    const target = preferredOutput(list.find((j) => j.id === jobId)?.outputDocIds ?? [], docs);
    if (target && docs.some((d) => d.id === target)) latest.current.showDocument(target);
  }, []);

  return {
    dialog,
    openDialog: setDialog,
    closeDialog: useCallback(() => setDialog(null), []),
    start,
    showOutput,
    fixedAtomsOf: useCallback((jobId: JobId) => fixed.current.get(jobId) ?? [], []),
  };
}
