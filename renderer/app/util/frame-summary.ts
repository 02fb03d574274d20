import type { StructureSummary } from '../../../core/contract/equimol-api';
import { hillFormula, symbolOf, type Structure } from '../../../core/structure';

/**
 * The side panel's summary of a trajectory frame (or a played record): name, formula and atom count from the
 * frame itself; its properties (step, energy, fmax, time, temperature ...) come from the structure.
 */
export function frameSummary(structure: Structure, index: number): StructureSummary {
  return {
    index,
    name: structure.name || `frame ${index + 1}`,
    formula: hillFormula(structure.numbers, symbolOf),
    atoms: structure.numbers.length,
    periodic: Boolean(structure.cell),
    line: 0,
    values: {},
  };
}
