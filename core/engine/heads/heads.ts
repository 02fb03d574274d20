/**
 * Readout heads shared by every model family (EGNN, MACE, TDN, eSCN, FAENet). Each takes the model's
 * invariant node features (the 0e part, [nAtoms, F]) and, where needed, geometry from the graph context.
 *
 * - `atomicEnergies` + `graphEnergy`: invariant energy head with per-element reference energies E0 and a
 *   scale/shift normalisation: E_g = Σ_{i∈g} (E0[s_i] + shift + scale · e_i).
 * - `perAtomScalars`: any per-atom invariant (partial charges, chemical shifts ...), [nAtoms].
 * - `graphScalar`: invariant per-structure property (sum or mean over atoms), [nGraphs].
 * - `dipoleFromCharges`: vector head μ_g = Σ_i q_i (r_i - r̄_g) with charges corrected to sum to the total
 *   charge (e·Å; ×4.803 for Debye). Equivariant because it is built from positions and invariant charges.
 * - `edgeVectorSum`: per-atom vectors v_i = Σ_j w_ij r_ij from invariant edge weights (forces-like heads).
 * All weights are passed as a ModelParams record with the names below; `mlpParamsShape` lists them.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../graph/graph-context';
import type { EnergyNormalisation, ModelParams } from '../model';

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** x W + b. */
export function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return b ? tf.add(y, b) : y;
}

/** Two-layer MLP `prefix/w0, b0, w1, b1` with SiLU: [n, in] -> [n, out]. */
export function mlp2(params: ModelParams, prefix: string, x: tf.Tensor): tf.Tensor {
  const hidden = silu(dense(x, params[`${prefix}/w0`]!, params[`${prefix}/b0`]));
  return dense(hidden, params[`${prefix}/w1`]!, params[`${prefix}/b1`]);
}

/** Shapes of an `mlp2` head's parameters, for initialisation. */
export function mlpParamsShape(prefix: string, inFeatures: number, hidden: number, out: number): Record<string, number[]> {
  return { [`${prefix}/w0`]: [inFeatures, hidden], [`${prefix}/b0`]: [hidden], [`${prefix}/w1`]: [hidden, out], [`${prefix}/b1`]: [out] };
}

/** Per-atom network outputs [nAtoms] from invariant features [nAtoms, F] via `prefix` MLP. */
export function perAtomScalars(params: ModelParams, prefix: string, features: tf.Tensor): tf.Tensor1D {
  return tf.reshape(mlp2(params, prefix, features), [-1]) as tf.Tensor1D;
}

/** Per-atom energies (eV) [nAtoms]: E0[s_i] + shift + scale · e_i. */
export function atomicEnergies(ctx: GraphContext, networkOutput: tf.Tensor1D, normalisation: EnergyNormalisation): tf.Tensor1D {
  const e0 = tf.gather(tf.tensor1d([...normalisation.referenceEnergies]), ctx.species);
  return tf.add(tf.add(e0, normalisation.shift), tf.mul(networkOutput, normalisation.scale)) as tf.Tensor1D;
}

/** Sum (or mean) of per-atom values per graph, [nGraphs]. */
export function graphScalar(ctx: GraphContext, perAtom: tf.Tensor1D, reduce: 'sum' | 'mean' = 'sum'): tf.Tensor1D {
  const summed = tf.unsortedSegmentSum(perAtom, ctx.batch, ctx.nGraphs) as tf.Tensor1D;
  if (reduce === 'sum') return summed;
  const counts = Array.from({ length: ctx.nGraphs }, (_, g) => ctx.host.atomStart[g + 1]! - ctx.host.atomStart[g]!);
  return tf.div(summed, tf.tensor1d(counts.map((c) => Math.max(c, 1)))) as tf.Tensor1D;
}

/** Total energy per graph (eV), [nGraphs]. */
export function graphEnergy(ctx: GraphContext, networkOutput: tf.Tensor1D, normalisation: EnergyNormalisation): tf.Tensor1D {
  return graphScalar(ctx, atomicEnergies(ctx, networkOutput, normalisation));
}

/**
 * Dipole per graph (e·Å), [nGraphs, 3], from raw per-atom charges [nAtoms]: charges are shifted per graph so
 * they sum to `totalCharges[g]`; positions are taken relative to the graph's centroid (origin independence).
 */
export function dipoleFromCharges(ctx: GraphContext, rawCharges: tf.Tensor1D, totalCharges?: readonly number[]): tf.Tensor2D {
  const counts = Array.from({ length: ctx.nGraphs }, (_, g) => Math.max(1, ctx.host.atomStart[g + 1]! - ctx.host.atomStart[g]!));
  const countT = tf.tensor1d(counts);
  const totals = tf.tensor1d(totalCharges ? [...totalCharges] : new Array<number>(ctx.nGraphs).fill(0));
  const excess = tf.div(tf.sub(tf.unsortedSegmentSum(rawCharges, ctx.batch, ctx.nGraphs), totals), countT); // [nGraphs]
  const charges = tf.sub(rawCharges, tf.gather(excess, ctx.batch)); // [nAtoms]
  const centroid = tf.div(tf.unsortedSegmentSum(ctx.positions, ctx.batch, ctx.nGraphs), countT.reshape([-1, 1])); // [nGraphs, 3]
  const relative = tf.sub(ctx.positions, tf.gather(centroid, ctx.batch)); // [nAtoms, 3]
  return tf.unsortedSegmentSum(tf.mul(relative, charges.reshape([-1, 1])), ctx.batch, ctx.nGraphs) as tf.Tensor2D;
}

/** Equivariant per-atom vectors v_i = Σ_{j} w_e r_e over edges into i: weights [nEdges, 1], vectors [nEdges, 3]. */
export function edgeVectorSum(ctx: GraphContext, weights: tf.Tensor, vectors: tf.Tensor2D): tf.Tensor2D {
  return tf.unsortedSegmentSum(tf.mul(vectors, weights), ctx.edgeDst, ctx.nAtoms) as tf.Tensor2D;
}
