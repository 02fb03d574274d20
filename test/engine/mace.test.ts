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
