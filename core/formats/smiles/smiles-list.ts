/**
 * SMILES lists: '.smi' (SMILES, whitespace, optional name / ID; '#' comments) and CSV / TSV tables with a
 * SMILES column found by header name (smiles, canonical_smiles ...) or by content (the first column whose
 * values RDKit parses as SMILES). Pure parsing to typed rows here; 3D embedding is a separate step.
 */
import { isValidSmiles } from '../../toolkits/embed';
import { FormatError } from '../../structure/errors';
import type { PropertyValue } from '../../structure/structure';
import { sdValue } from '../sdf/molfile';

export interface SmilesRow {
  readonly smiles: string;
  readonly name: string;
  readonly properties: Record<string, PropertyValue>;
  readonly line: number;
}

/** A line of a .smi file: 'SMILES [name...]'. Throws FormatError for an invalid SMILES. */
export function parseSmiLine(line: string, lineNo: number): SmilesRow {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const smiles = space < 0 ? trimmed : trimmed.slice(0, space);
  const name = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (smiles === '') throw new FormatError('empty line where a SMILES was expected', lineNo);
  if (!isValidSmiles(smiles)) throw new FormatError(`invalid SMILES '${smiles.slice(0, 200)}'`, lineNo);
  return { smiles, name, properties: name ? { name } : {}, line: lineNo };
}

/** Splits one CSV/TSV line; double quotes group fields and "" is a literal quote. */
export function splitDelimited(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

export function detectDelimiter(line: string): string {
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  if (line.includes(';')) return ';';
  return ',';
}

const SMILES_HEADER = /^(canonical[_ ]?|isomeric[_ ]?)?smiles$|smiles/i;
const NAME_HEADER = /^(name|id|title|compound|compound[_ ]?id|cmpd|mol[_ ]?id|molecule)$/i;

export function smilesColumnByName(header: readonly string[]): number {
  const exact = header.findIndex((h) => /^(canonical[_ ]?|isomeric[_ ]?)?smiles$/i.test(h.trim()));
  return exact >= 0 ? exact : header.findIndex((h) => SMILES_HEADER.test(h.trim()));
}

/** Column of the first cell that is a valid SMILES and not a number; -1 when none. */
export function smilesColumnByContent(cells: readonly string[]): number {
  return cells.findIndex((cell) => {
    const t = cell.trim();
    return t !== '' && !/^[-+]?[\d.]+([eE][-+]?\d+)?$/.test(t) && isValidSmiles(t);
  });
}

/** How a table is laid out, decided once from its first rows. */
export interface TableLayout {
  readonly delimiter: string;
  /** Column names ('column1' ... when the file has no header row). */
  readonly columns: readonly string[];
  readonly hasHeader: boolean;
  readonly smilesColumn: number;
}

/** Encodes the layout into RecordChunk.header, which carries it to every record. */
export function encodeLayout(layout: TableLayout): string[] {
  return [JSON.stringify(layout)];
}

export function decodeLayout(header: readonly string[] | undefined, lineNo: number): TableLayout {
  try {
    const layout = JSON.parse(header?.[0] ?? '') as TableLayout;
    if (typeof layout.delimiter === 'string' && Array.isArray(layout.columns) && typeof layout.smilesColumn === 'number') return layout;
  } catch {
    // fall through
  }
  throw new FormatError('table record without a layout (the file has no SMILES column)', lineNo);
}

/**
 * Layout from the first non-blank line: a header row when a cell is named like 'smiles' or no cell is a
 * valid SMILES; smilesColumn is -1 when a header row names no SMILES column (decided by the first data row).
 */
export function layoutOfFirstRow(firstRow: string): TableLayout {
  const delimiter = detectDelimiter(firstRow);
  const first = splitDelimited(firstRow, delimiter).map((c) => c.trim());
  const byName = smilesColumnByName(first);
  if (byName >= 0) return { delimiter, columns: first, hasHeader: true, smilesColumn: byName };
  const byContent = smilesColumnByContent(first);
  if (byContent < 0) return { delimiter, columns: first, hasHeader: true, smilesColumn: -1 };
  return { delimiter, columns: first.map((_, k) => `column${k + 1}`), hasHeader: false, smilesColumn: byContent };
}

/** One data row of a table. */
export function parseTableRow(line: string, lineNo: number, layout: TableLayout): SmilesRow {
  if (layout.smilesColumn < 0) throw new FormatError('no SMILES column: no header named like "smiles" and no column of valid SMILES', lineNo);
  const cells = splitDelimited(line, layout.delimiter);
  const smiles = (cells[layout.smilesColumn] ?? '').trim();
  if (smiles === '') throw new FormatError(`empty SMILES in column ${layout.smilesColumn + 1} (${layout.columns[layout.smilesColumn] ?? ''})`, lineNo);
  if (!isValidSmiles(smiles)) throw new FormatError(`invalid SMILES '${smiles.slice(0, 200)}' in column ${layout.smilesColumn + 1}`, lineNo);
  const properties: Record<string, PropertyValue> = {};
  let name = '';
  cells.forEach((cell, k) => {
    if (k === layout.smilesColumn) return;
    const key = layout.columns[k] || `column${k + 1}`;
    const value = cell.trim();
    properties[key] = sdValue(value);
    if (!name && NAME_HEADER.test(key) && value !== '') name = value;
  });
  return { smiles, name, properties, line: lineNo };
}
