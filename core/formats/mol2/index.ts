/** Tripos MOL2 ('.mol2', '.ml2'): multi-record, SYBYL atom types, partial charges, bond orders, CRYSIN cell. */
import { FormatError } from '../../structure/errors';
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { parseMol2Record } from './parser';
import { createMol2Splitter } from './splitter';
import { mol2RecordToStructure } from './to-structure';

export { parseMol2Record, elementOfSybylType, type Mol2Record, type Mol2Bond, type Mol2Crystal } from './parser';
export { createMol2Splitter } from './splitter';
export { mol2RecordToStructure } from './to-structure';

/** Confidence that `head` is MOL2: an '@<TRIPOS>MOLECULE' line (else any '@<TRIPOS>' section line). */
export function sniffMol2(head: string): number {
  if (/^@<TRIPOS>MOLECULE\s*$/im.test(head)) return 0.95;
  if (/^@<TRIPOS>[A-Z_]+\s*$/m.test(head)) return 0.6;
  return 0;
}

export const mol2Format: StructureFormat = {
  id: 'mol2',
  name: 'Tripos MOL2',
  extensions: ['mol2', 'ml2'],
  sniff: sniffMol2,
  createSplitter: createMol2Splitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const record = parseMol2Record(chunk.lines, chunk.firstLine);
    try {
      return mol2RecordToStructure(record, { file, format: 'mol2', record: chunk.index, line: chunk.firstLine });
    } catch (error) {
      if (error instanceof RangeError) throw new FormatError(error.message, chunk.firstLine);
      throw error;
    }
  },
};
