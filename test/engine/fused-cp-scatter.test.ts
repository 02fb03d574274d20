import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasCgScatter, type NativeCgScatter } from '../../core/engine/backend/native-cg-scatter';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { CpTensorProduct } from '../../core/engine/layers/cp-tensor-product';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import { cpScatter, cpScatterFused, cpScatterPlan, cpScatterReference } from '../../core/engine/layers/fused-cp-scatter';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';
import { Irreps } from '../../core/o3/irreps';
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

/** The (l1, l2, l3) of each path of a plan (path table rows: off1, d1, off2, d2, offOut, d3, …). */
function pathDegrees(tp: CpTensorProduct): string[] {
  const { paths } = cpScatterPlan(tp);
  const out: string[] = [];
  for (let p = 0; p < paths.length; p += 10) out.push(`${(paths[p + 1]! - 1) / 2}${(paths[p + 3]! - 1) / 2}${(paths[p + 5]! - 1) / 2}`);
  return out.sort();
}

test('the CP product on the fused kernel has one path per block the selection rules allow: the factorisation residual is left out', () => {
  const tp = new CpTensorProduct('cp', { irrepsIn1: '4x0e+4x1o', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '4x0e+4x1o', rank: 40 });
  assert.ok(tp.relativeError < 1e-9, `rank 40 (TDN's default for SH ≤ 2) is exact for L ≤ 1 ⊗ SH ≤ 2 (residual ${tp.relativeError})`);
  // Into 0e: 0e⊗0e, 1o⊗1o; into 1o: 0e⊗1o, 1o⊗0e, 1o⊗2e (1o⊗1o → 1o is forbidden by parity).
  assert.deepEqual(pathDegrees(tp), ['000', '011', '101', '110', '121']);
  const scalars = new CpTensorProduct('cp0', { irrepsIn1: '3x0e', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '3x0e', rank: 1 });
  assert.deepEqual(pathDegrees(scalars), ['000']);
  // An inexact rank leaves residual in the forbidden blocks; the plan keeps it, so the kernel computes what apply does.
  const inexact = new CpTensorProduct('cp12', { irrepsIn1: '4x0e+4x1o', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '4x0e+4x1o', rank: 12 });
  assert.ok(inexact.relativeError > 1e-5 && pathDegrees(inexact).length > 5, `rank 12: residual ${inexact.relativeError}, ${pathDegrees(inexact).length} paths`);
});

test('on a seeded random graph the fused CP op equals the reference in values, first gradients and second derivatives', { skip }, async () => {
  const counter = await wasmWithAddon();
  setFusedMessagePassing(true);
  const ctx = buildTestGraph([randomMolecule(11, 3.5, 7), randomMolecule(4, 6, 8)], [1, 6, 8], 2.5);
  assert.ok(ctx.nEdges > 20, `the random graph has edges (${ctx.nEdges})`);
  const products = [
    new CpTensorProduct('lmax1', { irrepsIn1: '4x0e+4x1o', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '4x0e+4x1o', rank: 40 }),
    new CpTensorProduct('lmax1-inexact', { irrepsIn1: '4x0e+4x1o', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '4x0e+4x1o', rank: 12 }),
    new CpTensorProduct('lmax2', { irrepsIn1: '3x0e+3x1o+3x2e', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '3x0e+3x1o+3x2e', rank: 40 }),
  ];
  for (const [k, tp] of products.entries()) {
    const shapes = [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]];
    const run = (op: typeof cpScatterFused) => multilinearDerivatives((a, b, c) => op(tp, ctx, a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), shapes, [ctx.nAtoms, tp.irrepsOut.dim], 50 + k);
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const fused = run(cpScatterFused);
    assert.ok(counter.calls >= 1 + 3 + 3 * 3, `${tp.name}: forward, 3 gradients and their gradients ran on the kernel (${counter.calls} calls)`);
    const calls = counter.calls;
    const reference = run(cpScatterReference);
    assert.equal(counter.calls, calls, 'the reference does not call the kernel');
    assert.equal(tf.memory().numTensors, before, `${tp.name}: tensor count flat`);
    assertDerivativesClose(fused, reference, ['x', 'y', 'w'], tp.name);
  }
  setFusedMessagePassing(false);
  counter.calls = 0;
  const tp = products[0]!;
  const inputs = [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]].map(([r, c], k) => tf.tensor2d(randomArray(r! * c!, 70 + k), [r!, c!]));
  const viaSwitch = tf.tidy(() => cpScatter(tp, ctx, ...(inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D])).dataSync());
  const reference = tf.tidy(() => cpScatterReference(tp, ctx, ...(inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D])).dataSync());
  assert.equal(counter.calls, 0, 'switched off: the kernel is not called');
  assert.deepEqual(viaSwitch, reference, 'switched off: identical to the reference');
  tf.dispose(inputs);
  disposeGraphContext(ctx);
  setNativeMatMul(undefined);
});

test('TDN energies, forces and force-loss gradients agree with fusion on and off (L ≤ 1 and L ≤ 2)', { skip }, async () => {
  const counter = await wasmWithAddon();
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  for (const setting of [{ lmax: 1, shLmax: 2 }, { lmax: 2, shLmax: 2 }]) {
    const model = createTdnModel({ species: [1, 6, 8], cutoff: 5, channels: 6, nInteractions: 2, correlation: 2, avgNumNeighbors: 8, seed: 5, ...setting });
    assertSameWithFusedMessages(model, frames, counter, JSON.stringify(setting), 2 * 4);
    model.dispose();
  }
  setNativeMatMul(undefined);
});

test('TDN on the fused op keeps invariant energies, equivariant forces equal to -dE/dr and a flat tensor count', { skip }, async () => {
  const counter = await wasmWithAddon();
  await checkEnergyModelOnFusedMessages(createTdnModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, seed: 4 }), counter);
});
