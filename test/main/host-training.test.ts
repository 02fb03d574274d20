/**
 * Training through the compute host's session (main/compute-host/create-session.ts with a user models folder):
 * a train job on 40 rMD17 ethanol frames writes a tiny EGNN to the folder, and the same session then lists it as a
 * predictor AND as a calculator (the listings are re-read once the model is written), and a relax job runs with it.
 * The host entry point in a worker thread, given that folder, lists the model at start. A shipped model's name is
 * refused as the new model's name. A host session without a models folder refuses train jobs with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TRAIN_NEEDS_DESKTOP_REASON, type CalculatorInfo, type PredictorInfo } from '../../core/contract/equimol-api';
import { createHostSession } from '../../main/compute-host/create-session';
import { ComputeHostClient } from '../../main/compute-host/compute-host-client';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ETHANOL = resolve(root, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const noData = existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`;
const modelsDir = mkdtempSync(join(tmpdir(), 'equimol-host-training-'));
after(() => rmSync(modelsDir, { recursive: true, force: true }));

const TINY = { family: 'egnn', size: 'tiny', batchSize: 8, seed: 3, epochs: 2 } as const;

test('a host session with a models folder trains a tiny model, then lists it as a predictor and a calculator and relaxes with it', { skip: noData, timeout: 240_000 }, async () => {
  const session = createHostSession({ userModelsDir: modelsDir, samplerEventIntervalMs: 0, documentEventIntervalMs: 0 });
  try {
    const opened = await session.openFiles([{ name: 'ethanol.extxyz', bytes: new TextEncoder().encode(ethanolFramesText(ETHANOL, 40)) }]);
    const doc = opened.documents[0]!;
    assert.ok(!(await session.listPredictors()).some((p) => p.id === 'model:host-tiny'), 'not listed before training');
    assert.ok(!(await session.listCalculators()).some((c) => c.id === 'model:host-tiny'));
    await assert.rejects(session.startJob({ kind: 'train', docIds: [doc.id], name: 'egnn-ethanol-rmd17', ...TINY }), /request\.name: 'egnn-ethanol-rmd17' is the name of a shipped model/);

    const job = await session.startJob({ kind: 'train', docIds: [doc.id], name: 'host-tiny', ...TINY });
    const done = await session.whenJobFinished(job.id);
    assert.equal(done.state, 'done', done.message);
    const status = done.sampler!.train!;
    assert.equal(status.result!.modelId, 'model:host-tiny');
    assert.equal(status.curve.length, 2);
    assert.ok(existsSync(join(modelsDir, 'host-tiny.model.json')), 'the model file is in the user models folder');

    const predictors: readonly PredictorInfo[] = await session.listPredictors();
    assert.ok(predictors.some((p) => p.id === 'model:host-tiny'), `listed as a predictor: ${predictors.map((p) => p.id).join(', ')}`);
    assert.ok(predictors.some((p) => p.id === 'model:egnn-ethanol-rmd17'), 'the shipped models are still listed');
    const calculators: readonly CalculatorInfo[] = await session.listCalculators();
    const calculator = calculators.find((c) => c.id === 'model:host-tiny');
    assert.ok(calculator, `listed as a calculator: ${calculators.map((c) => c.id).join(', ')}`);
    assert.equal(calculator.available, true, calculator.reason);

    const relax = await session.startJob({ kind: 'relax', docIds: [doc.id], indices: [0], calculator: 'model:host-tiny', optimizer: 'fire', fmax: 0.5, maxSteps: 3 });
    const relaxed = await session.whenJobFinished(relax.id);
    assert.equal(relaxed.state, 'done', relaxed.message);
    await session.whenIdle();
  } finally {
    session.dispose();
  }
});

test('the host entry point given the models folder (workerData) lists its trained model at start', { skip: noData, timeout: 120_000 }, async () => {
  assert.ok(existsSync(join(modelsDir, 'host-tiny.model.json')), 'the first test wrote the model');
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(join(root, 'main/compute-host/host-entry.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { appVersion: '0.0.0', userModelsDir: modelsDir } });
  const client = new ComputeHostClient({ post: (m) => worker.postMessage(m), onMessage: (h) => worker.on('message', h) });
  worker.on('exit', (code) => client.fail(`exit code ${code}`));
  try {
    await client.ready;
    const predictors = await client.call<PredictorInfo[]>('listPredictors');
    assert.ok(predictors.some((p) => p.id === 'model:host-tiny'), 'a predictor');
    const calculators = await client.call<CalculatorInfo[]>('listCalculators');
    assert.ok(calculators.some((c) => c.id === 'model:host-tiny'), 'a calculator');
  } finally {
    await worker.terminate();
  }
});

test('a host session without a models folder refuses train jobs with the desktop-app reason', async () => {
  const session = createHostSession({ models: null, generatorFiles: null });
  try {
    const opened = await session.openFiles([{ name: 'w.xyz', bytes: new TextEncoder().encode('3\nenergy=-1.0\nO 0 0 0\nH 0 0.76 -0.47\nH 0 -0.76 -0.47\n') }]);
    await assert.rejects(session.startJob({ kind: 'train', docIds: [opened.documents[0]!.id], targets: ['energy:eV'], name: 'w', ...TINY }), (e: Error) => e.message === TRAIN_NEEDS_DESKTOP_REASON);
  } finally {
    session.dispose();
  }
});
