import { loadToolkits } from '../../toolkits/toolkits';
import { smilesToStructure, SmilesError } from '../../toolkits/embed';
import { FormatError } from '../../structure/errors';
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { decodeLayout, parseSmiLine, parseTableRow, type SmilesRow } from './smiles-list';
import { createSmiSplitter, createSmilesTableSplitter } from './splitters';

export * from './smiles-list';
export { createSmiSplitter, createSmilesTableSplitter } from './splitters';

/** Seed of the conformer generator: fixed, so reading a file twice gives the same coordinates. */
const CONFORMER_SEED = 42;

/** 3D structure for a parsed row: hydrogens added, conformer by openchemlib; FormatError on failure. */
export function smilesRowToStructure(row: SmilesRow, file: string, format: string, record: number): Structure {
  try {
    const structure = smilesToStructure(row.smiles, {
      seed: CONFORMER_SEED,
      name: row.name,
      properties: { smiles: row.smiles, ...row.properties },
    });
    return { ...structure, provenance: { file, format, record, line: row.line } };
  } catch (error) {
    if (error instanceof SmilesError || error instanceof RangeError) throw new FormatError(error.message, row.line);
    // openchemlib throws its own errors for molecules it cannot handle.
    throw new FormatError(`cannot build 3D coordinates for '${row.smiles.slice(0, 200)}': ${error instanceof Error ? error.message : String(error)}`, row.line);
  }
}

function sniffSmi(head: string): number {
  const lines = head.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '' && !l.startsWith('#')).slice(0, 20);
  if (lines.length === 0) return 0;
  const smilesLike = lines.filter((l) => /^[A-Za-z0-9@+\-[\]()=#$%/\\.:*]+(\s+\S.*)?$/.test(l.trim()) && /[BCNOPSFIcnops]/.test(l.split(/\s/)[0]!));
  return smilesLike.length === lines.length ? 0.5 : 0;
}

function sniffTable(head: string): number {
  const first = head.split(/\r\n|\n|\r/, 1)[0] ?? '';
  return /(^|[,\t;"])\s*"?(canonical_|isomeric_)?smiles"?\s*($|[,\t;"])/i.test(first) ? 0.9 : 0;
}

async function prepare(): Promise<void> {
  await loadToolkits();
}

export const smilesFormat: StructureFormat = {
  id: 'smi',
  name: 'SMILES list',
  extensions: ['smi', 'smiles', 'ism', 'can'],
  sniff: sniffSmi,
  prepare,
  embeds: true,
  createSplitter: createSmiSplitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const row = parseSmiLine(chunk.lines[0] ?? '', chunk.firstLine);
    return smilesRowToStructure(row, file, 'smi', chunk.index);
  },
};

export const smilesCsvFormat: StructureFormat = {
  id: 'smiles-csv',
  name: 'SMILES table (CSV/TSV)',
  extensions: ['csv', 'tsv'],
  sniff: sniffTable,
  prepare,
  embeds: true,
  createSplitter: createSmilesTableSplitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const row = parseTableRow(chunk.lines[0] ?? '', chunk.firstLine, decodeLayout(chunk.header, chunk.firstLine));
    return smilesRowToStructure(row, file, 'smiles-csv', chunk.index);
  },
};
