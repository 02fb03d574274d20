/**
 * EDM noise schedules (Hoogeboom, Satorras, Vignac & Welling, ICML 2022, arXiv:2203.17003, §3 and App. B), as
 * tables over the integer timesteps t = 0..T of the variance-preserving process z_t = α_t x + σ_t ε, α_t² + σ_t² = 1.
 *
 * - polynomial (EDM's `polynomial_2`, the QM9 default): α̃²_t = (1 − (t/T)^p)², then the per-step ratios
 *   α̃²_t / α̃²_{t−1} are clipped to [0.001, 1] and multiplied back up (cumulative product, starting from α̃²_{−1} = 1),
 *   and finally α²_t = (1 − 2s) α̃²_t + s with precision s (1e-5 on QM9), so 0 < α²_t < 1 everywhere.
 * - cosine (Nichol & Dhariwal 2021, as EDM writes it): ᾱ_k = cos²(((k/(T+1)) + s)/(1 + s) · π/2) / ᾱ_0 for
 *   k = 0..T+1 with s = 0.008, β_k = clip(1 − ᾱ_{k+1}/ᾱ_k, 0, 0.999), α²_t = Π_{k≤t} (1 − β_k), t = 0..T.
 *
 * Everything else is written through γ_t = −log(α²_t / σ²_t) (EDM eq. 4 notation: SNR(t) = exp(−γ_t)),
 * α²_t = sigmoid(−γ_t), σ²_t = sigmoid(γ_t). Tables are float64.
 */

export type NoiseScheduleKind = 'polynomial' | 'cosine';

export interface NoiseScheduleConfig {
  readonly kind: NoiseScheduleKind;
  /** Number of diffusion steps T the model is trained with (EDM: 1000). */
  readonly timesteps: number;
  /** Polynomial power p (EDM on QM9: 2). Ignored for cosine. */
  readonly power?: number;
  /** Polynomial precision s (EDM on QM9: 1e-5). Ignored for cosine. */
  readonly precision?: number;
}

export const defaultScheduleConfig: NoiseScheduleConfig = { kind: 'polynomial', timesteps: 1000, power: 2, precision: 1e-5 };

/** EDM's clip_noise_schedule: clips α²_t/α²_{t−1} to [clip, 1] and rebuilds the cumulative product. */
function clipNoiseSchedule(alphas2: Float64Array, clip = 0.001): Float64Array {
  const out = new Float64Array(alphas2.length);
  let previous = 1;
  let product = 1;
  for (let t = 0; t < alphas2.length; t++) {
    const ratio = Math.min(1, Math.max(clip, alphas2[t]! / previous));
    product *= ratio;
    out[t] = product;
    previous = alphas2[t]!;
  }
  return out;
}

/** α²_t, t = 0..T, of EDM's polynomial schedule (see the file comment). */
export function polynomialAlphas2(timesteps: number, power = 2, precision = 1e-5): Float64Array {
  const raw = Float64Array.from({ length: timesteps + 1 }, (_, t) => (1 - (t / timesteps) ** power) ** 2);
  const clipped = clipNoiseSchedule(raw);
  return clipped.map((a) => (1 - 2 * precision) * a + precision);
}

/** α²_t, t = 0..T, of EDM's cosine schedule (s = 0.008, β clipped at 0.999). */
export function cosineAlphas2(timesteps: number, s = 0.008): Float64Array {
  const steps = timesteps + 2;
  const cumulative = Float64Array.from({ length: steps }, (_, k) => Math.cos(((k / (steps - 1) + s) / (1 + s)) * Math.PI * 0.5) ** 2);
  const first = cumulative[0]!;
  const out = new Float64Array(timesteps + 1);
  let product = 1;
  for (let k = 0; k <= timesteps; k++) {
    const beta = Math.min(0.999, Math.max(0, 1 - cumulative[k + 1]! / first / (cumulative[k]! / first)));
    product *= 1 - beta;
    out[k] = product;
  }
  return out;
}

function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** One transition z_s -> z_t (s < t) of the process: q(z_t | z_s) = N(α_{t|s} z_s, σ²_{t|s} I). */
export interface Transition {
  readonly alphaTGivenS: number;
  readonly sigma2TGivenS: number;
}

export class NoiseSchedule {
  /** γ_t = −log(α²_t/σ²_t), t = 0..T. */
  readonly gamma: Float64Array;
  readonly timesteps: number;

  constructor(readonly config: NoiseScheduleConfig) {
    const T = config.timesteps;
    if (!Number.isInteger(T) || T < 1) throw new RangeError(`noise schedule: timesteps must be a positive integer, got ${T}`);
    const alphas2 = config.kind === 'cosine' ? cosineAlphas2(T) : polynomialAlphas2(T, config.power ?? 2, config.precision ?? 1e-5);
    this.timesteps = T;
    this.gamma = alphas2.map((a) => -(Math.log(a) - Math.log(1 - a)));
    for (let t = 0; t <= T; t++) {
      if (!Number.isFinite(this.gamma[t]!)) throw new RangeError(`noise schedule ${config.kind}: γ at t=${t} is not finite (α² = ${alphas2[t]})`);
    }
  }

  /** α²_t = sigmoid(−γ_t). */
  alpha2(t: number): number {
    return sigmoid(-this.gammaAt(t));
  }

  /** σ²_t = sigmoid(γ_t). */
  sigma2(t: number): number {
    return sigmoid(this.gammaAt(t));
  }

  gammaAt(t: number): number {
    if (!Number.isInteger(t) || t < 0 || t > this.timesteps) throw new RangeError(`timestep ${t} outside 0..${this.timesteps}`);
    return this.gamma[t]!;
  }

  /**
   * α_{t|s} = α_t/α_s and σ²_{t|s} = σ²_t − α²_{t|s} σ²_s for s < t (EDM eq. 5), in EDM's stable form
   * σ²_{t|s} = −expm1(softplus(γ_s) − softplus(γ_t)).
   */
  transition(s: number, t: number): Transition {
    const gs = this.gammaAt(s);
    const gt = this.gammaAt(t);
    const logAlpha2TGivenS = -softplus(gt) + softplus(gs); // log sigmoid(−γ_t) − log sigmoid(−γ_s)
    return { alphaTGivenS: Math.exp(0.5 * logAlpha2TGivenS), sigma2TGivenS: -Math.expm1(softplus(gs) - softplus(gt)) };
  }
}

/**
 * The timesteps a sampler with `steps` ≤ T network evaluations visits, from T down to 0: t_k = round(k T / steps),
 * k = steps..0 (strictly decreasing; steps = T gives every integer, EDM's sampler). Sampling with fewer steps
 * than trained uses the same p(z_s | z_t) with s, t further apart.
 */
export function samplingTimesteps(timesteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > timesteps) throw new RangeError(`sampling steps must be an integer in 1..${timesteps}, got ${steps}`);
  return Array.from({ length: steps + 1 }, (_, j) => Math.round(((steps - j) * timesteps) / steps));
}
