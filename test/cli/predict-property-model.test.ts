// `equimol predict --model FILE` with a property model file (family 'properties', declared outputs, an ensemble of
// members): the columns, per-atom charges and the ensemble spreads reach CSV and SDF; the calculator catalogue
// leaves out a property model that declares no energy.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { QM9_XTB_OUTPUTS } from '../../core/engine/properties/outputs';
import { createPropertyModel, type PropertyModel } from '../../core/engine/properties/property-model';
import { PropertyEnsemble } from '../../core/engine/properties/ensemble';
import { propertyModelToFile } from '../../core/engine/properties/property-file';
import { weightsNameFor } from '../../core/engine/model-file/model-file';
import { modelCalculatorEntries } from '../../core/calc/catalogue';
import type { ModelCatalogue } from '../../core/predict/model-predictors';
import { EXIT } from '../../main/cli/command';
import { runCliCaptured as cli } from '../helpers/cli';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drugs = join(root, 'assets', 'examples', 'drugs.sdf');
const dir = mkdtempSync(join(tmpdir(), 'equimol-predict-props-'));
const modelPath = join(dir, 'props-test.model.json');
let json = '';
let weights: Uint8Array = new Uint8Array();

function member(seed: number): PropertyModel {
  const m = createPropertyModel({ trunk: 'mace', trunkConfig: { species: [1, 6, 7, 8, 9], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed }, outputs: QM9_XTB_OUTPUTS, headHidden: 8, seed: seed + 10 });
  // Seeded random last head layers (they start at zero), so the members disagree and the spreads are non-zero.
  for (const [name, v] of Object.entries(m.params)) {
    if (/^head\/.*\/mlp\/w1$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', seed)));
  }
  return m;
}

before(async () => {
  await initBackend({ prefer: 'wasm' });
  const ensemble = new PropertyEnsemble([member(1), member(2), member(3)]);
  const file = propertyModelToFile(ensemble, { card: { title: 'untrained 3-member test ensemble', description: 'd', trainingData: 'none', intendedUse: 'tests', limitations: 'untrained' } });
  ensemble.dispose();
  json = file.json;
  weights = file.weights;
  writeFileSync(modelPath, json);
  writeFileSync(join(dir, weightsNameFor('props-test')), weights);
});

test('predict --model with a property ensemble writes orbital energies, dipole and their spreads to CSV, and charges summing to the total charge to SDF', async () => {
  const csvPath = join(dir, 'out.csv');
  const r = await cli(['predict', drugs, '--model', modelPath, '--out', csvPath]);
  assert.equal(r.code, EXIT.recordErrors, r.stderr);
  assert.match(r.stderr, /14 ok, 6 errors/);
  const [header, ...rows] = readFileSync(csvPath, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  for (const c of ['homo [eV]', 'homo_std [eV]', 'lumo [eV]', 'gap [eV]', 'gap_std [eV]', 'dipole_x [D]', 'dipole_norm [D]', 'in_domain']) assert.ok(columns.includes(c), `column ${c} in ${header}`);
  assert.equal(rows.length, 20);
  const gapStd = columns.indexOf('gap_std [eV]');
  for (const row of rows) {
    const cells = row.split(',');
    const outside = /(Cl|S|P|Br|I)(?![a-z])/.exec(cells[columns.indexOf('formula')]!.replace(/\d+/g, ' '));
    if (outside) {
      // An element outside H, C, N, O, F: an error row naming it, not an 'ok' row with empty values.
      assert.equal(cells[columns.indexOf('status')], 'error', row);
      assert.match(row, new RegExp(`element [A-Za-z, ]*${outside[1]}[A-Za-z, ]* is not known`));
      continue;
    }
    assert.equal(cells[columns.indexOf('status')], 'ok', row);
    assert.ok(Number(cells[gapStd]) > 0, `three different members give a spread: ${row}`);
  }
  const sdfPath = join(dir, 'out.sdf');
  assert.equal((await cli(['predict', drugs, '--model', modelPath, '--out', sdfPath])).code, EXIT.recordErrors);
  const records = readFileSync(sdfPath, 'utf8').split('$$$$\n').filter((t) => t.trim() !== '' && !t.includes('<equimol_status>\nerror'));
  assert.equal(records.length, 14);
  for (const record of records) {
    const lines = record.split('\n');
    const nAtoms = Number(lines[3]!.slice(0, 3));
    const at = lines.indexOf('> <charges>') + 1; // one value per line (the per-atom SD field format)
    const charges = lines.slice(at, at + nAtoms).map(Number);
    assert.equal(charges.length, nAtoms);
    assert.ok(Math.abs(charges.reduce((a, b) => a + b, 0)) < 1e-4, `neutral molecule: charges sum ${charges.reduce((a, b) => a + b, 0)}`);
  }
});

test('the calculator catalogue leaves out a property model that declares no energy; predict names a missing model file', async () => {
  const catalogue: ModelCatalogue = {
    list: async () => [{ name: 'props-test', location: dir }],
    readJson: async () => json,
    readWeights: async () => weights,
  };
  assert.deepEqual(await modelCalculatorEntries(catalogue, { initBackend: async () => undefined }), []);
  const r = await cli(['predict', drugs, '--model', join(dir, 'missing.model.json'), '--out', join(dir, 'x.csv')]);
  assert.equal(r.code, EXIT.usage);
  assert.match(r.stderr, /missing\.model\.json/);
});
