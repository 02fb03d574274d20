/**
 * Native kernels: the shape of the optional Node-API addon (main/native, C++ over OpenBLAS) that the host (main/ or a
 * test) loads and passes to core through `BackendLoader.nativeKernels`. Core never imports it (no Node built-ins or
 * native modules in core/): it only calls these functions on Float32Array views of the tfjs-wasm heap (zero-copy).
 */

export interface NativeKernels {
  /**
   * For each i in [0, batch): out[i] = op(A_i) · op(B_i), row-major single precision (cblas_sgemm), where
   * A_i starts at a[i * aBatchStride] and is [m, k] ([k, m] stored, transposed, when transA); B_i starts at
   * b[i * bBatchStride] and is [k, n] ([n, k] when transB); out[i] is [m, n] at out[i * m * n]. A stride of 0
   * broadcasts one matrix over the batch. Throws (TypeError / RangeError) on arguments that do not fit the views.
   */
  sgemm(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number): void;
  /** Threads OpenBLAS uses (openblas_set_num_threads). */
  setThreads(n: number): void;
  threads(): number;
  /** Threads of the fused kernels (cgScatter, channelProduct), apart from OpenBLAS's; absent on addons built before them. */
  setKernelThreads?(n: number): void;
  kernelThreads?(): number;
  /** The BLAS library it was built on, e.g. 'OpenBLAS'. */
  readonly blas?: string;
}

/**
 * Products with fewer multiply-adds per matrix than this stay on the wasm kernels. 1: measured (best of 30, Node 20,
 * loaded 2-core machine, 1 OpenBLAS thread vs the equimol wasm kernels over XNNPACK) the native product is faster on
 * every shape tried, from [64,8]·[8,8] (0.015 vs 0.020 ms, call overhead included) and 2304 × [3,24]·[24,3] (0.41 vs
 * 0.61 ms) to [19392,128]·[128,128] (16 vs 51 ms), 2304 × [3,24]ᵀ·[3,24] (1.5 vs 18.5 ms) and 100 × [24,24]·[24,24]
 * (0.12 vs 1.57 ms); so every non-empty float32 product goes native. Kept as a knob for BLAS builds with a costlier call.
 */
export const NATIVE_MATMUL_MIN_MULTIPLY_ADDS = 1;

/** The threads a fused kernel of `kernels` should use (1 on an addon without the setting). */
export function fusedKernelThreads(kernels: NativeKernels): number {
  return kernels.kernelThreads?.() ?? 1;
}
