/**
 * The fused channelwise ('uuu') product kernel of the native addon (main/native/src/channel-product.cc), one step of
 * MACE's product basis, as a tfjs-wasm kernel ('EquimolChannelProduct') on views of the wasm heap (zero-copy).
 * core/engine/layers/fused-channel-product.ts builds the op, its gradients and every higher derivative from it.
 *
 * Like cgScatter, it rides on the addon object the host installed for the native matMul (`setNativeMatMul`).
 */
import type * as tf from '@tensorflow/tfjs';
import { fusedKernelThreads, type NativeKernels } from './native-kernels';
import { fusedKernelReady, runOnWasmHeap, type FusedKernelAttrs, type FusedKernelPlan } from './wasm-heap-kernel';
import { nativeMatMulInstalled } from './wasm-graph-kernels';

export interface NativeChannelProduct {
  /** See main/native/src/channel-product.cc: writes ∂T/∂(operand `role`) into `out` from the other three operands. */
  channelProduct(
    role: number, x: Float32Array, y: Float32Array, w: Float32Array, g: Float32Array, out: Float32Array,
    sizes: Int32Array, paths: Int32Array, coefIndex: Int32Array, coefValue: Float32Array, threads: number,
  ): void;
}

/** The static description of one channelwise product (built once per ElementwiseTensorProduct). */
export type ChannelProductPlan = FusedKernelPlan;

export type ChannelProductAttrs = FusedKernelAttrs;

export const CHANNEL_PRODUCT_KERNEL = 'EquimolChannelProduct';

export function hasChannelProduct(kernels: NativeKernels | undefined): kernels is NativeKernels & NativeChannelProduct {
  return typeof (kernels as Partial<NativeChannelProduct> | undefined)?.channelProduct === 'function';
}

/** Shape of the role's output: [nNodes, dim] for x, y and the forward; [dimW] for the shared weights. */
export function channelProductOutShape(attrs: ChannelProductAttrs): number[] {
  const { role, plan, nNodes } = attrs;
  if (role === 2) return [plan.dimW];
  return [nNodes, role === 0 ? plan.dim1 : role === 1 ? plan.dim2 : plan.dimOut];
}

/** Inputs: a, b, c = the three operands other than `role`, in the order x, y, w, g. */
function channelProductWasm(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const native = nativeMatMulInstalled();
  if (!hasChannelProduct(native)) throw new Error(`${CHANNEL_PRODUCT_KERNEL}: the native addon with channelProduct is not installed`);
  const { a, b, c } = args.inputs as Record<'a' | 'b' | 'c', tf.TensorInfo>;
  const attrs = args.attrs as unknown as ChannelProductAttrs;
  return runOnWasmHeap(args, channelProductOutShape(attrs), attrs.role, [a, b, c], ({ operands, out }) => {
    const { plan } = attrs;
    const sizes = Int32Array.of(attrs.nNodes, plan.dim1, plan.dim2, plan.dimW, plan.dimOut);
    native.channelProduct(
      attrs.role, operands[0], operands[1], operands[2], operands[3], out, sizes,
      plan.paths, plan.coefIndex, plan.coefValue, fusedKernelThreads(native),
    );
  });
}

/**
 * Whether the fused kernel can run now: the wasm backend with the native addon's channelProduct installed (registered
 * here once), or the webgpu backend with its WGSL kernel (webgpu-channel-product.ts, registered when webgpu starts).
 */
export function channelProductReady(): boolean {
  return fusedKernelReady(CHANNEL_PRODUCT_KERNEL, hasChannelProduct, channelProductWasm);
}
