/**
 * Issue 13's "must show" on torsions: C-C-C-C dihedral populations (trans |φ| > 120°, gauche+ and gauche− otherwise)
 * at 298.15 K from our sampler with GFN2-xTB equal those of long `xtb --md` runs
 * (test/fixtures/conformers/<molecule>-xtb-md.json from make-dihedral-reference.py; block-averaged standard errors)
 * within the combined error: butane's central torsion, and a flexible drug, valproic acid (26 atoms, 5 rotatable
 * bonds), with its two terminal propyl torsions pooled (equivalent by symmetry).
 * Ours is the Boltzmann sample itself: the SMC population at the target temperature, each replica weighted by its
 * normalised importance weight, before any relaxation. Its error comes from SEEDS independent seeded runs: the
 * standard error of the per-seed estimates (replicas of one run descend from common ancestors after resampling, so
 * a per-run binomial error would be too small). Agreement: |ours − reference| ≤ 3 × √(SE_ours² + SE_ref²)
 * (3, not 2, for the few seeds the spread is estimated from).
 * Measured with the app's moves (a torsion move after every step; 4 seeds × 16 replicas, 4 rungs × 40 steps,
 * 5136 xtb calls a seed):
 *  - butane: ours trans 0.531 ± 0.040, xtb --md 0.435 ± 0.106 (699 ps, 33 transitions; relaxed scan 0.58); 185 s.
 *    (A move every 10 steps: 0.547 ± 0.082.)
 *  - valproic acid: ours trans 0.609 ± 0.063, xtb --md 0.552 ± 0.084 (578 ps in two runs, 140 transitions);
 *    gauche+ 0.250 ± 0.071 vs 0.211 ± 0.055, gauche− 0.141 ± 0.052 vs 0.237 ± 0.041; final-rung ESS 1.3 to 4.0
 *    of 16; 706 s on a shared core, so it is opt-in (EQUIMOL_CONFORMERS_XTB=1) to keep the CI's suite inside its 30 minutes.
 *    (A move every 10 steps: trans 0.547 ± 0.047.)
 * Skipped, with the reason, when GFN2-xTB is not available. EQUIMOL_CONFORMERS_FULL=1 runs the sampler's
 * default population and rungs instead of the small default settings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sampleConformers, type ConformerSamplerOptions } from '../../core/sampling/conformers/conformer-sampler';
import { CONFORMER_SEARCH_DEFAULTS } from '../../core/sampling/conformers/conformer-search';
import { mean, variance } from '../../core/sampling/statistics';
import { createStructure } from '../../core/structure/structure';
import { atomVector, cross, dot, norm } from '../../core/util/vec3';
import { gfn2OrSkipReason } from '../helpers/xtb';
import { CONFORMER_CHECKS_REQUESTED, CONFORMERS_FULL, drain } from './conformer-reference';

interface Population {
  fraction: number;
  standardError: number;
}
interface DihedralReference {
  temperature: number;
  simulatedPs: number;
  frames: number;
  molecule: string;
  /** The first tracked dihedral, 1-based atom numbers. */
  dihedralAtoms: [number, number, number, number];
  /** Every tracked dihedral (1-based), pooled: symmetry-equivalent torsions of one molecule; absent = dihedralAtoms only. */
  dihedrals?: Array<[number, number, number, number]>;
  populations: { trans: Population; gauchePlus: Population; gaucheMinus: Population; gauche: Population };
  transitionsTransGauche: number;
  start: { numbers: number[]; positions: [number, number, number][] };
}

const readReference = (name: string): DihedralReference =>
  JSON.parse(readFileSync(new URL(`../fixtures/conformers/${name}-xtb-md.json`, import.meta.url), 'utf8')) as DihedralReference;
const butaneReference = readReference('butane');
const valproicReference = readReference('valproic_acid');
const SEEDS = [1, 2, 3, 4];
/** The app's torsion moves (one after every Langevin step), so the populations checked are those the app samples. */
const MOVES = { torsionMoves: true, moveInterval: CONFORMER_SEARCH_DEFAULTS.moveInterval };
const SAMPLER: Partial<ConformerSamplerOptions> = CONFORMERS_FULL ? MOVES : { population: 16, rungs: 4, stepsPerRung: 40, ...MOVES };

const { calculator, unavailable } = gfn2OrSkipReason();
const skip = calculator ? false : unavailable;

/** Dihedral angle i-j-k-l, degrees in (−180, 180], positions Å flat. */
function dihedralDegrees(p: ArrayLike<number>, [i, j, k, l]: readonly [number, number, number, number]): number {
  const b1 = atomVector(p, i, j), b2 = atomVector(p, j, k), b3 = atomVector(p, k, l);
  // IUPAC sign, as RDKit's GetDihedralDeg: atan2(|b2| b1·(b2 × b3), (b1 × b2)·(b2 × b3)).
  return (Math.atan2(norm(b2) * dot(b1, cross(b2, b3)), dot(cross(b1, b2), cross(b2, b3))) * 180) / Math.PI;
}

test('dihedralDegrees gives +60 for a gauche+ chain (as RDKit GetDihedralDeg) and 180 for a trans one', () => {
  const gauche = [1, 0, 0, 0, 0, 0, 0, 0, 1, Math.cos(Math.PI / 3), Math.sin(Math.PI / 3), 1];
  assert.ok(Math.abs(dihedralDegrees(gauche, [0, 1, 2, 3]) - 60) < 1e-9);
  const trans = [1, 0, 0, 0, 0, 0, 0, 0, 1, -1, 0, 1];
  assert.ok(Math.abs(Math.abs(dihedralDegrees(trans, [0, 1, 2, 3])) - 180) < 1e-9);
});

type State = 'trans' | 'gauchePlus' | 'gaucheMinus';
const stateOf = (phi: number): State => (Math.abs(phi) > 120 ? 'trans' : phi > 0 ? 'gauchePlus' : 'gaucheMinus');

/**
 * Samples reference.start at reference.temperature once per seed; per seed, the weighted fraction of each state over
 * the final population (each tracked dihedral of a replica counts with its share of the replica's weight); then
 * asserts the trans fraction's mean over seeds is within 3 combined standard errors of the xtb --md reference.
 */
async function assertPopulationsMatch(t: { diagnostic(message: string): void }, reference: DihedralReference): Promise<void> {
  const xtb = calculator!;
  const molecule = createStructure({ name: reference.molecule, numbers: reference.start.numbers, positions: reference.start.positions.flat() });
  const dihedrals = (reference.dihedrals ?? [reference.dihedralAtoms]).map((d) => d.map((a) => a - 1) as [number, number, number, number]);
  const perSeed: Array<Record<State, number>> = [];
  for (const seed of SEEDS) {
    const { yields: rungs, result: sample } = await drain(sampleConformers(molecule, xtb, { ...SAMPLER, temperature: reference.temperature, seed }));
    assert.notEqual(sample.report.status, 'stopped', `${reference.molecule}, seed ${seed}: ${sample.report.summary}`);
    const maxLog = Math.max(...sample.logWeights);
    const weights = sample.logWeights.map((w) => (Number.isFinite(w) ? Math.exp(w - maxLog) : 0));
    const total = weights.reduce((s, w) => s + w, 0);
    const estimate: Record<State, number> = { trans: 0, gauchePlus: 0, gaucheMinus: 0 };
    sample.structures.forEach((s, r) => {
      for (const d of dihedrals) estimate[stateOf(dihedralDegrees(s.positions, d))] += weights[r]! / total / dihedrals.length;
    });
    perSeed.push(estimate);
    t.diagnostic(`${reference.molecule} seed ${seed}: trans ${estimate.trans.toFixed(3)}, gauche+ ${estimate.gauchePlus.toFixed(3)}, gauche- ${estimate.gaucheMinus.toFixed(3)}; ` +
      `ESS per rung ${sample.essPerRung.map((e) => e.toFixed(1)).join(' ')}; acceptance ${rungs.map((r) => r.acceptance?.toFixed(2) ?? '-').join(' ')}; ${sample.calls} calls`);
  }
  const stats = (key: State): { mean: number; se: number } => {
    const xs = perSeed.map((e) => e[key]);
    return { mean: mean(xs), se: Math.sqrt(variance(xs) / xs.length) };
  };
  const format = (key: State): string => {
    const ours = stats(key);
    return `${ours.mean.toFixed(3)} ± ${ours.se.toFixed(3)} vs ${reference.populations[key].fraction.toFixed(3)} ± ${reference.populations[key].standardError.toFixed(3)}`;
  };
  const trans = stats('trans');
  const ref = reference.populations.trans;
  const combined = Math.sqrt(trans.se ** 2 + ref.standardError ** 2);
  t.diagnostic(`${reference.molecule} (${dihedrals.length} dihedral(s), ${SEEDS.length} seeds; xtb --md ${reference.simulatedPs} ps, ${reference.transitionsTransGauche} trans-gauche transitions), ` +
    `ours vs xtb --md: trans ${format('trans')}; gauche+ ${format('gauchePlus')}; gauche- ${format('gaucheMinus')}`);
  assert.ok(Math.abs(trans.mean - ref.fraction) <= 3 * combined,
    `${reference.molecule}: trans population ${trans.mean.toFixed(3)} ± ${trans.se.toFixed(3)} differs from xtb --md's ${ref.fraction.toFixed(3)} ± ${ref.standardError.toFixed(3)} by more than 3 combined standard errors (${(3 * combined).toFixed(3)})`);
}

test(`butane trans and gauche populations at ${butaneReference.temperature} K from our weighted SMC population with GFN2-xTB equal xtb --md's within 3 combined standard errors`, { skip }, async (t) => {
  await assertPopulationsMatch(t, butaneReference);
});

const valproicSkip = skip || (CONFORMER_CHECKS_REQUESTED ? false
  : 'opt-in (EQUIMOL_CONFORMERS_XTB=1): about 12 min of GFN2-xTB (trans 0.609 ± 0.063 against xtb --md 0.552 ± 0.084 when last run, issue 13)');

test(`valproic acid's terminal propyl torsions: trans and gauche populations at ${valproicReference.temperature} K from our weighted SMC population with GFN2-xTB equal xtb --md's within 3 combined standard errors`, { skip: valproicSkip }, async (t) => {
  await assertPopulationsMatch(t, valproicReference);
});
