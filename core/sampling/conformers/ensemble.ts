/**
 * From sampled replicas to a Boltzmann conformer ensemble, following CREST's post-processing (Pracht, Bohle and
 * Grimme, Phys. Chem. Chem. Phys. 22, 7169 (2020); defaults ewin 6 kcal/mol, rthr 0.125 Å, ethr 0.05 kcal/mol):
 *  1. relax every replica (core/sampling/relax/relax.ts, L-BFGS, fmax 0.01 eV/Å unless `relax` says otherwise);
 *     a relaxation the sampler stops (a watchdog, a calculator error) counts as `failed`. With a `screen` (many
 *     candidates, e.g. every rung's replicas), first a crude relaxation of each, then steps 2-4 on the crude minima
 *     with a wider window and looser duplicates, and the full relaxation of the survivors only;
 *  2. drop a relaxed structure whose perceived bond graph differs from the source's (`connectivity`) or whose
 *     stereocentres or double-bond E/Z changed (`stereo`; core/sampling/conformers/stereo.ts);
 *  3. keep those within `windowKcal` of the lowest energy (`window` counts the rest);
 *  4. in order of energy, drop a structure as a duplicate of a kept one when both |ΔE| < energyThreshold and the
 *     symmetry-aware heavy-atom RMSD after alignment < rmsdThreshold (symmetric-rmsd.ts) (`duplicates`);
 *  5. Boltzmann weights w_i = exp(−(E_i − E_min)/k_B T) / Σ_j exp(−(E_j − E_min)/k_B T) at `temperature`.
 * The conformers come sorted by energy with properties energy (eV), relative_energy (kcal/mol),
 * boltzmann_weight and conformer_rank (1-based).
 */
import { structureLabel, type Calculator } from '../../calc/calculator';
import { createStructure, type Structure } from '../../structure/structure';
import type { SamplerFrame, SamplerReport } from '../frames';
import { BOLTZMANN_EV_PER_K } from '../md/units';
import type { RelaxOptions } from '../options';
import { relax } from '../relax/relax';
import { connectivityChanges, perceivedAdjacency, stereoChanges, stereoReference } from './stereo';
import { heavyAtomSymmetryOf, symmetricRmsd } from './symmetric-rmsd';

/** kcal/mol per eV: ASE 3.22.1 `1 / (units.kcal / units.mol)` (CODATA 2014), 23.0605480. */
export const KCAL_PER_MOL_PER_EV = 23.060548012069496;

/** buildEnsemble's defaults (CREST's ewin, rthr, ethr). */
export const ENSEMBLE_DEFAULTS = { windowKcal: 6, rmsdThreshold: 0.125, energyThreshold: 0.05, temperature: 298.15 } as const;

/**
 * Relaxation defaults of the ensemble: L-BFGS to fmax 0.01 eV/Å (≈ 2·10⁻⁴ Eh/bohr, xtb's 'vtight' gradient
 * threshold, which CREST optimises to before its duplicate test), 500 steps at most. The relax job's 0.05 eV/Å is
 * too loose here: in a flat torsional well (butane anti) copies of one minimum then stop up to ~10° apart and
 * ~0.2 kcal/mol apart, more than the 0.05 kcal/mol energy threshold, and survive as 'different' conformers.
 */
export const ENSEMBLE_RELAX_DEFAULTS: RelaxOptions = { optimizer: 'lbfgs', fmax: 0.01, maxSteps: 500 };

/** What buildEnsemble needs of a sample (core/sampling/conformers/conformer-sampler.ts's ConformerSample fits). */
export interface ReplicaSample {
  /** Final replica geometries, the source's atoms in the source's order. */
  readonly structures: readonly Structure[];
  /** Sampler energies, eV; a non-finite one marks a replica the sampler dropped (counted as failed, not relaxed); undefined: not sampled. */
  readonly energies?: readonly (number | undefined)[];
}

export interface EnsembleScreen {
  /** The crude relaxation [SCREEN_DEFAULTS.relax]. */
  readonly relax?: RelaxOptions;
  /** kcal/mol above the lowest crude energy to keep [2 × windowKcal]. */
  readonly windowKcal?: number;
  /** Heavy-atom RMSD (Å) under which two crude minima within 1 kcal/mol are one [0.25]. */
  readonly rmsdThreshold?: number;
}

/**
 * The screen's defaults: L-BFGS to fmax 0.1 eV/Å, at most 150 steps (a high-temperature snapshot reaches its
 * basin's bottom region in that), duplicates within 0.25 Å and 1 kcal/mol; the window twice the ensemble's,
 * since crude energies rank minima only roughly.
 */
export const SCREEN_DEFAULTS = { relax: { optimizer: 'lbfgs', fmax: 0.1, maxSteps: 150 } as RelaxOptions, rmsdThreshold: 0.25, energyThreshold: 1 } as const;

export interface EnsembleOptions {
  /** Energy window above the lowest conformer, kcal/mol [6]. */
  readonly windowKcal?: number;
  /** Heavy-atom RMSD (Å) below which two conformers of near-equal energy are one [0.125]. */
  readonly rmsdThreshold?: number;
  /** Energy difference (kcal/mol) below which two conformers of small RMSD are one [0.05]. */
  readonly energyThreshold?: number;
  /** Temperature of the Boltzmann weights, K [298.15]. */
  readonly temperature?: number;
  /** Relaxation options [L-BFGS, fmax 0.01 eV/Å, 500 steps]. */
  readonly relax?: RelaxOptions;
  /**
   * A crude first stage for many candidates (CREST's multi-level optimisation): every candidate is relaxed with
   * `screen.relax` only, checked, kept within `screen.windowKcal` and deduplicated at `screen.rmsdThreshold`;
   * only the survivors are relaxed fully from there. Off (every candidate fully relaxed) unless given.
   */
  readonly screen?: EnsembleScreen;
  readonly signal?: AbortSignal;
  /** Called after each replica's relaxation (done of total), e.g. for a progress bar. */
  readonly onRelaxed?: (done: number, total: number) => void | Promise<void>;
}

export interface DroppedCounts {
  readonly connectivity: number;
  readonly stereo: number;
  readonly window: number;
  readonly duplicates: number;
  readonly failed: number;
}

export interface Ensemble {
  /** Sorted by energy; properties energy (eV), relative_energy (kcal/mol), boltzmann_weight, conformer_rank. */
  readonly conformers: Structure[];
  readonly dropped: DroppedCounts;
  /** Calculator evaluations of the relaxations. */
  readonly calls: number;
  /** The first reason of each dropped class, for messages ('replica 3: bond 2-5 broken'); replicas 1-based. */
  readonly notes: readonly string[];
  /** True when the signal stopped it: the conformers are of the replicas relaxed so far. */
  readonly cancelled: boolean;
}

/** Boltzmann weights (sum 1) of energies (eV) at temperature (K), computed relative to the lowest for stability. */
export function boltzmannWeights(energies: readonly number[], temperature: number): number[] {
  if (energies.length === 0) return [];
  const lowest = Math.min(...energies);
  const kT = BOLTZMANN_EV_PER_K * temperature;
  const factors = energies.map((e) => Math.exp(-(e - lowest) / kT));
  const sum = factors.reduce((s, f) => s + f, 0);
  return factors.map((f) => f / sum);
}

function checkOptions(options: EnsembleOptions, label: string): Required<Pick<EnsembleOptions, 'windowKcal' | 'rmsdThreshold' | 'energyThreshold' | 'temperature'>> {
  const settings = {
    windowKcal: options.windowKcal ?? ENSEMBLE_DEFAULTS.windowKcal,
    rmsdThreshold: options.rmsdThreshold ?? ENSEMBLE_DEFAULTS.rmsdThreshold,
    energyThreshold: options.energyThreshold ?? ENSEMBLE_DEFAULTS.energyThreshold,
    temperature: options.temperature ?? ENSEMBLE_DEFAULTS.temperature,
  };
  const positive = (value: number) => value > 0 && Number.isFinite(value);
  if (!positive(settings.windowKcal)) throw new RangeError(`${label}: the energy window must be a positive number of kcal/mol, got ${settings.windowKcal}`);
  if (!positive(settings.rmsdThreshold)) throw new RangeError(`${label}: the RMSD threshold must be a positive number of Å, got ${settings.rmsdThreshold}`);
  if (!(settings.energyThreshold >= 0 && Number.isFinite(settings.energyThreshold))) {
    throw new RangeError(`${label}: the energy threshold must be a non-negative number of kcal/mol, got ${settings.energyThreshold}`);
  }
  if (!positive(settings.temperature)) throw new RangeError(`${label}: the temperature must be a positive number of K, got ${settings.temperature}`);
  return settings;
}

/** Runs a relaxation to its end: the last frame (undefined when none) and the report. */
async function relaxToEnd(structure: Structure, calculator: Calculator, options: RelaxOptions): Promise<{ last?: SamplerFrame; report: SamplerReport }> {
  const run = relax(structure, calculator, options);
  let last: SamplerFrame | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) return { ...(last ? { last } : {}), report: next.value };
    last = next.value;
  }
}

interface Candidate {
  readonly replica: number;
  readonly positions: Float64Array;
  readonly energy: number;
}

/**
 * Relaxes, checks, windows, deduplicates and weights the replicas of `sample` (conformers of `source`, same atoms
 * in the same order). Throws RangeError for bad options or a replica whose atoms differ from the source.
 */
export async function buildEnsemble(sample: ReplicaSample, source: Structure, calculator: Calculator, options: EnsembleOptions = {}): Promise<Ensemble> {
  const label = structureLabel(source);
  const settings = checkOptions(options, label);
  const relaxOptions: RelaxOptions = { ...ENSEMBLE_RELAX_DEFAULTS, ...options.relax, ...(options.signal ? { signal: options.signal } : {}) };
  const n = source.numbers.length;
  sample.structures.forEach((replica, r) => {
    if (replica.numbers.length !== n || replica.numbers.some((z, i) => z !== source.numbers[i])) {
      throw new RangeError(`${label}: replica ${r + 1} has other atoms than the source (${replica.numbers.length} vs ${n})`);
    }
  });
  const sourceGraph = perceivedAdjacency(source);
  const reference = stereoReference(source, sourceGraph);
  const notes: string[] = [];
  const note = (kind: string, text: string) => {
    if (!notes.some((line) => line.startsWith(`${kind}:`))) notes.push(`${kind}: ${text}`);
  };
  let failed = 0;
  let connectivity = 0;
  let stereo = 0;
  let calls = 0;
  let cancelled = false;
  const total = sample.structures.length;
  /** Relaxes candidate `r` from `positions` with `options` and checks it: the minimum, or undefined (counted, noted). */
  async function relaxAndCheck(r: number, positions: Float64Array, relaxWith: RelaxOptions): Promise<Candidate | undefined> {
    let outcome: Awaited<ReturnType<typeof relaxToEnd>>;
    try {
      outcome = await relaxToEnd({ ...source, positions: Float64Array.from(positions) }, calculator, relaxWith);
    } catch (error) {
      failed++;
      note('failed', `replica ${r + 1}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    calls += outcome.report.calculatorCalls;
    if (outcome.report.status === 'cancelled') {
      cancelled = true;
      return undefined;
    }
    const last = outcome.last;
    if (outcome.report.status === 'stopped' || !last) {
      failed++;
      note('failed', `replica ${r + 1}: ${outcome.report.problem?.message ?? outcome.report.summary}`);
      return undefined;
    }
    const bondChanges = connectivityChanges(sourceGraph, perceivedAdjacency(source, last.positions));
    if (bondChanges.length > 0) {
      connectivity++;
      note('connectivity', `replica ${r + 1}: bond ${bondChanges.slice(0, 3).join(', ')}`);
      return undefined;
    }
    const stereoChanged = stereoChanges(reference, last.positions);
    if (stereoChanged.length > 0) {
      stereo++;
      note('stereo', `replica ${r + 1}: ${stereoChanged.slice(0, 3).join(', ')}`);
      return undefined;
    }
    return { replica: r, positions: last.positions, energy: last.energy };
  }

  const symmetry = heavyAtomSymmetryOf(source);
  let window = 0;
  let duplicates = 0;
  /** The candidates within `windowKcal` of the lowest, in order of energy, without duplicates at (rmsd Å, energy kcal/mol). */
  function windowAndDeduplicate(list: Candidate[], windowKcal: number, rmsdThreshold: number, energyThreshold: number): Candidate[] {
    list.sort((a, b) => a.energy - b.energy || a.replica - b.replica);
    const lowest = list[0]?.energy ?? 0;
    const inWindow = list.filter((c) => (c.energy - lowest) * KCAL_PER_MOL_PER_EV <= windowKcal);
    window += list.length - inWindow.length;
    const kept: Candidate[] = [];
    for (const candidate of inWindow) {
      const duplicate = kept.some(
        (other) =>
          Math.abs(candidate.energy - other.energy) * KCAL_PER_MOL_PER_EV < energyThreshold &&
          symmetricRmsd(candidate.positions, other.positions, symmetry, rmsdThreshold) < rmsdThreshold,
      );
      if (duplicate) duplicates++;
      else kept.push(candidate);
    }
    return kept;
  }

  // Stage 1 (with a screen, crude; else the full relaxation) of every candidate the sampler did not drop.
  const screen = options.screen;
  const firstRelax: RelaxOptions = screen ? { ...SCREEN_DEFAULTS.relax, ...screen.relax, ...(options.signal ? { signal: options.signal } : {}) } : relaxOptions;
  /** Progress: every candidate's first relaxation, then the survivors' full one (the total shrinks once, when known). */
  let progressTotal = screen ? 2 * total : total;
  let done = 0;
  let candidates: Candidate[] = [];
  for (let r = 0; r < total; r++) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    const sampled = sample.energies?.[r];
    if (sampled !== undefined && !Number.isFinite(sampled)) {
      failed++;
      note('failed', `replica ${r + 1}: dropped by the sampler (broken geometry or calculator error)`);
    } else {
      const candidate = await relaxAndCheck(r, sample.structures[r]!.positions, firstRelax);
      if (cancelled) break;
      if (candidate) candidates.push(candidate);
    }
    await options.onRelaxed?.(++done, progressTotal);
  }
  // Stage 2 with a screen: the crude minima in the wide window, without duplicates, relaxed fully.
  if (screen && !cancelled) {
    const survivors = windowAndDeduplicate(candidates, screen.windowKcal ?? 2 * settings.windowKcal, screen.rmsdThreshold ?? SCREEN_DEFAULTS.rmsdThreshold, SCREEN_DEFAULTS.energyThreshold);
    progressTotal = total + survivors.length;
    candidates = [];
    for (const survivor of survivors) {
      if (options.signal?.aborted) {
        cancelled = true;
        break;
      }
      const candidate = await relaxAndCheck(survivor.replica, survivor.positions, relaxOptions);
      if (cancelled) break;
      if (candidate) candidates.push(candidate);
      await options.onRelaxed?.(++done, progressTotal);
    }
  }

  const kept = windowAndDeduplicate(candidates, settings.windowKcal, settings.rmsdThreshold, settings.energyThreshold);
  const lowest = kept[0]?.energy ?? 0;

  const weights = boltzmannWeights(
    kept.map((c) => c.energy),
    settings.temperature,
  );
  const conformers = kept.map((c, k) =>
    createStructure({
      name: source.name,
      numbers: source.numbers,
      positions: c.positions,
      ...(source.bonds ? { bonds: source.bonds } : {}),
      ...(source.formalCharges ? { formalCharges: source.formalCharges } : {}),
      ...(source.isotopes ? { isotopes: source.isotopes } : {}),
      charge: source.charge,
      multiplicity: source.multiplicity,
      pbc: source.pbc,
      properties: {
        ...source.properties,
        energy: c.energy,
        relative_energy: (c.energy - lowest) * KCAL_PER_MOL_PER_EV,
        boltzmann_weight: weights[k]!,
        conformer_rank: k + 1,
      },
      ...(source.provenance ? { provenance: source.provenance } : {}),
    }),
  );
  return { conformers, dropped: { connectivity, stereo, window, duplicates, failed }, calls, notes, cancelled };
}
