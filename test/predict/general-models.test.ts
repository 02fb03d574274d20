// The shipped general models (assets/models/general), checked against what their files and cards claim:
//   - qm9xtb-properties: an ensemble of at least 3 whose stored test errors are reproduced on held-out QM9 molecules
//     (the same seeded split by name the recipe used), with spreads on every output and a refused element named;
//   - hcnof-xtb-potential: an ensemble of at least 3 giving GFN2-xTB energies and forces of held-out QM9 molecules
//     near its card's figures, with a per-atom force spread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evaluateModel } from '../../core/engine/eval';
import { sideOfName } from '../../core/engine/train/splits';
import type { Structure } from '../../core/structure/structure';
import { readModelFile, readPropertyModelFile } from '../../main/models/model-files';
import { initNodeBackend } from '../../main/models/node-backend';
import { qm9Frames } from '../generative/edm/qm9-frames';
import { readStructures } from '../../main/io/read-structures';

const PROPERTIES = resolve('assets/models/general/qm9xtb-properties.model.json');
const POTENTIAL = resolve('assets/models/general/hcnof-xtb-potential.model.json');
const SPLIT = { seed: 1, validation: 0.02, test: 0.05 } as const;

/** Held-out QM9 molecules: the test side of the recipes' split by name, among the first `scan` of the file. */
async function heldOutQm9(scan: number): Promise<Structure[]> {
  return (await qm9Frames(scan)).filter((s) => sideOfName(s.name, SPLIT) === 'test');
}

interface StoredMetrics { dataset: string; structures: number; metrics: Record<string, number> }
const storedTestMetrics = (path: string): Record<string, number> => {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { propertyMetrics?: StoredMetrics[] };
  const test = doc.propertyMetrics?.find((m) => m.dataset.startsWith('test'));
  assert.ok(test, `${path} stores its test metrics`);
  return test.metrics;
};

test('the shipped qm9xtb-properties ensemble reproduces its stored test errors on held-out QM9 molecules, with a spread per output', async () => {
  await initNodeBackend();
  const ensemble = await readPropertyModelFile(PROPERTIES);
  try {
    assert.ok(ensemble.members.length >= 3, `an ensemble of ${ensemble.members.length}`);
    const held = await heldOutQm9(4000);
    assert.ok(held.length >= 150, `${held.length} held-out molecules`);
    const metrics = await ensemble.metrics(held);
    const stored = storedTestMetrics(PROPERTIES);
    for (const key of ['homoMAE_meV', 'lumoMAE_meV', 'gapMAE_meV', 'dipoleMAE_D', 'chargesMAE_me']) {
      const ratio = metrics[key]! / stored[key]!;
      console.log(`${key}: ${metrics[key]!.toPrecision(4)} on ${held.length} held-out molecules, ${stored[key]!.toPrecision(4)} stored (×${ratio.toFixed(2)})`);
      assert.ok(ratio > 0.6 && ratio < 1.5, `${key} ${metrics[key]} vs stored ${stored[key]}`);
    }
    const predicted = await ensemble.predict(held.slice(0, 5));
    for (const name of ['homo', 'lumo', 'gap', 'dipole', 'charges']) {
      assert.ok(predicted.std!.values[name]!.every((v) => Number.isFinite(v) && v >= 0), `${name} spread finite`);
      assert.ok(predicted.std!.values[name]!.some((v) => v > 0), `${name} spread not all zero`);
    }
    // Sulfur is not among H, C, N, O, F: refused, naming the structure and the element.
    const withSulfur = (await readStructures(resolve('assets/examples/drugs.sdf'))).find((s) => s.numbers.includes(16))!;
    await assert.rejects(ensemble.predict([withSulfur]), /S|16/);
  } finally {
    ensemble.dispose();
  }
});

test('the shipped qm9xtb-properties ensemble gives fluorine its negative xtb charge and the fluorinated drugs xtb-like dipoles', async () => {
  // Members trained on QM9 alone (almost no CF3) once put +0.65 e on mefloquine's CF3 fluorines and were off by
  // 10-56 D on its dipole and those of fluoxetine, risperidone and dolutegravir.
  await initNodeBackend();
  const ensemble = await readPropertyModelFile(PROPERTIES);
  try {
    const names = ['ood_mefloquine', 'ood_fluoxetine', 'ood_risperidone', 'ood_dolutegravir'];
    const drugs = (await readStructures(resolve('test/fixtures/ood-drugs/ood-drugs-xtb.extxyz.gz')))
      .filter((s) => s.properties['frame'] === 'xtb_opt' && names.includes(String(s.properties['name'])));
    assert.equal(drugs.length, names.length);
    const { mean } = await ensemble.predict(drugs);
    drugs.forEach((s, g) => {
      const start = mean.atomStart[g]!;
      const fluorine = [...s.numbers.keys()].filter((i) => s.numbers[i] === 9).map((i) => mean.values['charges']![start + i]!);
      assert.ok(fluorine.length > 0 && fluorine.every((q) => q < 0), `${s.properties['name']}: F charges ${fluorine.map((q) => q.toFixed(2)).join(' ')} e`);
      const label = Array.from(s.properties['dipole'] as ArrayLike<number>);
      const error = Math.hypot(...[0, 1, 2].map((k) => mean.values['dipole']![3 * g + k]! - label[k]!));
      console.log(`${s.properties['name']}: |dipole error| ${error.toFixed(2)} D (xtb |dipole| ${Math.hypot(...label).toFixed(2)} D)`);
      assert.ok(error < 3, `${s.properties['name']}: dipole off by ${error.toFixed(2)} D`);
    });
  } finally {
    ensemble.dispose();
  }
});

test('the shipped hcnof-xtb-potential ensemble gives GFN2-xTB energies and forces of held-out QM9 molecules near its card, with a per-atom force spread', async () => {
  await initNodeBackend();
  const stored = storedTestMetrics(POTENTIAL);
  const model = await readModelFile(POTENTIAL);
  const held = (await heldOutQm9(2000)).slice(0, 60);
  try {
    const result = await evaluateModel(model, held);
    console.log(`potential on ${held.length} held-out equilibrium molecules: energy ${result.energyMAE_meV_per_atom.toFixed(2)} meV/atom, forces ${result.forceMAE_meV_per_A.toFixed(1)} meV/Å (stored test, mixed with displaced frames: ${stored['energyMAE_meV_per_atom']!.toFixed(2)}, ${stored['forcesMAE_meV_per_A']!.toFixed(1)})`);
    // Equilibrium geometries have smaller forces than the stored test mix (which includes 0.05-0.10 Å displacements).
    assert.ok(result.forceMAE_meV_per_A < 1.5 * stored['forcesMAE_meV_per_A']!, `forces ${result.forceMAE_meV_per_A} meV/Å`);
    assert.ok(result.energyMAE_meV_per_atom < 2 * stored['energyMAE_meV_per_atom']!, `energy ${result.energyMAE_meV_per_atom} meV/atom`);
  } finally {
    model.dispose();
  }
  const ensemble = await readPropertyModelFile(POTENTIAL);
  try {
    assert.ok(ensemble.members.length >= 3, `an ensemble of ${ensemble.members.length}`);
    const predicted = await ensemble.predict(held.slice(0, 3), { forces: true });
    const atoms = held.slice(0, 3).reduce((n, s) => n + s.numbers.length, 0);
    assert.equal(predicted.forcesSpread?.length, atoms);
    assert.ok(predicted.forcesSpread!.every((v) => Number.isFinite(v) && v > 0), 'a positive force spread on every atom');
  } finally {
    ensemble.dispose();
  }
});
