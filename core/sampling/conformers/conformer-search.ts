/**
 * One molecule's conformer search, the step shared by the session's conformers job and `equimol conformers`:
 * the annealed SMC sampler (conformer-sampler.ts) from the molecule (and, for a SMILES record, several seeded
 * openchemlib embeddings), then the ensemble (ensemble.ts: relaxation, connectivity and stereo checks, window,
 * symmetry-aware deduplication, Boltzmann weights) of the final replicas, the starting geometries and every rung's
 * replicas (the last through a crude relaxation screen first). Also the summary values of one molecule (a result row) and the
 * labels of the conformer properties. Units: K, fs, eV, kcal/mol, Å.
 */
import type { Calculator } from '../../calc/calculator';
import type { PredictionColumn } from '../../predict/predictor';
import type { Structure } from '../../structure/structure';
import { smilesToStructure } from '../../toolkits/embed';
import type { SmcRungReport } from '../smc/annealed-smc';
import { sampleConformers, type ConformerSample } from './conformer-sampler';
import { buildEnsemble, ENSEMBLE_DEFAULTS, type Ensemble, type EnsembleScreen, type ReplicaSample } from './ensemble';

/** The defaults of a conformer search (ConformersJobRequest, `equimol conformers`). */
export const CONFORMER_SEARCH_DEFAULTS = {
  /**
   * 16 replicas over 6 rungs of 50 steps, each step followed by a torsion move: ~10 000 evaluations of sampling
   * (a few minutes of GFN2-xTB for a 30-atom drug), where the moves and the rung snapshots, not long dynamics, find
   * the rotamers (8 × 4 × 25 already matches RDKit ETKDG+MMFF+xtb's lowest conformer on most of 20 drugs:
   * test/sampling/conformers-xtb.test.ts).
   */
  population: 16,
  startTemperature: 1200,
  temperature: 298.15,
  rungs: 6,
  stepsPerRung: 50,
  essThreshold: 0.5,
  /**
   * Metropolis torsion rotations about rotatable bonds (and secondary-amine inversions) after every Langevin step
   * (moveInterval 1): Langevin alone at 0.5 fs crosses a torsional barrier (3-5 kcal/mol) too rarely in a few
   * hundred steps per rung to reach the other rotamers; the moves carry the replicas between them (measured on
   * ephedrine with 8 replicas × 4 rungs × 25 steps: every 10 steps, lowest +2.64 kcal/mol above RDKit+xtb's;
   * every step, −0.01).
   */
  torsionMoves: true,
  moveInterval: 1,
  seed: 1,
  windowKcal: ENSEMBLE_DEFAULTS.windowKcal,
  rmsdThreshold: ENSEMBLE_DEFAULTS.rmsdThreshold,
  /** Seeded embeddings of a SMILES record (the record's own geometry included). */
  embeddings: 8,
  /**
   * Also relax the replicas at the end of every rung, not only the last: the hot rungs visit rotamers the
   * resampled population has left by the end, and a crude relaxation (ensemble.ts `screen`) makes them cheap.
   */
  rungSnapshots: true,
} as const;

export interface ConformerSearchOptions {
  readonly population?: number;
  /** K */
  readonly startTemperature?: number;
  /** Target temperature of the annealing and of the Boltzmann weights, K. */
  readonly temperature?: number;
  readonly rungs?: number;
  readonly stepsPerRung?: number;
  readonly essThreshold?: number;
  /** Torsion-space Metropolis moves (default true). */
  readonly torsionMoves?: boolean;
  readonly seed?: number;
  /** kcal/mol */
  readonly windowKcal?: number;
  /** Å */
  readonly rmsdThreshold?: number;
  /** Relax every rung's replicas too, through a crude screen (default true). */
  readonly rungSnapshots?: boolean;
  /** Starting geometries besides the molecule's own (same atoms, same order); default: SMILES embeddings, if any. */
  readonly initial?: readonly Structure[];
  readonly signal?: AbortSignal;
}

export interface ConformerSearchObserver {
  /** After each annealing rung. */
  rung?(report: SmcRungReport, essPerRung: readonly number[]): void | Promise<void>;
  /** After each replica's relaxation. */
  relaxed?(done: number, total: number): void | Promise<void>;
}

export interface ConformerSearchResult {
  readonly status: 'done' | 'stopped' | 'cancelled';
  /** Why the sampler stopped (status 'stopped'), naming the step and atoms. */
  readonly problem?: string;
  readonly ensemble?: Ensemble;
  /** Kish ESS of each rung. */
  readonly essPerRung: readonly number[];
  /** Calculator evaluations: sampler plus relaxations. */
  readonly calls: number;
  /** Starting geometries used (1 + embeddings). */
  readonly starts: number;
  /** Structures the ensemble relaxed: final replicas, starting geometries and earlier rungs' snapshots (0 when it never got there). */
  readonly candidates: number;
}

/**
 * Up to `count` − 1 more geometries of a SMILES record (property `smiles`, format smi / smiles-csv) from seeded
 * openchemlib embeddings (core/toolkits/embed.ts, seeds seed·1000 + k), with the same atoms in the same order as
 * `source`; [] for other records or when embedding fails. openchemlib must be loaded (reading SMILES does that).
 */
export function smilesEmbeddings(source: Structure, count: number, seed: number): Structure[] {
  const smiles = source.properties['smiles'];
  const format = source.provenance?.format ?? '';
  if (typeof smiles !== 'string' || !/^smi/.test(format)) return [];
  const out: Structure[] = [];
  for (let k = 1; k < count; k++) {
    try {
      const embedded = smilesToStructure(smiles, { seed: seed * 1000 + k });
      if (embedded.numbers.length === source.numbers.length && embedded.numbers.every((z, i) => z === source.numbers[i])) out.push(embedded);
    } catch {
      // openchemlib not loaded or no conformer for this seed: fewer starting points.
    }
  }
  return out;
}

/** What buildEnsemble gets from a sample: its candidates, and the crude screen when rung snapshots are among them. */
export interface EnsembleInput {
  readonly pool: ReplicaSample;
  /** Present (the screen's defaults) when there are snapshots: they multiply the candidates, most far from a minimum. */
  readonly screen?: EnsembleScreen;
}

/**
 * The ensemble's candidates from a sample: the final replicas (1..population in the ensemble's notes), then the
 * starting geometries (relaxed, they are minima the annealing may have left: resampling concentrates the
 * population), then the earlier rungs' snapshots, if kept. Energies: the sampler's (NaN marks a dropped replica).
 */
export function ensembleInput(sample: ConformerSample, startGeometries: readonly Structure[]): EnsembleInput {
  const pool = {
    structures: [...sample.structures, ...startGeometries, ...sample.snapshots],
    energies: [...sample.energies, ...startGeometries.map(() => undefined), ...sample.snapshots.map(() => undefined)],
  };
  return sample.snapshots.length > 0 ? { pool, screen: {} } : { pool };
}

/** Samples and builds the conformer ensemble of `source`; never throws for a physical problem (status 'stopped'). */
export async function searchConformers(
  source: Structure,
  calculator: Calculator,
  options: ConformerSearchOptions = {},
  observer: ConformerSearchObserver = {},
): Promise<ConformerSearchResult> {
  const d = CONFORMER_SEARCH_DEFAULTS;
  const seed = options.seed ?? d.seed;
  const initial = options.initial ?? smilesEmbeddings(source, d.embeddings, seed);
  const run = sampleConformers(source, calculator, {
    population: options.population ?? d.population,
    startTemperature: options.startTemperature ?? d.startTemperature,
    temperature: options.temperature ?? d.temperature,
    rungs: options.rungs ?? d.rungs,
    stepsPerRung: options.stepsPerRung ?? d.stepsPerRung,
    essThreshold: options.essThreshold ?? d.essThreshold,
    torsionMoves: options.torsionMoves ?? d.torsionMoves,
    moveInterval: d.moveInterval,
    snapshots: options.rungSnapshots ?? d.rungSnapshots,
    seed,
    ...(initial.length > 0 ? { initial: [source, ...initial] } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const essPerRung: number[] = [];
  let next = await run.next();
  while (!next.done) {
    essPerRung.push(next.value.ess);
    await observer.rung?.(next.value, essPerRung);
    next = await run.next();
  }
  const sample = next.value;
  const starts = 1 + initial.length;
  if (sample.report.status === 'cancelled' || options.signal?.aborted) return { status: 'cancelled', essPerRung, calls: sample.calls, starts, candidates: 0 };
  if (sample.report.status === 'stopped' || sample.structures.length === 0) {
    return { status: 'stopped', problem: sample.report.problem?.message ?? sample.report.summary, essPerRung, calls: sample.calls, starts, candidates: 0 };
  }
  const { pool, screen } = ensembleInput(sample, [source, ...initial]);
  const candidates = pool.structures.length;
  const ensemble = await buildEnsemble(pool, source, calculator, {
    windowKcal: options.windowKcal ?? d.windowKcal,
    rmsdThreshold: options.rmsdThreshold ?? d.rmsdThreshold,
    temperature: options.temperature ?? d.temperature,
    ...(screen ? { screen } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(observer.relaxed ? { onRelaxed: (done: number, total: number) => observer.relaxed!(done, total) } : {}),
  });
  const calls = sample.calls + ensemble.calls;
  if (ensemble.cancelled) return { status: 'cancelled', ensemble, essPerRung: sample.essPerRung, calls, starts, candidates };
  if (ensemble.conformers.length === 0) {
    return { status: 'stopped', problem: `no conformer survived: ${ensemble.notes.join('; ') || 'none sampled'}`, ensemble, essPerRung: sample.essPerRung, calls, starts, candidates };
  }
  return { status: 'done', ensemble, essPerRung: sample.essPerRung, calls, starts, candidates };
}

/** Columns of a molecule's summary (job result rows, the CLI's OUT.molecules.csv). */
export const CONFORMER_SUMMARY_COLUMNS: readonly PredictionColumn[] = [
  { key: 'conformers', label: 'Conformers', unit: '', kind: 'number' },
  { key: 'lowest_energy', label: 'Lowest energy', unit: 'eV', kind: 'number' },
  { key: 'dropped_connectivity', label: 'Dropped: connectivity changed', unit: '', kind: 'number' },
  { key: 'dropped_stereo', label: 'Dropped: stereo changed', unit: '', kind: 'number' },
  { key: 'dropped_duplicates', label: 'Dropped: duplicates', unit: '', kind: 'number' },
  { key: 'dropped_window', label: 'Dropped: above the window', unit: '', kind: 'number' },
  { key: 'failed', label: 'Relaxations failed', unit: '', kind: 'number' },
  { key: 'final_ess', label: 'Final ESS', unit: '', kind: 'number' },
  { key: 'calls', label: 'Calculator calls', unit: '', kind: 'number' },
  { key: 'starts', label: 'Starting geometries', unit: '', kind: 'number' },
  { key: 'candidates', label: 'Structures relaxed', unit: '', kind: 'number' },
];

/** The summary values of a finished search (CONFORMER_SUMMARY_COLUMNS). */
export function conformerSummaryValues(result: ConformerSearchResult): Record<string, number | null> {
  const ensemble = result.ensemble;
  const lowest = ensemble?.conformers[0]?.properties['energy'];
  return {
    conformers: ensemble?.conformers.length ?? 0,
    lowest_energy: typeof lowest === 'number' ? lowest : null,
    dropped_connectivity: ensemble?.dropped.connectivity ?? null,
    dropped_stereo: ensemble?.dropped.stereo ?? null,
    dropped_duplicates: ensemble?.dropped.duplicates ?? null,
    dropped_window: ensemble?.dropped.window ?? null,
    failed: ensemble?.dropped.failed ?? null,
    final_ess: result.essPerRung.at(-1) ?? null,
    calls: result.calls,
    starts: result.starts,
    candidates: result.candidates,
  };
}

/** Labels and units of the conformer properties (documents' columns). */
export const CONFORMER_PROPERTY_LABELS: Readonly<Record<string, { readonly label: string; readonly unit: string }>> = {
  energy: { label: 'Energy', unit: 'eV' },
  relative_energy: { label: 'Relative energy', unit: 'kcal/mol' },
  boltzmann_weight: { label: 'Boltzmann weight', unit: '' },
  conformer_rank: { label: 'Rank', unit: '' },
};
