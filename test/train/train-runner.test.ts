// The train runner (main/train/train-runner.ts) on real ethanol frames: a run stopped after epoch 2 and resumed from
// its files ends with the weights of an uninterrupted run, a stopped run leaves a loadable best model, and ensembles
// write one file per member with the ensemble mean on the card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateModel } from '../../core/engine/eval';
import { readModelFile } from '../../main/models/model-files';
import { bootstrapSample, resumeTraining, runTraining, type TrainRunConfig, type TrainRunEvent } from '../../main/train/train-runner';
import { loadTrainingData } from '../../main/train/training-data';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const TRAIN = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'train.extxyz.gz');
const dir = mkdtempSync(join(tmpdir(), 'equimol-runner-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'eth30.extxyz');
writeFileSync(data, ethanolFramesText(TRAIN, 30));

const config = (out: string, extra: Partial<TrainRunConfig> = {}): TrainRunConfig => ({
  data: [data], targets: ['energy:eV', 'forces:eV/Å'], split: 'random', validation: 0.2, test: 0.2, splitSeed: 2,
  family: 'faenet', widths: { hidden: 8, interactions: 1 }, epochs: 4, batchSize: 4, learningRate: 3e-3, warmupSteps: 3,
  seed: 5, members: 1, ensemble: 'seeds', threads: 1, out: join(dir, out), command: `test ${out}`, ...extra,
});
const weights = (path: string) => {
  const bytes = readFileSync(path.replace(/\.model\.json$/, '.weights.bin'));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

test('a run stopped after epoch 2 and resumed from its files ends with the weights of an uninterrupted run', async () => {
  const whole = await runTraining(config('whole'));
  assert.equal(whole.stoppedBy, 'max-epochs');
  const controller = new AbortController();
  const events: TrainRunEvent[] = [];
  const first = await runTraining(config('parts'), {
    signal: controller.signal,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'progress' && e.phase === 'epoch' && e.epoch === 1) controller.abort();
    },
  });
  assert.equal(first.stoppedBy, 'cancelled');
  assert.ok(events.some((e) => e.kind === 'checkpoint'), 'a checkpoint was written');
  // The stopped run left a loadable model (its best EMA weights so far).
  const stopped = await readModelFile(join(dir, 'parts.model.json'));
  stopped.dispose();
  const resumedEvents: TrainRunEvent[] = [];
  const resumed = await resumeTraining(join(dir, 'parts'), { command: 'test --resume parts', onEvent: (e) => resumedEvents.push(e) });
  assert.equal(resumed.stoppedBy, 'max-epochs');
  const member = resumedEvents.find((e) => e.kind === 'member');
  assert.ok(member?.kind === 'member' && member.resumedAtEpoch === 2);
  const a = weights(whole.files[0]!), b = weights(resumed.files[0]!);
  assert.equal(a.length, b.length);
  const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  assert.ok(maxDiff <= 1e-6, `max weight difference ${maxDiff}`);
  assert.ok(Math.abs(resumed.members[0]!.test!.forceMAE_meV_per_A - whole.members[0]!.test!.forceMAE_meV_per_A) < 1e-3);
  const card = readFileSync(resumed.card, 'utf8');
  assert.match(card, /session 1: `test parts`/);
  assert.match(card, /session 2: `test --resume parts` \(.*resumed at member 1, epoch 2\)/);
  // The card's test row is the model's measured test error.
  const split = await loadTrainingData(config('whole'));
  const model = await readModelFile(whole.files[0]!);
  const measured = await evaluateModel(model, split.test);
  model.dispose();
  assert.ok(Math.abs(measured.forceMAE_meV_per_A - whole.members[0]!.test!.forceMAE_meV_per_A) < 1e-6 * measured.forceMAE_meV_per_A);
  assert.ok(readFileSync(whole.card, 'utf8').includes(`| model | ${split.test.length} | `));
  for (const svg of ['whole.learning-curve.svg', 'whole.parity.svg']) assert.match(readFileSync(join(dir, svg), 'utf8'), /<\/svg>\n$/);
});

test('an ensemble of 2 seeds writes NAME.m1/NAME.m2 and one ensemble file whose energy is the members\' mean', async () => {
  const result = await runTraining(config('ens', { members: 2, epochs: 2, family: 'egnn', widths: { features: 8, layers: 1 } }));
  assert.deepEqual(result.files.map((f) => f.split('/').pop()), ['ens.m1.model.json', 'ens.m2.model.json']);
  const [a, b] = result.files.map(weights);
  assert.ok(a!.some((v, i) => v !== b![i]), 'members differ');
  assert.ok(result.ensembleTest && Number.isFinite(result.ensembleTest.forceMAE_meV_per_A));
  assert.equal(result.ensembleFile, join(dir, 'ens.model.json'));
  assert.ok(result.ensembleCalibration && Object.keys(result.ensembleCalibration).length > 0);
  // The ensemble file opens as an energy model: the mean of the members, so its test error is the ensemble mean's.
  const test = (await loadTrainingData(config('ens'))).test;
  const ensemble = await readModelFile(result.ensembleFile);
  const measured = await evaluateModel(ensemble, test);
  ensemble.dispose();
  assert.ok(Math.abs(measured.forceMAE_meV_per_A - result.ensembleTest.forceMAE_meV_per_A) < 1e-3 * result.ensembleTest.forceMAE_meV_per_A, `${measured.forceMAE_meV_per_A} vs ${result.ensembleTest.forceMAE_meV_per_A}`);
  assert.ok(Math.abs(measured.energyMAE_meV - result.ensembleTest.energyMAE_meV) < 1e-3 * result.ensembleTest.energyMAE_meV + 1e-3);
  const card = readFileSync(result.card, 'utf8');
  assert.match(card, /\| member 1 \|/);
  assert.match(card, /\| member 2 \|/);
  assert.match(card, /\| ensemble mean \|/);
  assert.match(card, /one ensemble file `ens\.model\.json`/);
  assert.ok(existsSync(join(dir, 'ens.m2.learning-curve.svg')));
});

test('bootstrap resamples are seeded, drawn with replacement and differ between members', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const a = bootstrapSample(items, 3);
  assert.deepEqual(bootstrapSample(items, 3), a);
  assert.equal(a.length, 100);
  assert.ok(new Set(a).size < 100, 'some items repeat');
  assert.notDeepEqual(bootstrapSample(items, 4), a);
});

test('fine-tuning refuses data with an element the start model does not know', async () => {
  const init = join(dir, 'whole.model.json');
  const water = join(dir, 'nitrogen.extxyz');
  writeFileSync(water, ethanolFramesText(TRAIN, 10).replace(/^O /gm, 'N '));
  await assert.rejects(runTraining(config('bad', { data: [water], init, family: undefined })), /record \d+: element Z=7 is not among the species of .*whole\.model\.json \(1, 6, 8\)/);
});
