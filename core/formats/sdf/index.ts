import { FormatError } from '../../structure/errors';
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { parseMolfile } from './molfile';
import { createSdfSplitter } from './splitter';
import { molfileToStructure } from './to-structure';
import { createSdfWriter } from './writer';

export { parseMolfile, sdValue, molfileAtomicNumber, type MolfileRecord, type MolfileVersion } from './molfile';
export { molfileToStructure } from './to-structure';
export { createSdfSplitter } from './splitter';
export { createSdfWriter, writeV2000, writeV3000 } from './writer';

/** Confidence that `head` is a molfile / SD file: a V2000/V3000 counts line on line 4, or '$$$$' / 'M  END'. */
export function sniffSdf(head: string): number {
  const lines = head.split(/\r\n|\n|\r/, 8);
  const counts = lines[3] ?? '';
  if (/^[ \d]{6}.*V[23]000\s*$/.test(counts)) return 0.95;
  if (/^[ \d]{6}/.test(counts) && (head.includes('\nM  END') || head.includes('\n$$$$'))) return 0.85;
  if (head.includes('\nM  END') && head.includes('\n$$$$')) return 0.6;
  return 0;
}

export const sdfFormat: StructureFormat = {
  id: 'sdf',
  name: 'MDL SDF/MOL (V2000/V3000)',
  extensions: ['sdf', 'sd', 'mol', 'mdl'],
  sniff: sniffSdf,
  createSplitter: createSdfSplitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const record = parseMolfile(chunk.lines, chunk.firstLine);
    try {
      return molfileToStructure(record, { file, format: 'sdf', record: chunk.index, line: chunk.firstLine });
    } catch (error) {
      if (error instanceof RangeError) throw new FormatError(error.message, chunk.firstLine);
      throw error;
    }
  },
  createWriter: createSdfWriter,
};
