import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { atomCountHistogram, contextSpecOf, createEdm, type EdmModel } from '../../../core/generative/edm/edm-model';
import { sampleEdm } from '../../../core/generative/edm/sampler';
import { trainEdm } from '../../../core/generative/edm/train';
import { randomRotation } from '../../../core/o3/index';
import { seededRandom } from '../../../core/util/seeded-random';
import type { Structure } from '../../../core/structure/structure';
import { qm9Frames } from './qm9-frames';

let molecules: Structure[];
let model: EdmModel;

before(async () => {
  await initBackend({ prefer: 'wasm' });
  molecules = (await qm9Frames(60)).slice(20);
  // Briefly trained, so samples are not just noise through random weights.
  model = createEdm({ atomCounts: atomCountHistogram(molecules), features: 16, layers: 2, seed: 3, schedule: { kind: 'polynomial', timesteps: 200, power: 2, precision: 1e-5 } });
  await trainEdm(model, { molecules, seed: 1, batchSize: 8, maxSteps: 30, learningRate: 2e-3 });
});

test('EDM sampling with one seed reproduces the same molecules; another seed gives others; no tensors are left', async () => {
  const before = tf.memory().numTensors;
  const a = await sampleEdm(model, { count: 3, seed: 5, steps: 20 });
  assert.equal(tf.memory().numTensors, before, 'tensors after sampling');
  const b = await sampleEdm(model, { count: 3, seed: 5, steps: 20 });
  const c = await sampleEdm(model, { count: 3, seed: 6, steps: 20 });
  assert.equal(a.structures.length, 3);
  a.structures.forEach((st, i) => {
    assert.deepEqual(Array.from(st.numbers), Array.from(b.structures[i]!.numbers));
    assert.deepEqual(Array.from(st.positions), Array.from(b.structures[i]!.positions));
    assert.ok(st.numbers.every((z) => [1, 6, 7, 8, 9].includes(z)), 'atomic numbers are EDM types');
    const counts = atomCountHistogram(molecules);
    assert.ok(counts[st.numbers.length]! > 0, `atom count ${st.numbers.length} occurs in the training data`);
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (let i = 0; i < st.numbers.length; i++) sum += st.positions[3 * i + k]!;
      assert.ok(Math.abs(sum) < 1e-9, 'samples are centred');
    }
  });
  assert.notDeepEqual(Array.from(a.structures[0]!.positions), Array.from(c.structures[0]!.positions));
});

test('samples from rotated noise are the rotated samples (the sample distribution is rotation invariant)', async () => {
  const rotation = randomRotation(seededRandom(17));
  const rotate = (v: Float64Array) => {
    for (let i = 0; i < v.length; i += 3) {
      const [x, y, z] = [v[i]!, v[i + 1]!, v[i + 2]!];
      for (let r = 0; r < 3; r++) v[i + r] = rotation[3 * r]! * x + rotation[3 * r + 1]! * y + rotation[3 * r + 2]! * z;
    }
  };
  // Random (seeded) weights: equivariance is the architecture's, whatever the weights. A barely trained model's samples
  // are hundreds of Å wide and its strided chain multiplies float32 rounding by 1/α_{t|s} (≈ 30 at the first step)
  // per step until the two chains part; with random weights the chain stays well conditioned.
  const untrained = createEdm({ atomCounts: atomCountHistogram(molecules), features: 16, layers: 2, seed: 21, schedule: { kind: 'polynomial', timesteps: 200, power: 2, precision: 1e-5 } });
  const options = { count: 2, seed: 9, steps: 25, atomCount: [9, 14] };
  const plain = await sampleEdm(untrained, options);
  const rotated = await sampleEdm(untrained, { ...options, noiseTransform: rotate });
  untrained.dispose();
  plain.structures.forEach((st, m) => {
    const expected = Float64Array.from(st.positions);
    rotate(expected);
    const got = rotated.structures[m]!;
    assert.deepEqual(Array.from(got.numbers), Array.from(st.numbers), `molecule ${m + 1}: types are invariant`);
    let worst = 0;
    let scale = 0;
    expected.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - got.positions[k]!)); scale = Math.max(scale, Math.abs(v)); });
    // float32 network in a 25-step chain: the deviation is rounding, measured ~2e-7 of the coordinates' size.
    assert.ok(worst < 1e-4 + 5e-6 * scale, `molecule ${m + 1}: rotated-noise sample differs from the rotated sample by ${worst} Å (scale ${scale} Å)`);
  });
});

test('sampling with fewer steps than trained runs, reports progress per step, keeps a trajectory, and aborts', async () => {
  const progress: number[] = [];
  const result = await sampleEdm(model, { count: 2, seed: 1, steps: 10, atomCount: 7, trajectoryEvery: 5, onProgress: (p) => progress.push(p.evaluations) });
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.ok(result.structures.every((s) => s.numbers.length === 7));
  // frames: z_T, after steps 5 and 10 (t = 0), and the decoded sample.
  assert.equal(result.trajectories!.length, 2);
  assert.equal(result.trajectories![0]!.length, 4);
  assert.deepEqual(Array.from(result.trajectories![1]!.at(-1)!.positions), Array.from(result.structures[1]!.positions));
  for (const st of result.structures) assert.ok(st.positions.every(Number.isFinite));
  const controller = new AbortController();
  const aborted = sampleEdm(model, { count: 1, seed: 1, steps: 50, signal: controller.signal, onProgress: (p) => { if (p.evaluations === 3) controller.abort(); } });
  await assert.rejects(aborted, { name: 'AbortError' });
  const before = tf.memory().numTensors;
  await assert.rejects(sampleEdm(model, { count: 1, seed: 1, steps: 20, signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.equal(tf.memory().numTensors, before, 'an aborted run leaves no tensors');
  await assert.rejects(sampleEdm(model, { count: 1, seed: 1, steps: 201 }), /1\.\.200/);
});

test('a property-conditional EDM needs a target and samples with one', async () => {
  const conditional = createEdm({ atomCounts: atomCountHistogram(molecules), features: 8, layers: 1, seed: 2, context: contextSpecOf(molecules, 'gap'), schedule: { kind: 'cosine', timesteps: 50 } });
  await trainEdm(conditional, { molecules, seed: 1, batchSize: 4, maxSteps: 3 });
  await assert.rejects(sampleEdm(conditional, { count: 1, seed: 1 }), /conditioned on 'gap'/);
  const low = await sampleEdm(conditional, { count: 1, seed: 1, context: 8, atomCount: 10 });
  const high = await sampleEdm(conditional, { count: 1, seed: 1, context: 14, atomCount: 10 });
  assert.notDeepEqual(Array.from(low.structures[0]!.positions), Array.from(high.structures[0]!.positions));
  await assert.rejects(sampleEdm(model, { count: 1, seed: 1, context: 3, steps: 5 }), /unconditional/);
  conditional.dispose();
});
