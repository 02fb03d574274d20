/**
 * Weights that stay constant through a call. Energy and forces of a model that is not being trained need ∂E/∂r only,
 * yet tfjs records every op of the forward pass on its tape, including the reshapes and concats that pack a layer's
 * weights for a fused kernel; each of them also saves a clone of its inputs for a backward pass that never reaches
 * the weights. At one molecule per call these bookkeeping ops are a large part of the pass. Where the weights are
 * constant, a layer can instead take its packed weights as one new tensor from a host copy made when the weights last
 * changed (`packedConstantWeights`): the same numbers, bit for bit, with no op and no tape node.
 *
 * Constant means: no gradient tape is recording (plain inference), or the call runs inside `withConstantWeights`,
 * which `energyAndForces` opens when it is not itself inside a gradient computation (a training loss that takes
 * force errors is, so its weights keep their taped path).
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamRecord } from './params';
import { param } from './params';

let constantDepth = 0;

/** Runs `f` with the weights declared constant: nothing inside takes a gradient with respect to them. */
export function withConstantWeights<T>(f: () => T): T {
  constantDepth++;
  try {
    return f();
  } finally {
    constantDepth--;
  }
}

/** True when no gradient tape is recording now (no gradient of anything can be taken). */
export function noGradientRecording(): boolean {
  return tf.engine().state.gradientDepth === 0;
}

/** Whether no gradient with respect to the weights can be taken now. */
export function weightsAreConstant(): boolean {
  return constantDepth > 0 || noGradientRecording();
}

interface PackedCopy {
  readonly params: ParamRecord;
  readonly sources: readonly tf.Tensor[];
  /** The tensors' data ids when copied: `Variable.assign` gives a variable a new one. */
  readonly dataIds: readonly object[];
  readonly data: Float32Array;
}

/** One host copy per packing layer. */
const copies = new WeakMap<object, PackedCopy>();

function stillValid(copy: PackedCopy, params: ParamRecord, sources: readonly tf.Tensor[]): boolean {
  if (copy.params !== params || copy.sources.length !== sources.length) return false;
  return sources.every((t, i) => t === copy.sources[i] && !t.isDisposed && (t.dataId as object) === copy.dataIds[i]);
}

/**
 * The weights `names` of `params`, flattened and concatenated in order, as a new 1-D tensor (owned by the caller's
 * tidy scope), or undefined when the weights are not constant now (the caller then packs them with taped ops). `owner`
 * is the packing layer; its host copy is remade whenever a weight tensor or its data changes.
 */
export function packedConstantWeights(owner: object, params: ParamRecord, names: readonly string[]): tf.Tensor1D | undefined {
  if (!weightsAreConstant()) return undefined;
  const sources = names.map((name) => param(params, name));
  let copy = copies.get(owner);
  if (!copy || !stillValid(copy, params, sources)) {
    const size = sources.reduce((n, t) => n + t.size, 0);
    const data = new Float32Array(size);
    let offset = 0;
    for (const t of sources) {
      data.set(t.dataSync() as Float32Array, offset);
      offset += t.size;
    }
    copy = { params, sources, dataIds: sources.map((t) => t.dataId as object), data };
    copies.set(owner, copy);
  }
  return tf.tensor1d(copy.data.slice()); // a copy: a backend may keep the array it is given
}
