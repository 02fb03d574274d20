import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasCgScatter, type NativeCgScatter } from '../../core/engine/backend/native-cg-scatter';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { disposeGraphContext, type GraphContext } from '../../core/engine/graph/graph-context';
import {
  cgScatterPlan, channelwiseCgScatter, channelwiseCgScatterFused, channelwiseCgScatterReference, fusedMessagePassingActive,
  setFusedMessagePassing,
} from '../../core/engine/layers/fused-cg-scatter';
import { TensorProduct } from '../../core/engine/layers/tensor-product';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { Irreps } from '../../core/o3/irreps';
import { seededRandom } from '../../core/util/seeded-random';
import { fusedMessagePassingFromEnv } from '../../main/models/node-backend';
import { assertDerivativesClose, multilinearDerivatives, randomArray, type MultilinearDerivatives } from './backend-parity';
import { readDataset } from './geometry-data';
import { assertSameWithFusedMessages, checkEnergyModelOnFusedMessages, loadFusedAddon, wasmWithCountingAddon } from './fused-kernel-harness';
import { buildTestGraph, type TestMolecule } from './layers-test-graph';

const { addon, skip } = await loadFusedAddon<NativeCgScatter>('cgScatter', hasCgScatter);
const wasmWithAddon = () => wasmWithCountingAddon(addon!, 'cgScatter');

/** `n` atoms of species H/C/O at seeded random positions in a `box` Å cube (some isolated at small cutoffs). */
function randomMolecule(n: number, box: number, seed: number): TestMolecule {
  const random = seededRandom(seed);
  return {
    numbers: Array.from({ length: n }, () => [1, 6, 8][Math.floor(3 * random())]!),
    positions: Array.from({ length: 3 * n }, () => box * random()),
  };
}

type CgOp = (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

function derivatives(op: CgOp, tp: TensorProduct, ctx: GraphContext, seed: number): MultilinearDerivatives {
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => op(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D);
  const shapes = [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]];
  return multilinearDerivatives(f, shapes, [ctx.nAtoms, tp.irrepsOut.dim], seed);
}

const polar = (lmax: number) => (ir: { l: number; p: number }) => ir.l <= lmax && ir.p === (ir.l % 2 === 0 ? 1 : -1);

test('the fused op is off by default and setFusedMessagePassing toggles it where the wasm backend has the addon', { skip }, async () => {
  const counter = await wasmWithAddon();
  assert.equal(fusedMessagePassingActive(), false, 'off by default');
  setFusedMessagePassing(true);
  assert.equal(fusedMessagePassingActive(), true);
  setNativeMatMul(undefined);
  assert.equal(fusedMessagePassingActive(), false, 'no addon installed: inactive even when enabled');
  setNativeMatMul(counter);
  await tf.setBackend('cpu');
  assert.equal(fusedMessagePassingActive(), false, 'cpu backend: inactive');
  const tp = TensorProduct.channelwise('m', '2x0e+2x1o', Irreps.sphericalHarmonics(1), polar(1));
  const ctx = buildTestGraph([randomMolecule(5, 2, 4)], [1, 6, 8], 2);
  const onCpu = tf.tidy(() => {
    const [x, y, w] = [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]].map(([r, c], k) => tf.tensor2d(randomArray(r! * c!, k), [r!, c!]));
    return channelwiseCgScatter(tp, {}, ctx, x!, y!, w!).dataSync();
  });
  assert.ok(onCpu.length > 0 && counter.calls === 0, 'cpu backend takes the reference path');
  disposeGraphContext(ctx);
  await tf.setBackend('wasm');
  assert.equal(fusedMessagePassingActive(), true);
  setFusedMessagePassing(false);
  assert.equal(fusedMessagePassingActive(), false);
  setNativeMatMul(undefined);
});

test('on a seeded random graph the fused op equals the reference in values, first gradients and second derivatives', { skip }, async () => {
  const counter = await wasmWithAddon();
  setFusedMessagePassing(true);
  const ctx = buildTestGraph([randomMolecule(11, 3.5, 7), randomMolecule(4, 6, 8)], [1, 6, 8], 2.5);
  assert.ok(ctx.nEdges > 20, `the random graph has edges (${ctx.nEdges})`);
  const products = [
    TensorProduct.channelwise('lmax1', '4x0e+4x1o', Irreps.sphericalHarmonics(2), polar(1)), // MACE L ≤ 1, SH ≤ 2
    TensorProduct.channelwise('lmax3', '3x0e+3x1o+2x2e+2x3o', Irreps.sphericalHarmonics(3), (ir) => ir.l <= 3), // l = 3: run-time-size loops
  ];
  for (const [k, tp] of products.entries()) {
    assert.ok(cgScatterPlan(tp), `${tp.name} has a plan`);
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const fused = derivatives((x, y, w) => channelwiseCgScatterFused(tp, ctx, x, y, w), tp, ctx, 100 * k);
    assert.ok(counter.calls >= 1 + 3 + 3 * 3, `${tp.name}: forward, 3 gradients and their gradients ran on the kernel (${counter.calls} calls)`);
    const calls = counter.calls;
    const reference = derivatives((x, y, w) => channelwiseCgScatterReference(tp, {}, ctx, x, y, w), tp, ctx, 100 * k);
    assert.equal(counter.calls, calls, 'the reference does not call the kernel');
    assert.equal(tf.memory().numTensors, before, `${tp.name}: tensor count flat`);
    assertDerivativesClose(fused, reference, ['x', 'y', 'w'], tp.name);
  }
  disposeGraphContext(ctx);
  setFusedMessagePassing(false);
  setNativeMatMul(undefined);
});

test('with 2 threads the kernel gives the same numbers as with 1 for every role (edges split by the node they write)', { skip }, async () => {
  const counter = await wasmWithAddon();
  setFusedMessagePassing(true);
  const ctx = buildTestGraph([randomMolecule(48, 5, 9)], [1, 6, 8], 4);
  assert.ok(ctx.nEdges >= 1024, `enough edges to split (${ctx.nEdges})`);
  const tp = TensorProduct.channelwise('lmax2', '4x0e+4x1o+4x2e', Irreps.sphericalHarmonics(2), polar(2));
  const op: CgOp = (x, y, w) => channelwiseCgScatterFused(tp, ctx, x, y, w);
  const one = derivatives(op, tp, ctx, 5);
  counter.setKernelThreads!(2);
  const two = derivatives(op, tp, ctx, 5);
  counter.setKernelThreads!(1);
  assert.deepEqual(two.value, one.value);
  one.first.forEach((d, r) => assert.deepEqual(two.first[r], d, `first derivative ${r}`));
  one.second.forEach((d, r) => assert.deepEqual(two.second[r], d, `second derivative ${r}`));
  disposeGraphContext(ctx);
  setFusedMessagePassing(false);
  setNativeMatMul(undefined);
});

test('products the kernel does not cover (shared weights, uvw, second input multiplicity 2) have no plan and take the reference path', { skip }, async () => {
  const counter = await wasmWithAddon();
  setFusedMessagePassing(true);
  const ctx = buildTestGraph([randomMolecule(9, 3, 3)], [1, 6, 8], 2.5);
  const sh = Irreps.sphericalHarmonics(2);
  const uvu = TensorProduct.channelwise('uvu', '3x0e+3x1o', sh, polar(1));
  const specs = uvu.instructions.map(({ i1, i2, iOut, mode }) => ({ i1, i2, iOut, mode }));
  const uvwSpecs = specs.map((s) => ({ ...s, mode: 'uvw' as const }));
  const products = [
    new TensorProduct('shared', '3x0e+3x1o', sh, uvu.irrepsOut, specs, { sharedWeights: true }),
    new TensorProduct('uvw', '3x0e+3x1o', sh, uvu.irrepsOut, uvwSpecs, { sharedWeights: false }),
    TensorProduct.channelwise('mul2', '3x0e+3x1o', '2x0e+2x1o', polar(1)),
  ];
  for (const tp of products) {
    assert.equal(cgScatterPlan(tp), undefined, `${tp.name}: no plan`);
    const params = { [`${tp.name}/weight`]: tf.tensor1d(randomArray(tp.weightNumel, 31)) };
    const inputs = [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]].map(([r, c], k) => tf.tensor2d(randomArray(r! * c!, 40 + k), [r!, c!]));
    const [x, y, w] = inputs as tf.Tensor2D[];
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const viaSwitch = tf.tidy(() => channelwiseCgScatter(tp, params, ctx, x!, y!, w!).dataSync());
    const reference = tf.tidy(() => channelwiseCgScatterReference(tp, params, ctx, x!, y!, w!).dataSync());
    assert.equal(counter.calls, 0, `${tp.name}: the kernel was not called`);
    assert.deepEqual(viaSwitch, reference, `${tp.name}: identical to the reference`);
    assert.throws(() => channelwiseCgScatterFused(tp, ctx, x!, y!, w!), /needs per-edge weights, 'uvu' paths and a second input of multiplicity 1/);
    assert.equal(tf.memory().numTensors, before, `${tp.name}: tensor count flat`);
    tf.dispose([...inputs, ...Object.values(params)]);
  }
  disposeGraphContext(ctx);
  setFusedMessagePassing(false);
  setNativeMatMul(undefined);
});

test('MACE energies, forces and force-loss gradients agree with fusion on and off (L ≤ 1 with SH ≤ 3, correlation 2 and 3; L ≤ 2)', { skip }, async () => {
  const counter = await wasmWithAddon();
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const species = [1, 6, 8];
  const settings = [
    { lmax: 1, shLmax: 3, correlation: 2 },
    { lmax: 1, shLmax: 3, correlation: 3 },
    { lmax: 2, shLmax: 2, correlation: 2 },
  ];
  for (const setting of settings) {
    const model = createMaceModel({ species, cutoff: 5, channels: 6, nInteractions: 2, avgNumNeighbors: 8, seed: 5, ...setting });
    assertSameWithFusedMessages(model, frames, counter, JSON.stringify(setting), 2 * 4);
    model.dispose();
  }
  setNativeMatMul(undefined);
});

test('MACE on the fused op keeps invariant energies, equivariant forces equal to -dE/dr and a flat tensor count', { skip }, async () => {
  const counter = await wasmWithAddon();
  await checkEnergyModelOnFusedMessages(createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, seed: 3 }), counter);
});

test('EQUIMOL_FUSED: unset or 1 turns the fused op on, 0 turns it off, anything else is an error', () => {
  assert.equal(fusedMessagePassingFromEnv({}), true);
  assert.equal(fusedMessagePassingFromEnv({ EQUIMOL_FUSED: '' }), true);
  assert.equal(fusedMessagePassingFromEnv({ EQUIMOL_FUSED: '1' }), true);
  assert.equal(fusedMessagePassingFromEnv({ EQUIMOL_FUSED: '0' }), false);
  assert.throws(() => fusedMessagePassingFromEnv({ EQUIMOL_FUSED: 'yes' }), /EQUIMOL_FUSED must be 0 or 1, got 'yes'/);
});
