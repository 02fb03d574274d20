/**
 * EDM's denoiser φ(z_t, t): EGNN dynamics on fully connected molecules (Hoogeboom et al. 2022, §3.3 and App. B;
 * the published `EGNN_dynamics_QM9` with `EquivariantBlock`s: attention, tanh-bounded coordinate updates,
 * norm_constant 1, sum aggregation with normalisation factor 1, one invariant sublayer per block).
 *
 * Input node features: [z_h (nf), t/T (1), context (0|1)]. Edge attributes a_ij = [d²_ij (current), d²_ij (input)].
 * Block l (receiver i, sender j, r_ij = x_i − x_j):
 *   m_ij = φ_e(h_i, h_j, a_ij) · sigmoid(w_a · φ_e(...) + b_a)                     GCL edge model with attention
 *   h_i ← h_i + φ_h(h_i, Σ_j m_ij)                                                 GCL node model (residual)
 *   x_i ← x_i + Σ_j r_ij / (|r_ij| + 1) · tanh(φ_x(h_i, h_j, a_ij)) · (15 / L)     EquivariantUpdate
 * Output: ε̂_x = x_L − z_x with the mean removed per molecule (the CoM-free subspace), ε̂_h = φ_out(h_L)[:, :nf].
 * E(3) × S_N: ε̂_x rotates with z_x and is translation invariant (differences only); ε̂_h is invariant; both follow a
 * permutation of the atoms (edges are all pairs). The first linear layer of φ_e and φ_x on [h_i, h_j, a_ij] is split
 * as h W_i (gathered) + h W_j (gathered) + a W_a, the same function as EDM's concatenation.
 */
import * as tf from '@tensorflow/tfjs';
import { silu } from '../../engine/layers/activations';
import { dense } from '../../engine/layers/dense';
import { initGlorotParams } from '../../engine/layers/params';
import { fusedDenoiserKernel, fusedDenoiserOp, packWeights, runFusedDenoiser } from './fused-dynamics';
import type { MoleculeBatchHost } from './molecules';

export interface DynamicsConfig {
  /** Node features nf of z_h (one-hot classes + charge). */
  readonly nodeFeatures: number;
  /** Context features per molecule (0: unconditional; 1: EDM's property-conditional model). */
  readonly contextFeatures: number;
  /** Hidden width F (EDM QM9: 256). */
  readonly features: number;
  /** Equivariant blocks L (EDM QM9: 9). */
  readonly layers: number;
  /** Total range of the tanh coordinate updates, shared over the blocks (EDM: 15). */
  readonly coordinatesRange: number;
  /** The +1 in r_ij / (|r_ij| + c) (EDM norm_constant: 1). */
  readonly normConstant: number;
  /** Sums over neighbours are divided by this (EDM normalization_factor: 1). */
  readonly normalisationFactor: number;
  readonly seed: number;
}

export const defaultDynamicsConfig: Omit<DynamicsConfig, 'nodeFeatures'> = {
  contextFeatures: 0, features: 64, layers: 4, coordinatesRange: 15, normConstant: 1, normalisationFactor: 1, seed: 1,
};

export type DynamicsParams = Readonly<Record<string, tf.Tensor>>;

/** Shapes of every parameter, by stable name (the model file's tensor names). */
export function dynamicsParamShapes(config: DynamicsConfig): Record<string, number[]> {
  const f = config.features;
  const input = config.nodeFeatures + 1 + config.contextFeatures;
  const shapes: Record<string, number[]> = { 'embedding/w': [input, f], 'embedding/b': [f] };
  for (let l = 0; l < config.layers; l++) {
    const p = `block${l}`;
    Object.assign(shapes, {
      [`${p}/edge/w_receiver`]: [f, f], [`${p}/edge/w_sender`]: [f, f], [`${p}/edge/w_attr`]: [2, f], [`${p}/edge/b0`]: [f],
      [`${p}/edge/w1`]: [f, f], [`${p}/edge/b1`]: [f],
      [`${p}/attention/w`]: [f, 1], [`${p}/attention/b`]: [1],
      [`${p}/node/w_h`]: [f, f], [`${p}/node/w_m`]: [f, f], [`${p}/node/b0`]: [f], [`${p}/node/w1`]: [f, f], [`${p}/node/b1`]: [f],
      [`${p}/coord/w_receiver`]: [f, f], [`${p}/coord/w_sender`]: [f, f], [`${p}/coord/w_attr`]: [2, f], [`${p}/coord/b0`]: [f],
      [`${p}/coord/w1`]: [f, f], [`${p}/coord/b1`]: [f], [`${p}/coord/w2`]: [f, 1],
    });
  }
  Object.assign(shapes, { 'output/w': [f, input], 'output/b': [input] });
  return shapes;
}

/**
 * Seeded weights, zero biases. Matrices are uniform with PyTorch's nn.Linear bound 1/√fan_in (EDM's initialisation),
 * fan_in being the width of the concatenated input the split layer stands for ([h_i, h_j, a_ij]: 2F + 2;
 * [h_i, m_i]: 2F); EDM's last coordinate layer is Xavier-uniform with gain 0.001.
 */
export function initialiseDynamics(config: DynamicsConfig): Record<string, tf.Variable> {
  const f = config.features;
  const shapes = dynamicsParamShapes(config);
  const gains: Record<string, number> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    if (shape.length !== 2) continue;
    const glorotBound = Math.sqrt(6 / (shape[0]! + shape[1]!));
    if (name.endsWith('/coord/w2')) { gains[name] = 0.001; continue; }
    const fanIn = /\/(edge|coord)\/w_(receiver|sender|attr)$/.test(name) ? 2 * f + 2 : /\/node\/w_(h|m)$/.test(name) ? 2 * f : shape[0]!;
    gains[name] = 1 / Math.sqrt(fanIn) / glorotBound;
  }
  return initGlorotParams(shapes, config.seed, gains);
}

/** Batch index tensors for the denoiser; dispose with `disposeBatchTensors`. */
export interface BatchTensors {
  readonly host: MoleculeBatchHost;
  /** [nEdges] int32 sender j. */
  readonly edgeSrc: tf.Tensor1D;
  /** [nEdges] int32 receiver i. */
  readonly edgeDst: tf.Tensor1D;
  /** [nAtoms] int32 molecule of each atom. */
  readonly batch: tf.Tensor1D;
  /** [nAtoms, 1] 1/N of each atom's molecule. */
  readonly inverseCount: tf.Tensor2D;
}

export function batchTensors(host: MoleculeBatchHost): BatchTensors {
  const inverse = new Float32Array(host.nAtoms);
  for (let g = 0; g < host.nGraphs; g++) {
    const n = host.atomStart[g + 1]! - host.atomStart[g]!;
    for (let i = host.atomStart[g]!; i < host.atomStart[g + 1]!; i++) inverse[i] = 1 / n;
  }
  return {
    host,
    edgeSrc: tf.tensor1d(host.edgeSrc, 'int32'),
    edgeDst: tf.tensor1d(host.edgeDst, 'int32'),
    batch: tf.tensor1d(host.batch, 'int32'),
    inverseCount: tf.tensor2d(inverse, [host.nAtoms, 1]),
  };
}

export function disposeBatchTensors(b: BatchTensors): void {
  tf.dispose([b.edgeSrc, b.edgeDst, b.batch, b.inverseCount]);
}

/** x_i − (1/N_g) Σ_{j∈g} x_j per molecule g: [nAtoms, 3] -> [nAtoms, 3]. */
export function removeMeanTensor(b: BatchTensors, x: tf.Tensor): tf.Tensor2D {
  const sums = tf.unsortedSegmentSum(x, b.batch, b.host.nGraphs); // [nGraphs, 3]
  return tf.sub(x, tf.mul(tf.gather(sums, b.batch), b.inverseCount)) as tf.Tensor2D; // [nAtoms, 3]
}

export interface DynamicsInput {
  /** [nAtoms, 3] z_x (normalised positions, CoM-free). */
  readonly x: tf.Tensor2D;
  /** [nAtoms, nf] z_h. */
  readonly h: tf.Tensor2D;
  /** [nAtoms, 1] t/T of each atom's molecule. */
  readonly time: tf.Tensor2D;
  /** [nAtoms, contextFeatures] normalised context of each atom's molecule (conditional models only). */
  readonly context?: tf.Tensor2D;
}

/** A φ_e / φ_x first layer on [h_i, h_j, a_ij], split per node: [nEdges, F]. */
function edgeInput(params: DynamicsParams, prefix: string, b: BatchTensors, h: tf.Tensor, attributes: tf.Tensor): tf.Tensor {
  const receiver = tf.gather(dense(h, params[`${prefix}/w_receiver`]!), b.edgeDst); // [nEdges, F]
  const sender = tf.gather(dense(h, params[`${prefix}/w_sender`]!), b.edgeSrc); // [nEdges, F]
  return tf.add(tf.add(receiver, sender), dense(attributes, params[`${prefix}/w_attr`]!, params[`${prefix}/b0`])); // [nEdges, F]
}

const packedWeights = new WeakMap<DynamicsParams, Float32Array>();

/**
 * Every parameter's values, row-major, in `dynamicsParamShapes` order (the fused kernel's layout). Cached per
 * parameter record unless it holds variables (a model in training changes them).
 */
export function packDynamicsWeights(config: DynamicsConfig, params: DynamicsParams): Float32Array {
  const cached = packedWeights.get(params);
  if (cached) return cached;
  const tensors = orderedParams(config, params);
  const packed = packWeights(tensors);
  if (!tensors.some((t) => t instanceof tf.Variable)) packedWeights.set(params, packed);
  return packed;
}

export interface PredictNoiseOptions {
  /**
   * No gradient will be taken (sampling): the fused forward pass runs without a tape. Either way the fused native
   * passes (./fused-dynamics.ts) run where they are switched on and installed, else the tfjs composition below: the
   * same function and gradients to float32 rounding.
   */
  readonly inference?: boolean;
}

/** Parameter tensors of `params` in `dynamicsParamShapes` order (the fused kernel's layout). */
function orderedParams(config: DynamicsConfig, params: DynamicsParams): tf.Tensor[] {
  return Object.entries(dynamicsParamShapes(config)).map(([name, shape]) => {
    const tensor = params[name];
    if (!tensor || tensor.shape.join() !== shape.join()) throw new Error(`denoiser parameter ${name} is ${tensor ? `[${tensor.shape.join(', ')}]` : 'missing'}, expected [${shape.join(', ')}]`);
    return tensor;
  });
}

/** ε̂ = φ(z_t, t): returns ε̂_x [nAtoms, 3] (CoM-free) and ε̂_h [nAtoms, nf]. Call inside tf.tidy. */
export function predictNoise(
  config: DynamicsConfig, params: DynamicsParams, b: BatchTensors, input: DynamicsInput, options: PredictNoiseOptions = {},
): { epsX: tf.Tensor2D; epsH: tf.Tensor2D } {
  const nAtoms = b.host.nAtoms;
  const norm = 1 / config.normalisationFactor;
  const rangePerLayer = config.coordinatesRange / config.layers;
  const nodeInput = tf.concat([input.h, input.time, ...(config.contextFeatures > 0 && input.context ? [input.context] : [])], 1); // [nAtoms, nf+1+c]
  if (nodeInput.shape[1] !== config.nodeFeatures + 1 + config.contextFeatures) {
    throw new Error(`denoiser input has ${nodeInput.shape[1]} features per atom, expected ${config.nodeFeatures + 1 + config.contextFeatures} (context missing?)`);
  }
  const kernel = fusedDenoiserKernel();
  if (kernel) {
    const shape = {
      nAtoms, nEdges: b.host.nEdges, nodeIn: nodeInput.shape[1]!, features: config.features, layers: config.layers,
      rangePerLayer, normConstant: config.normConstant, norm,
    };
    const edges = { edgeSrc: b.host.edgeSrc, edgeDst: b.host.edgeDst };
    if (options.inference) {
      const fused = runFusedDenoiser(kernel, shape, { nodeInput: nodeInput.dataSync() as Float32Array, x: input.x.dataSync() as Float32Array, ...edges }, packDynamicsWeights(config, params));
      return denoiserOutputs(config, b, input.x, tf.tensor2d(fused.x, [nAtoms, 3]), tf.tensor2d(fused.h, [nAtoms, shape.nodeIn]));
    }
    const both = fusedDenoiserOp(kernel, shape, edges, nodeInput as tf.Tensor2D, input.x, orderedParams(config, params)); // [nAtoms, 3 + nodeIn]
    return denoiserOutputs(config, b, input.x, tf.slice(both, [0, 0], [nAtoms, 3]), tf.slice(both, [0, 3], [nAtoms, shape.nodeIn]));
  }
  let h = dense(nodeInput, params['embedding/w']!, params['embedding/b']); // [nAtoms, F]
  let x: tf.Tensor = input.x; // [nAtoms, 3]
  const initialDistance2 = tf.sum(tf.square(tf.sub(tf.gather(input.x, b.edgeDst), tf.gather(input.x, b.edgeSrc))), 1, true); // [nEdges, 1]
  for (let l = 0; l < config.layers; l++) {
    const p = `block${l}`;
    const r = tf.sub(tf.gather(x, b.edgeDst), tf.gather(x, b.edgeSrc)); // [nEdges, 3] r_ij = x_i − x_j
    const distance2 = tf.sum(tf.square(r), 1, true); // [nEdges, 1]
    const direction = tf.div(r, tf.add(tf.sqrt(tf.add(distance2, 1e-8)), config.normConstant)); // [nEdges, 3]
    const attributes = tf.concat([distance2, initialDistance2], 1); // [nEdges, 2]
    // GCL: edge model with attention, sum at the receiver, residual node model.
    const hidden = silu(dense(silu(edgeInput(params, `${p}/edge`, b, h, attributes)), params[`${p}/edge/w1`]!, params[`${p}/edge/b1`])); // [nEdges, F]
    const attention = tf.sigmoid(dense(hidden, params[`${p}/attention/w`]!, params[`${p}/attention/b`])); // [nEdges, 1]
    const aggregated = tf.mul(tf.unsortedSegmentSum(tf.mul(hidden, attention), b.edgeDst, nAtoms), norm); // [nAtoms, F]
    const nodePre = tf.add(tf.add(dense(h, params[`${p}/node/w_h`]!), dense(aggregated, params[`${p}/node/w_m`]!)), params[`${p}/node/b0`]!);
    h = tf.add(h, dense(silu(nodePre), params[`${p}/node/w1`]!, params[`${p}/node/b1`])); // [nAtoms, F]
    // EquivariantUpdate: x_i += Σ_j r_ij/(|r_ij|+1) tanh(φ_x) · range.
    const coordHidden = silu(dense(silu(edgeInput(params, `${p}/coord`, b, h, attributes)), params[`${p}/coord/w1`]!, params[`${p}/coord/b1`])); // [nEdges, F]
    const weight = tf.mul(tf.tanh(dense(coordHidden, params[`${p}/coord/w2`]!)), rangePerLayer); // [nEdges, 1]
    x = tf.add(x, tf.mul(tf.unsortedSegmentSum(tf.mul(direction, weight), b.edgeDst, nAtoms), norm)); // [nAtoms, 3]
  }
  return denoiserOutputs(config, b, input.x, x, dense(h, params['output/w']!, params['output/b'])); // out: [nAtoms, nf+1+c]
}

/** ε̂_x = x_L − z_x, CoM-free [nAtoms, 3]; ε̂_h = the first nf of φ_out(h_L) [nAtoms, nf]. */
function denoiserOutputs(config: DynamicsConfig, b: BatchTensors, x0: tf.Tensor, xL: tf.Tensor, out: tf.Tensor): { epsX: tf.Tensor2D; epsH: tf.Tensor2D } {
  const epsH = tf.slice(out, [0, 0], [b.host.nAtoms, config.nodeFeatures]) as tf.Tensor2D; // [nAtoms, nf]
  const epsX = removeMeanTensor(b, tf.sub(xL, x0)); // [nAtoms, 3]
  return { epsX, epsH };
}
