/**
 * Shared by test/sampling/conformers-xtb.test.ts, conformers-dihedral.test.ts and bench/conformers.bench.ts: the
 * RDKit ETKDG + MMFF94 → GFN2-xTB reference ensembles (test/fixtures/conformers/rdkit-xtb-reference.json, from
 * make-rdkit-xtb-reference.py), our conformer search on one molecule (sampleConformers, then buildEnsemble) with a
 * calculator that counts its evaluations, and the coverage COV-R of a reference ensemble by ours (the fraction of
 * reference conformers with a conformer of ours within a heavy-atom RMSD threshold; Hawkins, J. Med. Chem. 60, 2017,
 * and the COV-R of Ganea et al., GeoMol, NeurIPS 2021), with the symmetry-aware RMSD of
 * core/sampling/conformers/symmetric-rmsd.ts.
 */
import { readFileSync } from 'node:fs';
import type { CalcRequest, CalcResult, Calculator } from '../../core/calc/calculator';
import { sampleConformers, type ConformerSample, type ConformerSamplerOptions } from '../../core/sampling/conformers/conformer-sampler';
import { CONFORMER_SEARCH_DEFAULTS, ensembleInput } from '../../core/sampling/conformers/conformer-search';
import { buildEnsemble, type Ensemble, type EnsembleOptions } from '../../core/sampling/conformers/ensemble';
import { heavyAtomSymmetryOf, symmetricRmsd } from '../../core/sampling/conformers/symmetric-rmsd';
import type { SmcRungReport } from '../../core/sampling/smc/annealed-smc';
import { createStructure, type BondOrder, type Structure } from '../../core/structure/structure';

/** kcal/mol per eV (ASE 3.22.1 units, as core/sampling/conformers/ensemble.ts). */
export const KCAL_PER_EV = 23.060548012069496;

/** EQUIMOL_CONFORMERS_FULL=1: the opt-in conformer checks at the app's full settings. */
export const CONFORMERS_FULL = process.env.EQUIMOL_CONFORMERS_FULL === '1';

/**
 * Whether the opt-in GFN2-xTB conformer checks (minutes to hours; the CI's 30 minutes cannot hold them) run:
 * EQUIMOL_CONFORMERS_XTB=1 or EQUIMOL_CONFORMERS_FULL=1 (the drug check also runs for a molecule list).
 */
export const CONFORMER_CHECKS_REQUESTED = process.env.EQUIMOL_CONFORMERS_XTB === '1' || CONFORMERS_FULL;

export interface ReferenceConformer {
  /** GFN2-xTB energy after xtb --opt normal, eV. */
  readonly energy: number;
  /** Above the lowest, kcal/mol. */
  readonly relativeKcal: number;
  /** Heavy-atom positions, Å, in the order of `heavyAtoms`. */
  readonly heavy: readonly (readonly [number, number, number])[];
}

export interface ReferenceMolecule {
  readonly name: string;
  readonly smiles: string;
  readonly atoms: number;
  readonly numbers: readonly number[];
  readonly heavyAtoms: readonly number[];
  /** [a, b, order] 0-based, RDKit bond orders (1, 1.5, 2, 3). */
  readonly bonds: readonly (readonly [number, number, number])[];
  /** Start structure for our search, all atoms, Å: an independent ETKDG embedding, MMFF94-relaxed. */
  readonly start: readonly (readonly [number, number, number])[];
  /** ETKDG embeddings asked for (100 or 30) and made. */
  readonly conformersRequested: number;
  readonly embedded: number;
  readonly relaxed: number;
  /** Lowest GFN2-xTB energy of the RDKit+xtb ensemble, eV. */
  readonly lowestEnergy: number;
  /** Unique (RMSD ≥ 0.125 Å) conformers within the reference's window (10 kcal/mol), by energy. */
  readonly conformers: readonly ReferenceConformer[];
  readonly seconds: { readonly rdkit: number; readonly xtb: number };
}

export interface DrugReference {
  readonly meta: Record<string, unknown>;
  readonly molecules: readonly ReferenceMolecule[];
}

export function loadDrugReference(): DrugReference {
  return JSON.parse(readFileSync(new URL('../fixtures/conformers/rdkit-xtb-reference.json', import.meta.url), 'utf8')) as DrugReference;
}

/** The reference's start structure as a Structure with its bonds (atom order as RDKit's). */
export function startStructure(molecule: ReferenceMolecule): Structure {
  return createStructure({
    name: molecule.name,
    numbers: molecule.numbers,
    positions: molecule.start.flat(),
    bonds: molecule.bonds.map(([a, b, order]) => ({ a, b, order: order as BondOrder })),
  });
}

export interface CallCounts {
  /** calculate() invocations (one per batch of replicas). */
  batches: number;
  /** Structures evaluated. */
  structures: number;
}

/** Wraps a calculator to count its batches and evaluated structures. */
export function countingCalculator(inner: Calculator): { calculator: Calculator; counts: CallCounts } {
  const counts: CallCounts = { batches: 0, structures: 0 };
  const calculator: Calculator = {
    description: inner.description,
    unsupportedReason: (structure) => inner.unsupportedReason(structure),
    calculate(structures: readonly Structure[], request?: CalcRequest): Promise<Array<CalcResult | Error>> {
      counts.batches++;
      counts.structures += structures.length;
      return inner.calculate(structures, request);
    },
  };
  return { calculator, counts };
}

export interface SearchOutcome {
  readonly sample: ConformerSample;
  readonly ensemble: Ensemble;
  readonly rungs: readonly SmcRungReport[];
  /** Evaluations of sampling and of the relaxations together. */
  readonly counts: CallCounts;
  /** Wall time of sampling and of the ensemble, ms. */
  readonly samplingMs: number;
  readonly ensembleMs: number;
}

/** Drains a generator, keeping what it yields; returns the yields and the return value. */
export async function drain<Y, R>(run: AsyncGenerator<Y, R>): Promise<{ yields: Y[]; result: R }> {
  const yields: Y[] = [];
  for (;;) {
    const next = await run.next();
    if (next.done) return { yields, result: next.value };
    yields.push(next.value);
  }
}

/** sampleConformers options of the app's and the CLI's search (CONFORMER_SEARCH_DEFAULTS), with `overrides`. */
export function searchSampler(overrides: Partial<ConformerSamplerOptions> = {}): Partial<ConformerSamplerOptions> {
  const d = CONFORMER_SEARCH_DEFAULTS;
  return {
    seed: d.seed, population: d.population, startTemperature: d.startTemperature, temperature: d.temperature, rungs: d.rungs,
    stepsPerRung: d.stepsPerRung, essThreshold: d.essThreshold, torsionMoves: d.torsionMoves, moveInterval: d.moveInterval,
    snapshots: d.rungSnapshots, ...overrides,
  };
}

/**
 * Our conformer search on one structure, as searchConformers composes it (sampleConformers with every rung's
 * snapshots unless `sampler.snapshots` is false, then buildEnsemble of ensembleInput: the crude screen when there
 * are snapshots) but with the caller's sampler and relaxation settings; timed and counted.
 */
export async function runConformerSearch(start: Structure, inner: Calculator, sampler: Partial<ConformerSamplerOptions>, ensembleOptions: EnsembleOptions): Promise<SearchOutcome> {
  const { calculator, counts } = countingCalculator(inner);
  const t0 = performance.now();
  const { yields: rungs, result: sample } = await drain(sampleConformers(start, calculator, { snapshots: true, ...sampler }));
  const t1 = performance.now();
  const { pool, screen } = ensembleInput(sample, [start]);
  const ensemble = await buildEnsemble(pool, start, calculator, { ...(screen ? { screen } : {}), ...ensembleOptions });
  return { sample, ensemble, rungs, counts, samplingMs: t1 - t0, ensembleMs: performance.now() - t1 };
}

/** Full-length positions (Å) with the reference's heavy atoms filled in (hydrogens 0: the RMSD ignores them). */
export function referencePositions(molecule: ReferenceMolecule, conformer: ReferenceConformer): Float64Array {
  const positions = new Float64Array(3 * molecule.atoms);
  molecule.heavyAtoms.forEach((atom, k) => positions.set(conformer.heavy[k]!, 3 * atom));
  return positions;
}

/**
 * COV-R: the fraction of the reference conformers within `windowKcal` of the reference's lowest that have a
 * conformer of `ours` within `threshold` Å symmetry-aware heavy-atom RMSD; also each one's closest RMSD.
 */
export function coverage(molecule: ReferenceMolecule, ours: readonly Structure[], windowKcal: number, threshold: number): { covered: number; total: number; fraction: number; closest: number[] } {
  const symmetry = heavyAtomSymmetryOf(startStructure(molecule));
  const inWindow = molecule.conformers.filter((c) => c.relativeKcal <= windowKcal);
  const closest = inWindow.map((c) => {
    const target = referencePositions(molecule, c);
    let best = Infinity;
    for (const s of ours) best = Math.min(best, symmetricRmsd(s.positions, target, symmetry, threshold / 10));
    return best;
  });
  const covered = closest.filter((r) => r < threshold).length;
  return { covered, total: inWindow.length, fraction: inWindow.length === 0 ? 1 : covered / inWindow.length, closest };
}

/** Lowest energy (eV) of an ensemble, from its first conformer's `energy` property. */
export function lowestOf(ensemble: Ensemble): number {
  const energy = ensemble.conformers[0]?.properties.energy;
  return typeof energy === 'number' ? energy : Infinity;
}
