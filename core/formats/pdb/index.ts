import { FormatError } from '../../structure/errors';
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { parsePdbModel } from './pdb';
import { createPdbSplitter } from './splitter';
import { pdbModelToStructure } from './to-structure';
import { createPdbWriter } from './writer';

export { parsePdbModel, inferElement, type PdbModel, type PdbAtoms, type PdbCrystal, type PdbParseOptions } from './pdb';
export { pdbqtFormat, sniffPdbqt, elementOfAutodockType } from './pdbqt';
export { pdbModelToStructure } from './to-structure';
export { createPdbSplitter } from './splitter';
export { createPdbWriter } from './writer';

/** Confidence that `head` is PDB: lines starting with ATOM / HETATM / HEADER / CRYST1 / REMARK at fixed columns. */
export function sniffPdb(head: string): number {
  const lines = head.split(/\r\n|\n|\r/, 200);
  let hits = 0;
  for (const line of lines) {
    const record = line.slice(0, 6);
    if ((record === 'ATOM  ' || record === 'HETATM') && line.length >= 54 && /^\s*-?\d+\.\d{3}$/.test(line.slice(30, 38))) hits += 2;
    else if (record === 'HEADER' || record === 'CRYST1' || record === 'REMARK' || record === 'COMPND' || record === 'MODEL ') hits += 1;
  }
  if (hits >= 4) return 0.9;
  if (hits >= 2) return 0.6;
  return 0;
}

export const pdbFormat: StructureFormat = {
  id: 'pdb',
  name: 'Protein Data Bank (PDB)',
  extensions: ['pdb', 'ent'],
  sniff: sniffPdb,
  createSplitter: createPdbSplitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const model = parsePdbModel(chunk.lines, chunk.firstLine, chunk.header);
    try {
      return pdbModelToStructure(model, { file, format: 'pdb', record: chunk.index, line: chunk.firstLine });
    } catch (error) {
      if (error instanceof RangeError) throw new FormatError(error.message, chunk.firstLine);
      throw error;
    }
  },
  createWriter: createPdbWriter,
};
