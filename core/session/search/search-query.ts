/**
 * The structure table's search language, parsed here (pure, no toolkit) so the UI can show a parse error as the
 * user types. A query is whitespace-separated terms, all ANDed:
 *   aspirin               free text: case-insensitive substring of the name or the Hill formula
 *   "ethyl acetate"       quoted free text (spaces kept)
 *   name:aspirin          substring of the name only        formula:C6H6   exact formula (any element order)
 *   smiles:c1ccccc1       same molecule as the SMILES (canonical match, hydrogens and stereo ignored)
 *   sub:c1ccccc1          contains the SMILES as a substructure      smarts:[OX2H]   contains the SMARTS pattern
 *   gap>5  atoms<=20  energy=-3.5   compare a numeric column (>, >=, <, <=, =, !=)
 *   energy:-10..-5        a closed range; `gap:5..` and `gap:..2` are open ranges
 * Column names are the table's keys (`atoms`, file properties such as `gap`, predictions such as
 * `geometry:radius_of_gyration`). A SMILES or SMARTS may hold any character but whitespace; quote it otherwise.
 */

export type TextField = 'text' | 'name' | 'formula';
export type ChemField = 'smiles' | 'sub' | 'smarts';
export type CompareOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

interface Span {
  /** 0-based offset of the term in the query and its length, for highlighting. */
  readonly start: number;
  readonly end: number;
}

export type SearchTerm =
  | (Span & { readonly kind: 'text'; readonly field: TextField; readonly value: string })
  | (Span & { readonly kind: 'chem'; readonly field: ChemField; readonly value: string })
  | (Span & { readonly kind: 'compare'; readonly column: string; readonly op: CompareOp; readonly value: number })
  | (Span & { readonly kind: 'range'; readonly column: string; readonly min: number | null; readonly max: number | null });

export interface SearchQuery {
  readonly source: string;
  readonly terms: readonly SearchTerm[];
}

/** A query that does not parse (or names a column the document lacks): `start`/`end` locate the bad term. */
export class SearchSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(`search: ${reason} (at column ${start + 1})`);
    this.name = 'SearchSyntaxError';
  }
}

const FIELDS: Readonly<Record<string, 'name' | 'formula' | ChemField>> = {
  name: 'name',
  formula: 'formula',
  smiles: 'smiles',
  sub: 'sub',
  substructure: 'sub',
  smarts: 'smarts',
};

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const COMPARE = /^([^<>=!]+?)(<=|>=|!=|<|>|=)(.*)$/;

interface RawToken {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Splits on whitespace; a double-quoted part (`name:"a b"`, `"a b"`) keeps its spaces, the quotes removed. */
function tokens(source: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  while (i < source.length) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (i >= source.length) break;
    const start = i;
    let text = '';
    while (i < source.length && !/\s/.test(source[i]!)) {
      if (source[i] === '"') {
        const close = source.indexOf('"', i + 1);
        if (close < 0) throw new SearchSyntaxError('unclosed quote', i, source.length);
        text += source.slice(i + 1, close);
        i = close + 1;
      } else text += source[i++];
    }
    out.push({ text, start, end: i });
  }
  return out;
}

function number(text: string, token: RawToken, what: string): number {
  if (!NUMBER.test(text)) throw new SearchSyntaxError(`${what} '${text.slice(0, 40)}' is not a number`, token.start, token.end);
  return Number(text);
}

function parseTerm(token: RawToken, quoted: boolean): SearchTerm {
  const span = { start: token.start, end: token.end };
  const text = token.text;
  if (quoted && !text.includes(':')) return { kind: 'text', field: 'text', value: text, ...span };
  const colon = text.indexOf(':');
  if (colon > 0) {
    const field = FIELDS[text.slice(0, colon).toLowerCase()];
    if (field) {
      const value = text.slice(colon + 1);
      if (value === '') throw new SearchSyntaxError(`'${text.slice(0, colon)}:' needs a value`, token.start, token.end);
      if (field === 'name' || field === 'formula') return { kind: 'text', field, value, ...span };
      return { kind: 'chem', field, value, ...span };
    }
  }
  const compare = COMPARE.exec(text);
  if (compare) {
    const [, column, op, value] = compare as unknown as [string, string, CompareOp, string];
    if (value === '') throw new SearchSyntaxError(`'${column}${op}' needs a number`, token.start, token.end);
    return { kind: 'compare', column, op, value: number(value, token, 'value'), ...span };
  }
  const rangeColon = text.lastIndexOf(':');
  if (rangeColon > 0) {
    const column = text.slice(0, rangeColon);
    const value = text.slice(rangeColon + 1);
    const dots = value.indexOf('..');
    if (dots >= 0) {
      const lo = value.slice(0, dots);
      const hi = value.slice(dots + 2);
      if (lo === '' && hi === '') throw new SearchSyntaxError(`range '${value}' needs a bound`, token.start, token.end);
      const min = lo === '' ? null : number(lo, token, 'lower bound');
      const max = hi === '' ? null : number(hi, token, 'upper bound');
      if (min !== null && max !== null && min > max) throw new SearchSyntaxError(`empty range ${min}..${max}`, token.start, token.end);
      return { kind: 'range', column, min, max, ...span };
    }
    if (NUMBER.test(value)) return { kind: 'compare', column, op: '=', value: Number(value), ...span };
    throw new SearchSyntaxError(
      `unknown field '${text.slice(0, colon)}' (fields: name, formula, smiles, sub, smarts; or column:min..max; quote text to search for it as is)`,
      token.start,
      token.end,
    );
  }
  return { kind: 'text', field: 'text', value: text, ...span };
}

/** Parses a query; throws SearchSyntaxError naming the bad term and its column. An empty query has no terms. */
export function parseSearchQuery(source: string): SearchQuery {
  const terms = tokens(source).map((t) => parseTerm(t, source[t.start] === '"'));
  return { source, terms };
}

/** The parse error of `source`, or null when it parses (for the search box). */
export function searchQueryError(source: string): SearchSyntaxError | null {
  try {
    parseSearchQuery(source);
    return null;
  } catch (error) {
    if (error instanceof SearchSyntaxError) return error;
    throw error;
  }
}
