/**
 * The Generate dialog's form: defaults from the chosen generator, checks, the GenerateJobRequest it makes and the
 * jobs panel's status line of a generate job. Pure, so it is tested in Node.
 */
import type { GenerateJobRequest, GeneratorInfo, JobProgress } from '../../core/contract/equimol-api';

export type GenerateSchedule = NonNullable<GenerateJobRequest['schedule']>;

/** The step schedules the dialog offers (core/generative/step-schedules.ts), with what each does in a line. */
export const GENERATE_SCHEDULES: ReadonlyArray<{ readonly id: GenerateSchedule; readonly label: string; readonly title: string }> = [
  { id: 'uniform', label: 'Uniform', title: "Equal steps in time, the papers' samplers" },
  { id: 'log-snr', label: 'Log-SNR', title: 'Equal steps of log signal-to-noise ratio' },
  { id: 'karras', label: 'Karras (ρ = 7)', title: 'Noise levels spaced as in Karras et al. 2022, eq. 5' },
  { id: 'measured', label: 'Measured', title: 'Steps crowd where a seeded 8-molecule pilot run changes fastest' },
];

export interface GenerateForm {
  readonly generator: string;
  readonly count: number;
  /** 'sampled': each molecule's atom count drawn from the training data; 'fixed': `atoms` for all. */
  readonly atomsMode: 'sampled' | 'fixed';
  readonly atoms: number;
  readonly steps: number;
  /** Where the steps go along the path from noise to data. */
  readonly schedule: GenerateSchedule;
  readonly seed: number;
  /** Conditional generators: aim at `targetValue` (else the training mean). */
  readonly useTarget: boolean;
  readonly targetValue: number;
  readonly trajectory: boolean;
}

/** 100 molecules with the generator's default steps (EDM: all its trained steps; GeoBFN: 100) on the uniform schedule, seed 1, sampled atom counts, a trajectory. */
export function defaultGenerateForm(info: GeneratorInfo | undefined): GenerateForm {
  return {
    generator: info?.id ?? '', count: 100, atomsMode: 'sampled', atoms: info ? Math.round((info.minAtoms + info.maxAtoms) / 2) : 10,
    steps: info?.defaultSteps ?? 100, schedule: 'uniform', seed: 1, useTarget: false, targetValue: info?.property ? Number(info.property.mean.toFixed(2)) : 0, trajectory: true,
  };
}

/** Why the form cannot start (the first problem), or null. */
export function generateFormProblem(form: GenerateForm, info: GeneratorInfo | undefined): string | null {
  if (!info) return 'No generator is installed: put a NAME.generator.json and NAME.weights.bin under assets/models.';
  if (!info.available) return info.reason ?? 'This generator cannot be used.';
  if (!Number.isInteger(form.count) || form.count < 1 || form.count > 100_000) return 'Molecules must be a whole number from 1 to 100000.';
  if (!Number.isInteger(form.steps) || form.steps < 1 || form.steps > info.timesteps) return `Steps must be a whole number from 1 to ${info.timesteps} (${info.family === 'edm' ? "the generator's trained steps" : 'the most this generator allows'}).`;
  if (!GENERATE_SCHEDULES.some((s) => s.id === form.schedule)) return `Unknown step schedule '${form.schedule}'.`;
  if (!Number.isInteger(form.seed) || form.seed < 0 || form.seed > 2 ** 32 - 1) return 'Seed must be a whole number from 0 to 4294967295.';
  if (form.atomsMode === 'fixed' && (!Number.isInteger(form.atoms) || form.atoms < 1 || form.atoms > info.maxAtoms)) {
    return `Atoms must be a whole number from 1 to ${info.maxAtoms} (the largest training molecule).`;
  }
  if (form.useTarget && info.property && !Number.isFinite(form.targetValue)) return `The ${info.property.name} target must be a number.`;
  return null;
}

export function generateRequest(form: GenerateForm, info: GeneratorInfo): GenerateJobRequest {
  return {
    kind: 'generate', generator: info.id, count: form.count, steps: form.steps, seed: form.seed, trajectory: form.trajectory,
    ...(form.schedule !== 'uniform' ? { schedule: form.schedule } : {}),
    ...(form.atomsMode === 'fixed' ? { atoms: form.atoms } : {}),
    ...(form.useTarget && info.property ? { target: { property: info.property.name, value: form.targetValue } } : {}),
  };
}

/** 'molecules 32/100 · step 41/101 · denoising' (the jobs panel's line for a generate job). */
export function generateStatusText(job: JobProgress): string {
  const s = job.sampler;
  if (!s) return '';
  const parts = [];
  if (s.molecules !== undefined && s.totalMolecules !== undefined) parts.push(`molecules ${s.molecules.toLocaleString('en-US')}/${s.totalMolecules.toLocaleString('en-US')}`);
  parts.push(`step ${s.step}/${s.totalSteps}`);
  if (s.stage) parts.push(s.stage);
  return parts.join(' · ');
}
