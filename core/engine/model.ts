/**
 * The model interface every equivariant energy model implements (EGNN, NequIP/MACE, TDN, eSCN, FAENet ...),
 * and the ONE place where forces and stress are derived from the energy: `energyAndForces`.
 *
 * A model is a pure function of (graph context, parameters): `energy(ctx, params) -> [nGraphs]` eV.
 * Parameters are a flat record name -> tensor, so the same model evaluates its trainable variables, an EMA
 * copy, or weights read from a model file without rebuilding anything. Names are stable, '/'-separated
 * paths ('interaction0/edgeMlp/w0') and are what the model file stores.
 *
 * Forces are F = -dE/dr (eV/Å) and stress σ = (1/V) dE/dε (eV/Å³, ASE sign convention) for a symmetric
 * strain ε applied to positions, periodic shifts and cell. Never differentiate energies elsewhere: training
 * on forces differentiates through this function (second-order gradients, see core/engine/backend).
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from './graph/graph-context';
import { withGeometry } from './graph/graph-context';
import { noGradientRecording, withConstantWeights } from './layers/constant-weights';

/** Flat parameter record: stable name -> tensor (tf.Variable for trainable weights). */
export type ModelParams = Readonly<Record<string, tf.Tensor>>;

/** JSON-serialisable configuration; each family documents its own keys. */
export type ModelConfig = Readonly<Record<string, unknown>>;

/**
 * Human/machine-readable description of a model's features, in e3nn irreps notation
 * ('16x0e + 8x1o'); invariant-only models (EGNN) use scalars ('64x0e') plus a vector for coordinates ('1x1o').
 */
export interface ModelDescription {
  /** Node input features (after species embedding), e.g. '64x0e'. */
  readonly nodeInput: string;
  /** Hidden node features per layer, e.g. '64x0e' or '32x0e + 32x1o + 32x2e'. */
  readonly hidden: string;
  /** Edge attributes (spherical harmonics / radial basis), e.g. '1x0e' for |r|² in EGNN. */
  readonly edgeAttributes: string;
  /** Readout, e.g. '1x0e' for an energy. */
  readonly output: string;
  /** Free-text notes: paper, equations implemented, deviations. */
  readonly notes: string;
}

/** Per-element reference energies and normalisation applied inside the energy head. */
export interface EnergyNormalisation {
  /** E0 per species index (eV), aligned with `species`: E = sum_i E0[s_i] + scale * sum_i e_i + shift * nAtoms. */
  readonly referenceEnergies: readonly number[];
  /** Scale of per-atom network output (eV), typically the RMS of force components or of per-atom energies. */
  readonly scale: number;
  /** Per-atom shift (eV) added after the reference energies (usually 0 when E0 come from a least-squares fit). */
  readonly shift: number;
}

export interface EnergyModel {
  /** Model family id: 'egnn', 'mace', 'nequip', 'tdn', 'escn', 'faenet'. Stored in the model file. */
  readonly family: string;
  readonly config: ModelConfig;
  readonly description: ModelDescription;
  /** Atomic numbers the model knows, in species-index order. */
  readonly species: readonly number[];
  /** Neighbour cutoff (Å) the graph must be built with. */
  readonly cutoff: number;
  /** Reference energies and scale; the training loop may set them before training (least-squares fit). */
  normalisation: EnergyNormalisation;
  /** The trainable variables, by stable name. */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /**
   * Total energy per graph, [nGraphs] eV. Must be differentiable w.r.t. ctx.positions, ctx.shifts and params;
   * must compute edge vectors from ctx.positions/ctx.shifts (see geometry/edges `edgeVectors`).
   */
  energy(ctx: GraphContext, params?: ModelParams): tf.Tensor1D;
  /** Disposes the model's variables. */
  dispose(): void;
}

export interface EnergyAndForces {
  /** [nGraphs] eV. */
  readonly energy: tf.Tensor1D;
  /** [nAtoms, 3] eV/Å. */
  readonly forces: tf.Tensor2D;
  /** [nGraphs, 3, 3] eV/Å³, only when requested; zero for non-periodic graphs. */
  readonly stress?: tf.Tensor3D;
}

export interface EnergyAndForcesOptions {
  /** Parameters to evaluate with (default: model.params). */
  readonly params?: ModelParams;
  /** Also compute the stress tensor by differentiating w.r.t. a strain (periodic graphs). */
  readonly stress?: boolean;
}

/**
 * Energy, forces F = -dE/dr and optionally stress σ = (1/V) dE/dε, in one tape.
 * Differentiable again w.r.t. params (force-matching training). Returned tensors are new; dispose them
 * (or call inside tf.tidy).
 */
export function energyAndForces(model: EnergyModel, ctx: GraphContext, options: EnergyAndForcesOptions = {}): EnergyAndForces {
  // Outside any gradient computation only ∂E/∂r (and ∂E/∂ε) is taken here: the weights are constants of this call.
  return noGradientRecording()
    ? withConstantWeights(() => energyAndForcesOnTape(model, ctx, options))
    : energyAndForcesOnTape(model, ctx, options);
}

function energyAndForcesOnTape(model: EnergyModel, ctx: GraphContext, options: EnergyAndForcesOptions): EnergyAndForces {
  const params = options.params ?? model.params;
  const ones = tf.ones([ctx.nGraphs]) as tf.Tensor1D;
  try {
    if (!options.stress) {
      const { value, grads } = tf.valueAndGrads((positions: tf.Tensor) =>
        model.energy(withGeometry(ctx, { positions: positions as tf.Tensor2D }), params),
      )([ctx.positions], ones);
      const forces = tf.neg(grads[0]!) as tf.Tensor2D;
      grads[0]!.dispose();
      return { energy: value as tf.Tensor1D, forces };
    }
    const strain = tf.zeros([ctx.nGraphs, 3, 3]);
    const { value, grads } = tf.valueAndGrads((positions: tf.Tensor, eps: tf.Tensor) => {
      // Symmetric deformation D = I + (ε + εᵀ)/2 per graph; r' = r D, shift' = shift D, cell' = cell D.
      const symmetric = tf.mul(tf.add(eps, tf.transpose(eps, [0, 2, 1])), 0.5);
      const deformation = tf.add(symmetric, tf.eye(3).expandDims(0)); // [nGraphs, 3, 3]
      const atomDeformation = tf.gather(deformation, ctx.batch); // [nAtoms, 3, 3]
      const edgeDeformation = tf.gather(atomDeformation, ctx.edgeSrc); // [nEdges, 3, 3]
      const deformedPositions = tf.sum(tf.mul(positions.expandDims(2), atomDeformation), 1) as tf.Tensor2D;
      const deformedShifts = tf.sum(tf.mul(ctx.shifts.expandDims(2), edgeDeformation), 1) as tf.Tensor2D;
      const deformedCells = tf.matMul(ctx.cells, deformation) as tf.Tensor3D;
      return model.energy(
        withGeometry(ctx, { positions: deformedPositions, shifts: deformedShifts, cells: deformedCells }),
        params,
      );
    })([ctx.positions, strain], ones);
    strain.dispose();
    const forces = tf.neg(grads[0]!) as tf.Tensor2D;
    const inverseVolume = tf.tensor1d(Array.from(ctx.host.volumes, (v) => (v > 0 ? 1 / v : 0)));
    const stress = tf.mul(grads[1]!, inverseVolume.reshape([ctx.nGraphs, 1, 1])) as tf.Tensor3D;
    tf.dispose([grads[0]!, grads[1]!, inverseVolume]);
    return { energy: value as tf.Tensor1D, forces, stress };
  } finally {
    ones.dispose();
  }
}

/** Sums per-atom values [nAtoms, ...] into per-graph values [nGraphs, ...] (a segment sum over ctx.batch). */
export function sumPerGraph(ctx: GraphContext, perAtom: tf.Tensor): tf.Tensor {
  return tf.unsortedSegmentSum(perAtom, ctx.batch, ctx.nGraphs);
}
