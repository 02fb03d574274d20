import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, WasmHeapExhaustedError } from '../../core/engine/backend/backend';
import { installSecondOrderGradients, restoreStockGradients } from '../../core/engine/backend/second-order-gradients';
import { setWasmGraphKernels } from '../../core/engine/backend/wasm-graph-kernels';
import { seededRandom } from '../../core/util/seeded-random';
import { assertSameEgnnResults, maxDifference, randomArray, smallEgnnCase } from './backend-parity';

const backends = ['cpu', 'wasm'] as const;


test('initBackend picks wasm in Node without optional packages, installs the kernels and the gradient fix, and honours prefer', async () => {
  const logged: string[] = [];
  const info = await initBackend({ log: (l) => logged.push(l) });
  assert.equal(info.name, 'wasm');
  assert.match(info.description, /^tfjs-wasm \((no )?SIMD, .*equimol kernels\)$/);
  assert.ok(info.secondOrderGradientsFixed);
  assert.ok(logged.some((l) => l.includes('tensorflow')), 'tried tfjs-node first');
  const loaderCalls: string[] = [];
  const withLoader = await initBackend({ loader: { importOptional: async (name) => { loaderCalls.push(name); return undefined; } } });
  assert.deepEqual(loaderCalls, ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  assert.equal(withLoader.name, 'wasm');
  const cpu = await initBackend({ prefer: 'cpu' });
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await initBackend({ prefer: 'wasm' });
});

test('second derivatives of SiLU, tanh, exp, softplus, elu and pow equal the analytic ones on every backend (stock tfjs does not)', async () => {
  await initBackend({ prefer: 'wasm' });
  const sigma = (x: number) => 1 / (1 + Math.exp(-x));
  const cases: Array<[string, (x: tf.Tensor) => tf.Tensor, (x: number) => number, number]> = [
    ['x·sigmoid(x)', (x) => tf.mul(x, tf.sigmoid(x)), (x) => sigma(x) * (1 - sigma(x)) * (2 + x * (1 - 2 * sigma(x))), 0.5],
    ['tanh', (x) => tf.tanh(x), (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), 0.7],
    ['exp', (x) => tf.exp(x), (x) => Math.exp(x), 0.3],
    ['softplus', (x) => tf.softplus(x), (x) => sigma(x) * (1 - sigma(x)), -0.4],
    ['elu', (x) => tf.elu(x), (x) => Math.exp(x), -0.6],
    ['pow(x, 3)', (x) => tf.pow(x, 3), (x) => 6 * x, 0.8],
  ];
  for (const backend of backends) {
    await tf.setBackend(backend);
    for (const [name, f, analytic, x] of cases) {
      const second = tf.grad(tf.grad(f))(tf.scalar(x)).dataSync()[0]!;
      assert.ok(Math.abs(second - analytic(x)) < 1e-5, `${backend} ${name}'' at ${x}: ${second} vs ${analytic(x)}`);
    }
  }
  restoreStockGradients();
  try {
    const stock = tf.grad(tf.grad((x: tf.Tensor) => tf.mul(x, tf.sigmoid(x))))(tf.scalar(0.5)).dataSync()[0]!;
    assert.ok(Math.abs(stock - 0.4412) > 0.02, `stock tfjs gives ${stock} (expected the known wrong 0.470)`);
  } finally {
    installSecondOrderGradients();
  }
  await tf.setBackend('wasm');
});

test('wasm graph kernels (segment sum, row gather, transposed matMul) and their gradients equal the cpu reference', async () => {
  await initBackend({ prefer: 'wasm' });
  const x = randomArray(300 * 16, 1);
  const w = randomArray(16 * 24, 2);
  const y = randomArray(300 * 24, 4);
  const random = seededRandom(3);
  const ids = Int32Array.from({ length: 300 }, () => Math.floor(random() * 40));
  const compute = () => tf.tidy(() => {
    const xt = tf.tensor2d(x, [300, 16]), wt = tf.tensor2d(w, [16, 24]), yt = tf.tensor2d(y, [300, 24]);
    const idt = tf.tensor1d(ids, 'int32');
    const segment = tf.unsortedSegmentSum(xt, idt, 50);
    const gathered = tf.gather(xt, idt);
    const gatheredScalars = tf.gather(tf.tensor1d(x.slice(0, 40)), idt);
    const products = [tf.matMul(xt, wt), tf.matMul(xt, yt, true, false), tf.matMul(yt, wt, false, true), tf.matMul(tf.transpose(xt), yt, false, false)];
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(tf.unsortedSegmentSum(tf.matMul(v, wt), idt, 50), idt))))(xt);
    return [segment, gathered, gatheredScalars, ...products, gradient].map((t) => t.dataSync() as Float32Array);
  });
  const wasm = compute();
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  const names = ['segment sum', 'row gather', 'scalar gather', 'matMul', 'matMul(xᵀ, y)', 'matMul(y, wᵀ)', 'matMul(transpose)', 'gradient through gather/segment sum'];
  wasm.forEach((values, k) => {
    const scale = Math.max(1, ...Array.from(cpu[k]!, Math.abs));
    assert.ok(maxDifference(values, cpu[k]!) < 1e-5 * scale, `${names[k]} differs from cpu`);
  });
  // Stock kernels give the same numbers (they are only slower) and out-of-range rows are refused.
  setWasmGraphKernels(false);
  const stockGather = tf.tidy(() => tf.gather(tf.tensor2d(x, [300, 16]), tf.tensor1d(ids, 'int32')).dataSync());
  setWasmGraphKernels(true);
  assert.deepEqual(Array.from(stockGather), Array.from(wasm[1]!));
  assert.throws(() => tf.tidy(() => tf.gather(tf.tensor2d(x, [300, 16]), tf.tensor1d([0, 300], 'int32'))), /index value 300 is not in \[0, 299\]/);
});

test('wasm data-movement kernels (slice, splitV, concat) and the small batched matMul equal the cpu reference, transposes and broadcasting included', async () => {
  await initBackend({ prefer: 'wasm' });
  const a = randomArray(2 * 37 * 24 * 5, 11);
  const b = randomArray(37 * 5 * 3, 12);
  const compute = () => tf.tidy(() => {
    const x = tf.tensor4d(a, [2, 37, 24, 5]); // [batch, edge, channel, m]
    const y = tf.tensor3d(b, [37, 5, 3]);
    const x3 = tf.reshape(x, [74, 24, 5]);
    const slices = [
      tf.slice(x, [0, 3, 2, 1], [2, 30, 20, 3]), // short runs in every dimension
      tf.slice(x, [1, 0, 0, 0], [1, 37, 24, 5]), // one contiguous block
      tf.slice(x, [0, 5, 0, 0], [2, 4, 24, 5]), // whole trailing dims merge into one run per batch
      tf.slice(tf.reshape(x, [74, 120]), [0, 96], [74, 24]),
    ];
    const parts = tf.split(tf.reshape(x, [74, 120]), [24, 72, 24], 1);
    const joined = [tf.concat([x3, tf.slice(x3, [0, 0, 0], [74, 24, 2])], 2), tf.concat(parts, 1), tf.concat([x3, x3], 0)];
    const yb = tf.reshape(tf.tile(y, [2, 1, 1]), [74, 5, 3]);
    const products = [
      tf.matMul(x3, yb), // [74, 24, 3]
      tf.matMul(tf.transpose(x3, [0, 2, 1]), yb, true, false),
      tf.matMul(x3, tf.transpose(yb, [0, 2, 1]), false, true),
      tf.matMul(yb, x3, true, true), // [74, 3, 24]
      tf.matMul(x3, tf.slice(yb, [0, 0, 0], [1, 5, 3])), // batch broadcast
      tf.matMul(tf.slice(x3, [0, 0, 0], [1, 24, 5]), yb), // batch broadcast on the left
    ];
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.slice(v, [0, 0, 1], [74, 24, 3]), tf.slice(yb, [0, 1, 0], [74, 3, 3])))))(x3);
    return [...slices, ...parts, ...joined, ...products, gradient].map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
  const wasm = compute();
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  assert.equal(wasm.length, 17);
  wasm.forEach((result, k) => {
    assert.deepEqual(result.shape, cpu[k]!.shape, `output ${k} shape`);
    const scale = Math.max(1, ...Array.from(cpu[k]!.values, Math.abs));
    assert.ok(maxDifference(result.values, cpu[k]!.values) < 1e-5 * scale, `output ${k} differs from cpu`);
  });
});

test('on wasm, clone and same-dtype cast share the buffer: each copy stays readable after the other is disposed, and memory returns to baseline', async () => {
  await initBackend({ prefer: 'wasm' });
  const before = tf.memory();
  const original = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const copies = [tf.clone(original), tf.cast(original, 'float32'), original.clone()];
  const real = tf.tensor1d([1.7, -2.2]);
  const integer = tf.cast(real, 'int32');
  assert.deepEqual(Array.from(integer.dataSync()), [1, -2]); // a real cast still converts
  original.dispose();
  for (const copy of copies) assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3, 4]);
  const variable = tf.variable(copies[0]!);
  const nines = tf.tensor2d([9, 9, 9, 9], [2, 2]);
  variable.assign(nines);
  assert.deepEqual(Array.from(copies[0]!.dataSync()), [1, 2, 3, 4], 'assigning a variable made from a copy leaves the copy unchanged');
  tf.dispose([...copies, real, integer, variable, nines]);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
});

test('on wasm, a tensor that cannot fit in the heap throws WasmHeapExhaustedError instead of corrupting the heap, and tfjs goes on working', async () => {
  await initBackend({ prefer: 'wasm' });
  const before = tf.memory().numTensors;
  assert.throws(() => tf.tidy(() => tf.zeros([1_100_000_000])), (error: unknown) => error instanceof WasmHeapExhaustedError && /ran out of memory: 4196\.2 MiB more/.test(error.message));
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.tidy(() => tf.sum(tf.ones([1000, 100])).dataSync()[0]), 100000);
});

test('the replacement UnsortedSegmentSum gradient drops rows with negative segment ids, as TensorFlow does', async () => {
  await initBackend({ prefer: 'cpu' });
  const gradient = tf.tidy(() => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const ids = tf.tensor1d([1, -1, 0], 'int32');
    const weights = tf.tensor2d([10, 20, 30, 40], [2, 2]);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(v, ids, 2), weights)))(x).arraySync();
  });
  assert.deepEqual(gradient, [[30, 40], [0, 0], [10, 20]]);
  await tf.setBackend('wasm');
});

test('a small EGNN gives the same energies, forces and force-loss gradients on wasm as on the cpu reference', async () => {
  await initBackend({ prefer: 'wasm' });
  const { model, names, compute } = smallEgnnCase();
  const wasm = compute();
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  assertSameEgnnResults(wasm, cpu, names);
  model.dispose();
});
