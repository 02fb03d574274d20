/**
 * Edge geometry computed in tfjs from ctx.positions and ctx.shifts, so that forces (-dE/dr) and stress
 * (dE/dε) flow through it. Every model must get its edge vectors here.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../graph/graph-context';

/** r_e = r_dst - r_src + shift_e, [nEdges, 3] Å. */
export function edgeVectors(ctx: GraphContext): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.sub(tf.gather(ctx.positions, ctx.edgeDst), tf.gather(ctx.positions, ctx.edgeSrc)), ctx.shifts) as tf.Tensor2D);
}

/** |r_e|², [nEdges, 1] Å² (differentiable everywhere, unlike the length at r = 0). */
export function squaredLengths(vectors: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.square(vectors), 1, true) as tf.Tensor2D;
}

/** |r_e|, [nEdges, 1] Å. Edges never have zero length (self-pairs are excluded), so the gradient is finite. */
export function edgeLengths(vectors: tf.Tensor2D): tf.Tensor2D {
  return tf.sqrt(squaredLengths(vectors));
}
