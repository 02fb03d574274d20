import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { comFreeGaussian, fullyConnectedBatch, gaussianSource, gaussians } from '../../../core/generative/edm/molecules';
import {
  accuracy, accuracyIncrements, bayesianUpdate, chargeValue, decodeCharge, discretisedBins, flowGamma, lossWeight, sampleFlow,
} from '../../../core/generative/geobfn/bayesian-flow';
import { discretisedOutput } from '../../../core/generative/geobfn/network';
import { seededRandom } from '../../../core/util/seeded-random';

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

test('accuracy schedule β(t) = σ₁^(−2t) − 1, γ = 1 − σ₁^(2t), loss weight −ln σ₁ σ₁^(−2t) and uniform increments σ₁^(−2i/n)(1 − σ₁^(2/n))', () => {
  // Written out for σ₁ = 0.001 by hand: σ₁^(−2t) = 10^(6t).
  for (const [t, beta] of [[0, 0], [0.5, 999], [1, 999999]] as const) assert.ok(Math.abs(accuracy(0.001, t) - beta) < 1e-9 * Math.max(1, beta), `β(${t})`);
  assert.ok(Math.abs(flowGamma(0.001, 0.5) - 0.999) < 1e-12);
  assert.ok(Math.abs(flowGamma(0.15, 1) - (1 - 0.0225)) < 1e-12);
  assert.ok(Math.abs(lossWeight(0.001, 0.5) - 3 * Math.LN10 * 1000) < 1e-9);
  const n = 10;
  const grid = Array.from({ length: n + 1 }, (_, i) => i / n);
  const alphas = accuracyIncrements(0.15, grid);
  alphas.forEach((a, k) => {
    const i = k + 1;
    const expected = 0.15 ** (-2 * i / n) * (1 - 0.15 ** (2 / n)); // GeoBFN / Graves Algorithm 3
    assert.ok(Math.abs(a - expected) < 1e-12 * expected, `α_${i} = ${a}, expected ${expected}`);
  });
  assert.ok(Math.abs(alphas.reduce((s, a) => s + a, 0) - (0.15 ** -2 - 1)) < 1e-9, 'the accuracies add up to β(1)');
});

test('the Bayesian flow p_F(μ | x; t) has mean γx and variance γ(1 − γ) at t = 0.1, 0.4, 0.8 (closed form against 40,000 draws)', () => {
  const sigma1 = 0.02;
  const x = [0.7, -1.3, 0.05];
  const draws = 40000;
  const gaussian = gaussianSource(seededRandom(21));
  for (const t of [0.1, 0.4, 0.8]) {
    const gamma = 1 - Math.pow(sigma1, 2 * t); // computed here, independently of flowGamma
    const data = Float64Array.from({ length: 3 * draws }, (_, i) => x[i % 3]!);
    const mu = sampleFlow(data, gaussians(gaussian, 3 * draws), 3, () => flowGamma(sigma1, t), new Float64Array(3 * draws));
    for (let k = 0; k < 3; k++) {
      let sum = 0, sum2 = 0;
      for (let r = 0; r < draws; r++) { sum += mu[3 * r + k]!; sum2 += mu[3 * r + k]! ** 2; }
      const mean = sum / draws;
      const variance = sum2 / draws - mean * mean;
      const expectedVariance = gamma * (1 - gamma);
      assert.ok(Math.abs(mean - gamma * x[k]!) < 4 * Math.sqrt(expectedVariance / draws), `t=${t} k=${k}: mean ${mean} vs ${gamma * x[k]!}`);
      assert.ok(Math.abs(variance / expectedVariance - 1) < 0.03, `t=${t} k=${k}: variance ${variance} vs ${expectedVariance}`);
    }
  }
});

test('n Bayesian updates with sender samples y ∼ N(x, α_i⁻¹) end at ρ = 1 + β(t) and the flow distribution of t (eq. 77)', () => {
  const sigma1 = 0.1, t = 0.6, steps = 7, x = 0.4, draws = 30000;
  const grid = Array.from({ length: steps + 1 }, (_, i) => (t * i) / steps);
  const alphas = accuracyIncrements(sigma1, grid);
  const gaussian = gaussianSource(seededRandom(5));
  const mu = new Float64Array(draws);
  let rho = 1;
  for (const alpha of alphas) {
    const y = Float64Array.from({ length: draws }, () => x + gaussian() / Math.sqrt(alpha));
    rho = bayesianUpdate(mu, rho, y, alpha);
  }
  const beta = Math.pow(sigma1, -2 * t) - 1;
  assert.ok(Math.abs(rho - (1 + beta)) < 1e-9 * rho);
  const gamma = beta / (1 + beta);
  const mean = mu.reduce((a, b) => a + b, 0) / draws;
  const variance = mu.reduce((a, b) => a + (b - mean) ** 2, 0) / draws;
  assert.ok(Math.abs(mean - gamma * x) < 4 * Math.sqrt(gamma * (1 - gamma) / draws), `mean ${mean} vs ${gamma * x}`);
  assert.ok(Math.abs(variance / (gamma * (1 - gamma)) - 1) < 0.04, `variance ${variance} vs ${gamma * (1 - gamma)}`);
});

test('flow draws and Bayesian updates of positions keep every molecule at zero centre of mass', () => {
  const batch = fullyConnectedBatch([4, 9, 2]);
  const gaussian = gaussianSource(seededRandom(8));
  const x = comFreeGaussian(gaussian, batch.atomStart);
  const mu = sampleFlow(x, comFreeGaussian(gaussian, batch.atomStart), 3, (i) => flowGamma(0.001, 0.1 + 0.3 * batch.batch[i]!), new Float64Array(x.length));
  const comOf = (v: Float64Array) => {
    let worst = 0;
    for (let g = 0; g < batch.nGraphs; g++) for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let i = batch.atomStart[g]!; i < batch.atomStart[g + 1]!; i++) s += v[3 * i + k]!;
      worst = Math.max(worst, Math.abs(s));
    }
    return worst;
  };
  assert.ok(comOf(mu) < 1e-12, `flow CoM ${comOf(mu)}`);
  let rho = 1;
  for (let i = 0; i < 5; i++) rho = bayesianUpdate(mu, rho, comFreeGaussian(gaussian, batch.atomStart), 3 + i);
  assert.ok(comOf(mu) < 1e-12, `updated CoM ${comOf(mu)}`);
  assert.ok(mu.some((v) => Math.abs(v) > 0.05), 'μ moved');
});

/** ∫_a^b N(z; μ, σ²) dz by Simpson's rule (independent of erf). */
function gaussianMass(mu: number, sigma: number, a: number, b: number): number {
  const m = 2000, h = (b - a) / m;
  const f = (z: number) => Math.exp(-0.5 * ((z - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  let s = f(a) + f(b);
  for (let i = 1; i < m; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

test('discretised output: K = 9 bins of GeoBFN, p_O(k) equals the Gaussian mass of each bin with the tails in the outer bins', () => {
  const { centres, left, right } = discretisedBins(9);
  assert.deepEqual(Array.from(centres, (c) => Math.round(c * 9)), [-8, -6, -4, -2, 0, 2, 4, 6, 8]);
  assert.equal(left[0], -1);
  assert.ok(Math.abs(right[8]! - 1) < 1e-15);
  // GeoBFN's charges: H → bin 1, C → bin 6, F → bin 9 (NormalizerCallback (2Z − 1)/9 − 1).
  assert.ok(Math.abs(chargeValue(1, 9) - -8 / 9) < 1e-15 && Math.abs(chargeValue(6, 9) - 2 / 9) < 1e-15);
  assert.equal(decodeCharge(0.3, [1, 6, 7, 8, 9], 9), 6);
  assert.equal(decodeCharge(-0.2, [1, 6, 7, 8, 9], 9), 6);
  assert.equal(decodeCharge(-0.7, [1, 6, 7, 8, 9], 9), 1);
  const cases = [[0.1, 0.3], [-0.95, 0.2], [0.8, 1.5], [0.0, 0.01]] as const;
  const before = tf.memory().numTensors;
  const [p, k] = tf.tidy(() => {
    const out = discretisedOutput(tf.tensor2d(cases.map((c) => c[0]), [cases.length, 1]), tf.tensor2d(cases.map((c) => c[1]), [cases.length, 1]), 9);
    return [out.chargeProbabilities, out.chargeEstimate];
  });
  const probabilities = p!.dataSync();
  const estimates = k!.dataSync();
  tf.dispose([p!, k!]);
  assert.equal(tf.memory().numTensors, before);
  cases.forEach(([mu, sigma], r) => {
    let expectedMean = 0;
    for (let b = 0; b < 9; b++) {
      const lo = b === 0 ? mu - 40 * sigma - 10 : left[b]!;
      const hi = b === 8 ? mu + 40 * sigma + 10 : right[b]!;
      const mass = gaussianMass(mu, sigma, Math.max(lo, mu - 12 * sigma), Math.min(hi, mu + 12 * sigma));
      expectedMean += mass * centres[b]!;
      assert.ok(Math.abs(probabilities[r * 9 + b]! - mass) < 2e-5, `μ ${mu} σ ${sigma} bin ${b + 1}: ${probabilities[r * 9 + b]} vs ${mass}`);
    }
    assert.ok(Math.abs(estimates[r]! - expectedMean) < 5e-5, `k̂ ${estimates[r]} vs ${expectedMean}`);
  });
});
