import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasLinearMaps, type NativeLinearMaps } from '../../core/engine/backend/native-linear-maps';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import { setFusedProductBasis } from '../../core/engine/layers/fused-channel-product';
import { fusedLinearActive, linearMapsPlan, setFusedLinear } from '../../core/engine/layers/fused-linear';
import { EquivariantLinear } from '../../core/engine/layers/linear';
import type { ParamRecord } from '../../core/engine/layers/params';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';
import { assertRelativelyClose, energyForcesAndForceLossGradients, multilinearDerivatives, randomArray, type MultilinearDerivatives } from './backend-parity';
import { readDataset } from './geometry-data';
import { loadFusedAddon, wasmWithCountingAddon } from './fused-kernel-harness';
import { checkEnergyModel } from './layers-test-graph';

const { addon, skip } = await loadFusedAddon<NativeLinearMaps>('linearMaps', hasLinearMaps);
const wasmWithCounter = () => wasmWithCountingAddon(addon!, 'linearMaps');

/** Layers of several shapes: mixed degrees, two inputs of one irrep (fan-in sums), an output with no source, biases. */
const LAYERS = [
  () => new EquivariantLinear('mixed', '8x0e+4x1o+3x2e', '5x0e+6x1o+2x2e'),
  () => new EquivariantLinear('fanin', '4x0e+3x1o+2x0e', '5x0e+2x1o'),
  () => new EquivariantLinear('nosource', '4x0e', '3x0e+2x1o', true),
  () => new EquivariantLinear('single', '3x1o', '4x1o'),
];

/**
 * Values and derivatives w.r.t. x and each weight block of `layer`, fused or through the reference composition; the
 * biases (whose second derivatives are not connected to anything) are seeded constants, not differentiated.
 */
function derivatives(layer: EquivariantLinear, fused: boolean, n: number, seed: number): MultilinearDerivatives {
  const specs = layer.paramSpecs();
  const weightSpecs = specs.filter((s) => s.shape.length === 2);
  const biases = specs.filter((s) => s.shape.length === 1);
  const fixed: ParamRecord = Object.fromEntries(biases.map((s, k) => [s.name, tf.tensor(randomArray(s.shape[0]!, seed + 50 + k), [...s.shape])]));
  const op = (x: tf.Tensor, ...weights: tf.Tensor[]) => {
    const params: ParamRecord = { ...fixed, ...Object.fromEntries(weightSpecs.map((s, k) => [s.name, weights[k]!])) };
    return fused ? layer.apply(params, x as tf.Tensor2D) : layer.applyReference(params, x as tf.Tensor2D);
  };
  try {
    return multilinearDerivatives(op, [[n, layer.irrepsIn.dim], ...weightSpecs.map((s) => s.shape)], [n, layer.irrepsOut.dim], seed);
  } finally {
    tf.dispose(Object.values(fixed));
  }
}

test('the fused linear op equals the tfjs composition in values, first gradients and second derivatives, x and every weight block', { skip }, async () => {
  const counter = await wasmWithCounter();
  setFusedLinear(true);
  assert.equal(fusedLinearActive(), true);
  for (const [k, make] of LAYERS.entries()) {
    const layer = make();
    const plan = linearMapsPlan(layer);
    assert.equal(plan.paths.length, 6 * layer.linearPaths.length);
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const a = derivatives(layer, true, 37, 100 * k);
    assert.ok(counter.calls >= 1 + 2 + 2 * 2, `${layer.name}: forward, gradients and their gradients ran on the kernel (${counter.calls} calls)`);
    const calls = counter.calls;
    const b = derivatives(layer, false, 37, 100 * k);
    assert.equal(counter.calls, calls, 'the reference does not call the kernel');
    assert.equal(tf.memory().numTensors, before, `${layer.name}: tensor count flat`);
    assertRelativelyClose(a.value, b.value, `${layer.name} values`);
    a.first.forEach((d, r) => assertRelativelyClose(d, b.first[r]!, `${layer.name} first derivative ${r}`));
    a.second.forEach((d, r) => assertRelativelyClose(d, b.second[r]!, `${layer.name} second derivative ${r}`));
    assert.ok(a.first.every((d) => d.some((v) => v !== 0)), `${layer.name}: every first derivative is non-zero somewhere`);
  }
  setFusedLinear(false);
  setNativeMatMul(undefined);
});

test('with 2 kernel threads the linear kernel gives the same bits as with 1 for every role (fixed node chunks; its products run on the OpenBLAS thread setting)', { skip }, async () => {
  const counter = await wasmWithCounter();
  setFusedLinear(true);
  const layer = new EquivariantLinear('wide', '16x0e+16x1o+8x2e', '16x0e+16x1o+8x2e');
  const one = derivatives(layer, true, 700, 9);
  counter.setKernelThreads!(2);
  const two = derivatives(layer, true, 700, 9);
  counter.setKernelThreads!(1);
  assert.deepEqual(two.value, one.value);
  one.first.forEach((d, r) => assert.deepEqual(two.first[r], d, `first derivative ${r}`));
  one.second.forEach((d, r) => assert.deepEqual(two.second[r], d, `second derivative ${r}`));
  setFusedLinear(false);
  setNativeMatMul(undefined);
});

test('the linear kernel rejects operands that do not fit its plan before writing anything', { skip }, () => {
  const plan = linearMapsPlan(new EquivariantLinear('l', '2x0e+1x1o', '3x0e+2x1o'));
  const n = 3;
  const x = new Float32Array(n * plan.dimIn);
  const w = new Float32Array(plan.dimW);
  const out = new Float32Array(n * plan.dimOut).fill(7);
  const none = new Float32Array(0);
  const call = (sizes: number[], xs = x, paths = plan.paths, norms = plan.norms) => addon!.linearMaps(2, xs, w, none, out, Int32Array.from(sizes), paths, norms, 1);
  const sizes = [n, plan.dimIn, plan.dimW, plan.dimOut];
  assert.throws(() => call(sizes.slice(0, 3)), /linearMaps: sizes must hold 4 integers/);
  assert.throws(() => call(sizes, x.subarray(1)), /linearMaps: x has 14 elements, needs 15/);
  const bad = Int32Array.from(plan.paths);
  bad[2] = plan.dimOut; // offOut past the end
  assert.throws(() => call(sizes, x, bad), /linearMaps: path 0 reaches outside its blocks/);
  assert.throws(() => call(sizes, x, plan.paths, plan.norms.subarray(1)), /linearMaps: norms must hold one value per path/);
  assert.throws(() => addon!.linearMaps(3, x, w, none, out, Int32Array.from(sizes), plan.paths, plan.norms, 1), /role must be an integer in \[0, 2\]/);
  assert.ok(out.every((v) => v === 7), 'nothing written');
});

test('MACE and TDN energies, forces and force-loss gradients agree with the fused linear maps on and off', { skip }, async () => {
  const counter = await wasmWithCounter();
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const species = [1, 6, 8];
  const models = [
    createMaceModel({ species, cutoff: 5, channels: 6, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, avgNumNeighbors: 8, seed: 5 }),
    createMaceModel({ species, cutoff: 5, channels: 5, lmax: 2, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors: 8, seed: 6 }),
    createTdnModel({ species, cutoff: 5, channels: 6, lmax: 1, shLmax: 2, nInteractions: 2, avgNumNeighbors: 8, seed: 7 }),
  ];
  for (const [k, model] of models.entries()) {
    const names = Object.keys(model.params).sort();
    const compute = (fused: boolean) => {
      setFusedLinear(fused);
      setFusedMessagePassing(fused);
      setFusedProductBasis(fused);
      return energyForcesAndForceLossGradients(model, frames, 5);
    };
    const label = `model ${k} (${model.family})`;
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const unfused = compute(false);
    assert.equal(counter.calls, 0);
    const fused = compute(true);
    assert.ok(counter.calls > 10, `${label}: the linear maps ran on the kernel (${counter.calls} calls)`);
    assert.equal(tf.memory().numTensors, before, `${label}: tensor count flat`);
    assertRelativelyClose(fused.energy, unfused.energy, `${label} energies`);
    assertRelativelyClose(fused.forces, unfused.forces, `${label} forces`);
    names.forEach((name, j) => assertRelativelyClose(fused.gradients[j]!, unfused.gradients[j]!, `${label} force-loss gradient of ${name}`, 1e-4));
    model.dispose();
  }
  setFusedLinear(false);
  setFusedMessagePassing(false);
  setFusedProductBasis(false);
  setNativeMatMul(undefined);
});

test('MACE on the fused linear maps keeps invariant energies, equivariant forces equal to -dE/dr and a flat tensor count', { skip }, async () => {
  const counter = await wasmWithCounter();
  setFusedLinear(true);
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, seed: 3 });
  try {
    await checkEnergyModel(model);
    assert.ok(counter.calls > 0, `the linear maps ran on the kernel (${counter.calls} calls)`);
  } finally {
    model.dispose();
    setFusedLinear(false);
    setNativeMatMul(undefined);
  }
});

test('an empty batch (no nodes) through the fused linear op gives an empty output and gradients', { skip }, async () => {
  await wasmWithCounter();
  setFusedLinear(true);
  const layer = new EquivariantLinear('e', '2x0e+1x1o', '3x0e+2x1o', true);
  const params: ParamRecord = Object.fromEntries(layer.paramSpecs().map((s, k) => [s.name, tf.tensor(randomArray(s.shape.reduce((a, b) => a * b, 1), k), [...s.shape])]));
  const x = tf.zeros([0, layer.irrepsIn.dim]) as tf.Tensor2D;
  const y = layer.apply(params, x);
  assert.deepEqual(y.shape, [0, layer.irrepsOut.dim]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(params, t as tf.Tensor2D)))(x);
  assert.deepEqual(g.shape, [0, layer.irrepsIn.dim]);
  tf.dispose([x, y, g, ...Object.values(params)]);
  setFusedLinear(false);
  setNativeMatMul(undefined);
});
