import { createStructure, type AtomArray, type PropertyValue, type Provenance, type Structure } from '../../structure/structure';
import { sdValue, type MolfileRecord } from './molfile';

/** Unpaired electrons per MDL radical code: singlet (1) pairs them, doublet (2) one, triplet (3) two. */
const UNPAIRED_OF_RADICAL = [0, 0, 1, 2];

/**
 * A molfile record as a Structure: title -> name, SD data -> properties (numbers when numeric),
 * M  RAD -> multiplicity (sum of unpaired electrons + 1) and a per-atom 'radical' array (MDL codes).
 */
export function molfileToStructure(record: MolfileRecord, provenance?: Provenance): Structure {
  let unpaired = 0;
  let hasRadicals = false;
  for (let i = 0; i < record.radicals.length; i++) {
    const code = record.radicals[i]!;
    if (code !== 0) {
      hasRadicals = true;
      unpaired += UNPAIRED_OF_RADICAL[code]!;
    }
  }
  const properties: Record<string, PropertyValue> = {};
  for (const [key, value] of record.data) properties[key] = sdValue(value);
  const atomArrays: Record<string, AtomArray> = {};
  if (hasRadicals) atomArrays.radical = { kind: 'int', width: 1, data: Int32Array.from(record.radicals) };
  let charge = 0;
  for (let i = 0; i < record.charges.length; i++) charge += record.charges[i]!;
  return createStructure({
    name: record.title,
    numbers: record.numbers,
    positions: record.positions,
    bonds: record.bonds,
    formalCharges: record.charges,
    isotopes: record.isotopes,
    charge,
    multiplicity: unpaired + 1,
    properties,
    atomArrays,
    ...(provenance ? { provenance } : {}),
  });
}
