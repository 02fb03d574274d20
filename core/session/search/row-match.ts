/**
 * The search terms a table row answers from its summary (name, formula, atom count, numeric columns): compiled
 * once per query into predicates over the row index, so filtering 128k rows is one pass over the summaries.
 */
import type { ColumnInfo } from '../../contract/equimol-api';
import { parseSearchQuery, SearchSyntaxError, type CompareOp, type SearchTerm } from './search-query';

/** What the search needs of a document's table. */
export interface SearchTable {
  readonly rows: readonly { readonly index: number; readonly name: string; readonly formula: string; readonly atoms: number }[];
  columns(): readonly ColumnInfo[];
  /** The number in column `key` of each record, null where it has none. */
  numberGetter(key: string): (index: number) => number | null;
}

export type RowPredicate = (index: number) => boolean;

/** Hill formula (C, H first when there is carbon, then alphabetical) of a formula written in any order. */
export function normalFormula(text: string, term: SearchTerm): string {
  const counts = new Map<string, number>();
  const pattern = /([A-Z][a-z]?)(\d*)/gy;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) throw new SearchSyntaxError(`'${text.slice(0, 40)}' is not a formula (element symbols and counts, e.g. C6H6)`, term.start, term.end);
    counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + (m[2] ? Number(m[2]) : 1));
    at = pattern.lastIndex;
  }
  const part = (s: string) => s + ((counts.get(s) ?? 0) > 1 ? String(counts.get(s)) : '');
  const first = counts.has('C') ? ['C', ...(counts.has('H') ? ['H'] : [])] : [];
  const rest = [...counts.keys()].filter((k) => !first.includes(k)).sort();
  return [...first, ...rest].map(part).join('');
}

/**
 * The column key a query names: 'atoms', 'record' (1-based number), a numeric column's key (any case), or the one
 * column whose key ends in `:name` or whose label is `name`. Throws SearchSyntaxError naming the choices.
 */
export function resolveColumnKey(columns: readonly ColumnInfo[], name: string, term: SearchTerm): string {
  const lower = name.toLowerCase();
  if (lower === 'atoms' || lower === 'record') return lower;
  const numeric = columns.filter((c) => c.kind === 'number' || c.kind === 'boolean');
  let found = numeric.filter((c) => c.key.toLowerCase() === lower);
  if (found.length === 0) found = numeric.filter((c) => c.key.toLowerCase().endsWith(`:${lower}`) || c.label.toLowerCase() === lower);
  if (found.length === 1) return found[0]!.key;
  if (found.length > 1) {
    throw new SearchSyntaxError(`column '${name}' is ambiguous: ${found.map((c) => c.key).join(', ')}`, term.start, term.end);
  }
  const known = ['atoms', 'record', ...numeric.map((c) => c.key)];
  const list = known.slice(0, 12).join(', ') + (known.length > 12 ? ', …' : '');
  throw new SearchSyntaxError(`no numeric column '${name}' (columns: ${list})`, term.start, term.end);
}

function resolveColumn(table: SearchTable, name: string, term: SearchTerm): (index: number) => number | null {
  const key = resolveColumnKey(table.columns(), name, term);
  if (key === 'atoms') return (i) => table.rows[i]!.atoms;
  if (key === 'record') return (i) => i + 1;
  return table.numberGetter(key);
}

/**
 * What is wrong with a query for a document with these columns, found without the toolkit (for the search box,
 * as the user types): a syntax error, an unknown column or a bad formula; null when only the server can tell
 * (a SMILES or SMARTS is checked when the search runs).
 */
export function searchQueryProblem(source: string, columns: readonly ColumnInfo[]): SearchSyntaxError | null {
  try {
    for (const term of parseSearchQuery(source).terms) {
      if (term.kind === 'compare' || term.kind === 'range') resolveColumnKey(columns, term.column, term);
      if (term.kind === 'text' && term.field === 'formula') normalFormula(term.value, term);
    }
    return null;
  } catch (error) {
    if (error instanceof SearchSyntaxError) return error;
    throw error;
  }
}

function comparer(op: CompareOp, x: number): (v: number) => boolean {
  switch (op) {
    case '<':
      return (v) => v < x;
    case '<=':
      return (v) => v <= x;
    case '>':
      return (v) => v > x;
    case '>=':
      return (v) => v >= x;
    case '=':
      return (v) => v === x;
    case '!=':
      return (v) => v !== x;
  }
}

/** The predicate of one summary term; undefined for a chemical term (smiles, sub, smarts). */
export function rowPredicate(table: SearchTable, term: SearchTerm): RowPredicate | undefined {
  const rows = table.rows;
  switch (term.kind) {
    case 'text': {
      const needle = term.value.toLowerCase();
      if (term.field === 'name') return (i) => rows[i]!.name.toLowerCase().includes(needle);
      if (term.field === 'formula') {
        const formula = normalFormula(term.value, term);
        return (i) => rows[i]!.formula === formula;
      }
      return (i) => rows[i]!.name.toLowerCase().includes(needle) || rows[i]!.formula.toLowerCase().includes(needle);
    }
    case 'compare': {
      const get = resolveColumn(table, term.column, term);
      const test = comparer(term.op, term.value);
      return (i) => {
        const v = get(i);
        return v !== null && test(v);
      };
    }
    case 'range': {
      const get = resolveColumn(table, term.column, term);
      const min = term.min ?? -Infinity;
      const max = term.max ?? Infinity;
      return (i) => {
        const v = get(i);
        return v !== null && v >= min && v <= max;
      };
    }
    case 'chem':
      return undefined;
  }
}
