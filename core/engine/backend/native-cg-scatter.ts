/**
 * The fused channelwise Clebsch–Gordan message + scatter kernel of the native addon (main/native/src/cg-scatter.cc) as
 * a tfjs-wasm kernel ('EquimolCgScatter'), run on views of the wasm heap (zero-copy). core/engine/layers/
 * fused-cg-scatter.ts builds the op, its gradients and every higher derivative from it.
 *
 * The addon object the host installed for the native matMul (`setNativeMatMul`, from initBackend's loader) carries
 * `cgScatter` when it was built from these sources; core never loads it itself.
 */
import type * as tf from '@tensorflow/tfjs';
import { fusedKernelThreads, type NativeKernels } from './native-kernels';
import { fusedKernelReady, runOnWasmHeap, type FusedKernelAttrs, type FusedKernelPlan } from './wasm-heap-kernel';
import { nativeMatMulInstalled } from './wasm-graph-kernels';

export interface NativeCgScatter {
  /** See main/native/src/cg-scatter.cc: writes ∂T/∂(operand `role`) into `out` from the other three operands. */
  cgScatter(
    role: number, x: Float32Array, y: Float32Array, w: Float32Array, g: Float32Array, src: Int32Array, dst: Int32Array,
    out: Float32Array, sizes: Int32Array, paths: Int32Array, coefIndex: Int32Array, coefValue: Float32Array, threads: number,
  ): void;
}

/** The static description of one channelwise product (built once per TensorProduct). */
export type CgScatterPlan = FusedKernelPlan;

export type CgScatterAttrs = FusedKernelAttrs;

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

/**
 * Whether the fused kernel can run now: the wasm backend with the native addon's cgScatter installed (registered here
 * once), or the webgpu backend with its WGSL kernel (webgpu-cg-scatter.ts, registered when webgpu starts).
 */
export function cgScatterReady(): boolean {
  return fusedKernelReady(CG_SCATTER_KERNEL, hasCgScatter, cgScatterWasm);
}
