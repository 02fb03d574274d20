import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CalcResult } from '../../core/calc/calculator';
import { createModelCalculator } from '../../core/calc/model-calculator';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import type { Structure } from '../../core/structure/structure';
import { splitByAtoms, startParallelModelCalculator } from '../../main/calc/parallel-model-calculator';
import { initNodeBackend } from '../../main/models/node-backend';
import { readDataset } from '../engine/geometry-data';

await initNodeBackend('wasm');

function model() {
  return createMaceModel({ species: [1, 6, 8], cutoff: 4, channels: 8, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, seed: 7 });
}

function asResult(r: CalcResult | Error): CalcResult {
  assert.ok(!(r instanceof Error), `unexpected error row: ${r instanceof Error ? r.message : ''}`);
  return r as CalcResult;
}

test('splitByAtoms keeps record order and balances the atoms of the parts', () => {
  const sizes = [3, 9, 9, 2, 4, 12, 1, 6];
  const structures = sizes.map((n) => ({ numbers: Array.from({ length: n }, () => 1) }) as unknown as Structure);
  const parts = splitByAtoms(structures, 2);
  assert.deepEqual(parts.flat(), structures, 'concatenated parts are the input in order');
  const atoms = parts.map((p) => p.reduce((s, x) => s + x.numbers.length, 0));
  assert.ok(Math.abs(atoms[0]! - atoms[1]!) <= 12, `balanced parts: ${atoms}`);
  assert.equal(splitByAtoms(structures.slice(0, 1), 3).length, 1, 'one structure: one part');
  assert.deepEqual(splitByAtoms([], 2), []);
});

test('on 2 threads the calculator returns the in-thread energies and forces in record order, with error rows in their slots', async () => {
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 12);
  // An element the model does not know (N) in the middle: an error row, the rest goes on.
  const withNitrogen = { ...frames[5]!, numbers: frames[5]!.numbers.map((z, k) => (k === 0 ? 7 : z)) } as Structure;
  const batch = [...frames.slice(0, 5), withNitrogen, ...frames.slice(6)];
  const m = model();
  const local = createModelCalculator(m, { id: 'model:test', ownsModel: false });
  const parallel = await startParallelModelCalculator(m, { id: 'model:test', workers: 1, batchSize: 4 });
  try {
    assert.equal(parallel.workerBackends.length, 1);
    const expected = await local.calculate(batch, { forces: true });
    const actual = await parallel.calculate(batch, { forces: true });
    assert.equal(actual.length, batch.length);
    actual.forEach((r, k) => {
      if (k === 5) {
        assert.ok(r instanceof Error && expected[k] instanceof Error, 'the nitrogen structure is an error row on both');
        return;
      }
      const [a, e] = [asResult(r), asResult(expected[k]!)];
      assert.ok(Math.abs(a.energy - e.energy) <= 1e-5 * Math.abs(e.energy) + 1e-5, `record ${k + 1}: energy ${a.energy} vs ${e.energy}`);
      a.forces!.forEach((f, i) => assert.ok(Math.abs(f - e.forces![i]!) <= 1e-4, `record ${k + 1}: force ${i}`));
    });
    assert.equal(parallel.fallbacks(), 0);
  } finally {
    await parallel.close();
    local.dispose?.();
    m.dispose();
  }
});

test('a part its worker cannot take is evaluated on this thread and loses no rows; a closed calculator refuses work', async () => {
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 6);
  const m = model();
  const parallel = await startParallelModelCalculator(m, { id: 'model:test', workers: 1 });
  try {
    // A structure the worker cannot receive (a function does not clone): its part falls back to this thread.
    const odd = frames.map((f) => ({ ...f, callback: () => 1 }) as unknown as Structure);
    const results = await parallel.calculate(odd, { forces: true });
    assert.equal(results.length, 6);
    assert.ok(results.every((r) => !(r instanceof Error)), 'every row computed');
    assert.equal(parallel.fallbacks(), 1, 'one part fell back');
  } finally {
    await parallel.close();
    m.dispose();
  }
  await assert.rejects(parallel.calculate(frames), /the parallel model calculator is closed/);
});

test('a call of many forward passes is taken from a queue by both threads and gives exactly the in-thread numbers, error rows in their slots', async () => {
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 24);
  const m = model();
  const local = createModelCalculator(m, { id: 'model:test', batchSize: 3, ownsModel: false });
  const parallel = await startParallelModelCalculator(m, { id: 'model:test', workers: 1, batchSize: 3 });
  try {
    assert.ok(frames.length >= 2 * 2 * parallel.batchSize, 'enough structures for the queue');
    const expected = await local.calculate(frames, { forces: true });
    const actual = await parallel.calculate(frames, { forces: true });
    const shares = parallel.lastShares();
    assert.equal(shares.reduce((a, b) => a + b, 0), 8, `all 8 chunks taken once (${shares})`);
    assert.ok(shares[1]! >= 1, `the worker took chunks (${shares})`);
    actual.forEach((r, k) => {
      const [a, e] = [asResult(r), asResult(expected[k]!)];
      assert.equal(a.energy, e.energy, `record ${k + 1}: energy bitwise equal`);
      assert.deepEqual(a.forces, e.forces, `record ${k + 1}: forces bitwise equal`);
    });
    // An element the model does not know in the middle: an error row in its slot, the rest computed.
    const withNitrogen = { ...frames[7]!, numbers: frames[7]!.numbers.map((z, k) => (k === 0 ? 7 : z)) } as Structure;
    const mixed = await parallel.calculate([...frames.slice(0, 7), withNitrogen, ...frames.slice(8)], { forces: true });
    assert.equal(mixed.length, frames.length);
    mixed.forEach((r, k) => {
      if (k === 7) return assert.ok(r instanceof Error && /7|N/.test(r.message), `record 8 is an error row: ${String(r)}`);
      const [a, e] = [asResult(r), asResult(expected[k]!)];
      assert.ok(Math.abs(a.energy - e.energy) <= 1e-5 * Math.abs(e.energy) + 1e-5, `record ${k + 1}: energy ${a.energy} vs ${e.energy}`);
    });
    // Chunks the worker cannot receive fall back to this thread; no row is lost.
    const odd = frames.map((f) => ({ ...f, callback: () => 1 }) as unknown as Structure);
    const before = parallel.fallbacks();
    const results = await parallel.calculate(odd, { forces: true });
    assert.ok(results.every((r) => !(r instanceof Error)), 'every row computed');
    assert.ok(parallel.fallbacks() - before >= 1, 'the refused chunks fell back');
    // Cancelled before it starts: nothing runs.
    await assert.rejects(parallel.calculate(frames, { forces: true, signal: AbortSignal.abort() }));
  } finally {
    await parallel.close();
    local.dispose?.();
    m.dispose();
  }
});
