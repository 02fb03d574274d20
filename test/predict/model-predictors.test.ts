/**
 * Model files as predictor entries (core/predict/model-predictors) with the compute host's node:fs catalogue:
 * listing, lazy loading, equality with createEnergyModelPredictor and with `equimol predict --model`, and
 * malformed files. Needs rMD17 ethanol from ../shared/datasets for the prediction tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { initBackend } from '../../core/engine/backend/backend';
import { createEnergyModelPredictor, ENERGY_MODEL_COLUMNS } from '../../core/predict/energy-model-predictor';
import { modelCatalogueOrder, modelPredictorEntries, type ModelCatalogue } from '../../core/predict/model-predictors';
import type { Prediction } from '../../core/predict/predictor';
import { ModelSession } from '../../core/session/model-session';
import { readStructures } from '../../main/io/read-structures';
import { readModelFile } from '../../main/models/model-files';
import { runCli } from '../../main/cli/equimol';
import { createHostSession } from '../../main/compute-host/create-session';
import { defaultModelsDir, nodeModelCatalogue } from '../../main/compute-host/model-catalogue';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const ETHANOL = resolve('../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz');
const MODELS_DIR = resolve('assets/models');
const MACE = resolve(MODELS_DIR, 'benchmarks/mace-ethanol-rmd17.model.json');
const skip = existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`;
const tmp = mkdtempSync(join(tmpdir(), 'equimol-model-predictors-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** Every `*.model.json` shipped under assets/models, by name. */
function shippedModelNames(): string[] {
  return (readdirSync(MODELS_DIR, { recursive: true }) as string[])
    .filter((p) => p.endsWith('.model.json'))
    .map((p) => p.split('/').pop()!.replace(/\.model\.json$/, ''))
    .sort();
}

/** The node:fs catalogue, counting weight reads. */
function countingCatalogue(dir: string): { catalogue: ModelCatalogue; weightReads: string[] } {
  const inner = nodeModelCatalogue(dir);
  const weightReads: string[] = [];
  return {
    weightReads,
    catalogue: {
      list: () => inner.list(),
      readJson: (a) => inner.readJson(a),
      readWeights: (a) => {
        weightReads.push(a.name);
        return inner.readWeights(a);
      },
    },
  };
}


/** Resolves when the job is done; rejects when it failed or was cancelled. */
async function jobFinished(session: ModelSession | ReturnType<typeof createHostSession>, id: string): Promise<void> {
  for (;;) {
    const job = (await session.listJobs()).find((j) => j.id === id)!;
    if (job.state === 'done') return;
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${job.state}: ${job.message ?? ''}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

test('the host catalogue lists every shipped model file as model:<name> with its family, card title and measured test force error', async () => {
  assert.equal(defaultModelsDir().replace(/\/$/, ''), MODELS_DIR, 'the compute host looks in the app’s assets/models');
  const names = shippedModelNames();
  assert.ok(names.includes('mace-ethanol-rmd17') && names.includes('egnn-ethanol-rmd17'), `shipped: ${names.join(', ')}`);
  let backendCalls = 0;
  const { catalogue, weightReads } = countingCatalogue(MODELS_DIR);
  const entries = await modelPredictorEntries(catalogue, { initBackend: async () => backendCalls++ });
  assert.deepEqual(entries.map((e) => e.id).sort(), names.map((n) => `model:${n}`));
  assert.deepEqual(entries.slice(0, 2).map((e) => e.id), ['model:hcnof-xtb-potential', 'model:qm9xtb-properties'], 'the general models are listed first');
  for (const name of names) {
    const doc = JSON.parse(readFileSync(resolve(MODELS_DIR, (readdirSync(MODELS_DIR, { recursive: true }) as string[]).find((p) => p.endsWith(`/${name}.model.json`))!), 'utf8')) as {
      family: string;
      card: { title: string };
      metrics?: Array<{ forceMAE_meV_per_A: number }>;
    };
    const description = entries.find((e) => e.id === `model:${name}`)!.description;
    assert.ok(description.startsWith(`${doc.family.toUpperCase()}: ${doc.card.title}`), description);
    if (doc.metrics?.[0]) assert.ok(description.includes(`test force MAE ${doc.metrics[0].forceMAE_meV_per_A.toFixed(1)} meV/Å`), description);
  }
  // Listing and creating the entry (to learn its columns) load no weights and start no backend.
  const mace = entries.find((e) => e.id === 'model:mace-ethanol-rmd17')!;
  const predictor = await mace.create();
  assert.deepEqual(predictor.columns, ENERGY_MODEL_COLUMNS);
  assert.equal(predictor.batchSize, 32);
  assert.deepEqual(weightReads, []);
  assert.equal(backendCalls, 0);
  predictor.dispose?.();
});

test('a model entry from the shipped MACE file predicts 5 ethanol frames exactly as createEnergyModelPredictor on the same model', { skip }, async () => {
  const frames = (await readStructures(ETHANOL)).slice(0, 5);
  let backendCalls = 0;
  const { catalogue, weightReads } = countingCatalogue(MODELS_DIR);
  const entries = await modelPredictorEntries(catalogue, {
    initBackend: async () => {
      backendCalls++;
      return initBackend({ prefer: 'wasm' });
    },
  });
  const fromCatalogue = await entries.find((e) => e.id === 'model:mace-ethanol-rmd17')!.create();
  await fromCatalogue.prepare!();
  await fromCatalogue.prepare!();
  assert.deepEqual(weightReads, ['mace-ethanol-rmd17'], 'weights read once, on first use');
  assert.equal(backendCalls, 1);
  const direct = createEnergyModelPredictor(await readModelFile(MACE), { id: 'model:mace-ethanol-rmd17' });
  const got = (await fromCatalogue.predict(frames)) as Prediction[];
  const want = (await direct.predict(frames)) as Prediction[];
  assert.equal(got.length, 5);
  for (let k = 0; k < 5; k++) {
    assert.ok(!(got[k] instanceof Error), `frame ${k}: ${String(got[k])}`);
    assert.deepEqual(got[k]!.values, want[k]!.values, `frame ${k} values`);
    assert.deepEqual(Array.from(got[k]!.atomArrays!['forces']!.data), Array.from(want[k]!.atomArrays!['forces']!.data), `frame ${k} forces`);
    // Plausible ethanol energies (rMD17 total energies are near -4209 eV) and forces of a few eV/Å.
    const energy = got[k]!.values['energy'] as number;
    assert.ok(Math.abs(energy - -4209.5) < 2, `energy ${energy} eV`);
    assert.ok((got[k]!.values['max_force'] as number) > 0.1 && (got[k]!.values['max_force'] as number) < 20);
  }
  fromCatalogue.dispose?.();
  direct.dispose?.();
});

test('the compute-host session offers the models after the registry predictors and its CSV equals `equimol predict --model` byte for byte', { skip }, async () => {
  const dir = mkdtempSync(join(tmp, 'csv-'));
  const file = join(dir, 'ethanol5.extxyz');
  writeFileSync(file, ethanolFramesText(ETHANOL, 5));
  const session = createHostSession();
  try {
    const predictors = await session.listPredictors();
    const ids = predictors.map((p) => p.id);
    assert.deepEqual(ids.slice(0, 2), ['geometry', 'rdkit-descriptors']);
    for (const name of shippedModelNames()) assert.ok(ids.includes(`model:${name}`), `model:${name} offered (got ${ids.join(', ')})`);
    assert.deepEqual(predictors.find((p) => p.id === 'model:mace-ethanol-rmd17')!.columns, ENERGY_MODEL_COLUMNS);

    const opened = await session.openFiles([{ name: 'ethanol5.extxyz', bytes: readFileSync(file) }]);
    const docId = opened.documents[0]!.id;
    const started = await session.startJob({ kind: 'predict', docIds: [docId], predictor: 'model:mace-ethanol-rmd17' });
    await jobFinished(session, started.id);
    const exported = await session.exportJob(started.id, 'csv');
    const cliCsv = join(dir, 'cli.csv');
    const cwd = process.cwd();
    process.chdir(dir); // the CLI's `file` column holds the path as given: the bare name, like the opened file
    let code: number;
    try {
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      code = await runCli(['predict', 'ethanol5.extxyz', '--model', MACE, '--out', cliCsv], { stdout: sink, stderr: sink, signal: new AbortController().signal });
    } finally {
      process.chdir(cwd);
    }
    assert.equal(code, 0);
    const sessionCsv = new TextDecoder().decode(exported.bytes);
    assert.equal(sessionCsv.split('\n').length - 1, 6, 'header + 5 rows');
    assert.equal(sessionCsv, readFileSync(cliCsv, 'utf8'));
  } finally {
    session.dispose();
  }
});

test('malformed model files list with a reason and fail with an error naming the file; the session keeps working', async () => {
  const dir = mkdtempSync(join(tmp, 'broken-'));
  writeFileSync(join(dir, 'truncated.model.json'), readFileSync(MACE, 'utf8').slice(0, 500));
  writeFileSync(join(dir, 'truncated.weights.bin'), new Uint8Array(8));
  writeFileSync(join(dir, 'other.model.json'), JSON.stringify({ format: 'something-else' }));
  // A valid JSON whose weights are corrupt (one byte flipped): detected when the model is first used.
  copyFileSync(MACE, join(dir, 'corrupt.model.json'));
  const weights = readFileSync(MACE.replace(/\.model\.json$/, '.weights.bin'));
  weights[100] = weights[100]! ^ 0xff;
  writeFileSync(join(dir, 'corrupt.weights.bin'), weights);
  // A JSON without its weights file.
  copyFileSync(MACE, join(dir, 'lonely.model.json'));

  let backendCalls = 0;
  const entries = await modelPredictorEntries(nodeModelCatalogue(dir), { initBackend: async () => backendCalls++ });
  assert.deepEqual(entries.map((e) => e.id), ['model:corrupt', 'model:lonely', 'model:other', 'model:truncated']);
  const byId = (id: string) => entries.find((e) => e.id === id)!;
  assert.match(byId('model:truncated').description, /^cannot be used: truncated\.model\.json: not valid JSON/);
  assert.match(byId('model:other').description, /^cannot be used: other\.model\.json: not an Equimol model file/);
  await assert.rejects(byId('model:truncated').create(), /truncated\.model\.json: not valid JSON/);
  await assert.rejects(byId('model:other').create(), /other\.model\.json/);
  const corrupt = await byId('model:corrupt').create();
  await assert.rejects(corrupt.prepare!(), /corrupt\.model\.json.*checksum mismatch/);
  const lonely = await byId('model:lonely').create();
  await assert.rejects(lonely.prepare!(), /lonely\.model\.json: cannot read its weights \(lonely\.weights\.bin/);
  assert.equal(backendCalls, 0, 'no backend for files that cannot be decoded');

  // In a session: the job is refused with the file's name; other predictors still list and run.
  const session = new ModelSession({ modelEntries: Promise.resolve(entries) });
  try {
    const infos = await session.listPredictors();
    assert.ok(infos.some((p) => p.id === 'geometry') && infos.some((p) => p.id === 'model:truncated'));
    const opened = await session.openFiles([{ name: 'water.xyz', bytes: new TextEncoder().encode('3\nwater\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n') }]);
    const docId = opened.documents[0]!.id;
    await assert.rejects(session.startJob({ kind: 'predict', docIds: [docId], predictor: 'model:truncated' }), /truncated\.model\.json/);
    const job = await session.startJob({ kind: 'predict', docIds: [docId], predictor: 'geometry' });
    await jobFinished(session, job.id);
  } finally {
    session.dispose();
  }
});

test('a failing model listing leaves the registry predictors and is reported once', async () => {
  const reported: unknown[] = [];
  const session = new ModelSession({ modelEntries: Promise.reject(new Error('assets/models unreadable')), onModelListError: (e) => reported.push(e) });
  try {
    assert.deepEqual((await session.listPredictors()).map((p) => p.id), ['geometry', 'rdkit-descriptors']);
    await session.listPredictors();
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /assets\/models unreadable/);
  } finally {
    session.dispose();
  }
});

test('catalogues list the general models first, then the others, each group by path', () => {
  assert.deepEqual(
    modelCatalogueOrder(['/m/benchmarks/b.model.json', '/m/general/z.model.json', '/m/a.model.json', '/m/general/c.model.json', '/m/user/general-ish.model.json']),
    ['/m/general/c.model.json', '/m/general/z.model.json', '/m/a.model.json', '/m/benchmarks/b.model.json', '/m/user/general-ish.model.json'],
  );
  assert.deepEqual(modelCatalogueOrder(['../../../assets/models/general/q.model.json', '../../../assets/models/benchmarks/a.model.json'])[0], '../../../assets/models/general/q.model.json');
});

test('`equimol predict --model qm9xtb-properties` takes a shipped model by its bare name; an unknown bare name lists the shipped ones', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-bare-name-'));
  try {
    const input = join(dir, 'qm9.xyz');
    // Two QM9 molecules (methane, water) at GFN2-xTB-like geometries, Å.
    writeFileSync(input, '5\nmethane\nC 0 0 0\nH 0.629 0.629 0.629\nH -0.629 -0.629 0.629\nH -0.629 0.629 -0.629\nH 0.629 -0.629 -0.629\n3\nwater\nO 0 0 0.117\nH 0 0.757 -0.469\nH 0 -0.757 -0.469\n');
    let err = '';
    const sink = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
    const out = join(dir, 'p.csv');
    assert.equal(await runCli(['predict', input, '--model', 'qm9xtb-properties', '--out', out], { stdout: sink, stderr: sink, signal: new AbortController().signal }), 0, err);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    assert.ok(header!.split(',').some((h) => h.startsWith('gap')), header);
    assert.equal(rows.length, 2);
    err = '';
    assert.notEqual(await runCli(['predict', input, '--model', 'no-such-model', '--out', join(dir, 'q.csv')], { stdout: sink, stderr: sink, signal: new AbortController().signal }), 0);
    assert.match(err, /no shipped model named 'no-such-model' \(shipped: .*model:qm9xtb-properties/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
