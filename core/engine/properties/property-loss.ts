/**
 * The training loss of a property model on one batch, and its gradient with respect to the weights:
 *
 *   L = Σ_t w_t · mean_k ((ŷ_tk − y_tk) / σ_t)²
 *
 * over the declared targets t (graph scalars per structure, dipole per component, charges per atom, energy per atom
 * with σ = its per-atom std) plus, when an energy is declared and forces are weighted, w_F · mean ((F̂ − F)/σ_F)²
 * with σ_F the trunk's force scale. Only the forces term differentiates a gradient (second order); without it the
 * loss is first order.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { buildGraphContext } from '../geometry/batch';
import { disposeGraphContext } from '../graph/graph-context';
import { referenceForcesOf, referenceValues } from './outputs';
import type { PropertyModel } from './property-model';

/** Loss weights by output name ('forces' for the force term); missing names weigh 1 (forces: 0 unless given). */
export type PropertyLossWeights = Readonly<Record<string, number>>;

function structureLabel(s: Structure, k: number): string {
  return s.provenance ? `${s.provenance.file} record ${s.provenance.record + 1}` : `training structure ${k + 1}${s.name ? ` ('${s.name}')` : ''}`;
}

/** Throws naming the first structure that lacks a weighted target. */
export function checkTargets(model: PropertyModel, structures: readonly Structure[], weights: PropertyLossWeights): void {
  structures.forEach((s, k) => {
    for (const o of model.outputs) {
      if ((weights[o.name] ?? 1) === 0) continue;
      if (!referenceValues(s, o)) throw new Error(`${structureLabel(s, k)} has no '${o.key ?? o.name}' for output '${o.name}' (give it a value or weight it 0)`);
    }
    if ((weights['forces'] ?? 0) > 0 && !referenceForcesOf(s)) throw new Error(`${structureLabel(s, k)} has no forces (set the forces weight to 0)`);
  });
}

/** Loss and gradients (undefined where the loss does not reach a weight) of `batch` at the model's variables. */
export function propertyLossAndGradients(
  model: PropertyModel,
  variables: readonly tf.Variable[],
  batch: readonly Structure[],
  weights: PropertyLossWeights,
): { loss: number; gradients: Array<Float32Array | undefined> } {
  const forceWeight = model.outputs.some((o) => o.kind === 'energy') ? (weights['forces'] ?? 0) : 0;
  const ctx = buildGraphContext(batch, { cutoff: model.cutoff, species: model.species });
  const refs: Array<{ name: string; ref: tf.Tensor; weight: number; std: number }> = [];
  for (const o of model.outputs) {
    const weight = weights[o.name] ?? 1;
    if (weight === 0) continue;
    const flat: number[] = [];
    for (const s of batch) flat.push(...referenceValues(s, o)!);
    const ref = o.kind === 'graph-vector' ? tf.tensor2d(flat, [batch.length, 3]) : tf.tensor1d(flat);
    refs.push({ name: o.name, ref, weight, std: model.targets[o.name]?.std ?? 1 });
  }
  const atomsPerGraph = tf.tensor1d(batch.map((s) => Math.max(1, s.numbers.length))); // [nGraphs]
  const refForces = forceWeight > 0 ? tf.tensor2d(batch.flatMap((s) => Array.from(referenceForcesOf(s)!)), [ctx.nAtoms, 3]) : undefined;
  const forceScale = model.trunk.model.normalisation.scale;
  try {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => {
      const out = model.apply(ctx, { totalCharges: batch.map((s) => s.charge), forces: forceWeight > 0 });
      let loss: tf.Tensor = tf.scalar(0);
      for (const { name, ref, weight, std } of refs) {
        const o = model.output(name)!;
        let pred: tf.Tensor;
        if (o.kind === 'graph-scalar') pred = out.scalars[name]!;
        else if (o.kind === 'atom-scalar') pred = out.charges!;
        else if (o.kind === 'graph-vector') pred = out.dipole!;
        else pred = out.energy!;
        let error = tf.sub(pred, ref);
        if (o.kind === 'energy') error = tf.div(error, atomsPerGraph); // eV/atom
        loss = tf.add(loss, tf.mul(tf.mean(tf.square(error)), weight / (std * std)));
      }
      if (refForces && out.forces) loss = tf.add(loss, tf.mul(tf.mean(tf.square(tf.sub(out.forces, refForces))), forceWeight / (forceScale * forceScale)));
      return loss as tf.Scalar;
    }, [...variables]));
    try {
      return { loss: value.dataSync()[0]!, gradients: variables.map((v) => grads[v.name]?.dataSync() as Float32Array | undefined) };
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([...refs.map((r) => r.ref), atomsPerGraph, ...(refForces ? [refForces] : [])]);
    disposeGraphContext(ctx);
  }
}
