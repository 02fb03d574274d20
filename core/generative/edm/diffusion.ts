/**
 * EDM's forward process, ε-prediction objective and reverse step (Hoogeboom et al. 2022, §3, Algorithms 1 and 2).
 *
 * Training (Algorithm 1, EDM's `l2` loss on QM9): per molecule t ~ U{0..T}, ε = [ε_x, ε_h] with ε_x ~ N(0, I) in
 * the zero-CoM subspace and ε_h ~ N(0, I); z_t = α_t [x, h] + σ_t ε;
 *   L = mean over molecules of ½ ‖ε − φ(z_t, t)‖² / ((3 + nf) · N).
 * EDM replaces this by its likelihood term L_0 when t = 0 (1 draw in T+1); here the same L2 term is used for all t.
 * Sampling (Algorithm 2): for s < t,
 *   μ = z_t / α_{t|s} − σ²_{t|s} / (α_{t|s} σ_t) · ε̂,   σ_{t→s} = σ_{t|s} σ_s / σ_t,   z_s = μ + σ_{t→s} ε'
 * with ε' CoM-free in x; finally p(x | z_0): x = (z_0,x − σ_0 ε̂_x)/α_0 + (σ_0/α_0) ε'', h decoded from z_0,h.
 */
import * as tf from '@tensorflow/tfjs';
import { predictNoise, type BatchTensors, type DynamicsParams } from './dynamics';
import type { EdmModel } from './edm-model';
import { comFreeGaussian, featureCount, gaussians, type MoleculeBatchHost } from './molecules';

/** A noised batch on the host: inputs z_t and the target noise ε. */
export interface NoisedBatch {
  /** [nAtoms*3] z_t,x. */
  readonly zx: Float32Array;
  /** [nAtoms*nf] z_t,h. */
  readonly zh: Float32Array;
  readonly epsX: Float32Array;
  readonly epsH: Float32Array;
  /** [nAtoms] t/T of each atom's molecule. */
  readonly time: Float32Array;
  /** [nAtoms] normalised context of each atom's molecule (conditional models). */
  readonly context?: Float32Array;
  /** Integer timestep of each molecule. */
  readonly timesteps: Int32Array;
}

/**
 * z_t = α_t x + σ_t ε for data x (CoM-free, [nAtoms*3]) and h ([nAtoms*nf]); `timesteps` per molecule, drawn
 * uniformly from 0..T with `uniform` when not given. `context` is the normalised value per molecule.
 */
export function noiseBatch(
  model: EdmModel, batch: MoleculeBatchHost, data: { positions: Float64Array; features: Float64Array },
  sources: { uniform: () => number; gaussian: () => number }, options: { timesteps?: Int32Array; context?: ArrayLike<number> } = {},
): NoisedBatch {
  const T = model.schedule.timesteps;
  const nf = featureCount(model.config.encoding);
  const timesteps = options.timesteps ?? Int32Array.from({ length: batch.nGraphs }, () => Math.min(T, Math.floor(sources.uniform() * (T + 1))));
  const epsX = comFreeGaussian(sources.gaussian, batch.atomStart);
  const epsH = gaussians(sources.gaussian, nf * batch.nAtoms);
  const zx = new Float32Array(3 * batch.nAtoms);
  const zh = new Float32Array(nf * batch.nAtoms);
  const time = new Float32Array(batch.nAtoms);
  const context = options.context ? new Float32Array(batch.nAtoms) : undefined;
  for (let g = 0; g < batch.nGraphs; g++) {
    const t = timesteps[g]!;
    const alpha = Math.sqrt(model.schedule.alpha2(t));
    const sigma = Math.sqrt(model.schedule.sigma2(t));
    for (let i = batch.atomStart[g]!; i < batch.atomStart[g + 1]!; i++) {
      for (let k = 0; k < 3; k++) zx[3 * i + k] = alpha * data.positions[3 * i + k]! + sigma * epsX[3 * i + k]!;
      for (let k = 0; k < nf; k++) zh[nf * i + k] = alpha * data.features[nf * i + k]! + sigma * epsH[nf * i + k]!;
      time[i] = t / T;
      if (context) context[i] = options.context![g]!;
    }
  }
  return { zx, zh, epsX: Float32Array.from(epsX), epsH: Float32Array.from(epsH), time, timesteps, ...(context ? { context } : {}) };
}

/** Network inputs of a host batch as tensors (inside a tidy). */
export function dynamicsInput(model: EdmModel, n: { zx: ArrayLike<number>; zh: ArrayLike<number>; time: ArrayLike<number>; context?: ArrayLike<number> }, nAtoms: number) {
  const nf = featureCount(model.config.encoding);
  return {
    x: tf.tensor2d(Float32Array.from(n.zx), [nAtoms, 3]),
    h: tf.tensor2d(Float32Array.from(n.zh), [nAtoms, nf]),
    time: tf.tensor2d(Float32Array.from(n.time), [nAtoms, 1]),
    ...(n.context ? { context: tf.tensor2d(Float32Array.from(n.context), [nAtoms, 1]) } : {}),
  };
}

/** The L2 ε-objective of a noised batch, a scalar (call inside tf.tidy or variableGrads). */
export function lossTensor(model: EdmModel, params: DynamicsParams, b: BatchTensors, noised: NoisedBatch): tf.Scalar {
  const host = b.host;
  const nf = featureCount(model.config.encoding);
  const { epsX, epsH } = predictNoise(model.config.dynamics, params, b, dynamicsInput(model, noised, host.nAtoms));
  const errorX = tf.sum(tf.square(tf.sub(epsX, tf.tensor2d(noised.epsX, [host.nAtoms, 3]))), 1); // [nAtoms]
  const errorH = tf.sum(tf.square(tf.sub(epsH, tf.tensor2d(noised.epsH, [host.nAtoms, nf]))), 1); // [nAtoms]
  const weights = new Float32Array(host.nAtoms); // ½ / ((3+nf) N_g B)
  for (let g = 0; g < host.nGraphs; g++) {
    const n = host.atomStart[g + 1]! - host.atomStart[g]!;
    for (let i = host.atomStart[g]!; i < host.atomStart[g + 1]!; i++) weights[i] = 0.5 / ((3 + nf) * n * host.nGraphs);
  }
  return tf.sum(tf.mul(tf.add(errorX, errorH), tf.tensor1d(weights))) as tf.Scalar;
}

/** ε̂ on the host for z at one integer timestep t shared by the batch (float32 network, host copies). */
export function predictNoiseHost(
  model: EdmModel, b: BatchTensors, z: { x: Float64Array; h: Float64Array }, t: number, context?: Float32Array,
): { epsX: Float32Array; epsH: Float32Array } {
  const nAtoms = b.host.nAtoms;
  const time = new Float32Array(nAtoms).fill(t / model.schedule.timesteps);
  const [x, h] = tf.tidy(() => {
    const out = predictNoise(model.config.dynamics, model.params, b, dynamicsInput(model, { zx: z.x, zh: z.h, time, ...(context ? { context } : {}) }, nAtoms), { inference: true });
    return [out.epsX, out.epsH];
  });
  const epsX = x!.dataSync() as Float32Array;
  const epsH = h!.dataSync() as Float32Array;
  tf.dispose([x!, h!]);
  for (const v of epsX) if (!Number.isFinite(v)) throw new Error(`the EDM denoiser returned a non-finite noise estimate at t = ${t}`);
  return { epsX, epsH };
}

/** Coefficients of p(z_s | z_t): z_s = a z_t − b ε̂ + c ε'. */
export function reverseStepCoefficients(model: EdmModel, s: number, t: number): { a: number; b: number; c: number } {
  const { alphaTGivenS, sigma2TGivenS } = model.schedule.transition(s, t);
  const sigmaS = Math.sqrt(model.schedule.sigma2(s));
  const sigmaT = Math.sqrt(model.schedule.sigma2(t));
  return { a: 1 / alphaTGivenS, b: sigma2TGivenS / alphaTGivenS / sigmaT, c: (Math.sqrt(sigma2TGivenS) * sigmaS) / sigmaT };
}
