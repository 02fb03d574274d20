import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { batchTensors, disposeBatchTensors, predictNoise } from '../../../core/generative/edm/dynamics';
import { atomCountHistogram, createEdm, type EdmModel } from '../../../core/generative/edm/edm-model';
import { comFreeGaussian, encodeMolecules, featureCount, fullyConnectedBatch, gaussianSource } from '../../../core/generative/edm/molecules';
import { seededRandom } from '../../../core/util/seeded-random';
import type { Structure } from '../../../core/structure/structure';
import { assertEquivariant } from '../../helpers/assert-equivariant';
import { qm9Frames } from './qm9-frames';

let molecules: Structure[];

before(async () => {
  await initBackend({ prefer: 'wasm' });
  molecules = await qm9Frames(40);
});

/** ε̂_x and ε̂_h of one molecule at t/T = 0.3 for positions [n*3] and features [n*nf] (float64 in, float32 out). */
function noiseEstimate(model: EdmModel, positions: ArrayLike<number>, features: ArrayLike<number>, context?: number): [Float32Array, Float32Array] {
  const n = positions.length / 3;
  const nf = featureCount(model.config.encoding);
  const b = batchTensors(fullyConnectedBatch([n]));
  const [x, h] = tf.tidy(() => {
    const out = predictNoise(model.config.dynamics, model.params, b, {
      x: tf.tensor2d(Float32Array.from(positions), [n, 3]),
      h: tf.tensor2d(Float32Array.from(features), [n, nf]),
      time: tf.fill([n, 1], 0.3) as tf.Tensor2D,
      ...(context !== undefined ? { context: tf.fill([n, 1], context) as tf.Tensor2D } : {}),
    });
    return [out.epsX, out.epsH];
  });
  const result: [Float32Array, Float32Array] = [x!.dataSync() as Float32Array, h!.dataSync() as Float32Array];
  tf.dispose([x!, h!]);
  disposeBatchTensors(b);
  return result;
}

test('EDM denoiser: ε̂_x is E(3)-equivariant and ε̂_h invariant under rotation, inversion, translation and atom permutation', async () => {
  const model = createEdm({ atomCounts: atomCountHistogram(molecules), features: 32, layers: 3, seed: 4 });
  const molecule = molecules.find((m) => m.numbers.length >= 12)!;
  const encoded = encodeMolecules([molecule], model.config.encoding);
  const nf = featureCount(model.config.encoding);
  // A noisy input z_t (as in training), so the check is not only on an equilibrium geometry.
  const gaussian = gaussianSource(seededRandom(3));
  const z = encoded.positions.map((v) => 0.8 * v + 0.6 * gaussian());
  const [epsX] = noiseEstimate(model, z, encoded.features);
  assert.ok(Math.max(...epsX.map(Math.abs)) > 1e-3, 'ε̂_x is not trivially zero');
  await assertEquivariant({
    name: 'EDM denoiser ε̂',
    positions: z,
    inputs: [{ irreps: `${nf}x0e`, data: encoded.features, rows: 'atom' }],
    outputs: [{ irreps: '1x1o', rows: 'atom' }, { irreps: `${nf}x0e`, rows: 'atom' }],
    fn: (positions, [features]) => noiseEstimate(model, positions!, features!),
    tolerance: { absolute: 1e-4, relative: 1e-3 },
  });
  model.dispose();
});

test('EDM conditional denoiser stays equivariant with a context feature and its output depends on the context', async () => {
  const model = createEdm({ atomCounts: atomCountHistogram(molecules), features: 16, layers: 2, seed: 5, context: { property: 'gap', mean: 10, mad: 1 } });
  const encoded = encodeMolecules([molecules[30]!], model.config.encoding);
  const nf = featureCount(model.config.encoding);
  await assertEquivariant({
    name: 'EDM conditional denoiser ε̂',
    positions: encoded.positions,
    inputs: [{ irreps: `${nf}x0e`, data: encoded.features, rows: 'atom' }],
    outputs: [{ irreps: '1x1o', rows: 'atom' }, { irreps: `${nf}x0e`, rows: 'atom' }],
    fn: (positions, [features]) => noiseEstimate(model, positions!, features!, 0.7),
    tolerance: { absolute: 1e-4, relative: 1e-3 },
    trials: 1,
  });
  const [low] = noiseEstimate(model, encoded.positions, encoded.features, -1);
  const [high] = noiseEstimate(model, encoded.positions, encoded.features, 1);
  assert.ok(low.some((v, i) => Math.abs(v - high[i]!) > 1e-6), 'the context changes ε̂');
  model.dispose();
});

test('zero-CoM noise and the denoiser output have zero mean per molecule; the denoiser leaves no tensors behind', () => {
  const batch = fullyConnectedBatch([5, 29, 1, 12]);
  const noise = comFreeGaussian(gaussianSource(seededRandom(11)), batch.atomStart);
  for (let g = 0; g < batch.nGraphs; g++) {
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (let i = batch.atomStart[g]!; i < batch.atomStart[g + 1]!; i++) sum += noise[3 * i + k]!;
      assert.ok(Math.abs(sum) < 1e-12, `molecule ${g + 1} axis ${k}: Σ ε = ${sum}`);
    }
  }
  let spread = 0;
  for (const v of noise) spread += v * v;
  assert.ok(spread / noise.length > 0.5, 'the noise is not degenerate');
  const model = createEdm({ atomCounts: [0, 1], features: 16, layers: 2, seed: 6 });
  const st = molecules.filter((m) => m.numbers.length > 3).slice(0, 3);
  const encoded = encodeMolecules(st, model.config.encoding);
  const b = batchTensors(encoded.batch);
  const before = tf.memory().numTensors;
  const epsX = tf.tidy(() => predictNoise(model.config.dynamics, model.params, b, {
    x: tf.tensor2d(Float32Array.from(encoded.positions), [encoded.batch.nAtoms, 3]),
    h: tf.tensor2d(Float32Array.from(encoded.features), [encoded.batch.nAtoms, featureCount(model.config.encoding)]),
    time: tf.fill([encoded.batch.nAtoms, 1], 0.5) as tf.Tensor2D,
  }).epsX);
  const values = epsX.dataSync();
  epsX.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors after a forward pass');
  for (let g = 0; g < st.length; g++) {
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (let i = encoded.batch.atomStart[g]!; i < encoded.batch.atomStart[g + 1]!; i++) sum += values[3 * i + k]!;
      assert.ok(Math.abs(sum) < 1e-4, `ε̂_x of molecule ${g + 1} has mean ${sum}`);
    }
  }
  disposeBatchTensors(b);
  model.dispose();
});

test('a batch of molecules gives each molecule the noise estimate it gets alone (no edges between molecules)', () => {
  const model = createEdm({ atomCounts: [0, 1], features: 16, layers: 2, seed: 8 });
  const st = [molecules[20]!, molecules[35]!];
  const encoded = encodeMolecules(st, model.config.encoding);
  const nf = featureCount(model.config.encoding);
  const b = batchTensors(encoded.batch);
  const batched = tf.tidy(() => predictNoise(model.config.dynamics, model.params, b, {
    x: tf.tensor2d(Float32Array.from(encoded.positions), [encoded.batch.nAtoms, 3]),
    h: tf.tensor2d(Float32Array.from(encoded.features), [encoded.batch.nAtoms, nf]),
    time: tf.fill([encoded.batch.nAtoms, 1], 0.3) as tf.Tensor2D,
  }).epsX);
  const all = batched.dataSync();
  batched.dispose();
  disposeBatchTensors(b);
  st.forEach((m, g) => {
    const alone = encodeMolecules([m], model.config.encoding);
    const [single] = noiseEstimate(model, alone.positions, alone.features);
    const offset = 3 * encoded.batch.atomStart[g]!;
    single.forEach((v, k) => assert.ok(Math.abs(v - all[offset + k]!) < 1e-4, `molecule ${g + 1} component ${k}`));
  });
  model.dispose();
});
