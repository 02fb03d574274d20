import { ELEMENT_ROWS } from './elements.generated-data';

/** One chemical element. Radii in Å, mass in u, colour as 0xRRGGBB (Jmol/CPK scheme). */
export interface Element {
  readonly number: number;
  readonly symbol: string;
  readonly name: string;
  readonly mass: number;
  /** Single-bond covalent radius (Å), Cordero et al. 2008; 0.2 where unknown (Z > 96). */
  readonly covalentRadius: number;
  /** van der Waals radius (Å); falls back to 2.0 Å where no tabulated value exists. */
  readonly vdwRadius: number;
  readonly hasVdwRadius: boolean;
  readonly color: number;
}

/** Elements indexed by atomic number; index 0 is the dummy atom 'X'. */
export const ELEMENTS: readonly Element[] = ELEMENT_ROWS.map(([number, symbol, name, mass, covalentRadius, vdw, color]) => ({
  number,
  symbol,
  name,
  mass,
  covalentRadius,
  vdwRadius: vdw ?? 2.0,
  hasVdwRadius: vdw !== null,
  color,
}));

const BY_SYMBOL = new Map<string, Element>();
for (const element of ELEMENTS) BY_SYMBOL.set(element.symbol.toLowerCase(), element);
BY_SYMBOL.set('d', ELEMENTS[1]!); // deuterium
BY_SYMBOL.set('t', ELEMENTS[1]!); // tritium

export const MAX_ATOMIC_NUMBER = ELEMENTS.length - 1;

/** Atomic number for a symbol, case-insensitive ('C', 'cl', 'CL'); undefined when unknown. */
export function atomicNumberOf(symbol: string): number | undefined {
  return BY_SYMBOL.get(symbol.trim().toLowerCase())?.number;
}

export function elementOf(atomicNumber: number): Element {
  const element = ELEMENTS[atomicNumber];
  if (!element) throw new RangeError(`no element with atomic number ${atomicNumber}`);
  return element;
}

export function symbolOf(atomicNumber: number): string {
  return elementOf(atomicNumber).symbol;
}
