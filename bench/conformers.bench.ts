/**
 * Conformer search cost per molecule with GFN2-xTB: our search at the app's defaults (CONFORMER_SEARCH_DEFAULTS:
 * sampleConformers, annealed Langevin SMC from 1200 K to 298.15 K with a torsion move after every step and every
 * rung's replicas kept, then buildEnsemble: a crude screen of the candidates, L-BFGS relaxation of the survivors to
 * fmax 0.01 eV/Å, deduplication, 6 kcal/mol window) beside, in the same run, RDKit ETKDGv3 + MMFF94 followed by `xtb --opt normal`
 * of every conformer (test/fixtures/conformers/make-rdkit-xtb-reference.py --bench, Debian /usr/bin/python3 with
 * RDKit and the xtb executable, one thread). Molecules from test/fixtures/conformers/drugs20.smi, started from the
 * reference fixture's start structure.
 * Figures per molecule: wall time (s) and calculator calls (ours: structures evaluated by the calculator; RDKit+xtb:
 * xtb optimisation cycles, one energy and gradient each), with our lowest energy relative to RDKit+xtb's in the
 * note. `--quick`: one molecule, smaller population and 20 RDKit conformers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createXtbCalculator } from '../main/calc/xtb/xtb-calculator';
import { KCAL_PER_EV, loadDrugReference, lowestOf, runConformerSearch, searchSampler, startStructure } from '../test/sampling/conformer-reference';
import type { BenchFigure, BenchSuite } from './harness';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../test/fixtures/conformers/make-rdkit-xtb-reference.py', import.meta.url));
const MOLECULES = ['benzocaine', 'mexiletine', 'ephedrine'];

interface RdkitXtbTiming {
  seconds: number;
  xtbCycles: number;
  optimisations: number;
  lowestEnergy: number;
  unique: number;
}

/** RDKit ETKDG + MMFF + xtb --opt on `smiles` with `conformers` embeddings, or why it could not run. */
function rdkitXtb(smiles: string, conformers: number): RdkitXtbTiming | string {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const result = spawnSync(PYTHON, [SCRIPT, '--bench', smiles, '--conformers', String(conformers)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (result.status !== 0) return `RDKit+xtb failed: ${(result.stderr || String(result.error)).trim().split('\n').at(-1)}`;
  try {
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RdkitXtbTiming;
  } catch {
    return `RDKit+xtb printed '${result.stdout.trim()}'`;
  }
}

export const suite: BenchSuite = {
  name: 'conformers (GFN2-xTB)',
  async run({ quick, log }): Promise<BenchFigure[]> {
    let xtb;
    try {
      xtb = createXtbCalculator({ method: 'gfn2' });
    } catch (error) {
      log(`skipped: ${(error as Error).message}`);
      return [];
    }
    // The app's and the CLI's defaults; --quick a smaller population and fewer, shorter rungs.
    const sampler = searchSampler({ seed: 1, ...(quick ? { population: 8, rungs: 4, stepsPerRung: 20 } : {}) });
    const rdkitConformers = quick ? 20 : 100;
    const reference = loadDrugReference();
    const figures: BenchFigure[] = [];
    for (const name of quick ? MOLECULES.slice(0, 1) : MOLECULES) {
      const molecule = reference.molecules.find((m) => m.name === name);
      if (!molecule) {
        log(`${name}: not in rdkit-xtb-reference.json, skipped`);
        continue;
      }
      const ours = await runConformerSearch(startStructure(molecule), xtb, sampler, { windowKcal: 6, relax: { optimizer: 'lbfgs', fmax: 0.01, maxSteps: 1000 } });
      const seconds = (ours.samplingMs + ours.ensembleMs) / 1000;
      const base = rdkitXtb(molecule.smiles, rdkitConformers);
      const settings = `population ${sampler.population}, ${sampler.rungs} rungs × ${sampler.stepsPerRung} steps, a torsion move every ${sampler.moveInterval} step(s), rung snapshots screened; RDKit ${rdkitConformers} conformers`;
      if (typeof base === 'string') log(`${name}: baseline not run: ${base}`);
      const delta = typeof base === 'string' ? '' : `; our lowest ${((lowestOf(ours.ensemble) - base.lowestEnergy) * KCAL_PER_EV).toFixed(2)} kcal/mol vs RDKit+xtb's, ${ours.ensemble.conformers.length} vs ${base.unique} conformers`;
      log(`${name}: ours ${seconds.toFixed(1)} s (sampling ${(ours.samplingMs / 1000).toFixed(1)} s), ${ours.counts.structures} evaluations${typeof base === 'string' ? '' : `; RDKit+xtb ${base.seconds.toFixed(1)} s, ${base.xtbCycles} xtb cycles`}`);
      const backend = `${xtb.description.name}, ${molecule.atoms} atoms`;
      figures.push({
        name: `conformer search wall time, ${name}`,
        value: seconds,
        unit: 's',
        backend,
        better: 'lower',
        ...(typeof base === 'string' ? {} : { baseline: { name: 'RDKit ETKDG+MMFF then xtb --opt', value: base.seconds } }),
        note: settings + delta,
      });
      figures.push({
        name: `conformer search calculator calls, ${name}`,
        value: ours.counts.structures,
        unit: 'calls',
        backend,
        better: 'lower',
        ...(typeof base === 'string' ? {} : { baseline: { name: 'xtb --opt cycles over the RDKit conformers', value: base.xtbCycles } }),
        note: `ours: structures evaluated (sampling + relaxation); ${settings}`,
      });
    }
    return figures;
  },
};
