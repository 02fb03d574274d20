/**
 * The fused channelwise Clebsch–Gordan message + scatter kernel of the native addon (main/native/src/cg-scatter.cc) as
 * a tfjs-wasm kernel ('EquimolCgScatter'), run on views of the wasm heap (zero-copy). core/engine/layers/
 * fused-cg-scatter.ts builds the op, its gradients and every higher derivative from it.
 *
 * The addon object the host installed for the native matMul (`setNativeMatMul`, from initBackend's loader) carries
 * `cgScatter` when it was built from these sources; core never loads it itself.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelThreads, type NativeKernels } from './native-kernels';
import { runOnWasmHeap } from './wasm-heap-kernel';
import { nativeMatMulInstalled } from './wasm-graph-kernels';

/** Role r: the partial derivative of T(x, y, w, g) = Σ g·scatter(message(x, y, w)) w.r.t. operand r. */
export type CgScatterRole = 0 | 1 | 2 | 3;

export interface NativeCgScatter {
  /** See main/native/src/cg-scatter.cc: writes ∂T/∂(operand `role`) into `out` from the other three operands. */
  cgScatter(
    role: number, x: Float32Array, y: Float32Array, w: Float32Array, g: Float32Array, src: Int32Array, dst: Int32Array,
    out: Float32Array, sizes: Int32Array, paths: Int32Array, coefIndex: Int32Array, coefValue: Float32Array, threads: number,
  ): void;
}

/** The static description of one channelwise product (built once per TensorProduct). */
export interface CgScatterPlan {
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

export interface CgScatterAttrs {
  readonly role: CgScatterRole;
  readonly plan: CgScatterPlan;
  readonly nNodes: number;
}

export const CG_SCATTER_KERNEL = 'EquimolCgScatter';

export function hasCgScatter(kernels: NativeKernels | undefined): kernels is NativeKernels & NativeCgScatter {
  return typeof (kernels as Partial<NativeCgScatter> | undefined)?.cgScatter === 'function';
}

/** Rows and columns of the role's output. */
export function cgScatterOutShape(attrs: CgScatterAttrs, nEdges: number): [number, number] {
  const { role, plan, nNodes } = attrs;
  if (role === 0) return [nNodes, plan.dim1];
  if (role === 1) return [nEdges, plan.dim2];
  if (role === 2) return [nEdges, plan.dimW];
  return [nNodes, plan.dimOut];
}

/**
 * Inputs: a, b, c = the three operands other than `role`, in the order x, y, w, g; src, dst int32 [nEdges].
 * Runs on the native addon installed for the wasm backend; throws when there is none (callers check `cgScatterReady`).
 */
function cgScatterWasm(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const native = nativeMatMulInstalled();
  if (!hasCgScatter(native)) throw new Error(`${CG_SCATTER_KERNEL}: the native addon with cgScatter is not installed`);
  const { a, b, c, src, dst } = args.inputs as Record<'a' | 'b' | 'c' | 'src' | 'dst', tf.TensorInfo>;
  const attrs = args.attrs as unknown as CgScatterAttrs;
  const nEdges = src.shape[0]!;
  const shape = cgScatterOutShape(attrs, nEdges);
  return runOnWasmHeap(args, shape, attrs.role, [a, b, c], ({ operands, out, view }) => {
    if (nEdges === 0) {
      out.fill(0);
      return;
    }
    const { plan } = attrs;
    const sizes = Int32Array.of(attrs.nNodes, nEdges, plan.dim1, plan.dim2, plan.dimW, plan.dimOut);
    native.cgScatter(
      attrs.role, operands[0], operands[1], operands[2], operands[3], view(src) as Int32Array, view(dst) as Int32Array,
      out, sizes, plan.paths, plan.coefIndex, plan.coefValue, fusedKernelThreads(native),
    );
  });
}

let registered = false;

/** Whether the fused kernel can run now: wasm backend, native addon with cgScatter installed. Registers it once. */
export function cgScatterReady(): boolean {
  if (tf.getBackend() !== 'wasm' || !hasCgScatter(nativeMatMulInstalled())) return false;
  if (!registered || !tf.getKernel(CG_SCATTER_KERNEL, 'wasm')) {
    if (!tf.getKernel(CG_SCATTER_KERNEL, 'wasm')) tf.registerKernel({ kernelName: CG_SCATTER_KERNEL, backendName: 'wasm', kernelFunc: cgScatterWasm as tf.KernelFunc });
    registered = true;
  }
  return true;
}
