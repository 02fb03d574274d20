/**
 * TDN's interaction hot path (Lin et al. 2025, eqs. 5–7) as ONE op on the fused message kernel
 * (main/native/src/cg-scatter.cc, or its WGSL twin on webgpu): gather the sender features, the CP-factorised
 * product with the edge spherical harmonics and per-edge weights, and the sum at the receivers.
 *
 * The CP product (cp-tensor-product.ts)
 *
 *   z[u, K] = w[u, block(K)] · Σ_r Cf[K, r] (Σ_I A[I, r] x[u, I]) (Σ_J B[J, r] y[J])
 *
 * is the channelwise product with the coupling T[I, J, K] = Σ_r A[I, r] B[J, r] Cf[K, r], so the kernel runs it as
 * one path per non-zero block (irrep k1 of x, k2 of y, k3 of the output) of T, each path reading the weight of its
 * output irrep k3. Values, gradients and every higher derivative equal the tfjs composition (`cpScatterReference`,
 * today's path and the reference) to float32 rounding: T's blocks that the selection rules forbid hold only the
 * factorisation's residual (below 1e-7 of the largest entry) and are left out, as are entries that small elsewhere.
 *
 * The product's weights are laid out [u, k3] (one per channel and output irrep); the kernel reads a path's weights
 * as w[e, woff + u], so they are transposed to [k3, u] (one op) before the kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import type { CgScatterPlan } from '../backend/native-cg-scatter';
import type { GraphContext } from '../graph/graph-context';
import type { CpTensorProduct } from './cp-tensor-product';
import { cgScatterWithPlan, fusedMessagePassingActive } from './fused-cg-scatter';
import { pathTable, type TablePath } from './fused-path-table';
import { gatherSenders, sumAtReceivers } from './graph-ops';

/** Entries of the factorised coupling below this fraction of its largest are the factorisation's residual. */
const RESIDUAL = 1e-7;

const plans = new WeakMap<CpTensorProduct, CgScatterPlan>();

/** The kernel's description of `tp`: one path per non-zero (k1, k2, k3) block of its factorised coupling. */
export function cpScatterPlan(tp: CpTensorProduct): CgScatterPlan {
  const cached = plans.get(tp);
  if (cached) return cached;
  const t = tp.factorisedCoupling(); // [n1, n2, n3]
  const [, n2, n3] = tp.dims;
  const largest = t.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  // Each irrep's degree, dimension and offset in one copy of its irreps (the coupling tensor's axes).
  const [one1, one2, oneOut] = [tp.irrepsIn1, tp.irrepsIn2, tp.irrepsOut].map((irreps) => {
    const one = new Irreps(irreps.items.map(({ ir }) => ({ mul: 1, ir })));
    return one.items.map(({ ir }, k) => ({ l: ir.l, dim: ir.dim, at: one.offsets[k]! }));
  });
  const [off1, off2, offOut] = [tp.irrepsIn1.offsets, tp.irrepsIn2.offsets, tp.irrepsOut.offsets];
  const paths: TablePath[] = [];
  one1!.forEach((b1, k1) =>
    one2!.forEach((b2, k2) =>
      oneOut!.forEach((b3, k3) => {
        const block = new Float64Array(b1.dim * b2.dim * b3.dim);
        let kept = false;
        for (let i = 0; i < b1.dim; i++)
          for (let j = 0; j < b2.dim; j++)
            for (let k = 0; k < b3.dim; k++) {
              const v = t[((b1.at + i) * n2 + b2.at + j) * n3 + b3.at + k]!;
              if (Math.abs(v) <= RESIDUAL * largest) continue;
              block[(i * b2.dim + j) * b3.dim + k] = v;
              kept = true;
            }
        if (!kept) return;
        paths.push({
          off1: off1[k1]!, off2: off2[k2]!, offOut: offOut[k3]!, woff: k3 * tp.mul, mul: tp.mul,
          l1: b1.l, l2: b2.l, l3: b3.l, scale: 1, coefficients: block,
        });
      }),
    ),
  );
  const plan = pathTable(paths, { dim1: tp.irrepsIn1.dim, dim2: tp.irrepsIn2.dim, dimW: tp.weightNumel, dimOut: tp.irrepsOut.dim });
  plans.set(tp, plan);
  return plan;
}

/** The fused op: [nAtoms, tp.irrepsOut.dim] = Σ at receivers of tp(x[src], sh, weights). Needs `fusedMessagePassingActive()`. */
export function cpScatterFused(tp: CpTensorProduct, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  if (weights.shape[1] !== tp.weightNumel) throw new Error(`${tp.name}: weights are [${weights.shape}], expected [${ctx.nEdges},${tp.weightNumel}]`);
  return tf.tidy(() => {
    const nOut = tp.irrepsOut.length;
    const n = weights.shape[0];
    const byOutput = nOut === 1 ? weights : tf.reshape(tf.transpose(tf.reshape(weights, [n, tp.mul, nOut]), [0, 2, 1]), [n, nOut * tp.mul]); // [nEdges, nOut·mul]
    return cgScatterWithPlan(tp.name, cpScatterPlan(tp), ctx, nodeFeatures, sh, byOutput as tf.Tensor2D);
  });
}

/** The unfused composition (today's path, the reference): gather senders, tp.apply, segment sum at receivers. */
export function cpScatterReference(tp: CpTensorProduct, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => sumAtReceivers(ctx, tp.apply(gatherSenders(ctx, nodeFeatures), sh, weights)));
}

/** The fused op where it is active (the one message-passing switch of fused-cg-scatter.ts), else the reference. */
export function cpScatter(tp: CpTensorProduct, ctx: GraphContext, nodeFeatures: tf.Tensor2D, sh: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  return fusedMessagePassingActive() ? cpScatterFused(tp, ctx, nodeFeatures, sh, weights) : cpScatterReference(tp, ctx, nodeFeatures, sh, weights);
}
