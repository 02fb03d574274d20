import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildGraphContext } from '../../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../../core/engine/graph/graph-context';
import { QM9_XTB_OUTPUTS, type OutputDeclaration } from '../../../core/engine/properties/outputs';
import { createPropertyModel, type PropertyModel } from '../../../core/engine/properties/property-model';
import { predictProperties } from '../../../core/engine/properties/predict-properties';
import { propertyLossAndGradients } from '../../../core/engine/properties/property-loss';
import type { Structure } from '../../../core/structure/structure';
import { assertEquivariant } from '../../helpers/assert-equivariant';
import { qm9Frames } from '../../generative/edm/qm9-frames';
import { initBackend } from '../../../core/engine/backend/backend';

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

const WITH_ENERGY: readonly OutputDeclaration[] = [...QM9_XTB_OUTPUTS, { name: 'energy', kind: 'energy', unit: 'eV', irreps: '1x0e' }];

function withPositions(s: Structure, positions: Float64Array, numbers = s.numbers): Structure {
  return { ...s, positions, numbers };
}

function smallModel(trunk: string, outputs: readonly OutputDeclaration[] = QM9_XTB_OUTPUTS): PropertyModel {
  const trunkConfig = trunk === 'egnn'
    ? { species: [1, 6, 7, 8, 9], features: 8, layers: 2, seed: 3 }
    : { species: [1, 6, 7, 8, 9], channels: 4, lmax: 1, shLmax: 1, nInteractions: 2, correlation: 2, seed: 3 };
  const model = createPropertyModel({ trunk, trunkConfig, outputs, headHidden: 8, seed: 4 });
  // The scalar heads' last layers start at zero (constant outputs): give them seeded random weights so the
  // invariance checks see outputs that depend on the geometry.
  for (const [name, v] of Object.entries(model.params)) {
    if (/^head\/.*\/mlp\/w1$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', 7)));
  }
  // Non-trivial target statistics so the normalisation is part of what is checked.
  model.targets = { ...model.targets, homo: { mean: -10, std: 0.5 }, lumo: { mean: -5, std: 0.7 }, gap: { mean: 5, std: 0.6 } };
  return model;
}

for (const trunk of ['mace', 'egnn']) {
  test(`property model on a ${trunk} trunk: orbital energies and charges invariant, dipole a 1o vector, under rotation, inversion, translation and permutation`, async () => {
    const [molecule] = await qm9Frames(25).then((f) => f.slice(24)); // dsgdb9nsd_000025, C3H5N
    const model = smallModel(trunk);
    const species = Array.from(molecule!.numbers);
    try {
      await assertEquivariant({
        name: `${trunk} property heads`,
        positions: molecule!.positions,
        // Species travel with the atoms: inputs carry the atomic numbers as per-atom scalars.
        inputs: [{ irreps: '1x0e', data: species, rows: 'atom' }],
        outputs: [{ irreps: '3x0e', rows: 'fixed' }, { irreps: '1x1o', rows: 'fixed' }, { irreps: '1x0e', rows: 'atom' }],
        fn: async (positions, inputs) => {
          const s = withPositions(molecule!, positions!, Uint8Array.from(inputs[0]!, Math.round));
          const p = await predictProperties(model, [s]);
          return [[p.values['homo']![0]!, p.values['lumo']![0]!, p.values['gap']![0]!], p.values['dipole']!, p.values['charges']!];
        },
        tolerance: { absolute: 2e-4, relative: 2e-4 },
      });
      // The check is not vacuous: the orbital energies depend on the geometry.
      const moved = Float64Array.from(molecule!.positions, (x, i) => (i === 0 ? x + 0.2 : x));
      const [a, b] = await Promise.all([predictProperties(model, [molecule!]), predictProperties(model, [withPositions(molecule!, moved)])]);
      assert.notEqual(a.values['gap']![0], b.values['gap']![0]);
    } finally {
      model.dispose();
    }
  });
}

test('charges sum to the total charge of each structure, neutral and charged, in one batch', async () => {
  const frames = await qm9Frames(6);
  const batch = [frames[3]!, { ...frames[4]!, charge: -1 }, { ...frames[5]!, charge: 2 }];
  const model = smallModel('mace');
  try {
    const p = await predictProperties(model, batch);
    batch.forEach((s, g) => {
      const q = p.values['charges']!.subarray(p.atomStart[g]!, p.atomStart[g + 1]!);
      assert.ok(Math.abs(q.reduce((a, b) => a + b, 0) - s.charge) < 1e-5, `structure ${g + 1}: Σq = ${q.reduce((a, b) => a + b, 0)}, Q = ${s.charge}`);
      assert.ok(q.some((x) => Math.abs(x) > 1e-4), 'charges are not all zero');
    });
  } finally {
    model.dispose();
  }
});

test('a declared energy gives forces −∂E/∂r through energyAndForces (central finite differences)', async () => {
  const [molecule] = (await qm9Frames(3)).slice(2);
  const model = smallModel('mace', WITH_ENERGY);
  try {
    const p = await predictProperties(model, [molecule!], { forces: true });
    const energyAt = async (positions: Float64Array) => (await predictProperties(model, [withPositions(molecule!, positions)])).values['energy']![0]!;
    const h = 1e-2;
    for (const k of [0, 4, 8]) {
      const plus = Float64Array.from(molecule!.positions), minus = Float64Array.from(molecule!.positions);
      plus[k]! += h; minus[k]! -= h;
      const numeric = -((await energyAt(plus)) - (await energyAt(minus))) / (2 * h);
      assert.ok(Math.abs(numeric - p.forces![k]!) < 2e-3 + 2e-2 * Math.abs(numeric), `force component ${k}: analytic ${p.forces![k]}, numeric ${numeric}`);
    }
  } finally {
    model.dispose();
  }
});

test('tf.memory().numTensors is flat after predict and after a training step', async () => {
  const frames = (await qm9Frames(5)).slice(1);
  const model = smallModel('mace', WITH_ENERGY);
  const variables = Object.keys(model.params).sort().map((n) => model.params[n]!);
  try {
    await predictProperties(model, frames, { forces: true });
    propertyLossAndGradients(model, variables, frames, { forces: 1 });
    const before = tf.memory().numTensors;
    await predictProperties(model, frames, { forces: true });
    assert.equal(tf.memory().numTensors, before, 'predict leaves no tensors');
    const { loss, gradients } = propertyLossAndGradients(model, variables, frames, { forces: 1 });
    assert.ok(Number.isFinite(loss) && loss > 0);
    assert.ok(gradients.some((g) => g !== undefined && g.some((x) => x !== 0)), 'some gradient is non-zero');
    assert.equal(tf.memory().numTensors, before, 'a training step leaves no tensors');
    const ctx = buildGraphContext(frames, { cutoff: model.cutoff, species: model.species });
    tf.tidy(() => void model.apply(ctx));
    disposeGraphContext(ctx);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
  }
});

test('a property model without an energy keeps none of the trunk readout weights; a structure with an unknown element fails naming it', async () => {
  const model = smallModel('mace');
  try {
    assert.ok(!Object.keys(model.params).some((n) => n.startsWith('readout')));
    const [water] = await qm9Frames(3).then((f) => f.slice(2));
    const withCl = { ...water!, numbers: Uint8Array.from([17, 1, 1]) };
    await assert.rejects(predictProperties(model, [withCl]), /element Cl/);
  } finally {
    model.dispose();
  }
});
