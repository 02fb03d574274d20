/**
 * A property model or ensemble (core/engine/properties) as a batch predictor. Columns, for the declared outputs:
 *
 *   homo, lumo, gap … (eV)   graph scalars, by their declared names and units
 *   dipole (D, vector of 3), dipole_norm (D)
 *   energy (eV)
 *   per atom: charges (e, width 1); forces (eV/Å, width 3) when an energy is declared
 *
 * An ensemble (≥ 2 members) adds the calibrated spread `<name>_std` of every column (charges_std per atom,
 * forces_spread = per-atom norm of the force std) and `in_domain`: 'yes', or why not ('gap spread above
 * threshold (…)'). A structure with an element the model does not know is an error row naming the element, for one
 * model and an ensemble alike: never an 'ok' row without values.
 *
 * The tfjs backend must be initialised by the caller. No tensors outlive a predict() call.
 */
import type { Structure } from '../structure/structure';
import { symbolOf } from '../structure/elements';
import type { EnsemblePredictions, PropertyEnsemble } from '../engine/properties/ensemble';
import type { OutputDeclaration } from '../engine/properties/outputs';
import { float32Decimal, float32Decimals } from '../util/float32-decimal';
import type { Prediction, PredictionColumn, PredictionValue, Predictor } from './predictor';

export interface PropertyModelPredictorOptions {
  /** E.g. 'model:qm9xtb-properties'. */
  readonly id: string;
  readonly description?: string;
  readonly batchSize?: number;
  /** Dispose the ensemble when the predictor is disposed (default true). */
  readonly ownsModel?: boolean;
}

/** The columns of a property model with these outputs (`ensemble`: with spreads and in_domain). */
export function propertyPredictorColumns(outputs: readonly Pick<OutputDeclaration, 'name' | 'kind' | 'unit'>[], ensemble: boolean): PredictionColumn[] {
  const columns: PredictionColumn[] = [];
  const add = (c: PredictionColumn) => {
    columns.push(c);
    if (ensemble) columns.push({ ...c, key: `${c.key}_std`, label: `${c.label} spread (calibrated std)` });
  };
  for (const o of outputs) {
    if (o.kind === 'graph-scalar') add({ key: o.name, label: o.name.toUpperCase() === o.name ? o.name : o.name.replace(/^./, (c) => c.toUpperCase()), unit: o.unit, kind: 'number' });
    else if (o.kind === 'graph-vector') {
      add({ key: o.name, label: 'Dipole vector', unit: o.unit, kind: 'vector', width: 3 });
      add({ key: `${o.name}_norm`, label: 'Dipole magnitude |μ|', unit: o.unit, kind: 'number' });
    } else if (o.kind === 'energy') add({ key: o.name, label: 'Energy', unit: 'eV', kind: 'number' });
  }
  if (ensemble) columns.push({ key: 'in_domain', label: 'In domain', unit: '', kind: 'string' });
  return columns;
}

function unknownElements(structure: Structure, species: readonly number[]): string[] {
  const known = new Set(species);
  return [...new Set(structure.numbers)].filter((z) => !known.has(z)).map(symbolOf);
}

function label(structure: Structure, k: number): string {
  return structure.provenance ? `${structure.provenance.file} record ${structure.provenance.record + 1}` : `structure ${k + 1}${structure.name ? ` (${structure.name})` : ''}`;
}

export function createPropertyModelPredictor(ensemble: PropertyEnsemble, options: PropertyModelPredictorOptions): Predictor {
  const batchSize = options.batchSize ?? 32;
  const isEnsemble = ensemble.members.length > 1;
  const columns = propertyPredictorColumns(ensemble.outputs, isEnsemble);

  /** One structure's row from the ensemble's arrays (structure g of `p`). */
  const rowOf = (p: EnsemblePredictions, g: number): Prediction => {
    const values: Record<string, PredictionValue> = {};
    const atomArrays: Record<string, { width: number; data: Float64Array }> = {};
    const start = p.mean.atomStart[g]!, end = p.mean.atomStart[g + 1]!;
    const reasons: string[] = [];
    for (const o of ensemble.outputs) {
      const mean = p.mean.values[o.name]!, std = p.std?.values[o.name];
      if (o.kind === 'graph-scalar' || o.kind === 'energy') {
        values[o.name] = float32Decimal(mean[g]!);
        if (std) {
          values[`${o.name}_std`] = float32Decimal(std[g]!);
          const threshold = ensemble.domainThresholds[o.name];
          if (threshold !== undefined && std[g]! > threshold) reasons.push(`${o.name} spread above threshold (${float32Decimal(std[g]!)} > ${float32Decimal(threshold)} ${o.unit})`);
        }
      } else if (o.kind === 'graph-vector') {
        const v = Array.from(mean.subarray(3 * g, 3 * g + 3));
        values[o.name] = v.map(float32Decimal);
        values[`${o.name}_norm`] = float32Decimal(Math.hypot(v[0]!, v[1]!, v[2]!));
        if (std) {
          values[`${o.name}_std`] = Array.from(std.subarray(3 * g, 3 * g + 3), float32Decimal);
          // Spread of |μ| over the members.
          const norms = p.members.map((m) => Math.hypot(m.values[o.name]![3 * g]!, m.values[o.name]![3 * g + 1]!, m.values[o.name]![3 * g + 2]!));
          const mu = norms.reduce((a, b) => a + b, 0) / norms.length;
          const s = Math.sqrt(norms.reduce((a, b) => a + (b - mu) ** 2, 0) / norms.length) * (ensemble.calibration[o.name] ?? 1);
          values[`${o.name}_norm_std`] = float32Decimal(s);
        }
      } else {
        atomArrays[o.name] = { width: 1, data: float32Decimals(mean.subarray(start, end)) };
        if (std) atomArrays[`${o.name}_std`] = { width: 1, data: float32Decimals(std.subarray(start, end)) };
      }
    }
    if (p.mean.forces) atomArrays['forces'] = { width: 3, data: float32Decimals(p.mean.forces.subarray(3 * start, 3 * end)) };
    if (p.forcesSpread) {
      const spread = p.forcesSpread.subarray(start, end);
      atomArrays['forces_spread'] = { width: 1, data: float32Decimals(spread) };
      const threshold = ensemble.domainThresholds['forces'];
      const largest = spread.reduce((a, b) => Math.max(a, b), 0);
      if (threshold !== undefined && largest > threshold) reasons.push(`force spread above threshold (${float32Decimal(largest)} > ${float32Decimal(threshold)} eV/Å)`);
    }
    if (isEnsemble) values['in_domain'] = reasons.length === 0 ? 'yes' : reasons.join('; ');
    return { values, atomArrays };
  };

  const predictSome = async (structures: readonly Structure[], signal?: AbortSignal): Promise<Prediction[]> => {
    const p = await ensemble.predict(structures, { forces: ensemble.hasEnergy, batchSize, ...(signal ? { signal } : {}) });
    return structures.map((_, g) => rowOf(p, g));
  };

  return {
    id: options.id,
    description: options.description ?? `property model (${ensemble.outputs.map((o) => o.name).join(', ')})${isEnsemble ? `, ensemble of ${ensemble.members.length} with calibrated spread` : ''}`,
    columns,
    batchSize,
    async predict(batch, signal) {
      const results = new Array<Prediction | Error>(batch.length);
      const usable: number[] = [];
      batch.forEach((structure, k) => {
        if (structure.numbers.length === 0) results[k] = new Error(`${label(structure, k)}: the structure has no atoms`);
        else {
          const unknown = unknownElements(structure, ensemble.species);
          // An element the model never saw is an error row naming it (never an 'ok' row with empty values).
          if (unknown.length === 0) usable.push(k);
          else results[k] = new Error(`${label(structure, k)}: element ${unknown.join(', ')} is not known to ${options.id} (knows ${ensemble.species.map(symbolOf).join(', ')})`);
        }
      });
      if (usable.length > 0) {
        const structures = usable.map((k) => batch[k]!);
        try {
          (await predictSome(structures, signal)).forEach((row, j) => (results[usable[j]!] = row));
        } catch (batchError) {
          if (signal?.aborted) throw batchError;
          // One structure broke the batch: evaluate one by one so only it fails.
          for (const k of usable) {
            try {
              results[k] = (await predictSome([batch[k]!], signal))[0]!;
            } catch (error) {
              results[k] = new Error(`${label(batch[k]!, k)}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }
      }
      // Non-finite outputs (atoms on top of each other) become error rows, as for the energy models.
      return results.map((r, k) => {
        if (r instanceof Error) return r;
        const bad = Object.entries(r.values).find(([, v]) => (typeof v === 'number' && !Number.isFinite(v)) || (Array.isArray(v) && v.some((x) => !Number.isFinite(x))));
        return bad ? new Error(`${label(batch[k]!, k)}: the model's ${bad[0]} is not finite`) : r;
      });
    },
    dispose() {
      if (options.ownsModel ?? true) ensemble.dispose();
    },
  };
}
