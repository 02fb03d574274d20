import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ChargeDipoleHead, atomicEnergies, graphEnergy, initParams } from '../../core/engine/layers/index';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { assertEquivariant } from '../helpers/assert-equivariant';
import { buildTestGraph, ethanol, water } from './layers-test-graph';

test('charge/dipole head on MACE features: charges invariant and conserved, dipole a 1o vector, translation invariant', async () => {
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed: 9 });
  const head = new ChargeDipoleHead('dipoleHead', model.hiddenIrreps);
  const params = initParams(head.paramSpecs(), 10);
  const all = { ...model.params, ...params };
  const run = (positions: ArrayLike<number>, numbers: readonly number[]) => {
    const ctx = buildTestGraph([{ numbers, positions }], model.species, model.cutoff);
    const out = tf.tidy(() => {
      const features = model.nodeFeatures(ctx, all);
      const { charges, dipoles } = head.apply(all, ctx, features[features.length - 1]!);
      return [charges.dataSync() as Float32Array, dipoles.dataSync() as Float32Array];
    });
    disposeGraphContext(ctx);
    return out;
  };
  try {
    const [charges] = run(ethanol.positions, ethanol.numbers);
    assert.ok(Math.abs(charges!.reduce((s, q) => s + q, 0)) < 1e-5, 'neutral molecule: charges sum to 0');
    assert.ok(charges!.some((q) => Math.abs(q) > 1e-3), 'charges are not trivially zero');
    await assertEquivariant({
      name: 'charge/dipole head',
      positions: ethanol.positions,
      outputs: [
        { irreps: '1x0e', rows: 'atom' },
        { irreps: '1x1o', rows: 'fixed' },
      ],
      // Only rotations/inversion/translation: the atom order (and species) is fixed here.
      transforms: ['rotation', 'rotation+inversion', 'translation'],
      fn: (positions) => run(positions!, ethanol.numbers),
    });
    // Charged graphs: the head distributes the given total charge.
    const ctx = buildTestGraph([water, ethanol], model.species, model.cutoff);
    const sums = tf.tidy(() => {
      const features = model.nodeFeatures(ctx, all);
      const { charges: q } = head.apply(all, ctx, features[0]!, tf.tensor1d([-1, 1]));
      return tf.unsortedSegmentSum(q, ctx.batch, 2).dataSync();
    });
    disposeGraphContext(ctx);
    assert.ok(Math.abs(sums[0]! + 1) < 1e-5 && Math.abs(sums[1]! - 1) < 1e-5);
  } finally {
    model.dispose();
    tf.dispose(Object.values(params));
  }
});

test('energy head: E_g = Σ_i (E0[s_i] + shift + scale · e_i) per graph, with per-element E0, and leaves no tensors', () => {
  const species = [1, 6, 8];
  const normalisation = { referenceEnergies: [-13.6, -1029.8, -2041.3], scale: 0.5, shift: -0.25 };
  const ctx = buildTestGraph([water, ethanol], species, 5);
  const outputs = Array.from({ length: ctx.nAtoms }, (_, i) => 0.1 * (i + 1) - 0.6); // e_i, dimensionless
  const before = tf.memory().numTensors;
  const [perAtom, perGraph] = tf.tidy(() => {
    const e = tf.tensor1d(outputs);
    return [atomicEnergies(ctx, e, normalisation).dataSync(), graphEnergy(ctx, e, normalisation).dataSync()];
  });
  assert.equal(tf.memory().numTensors, before);
  const e0 = { 1: -13.6, 6: -1029.8, 8: -2041.3 } as Record<number, number>;
  const numbers = [...water.numbers, ...ethanol.numbers];
  const expected = numbers.map((z, i) => e0[z]! - 0.25 + 0.5 * outputs[i]!);
  expected.forEach((value, i) => assert.ok(Math.abs(perAtom![i]! - value) < 1e-3, `atom ${i + 1}: ${perAtom![i]} vs ${value}`));
  const sum = (from: number, to: number) => expected.slice(from, to).reduce((s, v) => s + v, 0);
  assert.equal(perGraph!.length, 2);
  assert.ok(Math.abs(perGraph![0]! - sum(0, 3)) < 1e-2, `water ${perGraph![0]} vs ${sum(0, 3)}`);
  assert.ok(Math.abs(perGraph![1]! - sum(3, 12)) < 1e-2, `ethanol ${perGraph![1]} vs ${sum(3, 12)}`);
  disposeGraphContext(ctx);
});
