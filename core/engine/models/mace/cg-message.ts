/**
 * The NequIP/MACE edge message block (Batatia et al. 2022, eq. 8; Batzner et al. 2022, eq. 3): a channelwise
 * Clebsch–Gordan product of sender features and edge spherical harmonics, weighted per edge by a radial MLP.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Irreps } from '../../../o3/irreps';
import type { GraphContext } from '../../graph/graph-context';
import { channelwiseCgScatter } from '../../layers/fused-cg-scatter';
import { TensorProduct } from '../../layers/tensor-product';
import { ScalarMlp } from '../../layers/linear';
import type { ParamRecord, ParamSpec } from '../../layers/params';
import type { EdgeInputs, MessageBlock } from '../message-passing/message-block';

/** NequIP/MACE message: channelwise ('uvu') CG product h_j ⊗ Y(r̂_ij) with weights R(|r_ij|) (MACE eq. 8). */
export class ChannelwiseCgMessage implements MessageBlock {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly tp: TensorProduct;
  readonly radialMlp: ScalarMlp;

  constructor(name: string, irrepsIn: Irreps, shIrreps: Irreps, lmaxOut: number, nBasis: number, radialHidden: number) {
    this.irrepsIn = irrepsIn;
    // Keep outputs of parity (-1)^l up to lmaxOut (the polar features the next blocks consume).
    this.tp = TensorProduct.channelwise(`${name}/tp`, irrepsIn, shIrreps, (ir) => ir.l <= lmaxOut && ir.p === (ir.l % 2 === 0 ? 1 : -1));
    this.irrepsOut = this.tp.irrepsOut;
    this.radialMlp = new ScalarMlp(`${name}/radialMlp`, [nBasis, radialHidden, radialHidden, this.tp.weightNumel]);
  }

  paramSpecs(): ParamSpec[] {
    return [...this.tp.paramSpecs(), ...this.radialMlp.paramSpecs()];
  }

  apply(params: ParamRecord, edges: EdgeInputs): tf.Tensor2D {
    const weights = this.radialMlp.apply(params, edges.radial); // [nEdges, weightNumel]
    const out = this.tp.apply(params, edges.senders, edges.sh, weights);
    weights.dispose();
    return out;
  }

  /** Σ_j m_ij at each receiver: one fused op (gather, product, scatter) where the native kernel runs, else apply + sum. */
  applyAtReceivers(params: ParamRecord, ctx: GraphContext, nodeFeatures: tf.Tensor2D, edges: Omit<EdgeInputs, 'senders'>): tf.Tensor2D {
    const weights = this.radialMlp.apply(params, edges.radial); // [nEdges, weightNumel]
    const out = channelwiseCgScatter(this.tp, params, ctx, nodeFeatures, edges.sh, weights);
    weights.dispose();
    return out;
  }
}
