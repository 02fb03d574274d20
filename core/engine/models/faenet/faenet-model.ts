/**
 * FAENet (Duval et al. 2023, "FAENet: Frame Averaging Equivariant GNN for Materials Modeling"): a plain
 * (non-equivariant) message-passing network made E(3)-invariant by frame averaging (Puny et al. 2022, eq. 3):
 *
 *   E(X) = (1/|F(X)|) Σ_{g ∈ F(X)} φ(g⁻¹·X)
 *
 * with PCA frames F(X) (pca-frames.ts). Modes: 'full' averages all 8 frames of O(3) (or the 4 proper frames of
 * SO(3), which keep chirality); 'stochastic' uses one seeded random frame per call (invariant in expectation,
 * the FAENet training mode). Pipeline:
 *
 *   1. frames          PCA axes per graph, sign patterns
 *   2. canonicalEdges  r'_ij = F r_ij (frame coordinates of each edge vector), |r_ij|
 *   3. embedding       h_i = W z_i; e_ij = MLP([RBF(|r_ij|), r'_ij / r_c]) · u(|r_ij|)      (FAENet eq. 5)
 *   4. interactions    m_ij = (W_t h_j) ⊙ Filter_t(e_ij);  h_i ← h_i + Update_t(Σ_j m_ij / avgN)   (eq. 6)
 *   5. readout         e_i = MLP(h_i), E = Σ_i (E0[s_i] + scale·e_i + shift), averaged over frames
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../../graph/graph-context';
import type { EnergyModel, EnergyNormalisation, ModelDescription, ModelParams } from '../../model';
import { ScalarMlp } from '../../layers/linear';
import { filterSumAtReceivers } from '../../layers/fused-filter-scatter';
import { edgeVectors, speciesOneHot } from '../../layers/graph-ops';
import { graphEnergy } from '../../layers/heads';
import { initParams } from '../../layers/params';
import type { ParamRecord, ParamSpec } from '../../layers/params';
import { besselBasis, polynomialCutoff } from '../../layers/radial';
import { seededRandom } from '../../../util/seeded-random';
import type { FrameGroup } from './pca-frames';
import { frameSigns, principalAxes } from './pca-frames';

export interface FaenetConfig {
  readonly species: readonly number[];
  /** Å */
  readonly cutoff: number;
  readonly hidden: number;
  readonly nInteractions: number;
  readonly nBasis: number;
  readonly avgNumNeighbors: number;
  readonly frameGroup: FrameGroup;
  readonly frameAveraging: 'full' | 'stochastic';
  readonly seed: number;
}

export const defaultFaenetConfig: Omit<FaenetConfig, 'species'> = {
  cutoff: 5,
  hidden: 64,
  nInteractions: 3,
  nBasis: 8,
  avgNumNeighbors: 8,
  frameGroup: 'O3',
  frameAveraging: 'full',
  seed: 1,
};

export class FaenetModel implements EnergyModel {
  readonly family = 'faenet';
  readonly config: FaenetConfig & Readonly<Record<string, unknown>>;
  readonly description: ModelDescription;
  readonly species: readonly number[];
  readonly cutoff: number;
  normalisation: EnergyNormalisation;
  readonly params: Readonly<Record<string, tf.Variable>>;
  private readonly embedding: ScalarMlp;
  private readonly edgeMlp: ScalarMlp;
  private readonly interactions: { message: ScalarMlp; filter: ScalarMlp; update: ScalarMlp }[] = [];
  private readonly readout: ScalarMlp;
  private readonly random: () => number;

  constructor(config: Partial<FaenetConfig> & { species: readonly number[] }) {
    const c: FaenetConfig = { ...defaultFaenetConfig, ...config };
    this.config = c as FaenetConfig & Readonly<Record<string, unknown>>;
    this.species = [...c.species];
    this.cutoff = c.cutoff;
    this.normalisation = { referenceEnergies: c.species.map(() => 0), scale: 1, shift: 0 };
    const h = c.hidden;
    this.embedding = new ScalarMlp('embedding', [c.species.length, h]);
    this.edgeMlp = new ScalarMlp('edgeMlp', [c.nBasis + 3, h, h]);
    for (let t = 0; t < c.nInteractions; t++)
      this.interactions.push({
        message: new ScalarMlp(`interaction${t}/message`, [h, h]),
        filter: new ScalarMlp(`interaction${t}/filter`, [h, h, h]),
        update: new ScalarMlp(`interaction${t}/update`, [h, h, h]),
      });
    this.readout = new ScalarMlp('readout', [h, h, 1]);
    this.params = initParams(this.paramSpecs(), c.seed);
    this.random = seededRandom(c.seed * 7919 + 17);
    const frames = c.frameGroup === 'O3' ? 8 : 4;
    this.description = {
      nodeInput: `${h}x0e`,
      hidden: `${h}x0e (in PCA frame coordinates)`,
      edgeAttributes: `${c.nBasis}x0e (Bessel) + frame coordinates of r_ij`,
      output: '1x0e',
      notes:
        `FAENet (Duval et al. 2023) with PCA frame averaging (Puny et al. 2022): ${c.frameAveraging === 'full' ? `all ${frames}` : `1 random of ${frames}`} ` +
        `frames of ${c.frameGroup === 'O3' ? 'O(3)' : 'SO(3) (chirality-aware)'}.`,
    };
  }

  paramSpecs(): ParamSpec[] {
    return [
      ...this.embedding.paramSpecs(),
      ...this.edgeMlp.paramSpecs(),
      ...this.interactions.flatMap((b) => [...b.message.paramSpecs(), ...b.filter.paramSpecs(), ...b.update.paramSpecs()]),
      ...this.readout.paramSpecs(),
    ];
  }

  /** Energy per graph under each frame of the frame set, [K, nGraphs] eV (K = 8 for O(3), 4 for SO(3)). */
  frameEnergies(ctx: GraphContext, params: ModelParams = this.params, frameIndices?: readonly number[]): tf.Tensor2D {
    const p = params as ParamRecord;
    return tf.tidy(() => {
      const signs = frameSigns(this.config.frameGroup);
      const indices = frameIndices ?? signs.map((_, k) => k);
      // 1. frames
      const { axes } = principalAxes(ctx, ctx.positions); // [G, 3, 3] rows u1, u2, u1×u2
      const edgeAxes = tf.gather(tf.gather(axes, ctx.batch), ctx.edgeDst); // [E, 3, 3]
      // 2. canonical edges: frame coordinates before signs, [E, 3]
      const vectors = edgeVectors(ctx); // [E, 3] Å
      const projected = tf.reshape(tf.matMul(edgeAxes, tf.expandDims(vectors, 2)), [ctx.nEdges, 3]); // [E, 3]
      const lengths = tf.sqrt(tf.sum(tf.square(vectors), 1)) as tf.Tensor1D; // [E] Å
      const envelope = tf.expandDims(polynomialCutoff(lengths, this.cutoff), 1); // [E, 1]
      const rbf = tf.mul(besselBasis(lengths, this.config.nBasis, this.cutoff), envelope); // [E, nBasis]
      const h0 = this.embedding.apply(p, speciesOneHot(ctx, this.species.length)); // [N, H]
      const energies = indices.map((k) => {
        const frameCoordinates = tf.mul(projected, tf.tensor2d([signs[k]!], [1, 3])); // [E, 3]
        // 3. embedding
        const edge = tf.mul(this.edgeMlp.apply(p, tf.concat([rbf, tf.div(frameCoordinates, this.cutoff)], 1) as tf.Tensor2D), envelope); // [E, H]
        let h = h0;
        // 4. interactions
        for (const block of this.interactions) {
          const summed = filterSumAtReceivers(ctx, block.message.apply(p, h), block.filter.apply(p, edge as tf.Tensor2D)); // [N, H] Σ_j m(h_j) ⊙ f_ij
          h = tf.add(h, block.update.apply(p, tf.div(summed, this.config.avgNumNeighbors) as tf.Tensor2D)) as tf.Tensor2D;
        }
        // 5. readout
        return graphEnergy(ctx, tf.reshape(this.readout.apply(p, h), [ctx.nAtoms]) as tf.Tensor1D, this.normalisation); // [G] eV
      });
      return tf.stack(energies) as tf.Tensor2D;
    });
  }

  energy(ctx: GraphContext, params: ModelParams = this.params): tf.Tensor1D {
    return tf.tidy(() => {
      const nFrames = this.config.frameGroup === 'O3' ? 8 : 4;
      const indices = this.config.frameAveraging === 'full' ? undefined : [Math.floor(this.random() * nFrames)];
      return tf.mean(this.frameEnergies(ctx, params, indices), 0) as tf.Tensor1D;
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}

export function createFaenetModel(config: Partial<FaenetConfig> & { species: readonly number[] }): FaenetModel {
  return new FaenetModel(config);
}
