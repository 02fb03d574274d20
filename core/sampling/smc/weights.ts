/**
 * Importance-weight arithmetic of the SMC sampler (core/sampling/smc/annealed-smc.ts), in log space so that
 * weights exp(−ΔβE) far outside the floating-point range stay exact: log-sum-exp, normalisation, the Kish effective
 * sample size and systematic resampling (Kitagawa, J. Comput. Graph. Stat. 5, 1 (1996)). Weights of −∞ are zero.
 */

/** log Σ exp(x_i), −∞ for an empty list or all −∞. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** log w_i − log Σ w: log weights that sum to 1 in linear space (all −∞ stays all −∞). */
export function normaliseLogWeights(logWeights: readonly number[]): number[] {
  const total = logSumExp(logWeights);
  if (total === -Infinity) return logWeights.map(() => -Infinity);
  return logWeights.map((w) => w - total);
}

/** Kish effective sample size (Σ w)² / Σ w² (Kish, Survey Sampling (1965)), from log weights; 0 when all are zero. */
export function kishEss(logWeights: readonly number[]): number {
  const total = logSumExp(logWeights);
  if (total === -Infinity) return 0;
  const squares = logSumExp(logWeights.map((w) => 2 * (w - total)));
  return Math.exp(-squares);
}

/**
 * Systematic resampling: N ordered points (u + i)/N, i = 0 … N−1, with one uniform u ∈ [0, 1), mapped through the
 * cumulative normalised weights; returns the index picked for each of the N new slots (replica i is copied
 * ⌊N W_i⌋ or ⌈N W_i⌉ times). `normalisedLogWeights` must satisfy log Σ exp = 0 (normaliseLogWeights).
 */
export function systematicResample(normalisedLogWeights: readonly number[], uniform: number): number[] {
  const n = normalisedLogWeights.length;
  const picks = new Array<number>(n);
  let cumulative = 0;
  let source = -1;
  let last = 0;
  for (let r = 0; r < n; r++) if (normalisedLogWeights[r]! > -Infinity) last = r;
  for (let i = 0; i < n; i++) {
    const point = (uniform + i) / n;
    while (cumulative <= point && source < n - 1) {
      source++;
      cumulative += Math.exp(normalisedLogWeights[source]!);
    }
    // Rounding can leave the cumulative sum a hair below 1: the last points then take the last non-zero weight.
    picks[i] = cumulative > point && normalisedLogWeights[source]! > -Infinity ? source : last;
  }
  return picks;
}

/**
 * Conditional ESS fraction of incremental weights w on normalised weights W: (Σ W w)² / Σ W w² ∈ (0, 1]
 * (Zhou, Johansen, Aston, J. Comput. Graph. Stat. 25, 701 (2016), eq. 3.16, divided by N); 0 when all are zero.
 */
export function conditionalEssFraction(normalisedLogWeights: readonly number[], logIncrements: readonly number[]): number {
  const first = logSumExp(normalisedLogWeights.map((w, i) => w + logIncrements[i]!));
  if (first === -Infinity) return 0;
  const second = logSumExp(normalisedLogWeights.map((w, i) => w + 2 * logIncrements[i]!));
  return Math.exp(2 * first - second);
}
