/**
 * A conformer ensemble document (origin.kind 'conformers', structures sorted by energy with the properties
 * energy eV, relative_energy kcal/mol, boltzmann_weight and conformer_rank) as the app shows it: the conformers
 * superposed on the lowest one, the chart's bars, and the job's progress line. Pure, so it is tested in Node.
 */
import type { ColumnValues, DocumentInfo, JobProgress } from '../../core/contract/equimol-api';
import { heavyAtoms, superpose } from '../../core/sampling/relax/rmsd';
import type { Structure } from '../../core/structure';

/** 1 eV in kcal/mol (CODATA 2018: 1 eV = 96.485332 kJ/mol, 1 kcal = 4.184 kJ). */
export const KCAL_PER_EV = 96.485332 / 4.184;

/** Columns of an ensemble document the chart and the table use. */
export const ENSEMBLE_KEYS = ['relative_energy', 'boltzmann_weight', 'energy', 'conformer_rank'] as const;

export function isConformerEnsemble(doc: DocumentInfo | undefined): boolean {
  return doc?.origin?.kind === 'conformers';
}

/**
 * Each structure moved rigidly onto `structures[reference]` by the Kabsch (Horn quaternion) superposition of its
 * heavy atoms (all atoms when fewer than three are heavy), core/sampling/relax/rmsd.ts. A structure whose atoms
 * differ from the reference's (count or elements) is returned unmoved, and so is the reference itself.
 */
export function alignConformers(structures: readonly Structure[], reference = 0): Structure[] {
  const target = structures[reference];
  if (!target) return [...structures];
  const heavy = heavyAtoms(target.numbers);
  const atoms = heavy.length >= 3 ? heavy : undefined;
  return structures.map((s, k) => {
    if (k === reference || s.numbers.length !== target.numbers.length || s.numbers.some((z, i) => z !== target.numbers[i])) return s;
    const { rotation: r, mobileCentre: c, targetCentre: t } = superpose(s.positions, target.positions, atoms);
    const positions = new Float64Array(s.positions.length);
    for (let i = 0; i < s.numbers.length; i++) {
      const x = s.positions[3 * i]! - c[0], y = s.positions[3 * i + 1]! - c[1], z = s.positions[3 * i + 2]! - c[2];
      for (let j = 0; j < 3; j++) positions[3 * i + j] = r[3 * j]! * x + r[3 * j + 1]! * y + r[3 * j + 2]! * z + t[j]!;
    }
    return { ...s, positions };
  });
}

export interface EnsembleBars {
  /** Conformer rank, 1-based, one per structure in document order. */
  readonly x: readonly number[];
  /** Structure index (0-based) of each bar. */
  readonly index: readonly number[];
  /** kcal/mol above the lowest conformer. */
  readonly relativeEnergy: readonly (number | null)[];
  /** Boltzmann weight at the ensemble's temperature (sums to 1). */
  readonly weight: readonly (number | null)[];
}

/**
 * Bars of an ensemble from its columns: relative_energy (kcal/mol), else the energy (eV) above the lowest one in
 * kcal/mol; and boltzmann_weight. Values that are not finite are gaps (null).
 */
export function ensembleBars(values: ColumnValues): EnsembleBars {
  const finite = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  const n = values.index.length;
  const relative = values.values['relative_energy'];
  const energy = values.values['energy'];
  let relativeEnergy: (number | null)[];
  if (relative && relative.some((v) => finite(v) !== null)) relativeEnergy = relative.map(finite);
  else if (energy) {
    const known = energy.map(finite).filter((v): v is number => v !== null);
    const lowest = known.length > 0 ? Math.min(...known) : 0;
    relativeEnergy = energy.map((v) => (finite(v) === null ? null : (v! - lowest) * KCAL_PER_EV));
  } else relativeEnergy = Array.from({ length: n }, () => null);
  const weight = (values.values['boltzmann_weight'] ?? Array.from({ length: n }, () => null)).map(finite);
  return { x: values.index.map((_, k) => k + 1), index: values.index, relativeEnergy, weight };
}

const STAGES: Readonly<Record<string, string>> = { embedding: 'embedding', annealing: 'annealing', relaxing: 'relaxing', deduplicating: 'deduplicating' };

/**
 * Progress of a conformers job: 'annealing · rung 3/8 · T 650 K · ESS 32.0, 24.5, 18.3 · E −4210.1234 eV'
 * (the Kish effective sample size of every rung so far); '' when the job reports no sampler status.
 */
export function conformersStatusText(job: JobProgress): string {
  const s = job.sampler;
  if (!s) return '';
  const parts: string[] = [];
  if (s.stage) parts.push(STAGES[s.stage] ?? s.stage);
  if (s.rung !== undefined) parts.push(`rung ${Math.min(s.rung + 1, s.rungs ?? Infinity)}/${s.rungs ?? '?'}`);
  if (s.temperature !== undefined) parts.push(`T ${s.temperature.toFixed(0)} K`);
  if (s.ess && s.ess.length > 0) parts.push(`ESS ${s.ess.map((e) => e.toFixed(1)).join(', ')}`);
  if (Number.isFinite(s.energy)) parts.push(`E ${s.energy.toFixed(4)} eV`);
  return parts.join(' · ');
}
