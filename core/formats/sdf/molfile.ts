/**
 * MDL molfile / SD file parser (CTfile formats, BIOVIA 2020): V2000 fixed-column connection tables and
 * V3000 'M  V30' blocks, the properties block (M  CHG / M  ISO / M  RAD) and SD data fields.
 * Pure: one record's lines in, a typed MolfileRecord out; errors are FormatErrors with 1-based file lines.
 */
import { FormatError } from '../../structure/errors';
import { atomicNumberOf, ELEMENTS } from '../../structure/elements';
import type { Bond, BondOrder } from '../../structure/structure';

export type MolfileVersion = 'V2000' | 'V3000';

export interface MolfileRecord {
  /** Header line 1. */
  readonly title: string;
  /** Header line 2 (program / timestamp / dimension code). */
  readonly programLine: string;
  /** Header line 3. */
  readonly comment: string;
  readonly version: MolfileVersion;
  /** Atomic numbers (0 for query / pseudo atoms such as R#, A, Q, *). */
  readonly numbers: Uint8Array;
  /** [nAtoms * 3] Å. */
  readonly positions: Float64Array;
  readonly charges: Int8Array;
  /** Mass numbers, 0 = natural abundance. */
  readonly isotopes: Uint16Array;
  /** MDL radical codes: 0 none, 1 singlet, 2 doublet, 3 triplet. */
  readonly radicals: Uint8Array;
  /** Bonds with 0-based atom indices; MDL type 4 (aromatic) is order 1.5, query / coordination types are 0. */
  readonly bonds: Bond[];
  /** SD data fields in file order (values with several lines joined by '\n'). */
  readonly data: ReadonlyArray<readonly [string, string]>;
}

/** Bond type code -> order; query types (5-8), coordination (9) and hydrogen bonds (10) become 0. */
const BOND_ORDER_OF_TYPE: readonly BondOrder[] = [0, 1, 2, 3, 1.5, 0, 0, 0, 0, 0, 0];
/** Legacy V2000 charge column: 1 = +3, 2 = +2, 3 = +1, 4 = doublet radical, 5 = -1, 6 = -2, 7 = -3. */
const LEGACY_CHARGE = [0, 3, 2, 1, 0, -1, -2, -3];
const QUERY_SYMBOLS = new Set(['A', 'Q', '*', 'L', 'LP', 'R', 'R#', 'X', 'AH', 'QH', 'M', 'MH', 'XH', 'STAR']);

const symbolCache = new Map<string, number>();
/** Atomic number by (first char code * 128 + second char code) of a symbol; -1 = not looked up yet. */
const SYMBOL_CODES = new Int16Array(128 * 128).fill(-1);

/** Atomic number of a molfile symbol; 0 for query / pseudo atoms; undefined when unknown. */
export function molfileAtomicNumber(symbol: string): number | undefined {
  const cached = symbolCache.get(symbol);
  if (cached !== undefined) return cached;
  let z: number | undefined;
  if (QUERY_SYMBOLS.has(symbol.toUpperCase())) z = 0;
  else if (/^[A-Z][a-z]{0,2}$/.test(symbol) || symbol === 'D' || symbol === 'T') z = atomicNumberOf(symbol);
  if (z !== undefined) symbolCache.set(symbol, z);
  return z;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A fixed-column decimal ('  -12.3456') without allocating: digits are accumulated as an exact integer and
 * divided once by a power of ten, which rounds exactly like Number(text). Anything unusual (exponent, too
 * many digits, stray characters) falls back to Number(slice). NaN when blank.
 */
function fixedFloat(line: string, start: number, end: number): number {
  let i = start;
  const stop = Math.min(end, line.length);
  while (i < stop && line.charCodeAt(i) === 32) i++;
  if (i === stop) return NaN;
  let negative = false;
  let c = line.charCodeAt(i);
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < stop; i++) {
    c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 /* . */ && decimals < 0) decimals = 0;
    else break;
  }
  while (i < stop && line.charCodeAt(i) === 32) i++;
  if (i !== stop || digits === 0 || digits > 15) {
    const text = line.slice(start, end);
    return text.trim() === '' ? NaN : Number(text);
  }
  const value = decimals > 0 ? mantissa / POW10[decimals]! : mantissa;
  return negative ? -value : value;
}

/** A 10-column coordinate field; NaN when blank or not a number. */
function coordinate(line: string, start: number): number {
  return fixedFloat(line, start, start + 10);
}

/** A fixed-column integer; 0 when blank; NaN when not an integer. */
function fixedInt(line: string, start: number, end: number): number {
  let i = start;
  const stop = Math.min(end, line.length);
  while (i < stop && line.charCodeAt(i) === 32) i++;
  if (i === stop) return 0;
  let negative = false;
  let c = line.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (; i < stop; i++) {
    c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
  }
  while (i < stop && line.charCodeAt(i) === 32) i++;
  if (i !== stop || digits === 0) return NaN;
  return negative ? -value : value;
}

function intField(line: string, start: number, end: number, what: string, lineNo: number): number {
  const value = fixedInt(line, start, end);
  if (Number.isNaN(value)) throw new FormatError(`${what} '${line.slice(start, end).trim()}' is not an integer`, lineNo);
  return value;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** An SD data value as a number when it is one, else the text. */
export function sdValue(text: string): number | string {
  const t = text.trim();
  if (t.length === 0 || t.length > 24 || !NUMERIC.test(t)) return text;
  // Identifiers such as '00123' or 20-digit registry numbers stay text: a number would lose their digits.
  if (/^[-+]?0\d/.test(t) || t.replace(/[^0-9]/g, '').length > 15) return text;
  return Number(t);
}

interface Counts {
  nAtoms: number;
  nBonds: number;
}

/**
 * Parses one molfile record. `lines` excludes the '$$$$' delimiter; `firstLine` is the 1-based file line
 * of lines[0].
 */
export function parseMolfile(lines: readonly string[], firstLine: number): MolfileRecord {
  if (lines.length < 4) {
    throw new FormatError(`molfile record has ${lines.length} lines; a header (3 lines) and a counts line are required`, firstLine + Math.max(0, lines.length - 1));
  }
  const countsLine = lines[3]!;
  const countsNo = firstLine + 3;
  const isV3000 = countsLine.includes('V3000');
  let result: Omit<MolfileRecord, 'title' | 'programLine' | 'comment' | 'data'>;
  let next: number;
  if (isV3000) {
    ({ result, next } = parseV3000(lines, firstLine));
  } else {
    if (countsLine.length < 6) throw new FormatError(`counts line '${countsLine}' is too short`, countsNo);
    const counts: Counts = {
      nAtoms: intField(countsLine, 0, 3, 'atom count', countsNo),
      nBonds: intField(countsLine, 3, 6, 'bond count', countsNo),
    };
    if (counts.nAtoms < 0 || counts.nBonds < 0) throw new FormatError('negative atom or bond count', countsNo);
    ({ result, next } = parseV2000(lines, firstLine, counts));
  }
  const data = parseDataFields(lines, next);
  return { title: lines[0]!.trim(), programLine: lines[1]!, comment: lines[2]!, ...result, data };
}

function newArrays(nAtoms: number, nBonds: number) {
  return {
    numbers: new Uint8Array(nAtoms),
    positions: new Float64Array(nAtoms * 3),
    charges: new Int8Array(nAtoms),
    isotopes: new Uint16Array(nAtoms),
    radicals: new Uint8Array(nAtoms),
    bonds: new Array<Bond>(nBonds),
  };
}

function atomNumberFor(symbol: string, lineNo: number): number {
  const z = molfileAtomicNumber(symbol);
  if (z === undefined) throw new FormatError(`unknown element symbol '${symbol}'`, lineNo);
  return z;
}

function checkCharge(value: number, lineNo: number): number {
  if (!Number.isInteger(value) || value < -15 || value > 15) throw new FormatError(`charge ${value} is outside -15..15`, lineNo);
  return value;
}

function checkIsotope(value: number, lineNo: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new FormatError(`isotope mass ${value} is not a mass number`, lineNo);
  return value;
}

function checkRadical(value: number, lineNo: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 3) throw new FormatError(`radical code ${value} is outside 0..3`, lineNo);
  return value;
}

function parseV2000(lines: readonly string[], firstLine: number, counts: Counts): { result: ReturnType<typeof newArrays> & { version: MolfileVersion }; next: number } {
  const { nAtoms, nBonds } = counts;
  if (4 + nAtoms + nBonds > lines.length) {
    throw new FormatError(`counts line declares ${nAtoms} atoms and ${nBonds} bonds but the record has only ${lines.length - 4} more lines`, firstLine + 3);
  }
  const arrays = newArrays(nAtoms, nBonds);
  const { numbers, positions, charges, isotopes, radicals, bonds } = arrays;
  let row = 4;
  for (let i = 0; i < nAtoms; i++, row++) {
    const line = lines[row]!;
    const lineNo = firstLine + row;
    if (line.length < 34) throw new FormatError(`atom line is too short (${line.length} characters, at least 34 needed)`, lineNo);
    const x = coordinate(line, 0), y = coordinate(line, 10), z = coordinate(line, 20);
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) {
      throw new FormatError(`atom ${i + 1}: coordinates '${line.slice(0, 30)}' are not numbers`, lineNo);
    }
    positions[3 * i] = x;
    positions[3 * i + 1] = y;
    positions[3 * i + 2] = z;
    // Fast path: a one- or two-letter symbol left-justified in columns 32-34, looked up by character codes.
    const c0 = line.charCodeAt(31), c1 = line.charCodeAt(32), c2 = line.charCodeAt(33);
    let zNum = c2 === 32 && c0 < 128 && c1 < 128 ? SYMBOL_CODES[c0 * 128 + c1]! : -1;
    let symbol = '';
    if (zNum < 0) {
      symbol = line.slice(31, 34).trim();
      zNum = atomNumberFor(symbol, lineNo);
      if (c2 === 32 && c0 < 128 && c1 < 128) SYMBOL_CODES[c0 * 128 + c1] = zNum;
    } else if (zNum === 1 && c1 === 32 && (c0 === 68 || c0 === 84)) symbol = c0 === 68 ? 'D' : 'T';
    numbers[i] = zNum;
    if (line.length > 35) {
      const massDiff = intField(line, 34, 36, 'mass difference', lineNo);
      if (massDiff !== 0 && zNum > 0) isotopes[i] = checkIsotope(Math.round(ELEMENTS[zNum]!.mass) + massDiff, lineNo);
      const code = intField(line, 36, 39, 'charge code', lineNo);
      if (code < 0 || code > 7) throw new FormatError(`charge code ${code} is outside 0..7`, lineNo);
      charges[i] = LEGACY_CHARGE[code]!;
      if (code === 4) radicals[i] = 2;
    }
    if (zNum === 1 && isotopes[i] === 0) {
      if (symbol === 'D') isotopes[i] = 2;
      else if (symbol === 'T') isotopes[i] = 3;
    }
  }
  for (let k = 0; k < nBonds; k++, row++) {
    const line = lines[row]!;
    const lineNo = firstLine + row;
    if (line.length < 9) throw new FormatError(`bond line is too short (${line.length} characters, at least 9 needed)`, lineNo);
    const a = intField(line, 0, 3, 'bond atom', lineNo);
    const b = intField(line, 3, 6, 'bond atom', lineNo);
    const type = intField(line, 6, 9, 'bond type', lineNo);
    if (a < 1 || a > nAtoms || b < 1 || b > nAtoms || a === b) throw new FormatError(`bond ${k + 1} joins atoms ${a} and ${b}; the record has ${nAtoms} atoms`, lineNo);
    if (type < 1 || type > 8) throw new FormatError(`bond type ${type} is outside 1..8`, lineNo);
    bonds[k] = { a: a - 1, b: b - 1, order: BOND_ORDER_OF_TYPE[type]! };
  }
  // Properties block, up to M  END. Any M  CHG / M  RAD / M  ISO line resets the atom-block values.
  let resetCharges = false, resetIsotopes = false;
  for (; row < lines.length; row++) {
    const line = lines[row]!;
    if (line.startsWith('M  END')) {
      row++;
      break;
    }
    if (line.charCodeAt(0) === 62 /* > */ || line.startsWith('$$$$')) break; // data fields without M  END
    if (!line.startsWith('M  ')) continue;
    const tag = line.slice(3, 6);
    if (tag !== 'CHG' && tag !== 'ISO' && tag !== 'RAD') continue;
    const lineNo = firstLine + row;
    if (!resetCharges && (tag === 'CHG' || tag === 'RAD')) {
      charges.fill(0);
      radicals.fill(0);
      resetCharges = true;
    }
    if (!resetIsotopes && tag === 'ISO') {
      isotopes.fill(0);
      resetIsotopes = true;
    }
    const entries = intField(line, 6, 9, `${tag} entry count`, lineNo);
    if (entries < 1 || entries > 8) throw new FormatError(`M  ${tag} entry count ${entries} is outside 1..8`, lineNo);
    for (let e = 0; e < entries; e++) {
      const start = 9 + 8 * e;
      if (line.length < start + 8) throw new FormatError(`M  ${tag} line ends before entry ${e + 1} of ${entries}`, lineNo);
      const atom = intField(line, start, start + 4, 'atom number', lineNo);
      const value = intField(line, start + 4, start + 8, `${tag} value`, lineNo);
      if (atom < 1 || atom > nAtoms) throw new FormatError(`M  ${tag} refers to atom ${atom}; the record has ${nAtoms} atoms`, lineNo);
      if (tag === 'CHG') charges[atom - 1] = checkCharge(value, lineNo);
      else if (tag === 'ISO') isotopes[atom - 1] = checkIsotope(value, lineNo);
      else radicals[atom - 1] = checkRadical(value, lineNo);
    }
  }
  return { result: { ...arrays, version: 'V2000' }, next: row };
}

/** V3000 logical lines: 'M  V30 ' prefix removed, '-' continuations joined, with their first file line. */
function* v30Lines(lines: readonly string[], start: number, firstLine: number): Generator<{ text: string; lineNo: number; row: number }> {
  let row = start;
  while (row < lines.length) {
    const line = lines[row]!;
    if (line.startsWith('M  END')) return;
    const lineNo = firstLine + row;
    if (!line.startsWith('M  V30 ')) {
      if (line.charCodeAt(0) === 62 /* > */ || line.startsWith('$$$$')) return;
      row++;
      continue;
    }
    let text = line.slice(7);
    const first = row;
    while (text.endsWith('-') && row + 1 < lines.length && lines[row + 1]!.startsWith('M  V30 ')) {
      row++;
      text = text.slice(0, -1) + lines[row]!.slice(7);
    }
    row++;
    yield { text: text.trim(), lineNo, row: first };
  }
}

/** Splits a V3000 line into tokens, keeping quoted strings and parenthesised lists whole. */
function v30Tokens(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && text[i] === ' ') i++;
    if (i >= text.length) break;
    let j = i;
    let depth = 0;
    let quoted = false;
    while (j < text.length) {
      const c = text[j]!;
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === '(' || c === '[')) depth++;
      else if (!quoted && (c === ')' || c === ']')) depth--;
      else if (c === ' ' && !quoted && depth <= 0) break;
      j++;
    }
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

function v30Number(token: string | undefined, what: string, lineNo: number): number {
  const value = Number(token);
  if (token === undefined || token === '' || !Number.isFinite(value)) throw new FormatError(`${what} '${token ?? ''}' is not a number`, lineNo);
  return value;
}

function v30Int(token: string | undefined, what: string, lineNo: number): number {
  const value = v30Number(token, what, lineNo);
  if (!Number.isInteger(value)) throw new FormatError(`${what} '${token}' is not an integer`, lineNo);
  return value;
}

function parseV3000(lines: readonly string[], firstLine: number): { result: ReturnType<typeof newArrays> & { version: MolfileVersion }; next: number } {
  let arrays: ReturnType<typeof newArrays> | undefined;
  let section: 'none' | 'ctab' | 'atom' | 'bond' | 'other' = 'none';
  let atomsSeen = 0, bondsSeen = 0;
  const indexOfId = new Map<number, number>();
  let endRow = lines.length;
  let sawEndCtab = false;
  for (const { text, lineNo, row } of v30Lines(lines, 4, firstLine)) {
    endRow = row;
    if (text.startsWith('BEGIN ')) {
      const what = text.slice(6).trim().split(/\s+/)[0];
      if (what === 'CTAB') section = 'ctab';
      else if (what === 'ATOM') {
        if (!arrays) throw new FormatError('BEGIN ATOM before the COUNTS line', lineNo);
        section = 'atom';
      } else if (what === 'BOND') {
        if (!arrays) throw new FormatError('BEGIN BOND before the COUNTS line', lineNo);
        section = 'bond';
      } else section = 'other';
      continue;
    }
    if (text.startsWith('END ')) {
      const what = text.slice(4).trim();
      if (what === 'ATOM' && arrays && atomsSeen !== arrays.numbers.length) {
        throw new FormatError(`COUNTS declares ${arrays.numbers.length} atoms but the atom block has ${atomsSeen}`, lineNo);
      }
      if (what === 'BOND' && arrays && bondsSeen !== arrays.bonds.length) {
        throw new FormatError(`COUNTS declares ${arrays.bonds.length} bonds but the bond block has ${bondsSeen}`, lineNo);
      }
      if (what === 'CTAB') {
        sawEndCtab = true;
        section = 'none';
      } else section = 'ctab';
      continue;
    }
    if (section === 'ctab' && text.startsWith('COUNTS ')) {
      const t = text.slice(7).trim().split(/\s+/);
      const nAtoms = v30Int(t[0], 'atom count', lineNo);
      const nBonds = v30Int(t[1], 'bond count', lineNo);
      if (nAtoms < 0 || nBonds < 0) throw new FormatError(`COUNTS ${nAtoms} ${nBonds} out of range`, lineNo);
      // Every atom and bond needs a line: refuse before allocating for a corrupt count.
      if (nAtoms + nBonds > lines.length) throw new FormatError(`COUNTS declares ${nAtoms} atoms and ${nBonds} bonds but the record has ${lines.length} lines`, lineNo);
      arrays = newArrays(nAtoms, nBonds);
      continue;
    }
    if (section === 'atom' && arrays) {
      const t = v30Tokens(text);
      if (atomsSeen >= arrays.numbers.length) throw new FormatError(`more atoms than the ${arrays.numbers.length} declared by COUNTS`, lineNo);
      if (t.length < 6) throw new FormatError(`atom line has ${t.length} fields; index, type, x, y, z, aamap needed`, lineNo);
      const i = atomsSeen++;
      const id = v30Int(t[0], 'atom index', lineNo);
      if (indexOfId.has(id)) throw new FormatError(`atom index ${id} appears twice`, lineNo);
      indexOfId.set(id, i);
      let symbol = t[1]!;
      if (symbol.startsWith('"') && symbol.endsWith('"') && symbol.length >= 2) symbol = symbol.slice(1, -1);
      arrays.numbers[i] = symbol.startsWith('[') || symbol.startsWith('NOT') ? 0 : atomNumberFor(symbol, lineNo);
      arrays.positions[3 * i] = v30Number(t[2], 'x', lineNo);
      arrays.positions[3 * i + 1] = v30Number(t[3], 'y', lineNo);
      arrays.positions[3 * i + 2] = v30Number(t[4], 'z', lineNo);
      for (let k = 6; k < t.length; k++) {
        const token = t[k]!;
        const eq = token.indexOf('=');
        if (eq < 0) continue;
        const key = token.slice(0, eq).toUpperCase();
        const value = token.slice(eq + 1);
        if (key === 'CHG') arrays.charges[i] = checkCharge(v30Int(value, 'CHG', lineNo), lineNo);
        else if (key === 'MASS') arrays.isotopes[i] = checkIsotope(Math.round(v30Number(value, 'MASS', lineNo)), lineNo);
        else if (key === 'RAD') arrays.radicals[i] = checkRadical(v30Int(value, 'RAD', lineNo), lineNo);
      }
      if (arrays.numbers[i] === 1 && arrays.isotopes[i] === 0) {
        if (symbol === 'D') arrays.isotopes[i] = 2;
        else if (symbol === 'T') arrays.isotopes[i] = 3;
      }
      continue;
    }
    if (section === 'bond' && arrays) {
      const t = v30Tokens(text);
      if (bondsSeen >= arrays.bonds.length) throw new FormatError(`more bonds than the ${arrays.bonds.length} declared by COUNTS`, lineNo);
      if (t.length < 4) throw new FormatError(`bond line has ${t.length} fields; index, type, atom1, atom2 needed`, lineNo);
      const k = bondsSeen++;
      const type = v30Int(t[1], 'bond type', lineNo);
      if (type < 1 || type > 10) throw new FormatError(`bond type ${type} is outside 1..10`, lineNo);
      const idA = v30Int(t[2], 'bond atom', lineNo);
      const idB = v30Int(t[3], 'bond atom', lineNo);
      const a = indexOfId.get(idA), b = indexOfId.get(idB);
      if (a === undefined || b === undefined || a === b) throw new FormatError(`bond ${k + 1} joins atoms ${idA} and ${idB}, which the atom block does not define`, lineNo);
      arrays.bonds[k] = { a, b, order: BOND_ORDER_OF_TYPE[type]! };
    }
  }
  if (!arrays) throw new FormatError('V3000 record without a COUNTS line', firstLine + 3);
  if (atomsSeen !== arrays.numbers.length) throw new FormatError(`COUNTS declares ${arrays.numbers.length} atoms but the atom block has ${atomsSeen}`, firstLine + Math.min(endRow, lines.length - 1));
  if (bondsSeen !== arrays.bonds.length) throw new FormatError(`COUNTS declares ${arrays.bonds.length} bonds but the bond block has ${bondsSeen}`, firstLine + Math.min(endRow, lines.length - 1));
  if (!sawEndCtab) throw new FormatError('V3000 connection table has no END CTAB line', firstLine + Math.min(endRow, lines.length - 1));
  // Continue after M  END (or where the V30 block stopped).
  let next = 4;
  while (next < lines.length && !lines[next]!.startsWith('M  END') && lines[next]!.charCodeAt(0) !== 62) next++;
  if (next < lines.length && lines[next]!.startsWith('M  END')) next++;
  return { result: { ...arrays, version: 'V3000' }, next };
}

/** SD data fields: a header line starting with '>' naming the field in <angle brackets>, value lines, a blank line. */
function parseDataFields(lines: readonly string[], start: number): Array<[string, string]> {
  const data: Array<[string, string]> = [];
  let row = start;
  while (row < lines.length) {
    const line = lines[row]!;
    if (line.charCodeAt(0) !== 62 /* > */) {
      row++;
      continue;
    }
    const open = line.indexOf('<');
    const close = open < 0 ? -1 : line.indexOf('>', open + 1);
    // A header without a <field name> ('> 25 (MD-0894)', old MACCS style) names its field by the text after '>'.
    const name = open >= 0 && close >= 0 ? line.slice(open + 1, close) : line.slice(1).trim() || `field${data.length + 1}`;
    row++;
    const value: string[] = [];
    while (row < lines.length && lines[row]!.trim() !== '') {
      value.push(lines[row]!);
      row++;
    }
    data.push([name, value.join('\n')]);
  }
  return data;
}
