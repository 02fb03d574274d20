/**
 * TDN: the MACE pipeline (models/message-passing/equivariant-model.ts) with CP-decomposed tensor products in the
 * messages (Lin et al. 2025, "Tensor Decomposition Networks for Fast Machine Learning Interatomic Potential
 * Computations", eqs. 5–7):
 * m_ij = CP(h_j, Y(r̂_ij); R(|r_ij|)) with rank-R factors shared across paths and one radial weight per channel
 * and output degree (path-weight sharing).
 */
import type { Irreps } from '../../../o3/irreps';
import { Irreps as IrrepsClass } from '../../../o3/irreps';
import type { GraphContext } from '../../graph/graph-context';
import { CpTensorProduct } from '../../layers/cp-tensor-product';
import { cpScatter } from '../../layers/fused-cp-scatter';
import { ScalarMlp } from '../../layers/linear';
import type { ParamRecord, ParamSpec } from '../../layers/params';
import type { EdgeInputs, MessageBlock } from '../message-passing/message-block';
import type { EquivariantModelConfig } from '../message-passing/equivariant-model';
import { EquivariantMessagePassingModel, defaultEquivariantConfig } from '../message-passing/equivariant-model';
import type * as tf from '@tensorflow/tfjs';

export class CpMessage implements MessageBlock {
  readonly irrepsOut: Irreps;
  readonly tp: CpTensorProduct;
  readonly radialMlp: ScalarMlp;

  constructor(name: string, readonly irrepsIn: Irreps, shIrreps: Irreps, nBasis: number, radialHidden: number, rank?: number) {
    this.tp = new CpTensorProduct(`${name}/cp`, { irrepsIn1: irrepsIn, irrepsIn2: shIrreps, irrepsOut: irrepsIn, rank });
    this.irrepsOut = irrepsIn;
    this.radialMlp = new ScalarMlp(`${name}/radialMlp`, [nBasis, radialHidden, radialHidden, this.tp.weightNumel]);
  }

  paramSpecs(): ParamSpec[] {
    return this.radialMlp.paramSpecs();
  }

  apply(params: ParamRecord, edges: EdgeInputs): tf.Tensor2D {
    const weights = this.radialMlp.apply(params, edges.radial); // [nEdges, C*(L+1)]
    const out = this.tp.apply(edges.senders, edges.sh, weights);
    weights.dispose();
    return out;
  }

  /** Σ_j m_ij at each receiver: one fused op (gather, CP product, scatter) where the native kernel runs, else apply + sum. */
  applyAtReceivers(params: ParamRecord, ctx: GraphContext, nodeFeatures: tf.Tensor2D, edges: Omit<EdgeInputs, 'senders'>): tf.Tensor2D {
    const weights = this.radialMlp.apply(params, edges.radial); // [nEdges, C·(L+1)]
    const out = cpScatter(this.tp, ctx, nodeFeatures, edges.sh, weights);
    weights.dispose();
    return out;
  }
}

export interface TdnModelConfig extends EquivariantModelConfig {
  /** CP rank (default: chosen so the factorisation is exact to ~1e-7 for L ≤ 2). */
  readonly cpRank?: number;
}

/** Default CP ranks found exact (relative residual < 1e-7) by ALS for polar features ⊗ SH of the same L. */
const exactRanks: Record<number, number> = { 0: 1, 1: 12, 2: 40 };

export function createTdnModel(config: Partial<TdnModelConfig> & { species: readonly number[] }): EquivariantMessagePassingModel {
  const full: TdnModelConfig = { ...defaultEquivariantConfig, ...config };
  const rank = full.cpRank ?? exactRanks[Math.max(full.lmax, full.shLmax)] ?? 5 * (full.lmax + 1) ** 2;
  return new EquivariantMessagePassingModel(
    'tdn',
    { ...full, cpRank: rank } as EquivariantModelConfig,
    (name, irrepsIn, c) => new CpMessage(name, irrepsIn, IrrepsClass.sphericalHarmonics(c.shLmax), c.nBasis, c.radialHidden, rank),
    `TDN (Lin et al. 2025): MACE pipeline with rank-${rank} CP-decomposed message products and path-weight sharing.`,
  );
}
