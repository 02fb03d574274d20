/**
 * One correlation step of MACE's product basis (product-basis.ts; Batatia et al. 2022, eqs. 10–11) as ONE op:
 *
 *   B^(ν)_{c,l3} = Σ_{paths (l1,l2)→l3} w_{path,c} α_path (B^(ν-1)_{c,l1} ⊗_CG A_{c,l2})_{l3}      (ElementwiseTensorProduct)
 *
 * on the native addon's kernel (main/native/src/channel-product.cc), in the irreps layout [n, C·(L+1)²] that A comes
 * in and the linear maps take, instead of per-path expandDims / broadcast multiply / reshape / matMul / mul / add
 * kernels over [n, C, 2l1+1, 2l2+1] tensors. Its derivatives of every order are the same kernel in another role
 * (multilinear-op.ts), so forces and force training run on it too.
 *
 * On webgpu the same kernel runs as WGSL (backend/webgpu-channel-product.ts). The tfjs composition
 * (`ElementwiseTensorProduct.applyPerL`) stays the reference and the path wherever the kernel is unavailable: wasm
 * without the addon (web mode), other backends, or `setFusedProductBasis(false)`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  CHANNEL_PRODUCT_KERNEL, channelProductReady, type ChannelProductAttrs, type ChannelProductPlan,
} from '../backend/native-channel-product';
import { packedConstantWeights } from './constant-weights';
import { pathTable, type TablePath } from './fused-path-table';
import { multilinearPartial, type MultilinearKernel } from './multilinear-op';
import type { ParamRecord } from './params';
import { param } from './params';
import type { ElementwiseTensorProduct } from './product-basis';

const plans = new WeakMap<ElementwiseTensorProduct, ChannelProductPlan>();

/**
 * The kernel's description of `product` on polar features in the irreps layout: block l at column offset C·l², its
 * channel u at C·l² + u·(2l+1); the weights [nPaths, C] flattened (path k's at k·C), each path's α folded into C_p.
 */
export function channelProductPlan(product: ElementwiseTensorProduct): ChannelProductPlan {
  const cached = plans.get(product);
  if (cached) return cached;
  const mul = product.mul;
  const dim = mul * (product.lmax + 1) ** 2;
  const paths = product.paths.map((p, k): TablePath => ({
    off1: mul * p.l1 * p.l1, off2: mul * p.l2 * p.l2, offOut: mul * p.l3 * p.l3, woff: k * mul, mul, l1: p.l1, l2: p.l2, l3: p.l3, scale: p.weight,
  }));
  const plan = pathTable(paths, { dim1: dim, dim2: dim, dimW: product.paths.length * mul, dimOut: mul * (product.lmaxOut + 1) ** 2 });
  plans.set(product, plan);
  return plan;
}

/** Off by default; the Node host turns it on with the fused message passing (EQUIMOL_FUSED, main/models/node-backend.ts). */
let fusedEnabled = false;

/** Turns the fused product-basis op on (it still needs the wasm backend with the native addon, or webgpu) or off (the reference). */
export function setFusedProductBasis(enabled: boolean): void {
  fusedEnabled = enabled;
}

/** Whether the product basis takes the fused kernel now. */
export function fusedProductBasisActive(): boolean {
  return fusedEnabled && channelProductReady();
}

function channelProductKernel(plan: ChannelProductPlan, nNodes: number): MultilinearKernel {
  return (role, inputs) => {
    const attrs: ChannelProductAttrs = { role, plan, nNodes };
    return tf.engine().runKernel(CHANNEL_PRODUCT_KERNEL, { a: inputs[0]!, b: inputs[1]!, c: inputs[2]! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
}

/** x, y: [n, C·(L+1)²] in the irreps layout -> [n, C·(Lout+1)²]: `product` of x and y. Needs `fusedProductBasisActive()`. */
export function channelProductFused(product: ElementwiseTensorProduct, params: ParamRecord, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  if (!channelProductReady()) throw new Error(`${product.name}: the fused product op needs the wasm backend with the native addon, or webgpu`);
  const plan = channelProductPlan(product);
  const n = x.shape[0];
  for (const [what, t] of [['x', x], ['y', y]] as const) {
    if (t.shape[0] !== n || t.shape[1] !== plan.dim1) throw new Error(`${product.name}: ${what} is [${t.shape}], expected [${n},${plan.dim1}]`);
  }
  return tf.tidy(() => {
    const name = `${product.name}/weight`;
    const w = packedConstantWeights(product, params, [name]) ?? tf.reshape(param(params, name), [plan.dimW]); // [nPaths·C]
    return multilinearPartial(3, [x, y, w, undefined], channelProductKernel(plan, n)) as tf.Tensor2D;
  });
}
