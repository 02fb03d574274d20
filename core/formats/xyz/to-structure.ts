import { createStructure, type Provenance, type Structure } from '../../structure/structure';
import type { XyzFrame } from './parser';

/**
 * XyzFrame -> Structure. Name: the `name` value of an extended frame, else the comment of a plain XYZ frame or of
 * a key=value comment without Properties/Lattice; '' for ASE-style frames without `name`.
 * Per-frame values become properties (numbers stay numbers); extra columns become atomArrays under their
 * Properties names (forces, charges, ...). `charge` and `multiplicity` values, when integers, also set the
 * structure's total charge and multiplicity. The frame's info and arrays are used as they are (not copied).
 */
export function xyzFrameToStructure(frame: XyzFrame, provenance?: Provenance): Structure {
  const info = frame.info;
  // A key=value comment without Properties/Lattice (e.g. 'E = -76.4 Hartree') is also kept whole as the name.
  const keyValueOnly = frame.extended && !frame.comment.includes('Properties=') && !frame.comment.includes('Lattice=');
  const name = typeof info['name'] === 'string' ? info['name'] : !frame.extended || keyValueOnly ? frame.comment.trim() : '';
  const charge = info['charge'];
  const multiplicity = info['multiplicity'];
  return createStructure({
    name,
    numbers: frame.numbers,
    positions: frame.positions,
    ...(frame.lattice ? { cell: frame.lattice } : {}),
    pbc: [frame.pbc[0], frame.pbc[1], frame.pbc[2]],
    ...(typeof charge === 'number' && Number.isInteger(charge) ? { charge } : {}),
    ...(typeof multiplicity === 'number' && Number.isInteger(multiplicity) && multiplicity >= 1 ? { multiplicity } : {}),
    properties: info,
    atomArrays: frame.arrays,
    ...(provenance ? { provenance } : {}),
  });
}
