/**
 * The part every fused native kernel on tfjs-wasm shares (native-cg-scatter.ts, native-channel-product.ts): their
 * role, path-table plan and attributes; registration; and the heap plumbing: allocate the output, take views of the
 * wasm heap after that allocation (a heap growth detaches earlier views), hand the kernel the four multilinear
 * operands in x, y, w, g order with the role's own as an empty array, and free the output if the kernel throws.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './native-kernels';
import { nativeMatMulInstalled } from './wasm-graph-kernels';

/**
 * Role r: the partial derivative of T(x, y, w, g) = Σ g·F(x, y, w) w.r.t. operand r (x, y, w, g: 0..3; 0..2 for the
 * three-operand linear map T(x, W, g)).
 */
export type FusedKernelRole = number;

/** The static description of one fused product (main/native/src/path-table.h), built once per layer. */
export interface FusedKernelPlan {
  readonly dim1: number;
  readonly dim2: number;
  readonly dimW: number;
  readonly dimOut: number;
  /** [nPaths·10]: off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount. */
  readonly paths: Int32Array;
  /** [nCoef·3]: i, j, k of each non-zero α_p C_p[i, j, k]. */
  readonly coefIndex: Int32Array;
  readonly coefValue: Float32Array;
}

export interface FusedKernelAttrs {
  readonly role: FusedKernelRole;
  readonly plan: FusedKernelPlan;
  readonly nNodes: number;
}

/**
 * Whether the fused kernel `kernelName` can run now: on wasm when the installed native addon has it (`hasNative`;
 * its wasm kernel `wasmKernel` is registered here once), on webgpu when its WGSL kernel was registered (the
 * webgpu-*.ts programs, when webgpu starts); never on another backend.
 */
export function fusedKernelReady(kernelName: string, hasNative: (kernels: NativeKernels | undefined) => boolean, wasmKernel: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo): boolean {
  const backend = tf.getBackend();
  if (backend === 'webgpu') return tf.getKernel(kernelName, 'webgpu') !== undefined;
  if (backend !== 'wasm' || !hasNative(nativeMatMulInstalled())) return false;
  ensureWasmKernel(kernelName, wasmKernel);
  return true;
}

/** Registers `kernelFunc` as the wasm kernel `kernelName` unless one is registered already. */
export function ensureWasmKernel(kernelName: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo): void {
  if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): void;
}

const EMPTY = new Float32Array(0);

/** Heap views handed to a fused kernel. */
export interface HeapOperands {
  /** x, y, w, g (or as many as the kernel has); the role's own operand is empty. */
  readonly operands: readonly Float32Array[];
  readonly out: Float32Array;
  /** A view of any other input (an index array, say). */
  view(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * A float32 output of `shape`, filled by `write` from the inputs `given` (the operands other than `role`, in operand
 * order: x, y, w, g for the four-operand kernels). An empty output is returned without calling `write`.
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
    for (let r = 0; r <= given.length; r++) operands.push(r === role ? EMPTY : views[k++]!);
    write({ operands, out, view: (t) => backend.typedArrayFromHeap(t) });
  } catch (error) {
    backend.disposeData(info.dataId);
    throw error;
  }
  return info;
}
