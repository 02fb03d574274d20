/**
 * GeoBFN's generative process (Graves et al. 2023, Algorithm 3 for the positions and 6 for the discretised charges;
 * GeoBFN's `bfn4MolEGNN.forward`): N ∼ p(N) from the training data, θ = prior (μ = 0, ρ = 1), then for each step
 * i = 1..n of a time grid 0 = t_0 < … < t_n = 1 (uniform, or a step schedule of core/generative/step-schedules.ts):
 *   x̂, p_O = Ψ(θ, t_{i−1});  α_i = β(t_i) − β(t_{i−1}) (per variable, its own σ₁);
 *   positions: y ∼ N(x̂, α_i⁻¹ I) in the zero-CoM subspace;  charges: y ∼ N(k_c, α_i⁻¹) for a bin k (nearest to k̂,
 *   GeoBFN's "mode-seeking" default, or k ∼ p_O);  μ ← (ρ μ + α y)/(ρ + α), ρ ← ρ + α;
 * and finally x̂, k̂ = Ψ(θ, 1): positions x̂ · scale (Å, centred), types the species nearest to k̂ (GeoBFN
 * `charge_decode`). n + 1 network evaluations per batch. One seed fixes everything (atom counts, then each batch's
 * noise in order); the host does the updates in float64, the network runs in float32.
 */
import * as tf from '@tensorflow/tfjs';
import { createStructure, type Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';
import { batchTensors, disposeBatchTensors, type BatchTensors } from '../edm/dynamics';
import { sampleAtomCount } from '../edm/edm-model';
import { fullyConnectedBatch, gaussianSource, removeMean } from '../edm/molecules';
import { EstimateRates, perMolecule, positionNoiseSource, yieldToEventLoop, type SampleProgress, type SamplerCommonOptions } from '../sampler-common';
import { progressGrid, type StepSchedule } from '../step-schedules';
import { accuracyIncrements, bayesianUpdate, bfnNoiseLevel, decodeCharge, discretisedBins, nearestCentre } from './bayesian-flow';
import type { GeoBfnModel } from './geobfn-model';
import { bfnNetwork } from './network';

export type GeoBfnSampleProgress = SampleProgress;

export interface GeoBfnSampleOptions extends SamplerCommonOptions {
  /** Bayesian-flow steps n (default 100); n + 1 network evaluations per batch. */
  readonly steps?: number;
  /** Where the n steps go on t ∈ [0, 1] (default uniform, GeoBFN's sampler). */
  readonly schedule?: StepSchedule;
  /** The charge bin of each receiver draw: nearest to k̂ (GeoBFN, default) or drawn from p_O (Graves). */
  readonly chargeSampling?: 'mode-seeking' | 'sample';
}

export interface GeoBfnSampleResult {
  /** The molecules: atomic numbers, positions (Å, centred). */
  readonly structures: Structure[];
  readonly trajectories?: Structure[][];
  /** The time grid t_0..t_n used. */
  readonly times: Float64Array;
  /**
   * How fast the data estimate moved: at the midpoint of each step, RMS over atoms of ‖x̂_{k+1} − x̂_k‖ (Å) divided
   * by t_{k+1} − t_k, averaged over the batches. A `measured` step schedule takes it (progress = midpoints).
   */
  readonly estimateRates: { readonly progress: number[]; readonly rates: number[] };
}

/** Ψ(θ, t) on the host for one t shared by the batch. */
export function bfnNetworkHost(model: GeoBfnModel, b: BatchTensors, mu: Float64Array, muCharge: Float64Array, t: number): { positions: Float32Array; probabilities: Float32Array; estimate: Float32Array } {
  const n = b.host.nAtoms;
  const outs = tf.tidy(() => {
    const o = bfnNetwork(model.config, model.params, b, {
      mu: tf.tensor2d(Float32Array.from(mu), [n, 3]), muCharge: tf.tensor2d(Float32Array.from(muCharge), [n, 1]), time: tf.fill([n, 1], t) as tf.Tensor2D,
    }, { inference: true });
    return [o.positions, o.chargeProbabilities, o.chargeEstimate];
  });
  const [positions, probabilities, estimate] = outs.map((x) => x.dataSync() as Float32Array);
  tf.dispose(outs);
  for (const v of positions!) if (!Number.isFinite(v)) throw new Error(`the GeoBFN network returned a non-finite position estimate at t = ${t}`);
  return { positions: positions!, probabilities: probabilities!, estimate: estimate! };
}

function frame(model: GeoBfnModel, x: ArrayLike<number>, charge: ArrayLike<number>, start: number, end: number, name: string): Structure {
  const { species, bins, positionScale } = model.config;
  const numbers: number[] = [];
  for (let i = start; i < end; i++) numbers.push(decodeCharge(charge[i]!, species, bins));
  const positions = Float64Array.from({ length: 3 * (end - start) }, (_, k) => x[3 * start + k]! * positionScale);
  removeMean(positions, Int32Array.of(0, end - start));
  return createStructure({ name, numbers, positions: Array.from(positions) });
}

/** Samples `count` molecules. Throws an AbortError when `signal` aborts (between steps). */
export async function sampleGeoBfn(model: GeoBfnModel, options: GeoBfnSampleOptions): Promise<GeoBfnSampleResult> {
  const c = model.config;
  const steps = options.steps ?? 100;
  const times = progressGrid(steps, options.schedule ?? { kind: 'uniform' }, bfnNoiseLevel(c.sigma1Positions));
  const alphaX = accuracyIncrements(c.sigma1Positions, times);
  const alphaC = accuracyIncrements(c.sigma1Charges, times);
  const count = options.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`molecule count must be a non-negative integer, got ${count}`);
  const uniform = seededRandom(options.seed);
  const counts = perMolecule(options.atomCount, count, 'atom counts') ?? Array.from({ length: count }, () => sampleAtomCount(c.atomCounts, uniform));
  for (const n of counts) if (!Number.isInteger(n) || n < 1) throw new RangeError(`atom count must be a positive integer, got ${n}`);
  const gaussian = gaussianSource(uniform);
  const { centres } = discretisedBins(c.bins);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const every = options.trajectoryEvery ?? 0;
  const sampling = options.chargeSampling ?? 'mode-seeking';
  const structures: Structure[] = [];
  const trajectories: Structure[][] = [];
  const estimateRates = new EstimateRates(steps);
  const totalEvaluations = Math.ceil(count / batchSize) * (steps + 1);
  let evaluations = 0;
  const positionNoise = positionNoiseSource(gaussian, options.noiseTransform);

  for (let first = 0; first < count; first += batchSize) {
    const molecules = counts.slice(first, first + batchSize);
    const host = fullyConnectedBatch(molecules);
    const tensors = batchTensors(host);
    const frames: Structure[][] = molecules.map(() => []);
    const keepFrames = (x: ArrayLike<number>, charge: ArrayLike<number>, t: number) => {
      molecules.forEach((_, g) => frames[g]!.push(frame(model, x, charge, host.atomStart[g]!, host.atomStart[g + 1]!, `geobfn-sample-${first + g + 1} t=${t.toFixed(4)}`)));
    };
    /** x̂ after evaluation k (k = 0..steps) into the rate of step k − 1 → k (Å per unit of t). */
    const recordRate = estimateRates.batch(host.nAtoms, (k, rms) => (rms * c.positionScale) / (times[k]! - times[k - 1]!));
    try {
      const mu = new Float64Array(3 * host.nAtoms); // prior μ_x = 0, ρ_x = 1
      const muCharge = new Float64Array(host.nAtoms);
      let rhoX = 1, rhoC = 1;
      for (let i = 1; i <= steps; i++) {
        options.signal?.throwIfAborted();
        const out = bfnNetworkHost(model, tensors, mu, muCharge, times[i - 1]!);
        recordRate(i - 1, out.positions);
        if (every > 0 && (i - 1) % every === 0) keepFrames(out.positions, out.estimate, times[i - 1]!);
        const noise = positionNoise(host.atomStart);
        const sdX = 1 / Math.sqrt(alphaX[i - 1]!);
        const y = Float64Array.from(out.positions, (v, k) => v + sdX * noise[k]!);
        removeMean(y, host.atomStart);
        rhoX = bayesianUpdate(mu, rhoX, y, alphaX[i - 1]!);
        const sdC = 1 / Math.sqrt(alphaC[i - 1]!);
        const yc = new Float64Array(host.nAtoms);
        for (let a = 0; a < host.nAtoms; a++) {
          let bin: number;
          if (sampling === 'sample') {
            let u = uniform();
            bin = c.bins - 1;
            for (let k = 0; k < c.bins; k++) { u -= out.probabilities[a * c.bins + k]!; if (u < 0) { bin = k; break; } }
          } else {
            bin = nearestCentre(centres, out.estimate[a]!);
          }
          yc[a] = centres[bin]! + sdC * gaussian();
        }
        rhoC = bayesianUpdate(muCharge, rhoC, yc, alphaC[i - 1]!);
        for (let a = 0; a < host.nAtoms; a++) muCharge[a] = Math.min(10, Math.max(-10, muCharge[a]!));
        evaluations++;
        options.onProgress?.({ evaluations, totalEvaluations, molecules: first });
        await yieldToEventLoop();
      }
      options.signal?.throwIfAborted();
      const final = bfnNetworkHost(model, tensors, mu, muCharge, 1);
      recordRate(steps, final.positions);
      evaluations++;
      estimateRates.endBatch();
      molecules.forEach((_, g) => {
        const st = frame(model, final.positions, final.estimate, host.atomStart[g]!, host.atomStart[g + 1]!, `geobfn-sample-${first + g + 1}`);
        structures.push(st);
        if (every > 0) trajectories.push([...frames[g]!, st]);
      });
      options.onProgress?.({ evaluations, totalEvaluations, molecules: first + molecules.length });
    } finally {
      disposeBatchTensors(tensors);
    }
  }
  const progress = Array.from({ length: steps }, (_, k) => 0.5 * (times[k]! + times[k + 1]!));
  return { structures, times, estimateRates: estimateRates.result(progress), ...(every > 0 ? { trajectories } : {}) };
}
