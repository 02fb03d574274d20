/**
 * Step schedules: where a sampler with n network evaluations places them along its path from noise to data.
 *
 * Every sampler here is written on a progress variable u ∈ [0, 1], u = 0 at the prior (pure noise) and u = 1 at
 * the data, with a noise level σ(u) that falls monotonically along it:
 *   - GeoBFN / BFN (Graves et al. 2023, §4): u = t, σ(t) = β(t)^{−1/2} with β(t) = σ₁^{−2t} − 1 (eq. 72): the flow's
 *     μ/γ is x plus Gaussian noise of variance (1 − γ)/γ = 1/β (eq. 80), so β is its signal-to-noise ratio;
 *   - EDM (Hoogeboom et al. 2022): u = 1 − t/T, σ = 1/√SNR(t) = exp(γ_t / 2) (EDM eq. 4, SNR = exp(−γ)).
 * A schedule returns u_0 = 0 < u_1 < … < u_n = 1; each sampler maps u back to its own time.
 *
 * Kinds:
 *   - `uniform`: u_i = i/n (the papers' samplers).
 *   - `log-snr`: equal increments of log SNR = −2 log σ between σ_max and σ(1) (the variational-diffusion view of
 *     Kingma et al. 2021, where the loss is an integral over log SNR).
 *   - `karras`: σ_i^{1/ρ} equally spaced between σ_max^{1/ρ} and σ_min^{1/ρ} (Karras, Aittala, Aila & Laine 2022,
 *     "Elucidating the Design Space of Diffusion-Based Generative Models", eq. 5, ρ = 7). ρ = 1 is uniform in σ,
 *     ρ → ∞ uniform in log σ (= log-snr); ρ = 7 lies between: shorter steps at low noise than uniform σ, but longer
 *     ones there than log-snr. BFN's uniform t is nearly uniform in log σ (σ ≈ σ₁^t once β ≫ 1), so on BFN karras
 *     moves steps towards the high-noise start.
 *   - `measured`: equidistribution of a monitor function (de Boor 1973, "Good approximation by splines with variable
 *     knots"; the adaptive-mesh principle): given a rate r(u) ≥ 0 measured on a pilot run (e.g. how fast the
 *     sampler's data estimate moves per unit u), u_i are the points with equal shares of ∫ (r + floor) du, so steps
 *     crowd where the state changes fastest. A floor (a fraction of the mean rate) keeps every region visited.
 * Pure functions: no tfjs, no model objects.
 */

export type StepSchedule =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'log-snr'; readonly sigmaMax?: number }
  | { readonly kind: 'karras'; readonly rho?: number; readonly sigmaMax?: number }
  | { readonly kind: 'measured'; readonly progress: readonly number[]; readonly rates: readonly number[]; readonly floor?: number };

export const stepScheduleKinds = ['uniform', 'log-snr', 'karras', 'measured'] as const;

/** σ(u) of a sampler: finite and positive for u ∈ (0, 1], strictly decreasing (σ(0) may be +∞). */
export type NoiseLevel = (u: number) => number;

/** u with σ(u) = target by bisection on [0, 1] (σ decreasing); clamps to the ends. */
function inverseNoiseLevel(sigma: NoiseLevel, target: number): number {
  if (target >= sigma(0)) return 0;
  if (target <= sigma(1)) return 1;
  let lo = 0, hi = 1;
  for (let k = 0; k < 200 && hi - lo > 1e-15; k++) {
    const mid = 0.5 * (lo + hi);
    if (sigma(mid) > target) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

function checkSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`step schedule: steps must be a positive integer, got ${steps}`);
}

/** Makes a grid strictly increasing with u_0 = 0 and u_n = 1 (ties from a flat σ are spread evenly). */
function strictlyIncreasing(u: Float64Array): Float64Array {
  const n = u.length - 1;
  u[0] = 0;
  u[n] = 1;
  for (let i = 1; i < n; i++) u[i] = Math.min(Math.max(u[i]!, 0), 1);
  const minimumGap = 1e-9;
  for (let i = 1; i <= n; i++) {
    if (u[i]! - u[i - 1]! < minimumGap) u[i] = Math.min(1 - (n - i) * minimumGap, u[i - 1]! + minimumGap);
  }
  u[n] = 1;
  return u;
}

/**
 * The progress grid u_0 = 0 < u_1 < … < u_n = 1 of `steps` = n steps. `sigma` is the sampler's noise level (used by
 * log-snr and karras); `sigmaMax` caps σ(0) (needed when σ(0) = ∞, as for BFN; default min(σ(0), 1e3)).
 * For log-snr and karras, σ_0 = σ_max and σ_n = σ(1); the interior points solve σ(u_i) = σ_i.
 */
export function progressGrid(steps: number, schedule: StepSchedule, sigma?: NoiseLevel): Float64Array {
  checkSteps(steps);
  const u = new Float64Array(steps + 1);
  if (schedule.kind === 'uniform') {
    for (let i = 0; i <= steps; i++) u[i] = i / steps;
    return u;
  }
  if (schedule.kind === 'measured') return measuredGrid(steps, schedule.progress, schedule.rates, schedule.floor ?? 0.05);
  if (!sigma) throw new Error(`step schedule ${schedule.kind} needs the sampler's noise level σ(u)`);
  const sigmaMin = sigma(1);
  const sigmaMax = Math.min(schedule.sigmaMax ?? 1e3, sigma(0));
  if (!(sigmaMin > 0 && Number.isFinite(sigmaMin)) || !(sigmaMax > sigmaMin)) {
    throw new RangeError(`step schedule ${schedule.kind}: needs σ_max > σ_min > 0, got σ_max ${sigmaMax}, σ_min ${sigmaMin}`);
  }
  for (let i = 1; i < steps; i++) {
    const f = i / steps;
    let target: number;
    if (schedule.kind === 'log-snr') {
      target = Math.exp(Math.log(sigmaMax) + f * (Math.log(sigmaMin) - Math.log(sigmaMax)));
    } else {
      const rho = schedule.rho ?? 7;
      if (!(rho > 0)) throw new RangeError(`karras step schedule: ρ must be positive, got ${rho}`);
      target = (sigmaMax ** (1 / rho) + f * (sigmaMin ** (1 / rho) - sigmaMax ** (1 / rho))) ** rho;
    }
    u[i] = inverseNoiseLevel(sigma, target);
  }
  return strictlyIncreasing(u);
}

/**
 * Equidistribution of a measured monitor r(u): `progress` are increasing points in [0, 1] (they need not include
 * the ends; r is held constant beyond them), `rates` the non-negative rate at each. The density is r + floor·mean(r)
 * (piecewise linear between the points); u_i solve M(u_i) = i/n · M(1) for its cumulative integral M.
 */
export function measuredGrid(steps: number, progress: readonly number[], rates: readonly number[], floor = 0.05): Float64Array {
  checkSteps(steps);
  if (progress.length !== rates.length || progress.length < 2) throw new Error(`measured step schedule: needs ≥ 2 points and one rate per point (got ${progress.length} points, ${rates.length} rates)`);
  for (let k = 0; k < progress.length; k++) {
    if (!Number.isFinite(progress[k]!) || progress[k]! < 0 || progress[k]! > 1 || (k > 0 && !(progress[k]! > progress[k - 1]!))) {
      throw new Error(`measured step schedule: point ${k + 1} (${progress[k]}) is not in [0, 1] above the previous one`);
    }
    if (!Number.isFinite(rates[k]!) || rates[k]! < 0) throw new Error(`measured step schedule: rate ${k + 1} (${rates[k]}) is not a finite non-negative number`);
  }
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const offset = floor * (mean > 0 ? mean : 1);
  // Knots 0, progress…, 1 with the density at each (constant extension at the ends).
  const knots = [0, ...progress, 1];
  const density = [rates[0]!, ...rates, rates[rates.length - 1]!].map((r) => r + offset);
  const cumulative = [0];
  for (let k = 1; k < knots.length; k++) cumulative.push(cumulative[k - 1]! + 0.5 * (density[k]! + density[k - 1]!) * (knots[k]! - knots[k - 1]!));
  const total = cumulative[cumulative.length - 1]!;
  const u = new Float64Array(steps + 1);
  let k = 1;
  for (let i = 1; i < steps; i++) {
    const target = (i / steps) * total;
    while (k < knots.length - 1 && cumulative[k]! < target) k++;
    // Solve the trapezoid piece: density linear d(s) = d0 + (d1 − d0) s/h on [knot_{k−1}, knot_k].
    const h = knots[k]! - knots[k - 1]!;
    const d0 = density[k - 1]!, d1 = density[k]!;
    const need = target - cumulative[k - 1]!;
    const slope = (d1 - d0) / (h > 0 ? h : 1);
    const s = Math.abs(slope) < 1e-12 ? need / d0 : (-d0 + Math.sqrt(Math.max(0, d0 * d0 + 2 * slope * need))) / slope;
    u[i] = knots[k - 1]! + Math.min(Math.max(s, 0), h);
  }
  return strictlyIncreasing(u);
}

/**
 * The integer timesteps of an EDM-style sampler (T at the noise end down to 0), for `steps` ≤ T evaluations:
 * t_i = round(T (1 − u_i)) on the schedule's grid, with EDM's noise level σ = exp(γ_t/2) interpolated between the
 * integer timesteps of `gamma` (γ_0..γ_T, increasing). Strictly decreasing, t_0 = T, t_n = 0; rounding collisions are
 * pushed to the next free integer. `uniform` gives exactly EDM's strided grid round((n − i) T / n).
 */
export function edmTimestepGrid(gamma: ArrayLike<number>, steps: number, schedule: StepSchedule): number[] {
  const T = gamma.length - 1;
  if (!Number.isInteger(steps) || steps < 1 || steps > T) throw new RangeError(`sampling steps must be an integer in 1..${T}, got ${steps}`);
  if (schedule.kind === 'uniform') return Array.from({ length: steps + 1 }, (_, i) => Math.round(((steps - i) * T) / steps));
  const sigma: NoiseLevel = (u) => {
    const t = T * (1 - u);
    const lo = Math.max(0, Math.min(T - 1, Math.floor(t)));
    const w = t - lo;
    return Math.exp(0.5 * ((1 - w) * gamma[lo]! + w * gamma[lo + 1]!));
  };
  const u = progressGrid(steps, schedule, sigma);
  const times = Array.from(u, (v) => Math.round(T * (1 - v)));
  times[0] = T;
  times[steps] = 0;
  // Strictly decreasing: push collisions down, then (if the bottom overflowed) back up from 0.
  for (let i = 1; i <= steps; i++) if (times[i]! >= times[i - 1]!) times[i] = times[i - 1]! - 1;
  times[steps] = 0;
  for (let i = steps - 1; i >= 0; i--) if (times[i]! <= times[i + 1]!) times[i] = times[i + 1]! + 1;
  return times;
}
