/**
 * The training loss of one batch, or of one part of a batch, and its gradient with respect to the weights.
 *
 *   L = w_E · Σ_g ((E_g − E_g^ref) / N_g)² / G  +  w_F · Σ_{i,α} (F_iα − F_iα^ref)² / (3N)      (eV², (eV/Å)²)
 *
 * G and N count the graphs and atoms of the whole batch. A part normalised by the whole batch's counts gives a
 * partial loss; the partial losses and gradients of the parts add up to those of the whole batch. That is what lets
 * a trainer split a batch across threads (main/train/gradient-helpers.ts) and still take the same step.
 * Forces come from the shared energyAndForces, so the force term differentiates a gradient (second order).
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { buildGraphContext } from '../geometry/batch';
import { disposeGraphContext } from '../graph/graph-context';
import { energyAndForces, type EnergyModel } from '../model';
import { referenceEnergy, referenceForces } from '../eval';

export interface LossWeights {
  /** Weight of the per-atom energy MSE (eV²). */
  readonly energyWeight: number;
  /** Weight of the force-component MSE ((eV/Å)²); 0 skips forces (no second order). */
  readonly forceWeight: number;
  readonly energyKey?: string;
  readonly forcesKey?: string;
}

/** Counts of the whole batch that normalise the loss of each of its parts. */
export interface BatchCounts {
  readonly graphs: number;
  readonly atoms: number;
}

export interface LossAndGradients {
  readonly loss: number;
  /** One entry per weight tensor, in the order given; undefined where the loss does not reach the tensor. */
  readonly gradients: Array<Float32Array | undefined>;
}

/**
 * Names of the model's weight tensors in the one order that host-side weight and gradient arrays follow (sorted),
 * in the trainer, its optimiser and its helper threads alike.
 */
export function weightNames(model: EnergyModel): string[] {
  return Object.keys(model.params).sort();
}

/** Copies host arrays (one per weight tensor, in `variables`' order) into the weight variables; the arrays stay the caller's. */
export function assignWeights(variables: readonly tf.Variable[], values: readonly Float32Array[]): void {
  if (values.length !== variables.length) throw new Error(`expected ${variables.length} weight tensors, got ${values.length}`);
  tf.tidy(() => variables.forEach((v, k) => v.assign(tf.tensor(values[k]!.slice(), v.shape, 'float32'))));
}

export function countsOf(batch: readonly Structure[]): BatchCounts {
  return { graphs: batch.length, atoms: batch.reduce((n, st) => n + st.numbers.length, 0) };
}

/** Loss of `part` (normalised by `counts`, by default its own) and its gradient with respect to `variables`. */
export function batchLossAndGradients(
  model: EnergyModel,
  variables: readonly tf.Variable[],
  part: readonly Structure[],
  weights: LossWeights,
  counts: BatchCounts = countsOf(part),
): LossAndGradients {
  const { energyWeight, forceWeight } = weights;
  const ctx = buildGraphContext(part, { cutoff: model.cutoff, species: model.species });
  const refEnergy = tf.tensor1d(part.map((st) => referenceEnergy(st, weights.energyKey) ?? 0)); // [nGraphs] eV
  const atomsPerGraph = tf.tensor1d(part.map((st) => st.numbers.length)); // [nGraphs]
  const refForces = forceWeight > 0 // [nAtoms, 3] eV/Å
    ? tf.tensor2d(part.flatMap((st) => Array.from(referenceForces(st, weights.forcesKey)!)), [ctx.nAtoms, 3])
    : undefined;
  try {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => {
      const { energy, forces } = energyAndForces(model, ctx);
      const energyError = tf.div(tf.sub(energy, refEnergy), atomsPerGraph); // [nGraphs] eV/atom
      let loss = tf.mul(tf.sum(tf.square(energyError)), energyWeight / counts.graphs);
      if (refForces) loss = tf.add(loss, tf.mul(tf.sum(tf.square(tf.sub(forces, refForces))), forceWeight / (3 * counts.atoms)));
      return loss as tf.Scalar;
    }, [...variables]));
    try {
      return {
        loss: value.dataSync()[0]!,
        gradients: variables.map((v) => grads[v.name]?.dataSync() as Float32Array | undefined),
      };
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([refEnergy, atomsPerGraph, ...(refForces ? [refForces] : [])]);
    disposeGraphContext(ctx);
  }
}

/** Adds `parts` (same layout) into one loss and one set of gradients. */
export function sumLossAndGradients(parts: readonly LossAndGradients[]): LossAndGradients {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const gradients = first.gradients.map((_, k) => {
    const present = parts.map((p) => p.gradients[k]).filter((g): g is Float32Array => g !== undefined);
    if (present.length === 0) return undefined;
    const sum = Float32Array.from(present[0]!);
    for (const g of present.slice(1)) for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + g[i]!;
    return sum;
  });
  return { loss: parts.reduce((s, p) => s + p.loss, 0), gradients };
}
