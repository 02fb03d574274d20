/**
 * Biased dense layers, y = x W + b, on invariant features '{F}x0e' → '{F'}x0e': the building blocks of EGNN
 * (Satorras et al. 2021, the MLPs φ_e, φ_x, φ_h and the readout of eqs. 3–6) and of EDM's EGNN denoiser. Unlike
 * `ScalarMlp` (e3nn's FullyConnectedNet: no biases, 1/√fan_in in the forward pass) these carry biases and no
 * forward normalisation; weights are plain named tensors made by `initGlorotParams` (./params.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamRecord } from './params';
import { silu } from './activations';

/** x W + b: [n, in] -> [n, out]. */
export function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return b ? tf.add(y, b) : y;
}

/** Two-layer MLP `prefix/w0, b0, w1, b1` with SiLU: [n, in] -> [n, out]. */
export function mlp2(params: ParamRecord, prefix: string, x: tf.Tensor): tf.Tensor {
  const hidden = silu(dense(x, params[`${prefix}/w0`]!, params[`${prefix}/b0`]));
  return dense(hidden, params[`${prefix}/w1`]!, params[`${prefix}/b1`]);
}

/** Shapes of an `mlp2`'s parameters, for `initGlorotParams`. */
export function mlpParamsShape(prefix: string, inFeatures: number, hidden: number, out: number): Record<string, number[]> {
  return { [`${prefix}/w0`]: [inFeatures, hidden], [`${prefix}/b0`]: [hidden], [`${prefix}/w1`]: [hidden, out], [`${prefix}/b1`]: [out] };
}
