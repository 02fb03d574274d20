/**
 * The Relax / Run MD dialog's form: defaults, checks and the job requests it makes (core/contract RelaxJobRequest,
 * MdJobRequest). Pure, so it is tested in Node. Units: fmax eV/Å, max step Å, pressure GPa, temperature K,
 * time step and tau fs, friction 1/fs.
 */
import type { DocumentId, MdJobRequest, Optimizer, RelaxJobRequest, RelaxLevel, Thermostat } from '../../core/contract/equimol-api';

export type SamplerMode = 'relax' | 'md';

export interface RelaxForm {
  /** 'anc' (xtb's ANCopt) relaxes molecules only: for periodic structures the request uses FIRE. */
  readonly optimizer: Optimizer;
  /** ANCopt's convergence, as `xtb --opt LEVEL`; FIRE and L-BFGS use fmax. */
  readonly level: RelaxLevel;
  /** eV/Å. */
  readonly fmax: number;
  readonly maxSteps: number;
  /** Å. */
  readonly maxStep: number;
  readonly relaxCell: boolean;
  /** GPa. */
  readonly pressureGPa: number;
}

export interface MdForm {
  readonly thermostat: Thermostat;
  /** K. */
  readonly temperature: number;
  /** fs. */
  readonly timestep: number;
  readonly steps: number;
  readonly every: number;
  readonly seed: number;
  /** 1/fs (Langevin). */
  readonly friction: number;
  /** fs (CSVR, Nosé–Hoover). */
  readonly tau: number;
}

/**
 * The contract's defaults: ANCopt converged as `xtb --opt` for molecules; for FIRE/L-BFGS (and periodic structures)
 * fmax 0.05 eV/Å in at most 500 steps of at most 0.2 Å.
 */
export const DEFAULT_RELAX_FORM: RelaxForm = { optimizer: 'anc', level: 'normal', fmax: 0.05, maxSteps: 500, maxStep: 0.2, relaxCell: false, pressureGPa: 0 };

/** The optimizer a request uses: ANCopt relaxes molecules only, so periodic structures get FIRE instead. */
export function effectiveOptimizer(form: RelaxForm, periodic: boolean): Optimizer {
  return form.optimizer === 'anc' && periodic ? 'fire' : form.optimizer;
}

/** Langevin at 300 K, 0.5 fs steps, 1000 steps with a frame every 10, seed 1, friction 0.01/fs, tau 100 fs. */
export const DEFAULT_MD_FORM: MdForm = { thermostat: 'langevin', temperature: 300, timestep: 0.5, steps: 1000, every: 10, seed: 1, friction: 0.01, tau: 100 };

/** What the job runs on: one document, and either the listed structures or (indices null) all of it. */
export interface SamplerTarget {
  readonly docId: DocumentId;
  readonly indices: readonly number[] | null;
  /** Atoms held in place (0-based), e.g. from the viewer's selection. */
  readonly fixedAtoms?: readonly number[];
}

/**
 * 1-based atom numbers and ranges ('1,2,5-7') as sorted 0-based indices; '' is none. Throws a message naming
 * the bad part for anything else or for an atom beyond `atomCount`.
 */
export function parseAtomList(text: string, atomCount: number): number[] {
  const atoms = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`'${part}' is not an atom number or range (e.g. 1,2,5-7)`);
    const from = Number(m[1]), to = Number(m[2] ?? m[1]);
    if (from < 1 || to < from) throw new Error(`'${part}' is not a range of atoms (1-based, low to high)`);
    if (to > atomCount) throw new Error(`atom ${to} is beyond the ${atomCount} atoms of the structure`);
    for (let a = from; a <= to; a++) atoms.add(a - 1);
  }
  return [...atoms].sort((a, b) => a - b);
}

function positive(value: number, what: string, unit: string): string | null {
  return Number.isFinite(value) && value > 0 ? null : `${what} must be a positive number${unit ? ` (${unit})` : ''}, got ${value}`;
}

function wholeAtLeast(value: number, min: number, what: string): string | null {
  return Number.isInteger(value) && value >= min ? null : `${what} must be a whole number ≥ ${min}, got ${value}`;
}

/** Why the relax form cannot be submitted, or null. */
export function relaxFormProblem(form: RelaxForm): string | null {
  return (
    positive(form.fmax, 'fmax', 'eV/Å') ??
    wholeAtLeast(form.maxSteps, 1, 'Max steps') ??
    positive(form.maxStep, 'Max step', 'Å') ??
    (Number.isFinite(form.pressureGPa) ? null : `Pressure must be a number (GPa), got ${form.pressureGPa}`)
  );
}

/** Why the MD form cannot be submitted, or null. */
export function mdFormProblem(form: MdForm): string | null {
  const temperature = Number.isFinite(form.temperature) && form.temperature >= 0 ? null : `Temperature must be ≥ 0 K, got ${form.temperature}`;
  return (
    temperature ??
    positive(form.timestep, 'Time step', 'fs') ??
    wholeAtLeast(form.steps, 1, 'Steps') ??
    wholeAtLeast(form.every, 1, 'Frame interval') ??
    (form.every <= form.steps ? null : `Frame interval (${form.every}) must not exceed the steps (${form.steps})`) ??
    wholeAtLeast(form.seed, 0, 'Seed') ??
    (form.thermostat === 'langevin' ? positive(form.friction, 'Friction', '1/fs') : null) ??
    (form.thermostat === 'csvr' || form.thermostat === 'nose-hoover' ? positive(form.tau, 'Tau', 'fs') : null)
  );
}

/** A relax request; cell options only where the structures are periodic. */
export function relaxRequest(target: SamplerTarget, calculator: string, form: RelaxForm, periodic: boolean): RelaxJobRequest {
  return {
    kind: 'relax',
    docIds: [target.docId],
    ...(target.indices ? { indices: [...target.indices] } : {}),
    calculator,
    ...(effectiveOptimizer(form, periodic) === 'anc'
      ? { optimizer: 'anc' as const, level: form.level, maxSteps: form.maxSteps }
      : { optimizer: effectiveOptimizer(form, periodic), fmax: form.fmax, maxSteps: form.maxSteps, maxStep: form.maxStep }),
    ...(target.fixedAtoms && target.fixedAtoms.length > 0 ? { fixedAtoms: [...target.fixedAtoms] } : {}),
    ...(periodic && form.relaxCell ? { relaxCell: true, pressureGPa: form.pressureGPa } : {}),
  };
}

/** An MD request for the target's first structure, with only the thermostat's own parameter. */
export function mdRequest(target: SamplerTarget, calculator: string, form: MdForm): MdJobRequest {
  const index = target.indices?.[0];
  if (index === undefined) throw new Error('molecular dynamics runs on one structure: select one first');
  return {
    kind: 'md',
    docId: target.docId,
    index,
    calculator,
    thermostat: form.thermostat,
    temperature: form.temperature,
    timestep: form.timestep,
    steps: form.steps,
    every: form.every,
    seed: form.seed,
    ...(form.thermostat === 'langevin' ? { friction: form.friction } : {}),
    ...(form.thermostat === 'csvr' || form.thermostat === 'nose-hoover' ? { tau: form.tau } : {}),
    ...(target.fixedAtoms && target.fixedAtoms.length > 0 ? { fixedAtoms: [...target.fixedAtoms] } : {}),
  };
}
