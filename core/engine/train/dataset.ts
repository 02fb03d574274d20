/**
 * Training sets from structures as any reader gives them: named targets with units, read from extXYZ info keys
 * and per-atom arrays, SDF data fields (both end up in Structure.properties / atomArrays), or a CSV table beside
 * the structure file (matched by row order or by a name column). Values are converted to the trainer's units
 * (eV, eV/Å) and stored under the trainer's keys (`energy`, `forces`); a trainer key that is not a target is removed.
 *
 * A record whose target is missing or not a finite number is left out and reported (file, 1-based record, line),
 * never a crash; the caller prints the count and the first reasons.
 */
import { parseCsvLine } from '../../io/csv-codec';
import type { AtomArray, PropertyValue, Structure } from '../../structure/structure';

/** Energy units in eV. */
export const ENERGY_UNITS: Readonly<Record<string, number>> = {
  eV: 1,
  meV: 1e-3,
  'kcal/mol': 0.0433641039,
  'kJ/mol': 0.0103642697,
  Ha: 27.211386245988,
  hartree: 27.211386245988,
  Ry: 13.605693122994,
};

const BOHR_A = 0.529177210903;

/** Force units in eV/Å. */
export const FORCE_UNITS: Readonly<Record<string, number>> = {
  'eV/Å': 1,
  'eV/A': 1,
  'meV/Å': 1e-3,
  'meV/A': 1e-3,
  'kcal/mol/Å': 0.0433641039,
  'kcal/mol/A': 0.0433641039,
  'kJ/mol/Å': 0.0103642697,
  'kJ/mol/A': 0.0103642697,
  'Ha/Bohr': 27.211386245988 / BOHR_A,
  'Ha/Å': 27.211386245988,
  'Ha/A': 27.211386245988,
};

/** The targets an energy model trains on; the keys the trainer reads them from once labelled. */
export const TRAINER_KEYS = { energy: 'energy', forces: 'forces' } as const;
export type TargetName = keyof typeof TRAINER_KEYS;

export interface TargetSpec {
  readonly name: TargetName;
  /** Unit of the values in the data (converted to eV or eV/Å). */
  readonly unit: string;
  /** Where the values are: an info key / SD field / CSV column (energy) or a per-atom array (forces). */
  readonly key: string;
}

/** 'energy:eV' or 'forces:kcal/mol/Å' (unit optional: eV, eV/Å); `key` defaults to the name. */
export function parseTargetSpec(text: string, keys: Partial<Record<TargetName, string>> = {}): TargetSpec {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (name !== 'energy' && name !== 'forces') {
    throw new Error(`target '${name}': an energy model trains on 'energy' and 'forces' (property targets need a property model)`);
  }
  const units = name === 'energy' ? ENERGY_UNITS : FORCE_UNITS;
  const unit = colon < 0 ? (name === 'energy' ? 'eV' : 'eV/Å') : text.slice(colon + 1).trim();
  if (!(unit in units)) throw new Error(`target ${name}: unknown unit '${unit}' (known: ${Object.keys(units).join(', ')})`);
  return { name, unit, key: keys[name] ?? name };
}

export interface DatasetIssue {
  readonly file: string;
  /** 1-based record within its file. */
  readonly record: number;
  /** 1-based line of the record's first line (0 when unknown). */
  readonly line: number;
  readonly message: string;
}

export function formatIssue(issue: DatasetIssue): string {
  return `${issue.file}: record ${issue.record}${issue.line > 0 ? ` (line ${issue.line})` : ''}: ${issue.message}`;
}

/** A CSV table: header names and rows, each with its 1-based line. */
export interface CsvTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<{ readonly line: number; readonly fields: readonly string[] }>;
}

/** Parses CSV text (header line first; blank lines skipped). Throws naming the file and line of a ragged row. */
export function parseCsvTable(text: string, file: string): CsvTable {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new Error(`${file}: empty CSV (no header line)`);
  const columns = parseCsvLine(lines[headerAt]!).map((c) => c.trim());
  const rows: Array<{ line: number; fields: string[] }> = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const fields = parseCsvLine(lines[i]!);
    if (fields.length !== columns.length) throw new Error(`${file}: line ${i + 1}: ${fields.length} fields, the header has ${columns.length}`);
    rows.push({ line: i + 1, fields });
  }
  return { file, columns, rows };
}

export interface CsvLabels {
  readonly table: CsvTable;
  /** Match rows to structures by this column's value = structure name; default: by order. */
  readonly nameColumn?: string;
}

export interface LabelledDataset {
  /** Structures with every target present and finite, under TRAINER_KEYS in eV / eV/Å. */
  readonly structures: Structure[];
  /** Records left out, with why. */
  readonly skipped: DatasetIssue[];
  readonly targets: readonly TargetSpec[];
  /** Records read. */
  readonly records: number;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A scalar target value: the number, or why there is none. */
function scalarOf(value: PropertyValue | undefined, what: string): number | string {
  if (value === undefined) return `no ${what}`;
  if (typeof value === 'number') return Number.isFinite(value) ? value : `${what} is ${value} (not a finite number)`;
  if (typeof value === 'string') {
    const t = value.trim();
    if (t === '') return `no ${what} (empty)`;
    if (NUMBER_RE.test(t)) return Number(t);
    return /^[+-]?(nan|inf|infinity)$/i.test(t) ? `${what} is ${t} (not a finite number)` : `${what} is '${t}', not a number`;
  }
  return `${what} is not a single number`;
}

function forcesOf(array: AtomArray | undefined, n: number, what: string): Float64Array | string {
  if (!array) return `no ${what}`;
  if (array.kind !== 'float' && array.kind !== 'int') return `${what} is not numeric`;
  if (array.width !== 3) return `${what} has ${array.width} values per atom, expected 3`;
  if (array.data.length !== 3 * n) return `${what} has ${array.data.length / 3} rows for ${n} atoms`;
  const data = Float64Array.from(array.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) return `${what} of atom ${Math.floor(i / 3) + 1} is ${data[i]} (not a finite number)`;
  }
  return data;
}

/** The CSV row of each structure (or a reason there is none). */
function csvRowsFor(structures: readonly Structure[], labels: CsvLabels): Array<{ line: number; fields: readonly string[] } | string> {
  const { table, nameColumn } = labels;
  if (nameColumn === undefined) {
    if (table.rows.length !== structures.length) throw new Error(`${table.file}: ${table.rows.length} rows for ${structures.length} structures (match by order needs one row per record; or name a column to match by)`);
    return [...table.rows];
  }
  const column = table.columns.indexOf(nameColumn);
  if (column < 0) throw new Error(`${table.file}: no column '${nameColumn}' (columns: ${table.columns.join(', ')})`);
  const byName = new Map<string, { line: number; fields: readonly string[] }>();
  for (const row of table.rows) {
    const name = row.fields[column]!.trim();
    const seen = byName.get(name);
    if (seen) throw new Error(`${table.file}: line ${row.line}: name '${name}' also on line ${seen.line}`);
    byName.set(name, row);
  }
  return structures.map((s) => byName.get(s.name) ?? `no row named '${s.name}' in ${table.file}`);
}

/**
 * Keeps the structures that carry every target (finite), converted into the trainer's units and keys. Targets
 * come from the structures' properties and per-atom arrays, or, for per-structure targets, from `csv`.
 */
export function labelDataset(structures: readonly Structure[], targets: readonly TargetSpec[], csv?: CsvLabels): LabelledDataset {
  if (targets.length === 0) throw new Error('no targets: name at least one (energy, forces)');
  const rows = csv ? csvRowsFor(structures, csv) : undefined;
  const out: Structure[] = [];
  const skipped: DatasetIssue[] = [];
  structures.forEach((s, index) => {
    const where = { file: s.provenance?.file ?? '(input)', record: (s.provenance?.record ?? index) + 1, line: s.provenance?.line ?? 0 };
    const properties: Record<string, PropertyValue> = { ...s.properties };
    const atomArrays: Record<string, AtomArray> = { ...s.atomArrays };
    // A trainer key that is not a target is dropped, so that neither the loss nor the metrics see it.
    if (!targets.some((t) => t.name === 'energy')) delete properties[TRAINER_KEYS.energy];
    if (!targets.some((t) => t.name === 'forces')) delete atomArrays[TRAINER_KEYS.forces];
    const problems: string[] = [];
    for (const target of targets) {
      if (target.name === 'energy') {
        let value: number | string;
        if (rows && csv) {
          const row = rows[index]!;
          const column = csv.table.columns.indexOf(target.key);
          if (column < 0) throw new Error(`${csv.table.file}: no column '${target.key}' for target energy (columns: ${csv.table.columns.join(', ')})`);
          value = typeof row === 'string' ? row : scalarOf(row.fields[column], `energy '${target.key}' (${csv.table.file} line ${row.line})`);
        } else {
          value = scalarOf(s.properties[target.key], `energy '${target.key}'`);
        }
        if (typeof value === 'string') problems.push(value);
        else properties[TRAINER_KEYS.energy] = value * ENERGY_UNITS[target.unit]!;
      } else {
        const value = forcesOf(s.atomArrays[target.key], s.numbers.length, `forces '${target.key}'`);
        if (typeof value === 'string') problems.push(value);
        else {
          const scale = FORCE_UNITS[target.unit]!;
          for (let i = 0; i < value.length; i++) value[i] = value[i]! * scale;
          atomArrays[TRAINER_KEYS.forces] = { kind: 'float', width: 3, data: value };
        }
      }
    }
    if (problems.length > 0) skipped.push({ ...where, message: problems.join('; ') });
    else out.push({ ...s, properties, atomArrays });
  });
  return { structures: out, skipped, targets, records: structures.length };
}
