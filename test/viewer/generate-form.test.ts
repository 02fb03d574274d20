// The Generate dialog's form (renderer/app/generate-form.ts): defaults, checks and the request it makes, in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GeneratorInfo } from '../../core/contract/equimol-api';
import { defaultGenerateForm, GENERATE_SCHEDULES, generateFormProblem, generateRequest } from '../../renderer/app/generate-form';
import { stepScheduleKinds } from '../../core/generative/step-schedules';

const EDM: GeneratorInfo = {
  id: 'generator:edm-test', name: 'edm-test', title: 'EDM test', description: 'test', family: 'edm', timesteps: 500, defaultSteps: 500,
  minAtoms: 3, maxAtoms: 29, species: [1, 6, 7, 8, 9], available: true,
};

test('the default generate form uses all trained steps on the uniform schedule and its request names no schedule', () => {
  const form = defaultGenerateForm(EDM);
  assert.equal(form.schedule, 'uniform');
  assert.equal(generateFormProblem(form, EDM), null);
  assert.deepEqual(generateRequest(form, EDM), { kind: 'generate', generator: 'generator:edm-test', count: 100, steps: 500, seed: 1, trajectory: true });
});

test('a chosen step schedule goes into the generate request', () => {
  for (const schedule of ['log-snr', 'karras', 'measured'] as const) {
    const form = { ...defaultGenerateForm(EDM), steps: 50, schedule };
    assert.equal(generateFormProblem(form, EDM), null);
    assert.equal(generateRequest(form, EDM).schedule, schedule);
  }
});

test('the dialog offers exactly the step schedules the samplers know, and refuses another', () => {
  assert.deepEqual(GENERATE_SCHEDULES.map((s) => s.id), [...stepScheduleKinds]);
  const form = { ...defaultGenerateForm(EDM), schedule: 'cosine' as never };
  assert.match(generateFormProblem(form, EDM) ?? '', /Unknown step schedule 'cosine'/);
});

test('steps beyond the trained diffusion steps are refused with the limit named', () => {
  assert.match(generateFormProblem({ ...defaultGenerateForm(EDM), steps: 501 }, EDM) ?? '', /from 1 to 500/);
});
