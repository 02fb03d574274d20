/**
 * Small statistics for checking samplers: means with standard errors of correlated series (batch means),
 * the one-sample Kolmogorov–Smirnov test (statistic and asymptotic p-value from the Kolmogorov distribution)
 * the Maxwell–Boltzmann speed distribution, and χ² tails (the MD temperature watchdog's limit for few degrees of
 * freedom). Pure functions; units as the caller's (speeds Å/fs, masses u, K).
 */
import { ACCELERATION_FACTOR, BOLTZMANN_EV_PER_K } from './md/units';

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length > 0 ? sum / values.length : NaN;
}

/** Unbiased sample variance. */
export function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return values.length > 1 ? sum / (values.length - 1) : NaN;
}

export interface MeanEstimate {
  readonly mean: number;
  /** Standard error of the mean, from `batches` batch means (valid when a batch is much longer than the correlation time). */
  readonly standardError: number;
  readonly batches: number;
}

/**
 * Mean and its standard error for a time-correlated series by the method of batch means (Flyvbjerg & Petersen,
 * J. Chem. Phys. 91, 461 (1989)): the series is cut into `batches` equal consecutive blocks (the remainder at the
 * start is dropped) and SE = √(var(block means) / batches).
 */
export function batchMeans(values: ArrayLike<number>, batches = 20): MeanEstimate {
  const length = Math.floor(values.length / batches);
  if (length < 1) throw new RangeError(`batchMeans: ${values.length} values cannot make ${batches} batches`);
  const offset = values.length - length * batches;
  const means = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += values[offset + b * length + i]!;
    means[b] = sum / length;
  }
  return { mean: mean(means), standardError: Math.sqrt(variance(means) / batches), batches };
}

/** Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)| of `samples` against the continuous CDF `cdf`. */
export function kolmogorovSmirnovStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/**
 * P(D_n ≥ d) for the one-sample KS test: the Kolmogorov distribution Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²) at
 * λ = (√n + 0.12 + 0.11/√n) d (Stephens' small-n correction, Numerical Recipes 3rd ed. §14.3.3).
 */
export function kolmogorovSmirnovPValue(d: number, n: number): number {
  const sqrtN = Math.sqrt(n);
  const lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** The error function, |error| < 1.2e-7 (Numerical Recipes erfc Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/**
 * CDF of the Maxwell–Boltzmann speed distribution of atoms of `mass` u at `temperature` K, for speeds in Å/fs:
 * F(v) = erf(v / (√2 a)) − √(2/π) (v/a) exp(−v²/(2a²)), a = √(kT/m).
 */
export function maxwellBoltzmannSpeedCdf(mass: number, temperature: number): (speed: number) => number {
  const a = Math.sqrt((BOLTZMANN_EV_PER_K * temperature * ACCELERATION_FACTOR) / mass);
  return (v) => (v <= 0 ? 0 : erf(v / (Math.SQRT2 * a)) - Math.sqrt(2 / Math.PI) * (v / a) * Math.exp(-(v * v) / (2 * a * a)));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-14). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): the series of P = 1 − Q for x < a + 1,
 * else Lentz's continued fraction for Q (Numerical Recipes 3rd ed. §6.2).
 */
export function upperGammaRatio(a: number, x: number): number {
  if (x <= 0) return 1;
  const prefactor = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) sum += term *= x / (a + n);
    return Math.max(0, 1 - sum * prefactor);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h * prefactor;
}

/** The x with P(χ²_k > x) = p, for k > 0 degrees of freedom and 0 < p < 1 (bisection on Q(k/2, x/2)). */
export function chiSquaredUpperQuantile(k: number, p: number): number {
  let low = 0;
  let high = Math.max(1, k);
  while (upperGammaRatio(k / 2, high / 2) > p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = 0.5 * (low + high);
    if (upperGammaRatio(k / 2, mid / 2) > p) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
}
