import type { Structure } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import { cartesianToFractional, cellParameters } from '../../structure/cell';
import type { StructureWriter } from '../format';

function quoteIfNeeded(text: string): string {
  if (text === '') return "''";
  if (/^[^\s'"_#$;[\]]\S*$/.test(text) && !/^(data_|loop_|save_|global_|stop_)/i.test(text) && text !== '?' && text !== '.') return text;
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return `\n;${text}\n;`;
}

function blockName(structure: Structure, index: number): string {
  const name = structure.name.replace(/\s+/g, '_').replace(/[^\x21-\x7e]/g, '');
  return name === '' ? `structure_${index + 1}` : name;
}

/**
 * CIF writer: one data_ block per structure in P 1 (every atom listed, no symmetry reduction): cell lengths and
 * angles, fractional coordinates at full double precision, occupancy (from the `occupancy` atom array when
 * present) and labels Element + running number. Structures without a cell get Cartesian _atom_site_Cartn_x/y/z.
 */
export function createCifWriter(): StructureWriter {
  return {
    write(structure: Structure, index: number): string {
      const n = structure.numbers.length;
      const out: string[] = [`data_${blockName(structure, index)}`];
      const occupancyArray = structure.atomArrays['occupancy'];
      const occupancy = occupancyArray && occupancyArray.kind === 'float' && occupancyArray.width === 1 ? occupancyArray.data : undefined;
      let coordinates: ArrayLike<number> = structure.positions;
      const cartesian = !structure.cell;
      if (structure.cell) {
        const p = cellParameters(structure.cell);
        out.push(
          `_cell_length_a    ${String(p.a)}`,
          `_cell_length_b    ${String(p.b)}`,
          `_cell_length_c    ${String(p.c)}`,
          `_cell_angle_alpha ${String(p.alpha)}`,
          `_cell_angle_beta  ${String(p.beta)}`,
          `_cell_angle_gamma ${String(p.gamma)}`,
          '',
          "_space_group_name_H-M_alt 'P 1'",
          '_space_group_IT_number 1',
          '',
          'loop_',
          '_space_group_symop_operation_xyz',
          "'x, y, z'",
        );
        // Fractional coordinates in the cell's own frame, so orientation does not matter.
        coordinates = cartesianToFractional(structure.positions, structure.cell);
      }
      out.push('', 'loop_', '_atom_site_label', '_atom_site_type_symbol');
      out.push(...(cartesian ? ['_atom_site_Cartn_x', '_atom_site_Cartn_y', '_atom_site_Cartn_z'] : ['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z']));
      out.push('_atom_site_occupancy');
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const symbol = symbolOf(structure.numbers[i]!);
        const k = (counts.get(symbol) ?? 0) + 1;
        counts.set(symbol, k);
        const xyz = [0, 1, 2].map((d) => String(coordinates[3 * i + d]!)).join(' ');
        out.push(`${quoteIfNeeded(`${symbol}${k}`)} ${symbol} ${xyz} ${String(occupancy ? occupancy[i]! : 1)}`);
      }
      return out.join('\n') + '\n\n';
    },
  };
}
