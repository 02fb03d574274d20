import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { energyAndForces } from '../../core/engine/model';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createStructure } from '../../core/structure/structure';

// A structure with no edges at all (one atom; fragments beyond the cutoff) reaches the kernels as empty tensors:
// stock tfjs-wasm's Transpose threw "divide by zero" on them, and its matMul over an empty inner dimension returned
// uninitialised memory instead of zeros.

test('wasm kernels: transpose of an empty tensor is empty and a matMul over an empty inner dimension is exactly zero', async () => {
  await initBackend({ prefer: 'wasm' });
  const empty = tf.zeros([0, 3, 4]);
  assert.deepEqual(tf.transpose(empty, [0, 2, 1]).shape, [0, 4, 3]);
  for (let trial = 0; trial < 3; trial++) {
    // Fresh heap blocks each time: garbage would show as non-zero values.
    const product = tf.matMul(tf.zeros([0, 5]), tf.ones([0, 7]), true, false);
    assert.deepEqual(product.shape, [5, 7]);
    assert.ok((product.dataSync() as Float32Array).every((v) => v === 0));
    tf.dispose(product);
  }
  tf.dispose(empty);
});

test('MACE on wasm evaluates a lone atom and two fragments beyond the cutoff as the cpu backend does (zero forces on the lone atom)', async () => {
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, seed: 5 });
  const lone = createStructure({ numbers: [8], positions: [0, 0, 0] });
  const apart = createStructure({ numbers: [1, 1, 6], positions: [0, 0, 0, 0.74, 0, 0, 40, 0, 0] });
  const results: Record<string, { energy: number[]; forces: number[] }> = {};
  try {
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ prefer: backend });
      const ctx = buildGraphContext([lone, apart], { cutoff: model.cutoff, species: model.species });
      try {
        results[backend] = tf.tidy(() => {
          const r = energyAndForces(model, ctx);
          return { energy: Array.from(r.energy.dataSync()), forces: Array.from(r.forces.dataSync()) };
        });
      } finally {
        disposeGraphContext(ctx);
      }
    }
  } finally {
    model.dispose();
    await initBackend({ prefer: 'wasm' });
  }
  const { cpu, wasm } = results as { cpu: { energy: number[]; forces: number[] }; wasm: { energy: number[]; forces: number[] } };
  assert.ok(wasm.energy.every(Number.isFinite) && wasm.forces.every(Number.isFinite));
  wasm.energy.forEach((e, g) => assert.ok(Math.abs(e - cpu.energy[g]!) < 1e-4, `graph ${g}: wasm ${e} vs cpu ${cpu.energy[g]}`));
  wasm.forces.forEach((f, k) => assert.ok(Math.abs(f - cpu.forces[k]!) < 1e-4, `force component ${k}: wasm ${f} vs cpu ${cpu.forces[k]}`));
  assert.ok(wasm.forces.slice(0, 3).every((f) => f === 0), `lone atom force ${wasm.forces.slice(0, 3)}`);
});
