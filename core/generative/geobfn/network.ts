/**
 * GeoBFN's network output Ψ(θ, t) (Song et al. 2024, §3–4; Graves et al. 2023, eqs. 84, 104–108): EDM's EGNN
 * (core/generative/edm/dynamics.ts, `predictNoise`) reads the input distribution's parameters, not noisy samples:
 *   positions: the input means μ_x (CoM-free, ×1/scale) as the EGNN's coordinates;
 *   charges:   h = 2 · normalise₁(exp(−½((μ_c − c_j)/w)²)) − 1 over 16 centres c_j on [−2, 2], w = 4/16
 *              (GeoBFN `gaussian_basis`), and t as the time feature.
 * Its coordinate output is ε̂_x (x_L − μ_x, CoM-free) and the first two node outputs are μ_ε and ln σ_ε, giving
 *   x̂ = μ_x/γ_x − √((1 − γ_x)/γ_x) ε̂_x                                 [nAtoms, 3], equivariant, CoM-free
 *   μ_c,x = μ_c/γ_c − √((1 − γ_c)/γ_c) μ_ε,  σ_c,x = √((1 − γ_c)/γ_c) e^{ln σ_ε}   [nAtoms, 1], invariant
 *   p_O(k) = F(k_r) − F(k_l) on K bins,  k̂ = Σ_k p_O(k) k_c                 [nAtoms, K], [nAtoms, 1]
 * with γ(t) = 1 − σ₁^{2t} and t clamped to t_min. μ_x is centred per molecule first (GeoBFN's zero_center_of_mass),
 * so x̂ is invariant to translations of μ_x and rotates with it; the charge outputs are E(3)-invariant.
 * GeoBFN clamps ε̂ and μ_ε, ln σ_ε to ±10; here only the invariant charge outputs are clamped (clamping a vector
 * component-wise is not rotation-equivariant).
 */
import * as tf from '@tensorflow/tfjs';
import { predictNoise, removeMeanTensor, type BatchTensors, type DynamicsParams, type PredictNoiseOptions } from '../edm/dynamics';
import { discretisedBins } from './bayesian-flow';
import type { GeoBfnConfig } from './geobfn-model';

export interface BfnNetworkInput {
  /** [nAtoms, 3] μ of the positions' input distribution (scaled). */
  readonly mu: tf.Tensor2D;
  /** [nAtoms, 1] μ of the charges' input distribution. */
  readonly muCharge: tf.Tensor2D;
  /** [nAtoms, 1] t ∈ [0, 1] of each atom's molecule (clamped to t_min here). */
  readonly time: tf.Tensor2D;
}

export interface BfnNetworkOutput {
  /** [nAtoms, 3] x̂(θ, t) (scaled positions, CoM-free). */
  readonly positions: tf.Tensor2D;
  /** [nAtoms, K] p_O(k | θ; t) of the discretised charge. */
  readonly chargeProbabilities: tf.Tensor2D;
  /** [nAtoms, 1] k̂ = Σ_k p_O(k) k_c. */
  readonly chargeEstimate: tf.Tensor2D;
}

/** γ(t) = 1 − σ₁^{2t} of a [nAtoms, 1] time tensor. */
function gammaTensor(sigma1: number, time: tf.Tensor): tf.Tensor {
  return tf.neg(tf.expm1(tf.mul(time, 2 * Math.log(sigma1)))); // [nAtoms, 1]
}

/** GeoBFN's input features of the charge mean: [nAtoms, 1] -> [nAtoms, basis] in [−1, 1]. */
export function chargeBasisFeatures(muCharge: tf.Tensor, basis: number): tf.Tensor2D {
  const centres = tf.linspace(-2, 2, basis).reshape([1, basis]); // [1, B]
  const width = 4 / basis;
  const bumps = tf.exp(tf.mul(tf.square(tf.div(tf.sub(muCharge, centres), width)), -0.5)); // [nAtoms, B]
  const normalised = tf.div(bumps, tf.maximum(tf.sum(bumps, 1, true), 1e-12)); // L1 over the basis
  return tf.sub(tf.mul(normalised, 2), 1) as tf.Tensor2D;
}

/**
 * The binned Gaussian N(μ_x, σ_x²) on K bins of [−1, 1] (Graves et al. eqs. 107–108): p_O(k) = F(k_r) − F(k_l) with the
 * CDF F set to 0 at the edge −1 and 1 at the edge 1, and k̂ = Σ_k p_O(k) k_c. μ_x, σ_x: [nAtoms, 1].
 */
export function discretisedOutput(muX: tf.Tensor, sigmaX: tf.Tensor, bins: number): { chargeProbabilities: tf.Tensor2D; chargeEstimate: tf.Tensor2D } {
  const { centres, left, right } = discretisedBins(bins);
  const cdf = (edges: Float64Array) => {
    const z = tf.tensor2d(Float32Array.from(edges), [1, bins]); // [1, K]
    const f = tf.mul(tf.add(tf.erf(tf.div(tf.sub(z, muX), tf.mul(sigmaX, Math.SQRT2))), 1), 0.5); // [nAtoms, K]
    const inside = tf.tensor2d(Float32Array.from(edges, (e) => (e <= -1 + 1e-9 || e >= 1 - 1e-9 ? 0 : 1)), [1, bins]);
    const upper = tf.tensor2d(Float32Array.from(edges, (e) => (e >= 1 - 1e-9 ? 1 : 0)), [1, bins]);
    return tf.add(tf.mul(f, inside), upper); // [nAtoms, K]
  };
  const chargeProbabilities = tf.sub(cdf(right), cdf(left)) as tf.Tensor2D; // [nAtoms, K]
  const chargeEstimate = tf.matMul(chargeProbabilities, tf.tensor2d(Float32Array.from(centres), [bins, 1])) as tf.Tensor2D; // [nAtoms, 1]
  return { chargeProbabilities, chargeEstimate };
}

/** Ψ(θ, t): x̂, p_O and k̂ for a batch (call inside tf.tidy or variableGrads; `inference` only where no gradient is taken). */
export function bfnNetwork(config: GeoBfnConfig, params: DynamicsParams, b: BatchTensors, input: BfnNetworkInput, options: PredictNoiseOptions = {}): BfnNetworkOutput {
  const nAtoms = b.host.nAtoms;
  const time = tf.maximum(input.time, config.tMin) as tf.Tensor2D; // [nAtoms, 1]
  const mu = removeMeanTensor(b, input.mu); // [nAtoms, 3]
  const h = chargeBasisFeatures(input.muCharge, config.chargeBasis); // [nAtoms, B]
  const { epsX, epsH } = predictNoise(config.dynamics, params, b, { x: mu, h, time }, options);
  const gammaX = gammaTensor(config.sigma1Positions, time); // [nAtoms, 1]
  const positions = tf.sub(tf.div(mu, gammaX), tf.mul(tf.sqrt(tf.div(tf.sub(1, gammaX), gammaX)), epsX)) as tf.Tensor2D; // [nAtoms, 3]
  const gammaC = gammaTensor(config.sigma1Charges, time); // [nAtoms, 1]
  const spread = tf.sqrt(tf.div(tf.sub(1, gammaC), gammaC)); // [nAtoms, 1]
  const muEps = tf.clipByValue(tf.slice(epsH, [0, 0], [nAtoms, 1]), -10, 10); // [nAtoms, 1]
  const logSigmaEps = tf.clipByValue(tf.slice(epsH, [0, 1], [nAtoms, 1]), -10, 10); // [nAtoms, 1]
  let muX = tf.sub(tf.div(input.muCharge, gammaC), tf.mul(spread, muEps)); // [nAtoms, 1]
  let sigmaX = tf.mul(spread, tf.exp(logSigmaEps)); // [nAtoms, 1]
  if (config.chargeClamp) {
    muX = tf.clipByValue(muX, -2, 2);
    sigmaX = tf.clipByValue(sigmaX, 1e-6, 4);
  }
  const { chargeProbabilities, chargeEstimate } = discretisedOutput(muX, sigmaX, config.bins);
  return { positions, chargeProbabilities, chargeEstimate };
}
