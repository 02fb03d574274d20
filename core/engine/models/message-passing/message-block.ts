/**
 * Edge message blocks: the part that differs between NequIP/MACE (Clebsch–Gordan, models/mace/cg-message.ts),
 * TDN (CP-decomposed, models/tdn) and eSCN (SO(2) convolution, models/escn). Each maps sender features, edge
 * spherical harmonics, radial embedding and edge vectors to per-edge messages, with per-edge weights from a
 * radial MLP (NequIP eq. 9; MACE eq. 8). Family-independent: imports no model family.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Irreps } from '../../../o3/irreps';
import type { GraphContext } from '../../graph/graph-context';
import type { ParamRecord, ParamSpec } from '../../layers/params';

export interface EdgeInputs {
  /** [nEdges, irrepsIn.dim] sender features. */
  readonly senders: tf.Tensor2D;
  /** [nEdges, (shLmax+1)²] spherical harmonics of r̂_e. */
  readonly sh: tf.Tensor2D;
  /** [nEdges, nBasis] radial embedding (basis × envelope). */
  readonly radial: tf.Tensor2D;
  /** [nEdges, 3] edge vectors, Å. */
  readonly vectors: tf.Tensor2D;
}

export interface MessageBlock {
  readonly irrepsIn: Irreps;
  /** Irreps of the per-edge message. */
  readonly irrepsOut: Irreps;
  paramSpecs(): ParamSpec[];
  /** -> [nEdges, irrepsOut.dim] */
  apply(params: ParamRecord, edges: EdgeInputs): tf.Tensor2D;
  /**
   * Optional: the messages already summed at each receiver, [nAtoms, irrepsOut.dim], from the node features (not
   * gathered to edges); equal to sumAtReceivers(apply(params, { senders: gather(nodeFeatures, src), ... })). A block
   * with a fused kernel (MACE: layers/fused-cg-scatter.ts) implements it; the pipeline calls it when present.
   */
  applyAtReceivers?(params: ParamRecord, ctx: GraphContext, nodeFeatures: tf.Tensor2D, edges: Omit<EdgeInputs, 'senders'>): tf.Tensor2D;
}
