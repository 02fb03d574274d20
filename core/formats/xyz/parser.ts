/**
 * XYZ and extended XYZ (ASE flavour) frame parser: one record's lines -> XyzFrame, no Structure yet.
 *
 *   line 1: atom count N
 *   line 2: comment; extended XYZ puts `Lattice="..." Properties=species:S:1:pos:R:3:... key=value pbc="T T T"` here
 *   N lines: one atom each, columns as listed in Properties (default species:S:1:pos:R:3)
 *
 * Errors are FormatError with the 1-based line in the file (chunk.firstLine + offset).
 */
import type { AtomArray, PropertyValue } from '../../structure/structure';
import { FormatError } from '../../structure/errors';
import { atomicNumberOf, MAX_ATOMIC_NUMBER } from '../../structure/elements';
import type { RecordChunk } from '../format';
import { convertValue, looksExtended, parseFloatToken, splitKeyValues } from './comment';

/** Column types of `Properties=`: real, integer, string, logical. */
export type ExtxyzColumnType = 'R' | 'I' | 'S' | 'L';

export interface ExtxyzColumn {
  readonly name: string;
  readonly type: ExtxyzColumnType;
  readonly width: number;
}

export interface XyzFrame {
  readonly atomCount: number;
  /** The comment line as written. */
  readonly comment: string;
  /** True when the comment was read as extended-XYZ key=value pairs. */
  readonly extended: boolean;
  /** Per-frame values from the comment, except Lattice, pbc and Properties. */
  readonly info: Record<string, PropertyValue>;
  /** Lattice vectors as rows (Å) from `Lattice="..."`. */
  readonly lattice?: Float64Array;
  readonly pbc: readonly [boolean, boolean, boolean];
  readonly columns: readonly ExtxyzColumn[];
  readonly numbers: Uint8Array;
  readonly positions: Float64Array;
  /** Every column except species, pos and Z (the atomic number column), by its name in Properties. */
  readonly arrays: Record<string, AtomArray>;
}

export const DEFAULT_COLUMNS: readonly ExtxyzColumn[] = [
  { name: 'species', type: 'S', width: 1 },
  { name: 'pos', type: 'R', width: 3 },
];

/** Largest atom count accepted from a count line (guards against garbage making one huge record). */
export const MAX_XYZ_ATOMS = 50_000_000;

/** Parses an atom-count line: optional spaces, optional '+', digits. */
export function parseAtomCount(line: string): number | undefined {
  let i = 0;
  const n = line.length;
  while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (i < n && line.charCodeAt(i) === 43) i++;
  const start = i;
  let value = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === start) return undefined;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return undefined;
    i++;
  }
  return value <= MAX_XYZ_ATOMS ? value : undefined;
}

const columnsCache = new Map<string, readonly ExtxyzColumn[]>();

/** parseColumns with a small cache: files repeat the same Properties string on every frame. */
function cachedColumns(spec: string): readonly ExtxyzColumn[] {
  let columns = columnsCache.get(spec);
  if (!columns) {
    columns = parseColumns(spec);
    if (columnsCache.size > 100) columnsCache.clear();
    columnsCache.set(spec, columns);
  }
  return columns;
}

/** Parses `name:T:w:name:T:w...`; throws an Error with a message on malformed input. */
export function parseColumns(spec: string): ExtxyzColumn[] {
  const fields = spec.split(':');
  if (fields.length % 3 !== 0) throw new Error(`Properties '${spec}' is not a list of name:type:columns triples`);
  const columns: ExtxyzColumn[] = [];
  for (let i = 0; i < fields.length; i += 3) {
    const name = fields[i]!;
    const type = fields[i + 1]!;
    const width = fields[i + 2]!;
    if (name === '') throw new Error(`Properties '${spec}' has an empty column name`);
    if (type !== 'R' && type !== 'I' && type !== 'S' && type !== 'L') throw new Error(`Properties column '${name}' has unknown type '${type}' (expected R, I, S or L)`);
    if (!/^\d+$/.test(width) || Number(width) < 1 || Number(width) > 1000) throw new Error(`Properties column '${name}' has invalid width '${width}'`);
    if (columns.some((c) => c.name === name)) throw new Error(`Properties lists column '${name}' twice`);
    columns.push({ name, type, width: Number(width) });
  }
  return columns;
}

/**
 * Splits `line` at spaces/tabs into at most `max` tokens, writing their [start, end) offsets.
 * Returns the number of tokens found (stops counting at max + 1).
 */
export function tokenizeLine(line: string, starts: Int32Array, ends: Int32Array, max: number): number {
  const n = line.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      if (i >= n) return count;
      c = line.charCodeAt(i);
    }
    const start = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) break;
      i++;
    }
    if (count === max) return max + 1;
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  return count;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Fast path for plain decimals ('-0.071640', '12', '3.'): at most 15 significant digits, no exponent.
 * Exact like Number() (both operands of the division are exact doubles, so the quotient is correctly rounded).
 * Returns NaN when the token needs the general parser.
 */
export function parseDecimal(line: string, start: number, end: number): number {
  let i = start;
  let c = line.charCodeAt(i);
  let negative = false;
  if (c === 45) {
    negative = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (i < end) {
    c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    i++;
  }
  if (i < end && c === 46) {
    i++;
    while (i < end) {
      c = line.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      fraction++;
      i++;
    }
  }
  if (i !== end || digits === 0 || digits > 15) return NaN;
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

const speciesCache = new Map<string, number>();

/** Atomic number from a species token: element symbol in any case, a label like 'C12', or the atomic number itself. */
export function speciesToNumber(token: string): number | undefined {
  const cached = speciesCache.get(token);
  if (cached !== undefined) return cached;
  let z: number | undefined;
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    z = n <= MAX_ATOMIC_NUMBER ? n : undefined;
  } else {
    z = atomicNumberOf(token);
    // Labels such as 'C1' or 'Fe_2' (written by some programs): element then a number.
    const label = z === undefined ? /^([A-Za-z][a-z]?)[0-9_]/.exec(token) : null;
    if (label) z = atomicNumberOf(label[1]!);
  }
  if (z !== undefined && speciesCache.size < 1000) speciesCache.set(token, z);
  return z;
}

function pbcFrom(value: PropertyValue, line: number): [boolean, boolean, boolean] {
  if (typeof value === 'boolean') return [value, value, value];
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'boolean')) return [value[0] as boolean, value[1] as boolean, value[2] as boolean];
  throw new FormatError(`pbc must be three T/F flags, found '${String(value)}'`, line);
}

/** Per-token instructions for one Properties layout (cached: files repeat the layout on every frame). */
interface ColumnPlan {
  readonly totalWidth: number;
  /** Token index of x in pos. */
  readonly posStart: number;
  /** 0 species, 1 real, 2 integer, 3 logical, 4 string. */
  readonly kind: Uint8Array;
  readonly width: Int32Array;
  readonly sub: Int32Array;
  readonly column: Int32Array;
}

const planCache = new WeakMap<readonly ExtxyzColumn[], ColumnPlan>();

function planFor(columns: readonly ExtxyzColumn[]): ColumnPlan {
  const cached = planCache.get(columns);
  if (cached) return cached;
  const totalWidth = columns.reduce((sum, c) => sum + c.width, 0);
  const kind = new Uint8Array(totalWidth);
  const width = new Int32Array(totalWidth);
  const sub = new Int32Array(totalWidth);
  const column = new Int32Array(totalWidth);
  let t = 0;
  let posStart = -1;
  columns.forEach((c, ci) => {
    if (c.name === 'pos') posStart = t;
    for (let k = 0; k < c.width; k++, t++) {
      width[t] = c.width;
      sub[t] = k;
      column[t] = ci;
      kind[t] = c.name === 'species' ? 0 : c.type === 'R' ? 1 : c.type === 'I' ? 2 : c.type === 'L' ? 3 : 4;
    }
  });
  const plan = { totalWidth, posStart, kind, width, sub, column };
  planCache.set(columns, plan);
  return plan;
}

function tooFewColumns(columns: readonly ExtxyzColumn[], explicit: boolean, totalWidth: number, atom: number, found: number, line: number): FormatError {
  const what = explicit ? `${totalWidth} columns (${columns.map((c) => `${c.name}:${c.type}:${c.width}`).join(':')})` : `${totalWidth} columns (symbol x y z)`;
  return new FormatError(`atom ${atom + 1}: expected ${what}, found ${found}`, line);
}

function columnLabel(column: ExtxyzColumn, sub: number): string {
  return column.width > 1 ? `${column.name}[${sub}]` : column.name;
}

/** Parses one XYZ / extended XYZ record. */
export function parseXyzFrame(chunk: RecordChunk): XyzFrame {
  const lines = chunk.lines;
  const first = chunk.firstLine;
  if (lines.length === 0) throw new FormatError('empty record', first);
  const atomCount = parseAtomCount(lines[0]!);
  if (atomCount === undefined) throw new FormatError(`expected the number of atoms, found '${lines[0]!.trim().slice(0, 60)}'`, first);
  if (lines.length < 2) throw new FormatError(`frame of ${atomCount} atoms ends before its comment line`, first);
  if (lines.length < atomCount + 2) {
    throw new FormatError(`frame of ${atomCount} atoms ends after ${lines.length - 2} atom lines`, first + lines.length - 1);
  }
  if (lines.length > atomCount + 2) throw new FormatError(`unexpected line after the last of ${atomCount} atoms`, first + atomCount + 2);
  const comment = lines[1]!;
  const commentLine = first + 1;

  const extended = looksExtended(comment);
  const info: Record<string, PropertyValue> = {};
  let lattice: Float64Array | undefined;
  let pbc: [boolean, boolean, boolean] | undefined;
  let columns: readonly ExtxyzColumn[] = DEFAULT_COLUMNS;
  if (extended) {
    for (const [key, raw] of splitKeyValues(comment)) {
      if (key === 'Properties') {
        try {
          columns = cachedColumns(raw);
        } catch (error) {
          throw new FormatError((error as Error).message, commentLine);
        }
        continue;
      }
      const value = convertValue(raw);
      if (key === 'Lattice') {
        if (!Array.isArray(value) || value.length !== 9 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          throw new FormatError(`Lattice must be 9 numbers, found '${raw.slice(0, 80)}'`, commentLine);
        }
        lattice = Float64Array.from(value as number[]);
      } else if (key === 'pbc') {
        pbc = pbcFrom(value, commentLine);
      } else {
        info[key] = value;
      }
    }
  }
  const posColumn = columns.find((c) => c.name === 'pos');
  if (!posColumn || posColumn.type !== 'R' || posColumn.width !== 3) throw new FormatError('Properties has no pos:R:3 column', commentLine);
  const speciesColumn = columns.find((c) => c.name === 'species');
  const zColumn = columns.find((c) => c.name === 'Z');
  if (speciesColumn && (speciesColumn.type !== 'S' || speciesColumn.width !== 1)) throw new FormatError('Properties column species must be S:1', commentLine);
  if (zColumn && (zColumn.type !== 'I' || zColumn.width !== 1)) throw new FormatError('Properties column Z must be I:1', commentLine);
  if (!speciesColumn && !zColumn) throw new FormatError('Properties has neither a species nor a Z column', commentLine);

  const n = atomCount;
  const numbers = new Uint8Array(n);
  const positions = new Float64Array(n * 3);
  const arrays: Record<string, AtomArray> = {};
  // One storage array per column (undefined for species), filled in the hot loop below.
  const targets: Array<Float64Array | Int32Array | Uint8Array | string[] | undefined> = new Array(columns.length);
  for (let ci = 0; ci < columns.length; ci++) {
    const column = columns[ci]!;
    if (column === posColumn) {
      targets[ci] = positions;
    } else if (column === speciesColumn) {
      targets[ci] = undefined;
    } else if (column.type === 'R') {
      const data = new Float64Array(n * column.width);
      targets[ci] = data;
      arrays[column.name] = { kind: 'float', width: column.width, data };
    } else if (column.type === 'I') {
      const data = new Int32Array(n * column.width);
      targets[ci] = data;
      if (column !== zColumn) arrays[column.name] = { kind: 'int', width: column.width, data };
    } else if (column.type === 'L') {
      const data = new Uint8Array(n * column.width);
      targets[ci] = data;
      arrays[column.name] = { kind: 'bool', width: column.width, data };
    } else {
      const data: string[] = new Array<string>(n * column.width);
      targets[ci] = data;
      arrays[column.name] = { kind: 'string', width: column.width, data };
    }
  }
  const explicitColumns = columns !== DEFAULT_COLUMNS;
  const plan = planFor(columns);
  const { totalWidth, posStart } = plan;
  const tokenKind = plan.kind;
  const tokenWidth = plan.width;
  const tokenSub = plan.sub;
  const tokenColumn = plan.column;
  const zIndex = zColumn ? columns.indexOf(zColumn) : -1;

  for (let atom = 0; atom < n; atom++) {
    const line = lines[atom + 2]!;
    const len = line.length;
    let pos = 0;
    for (let t = 0; t < totalWidth; t++) {
      let c = pos < len ? line.charCodeAt(pos) : -1;
      while (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
        pos++;
        c = pos < len ? line.charCodeAt(pos) : -1;
      }
      if (c < 0) throw tooFewColumns(columns, explicitColumns, totalWidth, atom, t, first + 2 + atom);
      const start = pos;
      const kind = tokenKind[t]!;
      if (kind === 1) {
        // Inline fast path for plain decimals (see parseDecimal); anything else goes through parseFloatToken.
        let negative = false;
        if (c === 45) {
          negative = true;
          pos++;
        } else if (c === 43) {
          pos++;
        }
        let mantissa = 0;
        let digits = 0;
        let fraction = 0;
        while (pos < len) {
          c = line.charCodeAt(pos);
          if (c < 48 || c > 57) break;
          mantissa = mantissa * 10 + (c - 48);
          digits++;
          pos++;
        }
        if (pos < len && c === 46) {
          pos++;
          while (pos < len) {
            c = line.charCodeAt(pos);
            if (c < 48 || c > 57) break;
            mantissa = mantissa * 10 + (c - 48);
            digits++;
            fraction++;
            pos++;
          }
        }
        let v: number;
        c = pos < len ? line.charCodeAt(pos) : 32;
        if (digits > 0 && digits <= 15 && (c === 32 || c === 9 || c === 13 || c === 11 || c === 12)) {
          v = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
          if (negative) v = -v;
        } else {
          while (pos < len) {
            c = line.charCodeAt(pos);
            if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) break;
            pos++;
          }
          const token = line.slice(start, pos);
          const parsed = parseFloatToken(token);
          if (parsed === undefined) throw new FormatError(`atom ${atom + 1}: ${columnLabel(columns[tokenColumn[t]!]!, tokenSub[t]!)} '${token.slice(0, 30)}' is not a number`, first + 2 + atom);
          v = parsed;
        }
        if (t >= posStart && t < posStart + 3 && !Number.isFinite(v)) {
          throw new FormatError(`atom ${atom + 1}: coordinate '${line.slice(start, pos).slice(0, 30)}' is not a finite number`, first + 2 + atom);
        }
        (targets[tokenColumn[t]!] as Float64Array)[atom * tokenWidth[t]! + tokenSub[t]!] = v;
        continue;
      }
      while (pos < len) {
        c = line.charCodeAt(pos);
        if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) break;
        pos++;
      }
      const token = line.slice(start, pos);
      const index = atom * tokenWidth[t]! + tokenSub[t]!;
      if (kind === 0) {
        const z = speciesToNumber(token);
        if (z === undefined) throw new FormatError(`atom ${atom + 1}: unknown element '${token.slice(0, 20)}'`, first + 2 + atom);
        if (zIndex < 0) numbers[atom] = z; // with a Z column, Z sets the atomic number (as in ASE)
      } else if (kind === 2) {
        const v = Number(token);
        if (!Number.isInteger(v) || !/^[+-]?\d+$/.test(token) || v > 2147483647 || v < -2147483648) {
          throw new FormatError(`atom ${atom + 1}: ${columnLabel(columns[tokenColumn[t]!]!, tokenSub[t]!)} '${token.slice(0, 30)}' is not a 32-bit integer`, first + 2 + atom);
        }
        (targets[tokenColumn[t]!] as Int32Array)[index] = v;
        if (tokenColumn[t] === zIndex) {
          if (v < 0 || v > MAX_ATOMIC_NUMBER) throw new FormatError(`atom ${atom + 1}: atomic number ${v} out of range`, first + 2 + atom);
          numbers[atom] = v;
        }
      } else if (kind === 3) {
        if (token === 'T' || token === 'True') (targets[tokenColumn[t]!] as Uint8Array)[index] = 1;
        else if (token === 'F' || token === 'False') (targets[tokenColumn[t]!] as Uint8Array)[index] = 0;
        else throw new FormatError(`atom ${atom + 1}: ${columnLabel(columns[tokenColumn[t]!]!, tokenSub[t]!)} '${token.slice(0, 30)}' is not T or F`, first + 2 + atom);
      } else {
        (targets[tokenColumn[t]!] as string[])[index] = token;
      }
    }
  }
  return {
    atomCount,
    comment,
    extended,
    info,
    ...(lattice ? { lattice } : {}),
    pbc: pbc ?? (lattice ? [true, true, true] : [false, false, false]),
    columns,
    numbers,
    positions,
    arrays,
  };
}
