/**
 * Calibration and ranking of predicted uncertainties (pure functions on arrays, no tfjs).
 *
 * - `spearman(x, y)`: Spearman rank correlation (Pearson correlation of average ranks; ties share their mean rank).
 * - `zScalingFactor(errors, spreads)`: the one factor s with RMS(s · σ) = RMS(|e|), i.e. s = √(Σ e² / Σ σ²). This
 *   is the brief's "spread·s matches |error| in RMS"; Levi et al.'s z-scaling √(mean (e/σ)²) weights small σ more.
 * - `miscalibrationArea(errors, spreads)`: as uncertainty-toolbox (Chung et al. 2021; Tran et al. 2020): for
 *   Gaussian predictive intervals at expected proportions p ∈ linspace(0, 1, bins), the observed proportion of
 *   residuals with |e|/σ ≤ Φ⁻¹((1+p)/2); the area between the observed-vs-expected curve and the diagonal
 *   (∫ |obs − exp| dp, trapezoids split where the curves cross, which equals the toolbox's polygon area).
 */

/** Average ranks (1-based) of `values`, ties sharing the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman's ρ of two equally long arrays; NaN when either is constant or shorter than 2. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`spearman: arrays of ${x.length} and ${y.length} values`);
  if (x.length < 2) return NaN;
  return pearson(averageRanks(x), averageRanks(y));
}

/** s with RMS(s·σ) = RMS(e); 1 when there is nothing to scale (no spread). */
export function zScalingFactor(errors: ArrayLike<number>, spreads: ArrayLike<number>): number {
  if (errors.length !== spreads.length) throw new Error(`zScalingFactor: ${errors.length} errors, ${spreads.length} spreads`);
  let ee = 0, ss = 0;
  for (let i = 0; i < errors.length; i++) { ee += errors[i]! * errors[i]!; ss += spreads[i]! * spreads[i]!; }
  return ss > 0 ? Math.sqrt(ee / ss) : 1;
}

/** Inverse standard normal CDF (Acklam's rational approximation, |relative error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Expected and observed proportions of central Gaussian intervals (uncertainty-toolbox 'interval' proportions). */
export function calibrationCurve(errors: ArrayLike<number>, spreads: ArrayLike<number>, bins = 100): { expected: Float64Array; observed: Float64Array } {
  if (errors.length !== spreads.length) throw new Error(`calibrationCurve: ${errors.length} errors, ${spreads.length} spreads`);
  const n = errors.length;
  const z = Float64Array.from({ length: n }, (_, i) => Math.abs(errors[i]!) / spreads[i]!).sort();
  const expected = Float64Array.from({ length: bins }, (_, k) => k / (bins - 1));
  const observed = expected.map((p) => {
    const bound = normalQuantile(0.5 + p / 2);
    // Count of |z| ≤ bound (sorted: binary search for the last index within the bound).
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (z[mid]! <= bound) lo = mid + 1;
      else hi = mid;
    }
    return n > 0 ? lo / n : NaN;
  });
  return { expected, observed };
}

/** Area between the calibration curve and the diagonal, in [0, 0.5]; 0 for a perfectly calibrated Gaussian. */
export function miscalibrationArea(errors: ArrayLike<number>, spreads: ArrayLike<number>, bins = 100): number {
  const { expected, observed } = calibrationCurve(errors, spreads, bins);
  let area = 0;
  for (let k = 1; k < bins; k++) {
    const width = expected[k]! - expected[k - 1]!;
    const d0 = observed[k - 1]! - expected[k - 1]!, d1 = observed[k]! - expected[k]!;
    if (d0 * d1 >= 0) area += (width * (Math.abs(d0) + Math.abs(d1))) / 2;
    else {
      // The curves cross inside the bin: two triangles.
      const t = Math.abs(d0) / (Math.abs(d0) + Math.abs(d1));
      area += (width * (t * Math.abs(d0) + (1 - t) * Math.abs(d1))) / 2;
    }
  }
  return area;
}
