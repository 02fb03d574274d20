/**
 * Train jobs through a session with the host's trainer (main/train/train-job-host.ts around runTraining), and the
 * item-5 path of issue 14 on real data: QM9 geometries (σ = 0.05 Å displaced, H/C/O only) labelled by a label
 * job with GFN2-xTB, then a model fine-tuned on the labelled document whose held-out error drops below the error
 * of the model it started from. Also: progress is monotone and the curve grows one point per epoch, a cancelled
 * run leaves a loadable, listed model, tf memory stays flat, unknown or missing targets are refused naming the key,
 * and a session without a trainer (web mode) refuses train jobs with the reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { TRAIN_NEEDS_DESKTOP_REASON, type EquimolEvent, type JobProgress, type TrainJobStatus } from '../../core/contract/equimol-api';
import { modelPredictorEntries } from '../../core/predict/model-predictors';
import type { PredictorEntry } from '../../core/predict/registry';
import { PREDICTORS } from '../../core/predict/registry';
import { EquimolSession, type CalculatorEntry } from '../../core/session/session';
import { nodeModelCatalogue } from '../../main/compute-host/model-catalogue';
import { initNodeBackend } from '../../main/models/node-backend';
import { readModelFile } from '../../main/models/model-files';
import { createTrainJobHost } from '../../main/train/train-job-host';
import { loadTrainingData } from '../../main/train/training-data';
import { metricsOf, predictAll } from '../../main/train/train-card';
import { gfn2OrSkipReason } from '../helpers/xtb';

const RATTLED = '/work/shared/datasets/qm9_xtb/qm9_xtb_rattled_0.05.extxyz.gz';
const QM9_DIR = '../shared/datasets/qm9_xtb/qm9_xtb_rattled_0.05.extxyz.gz';
const dataPath = existsSync(QM9_DIR) ? QM9_DIR : RATTLED;
const noData = existsSync(dataPath) ? false : `${RATTLED} is not here`;

/** The first `count` frames of the file made of H, C and O only, as extXYZ text (streamed: the file is large). */
async function hcoFrames(count: number, keepLabels: boolean): Promise<string> {
  const lines = createInterface({ input: createReadStream(dataPath).pipe(createGunzip()) });
  const frames: string[] = [];
  let pending: string[] = [];
  let atoms = 0;
  for await (const line of lines) {
    if (pending.length === 0) atoms = Number(line);
    pending.push(line);
    if (pending.length === atoms + 2) {
      const body = pending.slice(2);
      if (body.every((l) => /^(H|C|O)\s/.test(l))) {
        frames.push(keepLabels ? pending.join('\n') : [String(atoms), 'Properties=species:S:1:pos:R:3', ...body.map((l) => l.split(/\s+/).slice(0, 4).join(' '))].join('\n'));
      }
      pending = [];
      if (frames.length === count) break;
    }
  }
  lines.close();
  return frames.join('\n') + '\n';
}

function setup(options: { calculators?: CalculatorEntry[]; trainer?: boolean } = {}) {
  const modelsDir = mkdtempSync(join(tmpdir(), 'equimol-train-job-'));
  let models: PredictorEntry[] = [];
  const trainer = options.trainer === false ? undefined : createTrainJobHost({
    modelsDir, initModelDirs: [modelsDir],
    onModelWritten: async () => {
      models = await modelPredictorEntries(nodeModelCatalogue(modelsDir), { initBackend: () => initNodeBackend('auto') });
    },
  });
  const session = new EquimolSession({ predictors: () => [...PREDICTORS, ...models], calculators: options.calculators ?? [], samplerEventIntervalMs: 0, documentEventIntervalMs: 0, ...(trainer ? { trainer } : {}) });
  const events: EquimolEvent[] = [];
  session.subscribe((e) => events.push(e));
  return { session, events, modelsDir, cleanup: () => rmSync(modelsDir, { recursive: true, force: true }) };
}

async function open(session: EquimolSession, name: string, text: string) {
  const result = await session.openFiles([{ name, bytes: new TextEncoder().encode(text) }]);
  assert.deepEqual(result.failures, []);
  return result.documents[0]!;
}

const progressOf = (events: readonly EquimolEvent[], id: string): JobProgress[] => events.flatMap((e) => (e.type === 'job-progress' && e.progress.id === id ? [e.progress] : []));
const TINY = { family: 'egnn', size: 'tiny', batchSize: 8, seed: 3 } as const;

test('a session without a trainer (web mode) refuses a train job with the desktop-app reason', async () => {
  const { session, cleanup } = setup({ trainer: false });
  try {
    const doc = await open(session, 'w.xyz', '3\nenergy=-1.0\nO 0 0 0\nH 0 0.76 -0.47\nH 0 -0.76 -0.47\n');
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], targets: ['energy:eV'], name: 'w', ...TINY }), (e: Error) => e.message === TRAIN_NEEDS_DESKTOP_REASON);
  } finally {
    cleanup();
  }
});

test('a train job refuses a target the data lacks and an unknown target, naming the key', { skip: noData }, async () => {
  const { session, cleanup } = setup();
  try {
    const doc = await open(session, 'qm9.extxyz', await hcoFrames(4, true));
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], targets: ['energy:eV'], energyKey: 'free_energy', name: 'x', ...TINY }), /no structure of qm9\.extxyz has the property 'free_energy' \(its properties: .*energy/);
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], targets: ['polarisability:eV'], name: 'x', ...TINY }), /target 'polarisability'/);
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], targets: ['energy:furlong'], name: 'x', ...TINY }), /unknown unit 'furlong'/);
  } finally {
    cleanup();
  }
});

test('a train job reports monotone progress and one curve point per epoch, and a cancelled run leaves a loadable listed model with flat tf memory', { skip: noData }, async () => {
  const { session, events, modelsDir, cleanup } = setup();
  try {
    const doc = await open(session, 'qm9.extxyz', await hcoFrames(40, true));
    await initNodeBackend('auto');
    const tensorsBefore = tf.memory().numTensors;
    const full = await session.startJob({ kind: 'train', docIds: [doc.id], name: 'tiny-full', epochs: 3, ...TINY });
    const done = await session.whenJobFinished(full.id);
    assert.equal(done.state, 'done', done.message);
    const snapshots = progressOf(events, full.id);
    for (let i = 1; i < snapshots.length; i++) assert.ok(snapshots[i]!.done >= snapshots[i - 1]!.done, 'done never decreases');
    assert.equal(done.done, done.total);
    const status = done.sampler!.train!;
    assert.deepEqual(status.curve.map((p) => p.epoch), [0, 1, 2]);
    assert.ok(status.curve.every((p) => Number.isFinite(p.loss) && Number.isFinite(p.validationForces)));
    assert.equal(status.result!.modelId, 'model:tiny-full');
    assert.ok(Number.isFinite(status.result!.test!.forceMAE_meV_per_A));
    assert.match(status.result!.paritySvg ?? '', /<svg[^>]*>[\s\S]*<\/svg>/);
    const rows = await session.getJobResults(full.id, { offset: 0, limit: 10 });
    assert.equal(rows.rows.length, 1);
    assert.equal(rows.rows[0]!.values['test_force_mae'], status.result!.test!.forceMAE_meV_per_A);
    assert.ok((await session.listPredictors()).some((p) => p.id === 'model:tiny-full'), 'the new model is listed as a predictor');
    assert.equal(tf.memory().numTensors, tensorsBefore, 'tf memory flat after a training job');

    const long = await session.startJob({ kind: 'train', docIds: [doc.id], name: 'tiny-cancelled', epochs: 200, ...TINY });
    for (;;) {
      const last = progressOf(events, long.id).at(-1);
      if ((last?.sampler?.train?.curve.length ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await session.cancelJob(long.id);
    const cancelled = await session.whenJobFinished(long.id);
    assert.equal(cancelled.state, 'cancelled');
    const train: TrainJobStatus = cancelled.sampler!.train!;
    assert.ok(train.curve.length >= 2 && train.curve.length < 200, `${train.curve.length} epochs before the cancel`);
    // The queue reports the job cancelled at once; the run ends its step, writes the best checkpoint and says so.
    assert.match(cancelled.message ?? '', /tiny-cancelled: .*tiny-cancelled\.model\.json.*\(cancelled: the best checkpoint so far\)/, 'the final status names the file written');
    await session.whenIdle();
    const model = await readModelFile(join(modelsDir, 'tiny-cancelled.model.json'));
    model.dispose();
    assert.ok((await session.listPredictors()).some((p) => p.id === 'model:tiny-cancelled'), 'the cancelled run is listed');
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], name: 'tiny-full', epochs: 1, ...TINY }), /request\.name: a model 'tiny-full' already exists/);
  } finally {
    cleanup();
  }
});

const xtb = gfn2OrSkipReason();
test('item 5: QM9 geometries labelled by a label job with xtb, then fine-tuning lowers the held-out error of the starting model', { skip: noData || (xtb.calculator ? false : xtb.unavailable), timeout: 180_000 }, async () => {
  const xtbEntry: CalculatorEntry = { id: 'xtb', description: xtb.calculator!.description, create: async () => xtb.calculator! };
  const { session, modelsDir, cleanup } = setup({ calculators: [xtbEntry] });
  try {
    // The base model: trained on the QM9-xTB labels of other molecules (frames 41..80 of the H/C/O ones).
    const all = (await hcoFrames(80, true)).trim().split('\n');
    const frames: string[] = [];
    for (let i = 0; i < all.length;) { const n = Number(all[i]); frames.push(all.slice(i, i + n + 2).join('\n')); i += n + 2; }
    const base = await open(session, 'base.extxyz', frames.slice(40).join('\n') + '\n');
    const baseJob = await session.startJob({ kind: 'train', docIds: [base.id], name: 'base', epochs: 4, ...TINY });
    assert.equal((await session.whenJobFinished(baseJob.id)).state, 'done');

    const bare = await open(session, 'bare.extxyz', await hcoFrames(40, false));
    const labelJob = await session.startJob({ kind: 'label', docIds: [bare.id], calculator: 'xtb' });
    const labelled = await session.whenJobFinished(labelJob.id);
    assert.equal(labelled.state, 'done', labelled.message);
    assert.equal(labelled.failed, 0);
    const labelledDoc = await session.getDocument(labelled.outputDocIds![0]!);
    assert.equal(labelledDoc.recordCount, 40);
    assert.equal(labelledDoc.origin?.kind, 'labelled');

    const fineJob = await session.startJob({ kind: 'train', docIds: [labelledDoc.id], name: 'fine', init: 'model:base', freezeTrunk: true, unfreezeAfter: 2, refitReferenceEnergies: true, epochs: 6, test: 0.25, seed: 3, batchSize: 8 });
    const fine = await session.whenJobFinished(fineJob.id);
    assert.equal(fine.state, 'done', fine.message);
    const after = fine.sampler!.train!.result!.test!;

    // Before: the base model on the same held-out structures (the split is seeded, so loadTrainingData repeats it).
    const data = await loadTrainingData({ data: [join(modelsDir, 'fine.data.extxyz')], targets: ['energy:eV', 'forces:eV/Å'], split: 'random', validation: 0.1, test: 0.25, splitSeed: 3 });
    assert.equal(data.test.length, after.structures);
    const baseModel = await readModelFile(join(modelsDir, 'base.model.json'));
    const before = metricsOf(data.test, await predictAll(baseModel, data.test));
    baseModel.dispose();
    console.log(`held-out (${after.structures} structures): energy ${before.energyMAE_meV_per_atom.toFixed(1)} -> ${after.energyMAE_meV_per_atom.toFixed(1)} meV/atom, forces ${before.forceMAE_meV_per_A.toFixed(0)} -> ${after.forceMAE_meV_per_A.toFixed(0)} meV/Å`);
    assert.ok(after.energyMAE_meV_per_atom < before.energyMAE_meV_per_atom, 'fine-tuning lowers the held-out energy error');
  } finally {
    cleanup();
  }
});
