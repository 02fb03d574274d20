import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, calibrationCurve, miscalibrationArea, normalQuantile, spearman, zScalingFactor } from '../../../core/engine/properties/uncertainty';
import { percentile } from '../../../core/engine/properties/ensemble';

test('Spearman correlation equals the hand-computed value with ties (8/√95) and ±1 for monotone data', () => {
  assert.deepEqual(Array.from(averageRanks([5, 6, 7, 8, 7])), [1, 2, 3.5, 5, 3.5]);
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-12);
  assert.equal(spearman([1, 2, 3], [10, 100, 1000]), 1);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), 'constant input has no rank correlation');
});

test('z-scaling factor makes RMS(s·σ) equal RMS(error): errors 3, −4 with unit spreads give √12.5', () => {
  assert.ok(Math.abs(zScalingFactor([3, -4], [1, 1]) - Math.sqrt(12.5)) < 1e-12);
  assert.ok(Math.abs(zScalingFactor([1, -1, 1], [0.5, 0.5, 0.5]) - 2) < 1e-12);
  assert.equal(zScalingFactor([0, 0], [0, 0]), 1);
});

test('normal quantile matches tabulated values', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.75) - 0.6744897502) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326347874) < 1e-8);
  assert.equal(normalQuantile(0.5), 0);
});

test('miscalibration area against hand-computed cases: underconfident limit 0.5, overconfident 0.5 − 1/198, a crossing curve 0.125', () => {
  // All errors zero: every interval holds every point, observed = 1 everywhere: ∫(1 − p) dp = 0.5.
  assert.ok(Math.abs(miscalibrationArea([0, 0, 0], [1, 1, 1]) - 0.5) < 1e-12);
  // Errors far outside every finite interval: observed = 0 for p < 1 and 1 at p = 1 (100 points, spacing 1/99):
  // trapezoids of p over [0, 98/99] plus the last bin's (98/99 + 0)/2 · 1/99, i.e. 0.5 − 1/198.
  assert.ok(Math.abs(miscalibrationArea([1e9, -1e9], [1, 1]) - (0.5 - 1 / 198)) < 1e-12);
  // Three bins (p = 0, 0.5, 1); |z| = 0, 1, 1, 1: observed 0.25, 0.25 (Φ⁻¹(0.75) = 0.674 < 1), 1; the curve crosses
  // the diagonal at p = 0.25: triangles 0.03125 + 0.03125 in the first bin, 0.0625 in the second.
  const curve = calibrationCurve([0, 1, -1, 1], [1, 1, 1, 1], 3);
  assert.deepEqual(Array.from(curve.observed), [0.25, 0.25, 1]);
  assert.ok(Math.abs(miscalibrationArea([0, 1, -1, 1], [1, 1, 1, 1], 3) - 0.125) < 1e-12);
  // Residuals drawn as exact Gaussian quantiles are nearly calibrated.
  const n = 2000;
  const errors = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  assert.ok(miscalibrationArea(errors, errors.map(() => 1)) < 0.01);
});

test('percentile interpolates between order statistics', () => {
  assert.equal(percentile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 1), 5);
  assert.equal(percentile([1, 2, 3, 4, 5], 0.99), 4.96);
});
