/**
 * Kernels that make message passing fast on tfjs-backend-wasm (registered as tfjs kernels, so every model's
 * tf.gather / tf.unsortedSegmentSum / tf.matMul benefits, and tfjs' own gradients apply unchanged):
 *
 * - UnsortedSegmentSum: missing on wasm (tfjs falls back to nothing and throws). Row-wise accumulation in JS
 *   over the wasm heap. Its registered gradient is a gather.
 * - GatherV2 along axis 0: the stock kernel copies element by element (68 ms for [19392,128]); row copies
 *   with TypedArray.set take ~1 ms. Other axes go to the stock kernel. Its gradient is an UnsortedSegmentSum.
 * - BatchMatMul / _FusedMatMul with transposeA/transposeB: the stock kernel misses XNNPACK's fast path
 *   (199 ms vs 18 ms), and every backward pass of a matMul transposes. We transpose the operand first.
 *
 * `setWasmGraphKernels(true|false)` swaps them in and out (benchmarks compare against stock).
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm we use (its class is not exported with types we can import in core). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function unsortedSegmentSumWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  const nRows = sizeOf(segmentIds.shape);
  const inner = nRows === 0 ? 0 : sizeOf(x.shape) / nRows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views are taken after allocation: a heap growth detaches earlier views.
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  if (nRows === 0) return out;
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let row = 0; row < nRows; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue; // tf semantics: out-of-range ids are dropped
    const o = segment * inner;
    const xo = row * inner;
    for (let k = 0; k < inner; k++) outValues[o + k]! += xValues[xo + k]!;
  }
  return out;
}

function makeGatherRowsWasm(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as unknown as WasmBackendLike;
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const parsedAxis = axis < 0 ? axis + x.shape.length : axis;
    if (parsedAxis !== 0 || batchDims !== 0 || x.shape.length === 0) return stock(args);
    const nRowsIn = x.shape[0]!;
    const inner = nRowsIn === 0 ? 0 : sizeOf(x.shape) / nRowsIn;
    const nOut = sizeOf(indices.shape);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (nOut === 0 || inner === 0) return out;
    const outValues = backend.typedArrayFromHeap(out);
    const xValues = backend.typedArrayFromHeap(x);
    const idx = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < nOut; i++) {
      const row = idx[i]!;
      if (!(row >= 0 && row < nRowsIn)) {
        backend.disposeData(out.dataId);
        throw new RangeError(`GatherV2: the index value ${row} is not in [0, ${nRowsIn - 1}]`);
      }
      if (inner === 1) outValues[i] = xValues[row]!;
      else outValues.set(xValues.subarray(row * inner, row * inner + inner), i * inner);
    }
    return out;
  };
}

function makeTransposeFirstMatMul(stock: tf.KernelFunc, transpose: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return stock(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const inputs = { ...(args.inputs as Record<string, tf.TensorInfo>) };
    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
      const transposed = transpose({ inputs: { x: t }, attrs: { perm }, backend: args.backend }) as tf.TensorInfo;
      temporaries.push(transposed);
      return transposed;
    };
    if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a!);
    if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b!);
    try {
      return stock({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

let stockKernels: Map<string, tf.KernelConfig | undefined> | undefined;

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Installs (enabled = true) or removes (false) the graph kernels on the 'wasm' backend.
 * `segmentSumOnly` installs only UnsortedSegmentSum (which stock wasm lacks), leaving the stock gather and
 * matMul kernels: the baseline benchmarks compare against. Requires tfjs-backend-wasm to be imported.
 */
export function setWasmGraphKernels(enabled: boolean, options: { segmentSumOnly?: boolean } = {}): void {
  const backendName = 'wasm';
  if (enabled) {
    if (stockKernels) setWasmGraphKernels(false);
    const stockBatchMatMul = tf.getKernel('BatchMatMul', backendName);
    const stockFusedMatMul = tf.getKernel('_FusedMatMul', backendName);
    const stockGather = tf.getKernel('GatherV2', backendName);
    const stockTranspose = tf.getKernel('Transpose', backendName);
    if (!stockBatchMatMul || !stockGather || !stockTranspose) {
      throw new Error('tfjs-backend-wasm kernels are not registered: import @tensorflow/tfjs-backend-wasm first');
    }
    stockKernels = new Map([
      ['UnsortedSegmentSum', tf.getKernel('UnsortedSegmentSum', backendName)],
      ['GatherV2', stockGather],
      ['BatchMatMul', stockBatchMatMul],
      ['_FusedMatMul', stockFusedMatMul],
    ]);
    replaceKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSumWasm });
    if (options.segmentSumOnly) return;
    replaceKernel({ ...stockGather, kernelFunc: makeGatherRowsWasm(stockGather.kernelFunc) });
    replaceKernel({ ...stockBatchMatMul, kernelFunc: makeTransposeFirstMatMul(stockBatchMatMul.kernelFunc, stockTranspose.kernelFunc) });
    if (stockFusedMatMul) {
      replaceKernel({ ...stockFusedMatMul, kernelFunc: makeTransposeFirstMatMul(stockFusedMatMul.kernelFunc, stockTranspose.kernelFunc) });
    }
  } else {
    if (!stockKernels) return;
    for (const [kernelName, stock] of stockKernels) {
      if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
      // UnsortedSegmentSum has no stock wasm kernel; tfjs then reports it as missing, as it does stock.
      if (stock) tf.registerKernel(stock);
    }
    stockKernels = undefined;
  }
}

export function wasmGraphKernelsInstalled(): boolean {
  return stockKernels !== undefined;
}
