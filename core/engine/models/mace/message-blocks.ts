/**
 * Edge message blocks: the part that differs between NequIP/MACE (Clebsch–Gordan), TDN (CP-decomposed) and
 * eSCN (SO(2) convolution). Each maps sender features, edge spherical harmonics, radial embedding and edge
 * vectors to per-edge messages, with per-edge weights from a radial MLP (NequIP eq. 9; MACE eq. 8).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Irreps } from '../../../o3/irreps';
import { TensorProduct } from '../../layers/tensor-product';
import { ScalarMlp } from '../../layers/linear';
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
}

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
}
