/**
 * The part every fused native kernel on tfjs-wasm shares (native-cg-scatter.ts, native-channel-product.ts): allocate
 * the output, take views of the wasm heap after that allocation (a heap growth detaches earlier views), hand the
 * kernel the four multilinear operands in x, y, w, g order with the role's own as an empty array, and free the output
 * if the kernel throws.
 */
import type * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): void;
}

const EMPTY = new Float32Array(0);

/** Heap views handed to a fused kernel. */
export interface HeapOperands {
  /** x, y, w, g; the role's own operand is empty. */
  readonly operands: readonly [Float32Array, Float32Array, Float32Array, Float32Array];
  readonly out: Float32Array;
  /** A view of any other input (an index array, say). */
  view(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * A float32 output of `shape`, filled by `write` from the three inputs `given` (the operands other than `role`, in
 * x, y, w, g order). An empty output is returned without calling `write`.
 */
export function runOnWasmHeap(
  kernelArgs: Parameters<tf.KernelFunc>[0], shape: number[], role: number, given: readonly tf.TensorInfo[],
  write: (heap: HeapOperands) => void,
): tf.TensorInfo {
  const backend = kernelArgs.backend as unknown as WasmBackendLike;
  const info = backend.makeOutput(shape, 'float32');
  if (shape.reduce((s, d) => s * d, 1) === 0) return info;
  try {
    const out = backend.typedArrayFromHeap(info) as Float32Array;
    const views = given.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const operands: Float32Array[] = [];
    let k = 0;
    for (let r = 0; r < 4; r++) operands.push(r === role ? EMPTY : views[k++]!);
    write({ operands: operands as unknown as HeapOperands['operands'], out, view: (t) => backend.typedArrayFromHeap(t) });
  } catch (error) {
    backend.disposeData(info.dataId);
    throw error;
  }
  return info;
}
