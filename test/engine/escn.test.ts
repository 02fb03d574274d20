import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEscnModel } from '../../core/engine/models/escn/escn-model';
import { checkEnergyModel } from './layers-test-graph';

test('eSCN (SO(2) convolutions) energy is E(3)- and permutation-invariant, forces equivariant and = -dE/dr', async () => {
  const model = createEscnModel({ species: [1, 6, 8], channels: 4, lmax: 2, shLmax: 2, nInteractions: 2, correlation: 2, seed: 5 });
  try {
    assert.equal(model.family, 'escn');
    await checkEnergyModel(model);
  } finally {
    model.dispose();
  }
});
