// The Relax / Run MD dialog's requests (renderer/app/sampler-form.ts) and the trajectory plots' data
// (renderer/app/trajectory-plots.ts), checked in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MD_FORM, DEFAULT_RELAX_FORM, mdFormProblem, mdRequest, relaxFormProblem, relaxRequest } from '../../renderer/app/sampler-form';
import { trajectoryPlots } from '../../renderer/app/trajectory-plots';

test('the default relax request for molecules is ANCopt at xtb level normal, at most 500 steps, without fmax, step or cell options', () => {
  assert.equal(relaxFormProblem(DEFAULT_RELAX_FORM), null);
  assert.deepEqual(relaxRequest({ docId: 'd', indices: [3] }, 'model:x', { ...DEFAULT_RELAX_FORM, relaxCell: true }, false), {
    kind: 'relax', docIds: ['d'], indices: [3], calculator: 'model:x', optimizer: 'anc', level: 'normal', maxSteps: 500,
  });
});

test('the default relax request for periodic structures is FIRE to fmax 0.05 eV/Å in at most 500 steps of 0.2 Å; L-BFGS keeps its fmax', () => {
  assert.deepEqual(relaxRequest({ docId: 'd', indices: [0] }, 'lj', DEFAULT_RELAX_FORM, true), {
    kind: 'relax', docIds: ['d'], indices: [0], calculator: 'lj', optimizer: 'fire', fmax: 0.05, maxSteps: 500, maxStep: 0.2,
  });
  const lbfgs = relaxRequest({ docId: 'd', indices: [0] }, 'xtb:gfn2', { ...DEFAULT_RELAX_FORM, optimizer: 'lbfgs', fmax: 0.01 }, false);
  assert.deepEqual([lbfgs.optimizer, lbfgs.fmax, lbfgs.level], ['lbfgs', 0.01, undefined]);
});

test('a batch relax of a whole periodic file lists no indices and passes the cell options', () => {
  const request = relaxRequest({ docId: 'd', indices: null, fixedAtoms: [0, 1] }, 'xtb:gfn2', { ...DEFAULT_RELAX_FORM, relaxCell: true, pressureGPa: 2 }, true);
  assert.equal('indices' in request, false);
  assert.deepEqual([request.relaxCell, request.pressureGPa, request.fixedAtoms], [true, 2, [0, 1]]);
});

test('the default MD request is Langevin 300 K, 0.5 fs, 1000 steps every 10, seed 1, friction 0.01/fs', () => {
  assert.equal(mdFormProblem(DEFAULT_MD_FORM), null);
  assert.deepEqual(mdRequest({ docId: 'd', indices: [2] }, 'model:x', DEFAULT_MD_FORM), {
    kind: 'md', docId: 'd', index: 2, calculator: 'model:x', thermostat: 'langevin', temperature: 300, timestep: 0.5, steps: 1000, every: 10, seed: 1, friction: 0.01,
  });
  const csvr = mdRequest({ docId: 'd', indices: [0] }, 'model:x', { ...DEFAULT_MD_FORM, thermostat: 'csvr', tau: 50 });
  assert.equal(csvr.tau, 50);
  assert.equal('friction' in csvr, false);
  assert.throws(() => mdRequest({ docId: 'd', indices: null }, 'model:x', DEFAULT_MD_FORM), /one structure/);
});

test('bad form values are refused with a message naming the field and unit', () => {
  assert.match(relaxFormProblem({ ...DEFAULT_RELAX_FORM, fmax: 0 }) ?? '', /fmax must be a positive number \(eV\/Å\)/);
  assert.match(relaxFormProblem({ ...DEFAULT_RELAX_FORM, maxSteps: 2.5 }) ?? '', /Max steps must be a whole number/);
  assert.match(mdFormProblem({ ...DEFAULT_MD_FORM, timestep: Number.NaN }) ?? '', /Time step must be a positive number \(fs\)/);
  assert.match(mdFormProblem({ ...DEFAULT_MD_FORM, every: 2000 }) ?? '', /Frame interval \(2000\) must not exceed the steps \(1000\)/);
  assert.match(mdFormProblem({ ...DEFAULT_MD_FORM, temperature: -1 }) ?? '', /Temperature must be ≥ 0 K/);
  assert.equal(mdFormProblem({ ...DEFAULT_MD_FORM, thermostat: 'none', friction: 0 }), null);
});

test('relax plots energy and fmax per step (log fmax axis); rows without a step are left out', () => {
  const plots = trajectoryPlots({ docId: 'd', index: [0, 1, 2], values: { step: [0, null, 2], energy: [-1, -1.5, -2], fmax: [1, 0.5, 0.01] } }, false);
  assert.deepEqual(plots.index, [0, 2]);
  assert.deepEqual(plots.x, [0, 2]);
  assert.equal(plots.specs.length, 1);
  assert.equal(plots.specs[0]!.rightLog, true);
  assert.deepEqual(plots.specs[0]!.series.map((s) => [s.label, s.values, s.axis ?? 'left']), [['energy (eV)', [-1, -2], 'left'], ['fmax (eV/Å)', [1, 0.01], 'right']]);
});

test('MD plots temperature and potential, total and kinetic energy over time', () => {
  const plots = trajectoryPlots({ docId: 'd', index: [0, 1], values: { time: [0, 5], step: [0, 10], temperature: [300, 310], energy: [-5, -5.1], kinetic: [0.3, 0.4], total: [-4.7, -4.7] } }, true);
  assert.deepEqual(plots.x, [0, 5]);
  assert.deepEqual(plots.specs.map((s) => s.testId), ['plot-temperature', 'plot-energy']);
  assert.deepEqual(plots.specs[1]!.series.map((s) => s.values), [[-5, -5.1], [-4.7, -4.7], [0.3, 0.4]]);
  assert.equal(plots.specs[0]!.xLabel, 'time (fs)');
});
