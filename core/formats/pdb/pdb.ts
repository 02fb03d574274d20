/**
 * Protein Data Bank format (wwPDB v3.3 fixed columns): ATOM/HETATM, CRYST1, MODEL/ENDMDL, CONECT.
 * Pure: one model's lines in, a typed PdbModel out; errors are FormatErrors with 1-based file lines.
 * Alternate locations: the highest-occupancy location of each atom is kept (the first on ties).
 */
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import { cellFromParameters, type CellParameters } from '../../structure/cell';

/** CRYST1: cell lengths (Å), angles (degrees) and the space-group symbol. */
export interface PdbCrystal extends CellParameters {
  readonly spaceGroup: string;
}

export interface PdbAtoms {
  readonly count: number;
  readonly serial: Int32Array;
  readonly numbers: Uint8Array;
  readonly positions: Float64Array;
  readonly atomName: string[];
  readonly altLoc: string[];
  readonly residueName: string[];
  readonly chainId: string[];
  readonly residueNumber: Int32Array;
  readonly insertionCode: string[];
  readonly occupancy: Float64Array;
  readonly bFactor: Float64Array;
  readonly formalCharge: Int8Array;
  /** 1 for HETATM records. */
  readonly hetero: Uint8Array;
  /** PDBQT only: partial charge (e) from columns 71-76. */
  readonly partialCharge?: Float64Array;
  /** PDBQT only: AutoDock atom type from columns 78-79 ('A', 'OA', 'HD', ...). */
  readonly autodockType?: string[];
}

export interface PdbModel {
  readonly title: string;
  /** MODEL serial number, undefined when the file has no MODEL records. */
  readonly modelNumber: number | undefined;
  readonly crystal: PdbCrystal | undefined;
  readonly atoms: PdbAtoms;
  /** CONECT pairs as atom serial numbers (each pair once, smaller first). */
  readonly conect: ReadonlyArray<readonly [number, number]>;
}

const STANDARD_RESIDUES = new Set([
  'ALA', 'ARG', 'ASN', 'ASP', 'CYS', 'GLN', 'GLU', 'GLY', 'HIS', 'ILE', 'LEU', 'LYS', 'MET', 'PHE', 'PRO', 'SER',
  'THR', 'TRP', 'TYR', 'VAL', 'SEC', 'PYL', 'HID', 'HIE', 'HIP', 'HSD', 'HSE', 'HSP', 'CYX', 'CYM', 'ASH', 'GLH',
  'LYN', 'ACE', 'NME', 'NMA', 'A', 'C', 'G', 'U', 'T', 'DA', 'DC', 'DG', 'DT', 'DU', 'HOH', 'WAT', 'SOL', 'TIP3',
]);

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/**
 * Element of an atom without columns 77-78, from the atom name (columns 13-16): by convention the symbol
 * is right-justified in columns 13-14, so ' CA ' is carbon alpha and 'CA  ' calcium. Hydrogens with
 * four-character names ('HG12', '1HB ') and standard residues (always single-letter elements) are special-cased.
 */
export function inferElement(name: string, residueName: string, hetero: boolean): number | undefined {
  const n = name.padEnd(4, ' ');
  const c0 = n[0]!, c1 = n[1]!;
  const trimmed = n.trim();
  // An ion named like its residue ('CA' in residue CA, 'ZN' in ZN), however it is justified.
  if (hetero && trimmed.length <= 2 && trimmed.toUpperCase() === residueName.toUpperCase() && /^[A-Za-z]+$/.test(trimmed)) {
    const ion = atomicNumberOf(trimmed);
    if (ion !== undefined) return ion;
  }
  if (!isLetter(c0)) {
    // ' CA ', '1HB ', ' N  ': the element is in column 14 (or the first letter after digits).
    const letters = trimmed.replace(/^[^A-Za-z]+/, '');
    if (isLetter(c1)) return atomicNumberOf(c1);
    return letters ? atomicNumberOf(letters[0]!) : undefined;
  }
  const upper0 = c0.toUpperCase();
  const two = isLetter(c1) ? upper0 + c1.toLowerCase() : undefined;
  const twoZ = two ? atomicNumberOf(two) : undefined;
  if (!hetero || STANDARD_RESIDUES.has(residueName.toUpperCase())) {
    // Protein / nucleic acid atoms: 'HG12' is hydrogen, 'CA  ' written left-justified is still carbon.
    if (upper0 === 'H' || STANDARD_RESIDUES.has(residueName.toUpperCase())) return atomicNumberOf(upper0);
    return twoZ ?? atomicNumberOf(upper0);
  }
  // HETATM: ions named like their residue ('CA' in CA, 'ZN' in ZN) and 'CL1' are two-letter elements;
  // ligand hydrogens such as 'H12' or 'HO3' stay hydrogen unless the name is exactly the element.
  if (upper0 === 'H' && trimmed.toUpperCase() !== residueName.toUpperCase()) return 1;
  return twoZ ?? atomicNumberOf(upper0);
}

/** Columns 79-80: '2+', '1-', also '+2', '-', '+'. */
function parseCharge(text: string, lineNo: number): number {
  const t = text.trim();
  if (t === '') return 0;
  let m = /^(\d)([+-])$/.exec(t);
  if (m) return (m[2] === '-' ? -1 : 1) * Number(m[1]);
  m = /^([+-])(\d)?$/.exec(t);
  if (m) return (m[1] === '-' ? -1 : 1) * Number(m[2] ?? 1);
  // AutoDock writes its atom type ('OA', 'HD') in columns 78-79: say so rather than only refusing the charge.
  const hint = /^[A-Za-z]+$/.test(t) ? "; this looks like an AutoDock atom type: is it a PDBQT file (read it as format 'pdbqt' or name it .pdbqt)?" : '';
  throw new FormatError(`formal charge '${t}' (columns 79-80) is not like '2+' or '1-'${hint}`, lineNo);
}

function coordinate(line: string, start: number, what: string, lineNo: number): number {
  const text = line.slice(start, start + 8);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new FormatError(`${what} coordinate '${text.trim()}' (columns ${start + 1}-${start + 8}) is not a number`, lineNo);
  return value;
}

function optionalNumber(line: string, start: number, end: number, fallback: number, what: string, lineNo: number): number {
  const text = line.slice(start, end).trim();
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new FormatError(`${what} '${text}' (columns ${start + 1}-${end}) is not a number`, lineNo);
  return value;
}

function parseCryst1(line: string, lineNo: number): PdbCrystal {
  const num = (s: number, e: number, what: string) => {
    const text = line.slice(s, e).trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new FormatError(`CRYST1 ${what} '${text}' is not a number`, lineNo);
    return v;
  };
  const crystal = {
    a: num(6, 15, 'a'), b: num(15, 24, 'b'), c: num(24, 33, 'c'),
    alpha: num(33, 40, 'alpha'), beta: num(40, 47, 'beta'), gamma: num(47, 54, 'gamma'),
    spaceGroup: line.slice(55, 66).trim(),
  };
  for (const angle of [crystal.alpha, crystal.beta, crystal.gamma]) {
    if (!(angle > 0 && angle < 180)) throw new FormatError(`CRYST1 angle ${angle} is outside (0, 180) degrees`, lineNo);
  }
  if (!(crystal.a > 0 && crystal.b > 0 && crystal.c > 0)) throw new FormatError('CRYST1 cell lengths must be positive', lineNo);
  try {
    cellFromParameters(crystal.a, crystal.b, crystal.c, crystal.alpha, crystal.beta, crystal.gamma);
  } catch (error) {
    throw new FormatError(`CRYST1: ${(error as Error).message}`, lineNo);
  }
  return crystal;
}

interface AtomRow {
  serial: number;
  z: number;
  x: number;
  y: number;
  zc: number;
  name: string;
  altLoc: string;
  resName: string;
  chain: string;
  resSeq: number;
  iCode: string;
  occupancy: number;
  bFactor: number;
  charge: number;
  hetero: boolean;
  partialCharge: number;
  autodockType: string;
}

/** Column layout of the ATOM/HETATM records: wwPDB, or AutoDock's PDBQT (charge and atom type after column 70). */
export interface PdbParseOptions {
  /**
   * PDBQT: columns 71-76 hold the partial charge (e) and 78-79 the AutoDock atom type, which gives the element
   * (see `autodockType`); there is no formal charge column. ROOT/BRANCH/TORSDOF lines are skipped like any
   * record the reader does not use; 'REMARK  Name = ...' names the model.
   */
  readonly pdbqt?: boolean;
  /** Element of an AutoDock atom type; required with `pdbqt`. */
  readonly autodockElement?: (type: string) => number | undefined;
}

/**
 * Parses one model. `headerLines` are lines kept from before the first MODEL (CRYST1, TITLE) for later
 * models; they are reported at `firstLine`.
 */
export function parsePdbModel(lines: readonly string[], firstLine: number, headerLines: readonly string[] = [], options: PdbParseOptions = {}): PdbModel {
  const pdbqt = options.pdbqt === true;
  const rows: AtomRow[] = [];
  const conectSerials: Array<[number, number, number]> = [];
  let crystal: PdbCrystal | undefined;
  let modelNumber: number | undefined;
  const titleParts: string[] = [];
  let headerTitle = '';
  const all = headerLines.length > 0 ? [...headerLines, ...lines] : lines;
  for (let r = 0; r < all.length; r++) {
    const line = all[r]!;
    const lineNo = r < headerLines.length ? firstLine : firstLine + r - headerLines.length;
    const record = line.slice(0, 6);
    if (record === 'ATOM  ' || record === 'HETATM') {
      if (line.length < 54) throw new FormatError(`${record.trim()} record is too short (${line.length} characters, coordinates need 54)`, lineNo);
      const hetero = record === 'HETATM';
      const name = line.slice(12, 16);
      const resName = line.slice(17, 20).trim();
      const elementField = pdbqt ? '' : line.slice(76, 78).trim();
      const autodockType = pdbqt ? line.slice(77, 79).trim() : '';
      let z: number | undefined;
      if (elementField !== '' && isLetter(elementField[0])) z = atomicNumberOf(elementField);
      if (autodockType !== '') {
        z = options.autodockElement?.(autodockType);
        if (z === undefined) throw new FormatError(`atom '${name.trim()}': unknown AutoDock atom type '${autodockType}' (columns 78-79)`, lineNo);
      }
      if (z === undefined) z = inferElement(name, resName, hetero);
      if (z === undefined) throw new FormatError(`cannot tell the element of atom '${name.trim()}' (no element in columns ${pdbqt ? '78-79' : '77-78'})`, lineNo);
      const serialText = line.slice(6, 11).trim();
      const serialValue = Number(serialText);
      const resSeqText = line.slice(22, 26).trim();
      const resSeqValue = Number(resSeqText);
      rows.push({
        serial: serialText !== '' && Number.isInteger(serialValue) ? serialValue : (rows[rows.length - 1]?.serial ?? 0) + 1,
        z,
        x: coordinate(line, 30, 'x', lineNo),
        y: coordinate(line, 38, 'y', lineNo),
        zc: coordinate(line, 46, 'z', lineNo),
        name: name.trim(),
        altLoc: line[16] === ' ' || line[16] === undefined ? '' : line[16]!,
        resName,
        chain: (line[21] ?? ' ').trim(),
        resSeq: Number.isInteger(resSeqValue) ? resSeqValue : 0,
        iCode: (line[26] ?? ' ').trim(),
        occupancy: optionalNumber(line, 54, 60, 1, 'occupancy', lineNo),
        bFactor: optionalNumber(line, 60, 66, 0, 'temperature factor', lineNo),
        charge: pdbqt ? 0 : parseCharge(line.slice(78, 80), lineNo),
        hetero,
        partialCharge: pdbqt ? optionalNumber(line, 70, 76, 0, 'partial charge', lineNo) : 0,
        autodockType,
      });
    } else if (record === 'CONECT') {
      const from = Number(line.slice(6, 11));
      if (line.slice(6, 11).trim() === '' || !Number.isInteger(from)) throw new FormatError(`CONECT atom serial '${line.slice(6, 11).trim()}' is not an integer`, lineNo);
      for (let s = 11; s < 31 && s < line.length; s += 5) {
        const text = line.slice(s, s + 5).trim();
        if (text === '') continue;
        const to = Number(text);
        if (!Number.isInteger(to)) throw new FormatError(`CONECT bonded serial '${text}' is not an integer`, lineNo);
        conectSerials.push([from, to, lineNo]);
      }
    } else if (record === 'CRYST1') {
      crystal = parseCryst1(line, lineNo);
    } else if (record === 'MODEL ') {
      const v = Number(line.slice(10, 14).trim() || line.slice(6).trim());
      modelNumber = Number.isInteger(v) ? v : undefined;
    } else if (record === 'TITLE ') {
      titleParts.push(line.slice(10, 80).trim());
    } else if (record === 'HEADER') {
      headerTitle = line.slice(10, 50).trim();
    } else if (pdbqt && record === 'REMARK' && headerTitle === '') {
      const m = /^REMARK\s+Name\s*=\s*(.*)$/.exec(line);
      if (m) headerTitle = m[1]!.trim();
    }
  }
  if (rows.length === 0) throw new FormatError('PDB model has no ATOM or HETATM records', firstLine);

  // Alternate locations: keep one per (chain, residue, insertion code, atom name).
  let kept = rows;
  if (rows.some((row) => row.altLoc !== '')) {
    const best = new Map<string, number>();
    rows.forEach((row, i) => {
      if (row.altLoc === '') return;
      const key = `${row.chain}|${row.resSeq}|${row.iCode}|${row.name}`;
      const previous = best.get(key);
      if (previous === undefined || row.occupancy > rows[previous]!.occupancy) best.set(key, i);
    });
    const keep = new Set(best.values());
    kept = rows.filter((row, i) => row.altLoc === '' || keep.has(i));
  }

  const n = kept.length;
  const atoms: PdbAtoms = {
    count: n,
    serial: new Int32Array(n),
    numbers: new Uint8Array(n),
    positions: new Float64Array(3 * n),
    atomName: new Array<string>(n),
    altLoc: new Array<string>(n),
    residueName: new Array<string>(n),
    chainId: new Array<string>(n),
    residueNumber: new Int32Array(n),
    insertionCode: new Array<string>(n),
    occupancy: new Float64Array(n),
    bFactor: new Float64Array(n),
    formalCharge: new Int8Array(n),
    hetero: new Uint8Array(n),
    ...(pdbqt ? { partialCharge: new Float64Array(n), autodockType: new Array<string>(n) } : {}),
  };
  kept.forEach((row, i) => {
    atoms.serial[i] = row.serial;
    atoms.numbers[i] = row.z;
    atoms.positions[3 * i] = row.x;
    atoms.positions[3 * i + 1] = row.y;
    atoms.positions[3 * i + 2] = row.zc;
    atoms.atomName[i] = row.name;
    atoms.altLoc[i] = row.altLoc;
    atoms.residueName[i] = row.resName;
    atoms.chainId[i] = row.chain;
    atoms.residueNumber[i] = row.resSeq;
    atoms.insertionCode[i] = row.iCode;
    atoms.occupancy[i] = row.occupancy;
    atoms.bFactor[i] = row.bFactor;
    atoms.formalCharge[i] = row.charge;
    atoms.hetero[i] = row.hetero ? 1 : 0;
    if (atoms.partialCharge) atoms.partialCharge[i] = row.partialCharge;
    if (atoms.autodockType) atoms.autodockType[i] = row.autodockType;
  });
  const pairs = new Map<string, readonly [number, number]>();
  for (const [a, b] of conectSerials) {
    if (a === b) continue;
    const p: [number, number] = a < b ? [a, b] : [b, a];
    pairs.set(`${p[0]}-${p[1]}`, p);
  }
  return {
    title: titleParts.join(' ').trim() || headerTitle,
    modelNumber,
    crystal,
    atoms,
    conect: [...pairs.values()],
  };
}
