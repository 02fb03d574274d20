import { useEffect, useRef, useState } from 'react';
import type { DocumentId, EquimolApi, JobId, JobProgress } from '../../../core/contract/equimol-api';

/** Result rows fetched per finished job when looking for error rows (a page of the job's results). */
const PAGE = 1000;
/** At most this many rows of one job are scanned for errors (the CSV export holds them all). */
const MAX_ROWS = 20_000;

export interface RowError {
  readonly jobId: JobId;
  readonly jobLabel: string;
  readonly message: string;
}

/** Key of a structure in `useJobErrorRows`' map: document and 0-based record index. */
export function rowErrorKey(docId: DocumentId, index: number): string {
  return `${docId}#${index}`;
}

/**
 * Reasons of the error rows of finished batch jobs (e.g. 'the model does not know N'), by structure
 * (`rowErrorKey`), so the structure list and the properties panel can show them, not only the exported CSV
 * (issue 17). The latest job's reason wins when several jobs failed on the same structure.
 */
export function useJobErrorRows(api: EquimolApi, jobs: readonly JobProgress[]): ReadonlyMap<string, RowError> {
  const [errors, setErrors] = useState<ReadonlyMap<string, RowError>>(() => new Map());
  const fetched = useRef(new Set<JobId>());
  useEffect(() => {
    let alive = true;
    for (const job of jobs) {
      const finished = job.state === 'done' || job.state === 'cancelled' || job.state === 'failed';
      if (!finished || job.failed === 0 || job.kind !== 'predict' || fetched.current.has(job.id)) continue;
      fetched.current.add(job.id);
      void (async () => {
        const found = new Map<string, RowError>();
        for (let offset = 0; offset < MAX_ROWS; offset += PAGE) {
          const page = await api.getJobResults(job.id, { offset, limit: PAGE });
          for (const row of page.rows) {
            if (row.error !== undefined && row.index >= 0) found.set(rowErrorKey(row.docId, row.index), { jobId: job.id, jobLabel: job.label, message: row.error });
          }
          if (offset + page.rows.length >= page.total || page.rows.length === 0) break;
        }
        if (alive && found.size > 0) setErrors((map) => new Map([...map, ...found]));
      })().catch(() => fetched.current.delete(job.id));
    }
    return () => {
      alive = false;
    };
  }, [api, jobs]);
  return errors;
}
