// The EDM sampler's step-schedule option, and generation.ts's schedules for both families (pilot of `measured`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import { createEdm, type EdmModel } from '../../../core/generative/edm/edm-model';
import { sampleEdm, type SampleResult } from '../../../core/generative/edm/sampler';
import { generateMolecules, PILOT_MOLECULES, resolveStepSchedule } from '../../../core/generative/generation';
import { createGeoBfn, type GeoBfnModel } from '../../../core/generative/geobfn/geobfn-model';
import { edmTimestepGrid } from '../../../core/generative/step-schedules';

let edm: EdmModel;
let geobfn: GeoBfnModel;

function histogram(): number[] {
  const counts = new Array<number>(30).fill(0);
  counts[9] = 2;
  counts[14] = 1;
  counts[19] = 1;
  return counts;
}

before(async () => {
  await initBackend({ prefer: 'wasm' });
  edm = createEdm({ atomCounts: histogram(), features: 16, layers: 2, seed: 21, schedule: { kind: 'polynomial', timesteps: 200, power: 2, precision: 1e-5 } });
  geobfn = createGeoBfn({ atomCounts: histogram(), features: 16, layers: 2, seed: 4 });
});

/** SHA-256 of every molecule's atomic numbers (int32) and positions (float64), in order. */
function digest(result: Pick<SampleResult, 'structures'>): string {
  const hash = createHash('sha256');
  for (const s of result.structures) {
    hash.update(Buffer.from(Int32Array.from(s.numbers).buffer));
    hash.update(Buffer.from(Float64Array.from(s.positions).buffer));
  }
  return hash.digest('hex');
}

// Digests of the EDM sampler before it took a step schedule (commit 95d6f0d, samplingTimesteps), tfjs-wasm,
// on the model above, { count: 3, seed: 9, batchSize: 2 } at 7 and 25 steps.
const BEFORE_SCHEDULES: Record<number, string> = {
  7: 'a55ae27d210886bfdf8d2af84381629b0a79d88f5a8a9e853d2a7283c0a6889c',
  25: '38bafbd408e03d181ea350a19ef2d3da21a6f6574da1199814def50ffec8d6e0',
};

test('EDM sampling with the uniform schedule, or none, gives byte for byte the molecules of the sampler before schedules', async () => {
  for (const steps of [7, 25]) {
    const options = { count: 3, seed: 9, steps, batchSize: 2 };
    assert.equal(digest(await sampleEdm(edm, options)), BEFORE_SCHEDULES[steps], `${steps} steps, no schedule`);
    assert.equal(digest(await sampleEdm(edm, { ...options, schedule: { kind: 'uniform' } })), BEFORE_SCHEDULES[steps], `${steps} steps, uniform`);
  }
});

test('EDM sampling walks the timesteps of its step schedule, reports finite estimate rates per step, and leaves no tensors', async () => {
  const tensors = tf.memory().numTensors;
  for (const kind of ['log-snr', 'karras'] as const) {
    const result = await sampleEdm(edm, { count: 2, seed: 3, steps: 12, schedule: { kind } });
    assert.deepEqual(result.times, edmTimestepGrid(edm.schedule.gamma, 12, { kind }));
    assert.notDeepEqual(result.times, edmTimestepGrid(edm.schedule.gamma, 12, { kind: 'uniform' }), `${kind} moves the steps`);
    assert.equal(result.estimateRates.rates.length, 12);
    assert.ok(result.estimateRates.rates.every((r) => Number.isFinite(r) && r >= 0), `rates ${result.estimateRates.rates.join(', ')}`);
    assert.ok(result.estimateRates.progress.every((u, k) => u > 0 && u < 1 && (k === 0 || u > result.estimateRates.progress[k - 1]!)), 'midpoints increase in (0, 1)');
  }
  assert.equal(tf.memory().numTensors, tensors);
});

test('a measured schedule comes from a seeded pilot run: the same seed gives the same grid and molecules, another seed another grid', async () => {
  for (const model of [edm, geobfn]) {
    const a = await resolveStepSchedule(model, 'measured', 10, 5);
    const b = await resolveStepSchedule(model, 'measured', 10, 5);
    const c = await resolveStepSchedule(model, 'measured', 10, 6);
    assert.equal(a.kind, 'measured');
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    if (a.kind === 'measured') assert.equal(a.rates.length, 100, 'the pilot runs max(steps, 100) uniform steps');
    const run1 = await generateMolecules(model, { count: 3, seed: 5, steps: 10, schedule: 'measured' });
    const run2 = await generateMolecules(model, { count: 3, seed: 5, steps: 10, schedule: 'measured' });
    assert.deepEqual(run1.schedule, a, 'the run used the pilot of its seed');
    assert.deepEqual(run1.structures.map((s) => Array.from(s.positions)), run2.structures.map((s) => Array.from(s.positions)));
  }
  assert.equal(PILOT_MOLECULES, 8);
});

test('generation runs both families with every schedule kind; GeoBFN refuses a property target and EDM more steps than T', async () => {
  for (const schedule of ['uniform', 'log-snr', 'karras'] as const) {
    const e = await generateMolecules(edm, { count: 2, seed: 1, steps: 8, schedule });
    const g = await generateMolecules(geobfn, { count: 2, seed: 1, steps: 8, schedule });
    assert.equal(e.structures.length, 2);
    assert.equal(g.structures.length, 2);
    assert.equal(g.schedule.kind, schedule);
    assert.ok(g.structures.every((s) => s.numbers.every((z) => [1, 6, 7, 8, 9].includes(z))));
  }
  const geoDefault = await generateMolecules(geobfn, { count: 1, seed: 1, steps: 5 });
  const geoUniform = await generateMolecules(geobfn, { count: 1, seed: 1, steps: 5, schedule: 'uniform' });
  assert.deepEqual(Array.from(geoDefault.structures[0]!.positions), Array.from(geoUniform.structures[0]!.positions));
  await assert.rejects(generateMolecules(geobfn, { count: 1, seed: 1, steps: 5, target: 6.5 }), /unconditional/);
  await assert.rejects(generateMolecules(edm, { count: 1, seed: 1, steps: 201 }), /1\.\.200/);
  await assert.rejects(generateMolecules(edm, { count: 1, seed: 1, steps: 5, schedule: 'cubic' as never }), /one of uniform, log-snr, karras, measured/);
});
