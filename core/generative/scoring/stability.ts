/**
 * Atom and molecule stability of a generated 3D molecule, as EDM computes them (Hoogeboom et al. 2022,
 * Sec. 5.1; code: qm9/analyze.py `check_stability` and qm9/bond_analyze.py `get_bond_order` of
 * github.com/ehoogeboom/e3_diffusion_for_molecules). Only atom types and coordinates are used:
 * - every atom pair gets a bond order from its distance alone: triple if d < triple + margin3, else double if
 *   d < double + margin2, else single if d < single + margin1, else none (lengths and margins in pm, from
 *   edm-bond-tables.ts; a shorter order is only tried where the longer one matched and its table has the pair);
 * - an atom is stable when its bond-order sum is one of its element's allowed valences;
 * - a molecule is stable when every atom is.
 * A pair missing from the single-bond table is not bonded (EDM's `check_exists=True` behaviour; QM9's
 * H, C, N, O, F pairs are all in the table).
 */
import type { Bond } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import { EDM_ALLOWED_VALENCES, EDM_MARGINS_PM, edmBondLengthPm } from './edm-bond-tables';

export type EdmBondOrder = 0 | 1 | 2 | 3;

/** A molecule the scorer cannot judge (no atoms, an element outside EDM's tables, a non-finite coordinate). */
export class ScoringInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScoringInputError';
  }
}

/** EDM's `get_bond_order(atom1, atom2, distance)`: bond order between elements `a`, `b` (symbols) at `distanceAngstrom`. */
export function edmBondOrder(a: string, b: string, distanceAngstrom: number): EdmBondOrder {
  const distancePm = 100 * distanceAngstrom; // Å -> pm, as EDM does
  const single = edmBondLengthPm(a, b, 1);
  if (single === undefined || !(distancePm < single + EDM_MARGINS_PM.single)) return 0;
  const double = edmBondLengthPm(a, b, 2);
  if (double === undefined || !(distancePm < double + EDM_MARGINS_PM.double)) return 1;
  const triple = edmBondLengthPm(a, b, 3);
  if (triple === undefined || !(distancePm < triple + EDM_MARGINS_PM.triple)) return 2;
  return 3;
}

/** What the scorer needs of a molecule: atomic numbers and positions (Å, [nAtoms * 3]). */
export interface AtomsAndPositions {
  readonly numbers: ArrayLike<number>;
  readonly positions: ArrayLike<number>;
}

/** Element symbols of a scorable molecule; throws ScoringInputError naming the first bad atom. */
export function checkScorable(molecule: AtomsAndPositions): string[] {
  const n = molecule.numbers.length;
  if (n === 0) throw new ScoringInputError('structure has no atoms');
  if (molecule.positions.length !== 3 * n) {
    throw new ScoringInputError(`positions has ${molecule.positions.length} values, expected ${3 * n} for ${n} atoms`);
  }
  const symbols: string[] = [];
  for (let i = 0; i < n; i++) {
    const z = molecule.numbers[i]!;
    let symbol: string | undefined;
    try {
      symbol = z === 0 ? undefined : symbolOf(z);
    } catch {
      symbol = undefined;
    }
    if (symbol === undefined || !EDM_ALLOWED_VALENCES[symbol]) {
      const known = Object.keys(EDM_ALLOWED_VALENCES).join(' ');
      throw new ScoringInputError(`atom ${i + 1}: element ${symbol ?? `Z=${z}`} is not in EDM's valence table (${known})`);
    }
    symbols.push(symbol);
    for (let k = 0; k < 3; k++) {
      const x = molecule.positions[3 * i + k]!;
      if (!Number.isFinite(x)) throw new ScoringInputError(`atom ${i + 1}: coordinate ${'xyz'[k]} is not finite (${x})`);
    }
  }
  return symbols;
}

export interface EdmStability {
  /** Bonds with order 1, 2 or 3 (0-based atoms, a < b), in EDM's pair order (i < j, row by row). */
  readonly bonds: Bond[];
  /** Sum of bond orders per atom. */
  readonly bondOrderSums: Int32Array;
  /** 1 where the atom's bond-order sum is an allowed valence of its element. */
  readonly atomStable: Uint8Array;
  readonly stableAtoms: number;
  /** Every atom stable. */
  readonly moleculeStable: boolean;
}

/** EDM's `check_stability`: bonds from distances, then per-atom valence checks. Throws ScoringInputError. */
export function edmStability(molecule: AtomsAndPositions): EdmStability {
  const symbols = checkScorable(molecule);
  const n = symbols.length;
  const p = molecule.positions;
  const bonds: Bond[] = [];
  const sums = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = p[3 * i]! - p[3 * j]!, dy = p[3 * i + 1]! - p[3 * j + 1]!, dz = p[3 * i + 2]! - p[3 * j + 2]!;
      const order = edmBondOrder(symbols[i]!, symbols[j]!, Math.sqrt(dx * dx + dy * dy + dz * dz)); // Å
      if (order === 0) continue;
      bonds.push({ a: i, b: j, order });
      sums[i] += order;
      sums[j] += order;
    }
  }
  const atomStable = new Uint8Array(n);
  let stableAtoms = 0;
  for (let i = 0; i < n; i++) {
    if (EDM_ALLOWED_VALENCES[symbols[i]!]!.includes(sums[i]!)) {
      atomStable[i] = 1;
      stableAtoms++;
    }
  }
  return { bonds, bondOrderSums: sums, atomStable, stableAtoms, moleculeStable: stableAtoms === n };
}
