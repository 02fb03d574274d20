import { cellFromParameters } from '../../structure/cell';
import { createStructure, type AtomArray, type PropertyValue, type Provenance, type Structure } from '../../structure/structure';
import type { Mol2Record } from './parser';

/** How far (e) the sum of partial charges may be from an integer for it to be taken as the total charge. */
const TOTAL_CHARGE_TOLERANCE = 0.02;

/**
 * A MOL2 record as a Structure: MOLECULE name -> name; bonds with their orders (ar -> 1.5, am -> 1);
 * per-atom arrays `partial_charges` (e, when the file has charges), `atomName`, `sybylType`,
 * `substructureId`, `substructureName`; CRYSIN -> cell (periodic in all three directions).
 * MOL2 has no formal charges: the total charge is the sum of the partial charges when that sum is within
 * 0.02 e of an integer (Gasteiger and AM1-BCC charges sum to the net charge), else 0.
 */
export function mol2RecordToStructure(record: Mol2Record, provenance?: Provenance): Structure {
  const atomArrays: Record<string, AtomArray> = {
    atomName: { kind: 'string', width: 1, data: record.atomNames },
    sybylType: { kind: 'string', width: 1, data: record.atomTypes },
    substructureId: { kind: 'int', width: 1, data: record.substructureIds },
    substructureName: { kind: 'string', width: 1, data: record.substructureNames },
  };
  let charge = 0;
  if (record.partialCharges) {
    atomArrays.partial_charges = { kind: 'float', width: 1, data: record.partialCharges };
    let sum = 0;
    for (let i = 0; i < record.partialCharges.length; i++) sum += record.partialCharges[i]!;
    if (Math.abs(sum - Math.round(sum)) <= TOTAL_CHARGE_TOLERANCE) charge = Math.round(sum);
  }
  const properties: Record<string, PropertyValue> = {};
  if (record.moleculeType !== '') properties.moleculeType = record.moleculeType;
  if (record.chargeType !== '') properties.chargeType = record.chargeType;
  if (record.comment !== '') properties.comment = record.comment;
  const crystal = record.crystal;
  if (crystal) properties.spaceGroupNumber = crystal.spaceGroup;
  return createStructure({
    name: record.name,
    numbers: record.numbers,
    positions: record.positions,
    bonds: record.bonds.map(({ a, b, order }) => ({ a, b, order })),
    charge: charge === 0 ? 0 : charge, // no '-0'
    ...(crystal ? { cell: cellFromParameters(crystal.a, crystal.b, crystal.c, crystal.alpha, crystal.beta, crystal.gamma), pbc: [true, true, true] as const } : {}),
    properties,
    atomArrays,
    ...(provenance ? { provenance } : {}),
  });
}
