import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { atomCountHistogram } from '../../../core/generative/edm/edm-model';
import { createGeoBfn, type GeoBfnModel } from '../../../core/generative/geobfn/geobfn-model';
import { sampleGeoBfn } from '../../../core/generative/geobfn/sampler';
import { trainGeoBfn } from '../../../core/generative/geobfn/train';
import { randomRotation } from '../../../core/o3/index';
import { seededRandom } from '../../../core/util/seeded-random';
import type { Structure } from '../../../core/structure/structure';
import { qm9Frames } from '../edm/qm9-frames';

let molecules: Structure[];
let model: GeoBfnModel;

before(async () => {
  await initBackend({ prefer: 'wasm' });
  molecules = (await qm9Frames(30)).slice(10);
  model = createGeoBfn({ atomCounts: atomCountHistogram(molecules), features: 16, layers: 2, seed: 3 });
  await trainGeoBfn(model, { molecules, seed: 1, batchSize: 5, maxSteps: 40, learningRate: 2e-3 });
});

test('GeoBFN sampling: one seed reproduces the molecules, another differs; structures are centred, of the known types, with counts from p(N)', async () => {
  const before = tf.memory().numTensors;
  const a = await sampleGeoBfn(model, { count: 5, seed: 11, steps: 12, batchSize: 3 });
  assert.equal(tf.memory().numTensors, before, 'tensors after sampling');
  const b = await sampleGeoBfn(model, { count: 5, seed: 11, steps: 12, batchSize: 3 });
  const c = await sampleGeoBfn(model, { count: 5, seed: 12, steps: 12, batchSize: 3 });
  assert.deepEqual(a.structures.map((s) => [s.numbers, s.positions]), b.structures.map((s) => [s.numbers, s.positions]));
  assert.notDeepEqual(a.structures.map((s) => s.positions), c.structures.map((s) => s.positions));
  const allowed = new Set(atomCountHistogram(molecules).flatMap((n, k) => (n > 0 ? [k] : [])));
  for (const st of a.structures) {
    assert.ok(allowed.has(st.numbers.length), `atom count ${st.numbers.length} is in the training histogram`);
    assert.ok(st.numbers.every((z) => [1, 6, 7, 8, 9].includes(z)));
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let i = 0; i < st.numbers.length; i++) s += st.positions[3 * i + k]!;
      assert.ok(Math.abs(s / st.numbers.length) < 1e-9, 'centred');
    }
    assert.ok(st.positions.every(Number.isFinite));
  }
  assert.equal(a.times.length, 13);
  assert.equal(a.estimateRates.rates.length, 12);
});

test('GeoBFN sampling: trajectories, progress, fixed atom counts, the abort signal and a step schedule', async () => {
  const progress: number[] = [];
  const r = await sampleGeoBfn(model, { count: 2, seed: 3, steps: 6, atomCount: [4, 7], trajectoryEvery: 2, onProgress: (p) => progress.push(p.evaluations) });
  assert.deepEqual(r.structures.map((s) => s.numbers.length), [4, 7]);
  assert.equal(r.trajectories!.length, 2);
  assert.equal(r.trajectories![0]!.length, 4, 'frames at t_0, t_2, t_4 and the result');
  assert.equal(r.trajectories![1]![3], r.structures[1]);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7]);
  const controller = new AbortController();
  await assert.rejects(sampleGeoBfn(model, { count: 2, seed: 3, steps: 20, signal: controller.signal, onProgress: (p) => { if (p.evaluations === 3) controller.abort(); } }), { name: 'AbortError' });
  const karras = await sampleGeoBfn(model, { count: 1, seed: 3, steps: 8, atomCount: 5, schedule: { kind: 'karras' } });
  const uniform = await sampleGeoBfn(model, { count: 1, seed: 3, steps: 8, atomCount: 5 });
  assert.notDeepEqual(Array.from(karras.times), Array.from(uniform.times));
  const measured = await sampleGeoBfn(model, { count: 1, seed: 3, steps: 8, atomCount: 5, schedule: { kind: 'measured', ...uniform.estimateRates } });
  assert.equal(measured.times.length, 9);
  assert.ok(measured.structures[0]!.positions.every(Number.isFinite));
});

test('GeoBFN sampling is equivariant to the noise: rotating every position-noise draw rotates the molecules, types unchanged', async () => {
  const q = randomRotation(seededRandom(4)); // row-major 3×3
  const rotate = (v: Float64Array) => {
    for (let i = 0; i < v.length; i += 3) {
      const [x, y, z] = [v[i]!, v[i + 1]!, v[i + 2]!];
      for (let r = 0; r < 3; r++) v[i + r] = q[3 * r]! * x + q[3 * r + 1]! * y + q[3 * r + 2]! * z;
    }
  };
  const plain = await sampleGeoBfn(model, { count: 2, seed: 8, steps: 10, atomCount: 6 });
  const rotated = await sampleGeoBfn(model, { count: 2, seed: 8, steps: 10, atomCount: 6, noiseTransform: rotate });
  plain.structures.forEach((st, g) => {
    assert.deepEqual(rotated.structures[g]!.numbers, st.numbers);
    const expected = Float64Array.from(st.positions);
    rotate(expected);
    const got = rotated.structures[g]!.positions;
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((v, k) => assert.ok(Math.abs(v - got[k]!) < 1e-3 * Math.max(1, scale), `molecule ${g + 1} component ${k}: ${got[k]} vs ${v}`));
  });
});
