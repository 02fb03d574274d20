/**
 * Graph gather/scatter used by message passing. tf.gather / tf.unsortedSegmentSum dispatch to the engine's
 * fast kernels where the backend installs them (core/engine/backend: wasm graph kernels), so layers just call
 * these. Edge convention (graph-context.ts): edge e sends from src[e] (j) to dst[e] (i); r_e = r_i − r_j + shift_e.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../graph/graph-context';

/** r_e = positions[dst] − positions[src] + shifts, [nEdges, 3] Å (the engine's one definition, geometry/edges). */
export { edgeVectors } from '../geometry/edges';

/** Sender features per edge: [nAtoms, d] -> [nEdges, d]. */
export function gatherSenders(ctx: GraphContext, nodeFeatures: tf.Tensor2D): tf.Tensor2D {
  return tf.gather(nodeFeatures, ctx.edgeSrc);
}

/** Receiver features per edge: [nAtoms, d] -> [nEdges, d]. */
export function gatherReceivers(ctx: GraphContext, nodeFeatures: tf.Tensor2D): tf.Tensor2D {
  return tf.gather(nodeFeatures, ctx.edgeDst);
}

/** Sum of messages at each receiver: [nEdges, d] -> [nAtoms, d]. */
export function sumAtReceivers(ctx: GraphContext, messages: tf.Tensor2D): tf.Tensor2D {
  return tf.unsortedSegmentSum(messages, ctx.edgeDst, ctx.nAtoms);
}

/** Sum over the atoms of each graph: [nAtoms, d] -> [nGraphs, d]. */
export function sumPerGraphRows(ctx: GraphContext, perAtom: tf.Tensor2D): tf.Tensor2D {
  return tf.unsortedSegmentSum(perAtom, ctx.batch, ctx.nGraphs);
}

/** One-hot species [nAtoms, nSpecies]. */
export function speciesOneHot(ctx: GraphContext, nSpecies: number): tf.Tensor2D {
  // Rows of the identity rather than tf.oneHot(..., 'float32'): tfjs-wasm 4.22's OneHot returns zeros for a float32 dtype.
  return tf.tidy(() => tf.gather(tf.eye(nSpecies), ctx.species) as tf.Tensor2D);
}
