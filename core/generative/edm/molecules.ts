/**
 * Host-side molecule data for EDM: fully connected batches, EDM's feature encoding of atom types, the
 * zero centre-of-mass subspace, and seeded Gaussian noise.
 *
 * Features (EDM, QM9 with hydrogens): h = [one-hot(type) / 4, Z / 10] (normalize_factors [1, 4, 10], biases 0),
 * positions x / 1 (Å). The "charge" feature of EDM's QM9 loader is the atomic number Z.
 * Zero CoM (EDM §3.2, `remove_mean_with_mask`, `sample_center_gravity_zero_gaussian_with_mask`): positions and their
 * noise live in the (N−1)·3-dimensional subspace Σ_i x_i = 0, one per molecule.
 */
import { symbolOf } from '../../structure/elements';
import type { Structure } from '../../structure/structure';

/** EDM's normalisation factors: positions ×1, one-hot ×1/4, charges (Z) ×1/10. */
export interface FeatureScales {
  readonly positions: number;
  readonly oneHot: number;
  readonly charges: number;
}

export const edmFeatureScales: FeatureScales = { positions: 1, oneHot: 4, charges: 10 };

export interface AtomEncoding {
  /** Atomic numbers of the one-hot classes, in order (EDM QM9: H C N O F). */
  readonly species: readonly number[];
  /** Append the integer charge feature (Z / 10), as EDM's include_charges. */
  readonly includeCharges: boolean;
  readonly scales: FeatureScales;
}

/** Number of node features nf (one-hot classes + charge). */
export function featureCount(encoding: AtomEncoding): number {
  return encoding.species.length + (encoding.includeCharges ? 1 : 0);
}

/**
 * Fully connected molecules stacked as one disjoint graph: every ordered pair i ≠ j of one molecule is an edge
 * (receiver i = edgeDst, sender j = edgeSrc, as core/engine/graph/graph-context.ts), no self-loops (EDM's edge mask).
 */
export interface MoleculeBatchHost {
  readonly nAtoms: number;
  readonly nGraphs: number;
  readonly nEdges: number;
  /** Graph g owns atoms atomStart[g] .. atomStart[g+1]−1. */
  readonly atomStart: Int32Array;
  /** [nAtoms] graph index of each atom. */
  readonly batch: Int32Array;
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
}

export function fullyConnectedBatch(atomCounts: readonly number[]): MoleculeBatchHost {
  const atomStart = new Int32Array(atomCounts.length + 1);
  let nEdges = 0;
  atomCounts.forEach((n, g) => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`molecule ${g + 1}: atom count must be a positive integer, got ${n}`);
    atomStart[g + 1] = atomStart[g]! + n;
    nEdges += n * (n - 1);
  });
  const nAtoms = atomStart[atomCounts.length]!;
  const batch = new Int32Array(nAtoms);
  const edgeSrc = new Int32Array(nEdges);
  const edgeDst = new Int32Array(nEdges);
  let e = 0;
  for (let g = 0; g < atomCounts.length; g++) {
    const start = atomStart[g]!, end = atomStart[g + 1]!;
    for (let i = start; i < end; i++) {
      batch[i] = g;
      for (let j = start; j < end; j++) {
        if (i === j) continue;
        edgeDst[e] = i;
        edgeSrc[e] = j;
        e++;
      }
    }
  }
  return { nAtoms, nGraphs: atomCounts.length, nEdges, atomStart, batch, edgeSrc, edgeDst };
}

/** Subtracts each molecule's mean position, in place: x_i ← x_i − (1/N) Σ_j x_j. `values` is [nAtoms*3]. */
export function removeMean(values: Float64Array | Float32Array, atomStart: Int32Array): void {
  for (let g = 0; g + 1 < atomStart.length; g++) {
    const start = atomStart[g]!, end = atomStart[g + 1]!;
    const n = end - start;
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (let i = start; i < end; i++) sum += values[3 * i + k]!;
      const mean = sum / n;
      for (let i = start; i < end; i++) values[3 * i + k] = values[3 * i + k]! - mean;
    }
  }
}

/** A seeded source of standard normal numbers (Box–Muller on a uniform source), both values of each pair used. */
export function gaussianSource(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u1 = 1 - uniform(); // (0, 1]
    const u2 = uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  };
}

/** n standard normal numbers. */
export function gaussians(gaussian: () => number, n: number): Float64Array {
  return Float64Array.from({ length: n }, gaussian);
}

/** Noise in the zero-CoM subspace: ε ~ N(0, I) projected per molecule (EDM `sample_center_gravity_zero_gaussian`). */
export function comFreeGaussian(gaussian: () => number, atomStart: Int32Array): Float64Array {
  const values = gaussians(gaussian, 3 * atomStart[atomStart.length - 1]!);
  removeMean(values, atomStart);
  return values;
}

/** EDM features of a batch of structures: CoM-free positions [nAtoms*3] (Å) and h [nAtoms*nf]. */
export function encodeMolecules(structures: readonly Structure[], encoding: AtomEncoding): { positions: Float64Array; features: Float64Array; batch: MoleculeBatchHost } {
  const batch = fullyConnectedBatch(structures.map((s) => s.numbers.length));
  const nf = featureCount(encoding);
  const index = new Map(encoding.species.map((z, i) => [z, i]));
  const positions = new Float64Array(3 * batch.nAtoms);
  const features = new Float64Array(nf * batch.nAtoms);
  structures.forEach((st, g) => {
    const base = batch.atomStart[g]!;
    for (let a = 0; a < st.numbers.length; a++) {
      const z = st.numbers[a]!;
      const k = index.get(z);
      if (k === undefined) {
        const where = st.provenance ? `${st.provenance.file} record ${st.provenance.record + 1}` : `structure ${g + 1}${st.name ? ` (${st.name})` : ''}`;
        throw new Error(`${where}: element ${symbolOf(z)} of atom ${a + 1} is not among the generator's types (${encoding.species.map(symbolOf).join(', ')})`);
      }
      for (let c = 0; c < 3; c++) positions[3 * (base + a) + c] = st.positions[3 * a + c]! / encoding.scales.positions;
      features[nf * (base + a) + k] = 1 / encoding.scales.oneHot;
      if (encoding.includeCharges) features[nf * (base + a) + encoding.species.length] = z / encoding.scales.charges;
    }
  });
  removeMean(positions, batch.atomStart);
  return { positions, features, batch };
}

/** Decoded atom of p(h | z_0): type = argmax of the one-hot block, charge = round(Z-feature × 10) (EDM). */
export function decodeAtom(features: ArrayLike<number>, offset: number, encoding: AtomEncoding): { number: number; charge: number } {
  let best = 0;
  for (let k = 1; k < encoding.species.length; k++) if (features[offset + k]! > features[offset + best]!) best = k;
  const charge = encoding.includeCharges ? Math.round(features[offset + encoding.species.length]! * encoding.scales.charges) : 0;
  return { number: encoding.species[best]!, charge };
}
