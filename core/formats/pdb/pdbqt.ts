/**
 * AutoDock PDBQT (AutoDock 4 / Vina): PDB fixed columns up to 66, then the partial charge in columns 71-76 and
 * the AutoDock atom type in columns 78-79. ROOT/ENDROOT, BRANCH/ENDBRANCH and TORSDOF (the torsion tree) are
 * skipped. Atom types follow AutoDock 4's AD4_parameters.dat and Meeko's extensions.
 */
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { parsePdbModel } from './pdb';
import { createPdbSplitter } from './splitter';
import { pdbModelToStructure } from './to-structure';

/** AutoDock types that are not element symbols: A aromatic C, NA/NS N acceptors, OA/OS, SA/S, HD/HS donors. */
const AUTODOCK_TYPES: Readonly<Record<string, number>> = {
  A: 6,
  C: 6,
  NA: 7,
  NS: 7,
  N: 7,
  OA: 8,
  OS: 8,
  O: 8,
  SA: 16,
  S: 16,
  HD: 1,
  HS: 1,
  H: 1,
  // Hydrated docking water oxygen (W) and Meeko's macrocycle/glue carbons (G0..G9, CG0..CG9).
  W: 8,
};

/** Element of an AutoDock atom type ('A' -> C, 'OA' -> O, 'HD' -> H, 'Cl' / 'CL' -> Cl); undefined when unknown. */
export function elementOfAutodockType(type: string): number | undefined {
  const known = AUTODOCK_TYPES[type] ?? AUTODOCK_TYPES[type.toUpperCase()];
  if (known !== undefined) return known;
  if (/^C?G\d$/i.test(type)) return 6;
  return atomicNumberOf(type);
}

/** Confidence that `head` is PDBQT: PDB atom lines whose columns 71-76 hold a charge, or ROOT/BRANCH/TORSDOF. */
export function sniffPdbqt(head: string): number {
  const lines = head.split(/\r\n|\n|\r/, 200);
  let atoms = 0;
  let tree = 0;
  for (const line of lines) {
    const record = line.slice(0, 6);
    if ((record === 'ATOM  ' || record === 'HETATM') && /^\s*[+-]?\d*\.\d{3}$/.test(line.slice(70, 76)) && line.slice(77, 79).trim() !== '') atoms++;
    else if (/^(ROOT|ENDROOT|BRANCH|ENDBRANCH|TORSDOF)\b/.test(line)) tree++;
  }
  if (atoms >= 1 && tree >= 1) return 0.95;
  if (atoms >= 2) return 0.7;
  return 0;
}

export const pdbqtFormat: StructureFormat = {
  id: 'pdbqt',
  name: 'AutoDock PDBQT',
  extensions: ['pdbqt'],
  sniff: sniffPdbqt,
  createSplitter: createPdbSplitter,
  parseRecord(chunk: RecordChunk, file: string): Structure {
    const model = parsePdbModel(chunk.lines, chunk.firstLine, chunk.header, { pdbqt: true, autodockElement: elementOfAutodockType });
    try {
      return pdbModelToStructure(model, { file, format: 'pdbqt', record: chunk.index, line: chunk.firstLine });
    } catch (error) {
      if (error instanceof RangeError) throw new FormatError(error.message, chunk.firstLine);
      throw error;
    }
  },
};
