/**
 * The extended-XYZ comment line: `key=value` pairs as ASE reads them (ase.io.extxyz.key_val_str_to_dict).
 * Values may be quoted ("..." or '...') or bracketed ({...} or [...]); a backslash escapes the next character;
 * a bare key means `T`. Values become integers/floats (or arrays of them when several, separated by spaces or
 * commas), booleans from T/F (or arrays), JSON for `_JSON ...`, else strings.
 */
import type { PropertyValue } from '../../structure/structure';

/** Raw key/value strings in file order (a bare key gets the value 'T'); same tokenizer as ASE's. */
export function splitKeyValues(text: string): Array<[string, string]> {
  // Each pair is [key, value parts...]; parts are joined with '=' afterwards (so `a=b=c` gives 'b=c').
  // Plain runs of characters are copied with slice(); only escapes and delimiters break a run.
  const pairs: string[][] = [['']];
  let pair = pairs[0]!;
  let closing = -1;
  const s = text.trim();
  const n = s.length;
  let runStart = 0;
  let i = 0;
  // Plain runs of characters are appended with one slice when a special character ends them.
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      // backslash: the next character is taken verbatim
      if (i > runStart) pair[pair.length - 1] += s.slice(runStart, i);
      if (i + 1 < n) pair[pair.length - 1] += s[i + 1]!;
      i += 2;
      runStart = i;
      continue;
    }
    if (closing >= 0) {
      if (c === closing) {
        if (i > runStart) pair[pair.length - 1] += s.slice(runStart, i);
        closing = -1;
        runStart = i + 1;
      }
      i++;
      continue;
    }
    if (c === 34 || c === 39 || c === 123 || c === 91) {
      if (i > runStart) pair[pair.length - 1] += s.slice(runStart, i);
      closing = c === 123 ? 125 : c === 91 ? 93 : c;
      runStart = i + 1;
    } else if (c === 32 || c === 9 || c === 10 || c === 11 || c === 12 || c === 13) {
      if (i > runStart) pair[pair.length - 1] += s.slice(runStart, i);
      runStart = i + 1;
      if (pair[pair.length - 1] !== '') {
        pair = [''];
        pairs.push(pair);
      }
    } else if (c === 61) {
      if (i > runStart) pair[pair.length - 1] += s.slice(runStart, i);
      runStart = i + 1;
      if (pair.length === 1 && pair[0] === '' && pairs.length > 1) {
        pairs.pop();
        pair = pairs[pairs.length - 1]!;
      }
      pair.push('');
    }
    i++;
  }
  if (n > runStart) pair[pair.length - 1] += s.slice(runStart, n);
  const out: Array<[string, string]> = [];
  for (const p of pairs) {
    if (p.length === 1) {
      if (p[0] !== '') out.push([p[0]!, 'T']);
    } else if (p[0] !== '') {
      out.push([p[0]!, p.length === 2 ? p[1]! : p.slice(1).join('=')]);
    }
  }
  return out;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|nan|inf|infinity)$/i;

/** A number token as Python's float() reads it (incl. nan/inf); undefined when it is not a number. */
export function parseFloatToken(token: string): number | undefined {
  const v = Number(token);
  if (!Number.isNaN(v)) {
    // Number() also accepts hex/binary/octal literals and 'Infinity'; Python's float() takes only decimals.
    const c = token.charCodeAt(token.length - 1);
    if (c >= 48 && c <= 57) {
      const c1 = token.charCodeAt(1);
      if (c1 === 120 || c1 === 88 || c1 === 98 || c1 === 66 || c1 === 111 || c1 === 79) return FLOAT_RE.test(token) ? v : undefined;
      return v;
    }
    if (c === 46) return v; // '1.'
    return FLOAT_RE.test(token) ? v : undefined;
  }
  if (!FLOAT_RE.test(token)) return undefined;
  const lower = token.toLowerCase();
  if (lower.endsWith('nan')) return NaN;
  return lower.startsWith('-') ? -Infinity : Infinity;
}

/** Converts one raw value as ASE does: numbers, arrays of numbers, T/F booleans, `_JSON ...`, else the string. */
export function convertValue(raw: string): PropertyValue {
  if (raw.length > 0 && !/[\s,]/.test(raw)) {
    // Single token, the common case. Only tokens starting like a number (digit, sign, dot, nan/inf) can be one.
    const c = raw.charCodeAt(0);
    const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 73 || c === 105 || c === 78 || c === 110;
    if (numeric) {
      if (INT_RE.test(raw)) return Number(raw);
      const f = parseFloatToken(raw);
      if (f !== undefined) return f;
    }
    if (raw === 'T' || raw === 'F') return raw === 'T';
    return raw;
  }
  const tokens = raw.split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.every((t) => INT_RE.test(t))) {
    const ints = tokens.map(Number);
    return ints.length === 1 ? ints[0]! : ints;
  }
  const floats = tokens.map(parseFloatToken);
  if (tokens.length > 0 && floats.every((f) => f !== undefined)) {
    return floats.length === 1 ? floats[0]! : (floats as number[]);
  }
  if (tokens.length > 0 && tokens.every((t) => t === 'T' || t === 'F')) {
    const bools = tokens.map((t) => t === 'T');
    return bools.length === 1 ? bools[0]! : bools;
  }
  if (raw.startsWith('_JSON ')) {
    try {
      const parsed: unknown = JSON.parse(raw.slice(6));
      if (typeof parsed === 'number' || typeof parsed === 'string' || typeof parsed === 'boolean') return parsed;
      if (Array.isArray(parsed)) {
        if (parsed.every((x) => typeof x === 'number')) return parsed as number[];
        if (parsed.every((x) => typeof x === 'boolean')) return parsed as boolean[];
        if (parsed.every((x) => typeof x === 'string')) return parsed as string[];
      }
    } catch {
      // not valid JSON: keep the text
    }
  }
  return raw;
}

/** Parses a comment line into converted values, in file order (later duplicates win, as in a dict). */
export function parseKeyValueComment(text: string): Map<string, { raw: string; value: PropertyValue }> {
  const out = new Map<string, { raw: string; value: PropertyValue }>();
  for (const [key, raw] of splitKeyValues(text)) out.set(key, { raw, value: convertValue(raw) });
  return out;
}

/** Whether a comment line looks like extended XYZ (first token is `key=`), rather than free text. */
export function looksExtended(comment: string): boolean {
  return /^\s*[A-Za-z_][A-Za-z0-9_-]*\s*=/.test(comment) || comment.includes('Properties=') || comment.includes('Lattice=');
}
