/**
 * Bond orders for molecules given only as coordinates or connectivity (XYZ, PDB, CIF): a small subset of
 * xyz2mol (Kim & Kim, Bull. Korean Chem. Soc. 36, 1769 (2015)) for neutral-ish organic molecules with explicit
 * hydrogens. Each atom gets its usual valence (C 4, N 3, O 2, halogens 1 ...; adjusted by its formal charge);
 * the missing valence is distributed as extra bond orders by a depth-first search over the connectivity,
 * always completing the atom with the fewest choices first (finds a Kekulé structure for aromatic rings).
 * Gives up (undefined) when no assignment exists or the search exceeds its step budget.
 */
import type { Bond, BondOrder, Structure } from '../structure/structure';
import { perceiveBonds } from '../perception/perceive-bonds';

/** Allowed valences of neutral atoms, preferred first. */
const VALENCES: Readonly<Record<number, readonly number[]>> = {
  1: [1], 5: [3], 6: [4], 7: [3], 8: [2], 9: [1], 14: [4], 15: [3, 5], 16: [2, 4, 6], 17: [1], 34: [2], 35: [1], 53: [1],
};

/** Formats whose bonds carry real bond orders. */
const FORMATS_WITH_BOND_ORDERS = new Set(['sdf', 'smi', 'smiles-csv', 'mol2']);

export interface BondOrderOptions {
  /** Search steps before giving up. */
  readonly maxSteps?: number;
}

function valenceChoices(z: number, charge: number): readonly number[] | undefined {
  const base = VALENCES[z];
  if (!base) return undefined;
  if (charge === 0) return base;
  // Isoelectronic shift: N+ / O+ behave like C / N (one more bond); C- / O- like N / F.
  if (z === 6) return [3];
  if (z === 7 || z === 15) return charge > 0 ? [4] : [2];
  if (z === 8 || z === 16) return charge > 0 ? [3] : [1];
  if (z === 5) return charge < 0 ? [4] : undefined;
  return undefined;
}

export interface AssignedBonds {
  readonly bonds: Bond[];
  /** The structure's formal charges, or charges inferred from connectivity (N+ with four bonds, nitro N+/O- ...). */
  readonly formalCharges: Int8Array;
}

/** Atoms that may take a negative charge when no bond partner is left: terminal O/S, two-coordinate N. */
function canBeAnion(z: number, degree: number): boolean {
  return ((z === 8 || z === 16) && degree === 1) || (z === 7 && degree === 2);
}

/**
 * Assigns bond orders to `connectivity` (atom pairs); returns undefined when the molecule has elements
 * outside the table or no consistent assignment is found. Without formal charges in the structure, charges
 * are inferred as xyz2mol does: four-coordinate N and three-coordinate O are cations, four-coordinate B an
 * anion, N bonded to a terminal O in an N-oxide / nitro group is N+ with O-, and terminal O/S (or
 * two-coordinate N) left without a partner become anions while the positive charges allow (zwitterions).
 */
export function assignBondOrders(structure: Structure, connectivity: readonly Bond[], options: BondOrderOptions = {}): AssignedBonds | undefined {
  const n = structure.numbers.length;
  const maxSteps = options.maxSteps ?? 200_000;
  const neighbours: Array<Array<{ atom: number; bond: number }>> = Array.from({ length: n }, () => []);
  connectivity.forEach((b, k) => {
    neighbours[b.a]!.push({ atom: b.b, bond: k });
    neighbours[b.b]!.push({ atom: b.a, bond: k });
  });
  const z = structure.numbers;
  const degree = (i: number) => neighbours[i]!.length;
  const given = structure.formalCharges !== undefined && structure.formalCharges.some((q) => q !== 0);
  const charges = given ? Int8Array.from(structure.formalCharges!) : new Int8Array(n);
  if (!given) {
    for (let i = 0; i < n; i++) {
      if (z[i] === 7 && degree(i) === 4) charges[i] = 1;
      else if (z[i] === 8 && degree(i) === 3) charges[i] = 1;
      else if (z[i] === 5 && degree(i) === 4) charges[i] = -1;
    }
    for (let i = 0; i < n; i++) {
      if (z[i] !== 7 || degree(i) !== 3 || charges[i] !== 0) continue;
      const oxygen = neighbours[i]!.find((nb) => z[nb.atom] === 8 && degree(nb.atom) === 1 && charges[nb.atom] === 0);
      if (oxygen) {
        charges[i] = 1;
        charges[oxygen.atom] = -1;
      }
    }
  }
  let anionBudget = 0;
  if (!given) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += charges[i]!;
    anionBudget = Math.max(0, sum - structure.charge);
  }
  const deficit = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const choices = valenceChoices(z[i]!, charges[i]!);
    if (!choices) return undefined;
    const valence = choices.find((v) => v >= degree(i));
    if (valence === undefined) return undefined;
    deficit[i] = valence - degree(i);
  }
  const orders = new Int32Array(connectivity.length).fill(1);
  let steps = 0;

  const candidates = (i: number) => neighbours[i]!.filter((nb) => deficit[nb.atom]! > 0 && orders[nb.bond]! < 3);
  const solve = (): boolean => {
    if (++steps > maxSteps) return false;
    // The unsatisfied atom with the fewest ways to satisfy it.
    let best = -1;
    let bestCount = Infinity;
    for (let i = 0; i < n; i++) {
      if (deficit[i]! <= 0) continue;
      const count = candidates(i).length;
      if (count === 0) {
        // No partner left: an anion if the charge budget allows, else a dead end.
        if (anionBudget <= 0 || deficit[i] !== 1 || charges[i] !== 0 || !canBeAnion(z[i]!, degree(i))) return false;
        charges[i] = -1;
        deficit[i] = 0;
        anionBudget--;
        if (solve()) return true;
        charges[i] = 0;
        deficit[i] = 1;
        anionBudget++;
        return false;
      }
      if (count < bestCount) {
        best = i;
        bestCount = count;
      }
    }
    if (best < 0) return true;
    for (const nb of candidates(best)) {
      orders[nb.bond]!++;
      deficit[best]!--;
      deficit[nb.atom]!--;
      if (solve()) return true;
      orders[nb.bond]!--;
      deficit[best]!++;
      deficit[nb.atom]!++;
      if (steps > maxSteps) return false;
    }
    return false;
  };
  if (!solve()) return undefined;
  return { bonds: connectivity.map((b, k) => ({ a: b.a, b: b.b, order: orders[k] as BondOrder })), formalCharges: charges };
}

/**
 * Bonds with trustworthy orders, and the formal charges that go with them: the file's own when its format
 * has bond orders (SDF, SMILES), else orders (and charges) assigned to the file's connectivity, or to
 * perceived connectivity when it has none. Undefined for crystals and when no assignment exists.
 */
export function chemicalBonds(structure: Structure): AssignedBonds | undefined {
  const format = structure.provenance?.format;
  if (structure.bonds && (format === undefined || FORMATS_WITH_BOND_ORDERS.has(format))) {
    return { bonds: [...structure.bonds], formalCharges: structure.formalCharges ?? new Int8Array(structure.numbers.length) };
  }
  if (structure.cell && structure.pbc.some((p) => p)) return undefined; // crystals are not molecules
  const connectivity = structure.bonds ?? perceiveBonds(structure);
  return assignBondOrders(structure, connectivity);
}
