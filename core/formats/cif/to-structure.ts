import { createStructure, type AtomArray, type PropertyValue, type Provenance, type Structure } from '../../structure/structure';
import { FormatError } from '../../structure/errors';
import { atomicNumberOf } from '../../structure/elements';
import { cartesianToFractional, cellFromParameters, cellParameters, fractionalToCartesian } from '../../structure/cell';
import { cifNumber, isMissing, type CifBlock, type CifToken } from './parser';
import { DEFAULT_SYMPREC, expandSites, IDENTITY, parseSymmetryOperation, type SymmetryOperation } from './symmetry';
import { RHOMBOHEDRAL_GROUPS, spaceGroupSetting } from './spacegroups';

const SYMOP_TAGS = ['_space_group_symop_operation_xyz', '_space_group_symop.operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const SPACE_GROUP_NAME_TAGS = ['_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m', '_space_group.name_h-m_alt', '_symmetry.space_group_name_h-m'];
const SPACE_GROUP_NUMBER_TAGS = ['_space_group_it_number', '_space_group.it_number', '_symmetry_int_tables_number', '_symmetry.int_tables_number'];

function first(block: CifBlock, tags: readonly string[]): readonly CifToken[] | undefined {
  for (const tag of tags) {
    const values = block.tags.get(tag);
    if (values) return values;
  }
  return undefined;
}

/**
 * Element from a CIF type symbol or label, as ASE reads it ('Na1+' -> Na, 'Cl1-' -> Cl, 'O2' -> O, 'D' -> H),
 * falling back to one letter when two letters are not an element ('OW1' -> O) and to any case ('ca1' -> Ca).
 */
export function elementFromLabel(label: string): number | undefined {
  const match = /[A-Z][a-z]?/.exec(label);
  if (match) {
    const z = atomicNumberOf(match[0]);
    if (z !== undefined) return z;
    const one = atomicNumberOf(match[0][0]!);
    if (one !== undefined) return one;
  }
  const letters = /^[A-Za-z]{1,2}/.exec(label)?.[0];
  if (!letters) return undefined;
  return atomicNumberOf(letters) ?? atomicNumberOf(letters[0]!);
}

function numberColumn(values: readonly CifToken[], what: string, fallback?: number): Float64Array {
  const out = new Float64Array(values.length);
  values.forEach((token, i) => {
    const v = cifNumber(token);
    if (v === undefined) {
      if (fallback !== undefined && isMissing(token)) {
        out[i] = fallback;
        return;
      }
      throw new FormatError(`${what} '${token.text.slice(0, 30)}' is not a number`, token.line);
    }
    out[i] = v;
  });
  return out;
}

function cellOf(block: CifBlock, tags: readonly string[]): Float64Array | undefined {
  const values = tags.map((t) => block.tags.get(t)?.[0]);
  if (values.some((v) => v === undefined || isMissing(v))) return undefined;
  const numbers = values.map((v, i) => {
    const x = cifNumber(v);
    if (x === undefined || !(x > 0)) throw new FormatError(`${tags[i]} '${v!.text.slice(0, 30)}' is not a positive number`, v!.line);
    return x;
  });
  try {
    return cellFromParameters(numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!, numbers[5]!);
  } catch (error) {
    throw new FormatError((error as Error).message, values[3]!.line);
  }
}

/**
 * Setting 1 or 2 of a named group: _symmetry_space_group_setting when given; for rhombohedral groups the
 * cell decides (gamma = 120° -> hexagonal axes, setting 1; a = b = c and equal angles -> rhombohedral, 2),
 * else ASE's rule (crystal system 'trigonal'/'rhombohedral' -> 2).
 */
function settingOf(block: CifBlock, groupNumber: number | undefined, cell: Float64Array): number {
  const explicit = cifNumber(block.tags.get('_symmetry_space_group_setting')?.[0]);
  if (explicit === 1 || explicit === 2) return explicit;
  if (groupNumber !== undefined && RHOMBOHEDRAL_GROUPS.has(groupNumber)) {
    const p = cellParameters(cell);
    if (Math.abs(p.gamma - 120) < 1e-3 && Math.abs(p.a - p.b) < 1e-6 * p.a) return 1;
    if (Math.abs(p.a - p.b) < 1e-6 * p.a && Math.abs(p.a - p.c) < 1e-6 * p.a && Math.abs(p.alpha - p.beta) < 1e-6 && Math.abs(p.alpha - p.gamma) < 1e-6) return 2;
  }
  const system = (block.tags.get('_space_group_crystal_system') ?? block.tags.get('_symmetry_cell_setting'))?.[0]?.text.toLowerCase();
  if (groupNumber !== undefined && RHOMBOHEDRAL_GROUPS.has(groupNumber) && (system === 'trigonal' || system === 'rhombohedral')) return 2;
  return 1;
}

/**
 * Picks the species of each site among asymmetric-unit atoms within symprec of each other (fractional,
 * not wrapped), the one with the highest occupancy (ASE: the last of equals in order of appearance).
 */
function dominantSpecies(fractional: Float64Array, numbers: Uint8Array, occupancy: Float64Array, symprec: number): Uint8Array {
  const n = numbers.length;
  const out = Uint8Array.from(numbers);
  const bin = 2 * symprec;
  const grid = new Map<string, number[]>();
  const cellKey = (i: number, d: readonly number[]) => [0, 1, 2].map((k) => Math.floor(fractional[3 * i + k]! / bin) + d[k]!).join(',');
  for (let i = 0; i < n; i++) {
    const key = cellKey(i, [0, 0, 0]);
    const list = grid.get(key);
    if (list) list.push(i);
    else grid.set(key, [i]);
  }
  for (let i = 0; i < n; i++) {
    const near: number[] = [];
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) near.push(...(grid.get(cellKey(i, [a, b, c])) ?? []));
    near.sort((x, y) => x - y);
    // Python dict semantics: own species first, then the others in index order; same species overwrites.
    const bySpecies = new Map<number, number>([[numbers[i]!, occupancy[i]!]]);
    for (const j of near) {
      if (j === i) continue;
      const d = Math.hypot(fractional[3 * i]! - fractional[3 * j]!, fractional[3 * i + 1]! - fractional[3 * j + 1]!, fractional[3 * i + 2]! - fractional[3 * j + 2]!);
      if (d < symprec) bySpecies.set(numbers[j]!, occupancy[j]!);
    }
    let best = numbers[i]!;
    let bestOcc = -Infinity;
    for (const [z, occ] of bySpecies) {
      if (occ >= bestOcc) {
        best = z;
        bestOcc = occ;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * A small-molecule / crystal CIF data block -> Structure: cell from _cell_length/_cell_angle (ASE orientation),
 * sites from _atom_site_fract_x/y/z (or _atom_site_Cartn_x/y/z), elements from _atom_site_type_symbol or
 * _atom_site_label, expanded by the symmetry operations with duplicates merged as ASE does.
 * atomArrays: occupancy, siteLabel. properties: spaceGroup, spaceGroupNumber, symmetryOperations (count).
 */
export function cifBlockToStructure(block: CifBlock, provenance?: Provenance, symprec = DEFAULT_SYMPREC): Structure {
  const cell = cellOf(block, ['_cell_length_a', '_cell_length_b', '_cell_length_c', '_cell_angle_alpha', '_cell_angle_beta', '_cell_angle_gamma']);
  const fx = block.tags.get('_atom_site_fract_x');
  const fy = block.tags.get('_atom_site_fract_y');
  const fz = block.tags.get('_atom_site_fract_z');
  const cx = block.tags.get('_atom_site_cartn_x');
  const cy = block.tags.get('_atom_site_cartn_y');
  const cz = block.tags.get('_atom_site_cartn_z');
  const fractionalGiven = fx !== undefined && fy !== undefined && fz !== undefined;
  if (!fractionalGiven && !(cx && cy && cz)) {
    throw new FormatError(`data block '${block.name}' has no atom sites (_atom_site_fract_x/y/z or _atom_site_Cartn_x/y/z)`, block.line);
  }
  const [xs, ys, zs] = fractionalGiven ? [fx, fy, fz] : [cx!, cy!, cz!];
  const labels = block.tags.get('_atom_site_label');
  const types = block.tags.get('_atom_site_type_symbol');
  const symbolColumn = types ?? labels;
  if (!symbolColumn) throw new FormatError(`data block '${block.name}' has neither _atom_site_type_symbol nor _atom_site_label`, xs[0]?.line ?? block.line);
  const n = xs.length;
  for (const [tag, column] of [['y', ys], ['z', zs], ['element', symbolColumn]] as const) {
    if (column.length !== n) throw new FormatError(`atom site columns differ in length (x: ${n}, ${tag}: ${column.length})`, column[0]?.line ?? block.line);
  }
  if (n === 0) throw new FormatError(`data block '${block.name}' has an empty atom site loop`, block.line);
  const coords = new Float64Array(3 * n);
  [xs, ys, zs].forEach((column, k) => {
    column.forEach((token, i) => {
      const v = cifNumber(token);
      if (v === undefined || !Number.isFinite(v)) throw new FormatError(`atom site ${i + 1}: coordinate '${token.text.slice(0, 30)}' is not a number`, token.line);
      coords[3 * i + k] = v;
    });
  });
  const siteNumbers = new Uint8Array(n);
  symbolColumn.forEach((token, i) => {
    const z = isMissing(token) ? undefined : elementFromLabel(token.text);
    if (z === undefined) throw new FormatError(`atom site ${i + 1}: no element in '${token.text.slice(0, 30)}'`, token.line);
    siteNumbers[i] = z;
  });
  const occupancyColumn = block.tags.get('_atom_site_occupancy');
  if (occupancyColumn && occupancyColumn.length !== n) throw new FormatError('_atom_site_occupancy has a different length than the coordinates', occupancyColumn[0]?.line ?? block.line);
  const occupancy = occupancyColumn ? numberColumn(occupancyColumn, 'occupancy', 1) : new Float64Array(n).fill(1);

  const properties: Record<string, PropertyValue> = {};
  const groupName = first(block, SPACE_GROUP_NAME_TAGS)?.[0];
  if (groupName && !isMissing(groupName)) properties['spaceGroup'] = groupName.text;
  const groupNumber = cifNumber(first(block, SPACE_GROUP_NUMBER_TAGS)?.[0]);
  if (groupNumber !== undefined) properties['spaceGroupNumber'] = groupNumber;

  const labelArray: AtomArray | undefined = labels && labels.length === n ? { kind: 'string', width: 1, data: labels.map((t) => t.text) } : undefined;
  if (!cell) {
    if (fractionalGiven) throw new FormatError(`data block '${block.name}' gives fractional coordinates but no complete cell (_cell_length_a/b/c, _cell_angle_alpha/beta/gamma)`, xs[0]!.line);
    return createStructure({
      name: block.name,
      numbers: siteNumbers,
      positions: coords,
      properties,
      atomArrays: { occupancy: { kind: 'float', width: 1, data: occupancy }, ...(labelArray ? { siteLabel: labelArray } : {}) },
      ...(provenance ? { provenance } : {}),
    });
  }

  const operationTokens = first(block, SYMOP_TAGS);
  const operations: SymmetryOperation[] = [];
  for (const token of operationTokens ?? []) {
    if (isMissing(token)) continue;
    try {
      operations.push(parseSymmetryOperation(token.text));
    } catch (error) {
      throw new FormatError((error as Error).message, token.line);
    }
  }
  if (operations.length === 0) {
    // No operations listed: take them from the named space group (as ASE does), else P 1.
    const group = groupNumber !== undefined || properties['spaceGroup'] !== undefined ? spaceGroupSetting(groupNumber, properties['spaceGroup'] as string | undefined, settingOf(block, groupNumber, cell)) : undefined;
    if (group) {
      operations.push(...group.operations);
      properties['spaceGroupNumber'] = group.number;
    } else {
      operations.push(IDENTITY);
      if (groupNumber !== undefined || properties['spaceGroup'] !== undefined) properties['symmetryExpanded'] = false;
    }
  }
  properties['symmetryOperations'] = operations.length;

  let fractional = fractionalGiven ? coords : cartesianToFractional(coords, cell);
  fractional = Float64Array.from(fractional);
  const expanded = expandSites(fractional, operations, symprec);
  const kindNumbers = occupancyColumn ? dominantSpecies(fractional, siteNumbers, occupancy, symprec) : siteNumbers;
  const count = expanded.kinds.length;
  const numbers = new Uint8Array(count);
  const siteOccupancy = new Float64Array(count);
  const siteLabels: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = expanded.kinds[i]!;
    numbers[i] = kindNumbers[kind]!;
    siteOccupancy[i] = occupancy[kind]!;
    if (labelArray) siteLabels.push((labelArray.data as string[])[kind]!);
  }
  return createStructure({
    name: block.name,
    numbers,
    positions: fractionalToCartesian(expanded.positions, cell),
    cell,
    pbc: [true, true, true],
    properties,
    atomArrays: {
      occupancy: { kind: 'float', width: 1, data: siteOccupancy },
      ...(labelArray ? { siteLabel: { kind: 'string', width: 1, data: siteLabels } } : {}),
    },
    ...(provenance ? { provenance } : {}),
  });
}
