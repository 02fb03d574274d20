/**
 * Issue 13's "must show" on drug-like molecules with GFN2-xTB: our conformer search (sampleConformers, annealed
 * Langevin SMC from 1200 K to 298.15 K, then buildEnsemble: relaxation, deduplication, 6 kcal/mol window) against
 * 100 RDKit ETKDGv3 conformers,
 * MMFF94-relaxed, then each re-relaxed with `xtb --opt normal`
 * (test/fixtures/conformers/rdkit-xtb-reference.json from make-rdkit-xtb-reference.py; 20 approved drugs of 23 to
 * 40 atoms, none in this project's training sets).
 *  - lowest energy: ours ≤ the reference's lowest + LOWEST_TOLERANCE_KCAL (0.1 kcal/mol: xtb --opt normal stops at
 *    a gradient norm of 1e-3 Eh/bohr and 5e-6 Eh, our L-BFGS here at fmax 0.01 eV/Å; the two land up to a few
 *    hundredths of a kcal/mol apart on the same minimum) in at least 90 % of the molecules (18 of 20);
 *  - COV-R: the fraction of the reference's unique conformers within 6 kcal/mol that one of ours matches within
 *    0.75 Å symmetry-aware heavy-atom RMSD, printed per molecule with the mean.
 * GFN2-xTB costs ~40 ms a structure of 30 atoms on a free core, so by default the search runs small settings
 * (8 replicas × 4 rungs × 25 steps, a torsion move after every step, every rung's replicas kept and screened) on
 * DEFAULT_SUBSET (three molecules of 23 to 30 atoms, ~8 min); EQUIMOL_CONFORMERS_FULL=1 runs all 20 at the app's
 * defaults (16 × 6 × 50); EQUIMOL_CONFORMERS_MOLECULES=name,name runs those (small settings, or the app's with FULL=1).
 * Skipped, with the reason, when GFN2-xTB (libxtb addon or the xtb executable) is not available.
 * Measured at stop 27 at the app's defaults (FULL=1; xtb 6.5.1 through libxtb), one molecule per run
 * (EQUIMOL_CONFORMERS_FULL=1 EQUIMOL_CONFORMERS_MOLECULES=<name>; each molecule's search is seeded on its own, so this
 * equals one run of all 20), at most two runs at a time on the 2-core
 * machine, against the 100-conformer reference: lowest at or below RDKit+xtb's (+0.1 kcal/mol) in 19 of 20 (the miss:
 * diphenhydramine +0.200 kcal/mol, COV-R 34/34), 6 of them lower than RDKit+xtb's by 0.07 to 0.82 kcal/mol (isoprenaline
 * -0.819, propranolol -0.538, mescaline -0.328, ketoprofen -0.179, mexiletine -0.178, salbutamol -0.068); mean COV-R
 * 0.98 (lowest: lidocaine 30/38, propranolol 66/74); 14 558 to 32 201 xtb evaluations and 213 to 1263 s a molecule,
 * 494 468 evaluations and 12 826 s in all. At the small settings (stop 25, the default subset's) the same check gave
 * 16 of 20 against this reference (lidocaine +0.34, salbutamol +0.88, diphenhydramine +0.50, mephenesin +0.33).
 * Ephedrine, whose lowest conformer has an O−H···N hydrogen bond its start lacks, went from +3.45 to −0.006 kcal/mol
 * with the polar-hydrogen rotors, the N inversion, a move after every step and the rung snapshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gfn2OrSkipReason } from '../helpers/xtb';
import { CONFORMER_CHECKS_REQUESTED, CONFORMERS_FULL, coverage, KCAL_PER_EV, loadDrugReference, lowestOf, runConformerSearch, searchSampler, startStructure, type ReferenceMolecule } from './conformer-reference';

const LOWEST_TOLERANCE_KCAL = 0.1;
const COVERAGE_RMSD = 0.75;
const WINDOW_KCAL = 6;
/** The three smallest-and-varied molecules run by default: an aryl ether amine, an ester with an aniline, an amino alcohol with two stereocentres. */
const DEFAULT_SUBSET = ['mexiletine', 'benzocaine', 'ephedrine'];
const full = CONFORMERS_FULL;

/**
 * Small settings for the default run (~4000-9000 evaluations a molecule with the snapshots' relaxations, ~40 ms
 * each for 30 atoms on one free core); the full run the app's defaults, 16 replicas over 6 rungs of 50 steps.
 */
const SAMPLER = searchSampler({ seed: 1, ...(full ? {} : { population: 8, rungs: 4, stepsPerRung: 25 }) });

const { calculator, unavailable } = gfn2OrSkipReason();
const reference = loadDrugReference();
const chosen = process.env.EQUIMOL_CONFORMERS_MOLECULES?.split(',') ?? (full ? undefined : DEFAULT_SUBSET);
const molecules: readonly ReferenceMolecule[] = chosen ? reference.molecules.filter((m) => chosen.includes(m.name)) : reference.molecules;
/**
 * Opt-in for its cost: even the default subset takes minutes of xtb (the CI's 30 minutes cannot hold it), so the
 * default suite skips it with that reason. EQUIMOL_CONFORMERS_XTB=1 (or FULL=1, or a molecule list) runs it.
 */
const skip = !(CONFORMER_CHECKS_REQUESTED || process.env.EQUIMOL_CONFORMERS_MOLECULES !== undefined)
  ? 'opt-in (EQUIMOL_CONFORMERS_XTB=1): minutes of GFN2-xTB for the default subset, 3.6 h for the 20 at the app\'s defaults (FULL=1: 19 of 20 within 0.1 kcal/mol of the 100-conformer reference when last run, issue 13)'
  : calculator
    ? molecules.length === 0
      ? 'the reference fixture holds none of the molecules'
      : false
    : unavailable;

interface Row {
  name: string;
  atoms: number;
  oursKcal: number;
  coverage: number;
  covered: string;
  conformers: number;
  calls: number;
  seconds: number;
}

test(`our GFN2-xTB ensemble's lowest energy is at most ${LOWEST_TOLERANCE_KCAL} kcal/mol above RDKit ETKDG+MMFF+xtb's in ≥ 90 % of ${molecules.length === 20 ? 'the 20' : `${molecules.length} of the 20`} drug-like molecules, COV-R at ${COVERAGE_RMSD} Å reported`, { skip }, async (t) => {
  const xtb = calculator!;
  const rows: Row[] = [];
  for (const molecule of molecules) {
    const start = startStructure(molecule);
    const outcome = await runConformerSearch(start, xtb, SAMPLER, { windowKcal: WINDOW_KCAL, relax: { optimizer: 'lbfgs', fmax: 0.01, maxSteps: 1000 } });
    assert.notEqual(outcome.sample.report.status, 'stopped', `${molecule.name}: the sampler stopped: ${outcome.sample.report.summary}`);
    assert.ok(outcome.ensemble.conformers.length > 0, `${molecule.name}: empty ensemble (dropped ${JSON.stringify(outcome.ensemble.dropped)})`);
    const cov = coverage(molecule, outcome.ensemble.conformers, WINDOW_KCAL, COVERAGE_RMSD);
    const row: Row = {
      name: molecule.name,
      atoms: molecule.atoms,
      oursKcal: (lowestOf(outcome.ensemble) - molecule.lowestEnergy) * KCAL_PER_EV,
      coverage: cov.fraction,
      covered: `${cov.covered}/${cov.total}`,
      conformers: outcome.ensemble.conformers.length,
      calls: outcome.counts.structures,
      seconds: (outcome.samplingMs + outcome.ensembleMs) / 1000,
    };
    rows.push(row);
    t.diagnostic(`${row.name} (${row.atoms} atoms, reference of ${molecule.conformersRequested} ETKDG conformers): lowest ${row.oursKcal >= 0 ? '+' : ''}${row.oursKcal.toFixed(3)} kcal/mol vs RDKit+xtb; COV-R ${row.covered} = ${row.coverage.toFixed(2)}; ` +
      `${row.conformers} conformers (dropped ${JSON.stringify(outcome.ensemble.dropped)}); ESS per rung ${outcome.sample.essPerRung.map((e) => e.toFixed(1)).join(' ')}; ` +
      `${row.calls} xtb evaluations, ${row.seconds.toFixed(0)} s`);
  }
  const atOrBelow = rows.filter((r) => r.oursKcal <= LOWEST_TOLERANCE_KCAL).length;
  const meanCoverage = rows.reduce((s, r) => s + r.coverage, 0) / rows.length;
  t.diagnostic(`lowest energy at or below RDKit+xtb (+${LOWEST_TOLERANCE_KCAL} kcal/mol) in ${atOrBelow}/${rows.length}; mean COV-R (${WINDOW_KCAL} kcal/mol, ${COVERAGE_RMSD} Å) ${meanCoverage.toFixed(2)}; ` +
    `${rows.reduce((s, r) => s + r.calls, 0)} xtb evaluations in ${rows.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s`);
  const needed = Math.ceil(0.9 * rows.length);
  assert.ok(atOrBelow >= needed, `lowest energy within ${LOWEST_TOLERANCE_KCAL} kcal/mol of RDKit+xtb in only ${atOrBelow} of ${rows.length} (need ${needed}): ` +
    rows.filter((r) => r.oursKcal > LOWEST_TOLERANCE_KCAL).map((r) => `${r.name} +${r.oursKcal.toFixed(2)}`).join(', '));
});
