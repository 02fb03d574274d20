import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { decodeModelFile, ModelFileError } from '../../../core/engine/model-file/model-file';
import { modelFromFile } from '../../../core/engine/model-file/families';
import { evaluateModelBatch } from '../../../core/calc/model-calculator';
import { QM9_XTB_OUTPUTS, type OutputDeclaration } from '../../../core/engine/properties/outputs';
import { createPropertyModel, type PropertyModel } from '../../../core/engine/properties/property-model';
import { predictProperties } from '../../../core/engine/properties/predict-properties';
import { PropertyEnsemble } from '../../../core/engine/properties/ensemble';
import { propertyEnsembleFromFile, propertyModelToFile } from '../../../core/engine/properties/property-file';
import { createPropertyModelPredictor } from '../../../core/predict/property-model-predictor';
import { modelPredictorEntries, type ModelCatalogue } from '../../../core/predict/model-predictors';
import type { Structure } from '../../../core/structure/structure';
import { qm9Frames } from '../../generative/edm/qm9-frames';
import { initBackend } from '../../../core/engine/backend/backend';

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

const ENERGY: OutputDeclaration = { name: 'energy', kind: 'energy', unit: 'eV', irreps: '1x0e' };
const card = { title: 'test property model', description: 'd', trainingData: 't', intendedUse: 'u', limitations: 'l' };

function model(seed: number, outputs: readonly OutputDeclaration[] = QM9_XTB_OUTPUTS): PropertyModel {
  const m = createPropertyModel({ trunk: 'mace', trunkConfig: { species: [1, 6, 7, 8, 9], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed }, outputs, headHidden: 8, seed: seed + 10 });
  // Seeded random last head layers (they start at zero), so members differ in every output.
  for (const [name, v] of Object.entries(m.params)) {
    if (/^head\/.*\/mlp\/w1$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', seed)));
  }
  m.targets = { ...m.targets, homo: { mean: -10, std: 0.5 }, gap: { mean: 5, std: 0.6 }, ...(outputs.includes(ENERGY) ? { energy: { mean: -3, std: 0.1 } } : {}) };
  m.trunk.model.normalisation = { referenceEnergies: [-10.7, -48.8, -70.9, -102.5, -125.7], scale: 0.5, shift: 0.1 };
  return m;
}

function reload(source: PropertyModel | PropertyEnsemble): PropertyEnsemble {
  const file = propertyModelToFile(source, { card });
  return propertyEnsembleFromFile(decodeModelFile(file.json, file.weights, 'x.model.json'), 'x.model.json');
}

test('property model file round trip gives identical predictions (single model and a 3-member ensemble with calibration)', async () => {
  const frames = await qm9Frames(12);
  const single = model(1);
  const members = [model(1), model(2), model(3)];
  const ensemble = new PropertyEnsemble(members);
  ensemble.calibration = { homo: 1.7, charges: 0.8 };
  ensemble.domainThresholds = { gap: 0.25 };
  try {
    const back = reload(single);
    const a = await predictProperties(single, frames), b = await predictProperties(back.members[0]!, frames);
    for (const o of QM9_XTB_OUTPUTS) assert.deepEqual(b.values[o.name], a.values[o.name], `${o.name} identical after reload`);
    back.dispose();
    const file = propertyModelToFile(ensemble, { card });
    assert.equal(JSON.parse(file.json).formatVersion, 2);
    const back3 = propertyEnsembleFromFile(decodeModelFile(file.json, file.weights));
    assert.deepEqual(back3.calibration, ensemble.calibration);
    assert.deepEqual(back3.domainThresholds, ensemble.domainThresholds);
    const p = await ensemble.predict(frames), q = await back3.predict(frames);
    for (const o of QM9_XTB_OUTPUTS) {
      assert.deepEqual(q.mean.values[o.name], p.mean.values[o.name]);
      assert.deepEqual(q.std!.values[o.name], p.std!.values[o.name]);
    }
    back3.dispose();
    // A damaged file names what is wrong.
    const doc = JSON.parse(file.json);
    doc.members[1].targets.homo.std = 0;
    assert.throws(() => propertyEnsembleFromFile(decodeModelFile(JSON.stringify(doc), file.weights), 'bad.model.json'), (e: unknown) => e instanceof ModelFileError && /bad.model.json: members\[1\].targets.homo/.test(e.message));
  } finally {
    single.dispose();
    ensemble.dispose();
  }
});

test('ensemble mean and spread and z-scaling on a known answer: members differing by 1 eV in the HOMO offset', async () => {
  const frames = await qm9Frames(10);
  const base = model(5);
  const copy = reload(base).members[0]!;
  copy.targets = { ...copy.targets, homo: { mean: base.targets['homo']!.mean + 1, std: base.targets['homo']!.std } };
  const ensemble = new PropertyEnsemble([base, copy]);
  try {
    const single = await predictProperties(base, frames);
    const p = await ensemble.predict(frames);
    for (let g = 0; g < frames.length; g++) {
      assert.ok(Math.abs(p.mean.values['homo']![g]! - (single.values['homo']![g]! + 0.5)) < 1e-5, 'mean is halfway');
      assert.ok(Math.abs(p.std!.values['homo']![g]! - 0.5) < 1e-5, 'population std of {y, y+1} is 0.5');
      assert.equal(p.std!.values['gap']![g], 0, 'identical gap heads: no spread');
    }
    // References 1 eV from the mean: |error| = 1, spread 0.5, so the z-scaling factor is 2.
    const labelled: Structure[] = frames.map((s, g) => ({ ...s, properties: { homo: p.mean.values['homo']![g]! + (g % 2 === 0 ? 1 : -1) } }));
    const metrics = await ensemble.calibrate(labelled);
    assert.ok(Math.abs(ensemble.calibration['homo']! - 2) < 1e-4, `homo factor ${ensemble.calibration['homo']}`);
    assert.equal(ensemble.calibration['gap'], 1, 'nothing to compare: factor 1');
    assert.ok(Math.abs(metrics['homoMAE_meV']! - 1000) < 0.1);
    const calibrated = await ensemble.predict(frames);
    assert.ok(Math.abs(calibrated.std!.values['homo']![0]! - 1) < 1e-4, 'calibrated spread 2 × 0.5');
  } finally {
    ensemble.dispose();
  }
});

test('a property ensemble with an energy is an EnergyModel (mean of the members, forces through energyAndForces); one without energy refuses', async () => {
  const frames = await qm9Frames(6);
  const members = [model(1, [...QM9_XTB_OUTPUTS, ENERGY]), model(2, [...QM9_XTB_OUTPUTS, ENERGY])];
  const ensemble = new PropertyEnsemble(members);
  const noEnergy = model(3);
  try {
    const file = propertyModelToFile(ensemble, { card });
    const energyModel = modelFromFile(decodeModelFile(file.json, file.weights));
    const out = await evaluateModelBatch(energyModel, frames, { forces: true });
    const p = await ensemble.predict(frames, { forces: true });
    frames.forEach((_, g) => assert.ok(Math.abs(out.energy[g]! - p.mean.values['energy']![g]!) < 1e-4 * Math.abs(out.energy[g]!)));
    for (let k = 0; k < out.forces!.length; k++) assert.ok(Math.abs(out.forces![k]! - p.mean.forces![k]!) < 1e-4);
    energyModel.dispose();
    const plain = propertyModelToFile(noEnergy, { card });
    assert.throws(() => modelFromFile(decodeModelFile(plain.json, plain.weights)), /declares no energy output/);
  } finally {
    ensemble.dispose();
    noEnergy.dispose();
  }
});

test('the property predictor: columns with units, spreads and in_domain for an ensemble, error rows naming an unknown element; listed as model:<name>', async () => {
  const frames = await qm9Frames(4);
  const withCl: Structure = { ...frames[2]!, name: 'HCl-like', numbers: Uint8Array.from([17, 1, 1]) };
  const ensemble = new PropertyEnsemble([model(1), model(2)]);
  ensemble.domainThresholds = { gap: 1e-9 };
  const predictor = createPropertyModelPredictor(ensemble, { id: 'model:test-props' });
  try {
    assert.deepEqual(predictor.columns.map((c) => `${c.key}[${c.unit}]`), [
      'homo[eV]', 'homo_std[eV]', 'lumo[eV]', 'lumo_std[eV]', 'gap[eV]', 'gap_std[eV]', 'dipole[D]', 'dipole_std[D]', 'dipole_norm[D]', 'dipole_norm_std[D]', 'in_domain[]',
    ]);
    const rows = await predictor.predict([frames[3]!, withCl]);
    const ok = rows[0]!;
    assert.ok(!(ok instanceof Error));
    assert.match(String(ok.values['in_domain']), /^gap spread above threshold/);
    assert.equal(ok.atomArrays!['charges']!.data.length, frames[3]!.numbers.length);
    assert.equal(ok.atomArrays!['charges_std']!.width, 1);
    const dipole = ok.values['dipole'] as number[];
    assert.ok(Math.abs((ok.values['dipole_norm'] as number) - Math.hypot(...dipole)) < 1e-5);
    // An unknown element is an error row naming it, for an ensemble as for one member (never an 'ok' row with empty values).
    const cl = rows[1]!;
    assert.ok(cl instanceof Error && /element Cl is not known to model:test-props/.test(cl.message), String(cl));
    const single = createPropertyModelPredictor(new PropertyEnsemble([model(3)]), { id: 'model:one' });
    const [row] = await single.predict([withCl]);
    assert.ok(row instanceof Error && /element Cl/.test(row.message));
    single.dispose?.();
  } finally {
    predictor.dispose?.();
  }
  // Through the catalogue, as the app and CLI list shipped models.
  const source = new PropertyEnsemble([model(1), model(2)]);
  const file = propertyModelToFile(source, { card, propertyMetrics: [{ dataset: 'test split', structures: 3, metrics: { gapMAE_meV: 123.4, chargesMAE_me: 9.87 } }] });
  const catalogue: ModelCatalogue = { list: async () => [{ name: 'test-props', location: 'mem' }], readJson: async () => file.json, readWeights: async () => file.weights };
  const [entry] = await modelPredictorEntries(catalogue, { initBackend: async () => undefined });
  assert.equal(entry!.id, 'model:test-props');
  assert.match(entry!.description, /PROPERTIES: test property model; test gap MAE 123 meV, charges MAE 9.9 me/);
  const listed = await entry!.create();
  const [a] = await listed.predict([frames[1]!]);
  const direct = await source.predict([frames[1]!]);
  assert.ok(!(a instanceof Error));
  assert.ok(Math.abs((a.values['gap'] as number) - direct.mean.values['gap']![0]!) < 1e-6);
  listed.dispose?.();
  source.dispose();
});
