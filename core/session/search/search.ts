/**
 * Runs a search query over a document's table: summary terms (text, formula, numeric comparisons and ranges)
 * in one pass over the rows, then chemical terms (smiles, sub, smarts) only on the rows left, in slices of
 * `sliceMs` between which it yields to the event loop and checks its AbortSignal, so a newer query cancels it
 * and other calls are answered while a 100k-record substructure search runs.
 */
import type { StructureFilter } from '../../contract/equimol-api';
import type { Structure } from '../../structure/structure';
import { loadOpenChemLib } from '../../toolkits/toolkits';
import { yieldToEventLoop } from '../job-queue';
import { ChemCache, compileChemTerm, type ChemMatcher } from './chem-match';
import { rowPredicate, type RowPredicate, type SearchTable } from './row-match';
import { parseSearchQuery, type SearchQuery } from './search-query';

export interface SearchSource extends SearchTable {
  /** The record's structure as read (for its molecule). */
  rawStructure(index: number): Structure;
}

export class SearchCancelledError extends Error {
  constructor() {
    super('search cancelled by a newer query');
    this.name = 'SearchCancelledError';
  }
}

export interface SearchOptions {
  /** Rows that must also pass (the structured filter fields: atom range, periodic). */
  readonly where?: RowPredicate;
  readonly signal?: AbortSignal;
  /** Milliseconds of chemical matching between yields (default 25). */
  readonly sliceMs?: number;
}

/**
 * One computation at a time per owner: a run with the key of the one in flight shares its promise (the table
 * fetching two pages of one query), a run with another key aborts the one in flight (its signal) and starts.
 */
export class LatestRun<T> {
  private current: { key: string; promise: Promise<T>; controller: AbortController } | undefined;

  run(key: string, compute: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.current?.key === key) return this.current.promise;
    this.current?.controller.abort();
    const controller = new AbortController();
    const settle = () => {
      if (this.current?.controller === controller) this.current = undefined;
    };
    const promise = compute(controller.signal).finally(settle);
    this.current = { key, promise, controller };
    return promise;
  }
}

/** The filter's atom range and periodic flag as a row predicate; undefined when it sets neither. */
export function structuredFilter(rows: readonly { readonly atoms: number; readonly periodic: boolean }[], filter: StructureFilter | undefined): RowPredicate | undefined {
  if (!filter || (filter.minAtoms === undefined && filter.maxAtoms === undefined && filter.periodic === undefined)) return undefined;
  const { minAtoms = 0, maxAtoms = Infinity, periodic } = filter;
  return (i) => {
    const row = rows[i]!;
    return row.atoms >= minAtoms && row.atoms <= maxAtoms && (periodic === undefined || row.periodic === periodic);
  };
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The search state of one document: the idcodes of its records' molecules, once a `smiles:` search computed them. */
export class DocumentSearch {
  private chem: ChemCache | undefined;

  constructor(private readonly source: SearchSource) {}

  /** Molecules built so far (a `smiles:` search reuses the idcodes an earlier one cached). */
  get moleculesBuilt(): number {
    return this.chem?.built ?? 0;
  }

  /** Whether the query has a chemical term (smiles, sub, smarts), which needs openchemlib and runs in slices. */
  static needsToolkit(query: SearchQuery): boolean {
    return query.terms.some((t) => t.kind === 'chem');
  }

  /** Matching record indices in record order, without chemical terms; throws SearchSyntaxError. */
  summaryMatches(query: SearchQuery, where?: RowPredicate): number[] {
    const predicates = query.terms.map((t) => rowPredicate(this.source, t)).filter((p): p is RowPredicate => p !== undefined);
    if (where) predicates.unshift(where);
    const out: number[] = [];
    for (const row of this.source.rows) {
      if (predicates.every((p) => p(row.index))) out.push(row.index);
    }
    return out;
  }

  /** Matching record indices in record order. Rejects with SearchSyntaxError or SearchCancelledError. */
  async matches(text: string, options: SearchOptions = {}): Promise<number[]> {
    const query = parseSearchQuery(text);
    const candidates = this.summaryMatches(query, options.where);
    if (!DocumentSearch.needsToolkit(query)) return candidates;
    this.chem ??= new ChemCache(await loadOpenChemLib());
    const chem = this.chem;
    const matchers: ChemMatcher[] = query.terms.flatMap((t) => (t.kind === 'chem' ? [compileChemTerm(chem, t)] : []));
    const sliceMs = options.sliceMs ?? 25;
    const out: number[] = [];
    let sliceStart = now();
    for (let k = 0; k < candidates.length; k++) {
      if (now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        if (options.signal?.aborted) throw new SearchCancelledError();
        sliceStart = now();
      }
      const i = candidates[k]!;
      const structure = this.source.rawStructure(i);
      if (matchers.every((m) => m.test(i, structure))) out.push(i);
    }
    return out;
  }
}
