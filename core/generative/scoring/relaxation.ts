/**
 * Relaxation scores of generated molecules: each sample relaxed with a calculator (GFN2-xTB, the shipped potential,
 * any `Calculator`) by the relaxation sampler (../../sampling/relax/relax.ts, its defaults: ANC, fmax 0.05 eV/Å),
 * then how far it moved, the heavy-atom RMSD (Å) after optimal superposition between the generated and the relaxed
 * geometry (all atoms when there are fewer than three heavy ones), and how much energy that released (eV; the
 * generated geometry's energy minus the relaxed one's). A generator whose samples sit near minima of a real energy
 * surface moves them little. What is relaxed is the sample's largest fragment under EDM's bonds (the molecule that
 * validity and the SMILES judge; stray atoms and H₂ fragments left out), as a doublet when its electron count is
 * odd (a generated radical). Samples that cannot be relaxed (an element the calculator does not cover, an SCF that
 * fails, a sampler check that stops it) get the reason instead, and count in `failed`.
 */
import type { Calculator } from '../../calc/calculator';
import { relax, type RelaxSamplerOptions } from '../../sampling/relax/relax';
import { alignedRmsd, heavyAtoms } from '../../sampling/relax/rmsd';
import { createStructure, type Structure } from '../../structure/structure';
import { edmStability } from './stability';
import { fragmentsOf } from './validity';

export interface RelaxationScore {
  /** Energy of the relaxed geometry, eV. */
  readonly energy: number;
  /** E(generated) − E(relaxed), eV. */
  readonly relaxationEnergy: number;
  /** Heavy-atom RMSD between the generated and the relaxed geometry after superposition, Å. */
  readonly rmsd: number;
  readonly converged: boolean;
  readonly steps: number;
  /** Atoms of the relaxed fragment. */
  readonly atoms: number;
  /** The relaxed fragment's geometry (Å). */
  readonly positions: Float64Array;
}

export type RelaxationOutcome = { readonly ok: true; readonly score: RelaxationScore } | { readonly ok: false; readonly error: string };

export interface RelaxationSummary {
  /** Samples relaxed (converged or not). */
  readonly relaxed: number;
  readonly converged: number;
  /** Samples that could not be relaxed. */
  readonly failed: number;
  /** Over the relaxed samples (NaN when none). */
  readonly medianRmsd: number;
  readonly meanRmsd: number;
  /** eV. */
  readonly medianRelaxationEnergy: number;
}

export interface RelaxationScoreOptions extends Pick<RelaxSamplerOptions, 'fmax' | 'maxSteps' | 'signal'> {
  /** After each sample: how many are done of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The sample's largest fragment under EDM's bonds (most atoms; the first such), multiplicity 2 when its electron count
 * (neutral) is odd. Throws ScoringInputError for a molecule the scorer cannot judge.
 */
export function relaxationInput(structure: Structure): Structure {
  const { bonds } = edmStability(structure);
  const fragments = fragmentsOf(structure.numbers.length, bonds);
  let largest = fragments[0] ?? [];
  for (const fragment of fragments) if (fragment.length > largest.length) largest = fragment;
  const numbers = largest.map((i) => structure.numbers[i]!);
  const electrons = numbers.reduce((sum, z) => sum + z, 0);
  return createStructure({
    name: structure.name, numbers, positions: largest.flatMap((i) => [0, 1, 2].map((k) => structure.positions[3 * i + k]!)),
    multiplicity: electrons % 2 === 1 ? 2 : 1,
  });
}

/** Relaxes one sample (its `relaxationInput`) and scores the relaxation. */
export async function relaxationScore(structure: Structure, calculator: Calculator, options: RelaxationScoreOptions = {}): Promise<RelaxationOutcome> {
  let first: { energy: number } | undefined;
  let last: { energy: number; positions: Float64Array } | undefined;
  try {
    structure = relaxationInput(structure);
    const frames = relax(structure, calculator, { ...(options.fmax !== undefined ? { fmax: options.fmax } : {}), ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    for (;;) {
      const next = await frames.next();
      if (next.done) {
        const report = next.value;
        if (report.status === 'stopped' || report.status === 'cancelled' || !first || !last) return { ok: false, error: report.summary };
        const heavy = heavyAtoms(structure.numbers);
        const atoms = heavy.length >= 3 ? heavy : undefined;
        return {
          ok: true,
          score: {
            energy: last.energy, relaxationEnergy: first.energy - last.energy, rmsd: alignedRmsd(last.positions, structure.positions, atoms),
            converged: report.status === 'converged', steps: report.steps, atoms: structure.numbers.length, positions: last.positions,
          },
        };
      }
      first ??= { energy: next.value.energy };
      last = { energy: next.value.energy, positions: next.value.positions };
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Relaxes every sample in turn (one calculator, as the relax job does) and summarises. */
export async function relaxationScores(structures: readonly Structure[], calculator: Calculator, options: RelaxationScoreOptions = {}): Promise<{ outcomes: RelaxationOutcome[]; summary: RelaxationSummary }> {
  const outcomes: RelaxationOutcome[] = [];
  for (const structure of structures) {
    if (options.signal?.aborted) break;
    outcomes.push(await relaxationScore(structure, calculator, options));
    options.onProgress?.(outcomes.length, structures.length);
  }
  return { outcomes, summary: summariseRelaxations(outcomes) };
}

export function summariseRelaxations(outcomes: readonly RelaxationOutcome[]): RelaxationSummary {
  const scores = outcomes.flatMap((o) => (o.ok ? [o.score] : []));
  const rmsds = scores.map((s) => s.rmsd);
  return {
    relaxed: scores.length,
    converged: scores.filter((s) => s.converged).length,
    failed: outcomes.length - scores.length,
    medianRmsd: median(rmsds),
    meanRmsd: rmsds.length ? rmsds.reduce((a, b) => a + b, 0) / rmsds.length : Number.NaN,
    medianRelaxationEnergy: median(scores.map((s) => s.relaxationEnergy)),
  };
}

/** One line for the score report: 'relaxation with xtb of 180 valid molecules: 175 converged, 2 failed; ...'. */
export function formatRelaxationSummary(calculator: string, summary: RelaxationSummary): string {
  const n = summary.relaxed + summary.failed;
  return `relaxation with ${calculator} of ${n} valid molecule${n === 1 ? '' : 's'}: ${summary.converged} converged, ` +
    `${summary.relaxed - summary.converged} at the step limit, ${summary.failed} failed; heavy-atom RMSD median ` +
    `${summary.medianRmsd.toFixed(3)} Å (mean ${summary.meanRmsd.toFixed(3)}), energy released median ${summary.medianRelaxationEnergy.toFixed(3)} eV`;
}
