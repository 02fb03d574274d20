import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentId, DocumentInfo, EquimolApi, JobId, JobProgress, JobRequest } from '../../../core/contract/equimol-api';

export interface GenerateJobOptions {
  readonly api: EquimolApi;
  readonly jobs: readonly JobProgress[];
  readonly documents: readonly DocumentInfo[];
  /** Shows a document (makes it the active one). */
  readonly showDocument: (docId: DocumentId) => void;
  readonly onStarted: (progress: JobProgress) => void;
  readonly onError: (title: string, detail: string) => void;
}

export interface GenerateJob {
  readonly dialogOpen: boolean;
  readonly openDialog: () => void;
  readonly closeDialog: () => void;
  readonly start: (request: JobRequest) => void;
}

/**
 * Generate jobs started from the UI: the dialog, startJob, and the generated molecules' document, shown as soon as
 * it is listed (it grows batch by batch; the sampler jobs hook adds every job's output documents).
 */
export function useGenerateJob(options: GenerateJobOptions): GenerateJob {
  const { api, jobs, documents } = options;
  const [dialogOpen, setDialogOpen] = useState(false);
  const followed = useRef<JobId | null>(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    const id = followed.current;
    if (!id) return;
    const job = jobs.find((j) => j.id === id);
    if (!job) return;
    const generated = (job.outputDocIds ?? []).find((o) => documents.find((d) => d.id === o)?.origin?.kind === 'generated');
    if (!generated) {
      if (job.state !== 'queued' && job.state !== 'running' && (job.outputDocIds ?? []).length === 0) followed.current = null;
      return;
    }
    followed.current = null;
    latest.current.showDocument(generated);
  }, [jobs, documents]);

  const start = useCallback(
    (request: JobRequest) => {
      setDialogOpen(false);
      api.startJob(request).then(
        (progress) => {
          followed.current = progress.id;
          latest.current.onStarted(progress);
        },
        (error: unknown) => latest.current.onError('Could not start the generation', error instanceof Error ? error.message : String(error)),
      );
    },
    [api],
  );

  return { dialogOpen, openDialog: useCallback(() => setDialogOpen(true), []), closeDialog: useCallback(() => setDialogOpen(false), []), start };
}
