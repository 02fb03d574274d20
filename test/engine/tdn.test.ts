import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';
import { checkEnergyModel } from './layers-test-graph';

test('TDN (CP-decomposed messages) energy is E(3)- and permutation-invariant, forces equivariant and = -dE/dr', async () => {
  const model = createTdnModel({ species: [1, 6, 8], channels: 4, lmax: 2, shLmax: 2, nInteractions: 2, correlation: 2, seed: 4 });
  try {
    assert.equal(model.family, 'tdn');
    assert.equal(model.config.cpRank, 40);
    await checkEnergyModel(model);
  } finally {
    model.dispose();
  }
});
