/** CIF: small-molecule / crystal CIF (one structure per data_ block, symmetry expanded) and PDBx/mmCIF coordinates. */
import type { StructureFormat } from '../format';
import { parseCifBlock } from './parser';
import { CifSplitter } from './splitter';
import { cifBlockToStructure } from './to-structure';
import { mmcifBlockToStructure } from './mmcif';
import { createCifWriter } from './writer';

export { parseCifBlock, tokenizeCif, cifNumber, type CifBlock, type CifToken } from './parser';
export { parseSymmetryOperation, expandSites, DEFAULT_SYMPREC, type SymmetryOperation } from './symmetry';
export { cifBlockToStructure, elementFromLabel } from './to-structure';
export { mmcifBlockToStructure } from './mmcif';
export { CifSplitter } from './splitter';
export { createCifWriter } from './writer';

/** mmCIF writes dotted category tags (_atom_site.Cartn_x); small-molecule CIF uses _atom_site_fract_x. */
function hasMmcifAtoms(head: string): boolean {
  return /^\s*_atom_site\.(cartn_x|group_pdb|id)\b/im.test(head);
}

export function sniffCif(head: string): number {
  if (!/^\s*data_\S*/im.test(head)) return 0;
  if (hasMmcifAtoms(head)) return 0.4;
  if (/^\s*_(cell_length_a|atom_site_fract_x|symmetry_equiv_pos_as_xyz|space_group_symop_operation_xyz)\b/im.test(head)) return 0.95;
  if (/^\s*(loop_|_\w+)/im.test(head)) return 0.6;
  return 0.3;
}

export function sniffMmcif(head: string): number {
  if (!/^\s*data_\S*/im.test(head)) return 0;
  if (hasMmcifAtoms(head)) return 0.97;
  if (/^\s*_(entry|pdbx_\w+|struct|entity)\./im.test(head)) return 0.8;
  return 0;
}

export const cifFormat: StructureFormat = {
  id: 'cif',
  name: 'Crystallographic Information File (CIF)',
  extensions: ['cif'],
  sniff: sniffCif,
  createSplitter: () => new CifSplitter(),
  parseRecord: (chunk, file) => cifBlockToStructure(parseCifBlock(chunk), { file, format: 'cif', record: chunk.index, line: chunk.firstLine }),
  createWriter: createCifWriter,
};

/** PDBx/mmCIF: shares the .cif extension; the registry picks it by content (sniffing). */
export const mmcifFormat: StructureFormat = {
  id: 'mmcif',
  name: 'PDBx/mmCIF',
  extensions: ['cif', 'mmcif'],
  sniff: sniffMmcif,
  createSplitter: () => new CifSplitter(),
  parseRecord: (chunk, file) => mmcifBlockToStructure(parseCifBlock(chunk), { file, format: 'mmcif', record: chunk.index, line: chunk.firstLine }),
};
