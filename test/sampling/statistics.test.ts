// core/sampling/statistics.ts: Kolmogorov–Smirnov p-values, the Maxwell–Boltzmann speed CDF, batch means, χ² tails.
// Run: nice node --import tsx --test test/sampling/statistics.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchMeans, chiSquaredUpperQuantile, erf, kolmogorovSmirnovPValue, kolmogorovSmirnovStatistic, logGamma, maxwellBoltzmannSpeedCdf, upperGammaRatio } from '../../core/sampling/statistics';
import { createMdRandom } from '../../core/sampling/md/random';
import { ACCELERATION_FACTOR, BOLTZMANN_EV_PER_K } from '../../core/sampling/md/units';

test('the Kolmogorov distribution gives the tabulated critical values', () => {
  // large n: P(√n D ≥ 1.3581) = 0.05, P(√n D ≥ 1.6276) = 0.01 (Smirnov's table)
  assert.ok(Math.abs(kolmogorovSmirnovPValue(1.3581 / Math.sqrt(1e8), 1e8) - 0.05) < 2e-4);
  assert.ok(Math.abs(kolmogorovSmirnovPValue(1.6276 / Math.sqrt(1e8), 1e8) - 0.01) < 1e-4);
  assert.equal(kolmogorovSmirnovPValue(0, 100), 1);
});

test('KS accepts uniform samples as uniform and rejects them against a shifted CDF', () => {
  const random = createMdRandom(4);
  const samples = Array.from({ length: 5000 }, () => random.uniform());
  const uniform = (x: number) => Math.min(1, Math.max(0, x));
  assert.ok(kolmogorovSmirnovPValue(kolmogorovSmirnovStatistic(samples, uniform), samples.length) > 0.05);
  const shifted = (x: number) => uniform(x - 0.03);
  assert.ok(kolmogorovSmirnovPValue(kolmogorovSmirnovStatistic(samples, shifted), samples.length) < 1e-4);
});

test('erf matches reference values to 1.2e-7', () => {
  for (const [x, value] of [[0, 0], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.995322265], [-1.5, -0.9661051465]] as const) {
    assert.ok(Math.abs(erf(x) - value) < 1.2e-7, `erf(${x})`);
  }
});

test('speeds of normal velocity components follow the Maxwell–Boltzmann speed CDF', () => {
  const random = createMdRandom(8);
  const mass = 39.948, temperature = 300;
  const a = Math.sqrt((BOLTZMANN_EV_PER_K * temperature * ACCELERATION_FACTOR) / mass); // Å/fs
  const speeds = Array.from({ length: 20000 }, () => a * Math.hypot(random.normal(), random.normal(), random.normal()));
  const cdf = maxwellBoltzmannSpeedCdf(mass, temperature);
  assert.ok(kolmogorovSmirnovPValue(kolmogorovSmirnovStatistic(speeds, cdf), speeds.length) > 0.05);
  // the most probable speed √2 a is where the density peaks: F rises fastest there
  const slope = (v: number) => (cdf(v + 1e-6) - cdf(v - 1e-6)) / 2e-6;
  assert.ok(slope(Math.SQRT2 * a) > slope(1.2 * a) && slope(Math.SQRT2 * a) > slope(1.6 * a));
  assert.ok(kolmogorovSmirnovPValue(kolmogorovSmirnovStatistic(speeds, maxwellBoltzmannSpeedCdf(mass, 320)), speeds.length) < 1e-6);
});

test('chi-squared draws have mean n and variance 2n', () => {
  const random = createMdRandom(2);
  for (const n of [1, 2, 7, 320]) {
    const draws = Array.from({ length: 40000 }, () => random.chiSquared(n));
    const m = draws.reduce((s, x) => s + x, 0) / draws.length;
    const v = draws.reduce((s, x) => s + (x - m) ** 2, 0) / (draws.length - 1);
    assert.ok(Math.abs(m - n) < 4 * Math.sqrt((2 * n) / draws.length), `mean ${m} for n = ${n}`);
    // relative standard error of a sample variance: √((2 + excess kurtosis 12/n) / N)
    assert.ok(Math.abs(v / (2 * n) - 1) < 4 * Math.sqrt((2 + 12 / n) / draws.length), `variance ${v} for n = ${n}`);
  }
});

test('batch means give the standard error of an AR(1) series, larger than the naive one', () => {
  const random = createMdRandom(6);
  const phi = 0.9;
  const series: number[] = [];
  let x = 0;
  for (let i = 0; i < 200000; i++) series.push((x = phi * x + random.normal()));
  const estimate = batchMeans(series, 20);
  // exact: var(x) = 1/(1−φ²), integrated autocorrelation (1+φ)/(1−φ) = 19
  const exact = Math.sqrt(((1 / (1 - phi * phi)) * ((1 + phi) / (1 - phi))) / series.length);
  assert.ok(Math.abs(estimate.standardError / exact - 1) < 0.4, `SE ${estimate.standardError} vs ${exact}`);
  assert.ok(Math.abs(estimate.mean) < 4 * exact);
});

test('ln Γ, the upper gamma ratio and χ² quantiles match tabulated values', () => {
  assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-13);
  assert.ok(Math.abs(logGamma(11) - Math.log(3628800)) < 1e-12);
  // P(χ²_1 > x) = erfc(√(x/2)); P(χ²_2 > x) = exp(−x/2)
  assert.ok(Math.abs(upperGammaRatio(0.5, 2.5) - (1 - erf(Math.sqrt(2.5)))) < 2e-7);
  assert.ok(Math.abs(upperGammaRatio(1, 15) - Math.exp(-15)) < 1e-18);
  // the χ² table: (k, upper tail p, quantile)
  for (const [k, p, x] of [[1, 0.05, 3.841459], [3, 0.01, 11.344867], [10, 0.01, 23.209251], [100, 0.001, 149.449252]] as const) {
    assert.ok(Math.abs(chiSquaredUpperQuantile(k, p) - x) < 1e-5, `k ${k}, p ${p}: ${chiSquaredUpperQuantile(k, p)}`);
  }
});
