import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { FlatAdam } from '../../core/engine/train/flat-adam';
import { seededRandom } from '../../core/util/seeded-random';

before(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** Gradient of the quadratic 0.5 Σ a_i (w_i - c_i)² at w. */
function quadraticGradient(w: ArrayLike<number>, a: readonly number[], c: readonly number[]): Float32Array {
  return Float32Array.from(a, (ai, i) => ai * (w[i]! - c[i]!));
}

test('FlatAdam without clipping or EMA follows tf.train.adam step for step on a quadratic', () => {
  const random = seededRandom(4);
  const n = 12;
  const a = Array.from({ length: n }, () => 0.1 + 3 * random());
  const c = Array.from({ length: n }, () => random() - 0.5);
  const start = Float32Array.from({ length: n }, () => 2 * random() - 1);
  const learningRate = 0.05;
  const flat = new FlatAdam([start.subarray(0, 5), start.subarray(5)], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const variable = tf.variable(tf.tensor1d(start));
  const reference = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  const at = tf.tensor1d(a), ct = tf.tensor1d(c);
  for (let step = 0; step < 30; step++) {
    const w = Float32Array.from([...flat.values[0]!, ...flat.values[1]!]);
    const g = quadraticGradient(w, a, c);
    flat.step([g.subarray(0, 5), g.subarray(5)], learningRate);
    reference.minimize(() => tf.mul(0.5, tf.sum(tf.mul(at, tf.square(tf.sub(variable, ct))))) as tf.Scalar, false, [variable]);
    const expected = variable.dataSync();
    const got = [...flat.values[0]!, ...flat.values[1]!];
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 2e-5, `step ${step + 1}, weight ${i}: ${got[i]} vs tf ${expected[i]}`);
  }
  assert.equal(flat.steps, 30);
  tf.dispose([variable, at, ct]);
  reference.dispose();
});

test('FlatAdam clips to the global gradient norm and reports the norm before clipping', () => {
  const g = [Float32Array.from([30, 40]), Float32Array.from([0, 0, 0])]; // norm 50
  const clipped = new FlatAdam([new Float32Array(2), new Float32Array(3)], { clipNorm: 5 });
  const prescaled = new FlatAdam([new Float32Array(2), new Float32Array(3)]);
  assert.equal(clipped.step(g, 0.1), 50);
  prescaled.step([Float32Array.from([3, 4]), Float32Array.from([0, 0, 0])], 0.1);
  clipped.step([Float32Array.from([1, -2]), Float32Array.from([0.5, 0, 0])], 0.1); // norm < 5: not scaled
  prescaled.step([Float32Array.from([1, -2]), Float32Array.from([0.5, 0, 0])], 0.1);
  assert.deepEqual([...clipped.values[0]!, ...clipped.values[1]!], [...prescaled.values[0]!, ...prescaled.values[1]!]);
});

test('FlatAdam keeps a warm-started EMA of the weights: decay min(d, (1+t)/(10+t))', () => {
  const adam = new FlatAdam([Float32Array.from([1])], { emaDecay: 0.5 });
  let expectedAverage = 1;
  for (let t = 1; t <= 6; t++) {
    adam.step([Float32Array.from([t % 2 ? 1 : -3])], 0.2);
    const decay = Math.min(0.5, (1 + t) / (10 + t));
    expectedAverage = decay * expectedAverage + (1 - decay) * adam.values[0]![0]!;
    assert.ok(Math.abs(adam.average[0]![0]! - expectedAverage) < 1e-6, `step ${t}: ${adam.average[0]![0]} vs ${expectedAverage}`);
  }
  assert.notEqual(adam.average[0], adam.values[0], 'the average is its own array');
  const noAverage = new FlatAdam([Float32Array.from([1])]);
  assert.equal(noAverage.average[0], noAverage.values[0], 'without EMA the average is the weights');
});

test('FlatAdam treats a missing gradient as zero, refuses wrong lengths and skips a non-finite step', () => {
  const adam = new FlatAdam([Float32Array.from([1, 2]), Float32Array.from([3])], { emaDecay: 0.9 });
  adam.step([Float32Array.from([1, 1]), undefined], 0.1);
  assert.equal(adam.values[1]![0], 3, 'no gradient, no moment: the weight stays');
  assert.throws(() => adam.step([Float32Array.from([1]), undefined], 0.1), /gradient 0 has 1 entries, the weights 2/);
  assert.throws(() => adam.step([Float32Array.from([1, 1])], 0.1), /expected 2 gradients, got 1/);
  const before = [...adam.values[0]!];
  assert.ok(Number.isNaN(adam.step([Float32Array.from([NaN, 1]), undefined], 0.1)));
  assert.deepEqual([...adam.values[0]!], before, 'weights unchanged after a NaN gradient');
  assert.equal(adam.steps, 1);
  assert.throws(() => new FlatAdam([], { emaDecay: 1 }), /EMA decay must lie in \[0, 1\)/);
});

test('FlatAdam copies its initial weights: changing the arrays passed in does not move it', () => {
  const initial = Float32Array.from([1, 2, 3]);
  const adam = new FlatAdam([initial], { emaDecay: 0.9 });
  initial[0] = 100;
  assert.equal(adam.values[0]![0], 1);
  assert.equal(adam.average[0]![0], 1);
});
