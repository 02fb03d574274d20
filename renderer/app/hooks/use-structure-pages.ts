import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DocumentId, EquimolApi, SortKey, StructureSummary } from '../../../core/contract/equimol-api';

const PAGE_SIZE = 500;

export interface StructurePagesQuery {
  readonly docId: DocumentId | null;
  readonly sortBy: SortKey;
  readonly descending: boolean;
  readonly filterText: string;
  /** Bump to refetch (a job added columns, the document changed). */
  readonly version: number;
}

export interface StructurePages {
  /** Rows matching the filter; -1 while the first page is loading (0 when the query failed). */
  readonly total: number;
  /** Why the last query failed (a search the session refused, e.g. a SMILES it cannot read), or null. */
  readonly error: string | null;
  row(index: number): StructureSummary | undefined;
  /** Fetches the pages covering rows [first, last) that are not loaded yet. */
  requestRange(first: number, last: number): void;
  /** Resolves the summary of a row, fetching its page if needed. */
  fetchRow(index: number): Promise<StructureSummary | undefined>;
  /** Bumped whenever a page arrives. */
  readonly revision: number;
}

/**
 * Lazily paged view of one document's sorted, filtered structure list (listStructures), for the virtual table:
 * only pages in view are fetched, so 100k-structure files cost a few hundred rows of memory on this side.
 */
export function useStructurePages(api: EquimolApi, query: StructurePagesQuery): StructurePages {
  const { docId, sortBy, descending, filterText, version } = query;
  const [total, setTotal] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const pages = useRef(new Map<number, readonly StructureSummary[]>());
  // The document the loaded pages belong to: right after a switch of document (before the reset effect runs)
  // row() must not hand out the previous document's rows (issue 17: RecordIndexError on switching tabs).
  const pagesDocId = useRef<DocumentId | null>(docId);
  const inflight = useRef(new Map<number, Promise<void>>());
  const generation = useRef(0);
  const lastRange = useRef<[number, number]>([0, 0]);

  const loadPage = useCallback(
    (page: number): Promise<void> => {
      if (!docId) return Promise.resolve();
      const existing = inflight.current.get(page);
      if (existing) return existing;
      const gen = generation.current;
      const text = filterText.trim();
      const promise = api
        .listStructures(docId, {
          offset: page * PAGE_SIZE,
          limit: PAGE_SIZE,
          sortBy,
          descending,
          ...(text ? { filter: { text } } : {}),
        })
        .then((result) => {
          if (gen !== generation.current) return;
          pages.current.set(page, result.rows);
          setTotal(result.total);
          setError(null);
          setTick((t) => t + 1);
        })
        .catch((reason: unknown) => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          setError(reason instanceof Error ? reason.message : String(reason));
          setTotal(0);
        });
      inflight.current.set(page, promise);
      return promise;
    },
    [api, docId, sortBy, descending, filterText],
  );

  // A new query (document, sort, filter) starts from nothing.
  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    pagesDocId.current = docId;
    inflight.current = new Map();
    setTotal(docId ? -1 : 0);
    setError(null);
    void loadPage(0);
  }, [loadPage, docId]);

  // Same query, new data (a job added columns): keep showing the old rows and swap in fresh pages for the
  // rows in view, so the table, the selection and the viewer do not flicker or reload.
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version === firstVersion.current) return;
    generation.current++;
    inflight.current = new Map();
    const [first, last] = lastRange.current;
    const wanted = new Set([0]);
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(Math.max(first, last - 1) / PAGE_SIZE); page++) wanted.add(page);
    for (const page of pages.current.keys()) if (!wanted.has(page)) pages.current.delete(page);
    for (const page of wanted) void loadPage(page);
  }, [version, loadPage]);

  const requestRange = useCallback(
    (first: number, last: number) => {
      lastRange.current = [first, last];
      if (last <= first) return;
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor((last - 1) / PAGE_SIZE); page++) {
        if (!pages.current.has(page)) void loadPage(page);
      }
    },
    [loadPage],
  );

  const fetchRow = useCallback(
    async (index: number) => {
      const page = Math.floor(index / PAGE_SIZE);
      if (!pages.current.has(page)) await loadPage(page);
      return pages.current.get(page)?.[index % PAGE_SIZE];
    },
    [loadPage],
  );

  // A new object only when rows or the total changed, so memoised consumers skip unrelated renders.
  return useMemo(
    () => ({
      total,
      error,
      row: (index: number) => (pagesDocId.current === docId ? pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE] : undefined),
      requestRange,
      fetchRow,
      revision: tick,
    }),
    [total, error, tick, requestRange, fetchRow, docId],
  );
}
