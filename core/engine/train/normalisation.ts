/**
 * Data statistics a model needs before training: per-element reference energies E0, per-atom shift and scale,
 * and the mean neighbour count (EGNN's aggregation normaliser).
 */
import type { Structure } from '../../structure/structure';
import type { EnergyNormalisation } from '../model';
import { neighbourList } from '../geometry/neighbour-list';
import { referenceEnergy, referenceForces } from '../eval';

/** Solves the small symmetric system (A + λI) x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export interface NormalisationOptions {
  /** Isolated-atom energies (eV) by atomic number; when given they are E0 and `shift` absorbs the mean rest. */
  readonly isolatedAtomEnergies?: ReadonlyMap<number, number>;
  readonly energyKey?: string;
  readonly forcesKey?: string;
}

/**
 * E0 by ridge-regularised least squares of total energy on element counts (or isolated atoms when given);
 * shift = mean per-atom residual; scale = RMS force component (or per-atom residual energy std without forces).
 * With one composition only (e.g. MD of one molecule) least squares spreads the energy over elements in
 * proportion to their counts, which is fine for training that molecule.
 */
export function fitNormalisation(structures: readonly Structure[], species: readonly number[], options: NormalisationOptions = {}): EnergyNormalisation {
  const s = species.length;
  const index = new Map(species.map((z, i) => [z, i]));
  const labelled = structures.filter((st) => referenceEnergy(st, options.energyKey) !== undefined);
  if (labelled.length === 0) throw new Error('no structure has a reference energy to fit reference energies');
  const counts = labelled.map((st) => {
    const c = new Array<number>(s).fill(0);
    for (const z of st.numbers) {
      const i = index.get(z);
      if (i === undefined) throw new Error(`element Z=${z} is not among the model species`);
      c[i]!++;
    }
    return c;
  });
  const energies = labelled.map((st) => referenceEnergy(st, options.energyKey)!);
  let e0: number[];
  if (options.isolatedAtomEnergies) {
    e0 = species.map((z) => {
      const e = options.isolatedAtomEnergies!.get(z);
      if (e === undefined) throw new Error(`no isolated-atom energy for Z=${z}`);
      return e;
    });
  } else {
    const ata = Array.from({ length: s }, () => new Array<number>(s).fill(0));
    const atb = new Array<number>(s).fill(0);
    counts.forEach((c, k) => {
      for (let i = 0; i < s; i++) {
        atb[i]! += c[i]! * energies[k]!;
        for (let j = 0; j < s; j++) ata[i]![j]! += c[i]! * c[j]!;
      }
    });
    const ridge = 1e-8 * Math.max(...ata.map((row, i) => row[i]!), 1);
    for (let i = 0; i < s; i++) ata[i]![i]! += ridge;
    e0 = solve(ata, atb);
  }
  const residualPerAtom = counts.map((c, k) => (energies[k]! - c.reduce((sum, n, i) => sum + n * e0[i]!, 0)) / Math.max(1, c.reduce((a, b) => a + b, 0)));
  const shift = residualPerAtom.reduce((a, b) => a + b, 0) / residualPerAtom.length;
  let forceSq = 0, nForce = 0;
  for (const st of structures) {
    const f = referenceForces(st, options.forcesKey);
    if (!f) continue;
    for (const v of f) { forceSq += v * v; nForce++; }
  }
  let scale: number;
  if (nForce > 0) scale = Math.sqrt(forceSq / nForce);
  else scale = Math.sqrt(residualPerAtom.reduce((a, r) => a + (r - shift) ** 2, 0) / residualPerAtom.length);
  if (!(scale > 1e-6)) scale = 1;
  return { referenceEnergies: e0, scale, shift };
}

/** Mean number of neighbours within the cutoff per atom (sampled over at most `limit` structures). */
export function averageNeighbourCount(structures: readonly Structure[], cutoff: number, limit = 200): number {
  let edges = 0, atoms = 0;
  for (const st of structures.slice(0, limit)) {
    const periodic = st.pbc.some((p) => p) && st.cell !== undefined;
    edges += neighbourList({ positions: st.positions, ...(periodic ? { cell: st.cell!, pbc: st.pbc } : {}) }, cutoff).src.length;
    atoms += st.numbers.length;
  }
  return atoms > 0 ? Math.max(1, edges / atoms) : 1;
}
