/**
 * Runs a property model over structures in batches and returns host arrays (the one evaluation path of property
 * models: used by evaluation, the trainer's validation, the ensemble and the predictor). Leaves no tensors behind.
 *
 * Layout of `values[name]` for N structures: graph scalars [N], dipole [N·3] (D), charges [Σ nAtoms] (e),
 * energy [N] (eV); `forces` [Σ nAtoms · 3] (eV/Å); graph g owns atoms atomStart[g] .. atomStart[g+1]-1.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { buildHostGraph, graphContextFromHost } from '../geometry/batch';
import type { ModelParams } from '../model';
import type { PropertyModel } from './property-model';

export interface PropertyPredictions {
  readonly structures: number;
  readonly values: Readonly<Record<string, Float32Array>>;
  readonly forces?: Float32Array;
  readonly atomStart: Int32Array;
}

export interface PredictPropertiesOptions {
  readonly params?: ModelParams;
  readonly forces?: boolean;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Predictions for `structures` (throws, naming the structure, for an element the model does not know). */
export async function predictProperties(model: PropertyModel, structures: readonly Structure[], options: PredictPropertiesOptions = {}): Promise<PropertyPredictions> {
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const wantForces = (options.forces ?? false) && model.outputs.some((o) => o.kind === 'energy');
  const atomStart = new Int32Array(structures.length + 1);
  structures.forEach((s, g) => (atomStart[g + 1] = atomStart[g]! + s.numbers.length));
  const nAtoms = atomStart[structures.length]!;
  const values: Record<string, Float32Array> = {};
  for (const o of model.outputs) {
    values[o.name] = new Float32Array(o.kind === 'atom-scalar' ? nAtoms : o.kind === 'graph-vector' ? 3 * structures.length : structures.length);
  }
  const forces = wantForces ? new Float32Array(3 * nAtoms) : undefined;
  for (let start = 0; start < structures.length; start += batchSize) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('prediction cancelled');
    const batch = structures.slice(start, start + batchSize);
    const host = buildHostGraph(batch, { cutoff: model.cutoff, species: model.species });
    const tensors = tf.tidy(() => {
      const ctx = graphContextFromHost(host);
      const out = model.apply(ctx, { ...(options.params ? { params: options.params } : {}), totalCharges: batch.map((s) => s.charge), forces: wantForces });
      const list: Array<[string, tf.Tensor]> = Object.entries(out.scalars);
      if (out.charges) list.push(['charges', out.charges]);
      if (out.dipole) list.push(['dipole', out.dipole]);
      if (out.energy) list.push(['energy', out.energy]);
      if (out.forces) list.push(['forces', out.forces]);
      return Object.fromEntries(list);
    });
    try {
      const atomOffset = atomStart[start]!;
      for (const o of model.outputs) {
        const key = o.kind === 'atom-scalar' ? 'charges' : o.kind === 'graph-vector' ? 'dipole' : o.kind === 'energy' ? 'energy' : o.name;
        const data = (await tensors[key]!.data()) as Float32Array;
        values[o.name]!.set(data, o.kind === 'atom-scalar' ? atomOffset : o.kind === 'graph-vector' ? 3 * start : start);
      }
      if (forces) forces.set((await tensors['forces']!.data()) as Float32Array, 3 * atomOffset);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }
  return { structures: structures.length, values, ...(forces ? { forces } : {}), atomStart };
}
