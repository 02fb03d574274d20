// The Train dialog's form (renderer/app/train-form.ts), checked in Node: the choices a document offers, the
// defaults, the checks (each naming the field), the TrainJobRequest (which the core train job kind accepts), the
// panel's status text and learning-curve plots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CalculatorInfo, ColumnInfo, TrainJobStatus } from '../../core/contract/equimol-api';
import { trainTargets } from '../../core/session/jobs/train-job-kind';
import { createStructure } from '../../core/structure';
import { defaultModelName, defaultTrainForm, fineTuneChoices, latestTrainJob, svgDataUrl, trainCurvePlots, trainDataOf, trainFormProblem, trainMetricsRows, trainRequest, trainStatusText, type TrainData } from '../../renderer/app/train-form';

const column = (key: string, unit: string, kind: ColumnInfo['kind'] = 'number', source = 'file'): ColumnInfo => ({ key, label: key, unit, kind, source });
const water = createStructure({
  name: 'w', numbers: [8, 1, 1], positions: [0, 0, 0, 0, 0.76, -0.47, 0, -0.76, -0.47], properties: { energy: -1 },
  atomArrays: { forces: { kind: 'float', width: 3, data: new Float64Array(9) }, charges: { kind: 'float', width: 1, data: new Float64Array(3) }, dft_forces: { kind: 'float', width: 3, data: new Float64Array(9) } },
});
const doc = { id: 'doc-1', name: 'water frames.extxyz.gz', recordCount: 50, columns: [column('energy', 'eV'), column('free_energy', 'kcal/mol'), column('config_type', '', 'string'), column('rdkit:mw', 'g/mol', 'number', 'rdkit')] };
const data: TrainData = trainDataOf(doc, water);
const model = (id: string, available = true): CalculatorInfo => ({ id, name: id, method: 'model', elements: [1, 8], charge: false, spin: false, periodic: false, stress: false, available });
const models = [model('model:mace-water'), model('xtb:gfn2'), model('model:broken', false)];

test('a document offers its numeric file properties as energies (with units) and its per-atom 3-vectors as forces', () => {
  assert.deepEqual(data.energyKeys, [{ key: 'energy', unit: 'eV' }, { key: 'free_energy', unit: 'kcal/mol' }]);
  assert.deepEqual(data.forceKeys, ['forces', 'dft_forces']);
  assert.deepEqual(fineTuneChoices(models).map((m) => m.id), ['model:mace-water'], 'only usable model calculators can be fine-tuned');
});

test('the default form trains energy (eV) and forces (eV/Å) with a small MACE, random 80/10/10, 100 epochs, one member, named after the file', () => {
  const form = defaultTrainForm(data);
  assert.equal(trainFormProblem(form, data, models), null);
  assert.equal(defaultModelName('water frames.extxyz.gz'), 'water-frames-model');
  assert.deepEqual(trainRequest(form, data), {
    kind: 'train', docIds: ['doc-1'], name: 'water-frames-model', targets: ['energy:eV', 'forces:eV/Å'], family: 'mace', size: 'small',
    split: 'random', validation: 0.1, test: 0.1, epochs: 100, members: 1, seed: 1,
  });
});

test('a non-default energy key takes its unit from the column and the request names both keys; the core parses its targets', () => {
  const form = { ...defaultTrainForm(data), energyKey: 'free_energy', energyUnit: 'kcal/mol', forcesKey: 'dft_forces', forcesUnit: 'kcal/mol/Å', budget: 'minutes' as const, minutes: 5 };
  assert.equal(trainFormProblem(form, data, models), null);
  const request = trainRequest(form, data);
  assert.deepEqual([request.energyKey, request.forcesKey, request.targets, request.minutes, request.epochs], ['free_energy', 'dft_forces', ['energy:kcal/mol', 'forces:kcal/mol/Å'], 5, undefined]);
  assert.deepEqual(trainTargets(request).map((t) => [t.name, t.unit, t.key]), [['energy', 'kcal/mol', 'free_energy'], ['forces', 'kcal/mol/Å', 'dft_forces']]);
  const kcal = defaultTrainForm(trainDataOf({ ...doc, columns: [column('energy', 'kcal/mol')] }, water));
  assert.equal(kcal.energyUnit, 'kcal/mol', 'the unit of the energy column is the default');
});

test('fine-tuning asks for the model, the frozen trunk and when to unfreeze, and leaves out family and size', () => {
  const form = { ...defaultTrainForm(data), init: 'model:mace-water', unfreezeAfter: 4, refitReferenceEnergies: true, useForces: false };
  assert.equal(trainFormProblem(form, data, models), null);
  const request = trainRequest(form, data);
  assert.deepEqual([request.init, request.freezeTrunk, request.unfreezeAfter, request.refitReferenceEnergies, request.family, request.size, request.targets], ['model:mace-water', true, 4, true, undefined, undefined, ['energy:eV']]);
  const unfrozen = trainRequest({ ...form, freezeTrunk: false }, data);
  assert.deepEqual([unfrozen.freezeTrunk, 'unfreezeAfter' in unfrozen], [false, false]);
});

test('each check names its field', () => {
  const form = defaultTrainForm(data);
  const problem = (patch: Partial<typeof form>, d: TrainData = data) => trainFormProblem({ ...form, ...patch }, d, models);
  assert.match(problem({ useEnergy: false, useForces: false })!, /^Targets:/);
  assert.match(problem({ energyKey: 'enthalpy' })!, /^Energy: water frames\.extxyz\.gz has no numeric property 'enthalpy'/);
  assert.match(problem({ energyUnit: 'furlong' })!, /^Energy unit: 'furlong'/);
  assert.match(problem({ forcesKey: 'charges' })!, /^Forces: .* no per-atom 3-vector 'charges'/);
  assert.match(problem({ validation: 0 })!, /^Validation:/);
  assert.match(problem({ validation: 0.45, test: 0.4 })!, /^Validation \+ test:/);
  assert.match(problem({ epochs: 2.5 })!, /^Epochs:/);
  assert.match(problem({ budget: 'minutes', minutes: 0 })!, /^Minutes:/);
  assert.match(problem({ members: 0 })!, /^Members:/);
  assert.match(problem({ init: 'model:broken' })!, /^Fine-tune from: 'model:broken' is not a listed model/);
  assert.match(problem({ init: 'model:mace-water', unfreezeAfter: -1 })!, /^Unfreeze after:/);
  assert.match(problem({ name: 'my model' })!, /^Model name:/);
  assert.match(problem({ name: 'mace-water' })!, /^Model name: model:mace-water already exists/);
  assert.match(problem({ seed: -1 })!, /^Seed:/);
  assert.match(trainFormProblem(form, { ...data, recordCount: 0 }, models)!, /^Data: .* holds no structures/);
});

const point = (epoch: number, loss: number, forces: number) => ({ member: 0, epoch, loss, validationEnergy: 2 * forces, validationForces: forces, learningRate: 1e-3 });
const status: TrainJobStatus = { stage: 'training', member: 0, members: 2, epoch: 2, maxEpochs: 10, step: 3, stepsPerEpoch: 8, loss: 0.0123, learningRate: 1e-3, etaSeconds: 125, curve: [point(0, 1, 300), point(1, 0.5, 200)] };

test('the status line gives member, epoch, step, loss and ETA; the plots give loss and validation MAEs per epoch', () => {
  assert.equal(trainStatusText(status), 'member 1/2 · epoch 3/10 · step 3/8 · loss 0.0123 · ETA 2 min 5 s');
  assert.equal(trainStatusText({ ...status, stage: 'reading' }), 'reading the data');
  const plots = trainCurvePlots({ ...status, members: 1, maxEpochs: 4 });
  assert.deepEqual(plots.x, [1, 2, 3, 4], 'x runs to the planned epochs');
  assert.deepEqual(plots.loss[0]!.values, [1, 0.5, null, null], 'epochs not yet run are gaps');
  assert.deepEqual(plots.validation.map((s) => [s.values, s.axis]), [[[600, 400, null, null], undefined], [[300, 200, null, null], 'right']]);
  assert.equal(trainCurvePlots(status).x.length, 20, 'two members of 10 epochs');
  assert.equal(trainCurvePlots({ ...status, maxEpochs: 1e6 }).x.length, 2, 'an open-ended budget plots the epochs run');
  const forcesOnly = trainCurvePlots({ ...status, curve: [{ ...point(0, 1, 300), validationEnergy: Number.NaN }] });
  assert.deepEqual(forcesOnly.validation.map((s) => [s.label, s.axis]), [['force MAE (meV/Å)', undefined]]);
});

test('a finished run shows its model and test metrics, and the parity SVG becomes a data: image URL', () => {
  const done: TrainJobStatus = { ...status, stage: 'done', result: { modelId: 'model:w', files: ['w.model.json'], stoppedBy: 'epochs', test: { structures: 5, energyMAE_meV_per_atom: 1.234, energyMAE_meV: 3.7, forceMAE_meV_per_A: 45.67 }, paritySvg: '<svg xmlns="http://www.w3.org/2000/svg"><text>#1 & 2</text></svg>' } };
  assert.deepEqual(trainMetricsRows(done), [['Model', 'model:w'], ['Stopped by', 'epochs'], ['Test structures', '5'], ['Energy MAE', '1.23 meV/atom (3.7 meV)'], ['Force MAE', '45.7 meV/Å']]);
  assert.doesNotMatch(trainStatusText(done), /ETA/);
  const url = svgDataUrl(done.result!.paritySvg!);
  assert.ok(url.startsWith('data:image/svg+xml;charset=utf-8,%3Csvg'));
  assert.equal(decodeURIComponent(url.slice(url.indexOf(',') + 1)), done.result!.paritySvg);
  const job = (id: string, state: 'running' | 'done', kind: 'train' | 'relax' = 'train') => ({ id, kind, label: id, state, done: 0, total: 1, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 0 }) as const;
  assert.equal(latestTrainJob([job('a', 'done'), job('b', 'running'), job('c', 'running', 'relax')])?.id, 'b');
  assert.equal(latestTrainJob([job('c', 'running', 'relax')]), undefined);
});
