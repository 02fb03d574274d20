/**
 * NequIP/MACE-style equivariant energy model, written as a pipeline of named blocks:
 *
 *   1. speciesEmbedding   h⁰_i = W z_i                                   (one-hot species -> C x 0e)
 *   2. edgeEmbedding      Y(r̂_ij) (spherical harmonics), R(|r_ij|) = Bessel basis × polynomial envelope
 *   3. interaction t      (MACE eqs. 8–9, NequIP eq. 3)
 *        up        h̃ = Linear(hᵗ)
 *        messages  m_ij = MessageBlock(h̃_j, Y(r̂_ij), R(|r_ij|))    — CG ('uvu') here; CP in TDN, SO(2) in eSCN
 *        aggregate A_i = Linear(Σ_j m_ij / avgNumNeighbors)            (degrees ≤ messageLmax)
 *        product   B_i = ProductBasis(A_i)                            (MACE eqs. 10–11, correlation ν; degrees ≤ lmax)
 *        update    hᵗ⁺¹_i = B_i + Linear_self(hᵗ_i)                    (residual self-connection)
 *   4. readout    e_i = Σ_t Readout_t(hᵗ⁺¹_i)  (linear for t < T, MLP on scalars for the last; MACE eq. 13)
 *   5. energy     E = Σ_i (E0[s_i] + scale·e_i + shift)                (eV)
 *
 * The message block is pluggable, so MACE (models/mace), TDN (models/tdn) and eSCN (models/escn) share this
 * pipeline with their own edge products. Family-independent: it imports layers, never a model family.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../../o3/irreps';
import { sphericalHarmonicsTensor } from '../../../o3/spherical-harmonics';
import type { GraphContext } from '../../graph/graph-context';
import type { EnergyModel, EnergyNormalisation, ModelDescription, ModelParams } from '../../model';
import { EquivariantLinear, ScalarMlp } from '../../layers/linear';
import { edgeVectors, gatherSenders, speciesOneHot, sumAtReceivers } from '../../layers/graph-ops';
import { graphEnergy } from '../../layers/heads';
import { initParams } from '../../layers/params';
import type { ParamRecord, ParamSpec } from '../../layers/params';
import { radialEmbedding } from '../../layers/radial';
import { ProductBasis, polarIrreps } from '../../layers/product-basis';
import type { EdgeInputs, MessageBlock } from './message-block';

export interface EquivariantModelConfig {
  /** Atomic numbers, in species-index order. */
  readonly species: readonly number[];
  /** Å */
  readonly cutoff: number;
  /** Channels C per degree. */
  readonly channels: number;
  /** Max degree L of hidden features (C x 0e + C x 1o + ... ). */
  readonly lmax: number;
  /** Max degree of edge spherical harmonics. */
  readonly shLmax: number;
  /**
   * Max degree of the messages that enter the product basis (default lmax). MACE as published carries them up to
   * the spherical harmonics' L (A of degrees ≤ shLmax, contracted down to the hidden lmax in the product basis,
   * Batatia et al. 2022 eqs. 8–11); lmax truncates the messages first (smaller and faster).
   */
  readonly messageLmax?: number;
  readonly nInteractions: number;
  /** MACE correlation order ν (body order ν+1); 1 = NequIP-like two-body messages. */
  readonly correlation: number;
  readonly nBasis: number;
  readonly radialHidden: number;
  readonly readoutHidden: number;
  /** Typical neighbour count; messages are divided by it (MACE `avg_num_neighbors`). */
  readonly avgNumNeighbors: number;
  readonly seed: number;
}

export const defaultEquivariantConfig: Omit<EquivariantModelConfig, 'species'> = {
  cutoff: 5,
  channels: 16,
  lmax: 2,
  shLmax: 2,
  nInteractions: 2,
  correlation: 2,
  nBasis: 8,
  radialHidden: 32,
  readoutHidden: 16,
  avgNumNeighbors: 8,
  seed: 1,
};

export type MessageBlockFactory = (name: string, irrepsIn: Irreps, config: EquivariantModelConfig) => MessageBlock;

interface InteractionBlock {
  readonly up: EquivariantLinear;
  readonly message: MessageBlock;
  readonly aggregateLinear: EquivariantLinear;
  readonly product: ProductBasis;
  readonly selfConnection: EquivariantLinear;
}

export class EquivariantMessagePassingModel implements EnergyModel {
  readonly config: EquivariantModelConfig & Readonly<Record<string, unknown>>;
  readonly description: ModelDescription;
  readonly species: readonly number[];
  readonly cutoff: number;
  normalisation: EnergyNormalisation;
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly hiddenIrreps: Irreps;
  readonly shIrreps: Irreps;
  private readonly embedding: EquivariantLinear;
  private readonly interactions: InteractionBlock[] = [];
  private readonly readouts: EquivariantLinear[] = [];
  private readonly finalReadout: { toHidden: EquivariantLinear; mlp: ScalarMlp };

  constructor(
    readonly family: string,
    config: EquivariantModelConfig,
    messageFactory: MessageBlockFactory,
    notes: string,
  ) {
    this.config = { ...config } as EquivariantModelConfig & Readonly<Record<string, unknown>>;
    this.species = [...config.species];
    this.cutoff = config.cutoff;
    this.normalisation = { referenceEnergies: config.species.map(() => 0), scale: 1, shift: 0 };
    const c = config.channels;
    this.hiddenIrreps = polarIrreps(c, config.lmax);
    this.shIrreps = Irreps.sphericalHarmonics(config.shLmax);
    const scalarIrreps = Irreps.parse(`${c}x0e`);
    this.embedding = new EquivariantLinear('embedding', `${config.species.length}x0e`, scalarIrreps);
    const messageLmax = config.messageLmax ?? config.lmax;
    if (!Number.isInteger(messageLmax) || messageLmax < config.lmax || messageLmax > config.lmax + config.shLmax) {
      throw new Error(`${family}: messageLmax ${messageLmax} must be an integer from lmax (${config.lmax}) to lmax + shLmax (${config.lmax + config.shLmax})`);
    }
    const messageIrreps = polarIrreps(c, messageLmax);
    let irrepsIn = scalarIrreps;
    for (let t = 0; t < config.nInteractions; t++) {
      const name = `interaction${t}`;
      const message = messageFactory(`${name}/message`, this.hiddenIrreps, config);
      const messageTop = Math.max(...message.irrepsOut.items.map((b) => b.ir.l));
      if (messageTop < messageLmax) throw new Error(`${family}: its messages stop at l = ${messageTop}, below messageLmax ${messageLmax}`);
      this.interactions.push({
        up: new EquivariantLinear(`${name}/up`, irrepsIn, this.hiddenIrreps),
        message,
        aggregateLinear: new EquivariantLinear(`${name}/aggregate`, message.irrepsOut, messageIrreps),
        product: new ProductBasis(`${name}/product`, c, config.lmax, config.correlation, messageLmax),
        selfConnection: new EquivariantLinear(`${name}/self`, irrepsIn, this.hiddenIrreps),
      });
      if (t < config.nInteractions - 1) this.readouts.push(new EquivariantLinear(`readout${t}`, this.hiddenIrreps, '1x0e'));
      irrepsIn = this.hiddenIrreps;
    }
    this.finalReadout = {
      toHidden: new EquivariantLinear(`readout${config.nInteractions - 1}/linear`, this.hiddenIrreps, `${config.readoutHidden}x0e`),
      mlp: new ScalarMlp(`readout${config.nInteractions - 1}/mlp`, [config.readoutHidden, config.readoutHidden, 1]),
    };
    this.params = initParams(this.paramSpecs(), config.seed);
    this.description = {
      nodeInput: scalarIrreps.toString(),
      hidden: this.hiddenIrreps.toString(),
      edgeAttributes: `${this.shIrreps} (spherical harmonics) + ${config.nBasis}x0e (Bessel × polynomial envelope)`,
      output: '1x0e',
      notes,
    };
  }

  paramSpecs(): ParamSpec[] {
    return [
      ...this.embedding.paramSpecs(),
      ...this.interactions.flatMap((b) => [
        ...b.up.paramSpecs(),
        ...b.message.paramSpecs(),
        ...b.aggregateLinear.paramSpecs(),
        ...b.product.paramSpecs(),
        ...b.selfConnection.paramSpecs(),
      ]),
      ...this.readouts.flatMap((r) => r.paramSpecs()),
      ...this.finalReadout.toHidden.paramSpecs(),
      ...this.finalReadout.mlp.paramSpecs(),
    ];
  }

  /** Node features after every interaction, [nAtoms, hiddenIrreps.dim] each (for heads: charges, dipoles). */
  nodeFeatures(ctx: GraphContext, params: ModelParams = this.params): tf.Tensor2D[] {
    const p = params as ParamRecord;
    return tf.tidy(() => {
      // 1. species embedding: [nAtoms, C]
      let h = this.embedding.apply(p, speciesOneHot(ctx, this.species.length));
      // 2. edge embedding
      const vectors = edgeVectors(ctx); // [nEdges, 3] Å
      const lengths = tf.sqrt(tf.sum(tf.square(vectors), 1)) as tf.Tensor1D; // [nEdges] Å
      const sh = sphericalHarmonicsTensor(this.config.shLmax, vectors); // [nEdges, (shLmax+1)²]
      const radial = radialEmbedding(lengths, {
        basis: 'bessel',
        nBasis: this.config.nBasis,
        cutoff: this.cutoff,
        cutoffKind: 'polynomial',
      }); // [nEdges, nBasis]
      const out: tf.Tensor2D[] = [];
      // 3. interactions
      for (const block of this.interactions) {
        const up = block.up.apply(p, h); // [nAtoms, hidden]
        const summed = block.message.applyAtReceivers
          ? block.message.applyAtReceivers(p, ctx, up, { sh, radial, vectors }) // [nAtoms, message], fused where it can be
          : sumAtReceivers(ctx, block.message.apply(p, { senders: gatherSenders(ctx, up), sh, radial, vectors } satisfies EdgeInputs));
        const aggregated = block.aggregateLinear.apply(p, tf.div(summed, this.config.avgNumNeighbors) as tf.Tensor2D);
        h = tf.add(block.product.apply(p, aggregated), block.selfConnection.apply(p, h)) as tf.Tensor2D;
        out.push(h);
      }
      return out;
    });
  }

  /** Per-atom network energies e_i (before normalisation), [nAtoms, 1]. */
  atomEnergies(ctx: GraphContext, params: ModelParams = this.params): tf.Tensor2D {
    const p = params as ParamRecord;
    return tf.tidy(() => {
      const features = this.nodeFeatures(ctx, params);
      let e = this.finalReadout.mlp.apply(p, this.finalReadout.toHidden.apply(p, features[features.length - 1]!)); // [nAtoms, 1]
      this.readouts.forEach((r, t) => (e = tf.add(e, r.apply(p, features[t]!))));
      return e;
    });
  }

  /** E_g = Σ_i (E0[s_i] + shift + scale·e_i), eV (the engine's shared energy head). */
  energy(ctx: GraphContext, params: ModelParams = this.params): tf.Tensor1D {
    return tf.tidy(() => graphEnergy(ctx, tf.reshape(this.atomEnergies(ctx, params), [ctx.nAtoms]) as tf.Tensor1D, this.normalisation));
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}
