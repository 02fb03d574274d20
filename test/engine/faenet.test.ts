import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createFaenetModel } from '../../core/engine/models/faenet/faenet-model';
import { principalAxes } from '../../core/engine/models/faenet/pca-frames';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { randomRotation } from '../../core/o3/index';
import { seededRandom } from '../../core/util/seeded-random';
import { buildTestGraph, checkEnergyModel, ethanol, evaluate } from './layers-test-graph';

test('PCA axes are orthonormal eigenvectors of the covariance and rotate with the molecule (up to sign)', () => {
  const rotation = randomRotation(seededRandom(2));
  const rotated = Float64Array.from(ethanol.positions);
  for (let a = 0; a < 9; a++)
    for (let i = 0; i < 3; i++) rotated[3 * a + i] = [0, 1, 2].reduce((s, k) => s + rotation[3 * i + k]! * ethanol.positions[3 * a + k]!, 0);
  const axesOf = (positions: ArrayLike<number>) => {
    const ctx = buildTestGraph([{ numbers: ethanol.numbers, positions }], [1, 6, 8], 5);
    const result = tf.tidy(() => principalAxes(ctx, ctx.positions).axes.arraySync()[0]!);
    disposeGraphContext(ctx);
    return result;
  };
  const u = axesOf(ethanol.positions);
  const v = axesOf(rotated);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(u[i]!.reduce((s, x, k) => s + x * u[j]![k]!, 0) - (i === j ? 1 : 0)) < 1e-4);
    const ru = [0, 1, 2].map((r) => [0, 1, 2].reduce((s, k) => s + rotation[3 * r + k]! * u[i]![k]!, 0));
    const overlap = ru.reduce((s, x, k) => s + x * v[i]![k]!, 0);
    assert.ok(Math.abs(Math.abs(overlap) - 1) < 1e-3, `axis ${i} overlap ${overlap}`);
  }
});

test('FAENet with full O(3) frame averaging: invariant energy, equivariant forces = -dE/dr', async () => {
  const model = createFaenetModel({ species: [1, 6, 8], hidden: 16, nInteractions: 2, seed: 6 });
  try {
    await checkEnergyModel(model, { relative: 1e-3 });
  } finally {
    model.dispose();
  }
});

test('FAENet with the 4 proper SO(3) frames is rotation-invariant but tells mirror images apart', async () => {
  const model = createFaenetModel({ species: [1, 6, 8], hidden: 16, nInteractions: 1, frameGroup: 'SO3', seed: 7 });
  try {
    await checkEnergyModel(model, { transforms: ['rotation'], relative: 1e-3 });
    const mirrored = { numbers: ethanol.numbers, positions: Array.from(ethanol.positions, (v, i) => (i % 3 === 0 ? -v : v)) };
    const e = evaluate(model, [ethanol]).energy[0]!;
    const eMirror = evaluate(model, [mirrored]).energy[0]!;
    // ~40 float32 ulps at this energy: a real difference, not rounding (the O(3) model below gives equal values).
    assert.ok(Math.abs(e - eMirror) > 1e-5, `SO(3) frames are chirality-aware (${e} vs ${eMirror})`);
    const o3 = createFaenetModel({ species: [1, 6, 8], hidden: 16, nInteractions: 1, frameGroup: 'O3', seed: 7 });
    const d = Math.abs(evaluate(o3, [ethanol]).energy[0]! - evaluate(o3, [mirrored]).energy[0]!);
    o3.dispose();
    assert.ok(d < 2e-6, `O(3) frame averaging is mirror-invariant (difference ${d})`);
  } finally {
    model.dispose();
  }
});

test('stochastic frame averaging evaluates one frame of the set; full averaging is their mean', () => {
  const full = createFaenetModel({ species: [1, 6, 8], hidden: 8, nInteractions: 1, seed: 8 });
  const stochastic = createFaenetModel({ species: [1, 6, 8], hidden: 8, nInteractions: 1, seed: 8, frameAveraging: 'stochastic' });
  const ctx = buildTestGraph([ethanol], [1, 6, 8], 5);
  try {
    const perFrame = tf.tidy(() => Array.from(full.frameEnergies(ctx).dataSync()));
    assert.equal(perFrame.length, 8);
    const mean = perFrame.reduce((s, v) => s + v, 0) / 8;
    assert.ok(Math.abs(tf.tidy(() => full.energy(ctx).dataSync()[0]!) - mean) < 1e-4);
    for (let i = 0; i < 4; i++) {
      const e = tf.tidy(() => stochastic.energy(ctx).dataSync()[0]!);
      assert.ok(perFrame.some((v) => Math.abs(v - e) < 1e-5), `stochastic energy ${e} is one of the frame energies`);
    }
  } finally {
    disposeGraphContext(ctx);
    full.dispose();
    stochastic.dispose();
  }
});
