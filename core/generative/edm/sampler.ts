/**
 * Ancestral sampling of an EDM generator (Hoogeboom et al. 2022, Algorithm 2): N ~ p(N) from the training data,
 * z_T ~ N(0, I) (x in the zero-CoM subspace), then p(z_s | z_t) down the integer timesteps T = t_0 > … > t_n = 0
 * of a step schedule (`edmTimestepGrid` of ../step-schedules.ts: uniform, EDM's, strides the trained schedule evenly
 * and with steps = T is EDM's sampler; log-snr, karras and measured place the steps by noise level or by a pilot
 * run's measured rates), then p(x, h | z_0): positions from the x̂ estimate
 * plus σ_0/α_0 noise, types argmax and charges round(·×10) of z_0,h (EDM `sample_p_xh_given_z0`).
 *
 * One seed fixes everything (atom counts, then the noise of each batch in order): the same seed, count and
 * batch size give the same molecules. The host does the step arithmetic in float64; the network runs in float32.
 */
import { createStructure, type Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';
import { predictNoiseHost, reverseStepCoefficients } from './diffusion';
import { batchTensors, disposeBatchTensors } from './dynamics';
import { sampleAtomCount, type EdmModel } from './edm-model';
import { decodeAtom, featureCount, fullyConnectedBatch, gaussians, gaussianSource, removeMean } from './molecules';
import { EstimateRates, perMolecule, positionNoiseSource, yieldToEventLoop, type SamplerCommonOptions } from '../sampler-common';
import { edmTimestepGrid, type StepSchedule } from '../step-schedules';

export type { SampleProgress } from '../sampler-common';

export interface SampleOptions extends SamplerCommonOptions {
  /** Network evaluations in the reverse chain (≤ T; default T), plus one for p(x, h | z_0). */
  readonly steps?: number;
  /** Where the steps go between t = T and 0 (default uniform: EDM's strided timesteps, exactly). */
  readonly schedule?: StepSchedule;
  /** Property target in the property's units (conditional models only): one for all or one per molecule. */
  readonly context?: number | readonly number[];
}

export interface SampleResult {
  /** The molecules: atomic numbers, positions (Å, centred), `edm_charge` per atom. */
  readonly structures: Structure[];
  /** Per molecule, the frames z_t (positions ×scale, types argmax of z_t,h) from t = T down to the result. */
  readonly trajectories?: Structure[][];
  /** The integer timesteps t_0 = T > … > t_n = 0 used. */
  readonly times: readonly number[];
  /**
   * How fast the data estimate x̂ = (z_t,x − σ_t ε̂_x)/α_t moved: at the midpoint of each step in progress
   * u = 1 − t/T, RMS over atoms of ‖x̂_{k+1} − x̂_k‖ (Å) divided by u_{k+1} − u_k, averaged over the batches
   * (the last step's end is the final molecule). A `measured` step schedule takes it.
   */
  readonly estimateRates: { readonly progress: number[]; readonly rates: number[] };
}

function frame(model: EdmModel, x: Float64Array, h: Float64Array, start: number, end: number, name: string): Structure {
  const { encoding } = model.config;
  const nf = featureCount(encoding);
  const numbers: number[] = [];
  const charges: number[] = [];
  for (let i = start; i < end; i++) {
    const atom = decodeAtom(h, nf * i, encoding);
    numbers.push(atom.number);
    charges.push(atom.charge);
  }
  const positions = Array.from(x.subarray(3 * start, 3 * end), (v) => v * encoding.scales.positions);
  return createStructure({ name, numbers, positions, atomArrays: { edm_charge: { kind: 'int', width: 1, data: Int32Array.from(charges) } } });
}

/** Samples `count` molecules. Throws an AbortError when `signal` aborts (between steps). */
export async function sampleEdm(model: EdmModel, options: SampleOptions): Promise<SampleResult> {
  const T = model.schedule.timesteps;
  const steps = options.steps ?? T;
  const times = edmTimestepGrid(model.schedule.gamma, steps, options.schedule ?? { kind: 'uniform' });
  const count = options.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`molecule count must be a non-negative integer, got ${count}`);
  const uniform = seededRandom(options.seed);
  const fixed = perMolecule(options.atomCount, count, 'atom counts');
  const counts = fixed ?? Array.from({ length: count }, () => sampleAtomCount(model.config.atomCounts, uniform));
  for (const n of counts) if (!Number.isInteger(n) || n < 1) throw new RangeError(`atom count must be a positive integer, got ${n}`);
  const targets = perMolecule(options.context, count, 'property targets');
  if (model.config.context && !targets) throw new Error(`this EDM model is conditioned on '${model.config.context.property}': give a property target`);
  const normalisedTargets = targets?.map((v) => model.normaliseContext(v));
  const gaussian = gaussianSource(uniform);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const nf = featureCount(model.config.encoding);
  const every = options.trajectoryEvery ?? 0;
  const structures: Structure[] = [];
  const trajectories: Structure[][] = [];
  const totalEvaluations = Math.ceil(count / batchSize) * (steps + 1);
  let evaluations = 0;
  const estimateRates = new EstimateRates(steps);
  const positionNoise = positionNoiseSource(gaussian, options.noiseTransform);

  for (let first = 0; first < count; first += batchSize) {
    const molecules = counts.slice(first, first + batchSize);
    const host = fullyConnectedBatch(molecules);
    const context = normalisedTargets ? new Float32Array(host.nAtoms) : undefined;
    if (context) for (let i = 0; i < host.nAtoms; i++) context[i] = normalisedTargets![first + host.batch[i]!]!;
    const tensors = batchTensors(host);
    const frames: Structure[][] = molecules.map(() => []);
    const keepFrames = (x: Float64Array, h: Float64Array, t: number) => {
      molecules.forEach((_, g) => frames[g]!.push(frame(model, x, h, host.atomStart[g]!, host.atomStart[g + 1]!, `edm-sample-${first + g + 1} t=${t}`)));
    };
    /** x̂ after evaluation k (k = 0..steps) into the rate of step k − 1 → k (Å per unit of progress u = 1 − t/T). */
    const recordEstimate = estimateRates.batch(host.nAtoms, (k, rms) => (rms * model.config.encoding.scales.positions * T) / (times[k - 1]! - times[k]!));
    const dataEstimate = (z: Float64Array, epsX: ArrayLike<number>, t: number) => {
      const alpha = Math.sqrt(model.schedule.alpha2(t)), sigma = Math.sqrt(model.schedule.sigma2(t));
      return z.map((v, i) => (v - sigma * epsX[i]!) / alpha);
    };
    try {
      let x = positionNoise(host.atomStart); // z_T,x [nAtoms*3]
      let h = gaussians(gaussian, nf * host.nAtoms); // z_T,h [nAtoms*nf]
      if (every > 0) keepFrames(x, h, T);
      for (let k = 0; k + 1 < times.length; k++) {
        options.signal?.throwIfAborted();
        const t = times[k]!, s = times[k + 1]!;
        const eps = predictNoiseHost(model, tensors, { x, h }, t, context);
        recordEstimate(k, dataEstimate(x, eps.epsX, t));
        const { a, b, c } = reverseStepCoefficients(model, s, t);
        const noiseX = positionNoise(host.atomStart);
        const noiseH = gaussians(gaussian, nf * host.nAtoms);
        x = x.map((v, i) => a * v - b * eps.epsX[i]! + c * noiseX[i]!);
        h = h.map((v, i) => a * v - b * eps.epsH[i]! + c * noiseH[i]!);
        removeMean(x, host.atomStart);
        evaluations++;
        if (every > 0 && ((k + 1) % every === 0 || s === 0)) keepFrames(x, h, s);
        options.onProgress?.({ evaluations, totalEvaluations, molecules: first });
        await yieldToEventLoop();
      }
      // p(x, h | z_0): x = x̂ + (σ_0/α_0) ε'', x̂ = (z_0 − σ_0 ε̂)/α_0; types and charges from z_0,h.
      options.signal?.throwIfAborted();
      const eps = predictNoiseHost(model, tensors, { x, h }, 0, context);
      const alpha0 = Math.sqrt(model.schedule.alpha2(0));
      const sigma0 = Math.sqrt(model.schedule.sigma2(0));
      const noiseX = positionNoise(host.atomStart);
      const final = x.map((v, i) => (v - sigma0 * eps.epsX[i]!) / alpha0 + (sigma0 / alpha0) * noiseX[i]!);
      removeMean(final, host.atomStart);
      recordEstimate(steps, dataEstimate(x, eps.epsX, 0));
      evaluations++;
      estimateRates.endBatch();
      molecules.forEach((_, g) => {
        const st = frame(model, final, h, host.atomStart[g]!, host.atomStart[g + 1]!, `edm-sample-${first + g + 1}`);
        structures.push(st);
        if (every > 0) trajectories.push([...frames[g]!, st]);
      });
      options.onProgress?.({ evaluations, totalEvaluations, molecules: first + molecules.length });
    } finally {
      disposeBatchTensors(tensors);
    }
  }
  const progress = Array.from({ length: steps }, (_, k) => 1 - 0.5 * (times[k]! + times[k + 1]!) / T);
  return { structures, times, estimateRates: estimateRates.result(progress), ...(every > 0 ? { trajectories } : {}) };
}
