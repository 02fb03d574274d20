/**
 * Per-output errors of property predictions in the units chemists use:
 *   orbital energies and other eV scalars   MAE / RMSE in meV
 *   dipole (D)                              MAE / RMSE of the vector components and MAE of |μ|, in D
 *   charges (e)                             MAE / RMSE per atom in me (milli-e)
 *   energy (eV)                             MAE / RMSE in meV/atom; forces MAE / RMSE in meV/Å
 * With spreads (an ensemble's std, same layout as the predictions) each output also gets the Spearman correlation
 * of |error| with spread and the miscalibration area (uncertainty.ts).
 */
import type { Structure } from '../../structure/structure';
import type { ModelParams } from '../model';
import { referenceForcesOf, referenceValues, type OutputDeclaration } from './outputs';
import { predictProperties, type PropertyPredictions } from './predict-properties';
import type { PropertyModel } from './property-model';
import { miscalibrationArea, spearman } from './uncertainty';

/** Flat named metrics, e.g. gapMAE_meV, dipoleNormMAE_D, chargesMAE_me, forcesMAE_meV_per_A. */
export type PropertyMetricValues = Record<string, number>;

export interface PropertyMetrics {
  readonly dataset: string;
  readonly structures: number;
  readonly metrics: PropertyMetricValues;
}

/** Paired errors of one output (and of forces under the name 'forces'), flattened, with the scale to report them in. */
export interface OutputErrors {
  readonly name: string;
  /** prediction − reference, in the output's unit, per compared value. */
  readonly errors: Float64Array;
  /** The matching spread (std) values when given. */
  readonly spreads?: Float64Array;
}

/** Reporting unit and factor from a model unit: eV → meV, e → me, D → D, eV/Å → meV/Å. */
export function reportingUnit(output: Pick<OutputDeclaration, 'kind' | 'unit'> | 'forces'): { suffix: string; factor: number } {
  if (output === 'forces') return { suffix: 'meV_per_A', factor: 1000 };
  if (output.kind === 'energy') return { suffix: 'meV_per_atom', factor: 1000 };
  if (output.unit === 'eV') return { suffix: 'meV', factor: 1000 };
  if (output.unit === 'e') return { suffix: 'me', factor: 1000 };
  return { suffix: output.unit, factor: 1 };
}

/** Errors per output (energy per atom; forces per component), aligned with the spreads when `spreads` is given. */
export function collectErrors(outputs: readonly OutputDeclaration[], structures: readonly Structure[], predictions: PropertyPredictions, spreads?: PropertyPredictions): OutputErrors[] {
  const result: OutputErrors[] = [];
  for (const o of outputs) {
    const errors: number[] = [], spread: number[] = [];
    const pred = predictions.values[o.name]!, std = spreads?.values[o.name];
    structures.forEach((s, g) => {
      const ref = referenceValues(s, o);
      if (!ref) return;
      const n = s.numbers.length;
      const base = o.kind === 'atom-scalar' ? predictions.atomStart[g]! : o.kind === 'graph-vector' ? 3 * g : g;
      const perAtom = o.kind === 'energy' ? 1 / Math.max(1, n) : 1;
      for (let k = 0; k < ref.length; k++) {
        errors.push((pred[base + k]! - ref[k]!) * perAtom);
        if (std) spread.push(std[base + k]! * perAtom);
      }
    });
    result.push({ name: o.name, errors: Float64Array.from(errors), ...(std ? { spreads: Float64Array.from(spread) } : {}) });
    if (o.kind === 'energy' && predictions.forces) {
      const fe: number[] = [], fs: number[] = [];
      structures.forEach((s, g) => {
        const ref = referenceForcesOf(s);
        if (!ref) return;
        const base = 3 * predictions.atomStart[g]!;
        for (let k = 0; k < ref.length; k++) {
          fe.push(predictions.forces![base + k]! - ref[k]!);
          if (spreads?.forces) fs.push(spreads.forces[base + k]!);
        }
      });
      result.push({ name: 'forces', errors: Float64Array.from(fe), ...(spreads?.forces ? { spreads: Float64Array.from(fs) } : {}) });
    }
  }
  return result;
}

/** MAE/RMSE (and calibration figures with spreads) of every output, in reporting units. */
export function metricsFromErrors(outputs: readonly OutputDeclaration[], errors: readonly OutputErrors[], structures: readonly Structure[], predictions: PropertyPredictions): PropertyMetricValues {
  const metrics: PropertyMetricValues = {};
  for (const e of errors) {
    const decl = outputs.find((o) => o.name === e.name);
    const { suffix, factor } = reportingUnit(decl ?? 'forces');
    const n = e.errors.length;
    if (n === 0) continue;
    let abs = 0, sq = 0;
    for (const v of e.errors) { abs += Math.abs(v); sq += v * v; }
    metrics[`${e.name}MAE_${suffix}`] = (factor * abs) / n;
    metrics[`${e.name}RMSE_${suffix}`] = factor * Math.sqrt(sq / n);
    if (e.spreads) {
      metrics[`${e.name}Spearman`] = spearman(Float64Array.from(e.errors, Math.abs), e.spreads);
      metrics[`${e.name}MiscalibrationArea`] = miscalibrationArea(e.errors, e.spreads);
    }
  }
  // Dipole magnitude error |μ_pred| − |μ_ref| (D).
  const dipole = outputs.find((o) => o.kind === 'graph-vector');
  if (dipole) {
    let abs = 0, count = 0;
    structures.forEach((s, g) => {
      const ref = referenceValues(s, dipole);
      if (!ref) return;
      const p = predictions.values[dipole.name]!;
      abs += Math.abs(Math.hypot(p[3 * g]!, p[3 * g + 1]!, p[3 * g + 2]!) - Math.hypot(ref[0]!, ref[1]!, ref[2]!));
      count++;
    });
    if (count > 0) metrics[`${dipole.name}NormMAE_D`] = abs / count;
  }
  return metrics;
}

/** Predicts `structures` and returns per-output metrics (forces too when an energy is declared). */
export async function evaluatePropertyModel(model: PropertyModel, structures: readonly Structure[], options: { params?: ModelParams; dataset?: string; batchSize?: number; signal?: AbortSignal } = {}): Promise<PropertyMetrics> {
  const predictions = await predictProperties(model, structures, {
    forces: true,
    ...(options.params ? { params: options.params } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const errors = collectErrors(model.outputs, structures, predictions);
  return { dataset: options.dataset ?? 'evaluation', structures: structures.length, metrics: metricsFromErrors(model.outputs, errors, structures, predictions) };
}

/** A one-line summary: 'gap 123.4 meV, dipole 0.21 D, charges 12.3 me'. */
export function summariseMetrics(outputs: readonly OutputDeclaration[], metrics: PropertyMetricValues): string {
  const parts: string[] = [];
  for (const o of outputs) {
    const { suffix } = reportingUnit(o);
    const v = metrics[`${o.name}MAE_${suffix}`];
    if (v !== undefined) parts.push(`${o.name} ${v.toFixed(suffix === 'D' ? 3 : 1)} ${suffix.replace('_per_atom', '/atom')}`);
    if (o.kind === 'energy' && metrics['forcesMAE_meV_per_A'] !== undefined) parts.push(`forces ${metrics['forcesMAE_meV_per_A']!.toFixed(1)} meV/Å`);
  }
  return parts.join(', ');
}
