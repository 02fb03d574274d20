import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { batchTensors, disposeBatchTensors } from '../../../core/generative/edm/dynamics';
import { atomCountHistogram } from '../../../core/generative/edm/edm-model';
import { fullyConnectedBatch, gaussianSource } from '../../../core/generative/edm/molecules';
import { flowGamma } from '../../../core/generative/geobfn/bayesian-flow';
import { createGeoBfn, type GeoBfnModel } from '../../../core/generative/geobfn/geobfn-model';
import { encodeBfnData } from '../../../core/generative/geobfn/loss';
import { bfnNetwork } from '../../../core/generative/geobfn/network';
import { seededRandom } from '../../../core/util/seeded-random';
import type { Structure } from '../../../core/structure/structure';
import { assertEquivariant } from '../../helpers/assert-equivariant';
import { qm9Frames } from '../edm/qm9-frames';

let molecules: Structure[];

before(async () => {
  await initBackend({ prefer: 'wasm' });
  molecules = await qm9Frames(40);
});

/** x̂ [n*3], p_O [n*K] and k̂ [n] of one molecule for input means μ_x, μ_c at time t. */
function output(model: GeoBfnModel, mu: ArrayLike<number>, muCharge: ArrayLike<number>, t: number): [Float32Array, Float32Array, Float32Array] {
  const n = mu.length / 3;
  const b = batchTensors(fullyConnectedBatch([n]));
  const outs = tf.tidy(() => {
    const o = bfnNetwork(model.config, model.params, b, {
      mu: tf.tensor2d(Float32Array.from(mu), [n, 3]), muCharge: tf.tensor2d(Float32Array.from(muCharge), [n, 1]), time: tf.fill([n, 1], t) as tf.Tensor2D,
    });
    return [o.positions, o.chargeProbabilities, o.chargeEstimate];
  });
  const values = outs.map((x) => x.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array];
  tf.dispose(outs);
  disposeBatchTensors(b);
  return values;
}

/** Input means drawn from the Bayesian flow of a QM9 molecule at t. */
function flowInput(model: GeoBfnModel, molecule: Structure, t: number, seed: number): { mu: Float64Array; muCharge: Float64Array } {
  const data = encodeBfnData(model, [molecule]);
  const gaussian = gaussianSource(seededRandom(seed));
  const gx = flowGamma(model.config.sigma1Positions, t), gc = flowGamma(model.config.sigma1Charges, t);
  return {
    mu: data.positions.map((v) => gx * v + Math.sqrt(gx * (1 - gx)) * gaussian()),
    muCharge: data.charges.map((v) => gc * v + Math.sqrt(gc * (1 - gc)) * gaussian()),
  };
}

test('GeoBFN network: x̂ is E(3)-equivariant (rotation, inversion; translation-invariant as μ is centred) and p_O, k̂ invariant; all follow a permutation', async () => {
  const model = createGeoBfn({ atomCounts: atomCountHistogram(molecules), features: 32, layers: 3, seed: 4 });
  const molecule = molecules.find((m) => m.numbers.length >= 12)!;
  for (const t of [0.05, 0.6]) {
    const { mu, muCharge } = flowInput(model, molecule, t, 3);
    const [x, p] = output(model, mu, muCharge, t);
    assert.ok(x.some((v, i) => Math.abs(v - mu[i]!) > 1e-3), 'x̂ differs from μ');
    assert.ok(Math.max(...p) < 0.999, 'p_O is not a point mass');
    await assertEquivariant({
      name: `GeoBFN Ψ(θ, t=${t})`,
      positions: mu,
      inputs: [{ irreps: '1x0e', data: muCharge, rows: 'atom' }],
      outputs: [{ irreps: '1x1o', rows: 'atom' }, { irreps: `${model.config.bins}x0e`, rows: 'atom' }, { irreps: '1x0e', rows: 'atom' }],
      fn: (positions, [charges]) => output(model, positions!, charges!, t),
      tolerance: { absolute: 2e-4, relative: 1e-3 },
      trials: 1,
    });
  }
  model.dispose();
});

test('GeoBFN network: p_O sums to one per atom, x̂ has zero centre of mass, molecules in a batch do not interact, no tensors left behind', () => {
  const model = createGeoBfn({ atomCounts: [0, 1], features: 16, layers: 2, seed: 6 });
  const st = [molecules[20]!, molecules[35]!, molecules[7]!];
  const data = encodeBfnData(model, st);
  const gaussian = gaussianSource(seededRandom(2));
  const mu = data.positions.map((v) => 0.9 * v + 0.3 * gaussian());
  const muCharge = data.charges.map((v) => 0.5 * v + 0.4 * gaussian());
  const b = batchTensors(data.batch);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const o = bfnNetwork(model.config, model.params, b, {
      mu: tf.tensor2d(Float32Array.from(mu), [data.batch.nAtoms, 3]), muCharge: tf.tensor2d(Float32Array.from(muCharge), [data.batch.nAtoms, 1]),
      time: tf.fill([data.batch.nAtoms, 1], 0.3) as tf.Tensor2D,
    });
    return [o.positions, o.chargeProbabilities];
  });
  const [x, p] = outs.map((v) => v.dataSync() as Float32Array);
  tf.dispose(outs);
  assert.equal(tf.memory().numTensors, before, 'tensors after a forward pass');
  disposeBatchTensors(b);
  const K = model.config.bins;
  for (let i = 0; i < data.batch.nAtoms; i++) {
    const sum = p!.slice(i * K, (i + 1) * K).reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `atom ${i + 1}: Σ p_O = ${sum}`);
  }
  st.forEach((m, g) => {
    const start = data.batch.atomStart[g]!, end = data.batch.atomStart[g + 1]!;
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let i = start; i < end; i++) s += x![3 * i + k]!;
      assert.ok(Math.abs(s) < 1e-3, `molecule ${g + 1}: Σ x̂ = ${s}`);
    }
    const [alone] = output(model, mu.slice(3 * start, 3 * end), muCharge.slice(start, end), 0.3);
    alone.forEach((v, k) => assert.ok(Math.abs(v - x![3 * start + k]!) < 1e-3 * Math.max(1, Math.abs(v)), `molecule ${g + 1} component ${k}: ${v} vs ${x![3 * start + k]}`));
  });
  model.dispose();
});
