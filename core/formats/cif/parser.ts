/**
 * CIF 1.1 (STAR) syntax for one data block: tokens with their file lines -> CifBlock of tags and loops.
 * Handles comments, 'single' and "double" quoted values (a quote closes only before whitespace),
 * multi-line ;text fields;, loop_ tables, case-insensitive tags (stored lower-case), save_ frames skipped.
 * Errors are FormatError with the 1-based line in the file.
 */
import { FormatError } from '../../structure/errors';
import type { RecordChunk } from '../format';
import { parseDecimal } from '../xyz/parser';

export interface CifToken {
  readonly text: string;
  /** 1-based file line where the token starts. */
  readonly line: number;
  /** True for quoted strings and text fields (never reserved words, tags or the '?' / '.' placeholders). */
  readonly quoted: boolean;
}

export interface CifBlock {
  /** The name after data_. */
  readonly name: string;
  readonly line: number;
  /** Every tag (lower-case) with its value(s): one for a single item, one per row for a loop column. */
  readonly tags: ReadonlyMap<string, readonly CifToken[]>;
  /** Tag lists of the loops in order (lower-case). */
  readonly loops: ReadonlyArray<readonly string[]>;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** Splits a data block into tokens; a ;text field; becomes one quoted token. */
export function tokenizeCif(lines: readonly string[], firstLine: number): CifToken[] {
  const tokens: CifToken[] = [];
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const lineNo = firstLine + li;
    if (line.charCodeAt(0) === 59) {
      // ';' in column 1 opens a text field that ends at the next line starting with ';'.
      const parts = [line.slice(1)];
      let end = li + 1;
      while (end < lines.length && lines[end]!.charCodeAt(0) !== 59) parts.push(lines[end++]!);
      if (end >= lines.length) throw new FormatError('text field opened with ; is never closed', lineNo);
      tokens.push({ text: parts.join('\n').trim(), line: lineNo, quoted: true });
      // Anything after the closing ';' on its line is read as ordinary tokens.
      const rest = lines[end]!.slice(1);
      li = end;
      if (rest.trim() !== '') tokenizeLine(rest, firstLine + end, tokens);
      continue;
    }
    tokenizeLine(line, lineNo, tokens);
  }
  return tokens;
}

function tokenizeLine(line: string, lineNo: number, tokens: CifToken[]): void {
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 35) return; // '#': comment to the end of the line
    if (c === 39 || c === 34) {
      // A quote closes only where it is followed by whitespace or the end of the line.
      let j = i + 1;
      while (j < n && !(line.charCodeAt(j) === c && (j + 1 >= n || isSpace(line.charCodeAt(j + 1))))) j++;
      if (j >= n) throw new FormatError(`unterminated quoted string ${line.slice(i, i + 40)}`, lineNo);
      tokens.push({ text: line.slice(i + 1, j), line: lineNo, quoted: true });
      i = j + 1;
      continue;
    }
    const start = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (isSpace(c)) break;
      i++;
    }
    tokens.push({ text: line.slice(start, i), line: lineNo, quoted: false });
  }
}

function reserved(token: CifToken): string | undefined {
  if (token.quoted) return undefined;
  // Only words starting with d, l, s or g can be reserved: skip lower-casing every value.
  const c = token.text.charCodeAt(0) | 32;
  if (c !== 100 && c !== 108 && c !== 115 && c !== 103) return undefined;
  const lower = token.text.toLowerCase();
  if (lower.startsWith('data_')) return 'data_';
  if (lower === 'loop_') return 'loop_';
  if (lower.startsWith('save_')) return 'save_';
  if (lower === 'global_') return 'global_';
  if (lower === 'stop_') return 'stop_';
  return undefined;
}

function isTag(token: CifToken): boolean {
  return !token.quoted && token.text.charCodeAt(0) === 95;
}

/** Parses one data block (lines before `data_` may only be comments or blank). */
export function parseCifBlock(chunk: RecordChunk): CifBlock {
  const tokens = tokenizeCif(chunk.lines, chunk.firstLine);
  if (tokens.length === 0) throw new FormatError('no data block (data_...) found', chunk.firstLine);
  const head = tokens[0]!;
  if (reserved(head) !== 'data_') throw new FormatError(`expected data_ to open a data block, found '${head.text.slice(0, 40)}'`, head.line);
  const name = head.text.slice(5);
  const tags = new Map<string, CifToken[]>();
  const loops: string[][] = [];
  let i = 1;
  const valueAt = (k: number, tag: CifToken): CifToken => {
    const value = tokens[k];
    if (!value || isTag(value) || reserved(value)) throw new FormatError(`tag ${tag.text} has no value`, tag.line);
    return value;
  };
  while (i < tokens.length) {
    const token = tokens[i]!;
    const word = reserved(token);
    if (word === 'data_') throw new FormatError('a second data_ block inside one record', token.line);
    if (word === 'save_') {
      // skip a save frame (save_name ... save_)
      i++;
      while (i < tokens.length && !(reserved(tokens[i]!) === 'save_' && tokens[i]!.text.length === 5)) i++;
      i++;
      continue;
    }
    if (word === 'global_' || word === 'stop_') {
      i++;
      continue;
    }
    if (word === 'loop_') {
      i++;
      const names: CifToken[] = [];
      while (i < tokens.length && isTag(tokens[i]!)) names.push(tokens[i++]!);
      if (names.length === 0) throw new FormatError('loop_ without tags', token.line);
      const values: CifToken[] = [];
      while (i < tokens.length && !isTag(tokens[i]!) && !reserved(tokens[i]!)) values.push(tokens[i++]!);
      if (values.length % names.length !== 0) {
        const last = values[values.length - 1] ?? names[names.length - 1]!;
        throw new FormatError(`loop of ${names.length} columns (${names[0]!.text} ...) has ${values.length} values, not a whole number of rows`, last.line);
      }
      const keys = names.map((t) => t.text.toLowerCase());
      const columns = keys.map(() => [] as CifToken[]);
      for (let v = 0; v < values.length; v++) columns[v % keys.length]!.push(values[v]!);
      keys.forEach((key, k) => {
        if (!tags.has(key)) tags.set(key, columns[k]!);
      });
      loops.push(keys);
      continue;
    }
    if (isTag(token)) {
      const value = valueAt(i + 1, token);
      const key = token.text.toLowerCase();
      if (!tags.has(key)) tags.set(key, [value]);
      i += 2;
      continue;
    }
    throw new FormatError(`unexpected value '${token.text.slice(0, 40)}' outside a loop or tag`, token.line);
  }
  return { name, line: head.line, tags, loops };
}

/** The value of an unquoted '?' or '.' (unknown / not applicable) is missing. */
export function isMissing(token: CifToken | undefined): boolean {
  return token === undefined || (!token.quoted && (token.text === '?' || token.text === '.'));
}

/** A CIF number, standard uncertainty in parentheses dropped: '5.431(2)' -> 5.431; undefined if not numeric. */
export function cifNumber(token: CifToken | undefined): number | undefined {
  if (isMissing(token)) return undefined;
  let text = token!.text;
  const fast = parseDecimal(text, 0, text.length);
  if (!Number.isNaN(fast)) return fast;
  const paren = text.indexOf('(');
  if (paren >= 0) {
    if (!/^\(\d*\)?$/.test(text.slice(paren))) return undefined;
    text = text.slice(0, paren);
  }
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
