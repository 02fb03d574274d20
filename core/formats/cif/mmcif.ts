import { createStructure, type PropertyValue, type Provenance, type Structure } from '../../structure/structure';
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import { cellFromParameters } from '../../structure/cell';
import { cifNumber, isMissing, type CifBlock, type CifToken } from './parser';

function column(block: CifBlock, name: string): readonly CifToken[] | undefined {
  return block.tags.get(`_atom_site.${name}`);
}

function text(values: readonly CifToken[] | undefined, i: number, fallback = ''): string {
  const token = values?.[i];
  return token === undefined || isMissing(token) ? fallback : token.text;
}

/**
 * A macromolecular (PDBx/mmCIF) data block -> Structure: the first model of `_atom_site` (Cartesian
 * coordinates), one alternate location per atom (unset, or the first altloc id seen), elements from
 * `type_symbol` (else the atom name). atomArrays follow the PDB reader: atomName, residueName, residueNumber,
 * chainId, altLoc, occupancy, bFactor, hetero, serial. Cell from `_cell` unless it is the 1 Å placeholder.
 */
export function mmcifBlockToStructure(block: CifBlock, provenance?: Provenance): Structure {
  const xs = column(block, 'cartn_x');
  const ys = column(block, 'cartn_y');
  const zs = column(block, 'cartn_z');
  if (!xs || !ys || !zs) throw new FormatError(`data block '${block.name}' has no _atom_site.Cartn_x/y/z`, block.line);
  const n = xs.length;
  if (ys.length !== n || zs.length !== n) throw new FormatError('_atom_site coordinate columns differ in length', ys[0]?.line ?? block.line);
  const types = column(block, 'type_symbol');
  const atomNames = column(block, 'label_atom_id') ?? column(block, 'auth_atom_id');
  const residueNames = column(block, 'label_comp_id') ?? column(block, 'auth_comp_id');
  const residueNumbers = column(block, 'auth_seq_id') ?? column(block, 'label_seq_id');
  const chains = column(block, 'auth_asym_id') ?? column(block, 'label_asym_id');
  const groups = column(block, 'group_pdb');
  const alts = column(block, 'label_alt_id');
  const occupancies = column(block, 'occupancy');
  const bFactors = column(block, 'b_iso_or_equiv');
  const models = column(block, 'pdbx_pdb_model_num');
  const serials = column(block, 'id');
  const charges = column(block, 'pdbx_formal_charge');

  const firstModel = models && models.length === n ? text(models, 0) : '';
  let firstAlt = '';
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (models && models.length === n && text(models, i) !== firstModel) continue;
    const alt = text(alts, i);
    if (alt !== '') {
      if (firstAlt === '') firstAlt = alt;
      if (alt !== firstAlt) continue;
    }
    keep.push(i);
  }
  const count = keep.length;
  const numbers = new Uint8Array(count);
  const positions = new Float64Array(count * 3);
  const formalCharges = new Int8Array(count);
  const atomName: string[] = [];
  const residueName: string[] = [];
  const chainId: string[] = [];
  const altLoc: string[] = [];
  const residueNumber = new Int32Array(count);
  const serial = new Int32Array(count);
  const occupancy = new Float64Array(count);
  const bFactor = new Float64Array(count);
  const hetero = new Uint8Array(count);
  keep.forEach((i, a) => {
    for (const [k, values] of [xs, ys, zs].entries()) {
      const v = cifNumber(values[i]);
      if (v === undefined) throw new FormatError(`atom ${i + 1}: coordinate '${values[i]!.text.slice(0, 30)}' is not a number`, values[i]!.line);
      positions[3 * a + k] = v;
    }
    const name = text(atomNames, i);
    const symbol = text(types, i) || name.replace(/[^A-Za-z]/g, '').slice(0, 1);
    const z = atomicNumberOf(symbol) ?? atomicNumberOf(symbol.slice(0, 1));
    if (z === undefined) throw new FormatError(`atom ${i + 1}: unknown element '${symbol.slice(0, 20)}'`, (types ?? xs)[i]!.line);
    numbers[a] = z;
    atomName.push(name);
    residueName.push(text(residueNames, i));
    chainId.push(text(chains, i));
    altLoc.push(text(alts, i));
    residueNumber[a] = Math.trunc(cifNumber(residueNumbers?.[i]) ?? 0);
    serial[a] = Math.trunc(cifNumber(serials?.[i]) ?? a + 1);
    occupancy[a] = cifNumber(occupancies?.[i]) ?? 1;
    bFactor[a] = cifNumber(bFactors?.[i]) ?? 0;
    hetero[a] = text(groups, i).toUpperCase() === 'HETATM' ? 1 : 0;
    const q = cifNumber(charges?.[i]) ?? 0;
    formalCharges[a] = Math.max(-128, Math.min(127, Math.trunc(q)));
  });

  const lengths = ['_cell.length_a', '_cell.length_b', '_cell.length_c', '_cell.angle_alpha', '_cell.angle_beta', '_cell.angle_gamma'].map((t) => cifNumber(block.tags.get(t)?.[0]));
  let cell: Float64Array | undefined;
  if (lengths.every((v) => v !== undefined && v > 0) && !(lengths[0] === 1 && lengths[1] === 1 && lengths[2] === 1)) {
    try {
      cell = cellFromParameters(lengths[0]!, lengths[1]!, lengths[2]!, lengths[3]!, lengths[4]!, lengths[5]!);
    } catch {
      cell = undefined;
    }
  }
  const properties: Record<string, PropertyValue> = {};
  const group = block.tags.get('_symmetry.space_group_name_h-m')?.[0];
  if (group && !isMissing(group)) properties['spaceGroup'] = group.text;
  if (firstModel !== '') properties['model'] = Number(firstModel) || firstModel;
  const title = block.tags.get('_struct.title')?.[0];
  if (title && !isMissing(title)) properties['title'] = title.text;
  return createStructure({
    name: block.name,
    numbers,
    positions,
    formalCharges,
    ...(cell ? { cell, pbc: [true, true, true] as const } : {}),
    properties,
    atomArrays: {
      atomName: { kind: 'string', width: 1, data: atomName },
      residueName: { kind: 'string', width: 1, data: residueName },
      residueNumber: { kind: 'int', width: 1, data: residueNumber },
      chainId: { kind: 'string', width: 1, data: chainId },
      altLoc: { kind: 'string', width: 1, data: altLoc },
      occupancy: { kind: 'float', width: 1, data: occupancy },
      bFactor: { kind: 'float', width: 1, data: bFactor },
      hetero: { kind: 'bool', width: 1, data: hetero },
      serial: { kind: 'int', width: 1, data: serial },
    },
    ...(provenance ? { provenance } : {}),
  });
}
