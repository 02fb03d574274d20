import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { checkEnergyModel, ethanol, evaluate } from './layers-test-graph';

test('MACE energy is E(3)-invariant and permutation-invariant, forces equivariant and equal to -dE/dr', async () => {
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 2, shLmax: 2, nInteractions: 2, correlation: 3, seed: 3 });
  try {
    assert.equal(model.description.hidden, '4x0e+4x1o+4x2e');
    await checkEnergyModel(model);
  } finally {
    model.dispose();
  }
});

test('MACE energies depend on the seed and the reference energies shift them per atom', () => {
  const a = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed: 1 });
  const b = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed: 2 });
  try {
    const ea = evaluate(a, [ethanol]).energy[0]!;
    assert.notEqual(ea, evaluate(b, [ethanol]).energy[0]!);
    a.normalisation = { referenceEnergies: [-13.6, -1029.0, -2041.0], scale: 1, shift: 0 };
    const shifted = evaluate(a, [ethanol]).energy[0]!;
    assert.ok(Math.abs(shifted - ea - (6 * -13.6 + 2 * -1029.0 - 2041.0)) < 1e-2);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('MACE, TDN, eSCN and FAENet round-trip through the model file with identical energies', async () => {
  const { modelFromFile, modelToFile } = await import('../../core/engine/model-file/families');
  const { decodeModelFile } = await import('../../core/engine/model-file/model-file');
  const { createTdnModel } = await import('../../core/engine/models/tdn/tdn-model');
  const { createEscnModel } = await import('../../core/engine/models/escn/escn-model');
  const { createFaenetModel } = await import('../../core/engine/models/faenet/faenet-model');
  const small = { species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, seed: 11 };
  const models = [
    createMaceModel(small),
    createTdnModel(small),
    createEscnModel(small),
    createFaenetModel({ species: [1, 6, 8], hidden: 8, nInteractions: 1, seed: 11 }),
  ];
  for (const model of models) {
    model.normalisation = { referenceEnergies: [-13.6, -1029.0, -2041.0], scale: 0.5, shift: 0.01 };
    const card = { title: 't', description: 'd', trainingData: '-', intendedUse: '-', limitations: '-', citation: '-' };
    const { json, weights } = modelToFile(model, { card });
    const loaded = modelFromFile(decodeModelFile(json, weights));
    try {
      assert.equal(loaded.family, model.family);
      const a = evaluate(model, [ethanol]);
      const b = evaluate(loaded, [ethanol]);
      assert.ok(Math.abs(a.energy[0]! - b.energy[0]!) < 1e-3, `${model.family}: ${a.energy[0]} vs ${b.energy[0]}`);
      assert.ok(a.forces.every((f, i) => Math.abs(f - b.forces[i]!) < 1e-4));
    } finally {
      loaded.dispose();
      model.dispose();
    }
  }
  // A file whose tensors do not fit the architecture is rejected with a clear error.
  const model = createMaceModel(small);
  const card = { title: 't', description: 'd', trainingData: '-', intendedUse: '-', limitations: '-', citation: '-' };
  const { json, weights } = modelToFile(model, { card });
  const doc = JSON.parse(json);
  doc.config.channels = 5;
  assert.throws(() => modelFromFile(decodeModelFile(JSON.stringify(doc), weights)), /shape|missing|not a parameter/);
  model.dispose();
});
