import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasChannelProduct, type NativeChannelProduct } from '../../core/engine/backend/native-channel-product';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import { channelProductFused, channelProductPlan, fusedProductBasisActive, setFusedProductBasis } from '../../core/engine/layers/fused-channel-product';
import type { ParamRecord } from '../../core/engine/layers/params';
import { ElementwiseTensorProduct, ProductBasis } from '../../core/engine/layers/product-basis';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import type { EquivariantModelConfig } from '../../core/engine/models/message-passing/equivariant-model';
import { loadNativeKernels } from '../../main/native/load-native-kernels';
import { assertDerivativesClose, assertRelativelyClose, energyForcesAndForceLossGradients, multilinearDerivatives, randomArray, type MultilinearDerivatives } from './backend-parity';
import { readDataset } from './geometry-data';
import { loadFusedAddon, wasmWithCountingAddon } from './fused-kernel-harness';
import { checkEnergyModel } from './layers-test-graph';

const { addon, skip } = await loadFusedAddon<NativeChannelProduct>('channelProduct', hasChannelProduct);
const wasmWithCounter = () => wasmWithCountingAddon(addon!, 'channelProduct');

/** The tfjs reference of the fused op: irreps layout -> per-l blocks, `applyPerL`, back to the irreps layout. */
function referenceProduct(product: ElementwiseTensorProduct, params: ParamRecord, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, c] = [x.shape[0], product.mul];
    const perL = (t: tf.Tensor2D) => Array.from({ length: product.lmax + 1 }, (_, l) => tf.reshape(tf.slice(t, [0, c * l * l], [n, c * (2 * l + 1)]), [n, c, 2 * l + 1]) as tf.Tensor3D);
    const out = product.applyPerL(params, perL(x), perL(y)).map((b, l) => tf.reshape(b, [n, c * (2 * l + 1)]));
    return tf.concat(out, 1) as tf.Tensor2D;
  });
}

type ProductOp = (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor) => tf.Tensor2D;

/** Values and derivatives of `op` on seeded node features of `n` nodes (see multilinearDerivatives). */
function derivatives(op: ProductOp, product: ElementwiseTensorProduct, n: number, seed: number): MultilinearDerivatives {
  const dim = product.mul * (product.lmax + 1) ** 2;
  const dimOut = product.mul * (product.lmaxOut + 1) ** 2;
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => op(a as tf.Tensor2D, b as tf.Tensor2D, c);
  return multilinearDerivatives(f, [[n, dim], [n, dim], [product.paths.length, product.mul]], [n, dimOut], seed);
}

const opsOf = (product: ElementwiseTensorProduct): { fused: ProductOp; reference: ProductOp } => ({
  fused: (x, y, w) => channelProductFused(product, { [`${product.name}/weight`]: w }, x, y),
  reference: (x, y, w) => referenceProduct(product, { [`${product.name}/weight`]: w }, x, y),
});

test('the fused product op equals the tfjs product in values, first gradients and second derivatives (L = 1, 2, 3; 3 -> 1)', { skip }, async () => {
  const counter = await wasmWithCounter();
  setFusedProductBasis(true);
  assert.equal(fusedProductBasisActive(), true);
  for (const [k, product] of [new ElementwiseTensorProduct('p1', 5, 1), new ElementwiseTensorProduct('p2', 4, 2), new ElementwiseTensorProduct('p3', 3, 3), new ElementwiseTensorProduct('p31', 3, 3, 1)].entries()) {
    const plan = channelProductPlan(product);
    assert.equal(plan.paths.length, 10 * product.paths.length);
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const { fused, reference } = opsOf(product);
    const a = derivatives(fused, product, 37, 100 * k);
    assert.ok(counter.calls >= 1 + 3 + 3 * 3, `${product.name}: forward, 3 gradients and their gradients ran on the kernel (${counter.calls} calls)`);
    const calls = counter.calls;
    const b = derivatives(reference, product, 37, 100 * k);
    assert.equal(counter.calls, calls, 'the reference does not call the kernel');
    assert.equal(tf.memory().numTensors, before, `${product.name}: tensor count flat`);
    assertDerivativesClose(a, b, ['x', 'y', 'w'], product.name);
  }
  setFusedProductBasis(false);
  setNativeMatMul(undefined);
});

test('with 2 threads the product kernel gives the same bits as with 1 for every role (fixed node blocks)', { skip }, async () => {
  const counter = await wasmWithCounter();
  setFusedProductBasis(true);
  const product = new ElementwiseTensorProduct('p', 8, 2);
  const { fused } = opsOf(product);
  const one = derivatives(fused, product, 700, 9);
  counter.setKernelThreads!(2);
  const two = derivatives(fused, product, 700, 9);
  counter.setKernelThreads!(1);
  assert.deepEqual(two.value, one.value);
  one.first.forEach((d, r) => assert.deepEqual(two.first[r], d, `first derivative ${r}`));
  one.second.forEach((d, r) => assert.deepEqual(two.second[r], d, `second derivative ${r}`));
  setFusedProductBasis(false);
  setNativeMatMul(undefined);
});

test('the product kernel rejects operands that do not fit its plan before writing anything', { skip }, () => {
  const product = new ElementwiseTensorProduct('p', 2, 1);
  const plan = channelProductPlan(product);
  const n = 3;
  const x = new Float32Array(n * plan.dim1);
  const w = new Float32Array(plan.dimW);
  const out = new Float32Array(n * plan.dimOut).fill(7);
  const call = (sizes: number[], xs = x, paths = plan.paths) =>
    addon!.channelProduct(3, xs, x, w, new Float32Array(0), out, Int32Array.from(sizes), paths, plan.coefIndex, plan.coefValue, 1);
  assert.throws(() => call([n, plan.dim1, plan.dim2, plan.dimW]), /channelProduct: sizes must hold 5 integers/);
  assert.throws(() => call([n, plan.dim1, plan.dim2, plan.dimW, plan.dimOut], x.subarray(1)), /channelProduct: x has 23 elements, needs 24/);
  const bad = Int32Array.from(plan.paths);
  bad[4] = plan.dimOut; // offOut past the end
  assert.throws(() => call([n, plan.dim1, plan.dim2, plan.dimW, plan.dimOut], x, bad), /channelProduct: path 0 reaches outside its blocks/);
  assert.throws(() => addon!.channelProduct(3, x, x, w, x, out, Int32Array.of(n, 8, 8, 8, 8), plan.paths, plan.coefIndex, plan.coefValue, 0), /threads must be an integer in \[1, 1024\]/);
  assert.ok(out.every((v) => v === 7), 'nothing written');
});

test('ProductBasis and MACE (narrow and as published, messages to L = 3) energies, forces and force-loss gradients agree with the fused product on and off', { skip }, async () => {
  const counter = await wasmWithCounter();
  const basis = new ProductBasis('pb', 4, 1, 3);
  const params: ParamRecord = Object.fromEntries(basis.paramSpecs().map((s, k) => [s.name, tf.tensor(randomArray(s.shape.reduce((a, b) => a * b, 1), 50 + k), [...s.shape])]));
  const a = tf.tensor2d(randomArray(13 * basis.irrepsIn.dim, 3), [13, basis.irrepsIn.dim]);
  const values = (fused: boolean) => {
    setFusedProductBasis(fused);
    return tf.tidy(() => basis.apply(params, a).dataSync());
  };
  counter.calls = 0;
  const reference = values(false);
  assert.equal(counter.calls, 0);
  assertRelativelyClose(values(true), reference, 'ProductBasis values');
  assert.equal(counter.calls, 2, 'one kernel call per correlation step above 1');
  tf.dispose([a, ...Object.values(params)]);

  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const species = [1, 6, 8];
  for (const setting of [{ lmax: 1, shLmax: 3, correlation: 3 }, { lmax: 2, shLmax: 2, correlation: 2 }, { lmax: 1, shLmax: 3, correlation: 3, messageLmax: 3 }]) {
    const model = createMaceModel({ species, cutoff: 5, channels: 6, nInteractions: 2, avgNumNeighbors: 8, seed: 5, ...setting });
    const names = Object.keys(model.params).sort();
    const compute = (fused: boolean) => {
      setFusedProductBasis(fused);
      setFusedMessagePassing(fused);
      return energyForcesAndForceLossGradients(model, frames, 5);
    };
    const label = JSON.stringify(setting);
    const before = tf.memory().numTensors;
    counter.calls = 0;
    const unfused = compute(false);
    assert.equal(counter.calls, 0);
    const fused = compute(true);
    assert.ok(counter.calls >= 2 * (setting.correlation - 1) * 3, `${label}: the product basis ran on the kernel (${counter.calls} calls)`);
    assert.equal(tf.memory().numTensors, before, `${label}: tensor count flat`);
    assertRelativelyClose(fused.energy, unfused.energy, `${label} energies`);
    assertRelativelyClose(fused.forces, unfused.forces, `${label} forces`);
    names.forEach((name, k) => assertRelativelyClose(fused.gradients[k]!, unfused.gradients[k]!, `${label} force-loss gradient of ${name}`, 1e-4));
    model.dispose();
  }
  setFusedProductBasis(false);
  setFusedMessagePassing(false);
  setNativeMatMul(undefined);
});

/** checkEnergyModel (invariance, equivariance, F = -dE/dr, flat tensor count) on a MACE whose product basis runs fused. */
async function checkMaceOnFusedProduct(config: Partial<EquivariantModelConfig>): Promise<void> {
  const counter = await wasmWithCounter();
  setFusedProductBasis(true);
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, ...config });
  try {
    await checkEnergyModel(model);
    assert.ok(counter.calls > 0, `the product basis ran on the kernel (${counter.calls} calls)`);
  } finally {
    model.dispose();
    setFusedProductBasis(false);
    setNativeMatMul(undefined);
  }
}

test('MACE on the fused product keeps invariant energies, equivariant forces equal to -dE/dr and a flat tensor count', { skip }, async () => {
  await checkMaceOnFusedProduct({ seed: 3 });
});

test('EQUIMOL_NATIVE_THREADS sets the fused kernels\' threads and EQUIMOL_BLAS_THREADS OpenBLAS\'s, each 1 by default', { skip }, async () => {
  const loaded = (await loadNativeKernels({ EQUIMOL_NATIVE_THREADS: '2', EQUIMOL_BLAS_THREADS: '1' }))!;
  assert.equal(loaded.kernelThreads!(), 2);
  assert.equal(loaded.threads(), 1);
  const defaults = (await loadNativeKernels({}))!;
  assert.equal(defaults.kernelThreads!(), 1);
  assert.equal(defaults.threads(), 1);
  await assert.rejects(loadNativeKernels({ EQUIMOL_BLAS_THREADS: 'two' }), /EQUIMOL_BLAS_THREADS must be an integer from 1 to 1024, got 'two'/);
  assert.throws(() => loaded.setKernelThreads!(0), /setKernelThreads\(n\): n must be an integer in \[1, 1024\]/);
});

test('MACE as published (messages up to the spherical harmonics\' L = 3 into the product basis) is invariant, its forces equivariant and -dE/dr, on the fused kernels', { skip }, async () => {
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 3, messageLmax: 3, seed: 4 });
  assert.deepEqual(model.params['interaction0/aggregate/w3_3']!.shape, [4, 4], 'the l = 3 messages reach the product basis');
  model.dispose();
  await checkMaceOnFusedProduct({ messageLmax: 3, seed: 4 });
  assert.throws(() => createMaceModel({ species: [1], channels: 2, lmax: 1, shLmax: 1, messageLmax: 3 }), /messageLmax 3 must be an integer from lmax \(1\) to lmax \+ shLmax \(2\)/);
});
