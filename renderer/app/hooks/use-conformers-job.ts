import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentId, DocumentInfo, EquimolApi, JobId, JobProgress, JobRequest } from '../../../core/contract/equimol-api';

export interface ConformersJobOptions {
  readonly api: EquimolApi;
  readonly jobs: readonly JobProgress[];
  readonly documents: readonly DocumentInfo[];
  /** Shows a document (makes it the active one). */
  readonly showDocument: (docId: DocumentId) => void;
  /** A job was started: the host adds its first progress to the jobs list. */
  readonly onStarted: (progress: JobProgress) => void;
  readonly onError: (title: string, detail: string) => void;
}

export interface ConformersJob {
  readonly dialogOpen: boolean;
  readonly openDialog: () => void;
  readonly closeDialog: () => void;
  readonly start: (request: JobRequest) => void;
}

/**
 * Conformers jobs started from the UI: the dialog, startJob, and the ensemble document the job makes, shown once
 * the job has finished and the document is listed (the sampler jobs hook adds every job's output documents).
 */
export function useConformersJob(options: ConformersJobOptions): ConformersJob {
  const { api, jobs, documents } = options;
  const [dialogOpen, setDialogOpen] = useState(false);
  const followed = useRef<JobId | null>(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    const id = followed.current;
    if (!id) return;
    const job = jobs.find((j) => j.id === id);
    if (!job || job.state === 'queued' || job.state === 'running') return;
    const ensemble = (job.outputDocIds ?? []).find((o) => documents.find((d) => d.id === o)?.origin?.kind === 'conformers');
    if (!ensemble && job.state === 'done' && (job.outputDocIds ?? []).length > 0) return; // not listed yet
    followed.current = null;
    if (ensemble) latest.current.showDocument(ensemble);
  }, [jobs, documents]);

  const start = useCallback(
    (request: JobRequest) => {
      setDialogOpen(false);
      api.startJob(request).then(
        (progress) => {
          followed.current = progress.id;
          latest.current.onStarted(progress);
        },
        (error: unknown) => latest.current.onError('Could not start the conformer search', error instanceof Error ? error.message : String(error)),
      );
    },
    [api],
  );

  return { dialogOpen, openDialog: useCallback(() => setDialogOpen(true), []), closeDialog: useCallback(() => setDialogOpen(false), []), start };
}
