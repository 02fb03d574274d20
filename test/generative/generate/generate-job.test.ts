// The generate job kind on the tiny gap-conditioned EDM fixture (test/fixtures/generative, made by its seeded
// script): progress, the scored document and the trajectory, cancellation, reproducibility and tensor hygiene.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/engine/backend/backend';
import type { JobProgress } from '../../../core/contract/equimol-api';
import { validateArguments } from '../../../core/contract/validate';
import { EquimolSession } from '../../../core/session/session';
import { nodeGeneratorCatalogue } from '../../../main/models/generator-files';

const FIXTURES = fileURLToPath(new URL('../../fixtures/generative/', import.meta.url));
const GENERATOR = 'generator:tiny-qm9-gap';
const SCORE_KEYS = ['status', 'atom_stable_fraction', 'stable_atoms', 'mol_stable', 'valid', 'unique', 'fragments'];

function session(): EquimolSession {
  return new EquimolSession({ generators: { catalogue: nodeGeneratorCatalogue(FIXTURES), initBackend: () => initBackend({ prefer: 'wasm' }) }, samplerEventIntervalMs: 0 });
}

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

test('listGenerators lists the fixture with its trained T, atom range and conditioning property', async () => {
  const s = session();
  const [info] = await s.listGenerators();
  assert.equal(info?.id, GENERATOR);
  assert.equal(info?.timesteps, 100);
  assert.equal(info?.minAtoms, 3);
  assert.equal(info?.maxAtoms, 17);
  assert.equal(info?.property?.name, 'gap');
  assert.equal(info?.available, true);
  s.dispose();
});

test('a generate job reports monotone progress per step and batch, makes a scored document and a playable trajectory, and leaves no tensors', async () => {
  const s = session();
  const events: JobProgress[] = [];
  s.subscribe((e) => { if (e.type === 'job-progress') events.push(e.progress); });
  const request = { kind: 'generate', generator: GENERATOR, count: 10, steps: 20, seed: 3, batchSize: 4, target: { property: 'gap', value: 6.5 } } as const;
  const started = await s.startJob(request);
  const final = await s.whenJobFinished(started.id);
  assert.equal(final.state, 'done', final.message);
  assert.equal(final.unit, 'steps');
  assert.equal(final.total, 3 * 21, 'three batches of 20 steps + the final p(x, h | z0)');
  assert.equal(final.done, final.total);
  const done = events.filter((e) => e.id === started.id).map((e) => e.done);
  assert.ok(done.every((d, i) => i === 0 || d >= done[i - 1]!), `progress not monotone: ${done.join(',')}`);
  const batchCounts = new Set(events.map((e) => e.sampler?.molecules).filter((m) => m !== undefined));
  assert.deepEqual([...batchCounts].sort((a, b) => a! - b!), [0, 4, 8, 10], 'molecules done per batch');
  assert.ok(events.some((e) => e.sampler?.stage === 'denoising' && e.sampler.step > 0 && e.sampler.step < 21), 'per-step progress');

  const docs = await s.listDocuments();
  const generated = docs.find((d) => d.origin?.kind === 'generated')!;
  const trajectory = docs.find((d) => d.origin?.kind === 'trajectory')!;
  assert.equal(generated.recordCount, 10);
  assert.equal(generated.origin?.live, false);
  const keys = generated.columns.map((c) => c.key);
  for (const key of [...SCORE_KEYS, 'gap_target']) assert.ok(keys.includes(key), `column ${key} in ${keys.join(', ')}`);
  const page = await s.listStructures(generated.id, { offset: 0, limit: 10 });
  for (const row of page.rows) {
    assert.ok(['ok', 'invalid', 'error'].includes(row.values['status'] as string));
    if (row.values['status'] !== 'ok') assert.match(String(row.values['error']), /\S/, 'invalid molecules say why');
    else assert.equal(typeof row.values['smiles'], 'string');
  }
  const results = await s.getJobResults(started.id, { offset: 0, limit: 100 });
  assert.equal(results.total, 10);
  assert.equal(trajectory.origin?.sourceDocId, generated.id);
  assert.equal(trajectory.origin?.sourceIndex, 0);
  assert.equal(trajectory.recordCount, 20 / 1 + 2, 'a frame every step (20 steps / 50 frames rounds up to 1): z_T, 20 steps, the molecule');
  const last = await s.getStructure(trajectory.id, trajectory.recordCount - 1);
  const first = await s.getStructure(generated.id, 0);
  assert.deepEqual(Array.from(last.numbers), Array.from(first.numbers), 'the trajectory ends in molecule 1');
  const sdf = new TextDecoder().decode((await s.exportDocument(generated.id, 'sdf')).bytes);
  assert.equal(sdf.match(/^\$\$\$\$$/gm)?.length, 10);
  assert.match(sdf, /> <atom_stable_fraction>/);

  // Same request again: the same molecules, and no tensor left behind (the generator's weights stay cached).
  const tensors = tf.memory().numTensors;
  const again = await s.whenJobFinished((await s.startJob(request)).id);
  assert.equal(again.state, 'done');
  assert.equal(tf.memory().numTensors, tensors, 'tensors after a second job');
  const second = (await s.listDocuments()).filter((d) => d.origin?.kind === 'generated')[1]!;
  for (let i = 0; i < 10; i++) {
    const [a, b] = [await s.getStructure(generated.id, i), await s.getStructure(second.id, i)];
    assert.deepEqual(Array.from(b.positions), Array.from(a.positions), `molecule ${i + 1} reproduces`);
  }
  s.dispose();
});

test('cancelling a generate job keeps the molecules of every finished batch', async () => {
  const s = session();
  const started = await s.startJob({ kind: 'generate', generator: GENERATOR, count: 40, steps: 30, seed: 1, batchSize: 4, trajectory: false });
  await new Promise<void>((resolve) => {
    const off = s.subscribe((e) => {
      if (e.type === 'job-progress' && e.progress.id === started.id && (e.progress.sampler?.molecules ?? 0) >= 8) {
        off();
        resolve();
      }
    });
  });
  const cancelled = await s.cancelJob(started.id);
  assert.equal(cancelled.state, 'cancelled');
  await s.whenIdle();
  const generated = (await s.listDocuments()).find((d) => d.origin?.kind === 'generated')!;
  assert.ok(generated.recordCount >= 8 && generated.recordCount < 40 && generated.recordCount % 4 === 0, `kept ${generated.recordCount}`);
  assert.equal(generated.origin?.live, false);
  assert.equal((await s.getJobResults(started.id, { offset: 0, limit: 100 })).total, generated.recordCount);
  s.dispose();
});

test('generate requests are checked: steps above T, too many atoms, a target for the wrong property, unknown generators and bad fields', async () => {
  const s = session();
  await assert.rejects(s.startJob({ kind: 'generate', generator: GENERATOR, count: 2, steps: 101 }), /request\.steps \(101\) exceeds the 100 steps/);
  await assert.rejects(s.startJob({ kind: 'generate', generator: GENERATOR, count: 2, atoms: 30 }), /request\.atoms \(30\) exceeds .* \(17 atoms\)/);
  await assert.rejects(s.startJob({ kind: 'generate', generator: GENERATOR, count: 2, target: { property: 'dipole', value: 1 } }), /'dipole' is not .* 'gap'/);
  await assert.rejects(s.startJob({ kind: 'generate', generator: 'generator:nope', count: 2 }), /unknown generator 'generator:nope' \(known: generator:tiny-qm9-gap\)/);
  assert.throws(() => validateArguments('startJob', [{ kind: 'generate', generator: GENERATOR, count: 0 }]), /request\.count must be in 1\.\.100000/);
  assert.throws(() => validateArguments('startJob', [{ kind: 'generate', generator: GENERATOR, count: 2, target: { property: 'gap', value: Number.NaN } }]), /request\.target\.value must be a finite number/);
  s.dispose();
});

test('a relax job runs on the generated document (Relax with… on generated molecules)', async () => {
  const { calculatorEntries } = await import('../../../main/calc/calculator-catalogue');
  const s = new EquimolSession({
    generators: { catalogue: nodeGeneratorCatalogue(FIXTURES), initBackend: () => initBackend({ prefer: 'wasm' }) },
    calculators: async () => (await calculatorEntries()).filter((e) => e.id === 'lj'),
  });
  const generatedJob = await s.whenJobFinished((await s.startJob({ kind: 'generate', generator: GENERATOR, count: 4, steps: 100, seed: 5, trajectory: false })).id);
  assert.equal(generatedJob.state, 'done');
  const generated = (await s.listDocuments()).find((d) => d.origin?.kind === 'generated')!;
  const relax = await s.whenJobFinished((await s.startJob({ kind: 'relax', docIds: [generated.id], calculator: 'lj', optimizer: 'fire', maxSteps: 30 })).id);
  assert.equal(relax.state, 'done', relax.message);
  const rows = await s.getJobResults(relax.id, { offset: 0, limit: 10 });
  assert.equal(rows.total, 4);
  const relaxed = (await s.listDocuments()).find((d) => d.origin?.kind === 'relaxed')!;
  assert.equal(relaxed.origin?.sourceDocId, generated.id);
  assert.equal(relaxed.recordCount, rows.rows.filter((r) => r.error === undefined).length);
  s.dispose();
});
