// The potential's card states its measured errors (scripts/potential-card.ts): the limitations sentence is built from
// the test-split and out-of-distribution figures, and the shipped model file's sentence matches its own test metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measuredPotentialLimitations } from '../../scripts/potential-card';

const SHIPPED = join(import.meta.dirname, '..', '..', 'assets', 'models', 'general', 'hcnof-xtb-potential.model.json');

const metrics = (energy: number, forces: number) => ({ dataset: 'x', structures: 76, energyMAE_meV_per_atom: energy, forceMAE_meV_per_A: forces });

test('the limitations sentence states the test and drug errors, the relaxation RMSD and how many minima lie below xtb', () => {
  const text = measuredPotentialLimitations({ energyMAE_meV_per_atom: 7.81, forcesMAE_meV_per_A: 80.9 }, {
    errors: { all: metrics(7.32, 115.9), fluorine: metrics(9, 130), noFluorine: metrics(7, 110) },
    relax: { molecules: 3, medianRmsd: 0.4004, within0_1: 1, within0_25: 2, converged: 3 },
    relaxRows: [
      { name: 'a', rmsd: 0.6, status: 'converged', energyGap_meV: -298 },
      { name: 'b', rmsd: 0.02, status: 'converged', energyGap_meV: 4 },
      { name: 'c', rmsd: 0.4, status: 'converged', energyGap_meV: -7 },
    ],
    md: [],
  });
  assert.match(text, /forces 0\.081 eV\/Å MAE on held-out QM9 frames and 0\.12 eV\/Å on larger drugs \(energies 7\.8 and 7\.3 meV\/atom\)/);
  assert.match(text, /median 0\.40 Å/);
  assert.match(text, /2 of 3 end below its energy at the xtb geometry/);
});

test('the shipped potential states the force error of its own test metrics', () => {
  const doc = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { card: { limitations: string }; propertyMetrics: Array<{ dataset: string; metrics: Record<string, number> }> };
  const testMetrics = doc.propertyMetrics.find((m) => m.dataset.startsWith('test'))!.metrics;
  const stated = /forces ([0-9.]+) eV\/Å MAE on held-out QM9 frames/.exec(doc.card.limitations);
  assert.ok(stated, `no measured force error in: ${doc.card.limitations}`);
  assert.equal(Number(stated[1]), Number((testMetrics['forcesMAE_meV_per_A']! / 1000).toFixed(3)));
});
