/**
 * VASP POSCAR / CONTCAR parser: one file's lines -> PoscarData (no Structure yet).
 *
 *   1  comment (VASP 4: often the element symbols)
 *   2  scale factor: one number (negative = target cell volume in Å³) or three per-axis factors
 *   3-5 lattice vectors a, b, c
 *   6  species line (VASP 5; absent in VASP 4)
 *   7  atom counts per species
 *   [Selective dynamics]   (first letter S/s)
 *   Direct | Cartesian     (first letter C/c/K/k = Cartesian, anything else = Direct)
 *   one line per atom: x y z [T|F T|F T|F] [label]
 *   anything after the atoms (velocities, predictor-corrector block) is ignored.
 *
 * Errors are FormatError with the 1-based line in the file.
 */
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import { cellVolume } from '../../structure/cell';
import type { RecordChunk } from '../format';
import { parseFloatToken } from '../xyz/comment';

export interface PoscarData {
  readonly comment: string;
  /** Scale line as given: one factor, a negative volume, or three factors. */
  readonly scale: readonly number[];
  /** Lattice vectors as rows after scaling (Å). */
  readonly cell: Float64Array;
  /** Element symbol of each species in order, and how many atoms of each. */
  readonly species: readonly string[];
  readonly counts: readonly number[];
  /** Whether the file has a species line (VASP 5) or took the symbols from elsewhere (VASP 4). */
  readonly vasp5: boolean;
  readonly coordinates: 'direct' | 'cartesian';
  /** Atomic numbers, one per atom. */
  readonly numbers: Uint8Array;
  /** Cartesian positions (Å), [n * 3]. */
  readonly positions: Float64Array;
  /** Selective dynamics flags (true = may move along that axis), [n * 3]; undefined without selective dynamics. */
  readonly selectiveDynamics?: Uint8Array;
}

const MAX_POSCAR_ATOMS = 10_000_000;

/** Element symbol at the start of a POTCAR-style species name: 'Fe_pv' -> 'Fe', 'Si/1a2b' -> 'Si', 'O_h' -> 'O'. */
export function speciesSymbol(name: string): string | undefined {
  const match = /^([A-Za-z][a-z]?)(?:$|[_/.\-0-9:])/.exec(name);
  if (match && atomicNumberOf(match[1]!) !== undefined) return match[1]!;
  const one = /^([A-Za-z])/.exec(name);
  if (one && atomicNumberOf(one[1]!) !== undefined && !/^[A-Za-z][a-z]/.test(name)) return one[1]!;
  return undefined;
}

function numbersOn(line: string, count: number, what: string, lineNo: number): number[] {
  const tokens = line.trim().split(/\s+/);
  if (tokens.length < count || tokens[0] === '') throw new FormatError(`${what}: expected ${count} numbers, found '${line.trim().slice(0, 60)}'`, lineNo);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const v = parseFloatToken(tokens[k]!);
    if (v === undefined || !Number.isFinite(v)) throw new FormatError(`${what}: '${tokens[k]!.slice(0, 30)}' is not a number`, lineNo);
    out.push(v);
  }
  return out;
}

/** Symbols from a VASP 4 comment line such as 'Ag Ge' or 'Si2 O4 quartz' (words that are formulas of known elements). */
function symbolsFromComment(comment: string): string[] {
  const out: string[] = [];
  for (const word of comment.split(/\s+/)) {
    const cleaned = word.replace(/[-_,.=0-9]/g, '');
    if (cleaned === '') continue;
    const parts = cleaned.match(/[A-Z][a-z]?/g);
    if (!parts || parts.join('') !== cleaned) continue;
    if (!parts.every((p) => atomicNumberOf(p) !== undefined)) continue;
    out.push(...parts);
  }
  return out;
}

export function parsePoscar(chunk: RecordChunk): PoscarData {
  const lines = chunk.lines;
  const first = chunk.firstLine;
  const lineAt = (i: number, what: string): string => {
    const line = lines[i];
    if (line === undefined) throw new FormatError(`file ends before the ${what}`, first + Math.max(0, lines.length - 1));
    return line;
  };
  const comment = lineAt(0, 'comment line').trim();

  const scaleTokens = lineAt(1, 'scale factor line').trim().split(/\s+/);
  const scale: number[] = [];
  for (const t of scaleTokens.slice(0, 3)) {
    const v = parseFloatToken(t);
    if (v === undefined || !Number.isFinite(v)) break;
    scale.push(v);
  }
  if (scale.length === 2) scale.pop();
  if (scale.length === 0) throw new FormatError(`scale factor '${scaleTokens[0]?.slice(0, 30) ?? ''}' is not a number`, first + 1);
  if (scale.length === 3 && scale.some((s) => s <= 0)) throw new FormatError('three scale factors must all be positive', first + 1);
  if (scale.length === 1 && scale[0] === 0) throw new FormatError('scale factor is zero', first + 1);

  const raw = new Float64Array(9);
  for (let v = 0; v < 3; v++) {
    const xyz = numbersOn(lineAt(2 + v, `lattice vector ${'abc'[v]}`), 3, `lattice vector ${'abc'[v]}`, first + 2 + v);
    raw.set(xyz, 3 * v);
  }
  // Cartesian coordinates are scaled like the lattice: per axis, by one factor, or by the volume-derived factor.
  let factors: readonly number[];
  if (scale.length === 3) {
    factors = scale;
  } else if (scale[0]! < 0) {
    const volume = Math.abs(cellVolume(raw));
    if (!(volume > 0)) throw new FormatError('lattice vectors have zero volume, cannot apply a negative (volume) scale', first + 1);
    const factor = Math.cbrt(-scale[0]! / volume);
    factors = [factor, factor, factor];
  } else {
    factors = [scale[0]!, scale[0]!, scale[0]!];
  }
  const cell = new Float64Array(9);
  for (let v = 0; v < 3; v++) for (let k = 0; k < 3; k++) cell[3 * v + k] = raw[3 * v + k]! * factors[k]!;

  let index = 5;
  let line = lineAt(index, 'atom counts line');
  let tokens = line.trim().split(/\s+/);
  let vasp5 = false;
  let speciesNames: string[] = [];
  if (tokens[0] !== undefined && !/^\d+$/.test(tokens[0])) {
    vasp5 = true;
    speciesNames = tokens.filter((t) => !t.startsWith('!') && t !== '');
    const cut = speciesNames.findIndex((t) => t.includes('!'));
    if (cut >= 0) speciesNames = speciesNames.slice(0, cut);
    index++;
    line = lineAt(index, 'atom counts line');
    tokens = line.trim().split(/\s+/);
  }
  const countsLine = first + index;
  const counts: number[] = [];
  for (const t of tokens) {
    if (t.includes('!')) break;
    if (!/^\d+$/.test(t)) throw new FormatError(`atom count '${t.slice(0, 30)}' is not a non-negative integer`, countsLine);
    counts.push(Number(t));
  }
  if (counts.length === 0) throw new FormatError('no atom counts', countsLine);
  const total = counts.reduce((s, c) => s + c, 0);
  if (total > MAX_POSCAR_ATOMS) throw new FormatError(`${total} atoms is more than this reader accepts`, countsLine);
  index++;

  let symbols: string[];
  if (vasp5) {
    if (speciesNames.length !== counts.length) {
      throw new FormatError(`${speciesNames.length} species names but ${counts.length} atom counts`, countsLine);
    }
    symbols = speciesNames.map((name) => {
      const symbol = speciesSymbol(name);
      if (symbol === undefined) throw new FormatError(`unknown element '${name.slice(0, 20)}' in the species line`, countsLine - 1);
      return symbol;
    });
  } else {
    symbols = symbolsFromComment(comment).slice(0, counts.length);
  }

  let modeLine = lineAt(index, 'coordinate mode line (Direct or Cartesian)');
  const selective = /^\s*[sS]/.test(modeLine);
  if (selective) {
    index++;
    modeLine = lineAt(index, 'coordinate mode line (Direct or Cartesian)');
  }
  const cartesian = /^\s*[cCkK]/.test(modeLine);
  index++;

  const numbers = new Uint8Array(total);
  const positions = new Float64Array(total * 3);
  const selectiveDynamics = selective ? new Uint8Array(total * 3) : undefined;
  const labels: string[] = [];
  for (let atom = 0; atom < total; atom++) {
    const lineNo = first + index + atom;
    const atomLine = lineAt(index + atom, `coordinates of atom ${atom + 1} of ${total}`);
    const parts = atomLine.trim().split(/\s+/);
    if (parts.length < 3 || parts[0] === '') throw new FormatError(`atom ${atom + 1}: expected x y z, found '${atomLine.trim().slice(0, 60)}'`, lineNo);
    for (let k = 0; k < 3; k++) {
      const v = parseFloatToken(parts[k]!);
      if (v === undefined || !Number.isFinite(v)) throw new FormatError(`atom ${atom + 1}: coordinate '${parts[k]!.slice(0, 30)}' is not a number`, lineNo);
      positions[3 * atom + k] = v;
    }
    let next = 3;
    if (selectiveDynamics) {
      for (let k = 0; k < 3; k++) {
        const flag = parts[3 + k];
        if (flag !== 'T' && flag !== 'F' && flag !== 't' && flag !== 'f' && flag !== '.TRUE.' && flag !== '.FALSE.') {
          throw new FormatError(`atom ${atom + 1}: selective dynamics flag '${(flag ?? '').slice(0, 20)}' is not T or F`, lineNo);
        }
        selectiveDynamics[3 * atom + k] = flag === 'T' || flag === 't' || flag === '.TRUE.' ? 1 : 0;
      }
      next = 6;
    }
    labels.push(parts[next] ?? '');
  }

  // Element of each atom: species line (VASP 5), comment line symbols (VASP 4), else per-atom labels.
  if (symbols.length < counts.length) {
    const fromLabels: string[] = [];
    let atom = 0;
    for (const count of counts) {
      const symbol = count > 0 ? speciesSymbol(labels[atom]!.replace(/^[^A-Za-z]+/, '')) : 'X';
      if (symbol === undefined) {
        throw new FormatError('VASP 4 file without element symbols (no species line, comment line or atom labels name them)', first);
      }
      fromLabels.push(symbol);
      atom += count;
    }
    symbols = fromLabels;
  }
  let atom = 0;
  for (let s = 0; s < counts.length; s++) {
    const z = atomicNumberOf(symbols[s]!) ?? 0;
    for (let c = 0; c < counts[s]!; c++) numbers[atom++] = z;
  }

  if (cartesian) {
    for (let i = 0; i < total; i++) for (let k = 0; k < 3; k++) positions[3 * i + k] = positions[3 * i + k]! * factors[k]!;
  } else {
    for (let i = 0; i < total; i++) {
      const f0 = positions[3 * i]!;
      const f1 = positions[3 * i + 1]!;
      const f2 = positions[3 * i + 2]!;
      for (let k = 0; k < 3; k++) positions[3 * i + k] = f0 * cell[k]! + f1 * cell[3 + k]! + f2 * cell[6 + k]!;
    }
  }
  return {
    comment,
    scale,
    cell,
    species: symbols,
    counts,
    vasp5,
    coordinates: cartesian ? 'cartesian' : 'direct',
    numbers,
    positions,
    ...(selectiveDynamics ? { selectiveDynamics } : {}),
  };
}
