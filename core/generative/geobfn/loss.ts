/**
 * GeoBFN's training objective: the continuous-time loss L∞ of Graves et al. 2023 (eq. 101 for the positions,
 * eq. 121 for the discretised charges), as GeoBFN's `loss_one_step` computes it on QM9:
 *   per molecule t ∼ U(0, 1) (clamped to t_min), μ_x ∼ p_F(· | x; t) in the zero-CoM subspace, μ_c ∼ p_F(· | c; t);
 *   per atom   ℓ = −ln σ₁ˣ σ₁ˣ^{−2t} ‖x − x̂(θ, t)‖² + −ln σ₁ᶜ σ₁ᶜ^{−2t} (c − k̂(θ, t))²;
 *   L = mean of ℓ over the atoms of the batch.
 * x are positions / scale (CoM-free), c = (2Z − 1)/K − 1 the charge value of each atom.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { comFreeGaussian, encodeMolecules, gaussians, type AtomEncoding, type MoleculeBatchHost } from '../edm/molecules';
import type { BatchTensors, DynamicsParams } from '../edm/dynamics';
import { chargeValue, flowGamma, lossWeight, sampleFlow } from './bayesian-flow';
import type { GeoBfnModel } from './geobfn-model';
import { bfnNetwork } from './network';

/** The atom encoding of EDM's batching with GeoBFN's position scale (types are validated; one-hot unused). */
export function geoBfnEncoding(model: GeoBfnModel): AtomEncoding {
  return { species: model.config.species, includeCharges: false, scales: { positions: model.config.positionScale, oneHot: 1, charges: 1 } };
}

/** Data of a batch: x (CoM-free, scaled) [nAtoms*3], c [nAtoms], and the fully connected batch. */
export interface BfnData {
  readonly positions: Float64Array;
  readonly charges: Float64Array;
  readonly batch: MoleculeBatchHost;
}

export function encodeBfnData(model: GeoBfnModel, structures: readonly Structure[]): BfnData {
  const { positions, batch } = encodeMolecules(structures, geoBfnEncoding(model));
  const charges = new Float64Array(batch.nAtoms);
  structures.forEach((st, g) => st.numbers.forEach((z, a) => { charges[batch.atomStart[g]! + a] = chargeValue(z, model.config.bins); }));
  return { positions, charges, batch };
}

/** A draw of the Bayesian flow for a batch: network inputs θ = (μ_x, μ_c), t and the loss weights. */
export interface FlowBatch {
  readonly data: BfnData;
  /** [nAtoms*3] μ_x ∼ p_F (CoM-free). */
  readonly mu: Float32Array;
  /** [nAtoms] μ_c ∼ p_F. */
  readonly muCharge: Float32Array;
  /** [nAtoms] t of each atom's molecule (≥ t_min). */
  readonly time: Float32Array;
  /** [nAtoms] −ln σ₁ σ₁^{−2t} for positions and charges. */
  readonly weightPositions: Float32Array;
  readonly weightCharges: Float32Array;
  /** t of each molecule. */
  readonly times: Float64Array;
}

/** Draws t (unless given, one per molecule) and θ ∼ p_F(θ | x; t). */
export function flowBatch(model: GeoBfnModel, data: BfnData, sources: { uniform: () => number; gaussian: () => number }, times?: ArrayLike<number>): FlowBatch {
  const { batch } = data;
  const c = model.config;
  const t = Float64Array.from({ length: batch.nGraphs }, (_, g) => Math.max(c.tMin, times ? times[g]! : sources.uniform()));
  const epsX = comFreeGaussian(sources.gaussian, batch.atomStart);
  const epsC = gaussians(sources.gaussian, batch.nAtoms);
  const mu = sampleFlow(data.positions, epsX, 3, (i) => flowGamma(c.sigma1Positions, t[batch.batch[i]!]!), new Float64Array(3 * batch.nAtoms));
  const muCharge = sampleFlow(data.charges, epsC, 1, (i) => flowGamma(c.sigma1Charges, t[batch.batch[i]!]!), new Float64Array(batch.nAtoms));
  const time = Float32Array.from(batch.batch, (g) => t[g]!);
  return {
    data, mu: Float32Array.from(mu), muCharge: Float32Array.from(muCharge, (v) => Math.min(10, Math.max(-10, v))), time, times: t,
    weightPositions: Float32Array.from(batch.batch, (g) => lossWeight(c.sigma1Positions, t[g]!)),
    weightCharges: Float32Array.from(batch.batch, (g) => lossWeight(c.sigma1Charges, t[g]!)),
  };
}

/** L∞ of a flow batch, a scalar (call inside tf.tidy or variableGrads). */
export function bfnLossTensor(model: GeoBfnModel, params: DynamicsParams, b: BatchTensors, f: FlowBatch): tf.Scalar {
  const n = b.host.nAtoms;
  const out = bfnNetwork(model.config, params, b, {
    mu: tf.tensor2d(f.mu, [n, 3]), muCharge: tf.tensor2d(f.muCharge, [n, 1]), time: tf.tensor2d(f.time, [n, 1]),
  });
  const errorX = tf.sum(tf.square(tf.sub(out.positions, tf.tensor2d(Float32Array.from(f.data.positions), [n, 3]))), 1); // [nAtoms]
  const errorC = tf.sum(tf.square(tf.sub(out.chargeEstimate, tf.tensor2d(Float32Array.from(f.data.charges), [n, 1]))), 1); // [nAtoms]
  const perAtom = tf.add(tf.mul(errorX, tf.tensor1d(f.weightPositions)), tf.mul(errorC, tf.tensor1d(f.weightCharges))); // [nAtoms]
  return tf.mean(perAtom) as tf.Scalar;
}
