/**
 * The one structure type shared by every reader, writer, model and the viewer.
 * Plain data (typed arrays, records): structured-cloneable across workers and IPC.
 * Units: positions and cell in Å; charges in e; energies in eV unless a property name says otherwise.
 */

/** Bond orders: 1, 2, 3, 4 (quadruple), 1.5 aromatic; 0 for a dative/unknown link. */
export type BondOrder = 0 | 1 | 1.5 | 2 | 3 | 4;

export interface Bond {
  /** 0-based atom indices, a < b not required. */
  readonly a: number;
  readonly b: number;
  readonly order: BondOrder;
}

/** Where a structure came from, for error messages and provenance columns. */
export interface Provenance {
  /** File name or path as the user gave it. */
  readonly file: string;
  /** Format id from the registry, e.g. 'sdf'. */
  readonly format: string;
  /** 0-based record index within the file. */
  readonly record: number;
  /** 1-based line number of the record's first line. */
  readonly line: number;
}

export type PropertyValue = number | string | boolean | readonly number[] | readonly string[] | readonly boolean[];

/** A per-atom array: `width` values per atom, row-major, `data.length === nAtoms * width`. */
export type AtomArray =
  | { readonly kind: 'float'; readonly width: number; readonly data: Float64Array }
  | { readonly kind: 'int'; readonly width: number; readonly data: Int32Array }
  | { readonly kind: 'bool'; readonly width: number; readonly data: Uint8Array }
  | { readonly kind: 'string'; readonly width: number; readonly data: readonly string[] };

export interface Structure {
  /** Title, molecule name or ID; '' when the file gives none. */
  readonly name: string;
  /** Atomic numbers, length nAtoms (0 for dummy atoms). */
  readonly numbers: Uint8Array;
  /** Cartesian positions (Å), [nAtoms * 3], row-major. */
  readonly positions: Float64Array;
  /** Bonds as given by the file or perceived; undefined when unknown. */
  readonly bonds?: readonly Bond[];
  /** Formal charges (e), length nAtoms; undefined when the format has none. */
  readonly formalCharges?: Int8Array;
  /** Mass numbers for isotopes (0 = natural abundance), length nAtoms. */
  readonly isotopes?: Uint16Array;
  /** Total charge (e). */
  readonly charge: number;
  /** Spin multiplicity 2S+1 (1 = singlet). */
  readonly multiplicity: number;
  /** Cell vectors as rows a, b, c (Å), [9]; undefined for molecules. */
  readonly cell?: Float64Array;
  /** Periodic boundary flags along a, b, c. */
  readonly pbc: readonly [boolean, boolean, boolean];
  /** Per-structure properties (energy, SD data fields, predicted values ...). */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Per-atom arrays (forces, charges, occupancies, residue names ...). */
  readonly atomArrays: Readonly<Record<string, AtomArray>>;
  readonly provenance?: Provenance;
}

export function atomCount(structure: Structure): number {
  return structure.numbers.length;
}

export interface StructureInit {
  name?: string;
  numbers: ArrayLike<number>;
  positions: ArrayLike<number>;
  bonds?: readonly Bond[];
  formalCharges?: ArrayLike<number>;
  isotopes?: ArrayLike<number>;
  charge?: number;
  multiplicity?: number;
  cell?: ArrayLike<number>;
  pbc?: readonly [boolean, boolean, boolean];
  properties?: Record<string, PropertyValue>;
  atomArrays?: Record<string, AtomArray>;
  provenance?: Provenance;
}

/** Builds a Structure and checks array lengths and bond indices; throws RangeError on inconsistency. */
export function createStructure(init: StructureInit): Structure {
  const n = init.numbers.length;
  if (init.positions.length !== n * 3) {
    throw new RangeError(`positions has ${init.positions.length} values, expected ${n * 3} for ${n} atoms`);
  }
  for (let i = 0; i < init.positions.length; i++) {
    if (!Number.isFinite(init.positions[i]!)) throw new RangeError(`position of atom ${Math.floor(i / 3) + 1} is not finite`);
  }
  if (init.formalCharges && init.formalCharges.length !== n) throw new RangeError('formalCharges length differs from atom count');
  if (init.isotopes && init.isotopes.length !== n) throw new RangeError('isotopes length differs from atom count');
  if (init.cell && init.cell.length !== 9) throw new RangeError(`cell has ${init.cell.length} values, expected 9`);
  for (const bond of init.bonds ?? []) {
    if (!(bond.a >= 0 && bond.a < n && bond.b >= 0 && bond.b < n) || bond.a === bond.b) {
      throw new RangeError(`bond ${bond.a + 1}-${bond.b + 1} refers to a missing atom (structure has ${n} atoms)`);
    }
  }
  for (const [key, array] of Object.entries(init.atomArrays ?? {})) {
    if (array.data.length !== n * array.width) {
      throw new RangeError(`per-atom array '${key}' has ${array.data.length} values, expected ${n * array.width}`);
    }
  }
  const structure: Structure = {
    name: init.name ?? '',
    numbers: Uint8Array.from(init.numbers),
    positions: Float64Array.from(init.positions),
    ...(init.bonds ? { bonds: init.bonds } : {}),
    ...(init.formalCharges ? { formalCharges: Int8Array.from(init.formalCharges) } : {}),
    ...(init.isotopes ? { isotopes: Uint16Array.from(init.isotopes) } : {}),
    charge: init.charge ?? (init.formalCharges ? Array.from(init.formalCharges).reduce((s, q) => s + q, 0) : 0),
    multiplicity: init.multiplicity ?? 1,
    ...(init.cell ? { cell: Float64Array.from(init.cell) } : {}),
    pbc: init.pbc ?? (init.cell ? [true, true, true] : [false, false, false]),
    properties: init.properties ?? {},
    atomArrays: init.atomArrays ?? {},
    ...(init.provenance ? { provenance: init.provenance } : {}),
  };
  return structure;
}

/** Hill-order formula, e.g. 'C2H6O'. */
export function hillFormula(numbers: ArrayLike<number>, symbolOf: (z: number) => string): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < numbers.length; i++) {
    const s = symbolOf(numbers[i]!);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const part = (s: string) => s + ((counts.get(s) ?? 0) > 1 ? String(counts.get(s)) : '');
  const keys = [...counts.keys()];
  const hasCarbon = counts.has('C');
  const first = hasCarbon ? ['C', ...(counts.has('H') ? ['H'] : [])] : [];
  const rest = keys.filter((k) => !first.includes(k)).sort();
  return [...first, ...rest].map(part).join('');
}
