import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import type { NativeKernels } from '../../core/engine/backend/native-kernels';
import { nativeMatMulInstalled, setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { energyAndForces } from '../../core/engine/model';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { loadNativeKernels } from '../../main/native/load-native-kernels';
import { readDataset } from './geometry-data';
import { assertSameEgnnResults, maxDifference, randomArray, smallEgnnCase } from './backend-parity';

// The addon is optional (Equimol runs without it); `npm test` builds it first (npm run build:native).
const native = await loadNativeKernels({ EQUIMOL_NATIVE_THREADS: '1' }).catch((error: unknown) => {
  throw new Error(`main/native/build/Release/equimol_native.node is there but does not load: ${String(error)}`);
});
const skip = native ? false : 'the native addon is not built (npm run build:native; needs a C++ compiler and libopenblas-dev)';


/** out[i] = op(A_i)·op(B_i) in float64 JS, the reference for sgemm. */
function referenceProduct(a: Float32Array, b: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, aStride: number, bStride: number): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[i * aStride + (transA ? p * m + r : r * k + p)]!;
          const bv = b[i * bStride + (transB ? c * k + p : p * n + c)]!;
          s += av * bv;
        }
        out[i * m * n + r * n + c] = s;
      }
    }
  }
  return out;
}

/** Counts the products that reach the native kernels. */
function counting(kernels: NativeKernels): NativeKernels & { calls: number } {
  const counter = {
    calls: 0,
    sgemm: (...args: Parameters<NativeKernels['sgemm']>) => {
      counter.calls++;
      kernels.sgemm(...args);
    },
    setThreads: (n: number) => kernels.setThreads(n),
    threads: () => kernels.threads(),
    blas: kernels.blas,
  };
  return counter;
}

test('native sgemm equals a JS reference for every transpose combination, batch strides and broadcast operands, on views into a larger buffer', { skip }, () => {
  const heap = new Float32Array(8192); // like the wasm heap: operands are views at offsets
  const [batch, m, n, k] = [3, 5, 4, 7];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const [aStride, bStride] of [[m * k, k * n], [0, k * n], [m * k, 0], [m * k + 3, k * n + 5]] as const) {
        const aLength = (batch - 1) * aStride + m * k;
        const bLength = (batch - 1) * bStride + k * n;
        const a = heap.subarray(17, 17 + aLength);
        const b = heap.subarray(1000, 1000 + bLength);
        const out = heap.subarray(3001, 3001 + batch * m * n);
        a.set(randomArray(aLength, 1 + aStride));
        b.set(randomArray(bLength, 2 + bStride));
        out.fill(Number.NaN);
        heap[3001 + batch * m * n] = 42; // just past out: must stay untouched
        native!.sgemm(a, b, out, batch, m, n, k, transA, transB, aStride, bStride);
        const expected = referenceProduct(a, b, batch, m, n, k, transA, transB, aStride, bStride);
        assert.ok(maxDifference(out, expected) < 1e-5, `transA=${transA} transB=${transB} strides ${aStride}/${bStride}`);
        assert.equal(heap[3001 + batch * m * n], 42);
      }
    }
  }
  const zeros = new Float32Array(6).fill(7);
  native!.sgemm(new Float32Array(0), new Float32Array(0), zeros, 1, 2, 3, 0, false, false, 0, 0);
  assert.deepEqual(Array.from(zeros), [0, 0, 0, 0, 0, 0], 'k = 0 gives zeros');
});

test('native sgemm and setThreads throw JS errors on bad arguments instead of crashing', { skip }, () => {
  const a = new Float32Array(6);
  const b = new Float32Array(6);
  const out = new Float32Array(4);
  const call = (...args: unknown[]) => (native!.sgemm as unknown as (...x: unknown[]) => void)(...args);
  assert.throws(() => call(a, b, out, 1, 2, 2, 3, false, false), /takes 11 arguments, got 9/);
  assert.throws(() => call(new Float64Array(6), b, out, 1, 2, 2, 3, false, false, 0, 0), { name: 'TypeError', message: /a must be a Float32Array/ });
  assert.throws(() => call(a, [1, 2, 3], out, 1, 2, 2, 3, false, false, 0, 0), /b must be a Float32Array/);
  assert.throws(() => call(a, b, out, 1, 2, 2, 4, false, false, 0, 0), { name: 'RangeError', message: /a has 6 elements, needs 8/ });
  assert.throws(() => call(a, b, out, 2, 2, 2, 3, false, false, 0, 0), /out has 4 elements, needs 8/);
  assert.throws(() => call(a, b, out, 2, 2, 2, 3, false, false, 0, 1), /b has 6 elements, needs 7/);
  assert.throws(() => call(a, b, out, 1, -2, 2, 3, false, false, 0, 0), /m must be a non-negative integer/);
  assert.throws(() => call(a, b, out, 1, 2, 2.5, 3, false, false, 0, 0), /n must be a non-negative integer/);
  assert.throws(() => call(a, b, out, Number.NaN, 2, 2, 3, false, false, 0, 0), /batch must be a non-negative integer/);
  assert.throws(() => call(a, b, out, 1, 2, 2, 3, 'no', false, 0, 0), /transA must be a boolean/);
  const buffer = new ArrayBuffer(24);
  const detached = new Float32Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  assert.throws(() => call(detached, b, out, 1, 2, 2, 3, false, false, 0, 0), /a has 0 elements, needs 6/);
  assert.throws(() => native!.setThreads(0), /setThreads\(n\): n must be an integer/);
  assert.throws(() => (native!.setThreads as unknown as (x: unknown) => void)('2'), /setThreads\(n\)/);
  native!.setThreads(2);
  assert.equal(native!.threads(), 2);
  native!.setThreads(1);
  assert.equal(native!.threads(), 1);
});

test('initBackend installs the host\'s native kernels on wasm with graph kernels, says so, and leaves them out otherwise', { skip }, async () => {
  const loader = { nativeKernels: async () => native };
  const info = await initBackend({ prefer: 'wasm', loader });
  assert.equal(info.nativeMatMul, true);
  assert.match(info.description, /^tfjs-wasm \((no )?SIMD, .*equimol kernels, OpenBLAS matMul 1 thread\)$/);
  assert.equal(nativeMatMulInstalled(), native);
  const stock = await initBackend({ prefer: 'wasm', loader, graphKernels: false });
  assert.equal(stock.nativeMatMul, false);
  assert.equal(nativeMatMulInstalled(), undefined);
  const failing = await initBackend({ prefer: 'wasm', loader: { nativeKernels: async () => { throw new Error('no libopenblas'); } }, log: () => {} });
  assert.equal(failing.nativeMatMul, false, 'a loader that throws leaves the wasm kernels in place');
  await initBackend({ prefer: 'wasm' });
});

test('through tfjs-wasm with native kernels, matMul, batched and broadcast matMul and their gradients equal the cpu backend', { skip }, async () => {
  await initBackend({ prefer: 'wasm' });
  const counter = counting(native!);
  const x = randomArray(300 * 16, 1);
  const w = randomArray(16 * 24, 2);
  const y = randomArray(300 * 24, 3);
  const batched = randomArray(37 * 5 * 6, 4);
  const right = randomArray(37 * 6 * 3, 5);
  const compute = () => tf.tidy(() => {
    const xt = tf.tensor2d(x, [300, 16]), wt = tf.tensor2d(w, [16, 24]), yt = tf.tensor2d(y, [300, 24]);
    const bt = tf.tensor3d(batched, [37, 5, 6]), rt = tf.tensor3d(right, [37, 6, 3]);
    const products = [
      tf.matMul(xt, wt), tf.matMul(xt, yt, true, false), tf.matMul(yt, wt, false, true), tf.matMul(wt, xt, true, true),
      tf.matMul(bt, rt), tf.matMul(bt, bt, true, false), tf.matMul(rt, bt, true, true),
      tf.matMul(bt, tf.slice(rt, [0, 0, 0], [1, 6, 3])), // broadcast right
      tf.matMul(tf.reshape(tf.slice(bt, [0, 0, 0], [1, 5, 6]), [1, 1, 5, 6]), tf.reshape(rt, [1, 37, 6, 3])), // rank 4, broadcast left
    ];
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([xt, wt]);
    const [db, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sin(tf.matMul(a, b))))([bt, rt]);
    return [...products, dx!, dw!, db!, dr!].map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
  setNativeMatMul(counter);
  const wasm = compute();
  assert.ok(counter.calls >= 9 + 4, `every product went native (${counter.calls} calls)`);
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  assert.equal(wasm.length, 13);
  wasm.forEach((result, i) => {
    assert.deepEqual(result.shape, cpu[i]!.shape, `output ${i} shape`);
    const scale = Math.max(1, ...Array.from(cpu[i]!.values, Math.abs));
    assert.ok(maxDifference(result.values, cpu[i]!.values) < 1e-5 * scale, `output ${i} differs from cpu`);
  });
  // Fused matMul: without bias or activation it goes native; with them it keeps the wasm kernel. Both equal cpu.
  const fused = () => tf.tidy(() => {
    const xt = tf.tensor2d(x, [300, 16]), wt = tf.tensor2d(w, [16, 24]);
    const bias = tf.tensor1d(randomArray(24, 6));
    return [tf.fused.matMul({ a: xt, b: wt }), tf.fused.matMul({ a: xt, b: wt, bias, activation: 'relu' })].map((t) => t.dataSync() as Float32Array);
  });
  counter.calls = 0;
  const fusedWasm = fused();
  assert.equal(counter.calls, 1, 'only the plain fused product went native');
  await tf.setBackend('cpu');
  const fusedCpu = fused();
  await tf.setBackend('wasm');
  fusedWasm.forEach((values, i) => assert.ok(maxDifference(values, fusedCpu[i]!) < 1e-5 * 10, `fused product ${i}`));
  setNativeMatMul(undefined);
});

test('a small EGNN gives the same energies, forces and force-loss gradients on wasm with native matMul as on the cpu reference', { skip }, async () => {
  await initBackend({ prefer: 'wasm' });
  const counter = counting(native!);
  const { model, names, compute } = smallEgnnCase();
  setNativeMatMul(counter);
  const wasm = compute();
  setNativeMatMul(undefined);
  assert.ok(counter.calls > 20, `the EGNN's products went native (${counter.calls} calls)`);
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  assertSameEgnnResults(wasm, cpu, names);
  model.dispose();
});

test('a small MACE (batched channel products) gives the same energies and forces on wasm with native matMul as on the cpu reference', { skip }, async () => {
  await initBackend({ prefer: 'wasm' });
  const counter = counting(native!);
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const species = [1, 6, 8];
  const model = createMaceModel({ species, cutoff: 5, channels: 8, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors: 8, seed: 3 });
  const compute = () => {
    const ctx = buildGraphContext(frames, { cutoff: 5, species });
    const { energy, forces } = energyAndForces(model, ctx);
    const out = { energy: energy.dataSync() as Float32Array, forces: forces.dataSync() as Float32Array };
    tf.dispose([energy, forces]);
    disposeGraphContext(ctx);
    return out;
  };
  setNativeMatMul(counter);
  const wasm = compute();
  setNativeMatMul(undefined);
  assert.ok(counter.calls > 10, `MACE's products went native (${counter.calls} calls)`);
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('wasm');
  const scale = Math.max(1, ...Array.from(cpu.forces, Math.abs));
  assert.ok(maxDifference(wasm.energy, cpu.energy) < 1e-4 * Math.max(1, ...Array.from(cpu.energy, Math.abs)), 'energies');
  assert.ok(maxDifference(wasm.forces, cpu.forces) < 1e-4 * scale, 'forces');
  model.dispose();
});
