/**
 * `equimol label`: GFN2-xTB labels with the keys and units of shared/datasets/qm9_xtb (energy eV, forces eV/Å,
 * charges e, dipole and dipole_norm D, homo/lumo/gap eV), checked against the xtb-executable labels of the
 * out-of-distribution drug fixture, error rows for structures xtb cannot evaluate, and CSV headers with units.
 * Skips when neither the libxtb addon nor the xtb executable is available.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured as cli } from '../helpers/cli';
import { gfn2OrSkipReason } from '../helpers/xtb';
import { EXIT } from '../../main/cli/command';
import { readStructures } from '../../main/io/read-structures';
import { createExtxyzWriter } from '../../core/formats/xyz/writer';
import type { Structure } from '../../core/structure/structure';

const xtb = gfn2OrSkipReason();
const skip = xtb.calculator ? false : xtb.unavailable;
const FIXTURE = 'test/fixtures/ood-drugs/ood-drugs-xtb.extxyz.gz';

function num(value: unknown): number {
  assert.equal(typeof value, 'number');
  return value as number;
}

test('label writes qm9_xtb keys and units equal to the xtb labels of the drug fixture, and error rows for broken structures', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-label-'));
  try {
    const frames = (await readStructures(FIXTURE)).filter((s) => s.properties['frame'] === 'xtb_opt').slice(0, 3);
    assert.equal(frames.length, 3);
    const broken = `2\nname=overlap\nC 0 0 0\nC 0 0 0\n1\nname=hatom\nH 0 0 0\n`;
    const writer = createExtxyzWriter();
    // The input carries no labels: only the geometry, so every label in the output comes from the calculator.
    const bare = frames.map((s): Structure => ({ ...s, properties: { name: String(s.properties['name']) }, atomArrays: {} }));
    const input = join(dir, 'in.extxyz');
    writeFileSync(input, bare.map((s, i) => writer.write(s, i)).join('') + broken);
    const out = join(dir, 'labelled.extxyz');
    const r = await cli(['label', input, '--calculator', 'xtb', '--out', out]);
    assert.equal(r.code, EXIT.recordErrors, r.stderr);
    const labelled = await readStructures(out);
    assert.equal(labelled.length, 5, 'one output record per input record');
    for (let k = 0; k < 3; k++) {
      const got = labelled[k]!;
      const want = frames[k]!;
      assert.equal(got.properties['equimol_status'], 'ok');
      assert.ok(Math.abs(num(got.properties['energy']) - num(want.properties['energy'])) < 1e-4, `energy of ${String(want.properties['name'])} (eV)`);
      for (const key of ['homo', 'lumo', 'gap', 'dipole_norm']) assert.ok(Math.abs(num(got.properties[key]) - num(want.properties[key])) < 2e-3, `${key}: ${String(got.properties[key])} vs ${String(want.properties[key])}`);
      const dipole = got.properties['dipole'] as number[];
      const wantDipole = want.properties['dipole'] as number[];
      dipole.forEach((d, c) => assert.ok(Math.abs(d - wantDipole[c]!) < 2e-3, 'dipole vector (D)'));
      const forces = got.atomArrays['forces']!;
      const charges = got.atomArrays['charges']!;
      assert.equal(forces.width, 3);
      assert.equal(charges.width, 1);
      const wantForces = want.atomArrays['forces']!.data;
      const got3 = Array.from(forces.data as Float64Array);
      const dF = Math.max(...got3.map((f, i) => Math.abs(f - Number(wantForces[i]))));
      assert.ok(dF < 5e-3, `forces (eV/Å): max |dF| ${dF}`);
      const wantCharges = want.atomArrays['charges']!.data;
      charges.data.forEach((q, i) => assert.ok(Math.abs(Number(q) - Number(wantCharges[i])) < 1e-3, 'charges (e)'));
    }
    assert.equal(labelled[3]!.properties['equimol_status'], 'error');
    assert.match(String(labelled[3]!.properties['equimol_error']), /record 4: atoms 1 and 2 are 0\.000 Å apart/);
    assert.match(String(labelled[4]!.properties['equimol_error']), /record 5: .*multiplicity/);
    const errors = readFileSync(`${out}.errors.csv`, 'utf8').trim().split('\n');
    assert.equal(errors.length, 3, 'header and two error rows');

    const csv = join(dir, 'labels.csv');
    await cli(['label', input, '--calculator', 'xtb', '--out', csv]);
    const header = readFileSync(csv, 'utf8').split('\n')[0]!;
    for (const column of ['energy [eV]', 'homo [eV]', 'lumo [eV]', 'gap [eV]', 'dipole_norm [D]']) assert.ok(header.includes(column), `${column} in ${header}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('label without --calculator is a usage error naming the option', async () => {
  const r = await cli(['label', 'x.xyz', '--out', 'y.extxyz']);
  assert.equal(r.code, EXIT.usage);
  assert.match(r.stderr, /--calculator/);
});
