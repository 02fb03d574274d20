import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';
import { createEscnModel } from '../../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../../core/engine/models/faenet/faenet-model';
import { ethanol, evaluate } from './layers-test-graph';

test('every model gives the same energy and forces on tfjs-wasm (engine kernels) as on tfjs-cpu', async () => {
  const small = { species: [1, 6, 8], channels: 4, lmax: 2, shLmax: 2, nInteractions: 2, correlation: 2, seed: 12 };
  const build = () => [
    createMaceModel(small),
    createTdnModel(small),
    createEscnModel(small),
    createFaenetModel({ species: [1, 6, 8], hidden: 8, nInteractions: 2, seed: 12 }),
  ];
  await tf.setBackend('cpu');
  const onCpu = build().map((m) => {
    const r = evaluate(m, [ethanol]);
    m.dispose();
    return { family: m.family, ...r };
  });
  const info = await initBackend({ prefer: 'wasm' });
  assert.equal(info.name, 'wasm');
  build().forEach((m, i) => {
    const r = evaluate(m, [ethanol]);
    m.dispose();
    const ref = onCpu[i]!;
    assert.ok(Math.abs(ref.energy[0]!) > 1e-3, `${ref.family}: non-trivial energy`);
    assert.ok(Math.abs(r.energy[0]! - ref.energy[0]!) < 1e-4 * Math.max(1, Math.abs(ref.energy[0]!)), `${ref.family}: ${r.energy[0]} vs ${ref.energy[0]}`);
    r.forces.forEach((f, k) => assert.ok(Math.abs(f - ref.forces[k]!) < 1e-3, `${ref.family} force ${k}: ${f} vs ${ref.forces[k]}`));
  });
});
