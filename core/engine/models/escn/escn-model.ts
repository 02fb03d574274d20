/**
 * eSCN: the MACE pipeline (models/message-passing/equivariant-model.ts) with SO(2) convolutions in edge-aligned
 * frames for the messages (Passaro & Zitnick 2023, eqs. 6–9):
 *   m_ij = D(R_ij)ᵀ · SO2Conv_m(D(R_ij) h_j ⊙ R(|r_ij|)), O(L³) per edge.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Irreps } from '../../../o3/irreps';
import { So2Convolution } from '../../layers/so2-convolution';
import { ScalarMlp } from '../../layers/linear';
import type { ParamRecord, ParamSpec } from '../../layers/params';
import type { EdgeInputs, MessageBlock } from '../message-passing/message-block';
import type { EquivariantModelConfig } from '../message-passing/equivariant-model';
import { EquivariantMessagePassingModel, defaultEquivariantConfig } from '../message-passing/equivariant-model';

export class So2Message implements MessageBlock {
  readonly irrepsOut: Irreps;
  readonly conv: So2Convolution;
  readonly radialMlp: ScalarMlp;

  constructor(name: string, readonly irrepsIn: Irreps, nBasis: number, radialHidden: number) {
    this.conv = new So2Convolution(`${name}/so2`, { irrepsIn, irrepsOut: irrepsIn, parity: true });
    this.irrepsOut = irrepsIn;
    this.radialMlp = new ScalarMlp(`${name}/radialMlp`, [nBasis, radialHidden, radialHidden, this.conv.radialNumel]);
  }

  paramSpecs(): ParamSpec[] {
    return [...this.conv.paramSpecs(), ...this.radialMlp.paramSpecs()];
  }

  apply(params: ParamRecord, edges: EdgeInputs): tf.Tensor2D {
    const weights = this.radialMlp.apply(params, edges.radial); // [nEdges, C*(L+1)]
    const out = this.conv.apply(params, edges.senders, edges.vectors, weights);
    weights.dispose();
    return out;
  }
}

export function createEscnModel(config: Partial<EquivariantModelConfig> & { species: readonly number[] }): EquivariantMessagePassingModel {
  const full: EquivariantModelConfig = { ...defaultEquivariantConfig, ...config };
  return new EquivariantMessagePassingModel(
    'escn',
    full,
    (name, irrepsIn, c) => new So2Message(name, irrepsIn, c.nBasis, c.radialHidden),
    'eSCN (Passaro & Zitnick 2023): MACE pipeline with SO(2) convolutions in edge-aligned frames (parity-preserving ' +
      'W_0/W_1 blocks), Wigner-D by the CG recurrence.',
  );
}
