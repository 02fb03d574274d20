import { perceiveBonds } from '../../perception/perceive-bonds';
import { createStructure, type Bond, type PropertyValue, type Provenance, type Structure } from '../../structure/structure';
import { cellFromParameters } from '../../structure/cell';
import type { PdbCrystal, PdbModel } from './pdb';

/** CRYST1 1 1 1 90 90 90 is the placeholder written for structures without a unit cell (NMR, EM). */
export function isPlaceholderCell(crystal: PdbCrystal): boolean {
  return crystal.a === 1 && crystal.b === 1 && crystal.c === 1;
}

/**
 * A PDB model as a Structure: CONECT bonds (order 1; connectivity only), plus bonds perceived from covalent
 * radii for atoms that no CONECT record mentions (proteins usually have none). Residue data go to atomArrays.
 */
export function pdbModelToStructure(model: PdbModel, provenance?: Provenance): Structure {
  const { atoms } = model;
  const indexOfSerial = new Map<number, number>();
  for (let i = 0; i < atoms.count; i++) if (!indexOfSerial.has(atoms.serial[i]!)) indexOfSerial.set(atoms.serial[i]!, i);
  const bonds: Bond[] = [];
  const inConect = new Uint8Array(atoms.count);
  const seen = new Set<number>();
  for (const [sa, sb] of model.conect) {
    const a = indexOfSerial.get(sa), b = indexOfSerial.get(sb);
    if (a === undefined || b === undefined || a === b) continue;
    const key = Math.min(a, b) * atoms.count + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    inConect[a] = 1;
    inConect[b] = 1;
    bonds.push({ a: Math.min(a, b), b: Math.max(a, b), order: 1 });
  }
  const useCell = model.crystal && !isPlaceholderCell(model.crystal);
  const crystal = model.crystal!;
  const cell = useCell ? cellFromParameters(crystal.a, crystal.b, crystal.c, crystal.alpha, crystal.beta, crystal.gamma) : undefined;
  const properties: Record<string, PropertyValue> = {};
  if (model.modelNumber !== undefined) properties.model = model.modelNumber;
  if (model.crystal?.spaceGroup) properties.spaceGroup = model.crystal.spaceGroup;
  const base = {
    name: model.title,
    numbers: atoms.numbers,
    positions: atoms.positions,
    formalCharges: atoms.formalCharge,
    ...(cell ? { cell, pbc: [true, true, true] as const } : {}),
    properties,
    atomArrays: {
      atomName: { kind: 'string', width: 1, data: atoms.atomName },
      residueName: { kind: 'string', width: 1, data: atoms.residueName },
      residueNumber: { kind: 'int', width: 1, data: atoms.residueNumber },
      chainId: { kind: 'string', width: 1, data: atoms.chainId },
      insertionCode: { kind: 'string', width: 1, data: atoms.insertionCode },
      altLoc: { kind: 'string', width: 1, data: atoms.altLoc },
      occupancy: { kind: 'float', width: 1, data: atoms.occupancy },
      bFactor: { kind: 'float', width: 1, data: atoms.bFactor },
      hetero: { kind: 'bool', width: 1, data: atoms.hetero },
      serial: { kind: 'int', width: 1, data: atoms.serial },
      // PDBQT only: partial charges (e) and AutoDock atom types.
      ...(atoms.partialCharge ? { partial_charges: { kind: 'float', width: 1, data: atoms.partialCharge } as const } : {}),
      ...(atoms.autodockType ? { autodockType: { kind: 'string', width: 1, data: atoms.autodockType } as const } : {}),
    },
    ...(provenance ? { provenance } : {}),
  } as const;
  // Perceive the rest (no periodic images: PDB bonds are within the model).
  const molecule = createStructure({ ...base, cell: undefined, pbc: [false, false, false] });
  for (const bond of perceiveBonds(molecule)) {
    if (inConect[bond.a] || inConect[bond.b]) continue;
    bonds.push(bond);
  }
  return createStructure({ ...base, bonds });
}
