/**
 * Shared pieces of the backend parity tests (wasm kernels vs cpu, native matMul vs cpu): seeded inputs, the max
 * element difference, and a small EGNN whose energies, forces and force-loss weight gradients are compared.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../core/util/seeded-random';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { energyAndForces, type EnergyModel } from '../../core/engine/model';
import type { Structure } from '../../core/structure/structure';
import { createEgnn, type EgnnModel } from '../../core/engine/models/egnn/egnn';
import { readDataset } from './geometry-data';

export function randomArray(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** max |actual − expected| ≤ relative · max |expected| (float32 rounding of sums in a different order). */
export function assertRelativelyClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, relative = 1e-5): void {
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const difference = maxDifference(actual, expected);
  assert.ok(difference <= relative * scale, `${what}: max difference ${difference} (scale ${scale})`);
}

/** Values and derivatives of a multilinear op out = F(x, y, w) (or of any number of inputs) at seeded inputs. */
export interface MultilinearDerivatives {
  readonly value: Float32Array;
  /** ∂(Σ g·F)/∂x, ∂y, ∂w for a seeded cotangent g. */
  readonly first: Float32Array[];
  /** ∂/∂(x, y, w) of Σ_r (∂_r Σ g·F)·v_r (the gradient of a gradient, as force training takes it). */
  readonly second: Float32Array[];
}

/** F's value, first and second derivatives at seeded inputs of `shapes` (x, y, w, …), with a seeded cotangent of `outShape`. */
export function multilinearDerivatives(
  op: (...inputs: tf.Tensor[]) => tf.Tensor, shapes: readonly (readonly number[])[], outShape: readonly number[], seed: number,
): MultilinearDerivatives {
  return tf.tidy(() => {
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const inputs = shapes.map((s, k) => tf.tensor(randomArray(size(s), seed + k), [...s]));
    const directions = shapes.map((s, k) => tf.tensor(randomArray(size(s), seed + 10 + k), [...s]));
    const cotangent = tf.tensor(randomArray(size(outShape), seed + 20), [...outShape]);
    const first = tf.grads(op)(inputs, cotangent);
    const second = tf.grads((...args: tf.Tensor[]) => {
      const g = tf.grads(op)(args, cotangent);
      return tf.addN(g.map((t, r) => tf.sum(tf.mul(t, directions[r]!))));
    })(inputs);
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    return { value: read(op(...inputs)), first: first.map(read), second: second.map(read) };
  });
}

/**
 * Asserts that a fused op's value, first derivatives and second derivatives (one per operand, named `operands`)
 * equal the reference's to float32 rounding, and that the second derivatives are not all zero.
 */
export function assertDerivativesClose(fused: MultilinearDerivatives, reference: MultilinearDerivatives, operands: readonly string[], label: string): void {
  assertRelativelyClose(fused.value, reference.value, `${label} values`);
  operands.forEach((name, r) => {
    assertRelativelyClose(fused.first[r]!, reference.first[r]!, `${label} ∂/∂${name}`);
    assertRelativelyClose(fused.second[r]!, reference.second[r]!, `${label} second derivative ∂/∂${name}`);
  });
  if (!fused.second.every((d) => d.some((v) => v !== 0))) throw new Error(`${label}: the second derivatives are all zero`);
}

export interface EgnnResults {
  readonly energy: Float32Array;
  readonly forces: Float32Array;
  /** Gradient of the force loss for every parameter, in `names` order. */
  readonly gradients: Float32Array[];
}

/**
 * Energies, forces and the gradient of the force loss for every parameter of `model` (sorted by name) on `frames`:
 * mean(F²), or mean((F − F_ref)²) against the frames' own forces when `againstFrameForces`.
 */
export function energyForcesAndForceLossGradients(model: EnergyModel, frames: readonly Structure[], cutoff: number, againstFrameForces = false): EgnnResults {
  const names = Object.keys(model.params).sort();
  const ctx = buildGraphContext(frames, { cutoff, species: model.species });
  const reference = againstFrameForces
    ? tf.tensor2d(frames.flatMap((s) => Array.from(s.atomArrays['forces']!.data as Float64Array)), [ctx.nAtoms, 3])
    : undefined;
  const { energy, forces } = energyAndForces(model, ctx);
  const forceLoss = () => tf.tidy(() => {
    const predicted = energyAndForces(model, ctx).forces;
    return tf.mean(tf.square(reference ? tf.sub(predicted, reference) : predicted));
  }) as tf.Scalar;
  const { value: loss, grads } = tf.variableGrads(forceLoss, names.map((n) => model.params[n]! as tf.Variable));
  const out = {
    energy: energy.dataSync() as Float32Array,
    forces: forces.dataSync() as Float32Array,
    gradients: names.map((n) => (grads[model.params[n]!.name]?.dataSync() as Float32Array | undefined) ?? new Float32Array(0)),
  };
  tf.dispose([energy, forces, loss, ...(reference ? [reference] : []), ...Object.values(grads)]);
  disposeGraphContext(ctx);
  return out;
}

/** A small EGNN on two rMD17 ethanol frames; `compute()` runs on the current backend. */
export function smallEgnnCase(): { readonly model: EgnnModel; readonly names: string[]; compute(): EgnnResults } {
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const model = createEgnn({ species: [1, 6, 8], features: 8, layers: 2, cutoff: 4, radialBasis: 4, updateCoordinates: true, seed: 2 }, { referenceEnergies: [0, 0, 0], scale: 5, shift: 0 });
  const names = Object.keys(model.params).sort();
  const compute = (): EgnnResults => energyForcesAndForceLossGradients(model, frames, 4, true);
  return { model, names, compute };
}

/** Energies and forces within 1e-4, each weight gradient within 1e-3 of its largest cpu component. */
export function assertSameEgnnResults(actual: EgnnResults, cpu: EgnnResults, names: readonly string[]): void {
  assert.ok(maxDifference(actual.energy, cpu.energy) < 1e-4);
  assert.ok(maxDifference(actual.forces, cpu.forces) < 1e-4);
  names.forEach((name, k) => {
    const scale = Math.max(1e-3, ...Array.from(cpu.gradients[k]!, Math.abs));
    assert.ok(maxDifference(actual.gradients[k]!, cpu.gradients[k]!) < 1e-3 * scale, `gradient of ${name}`);
  });
}
