/**
 * What the two generator samplers (edm/sampler.ts, geobfn/sampler.ts) share: the options both take, their progress
 * report, per-molecule option values, the zero-CoM position-noise draw with its optional transform, and the
 * recorder of how fast the data estimate x̂ moves per step (the rates a `measured` step schedule takes).
 */
import { comFreeGaussian, removeMean } from './edm/molecules';
import type { StepSchedule } from './step-schedules';

export interface SampleProgress {
  /** Network evaluations done so far, over all batches. */
  readonly evaluations: number;
  readonly totalEvaluations: number;
  /** Molecules finished. */
  readonly molecules: number;
}

export interface SamplerCommonOptions {
  readonly count: number;
  readonly seed: number;
  /** Steps of the sampler (each family states its default and what a step is). */
  readonly steps?: number;
  /** Where the steps go (default uniform: the family's own sampler). */
  readonly schedule?: StepSchedule;
  /** Fixed atom count (one for all, or one per molecule); default: drawn from the training histogram. */
  readonly atomCount?: number | readonly number[];
  /** Molecules sampled together (default 32). */
  readonly batchSize?: number;
  /** Keep a trajectory: a frame every this many steps, plus the last (0: none). */
  readonly trajectoryEvery?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SampleProgress) => void;
  /**
   * Applied in place to every position-noise draw ([nAtoms*3]) before use: an orthogonal map here checks that the
   * samples rotate with the noise.
   */
  readonly noiseTransform?: (positionNoise: Float64Array) => void;
}

/** One value per molecule from one value for all or a list of `count`; `what` names the option in the error. */
export function perMolecule(value: number | readonly number[] | undefined, count: number, what: string): number[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return new Array<number>(count).fill(value);
  if (value.length !== count) throw new Error(`${what}: ${value.length} values for ${count} molecules`);
  return [...value];
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Draws zero-CoM position noise [nAtoms*3] per molecule, then applies `transform` (and re-centres) if given. */
export function positionNoiseSource(gaussian: () => number, transform?: (positionNoise: Float64Array) => void): (atomStart: Int32Array) => Float64Array {
  return (atomStart) => {
    const noise = comFreeGaussian(gaussian, atomStart);
    if (transform) {
      transform(noise);
      removeMean(noise, atomStart);
    }
    return noise;
  };
}

/**
 * Sums, over the batches, how fast the data estimate moved in each of `steps` steps, and averages at the end.
 * A batch's recorder takes the estimate after evaluation k (k = 0..steps) and adds `rate(k, rms)` to step k − 1 → k,
 * rms being the RMS over atoms of ‖x̂_k − x̂_{k−1}‖ in the network's units.
 */
export class EstimateRates {
  private readonly sums: Float64Array;
  private batches = 0;

  constructor(steps: number) {
    this.sums = new Float64Array(steps);
  }

  /** A recorder for one batch of `nAtoms` atoms. */
  batch(nAtoms: number, rate: (k: number, rms: number) => number): (k: number, estimate: ArrayLike<number>) => void {
    let previous: ArrayLike<number> | undefined;
    return (k, estimate) => {
      if (previous) {
        let squared = 0;
        for (let i = 0; i < estimate.length; i++) squared += (estimate[i]! - previous[i]!) ** 2;
        this.sums[k - 1]! += rate(k, Math.sqrt(squared / nAtoms));
      }
      previous = estimate;
    };
  }

  /** Call when a batch is complete. */
  endBatch(): void {
    this.batches++;
  }

  /** The mean rate of each step, at the given progress values. */
  result(progress: number[]): { progress: number[]; rates: number[] } {
    return { progress, rates: Array.from(this.sums, (v) => v / Math.max(1, this.batches)) };
  }
}
