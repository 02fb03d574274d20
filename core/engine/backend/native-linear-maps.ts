/**
 * The fused equivariant linear map of the native addon (main/native/src/linear-maps.cc) as a tfjs-wasm kernel
 * ('EquimolLinearMaps') on views of the wasm heap (zero-copy). core/engine/layers/fused-linear.ts builds the op, its
 * gradients and every higher derivative from it.
 *
 * Like cgScatter and channelProduct, it rides on the addon object the host installed for the native matMul.
 */
import type * as tf from '@tensorflow/tfjs';
import { fusedKernelThreads, type NativeKernels } from './native-kernels';
import { fusedKernelReady, runOnWasmHeap, type FusedKernelRole } from './wasm-heap-kernel';
import { nativeMatMulInstalled } from './wasm-graph-kernels';

export interface NativeLinearMaps {
  /** See main/native/src/linear-maps.cc: writes ∂T/∂(operand `role` of x, w, g) into `out` from the other two. */
  linearMaps(
    role: number, x: Float32Array, w: Float32Array, g: Float32Array, out: Float32Array,
    sizes: Int32Array, paths: Int32Array, norms: Float32Array, threads: number,
  ): void;
}

/** The static description of one EquivariantLinear (built once per layer). */
export interface LinearMapsPlan {
  readonly dimIn: number;
  readonly dimW: number;
  readonly dimOut: number;
  /** [nPaths·6]: offIn, mulIn, offOut, mulOut, d, woff (W_p stored [mulIn, mulOut] at woff). */
  readonly paths: Int32Array;
  /** [nPaths]: each path's normalisation α_p. */
  readonly norms: Float32Array;
}

export interface LinearMapsAttrs {
  /** 0: ∂/∂x [n, dimIn]; 1: ∂/∂W [dimW]; 2: the forward [n, dimOut]. */
  readonly role: FusedKernelRole;
  readonly plan: LinearMapsPlan;
  readonly nNodes: number;
}

export const LINEAR_MAPS_KERNEL = 'EquimolLinearMaps';

export function hasLinearMaps(kernels: NativeKernels | undefined): kernels is NativeKernels & NativeLinearMaps {
  return typeof (kernels as Partial<NativeLinearMaps> | undefined)?.linearMaps === 'function';
}

export function linearMapsOutShape(attrs: LinearMapsAttrs): number[] {
  const { role, plan, nNodes } = attrs;
  if (role === 1) return [plan.dimW];
  return [nNodes, role === 0 ? plan.dimIn : plan.dimOut];
}

/** Inputs: a, b = the two operands other than `role`, in the order x, w, g. */
function linearMapsWasm(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const native = nativeMatMulInstalled();
  if (!hasLinearMaps(native)) throw new Error(`${LINEAR_MAPS_KERNEL}: the native addon with linearMaps is not installed`);
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  const attrs = args.attrs as unknown as LinearMapsAttrs;
  return runOnWasmHeap(args, linearMapsOutShape(attrs), attrs.role, [a, b], ({ operands, out }) => {
    const { plan } = attrs;
    const sizes = Int32Array.of(attrs.nNodes, plan.dimIn, plan.dimW, plan.dimOut);
    native.linearMaps(attrs.role, operands[0]!, operands[1]!, operands[2]!, out, sizes, plan.paths, plan.norms, fusedKernelThreads(native));
  });
}

/**
 * Whether the fused kernel can run now: the wasm backend with the native addon's linearMaps installed (registered
 * here once), or the webgpu backend with its WGSL kernel (webgpu-linear-maps.ts, registered when webgpu starts).
 */
export function linearMapsReady(): boolean {
  return fusedKernelReady(LINEAR_MAPS_KERNEL, hasLinearMaps, linearMapsWasm);
}
