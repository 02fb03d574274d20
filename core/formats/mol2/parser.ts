/**
 * Tripos MOL2 record parser (Tripos "SYBYL Mol2 File Format" reference, 2005): one @<TRIPOS>MOLECULE block's
 * lines -> Mol2Record, no Structure yet. Sections read:
 *
 *   MOLECULE: name; 'atoms [bonds [substructures [features [sets]]]]'; molecule type; charge type; ...
 *   ATOM:     atom_id atom_name x y z atom_type [subst_id [subst_name [charge [status_bits]]]]   (x y z in Å)
 *   BOND:     bond_id origin_atom_id target_atom_id type [status_bits]   (type 1 2 3 am ar du un nc)
 *   CRYSIN:   a b c alpha beta gamma space_group setting   (Å, degrees)
 *
 * Other sections (SUBSTRUCTURE, UNITY_ATOM_ATTR, COMMENT, ...) are skipped; '#' lines are comments.
 * Errors are FormatErrors with the 1-based line in the file (firstLine + offset).
 */
import type { CellParameters } from '../../structure/cell';
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import type { BondOrder } from '../../structure/structure';

/** CRYSIN: the cell's lengths (Å) and angles (degrees), space group and setting. */
export interface Mol2Crystal extends CellParameters {
  readonly spaceGroup: number;
  readonly setting: number;
}

export interface Mol2Bond {
  /** 0-based atom indices (in ATOM order, not atom ids). */
  readonly a: number;
  readonly b: number;
  readonly order: BondOrder;
  /** The MOL2 bond type as written: '1', '2', '3', 'ar', 'am', 'du', 'un'. */
  readonly type: string;
}

export interface Mol2Record {
  readonly name: string;
  readonly moleculeType: string;
  readonly chargeType: string;
  readonly comment: string;
  readonly numbers: Uint8Array;
  /** Å, x y z per atom. */
  readonly positions: Float64Array;
  readonly atomNames: string[];
  /** SYBYL atom types as written ('C.ar', 'N.am', 'Cl'). */
  readonly atomTypes: string[];
  readonly substructureIds: Int32Array;
  readonly substructureNames: string[];
  /** Partial charges (e) from the ATOM charge column; undefined when no atom has one or the charge type is NO_CHARGES. */
  readonly partialCharges: Float64Array | undefined;
  readonly bonds: Mol2Bond[];
  readonly crystal: Mol2Crystal | undefined;
}

/** Bond orders by MOL2 type: amide -> single, aromatic -> 1.5, dummy/unknown -> 0; 'nc' (not connected) makes no bond. */
const BOND_ORDERS: Readonly<Record<string, BondOrder>> = { '1': 1, '2': 2, '3': 3, am: 1, ar: 1.5, du: 0, un: 0 };

/** SYBYL types that are not elements: dummy atoms and lone pairs become atomic number 0. */
const DUMMY_TYPES = new Set(['du', 'lp']);

/**
 * Element of a SYBYL atom type: the part before the dot ('C.3' -> C, 'N.ar' -> N, 'Cl' -> Cl, 'Co.oh' -> Co);
 * 'Du' (and 'Du.C') and 'LP' -> 0; undefined for query types (Any, Hal, Het, Hev) and unknown symbols.
 */
export function elementOfSybylType(type: string): number | undefined {
  const base = type.split('.')[0]!.trim().toLowerCase();
  if (DUMMY_TYPES.has(base)) return 0;
  if (base === '' || base === 'any' || base === 'hal' || base === 'het' || base === 'hev' || base === 'x') return undefined;
  return atomicNumberOf(base);
}

function number(token: string | undefined, what: string, lineNo: number): number {
  const v = Number(token);
  if (token === undefined || token === '' || !Number.isFinite(v)) throw new FormatError(`${what} '${(token ?? '').slice(0, 30)}' is not a number`, lineNo);
  return v;
}

function integer(token: string | undefined, what: string, lineNo: number): number {
  const v = Number(token);
  if (token === undefined || !/^[+-]?\d+$/.test(token) || !Number.isSafeInteger(v)) throw new FormatError(`${what} '${(token ?? '').slice(0, 30)}' is not an integer`, lineNo);
  return v;
}

interface Section {
  readonly name: string;
  /** 1-based file line of the '@<TRIPOS>' line. */
  readonly line: number;
  /** Data lines (comments and blanks removed) with their 1-based file lines. */
  readonly rows: Array<{ text: string; line: number }>;
}

function sectionsOf(lines: readonly string[], firstLine: number): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = firstLine + i;
    const trimmed = line.trim();
    if (trimmed.startsWith('@<TRIPOS>')) {
      current = { name: trimmed.slice(9).toUpperCase(), line: lineNo, rows: [] };
      sections.push(current);
      continue;
    }
    if (trimmed.startsWith('#')) continue;
    if (!current) {
      if (trimmed === '') continue;
      throw new FormatError(`text before '@<TRIPOS>MOLECULE': '${trimmed.slice(0, 40)}'`, lineNo);
    }
    // Blank lines matter in MOLECULE (an empty comment/status line); elsewhere they are skipped.
    if (trimmed === '' && current.name !== 'MOLECULE') continue;
    current.rows.push({ text: line, line: lineNo });
  }
  return sections;
}

function parseCrystal(section: Section): Mol2Crystal {
  const row = section.rows[0];
  if (!row) throw new FormatError('CRYSIN section has no data line', section.line);
  const t = row.text.trim().split(/\s+/);
  if (t.length < 6) throw new FormatError(`CRYSIN needs 'a b c alpha beta gamma space_group setting', found ${t.length} values`, row.line);
  const crystal = {
    a: number(t[0], 'CRYSIN a', row.line),
    b: number(t[1], 'CRYSIN b', row.line),
    c: number(t[2], 'CRYSIN c', row.line),
    alpha: number(t[3], 'CRYSIN alpha', row.line),
    beta: number(t[4], 'CRYSIN beta', row.line),
    gamma: number(t[5], 'CRYSIN gamma', row.line),
    spaceGroup: t[6] === undefined ? 1 : integer(t[6], 'CRYSIN space group', row.line),
    setting: t[7] === undefined ? 1 : integer(t[7], 'CRYSIN setting', row.line),
  };
  if (!(crystal.a > 0 && crystal.b > 0 && crystal.c > 0)) throw new FormatError(`CRYSIN cell lengths must be positive (a=${crystal.a}, b=${crystal.b}, c=${crystal.c})`, row.line);
  return crystal;
}

/** Parses one MOLECULE block. `firstLine` is the 1-based file line of lines[0]. */
export function parseMol2Record(lines: readonly string[], firstLine: number): Mol2Record {
  const sections = sectionsOf(lines, firstLine);
  const molecule = sections.find((s) => s.name === 'MOLECULE');
  if (!molecule) throw new FormatError("no '@<TRIPOS>MOLECULE' section", firstLine);
  const nameRow = molecule.rows[0];
  const countsRow = molecule.rows[1];
  if (!nameRow || !countsRow) throw new FormatError('MOLECULE section needs a name line and a counts line', molecule.line);
  const counts = countsRow.text.trim().split(/\s+/);
  const atomCount = integer(counts[0], 'MOLECULE atom count', countsRow.line);
  const bondCount = counts[1] === undefined ? undefined : integer(counts[1], 'MOLECULE bond count', countsRow.line);
  const moleculeType = molecule.rows[2]?.text.trim() ?? '';
  const chargeType = molecule.rows[3]?.text.trim() ?? '';
  const comment = molecule.rows[5]?.text.trim() ?? '';

  const atomSection = sections.find((s) => s.name === 'ATOM');
  const atomRows = atomSection?.rows ?? [];
  if (atomRows.length !== atomCount) {
    throw new FormatError(`MOLECULE says ${atomCount} atoms, ATOM section has ${atomRows.length}`, atomSection?.line ?? countsRow.line);
  }
  const n = atomCount;
  const numbers = new Uint8Array(n);
  const positions = new Float64Array(3 * n);
  const atomNames = new Array<string>(n);
  const atomTypes = new Array<string>(n);
  const substructureIds = new Int32Array(n);
  const substructureNames = new Array<string>(n);
  const charges = new Float64Array(n);
  let anyCharge = false;
  const indexOfId = new Map<number, number>();
  atomRows.forEach((row, i) => {
    const t = row.text.trim().split(/\s+/);
    if (t.length < 6) throw new FormatError(`atom ${i + 1}: needs 'atom_id atom_name x y z atom_type', found ${t.length} values`, row.line);
    const id = integer(t[0], `atom ${i + 1}: atom id`, row.line);
    if (indexOfId.has(id)) throw new FormatError(`atom ${i + 1}: atom id ${id} is used twice`, row.line);
    indexOfId.set(id, i);
    atomNames[i] = t[1]!;
    positions[3 * i] = number(t[2], `atom ${i + 1}: x coordinate`, row.line);
    positions[3 * i + 1] = number(t[3], `atom ${i + 1}: y coordinate`, row.line);
    positions[3 * i + 2] = number(t[4], `atom ${i + 1}: z coordinate`, row.line);
    const type = t[5]!;
    const z = elementOfSybylType(type);
    if (z === undefined) throw new FormatError(`atom ${i + 1} (${t[1]}): unknown SYBYL atom type '${type.slice(0, 20)}'`, row.line);
    numbers[i] = z;
    atomTypes[i] = type;
    substructureIds[i] = t[6] === undefined ? 1 : integer(t[6], `atom ${i + 1}: substructure id`, row.line);
    substructureNames[i] = t[7] ?? '';
    if (t[8] !== undefined) {
      charges[i] = number(t[8], `atom ${i + 1}: charge`, row.line);
      anyCharge = true;
    }
  });

  const bonds: Mol2Bond[] = [];
  const bondSection = sections.find((s) => s.name === 'BOND');
  const bondRows = bondSection?.rows ?? [];
  if (bondCount !== undefined && bondRows.length !== bondCount) {
    throw new FormatError(`MOLECULE says ${bondCount} bonds, BOND section has ${bondRows.length}`, bondSection?.line ?? countsRow.line);
  }
  bondRows.forEach((row, k) => {
    const t = row.text.trim().split(/\s+/);
    if (t.length < 4) throw new FormatError(`bond ${k + 1}: needs 'bond_id origin target type', found ${t.length} values`, row.line);
    const from = integer(t[1], `bond ${k + 1}: origin atom id`, row.line);
    const to = integer(t[2], `bond ${k + 1}: target atom id`, row.line);
    const a = indexOfId.get(from);
    const b = indexOfId.get(to);
    if (a === undefined || b === undefined) throw new FormatError(`bond ${k + 1}: atom id ${a === undefined ? from : to} is not in the ATOM section`, row.line);
    if (a === b) throw new FormatError(`bond ${k + 1}: bonds atom id ${from} to itself`, row.line);
    const type = t[3]!.toLowerCase();
    if (type === 'nc') return; // 'not connected'
    const order = BOND_ORDERS[type];
    if (order === undefined) throw new FormatError(`bond ${k + 1}: unknown bond type '${t[3]!.slice(0, 10)}' (expected 1, 2, 3, ar, am, du, un or nc)`, row.line);
    bonds.push({ a, b, order, type });
  });

  const crysin = sections.find((s) => s.name === 'CRYSIN');
  const withCharges = anyCharge && chargeType.toUpperCase() !== 'NO_CHARGES';
  return {
    name: nameRow.text.trim(),
    moleculeType,
    chargeType,
    comment,
    numbers,
    positions,
    atomNames,
    atomTypes,
    substructureIds,
    substructureNames,
    partialCharges: withCharges ? charges : undefined,
    bonds,
    crystal: crysin ? parseCrystal(crysin) : undefined,
  };
}
