/**
 * The continuous-filter convolution of SchNet and FAENet (Schütt et al. 2017, eq. 5; Duval et al. 2023, eq. 6)
 * summed at the receivers,
 *
 *   A[i, u] = Σ_{e: dst_e = i} x[src_e, u] · f[e, u]        // x [nAtoms, H] node features, f [nEdges, H] filters
 *
 * as ONE op on the fused message kernel (main/native/src/cg-scatter.cc, or its WGSL twin on webgpu) instead of a
 * gather, a multiply and a segment sum over [nEdges, H]: it is the channelwise product with a single 0e ⊗ 0e → 0e
 * path of H channels whose per-edge weights are the filters and whose edge operand is a column of ones (a constant:
 * no gradient is computed for it). Values and derivatives of every order equal the composition
 * (`filterSumReference`, the reference and the path wherever the kernel does not run) to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import type { CgScatterPlan } from '../backend/native-cg-scatter';
import type { GraphContext } from '../graph/graph-context';
import { cgScatterWithPlan, fusedMessagePassingActive } from './fused-cg-scatter';
import { pathTable } from './fused-path-table';
import { gatherSenders, sumAtReceivers } from './graph-ops';

const plans = new Map<number, CgScatterPlan>();

/** The kernel's plan for H channels: one scalar path, weights = filters. */
export function filterScatterPlan(width: number): CgScatterPlan {
  let plan = plans.get(width);
  if (!plan) {
    plan = pathTable([{ off1: 0, off2: 0, offOut: 0, woff: 0, mul: width, l1: 0, l2: 0, l3: 0, scale: 1 }], { dim1: width, dim2: 1, dimW: width, dimOut: width });
    plans.set(width, plan);
  }
  return plan;
}

/** The fused op: [nAtoms, H] = Σ at receivers of x[src] ⊙ filters. Needs `fusedMessagePassingActive()`. */
export function filterSumFused(ctx: GraphContext, nodeFeatures: tf.Tensor2D, filters: tf.Tensor2D): tf.Tensor2D {
  const width = nodeFeatures.shape[1];
  return tf.tidy(() => cgScatterWithPlan('filter convolution', filterScatterPlan(width), ctx, nodeFeatures, tf.ones([ctx.nEdges, 1]), filters, { constantSh: true }));
}

/** The composition (the reference): gather senders, multiply by the filters, segment sum at receivers. */
export function filterSumReference(ctx: GraphContext, nodeFeatures: tf.Tensor2D, filters: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => sumAtReceivers(ctx, tf.mul(gatherSenders(ctx, nodeFeatures), filters) as tf.Tensor2D));
}

/** The fused op where it is active (the one message-passing switch of fused-cg-scatter.ts), else the reference. */
export function filterSumAtReceivers(ctx: GraphContext, nodeFeatures: tf.Tensor2D, filters: tf.Tensor2D): tf.Tensor2D {
  return fusedMessagePassingActive() ? filterSumFused(ctx, nodeFeatures, filters) : filterSumReference(ctx, nodeFeatures, filters);
}
