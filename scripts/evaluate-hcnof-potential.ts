/**
 * Out-of-distribution check of an H, C, N, O, F potential (a model file or an ensemble file) on the xtb-labelled drug
 * set test/fixtures/ood-drugs (76 drugs of 10–33 heavy atoms, larger than any QM9 molecule):
 *   1. energy (meV/atom) and force (meV/Å) MAE on all 228 frames (xtb --opt geometries and displaced copies);
 *   2. relaxation: each molecule's first displaced frame (σ = 0.05 Å from its xtb --opt geometry) relaxed with the
 *      potential (ANCopt, level normal), heavy-atom RMSD (symmetry-aware, after alignment) to the xtb --opt geometry;
 *   3. molecular dynamics: --md-molecules molecules, --md-ps of Langevin dynamics at 300 K (0.5 fs), stable when the
 *      watchdogs (core/sampling/watchdogs) never stop it.
 * Writes a JSON summary (--out) whose figures go into the model card.
 *
 *   nice -n 19 node --import tsx scripts/evaluate-hcnof-potential.ts MODEL.model.json --out tmp/ood.json [--relax 76] [--md-molecules 3]
 */
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateModel } from '../core/engine/eval';
import { createModelCalculator } from '../core/calc/model-calculator';
import { relax } from '../core/sampling/relax/relax';
import { runMolecularDynamics } from '../core/sampling/md/md';
import { heavyAtomRmsd, heavyAtomSymmetryOf } from '../core/sampling/conformers/symmetric-rmsd';
import type { SamplerReport } from '../core/sampling/frames';
import type { Structure } from '../core/structure/structure';
import { readStructures } from '../main/io/read-structures';
import { readModelFile } from '../main/models/model-files';
import { initNodeBackend } from '../main/models/node-backend';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    relax: { type: 'string', default: '76' },
    'md-molecules': { type: 'string', default: '3' },
    'md-ps': { type: 'string', default: '1' },
  },
});
const modelPath = positionals[0];
if (!modelPath) throw new Error('usage: evaluate-hcnof-potential.ts MODEL.model.json [--out FILE]');
const backend = await initNodeBackend();
const model = await readModelFile(modelPath);
const frames = await readStructures(join(root, 'test', 'fixtures', 'ood-drugs', 'ood-drugs-xtb.extxyz.gz'));
const hasFluorine = (s: Structure) => s.numbers.includes(9);

// 1. Energies and forces.
const all = await evaluateModel(model, frames);
const withF = await evaluateModel(model, frames.filter(hasFluorine));
const withoutF = await evaluateModel(model, frames.filter((s) => !hasFluorine(s)));
const errors = { all, fluorine: withF, noFluorine: withoutF };
console.log(`OOD frames ${all.structures}: energy MAE ${all.energyMAE_meV_per_atom.toFixed(1)} meV/atom, force MAE ${all.forceMAE_meV_per_A.toFixed(1)} meV/Å ` +
  `(with F ${withF.forceMAE_meV_per_A.toFixed(1)}, without ${withoutF.forceMAE_meV_per_A.toFixed(1)} meV/Å)`);

// 2. Relaxation from a displaced frame against the xtb --opt geometry.
const calculator = createModelCalculator(model, { id: 'potential', batchSize: 1 });
const byName = new Map<string, Structure[]>();
for (const s of frames) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
interface RelaxRow { name: string; heavyAtoms: number; rmsd: number; steps: number; status: string; energyGap_meV: number }
const relaxRows: RelaxRow[] = [];
for (const [name, group] of [...byName].slice(0, Number(values.relax))) {
  const reference = group.find((s) => s.properties['frame'] === 'xtb_opt');
  const start = group.find((s) => s.properties['frame'] !== 'xtb_opt');
  if (!reference || !start) continue;
  let last: Float64Array = start.positions;
  let lastEnergy = NaN;
  const run = relax(start, calculator, { level: 'normal', maxSteps: 600 });
  let report: SamplerReport | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) { report = next.value; break; }
    last = next.value.positions;
    lastEnergy = next.value.energy;
  }
  const symmetry = heavyAtomSymmetryOf(reference);
  const rmsd = heavyAtomRmsd(last, reference.positions, symmetry);
  const refModel = await calculator.calculate([reference], { forces: false });
  const refE = refModel[0] instanceof Error ? NaN : refModel[0]!.energy;
  relaxRows.push({ name, heavyAtoms: Number(reference.properties['heavy_atoms']), rmsd, steps: report.steps, status: report.status, energyGap_meV: 1000 * (lastEnergy - refE) });
  console.log(`relax ${name}: ${report.status} in ${report.steps} steps, heavy-atom RMSD ${rmsd.toFixed(3)} Å to xtb --opt, E(relaxed) − E(xtb geometry) ${(1000 * (lastEnergy - refE)).toFixed(1)} meV`);
}
const rmsds = relaxRows.map((r) => r.rmsd).sort((a, b) => a - b);
const relaxSummary = {
  molecules: relaxRows.length,
  medianRmsd: rmsds[Math.floor(rmsds.length / 2)] ?? NaN,
  within0_1: rmsds.filter((r) => r <= 0.1).length,
  within0_25: rmsds.filter((r) => r <= 0.25).length,
  converged: relaxRows.filter((r) => r.status === 'converged').length,
};
console.log(`relaxation: ${relaxSummary.molecules} molecules, median heavy-atom RMSD ${relaxSummary.medianRmsd.toFixed(3)} Å, ${relaxSummary.within0_1} within 0.1 Å, ${relaxSummary.within0_25} within 0.25 Å, ${relaxSummary.converged} converged`);

// 3. Molecular dynamics under the watchdogs.
const mdRows: Array<{ name: string; status: string; steps: number; summary: string }> = [];
const steps = Math.round((Number(values['md-ps']) * 1000) / 0.5);
for (const [name, group] of [...byName].slice(0, Number(values['md-molecules']))) {
  const reference = group.find((s) => s.properties['frame'] === 'xtb_opt')!;
  const run = runMolecularDynamics(reference, calculator, { thermostat: 'langevin', temperature: 300, timestep: 0.5, steps, every: 100, seed: 1, friction: 0.01 });
  let report: SamplerReport | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) { report = next.value; break; }
  }
  mdRows.push({ name, status: report.status, steps: report.steps, summary: report.summary });
  console.log(`md ${name}: ${report.status} after ${report.steps} steps: ${report.summary}`);
}
const summary = { model: modelPath, backend: backend.description, errors, relax: relaxSummary, relaxRows, md: mdRows, date: new Date().toISOString() };
if (values.out) await writeFile(values.out, JSON.stringify(summary, null, 1));
model.dispose();
