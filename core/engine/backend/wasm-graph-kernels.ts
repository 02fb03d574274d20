/**
 * Kernels that make message passing fast on tfjs-backend-wasm (registered as tfjs kernels, so every model's
 * tf.gather / tf.unsortedSegmentSum / tf.matMul benefits, and tfjs' own gradients apply unchanged):
 *
 * - UnsortedSegmentSum: missing on wasm (tfjs falls back to nothing and throws). Row-wise accumulation in JS
 *   over the wasm heap. Its registered gradient is a gather.
 * - GatherV2 along axis 0: the stock kernel copies element by element (68 ms for [19392,128]); row copies
 *   with TypedArray.set take ~1 ms. Other axes go to the stock kernel. Its gradient is an UnsortedSegmentSum.
 * - BatchMatMul / _FusedMatMul of single matrices with transposeA/transposeB: the stock kernel misses XNNPACK's
 *   fast path (199 ms vs 18 ms), and every backward pass of a matMul transposes. We transpose the operand first.
 * - Slice / SplitV / Concat: the stock kernels copy each contiguous run with subarray() + set(), which allocates a
 *   view per run; for the short runs of irreps blocks ([nEdges, 264] -> [nEdges, 24], [n, 24, 4] -> [n, 24, 3])
 *   a plain element loop is several times faster. Long runs still use set().
 * - Identity and same-dtype Cast: the stock kernels copy the buffer. tfjs clones every tensor it saves for the
 *   backward pass (1,814 Identity calls in one MACE training step); buffers are immutable in tfjs (a variable's
 *   assign rebinds its dataId), so the output shares the input's buffer with a reference count, as the cpu backend
 *   and the wasm Reshape kernel already do.
 *
 * - Optionally, BatchMatMul / _FusedMatMul (no bias, linear activation) on a native BLAS: `setNativeMatMul(kernels)` with
 *   the host's Node-API addon (main/native, OpenBLAS) sends the products large enough to pay (NATIVE_MATMUL_MIN_MULTIPLY_ADDS) to
 *   cblas_sgemm on views of the wasm heap, transposes included (no transpose copy); the rest keep the paths above.
 *
 * `setWasmGraphKernels(true|false)` swaps them in and out (benchmarks compare against stock).
 */
import * as tf from '@tensorflow/tfjs';
import { NATIVE_MATMUL_MIN_MULTIPLY_ADDS, type NativeKernels } from './native-kernels';

/** The parts of tfjs-backend-wasm's BackendWasm we use (its class is not exported with types we can import in core). */
interface WasmBackendLike {
  incRef(dataId: tf.DataId): void;
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
    // Only single matrices: for a batch of small matrices the stock transposed path is faster (0.59 vs 0.78 ms for
    // 2304 x [3,24]ᵀ[24,3]), the transpose costing more than it saves.
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (sizeOf(a.shape.slice(0, -2)) > 1 || sizeOf(b.shape.slice(0, -2)) > 1) return stock(args);
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

/** The native BLAS installed by `setNativeMatMul`, consulted on every matMul while the graph kernels are installed. */
let nativeKernels: NativeKernels | undefined;
/** Products with fewer multiply-adds per matrix stay on wasm (NATIVE_MATMUL_MIN_MULTIPLY_ADDS unless overridden). */
let nativeMinMultiplyAdds = NATIVE_MATMUL_MIN_MULTIPLY_ADDS;

/**
 * out = op(a) · op(b) on the native BLAS, or undefined when this product stays on the wasm path: no native kernels,
 * not float32, a bias or activation (_FusedMatMul), batch dimensions other than equal or one side 1, mismatched
 * inner sizes (the stock kernel reports those), or fewer multiply-adds per matrix than the threshold.
 */
function nativeMatMul(args: KernelArgs): tf.TensorInfo | undefined {
  const native = nativeKernels;
  if (!native) return undefined;
  const { a, b, bias, preluActivationWeights } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
  if (bias || preluActivationWeights || (attrs.activation !== undefined && attrs.activation !== 'linear')) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const transA = Boolean(attrs.transposeA);
  const transB = Boolean(attrs.transposeB);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kB = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kB) return undefined;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const batch = Math.max(batchA, batchB);
  if (batch < 1 || m * n * k < nativeMinMultiplyAdds || m * n * k === 0) return undefined;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (sizeOf(outer) !== batch) return undefined;
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  try {
    // Views after allocation (a heap growth detaches earlier ones).
    const outValues = backend.typedArrayFromHeap(out) as Float32Array;
    const aValues = backend.typedArrayFromHeap(a) as Float32Array;
    const bValues = backend.typedArrayFromHeap(b) as Float32Array;
    native.sgemm(aValues, bValues, outValues, batch, m, n, k, transA, transB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n);
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

function withNativeMatMul(wasmPath: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => nativeMatMul(args) ?? wasmPath(args);
}

/**
 * Sends large matMuls (BatchMatMul, _FusedMatMul without bias or activation) to a native BLAS while the graph kernels
 * are installed; undefined goes back to the wasm kernels. The host loads the addon (core cannot) and initBackend
 * passes it here. `minMultiplyAdds` overrides the size threshold (tests send small products native to check them).
 */
export function setNativeMatMul(kernels: NativeKernels | undefined, options: { minMultiplyAdds?: number } = {}): void {
  nativeKernels = kernels;
  nativeMinMultiplyAdds = options.minMultiplyAdds ?? NATIVE_MATMUL_MIN_MULTIPLY_ADDS;
}

export function nativeMatMulInstalled(): NativeKernels | undefined {
  return nativeKernels;
}

function makeSharedIdentityWasm(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const target = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || target !== x.dtype) return stock(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Runs shorter than this are copied element by element (no subarray view per run). */
const SHORT_RUN = 64;

function copyRun(from: Float32Array | Int32Array | Uint8Array, fromOffset: number, to: Float32Array | Int32Array | Uint8Array, toOffset: number, length: number): void {
  if (length < SHORT_RUN) {
    for (let k = 0; k < length; k++) to[toOffset + k] = from[fromOffset + k]!;
  } else {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
  }
}

/** Copies the box `begin`..`begin+size` of `x` (row-major, shape `shape`) into `out` (its own row-major layout). */
function sliceInto(xValues: Float32Array | Int32Array | Uint8Array, shape: readonly number[], begin: readonly number[], size: readonly number[], outValues: Float32Array | Int32Array | Uint8Array): void {
  const rank = shape.length;
  if (rank === 0) {
    outValues[0] = xValues[0]!;
    return;
  }
  // Merge trailing dimensions taken whole into the contiguous run.
  let runDims = 1;
  let run = size[rank - 1]!;
  while (runDims < rank && size[rank - runDims] === shape[rank - runDims] && begin[rank - runDims] === 0) {
    runDims++;
    run *= size[rank - runDims]!;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const outer = rank - runDims; // dimensions iterated one by one
  let nRuns = 1;
  for (let d = 0; d < outer; d++) nRuns *= size[d]!;
  let base = 0;
  for (let d = 0; d < rank; d++) base += begin[d]! * strides[d]!;
  const counter = new Array<number>(Math.max(outer, 0)).fill(0);
  let xOffset = base;
  let outOffset = 0;
  for (let r = 0; r < nRuns; r++) {
    copyRun(xValues, xOffset, outValues, outOffset, run);
    outOffset += run;
    // Advance the odometer over the outer dimensions.
    for (let d = outer - 1; d >= 0; d--) {
      counter[d]!++;
      xOffset += strides[d]!;
      if (counter[d]! < size[d]!) break;
      xOffset -= counter[d]! * strides[d]!;
      counter[d] = 0;
    }
  }
}

function sliceWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceTensor(backend, x, begin_, size_);
}

function sliceTensor(backend: WasmBackendLike, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  if (sizeOf(size) === 0) return out;
  const outValues = backend.typedArrayFromHeap(out);
  sliceInto(backend.typedArrayFromHeap(x), x.shape, begin, size, outValues);
  return out;
}

function splitVWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const splitSizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, parsedAxis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return splitSizes.map((s) => {
    const size = [...x.shape];
    size[parsedAxis] = s;
    const part = sliceTensor(backend, x, begin, size);
    begin[parsedAxis]! += s;
    return part;
  });
}

function makeConcatWasm(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as unknown as WasmBackendLike;
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    if (inputs.length === 0 || inputs.some((t) => t.dtype === 'string' || t.dtype === 'complex64')) return stock(args);
    const axis = tf.util.parseAxisParam((args.attrs as unknown as { axis: number }).axis, inputs[0]!.shape)[0]!;
    const nonEmpty = inputs.filter((t) => sizeOf(t.shape) > 0);
    if (nonEmpty.length <= 1) return stock(args);
    tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, inputs[0]!.dtype);
    const outValues = backend.typedArrayFromHeap(out);
    const batch = sizeOf(nonEmpty[0]!.shape.slice(0, axis));
    const inner = nonEmpty.map((t) => sizeOf(t.shape.slice(axis)));
    const total = inner.reduce((s, v) => s + v, 0);
    const values = nonEmpty.map((t) => backend.typedArrayFromHeap(t));
    for (let b = 0; b < batch; b++) {
      let o = b * total;
      for (let i = 0; i < values.length; i++) {
        copyRun(values[i]!, b * inner[i]!, outValues, o, inner[i]!);
        o += inner[i]!;
      }
    }
    return out;
  };
}

/**
 * Empty tensors (a structure with no edges: one atom, or fragments beyond the cutoff): stock wasm Transpose throws
 * "divide by zero" on them, and the stock matMul over an empty inner dimension returns uninitialised memory instead
 * of zeros (so a weight gradient xᵀ·dy over zero edges was garbage). These wrappers answer those cases exactly.
 */
function makeEmptySafeTranspose(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (sizeOf(x.shape) !== 0) return stock(args);
    const { perm } = args.attrs as unknown as { perm: number[] };
    return (args.backend as unknown as WasmBackendLike).makeOutput(perm.map((p) => x.shape[p]!), x.dtype);
  };
}

function makeEmptySafeMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const inner = a!.shape[a!.shape.length - (attrs.transposeA ? 2 : 1)]!;
    if (inner !== 0 || bias || preluActivationWeights) return stock(args);
    const rank = Math.max(a!.shape.length, b!.shape.length);
    const batchA = a!.shape.slice(0, -2), batchB = b!.shape.slice(0, -2);
    const batch = Array.from({ length: rank - 2 }, (_, i) => Math.max(batchA[batchA.length - (rank - 2) + i] ?? 1, batchB[batchB.length - (rank - 2) + i] ?? 1));
    const m = a!.shape[a!.shape.length - (attrs.transposeA ? 1 : 2)]!;
    const n = b!.shape[b!.shape.length - (attrs.transposeB ? 2 : 1)]!;
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...batch, m, n], 'float32');
    backend.typedArrayFromHeap(out).fill(0);
    return out;
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
    const stockSlice = tf.getKernel('Slice', backendName);
    const stockSplitV = tf.getKernel('SplitV', backendName);
    const stockConcat = tf.getKernel('Concat', backendName);
    const stockIdentity = tf.getKernel('Identity', backendName);
    const stockCast = tf.getKernel('Cast', backendName);
    stockKernels = new Map([
      ['UnsortedSegmentSum', tf.getKernel('UnsortedSegmentSum', backendName)],
      ['GatherV2', stockGather],
      ['BatchMatMul', stockBatchMatMul],
      ['_FusedMatMul', stockFusedMatMul],
      ['Slice', stockSlice],
      ['SplitV', stockSplitV],
      ['Concat', stockConcat],
      ['Identity', stockIdentity],
      ['Cast', stockCast],
      ['Transpose', stockTranspose],
    ]);
    const transpose = makeEmptySafeTranspose(stockTranspose.kernelFunc);
    replaceKernel({ ...stockTranspose, kernelFunc: transpose });
    replaceKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSumWasm });
    if (options.segmentSumOnly) return;
    replaceKernel({ ...stockGather, kernelFunc: makeGatherRowsWasm(stockGather.kernelFunc) });
    replaceKernel({ ...stockBatchMatMul, kernelFunc: makeEmptySafeMatMul(withNativeMatMul(makeTransposeFirstMatMul(stockBatchMatMul.kernelFunc, transpose))) });
    if (stockSlice) replaceKernel({ ...stockSlice, kernelFunc: sliceWasm as tf.KernelFunc });
    if (stockSplitV) replaceKernel({ ...stockSplitV, kernelFunc: splitVWasm as unknown as tf.KernelFunc });
    if (stockIdentity) replaceKernel({ ...stockIdentity, kernelFunc: makeSharedIdentityWasm(stockIdentity.kernelFunc) });
    if (stockCast) replaceKernel({ ...stockCast, kernelFunc: makeSharedIdentityWasm(stockCast.kernelFunc) });
    if (stockConcat) replaceKernel({ ...stockConcat, kernelFunc: makeConcatWasm(stockConcat.kernelFunc) as tf.KernelFunc });
    if (stockFusedMatMul) {
      replaceKernel({ ...stockFusedMatMul, kernelFunc: makeEmptySafeMatMul(withNativeMatMul(makeTransposeFirstMatMul(stockFusedMatMul.kernelFunc, transpose))) });
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
