/**
 * The NequIP/MACE interaction's hot path as ONE op: gather sender features, channelwise ('uvu') Clebsch–Gordan
 * product with the edge spherical harmonics and per-edge radial weights, and the sum at the receivers,
 *
 *   A[i] = Σ_{e: dst_e = i} TP(x[src_e], y_e, w_e)        (MACE eq. 8 summed; TensorProduct.channelwise)
 *
 * on the native addon's fused kernel (main/native/src/cg-scatter.cc) instead of a gather, a dozen slice / matMul /
 * mul / split / concat kernels over [nEdges, ·] tensors and a segment sum.
 *
 * Derivatives: the op is linear in each of x, y, w, so every derivative of any order is the same kernel in another
 * role (multilinear-op.ts), and forces (first order) and force training (second order) run on it.
 *
 * On webgpu the same kernel runs as WGSL (backend/webgpu-cg-scatter.ts). The unfused tfjs composition
 * (`channelwiseCgScatterReference`) stays the reference and the path wherever the kernel is unavailable: wasm without
 * the addon (web mode), other backends, or `setFusedMessagePassing(false)`.
 */
import * as tf from '@tensorflow/tfjs';
import { CG_SCATTER_KERNEL, cgScatterReady, type CgScatterAttrs, type CgScatterPlan } from '../backend/native-cg-scatter';
import type { GraphContext } from '../graph/graph-context';
import { pathTable, type TablePath } from './fused-path-table';
import { gatherSenders, sumAtReceivers } from './graph-ops';
import { multilinearPartial, type MultilinearKernel } from './multilinear-op';
import type { ParamRecord } from './params';
import type { TensorProduct } from './tensor-product';

const plans = new WeakMap<TensorProduct, CgScatterPlan | null>();

/**
 * The kernel's description of `tp`, or undefined when the fused op does not apply: shared weights, a 'uvw' path,
 * or a second input with multiplicity above 1.
 */
export function cgScatterPlan(tp: TensorProduct): CgScatterPlan | undefined {
  const cached = plans.get(tp);
  if (cached !== undefined) return cached ?? undefined;
  const plan = buildPlan(tp);
  plans.set(tp, plan ?? null);
  return plan;
}

function buildPlan(tp: TensorProduct): CgScatterPlan | undefined {
  if (tp.options.sharedWeights || tp.instructions.length === 0) return undefined;
  if (!tp.instructions.every((ins) => ins.mode === 'uvu') || !tp.irrepsIn2.items.every((b) => b.mul === 1)) return undefined;
  const [off1, off2, offOut] = [tp.irrepsIn1.offsets, tp.irrepsIn2.offsets, tp.irrepsOut.offsets];
  const paths = tp.instructions.map((ins): TablePath => ({
    off1: off1[ins.i1]!, off2: off2[ins.i2]!, offOut: offOut[ins.iOut]!, woff: ins.weightOffset, mul: tp.irrepsIn1.items[ins.i1]!.mul,
    l1: tp.irrepsIn1.items[ins.i1]!.ir.l, l2: tp.irrepsIn2.items[ins.i2]!.ir.l, l3: tp.irrepsOut.items[ins.iOut]!.ir.l, scale: ins.pathWeight,
  }));
  return pathTable(paths, { dim1: tp.irrepsIn1.dim, dim2: tp.irrepsIn2.dim, dimW: tp.weightNumel, dimOut: tp.irrepsOut.dim });
}

/** Off by default in core; the Node host turns it on (EQUIMOL_FUSED, main/models/node-backend.ts). */
let fusedEnabled = false;

/** Turns the fused op on (it still needs the wasm backend with the native addon, or webgpu) or off (the reference path, default). */
export function setFusedMessagePassing(enabled: boolean): void {
  fusedEnabled = enabled;
}

/** Whether `channelwiseCgScatter` takes the fused kernel now for products that have a plan. */
export function fusedMessagePassingActive(): boolean {
  return fusedEnabled && cgScatterReady();
}

interface Graph {
  readonly src: tf.Tensor1D;
  readonly dst: tf.Tensor1D;
  readonly nNodes: number;
}

/** The kernel of one product on one graph, for every role (see multilinear-op.ts). */
function cgScatterKernel(graph: Graph, plan: CgScatterPlan): MultilinearKernel {
  return (role, inputs) => {
    const attrs: CgScatterAttrs = { role, plan, nNodes: graph.nNodes };
    return tf.engine().runKernel(
      CG_SCATTER_KERNEL,
      { a: inputs[0]!, b: inputs[1]!, c: inputs[2]!, src: graph.src, dst: graph.dst },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
  };
}

/** The fused op: [nAtoms, tp.irrepsOut.dim] = Σ at receivers of tp(x[src], sh, weights). Needs `fusedMessagePassingActive()`. */
export function channelwiseCgScatterFused(tp: TensorProduct, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  const plan = cgScatterPlan(tp);
  if (!plan) throw new Error(`${tp.name}: the fused message op needs per-edge weights, 'uvu' paths and a second input of multiplicity 1`);
  return cgScatterWithPlan(tp.name, plan, ctx, nodeFeatures, sh, weights);
}

/**
 * The kernel on any plan (a channelwise product's, or another coupling written as paths: fused-cp-scatter.ts,
 * fused-filter-scatter.ts): [nAtoms, plan.dimOut] = Σ at receivers of the plan's product of x[src], sh and weights,
 * with every derivative; with `constantSh` the second operand is a constant (no gradient computed for it).
 */
export function cgScatterWithPlan(
  name: string, plan: CgScatterPlan, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D, options: { readonly constantSh?: boolean } = {},
): tf.Tensor2D {
  if (!cgScatterReady()) throw new Error(`${name}: the fused message op needs the wasm backend with the native addon, or webgpu`);
  const checks: Array<[string, tf.Tensor2D, number, number]> = [
    ['node features', nodeFeatures, ctx.nAtoms, plan.dim1],
    ['spherical harmonics', sh, ctx.nEdges, plan.dim2],
    ['weights', weights, ctx.nEdges, plan.dimW],
  ];
  for (const [what, t, rows, cols] of checks) {
    if (t.shape[0] !== rows || t.shape[1] !== cols) throw new Error(`${name}: ${what} are [${t.shape}], expected [${rows},${cols}]`);
  }
  const graph: Graph = { src: ctx.edgeSrc, dst: ctx.edgeDst, nNodes: ctx.nAtoms };
  const constants = options.constantSh ? CONSTANT_SH : undefined;
  return multilinearPartial(3, [nodeFeatures, sh, weights, undefined], cgScatterKernel(graph, plan), constants) as tf.Tensor2D;
}

/** The second operand (sh) as a constant: no gradient is computed for it. */
const CONSTANT_SH: ReadonlySet<number> = new Set([1]);

/** The unfused composition (today's path, the reference): gather senders, tp.apply, segment sum at receivers. */
export function channelwiseCgScatterReference(tp: TensorProduct, params: ParamRecord, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => sumAtReceivers(ctx, tp.apply(params, gatherSenders(ctx, nodeFeatures), sh, weights)));
}

/** The fused op where it is active and applies to `tp`, else the reference composition. */
export function channelwiseCgScatter(tp: TensorProduct, params: ParamRecord, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  if (cgScatterPlan(tp) && fusedMessagePassingActive()) return channelwiseCgScatterFused(tp, ctx, nodeFeatures, sh, weights);
  return channelwiseCgScatterReference(tp, params, ctx, nodeFeatures, sh, weights);
}
