import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasCgScatter, type NativeCgScatter } from '../../core/engine/backend/native-cg-scatter';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import { filterSumAtReceivers, filterSumFused, filterSumReference } from '../../core/engine/layers/fused-filter-scatter';
import { createFaenetModel } from '../../core/engine/models/faenet/faenet-model';
import { seededRandom } from '../../core/util/seeded-random';
import { assertDerivativesClose, multilinearDerivatives, randomArray } from './backend-parity';
import { assertSameWithFusedMessages, checkEnergyModelOnFusedMessages, loadFusedAddon, wasmWithCountingAddon } from './fused-kernel-harness';
import { readDataset } from './geometry-data';
import { buildTestGraph, type TestMolecule } from './layers-test-graph';

const { addon, skip } = await loadFusedAddon<NativeCgScatter>('cgScatter', hasCgScatter);
const wasmWithAddon = () => wasmWithCountingAddon(addon!, 'cgScatter');

function randomMolecule(n: number, box: number, seed: number): TestMolecule {
  const random = seededRandom(seed);
  return { numbers: Array.from({ length: n }, () => [1, 6, 8][Math.floor(3 * random())]!), positions: Array.from({ length: 3 * n }, () => box * random()) };
}

test('the fused filter convolution equals gather · filter · segment sum in values, first gradients and second derivatives, without a gradient for its constant edge column', { skip }, async () => {
  const counter = await wasmWithAddon();
  setFusedMessagePassing(true);
  const ctx = buildTestGraph([randomMolecule(11, 3.5, 7), randomMolecule(4, 6, 8)], [1, 6, 8], 2.5);
  assert.ok(ctx.nEdges > 20, `the random graph has edges (${ctx.nEdges})`);
  const width = 5;
  const shapes = [[ctx.nAtoms, width], [ctx.nEdges, width]];
  const run = (op: typeof filterSumFused) => multilinearDerivatives((x, f) => op(ctx, x as tf.Tensor2D, f as tf.Tensor2D), shapes, [ctx.nAtoms, width], 60);
  const before = tf.memory().numTensors;
  counter.calls = 0;
  const fused = run(filterSumFused);
  // value 1 + first (x, f) 2 + the second pass: its forward and first (3) and their gradients (2 each, 4): the
  // constant column never gets a kernel call.
  assert.equal(counter.calls, 1 + 2 + 3 + 4 + 1, `kernel calls (${counter.calls})`);
  const reference = run(filterSumReference);
  assert.equal(tf.memory().numTensors, before, 'tensor count flat');
  assertDerivativesClose(fused, reference, ['x', 'filters'], 'filter convolution');
  setFusedMessagePassing(false);
  counter.calls = 0;
  const inputs = shapes.map(([r, c], k) => tf.tensor2d(randomArray(r! * c!, 80 + k), [r!, c!]));
  const viaSwitch = tf.tidy(() => filterSumAtReceivers(ctx, inputs[0]!, inputs[1]!).dataSync());
  assert.equal(counter.calls, 0, 'switched off: the kernel is not called');
  assert.deepEqual(viaSwitch, tf.tidy(() => filterSumReference(ctx, inputs[0]!, inputs[1]!).dataSync()), 'switched off: identical to the reference');
  tf.dispose(inputs);
  disposeGraphContext(ctx);
  setNativeMatMul(undefined);
});

test('FAENet energies, forces and force-loss gradients agree with the fused filter convolution on and off (full frame averaging)', { skip }, async () => {
  const counter = await wasmWithAddon();
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const model = createFaenetModel({ species: [1, 6, 8], cutoff: 5, hidden: 8, nInteractions: 2, avgNumNeighbors: 8, seed: 5 });
  assertSameWithFusedMessages(model, frames, counter, 'FAENet', 8 * 2 * 2);
  model.dispose();
  setNativeMatMul(undefined);
});

test('FAENet on the fused filter convolution keeps invariant energies, equivariant forces equal to -dE/dr and a flat tensor count', { skip }, async () => {
  const counter = await wasmWithAddon();
  await checkEnergyModelOnFusedMessages(createFaenetModel({ species: [1, 6, 8], cutoff: 4, hidden: 8, nInteractions: 2, seed: 3 }), counter);
});
