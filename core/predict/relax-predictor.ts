/**
 * Geometry relaxation as a batch-pipeline step: a Predictor whose "prediction" of each structure is its relaxed
 * structure (Prediction.structure) with the final energy, largest force, step count and convergence as values, so
 * `runBatchJob` (core/pipeline/job.ts) gives relaxations the same streaming, ordering, error rows, resume and
 * sharding as predictions: one relaxed structure per input record, in order.
 *
 * A relaxation that converges or runs out of steps is an ok row (converged 1 or 0); one the sampler stops (a
 * watchdog, a calculator error) is an error row whose message names the step and the atoms.
 */
import { structureLabel, type Calculator } from '../calc/calculator';
import type { FixedAtoms, SamplerFrame, SamplerReport } from '../sampling/frames';
import type { RelaxOptions } from '../sampling/options';
import { relax } from '../sampling/relax/relax';
import { SELECTIVE_DYNAMICS_ARRAY } from '../formats/poscar/index';
import { createStructure, type AtomArray, type PropertyValue, type Structure } from '../structure/structure';
import type { Prediction, PredictionColumn, Predictor } from './predictor';

export const RELAX_COLUMNS: readonly PredictionColumn[] = [
  { key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' },
  { key: 'fmax', label: 'Largest force', unit: 'eV/Å', kind: 'number' },
  { key: 'steps', label: 'Steps', unit: '', kind: 'number' },
  { key: 'converged', label: 'Converged (1 yes, 0 no)', unit: '', kind: 'number' },
];

/** Labels of the input that describe its old geometry and would be wrong on the relaxed one. */
const STALE_PROPERTIES = ['energy', 'free_energy', 'stress', 'virial', 'fmax', 'steps', 'converged'];
const STALE_ARRAYS = ['forces', 'energies', 'stresses'];

/** Watches one structure's relaxation (a trajectory file): every frame, then the report. */
export interface RelaxObserver {
  frame(frame: SamplerFrame): void | Promise<void>;
  /** After the last frame; `report` is undefined when the relaxation threw. */
  end(report: SamplerReport | undefined): void | Promise<void>;
}

export interface RelaxPredictorOptions {
  /** Evaluates energies and forces; the caller owns it (and disposes it). */
  readonly calculator: Calculator;
  /** Optimizer settings; `fixed` adds to each structure's own selective-dynamics flags. */
  readonly relax?: Omit<RelaxOptions, 'signal'>;
  /** Called when a structure's relaxation starts; the observer sees its frames. */
  readonly observe?: (structure: Structure) => RelaxObserver | undefined | Promise<RelaxObserver | undefined>;
  readonly id?: string;
}

/**
 * Atoms the structure itself holds in place: POSCAR selective dynamics / extXYZ `move_mask` (true = free along
 * that axis). An atom frozen along any axis is held entirely: the samplers take whole atoms (ASE's FixAtoms), not
 * ASE's per-axis FixCartesian.
 */
export function fixedAtomsOf(structure: Structure): Set<number> {
  const fixed = new Set<number>();
  const mask = structure.atomArrays[SELECTIVE_DYNAMICS_ARRAY];
  if (!mask || mask.kind !== 'bool' || mask.width !== 3) return fixed;
  for (let i = 0; i < structure.numbers.length; i++) {
    if (!mask.data[3 * i] || !mask.data[3 * i + 1] || !mask.data[3 * i + 2]) fixed.add(i);
  }
  return fixed;
}

/** The relaxed structure: the input with the final positions (and cell), its forces and the relaxation's values. */
export function relaxedStructure(input: Structure, frame: SamplerFrame, values: Record<string, PropertyValue>): Structure {
  const properties: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(input.properties)) if (!STALE_PROPERTIES.includes(key)) properties[key] = value;
  Object.assign(properties, values);
  if (frame.stress) properties['stress'] = Array.from(frame.stress);
  const atomArrays: Record<string, AtomArray> = {};
  for (const [key, array] of Object.entries(input.atomArrays)) if (!STALE_ARRAYS.includes(key)) atomArrays[key] = array;
  atomArrays['forces'] = { kind: 'float', width: 3, data: Float64Array.from(frame.forces) };
  const cell = frame.cell ?? input.cell;
  return createStructure({
    name: input.name,
    numbers: input.numbers,
    positions: Float64Array.from(frame.positions),
    ...(input.bonds ? { bonds: input.bonds } : {}),
    ...(input.formalCharges ? { formalCharges: input.formalCharges } : {}),
    ...(input.isotopes ? { isotopes: input.isotopes } : {}),
    charge: input.charge,
    multiplicity: input.multiplicity,
    ...(cell ? { cell: Float64Array.from(cell) } : {}),
    pbc: input.pbc,
    properties,
    atomArrays,
    ...(input.provenance ? { provenance: input.provenance } : {}),
  });
}

class RelaxCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export function createRelaxPredictor(options: RelaxPredictorOptions): Predictor {
  const { calculator } = options;
  const settings = options.relax ?? {};

  const relaxOne = async (structure: Structure, index: number, signal?: AbortSignal): Promise<Prediction | Error> => {
    const label = structureLabel(structure, index);
    const unsupported = calculator.unsupportedReason(structure);
    if (unsupported) return new Error(`${calculator.description.id} cannot evaluate ${label}: ${unsupported}`);
    const n = structure.numbers.length;
    const outside = [...(settings.fixed ?? [])].filter((a) => a < 0 || a >= n);
    if (outside.length > 0) {
      return new Error(`${label} has ${n} atoms; cannot fix atom${outside.length > 1 ? 's' : ''} ${outside.map((a) => a + 1).join(', ')}`);
    }
    const fixed: FixedAtoms = new Set([...fixedAtomsOf(structure), ...(settings.fixed ?? [])]);
    const observer = await options.observe?.(structure);
    const run = relax(structure, calculator, { ...settings, fixed, ...(signal ? { signal } : {}) });
    let last: SamplerFrame | undefined;
    let report: SamplerReport | undefined;
    try {
      for (;;) {
        const next = await run.next();
        if (next.done) {
          report = next.value;
          break;
        }
        last = next.value;
        await observer?.frame(next.value);
      }
    } finally {
      await observer?.end(report);
    }
    if (report.status === 'cancelled' || signal?.aborted) throw new RelaxCancelledError();
    if (report.status === 'stopped' || !last) {
      return new Error(`relaxation of ${label} stopped: ${report.problem?.message ?? report.summary}`);
    }
    const values = { energy: last.energy, fmax: last.fmax, steps: report.steps, converged: report.status === 'converged' ? 1 : 0 };
    return { values, structure: relaxedStructure(structure, last, values), atomArrays: { forces: { width: 3, data: Float64Array.from(last.forces) } } };
  };

  return {
    id: options.id ?? `relax:${calculator.description.id}`,
    description: `${settings.optimizer ?? 'fire'} relaxation with ${calculator.description.name}`,
    columns: RELAX_COLUMNS,
    batchSize: 1,
    async predict(batch, signal) {
      const out: Array<Prediction | Error> = [];
      for (let i = 0; i < batch.length; i++) out.push(await relaxOne(batch[i]!, i, signal));
      return out;
    },
  };
}
