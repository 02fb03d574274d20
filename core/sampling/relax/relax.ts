/**
 * Geometry relaxation: a loop over a Calculator with ASE's optimizers and semantics (ASE 3.22.1
 * `ase/optimize/optimize.py` `Optimizer.irun`): evaluate the input (step 0), then while not converged and fewer
 * than `maxSteps` steps were taken, take one optimizer step and evaluate again. Each evaluation is one yielded
 * frame; for FIRE and L-BFGS converged means the largest force row (eV/Å) on a free atom — with `relaxCell`, of
 * the FrechetCellFilter's generalised forces, cell rows included — is below `fmax`, as ASE's `converged()`; for
 * ANCopt (xtb's optimizer, the default for molecules) it is xtb's test at `level` (anc-optimizer.ts).
 * So a run of s steps makes s + 1 calculator calls, and `maxSteps` counts steps as ASE's `run(steps=…)` does.
 *
 * The run never throws for a physical problem: a calculator error, a non-finite value or a watchdog ends it with
 * status 'stopped' and a problem naming the step and atoms; `options.signal` ends it with 'cancelled' between steps.
 * Bad options (negative fmax, relaxCell on a molecule, fixed atoms that do not exist) throw a RangeError naming
 * the structure before the first calculation.
 */
import { CalculationError, checkFinite, structureLabel, type CalcResult, type Calculator } from '../../calc/calculator';
import type { Structure } from '../../structure/structure';
import type { SamplerFrame, SamplerProblem, SamplerReport } from '../frames';
import type { RelaxOptions } from '../options';
import { createRelaxChecks } from './relax-checks';
import { FrechetCellFilter, largestRowNorm } from './cell-filter';
import { adjustDisplacement, adjustForces, atomConstraints, type AtomConstraints } from './constraints';
import { FireOptimizer } from './fire';
import { LbfgsOptimizer } from './lbfgs';
import type { Optimizer } from './optimizer';
import { ANC_LEVEL_NAMES, AncOptimizer, ancMaxSteps, type AncLevel } from './anc-optimizer';

/** 'anc': xtb's ANCopt (anc-optimizer.ts), the default for molecules; 'fire' the default for periodic structures. */
export type RelaxOptimizerName = 'fire' | 'lbfgs' | 'anc';
export const RELAX_OPTIMIZER_NAMES: readonly RelaxOptimizerName[] = ['anc', 'fire', 'lbfgs'];

/**
 * RelaxOptions with ANCopt: `optimizer` may be 'anc' and `level` sets its convergence as `xtb --opt LEVEL`
 * ['normal']. With 'anc', `fmax` (when given) is an extra condition, `maxStep` (when given) the largest
 * displacement along one ANC in Å [1 bohr], and `maxSteps` defaults to xtb's (3 per atom at normal, ≥ 200).
 */
export interface RelaxSamplerOptions extends Omit<RelaxOptions, 'optimizer'> {
  readonly optimizer?: RelaxOptimizerName;
  readonly level?: AncLevel;
}

/** RelaxOptions with the defaults filled in. */
export interface RelaxSettings {
  readonly optimizer: RelaxOptimizerName;
  readonly fmax: number;
  readonly maxSteps: number;
  readonly maxStep: number;
  readonly relaxCell: boolean;
  readonly pressure: number;
  readonly memory: number;
  readonly level: AncLevel;
}

/**
 * Fills in the defaults and checks them; throws RangeError naming the bad option. `periodic` and `nAtoms` pick
 * the defaults that depend on the structure (the optimizer, ANCopt's step limit).
 */
export function relaxSettings(options: RelaxSamplerOptions = {}, label = 'the structure', structure: { periodic: boolean; nAtoms: number } = { periodic: false, nAtoms: 0 }): RelaxSettings {
  const optimizer = options.optimizer ?? (structure.periodic || options.relaxCell ? 'fire' : 'anc');
  const level = options.level ?? 'normal';
  if (!ANC_LEVEL_NAMES.includes(level)) throw new RangeError(`${label}: unknown level '${String(level)}' (${ANC_LEVEL_NAMES.join(', ')})`);
  const settings: RelaxSettings = {
    optimizer,
    fmax: options.fmax ?? 0.05,
    maxSteps: options.maxSteps ?? (optimizer === 'anc' ? ancMaxSteps(level, structure.nAtoms) : 500),
    maxStep: options.maxStep ?? 0.2,
    relaxCell: options.relaxCell ?? false,
    pressure: options.pressure ?? 0,
    memory: options.memory ?? 100,
    level,
  };
  if (!RELAX_OPTIMIZER_NAMES.includes(settings.optimizer)) {
    throw new RangeError(`${label}: unknown optimizer '${String(settings.optimizer)}' (${RELAX_OPTIMIZER_NAMES.join(', ')})`);
  }
  if (settings.optimizer === 'anc' && (settings.relaxCell || structure.periodic)) {
    throw new RangeError(`${label}: the anc optimizer relaxes molecules; use fire or lbfgs for periodic structures`);
  }
  if (!(settings.fmax > 0 && Number.isFinite(settings.fmax))) throw new RangeError(`${label}: fmax must be a positive number of eV/Å, got ${settings.fmax}`);
  if (!(Number.isInteger(settings.maxSteps) && settings.maxSteps >= 0)) throw new RangeError(`${label}: maxSteps must be a non-negative integer, got ${settings.maxSteps}`);
  if (!(settings.maxStep > 0 && Number.isFinite(settings.maxStep))) throw new RangeError(`${label}: maxStep must be a positive number of Å, got ${settings.maxStep}`);
  if (!Number.isFinite(settings.pressure)) throw new RangeError(`${label}: pressure must be a finite number of eV/Å³, got ${settings.pressure}`);
  if (!(Number.isInteger(settings.memory) && settings.memory >= 1)) throw new RangeError(`${label}: memory must be a positive integer, got ${settings.memory}`);
  if (settings.optimizer === 'lbfgs' && settings.maxStep > 1.0) throw new RangeError(`${label}: L-BFGS maxStep must be at most 1 Å (as ASE), got ${settings.maxStep}`);
  return settings;
}

function createOptimizer(settings: RelaxSettings, structure: Structure, constraints: AtomConstraints, options: RelaxSamplerOptions): Optimizer {
  if (settings.optimizer === 'anc') {
    const free: boolean[] = new Array<boolean>(3 * structure.numbers.length).fill(true);
    for (const atom of constraints.fixed) free.fill(false, 3 * atom, 3 * atom + 3);
    for (const [atom, mask] of constraints.partial) mask.forEach((held, k) => { if (held) free[3 * atom + k] = false; });
    return new AncOptimizer(structure.numbers, { level: settings.level, free, ...(options.maxStep !== undefined ? { maxDisplacement: options.maxStep } : {}) });
  }
  return settings.optimizer === 'fire'
    ? new FireOptimizer({ maxStep: settings.maxStep })
    : new LbfgsOptimizer({ maxStep: settings.maxStep, memory: settings.memory });
}

function problemOf(error: Error, step: number, label: string): SamplerProblem {
  const atoms = error instanceof CalculationError ? error.atoms : [];
  const message = error.message.startsWith(label) ? error.message : `${label}: ${error.message}`;
  return { kind: 'calculator-error', step, atoms, message: `step ${step}: ${message}` };
}

function report(status: SamplerReport['status'], steps: number, calls: number, summary: string, problem?: SamplerProblem): SamplerReport {
  return { status, steps, calculatorCalls: calls, summary, ...(problem ? { problem } : {}) };
}

function generalisedOf(filter: FrechetCellFilter | undefined, positions: Float64Array): Float64Array {
  return filter ? filter.positions() : positions;
}

/**
 * Relaxes `structure` on `calculator`; yields one frame per calculator evaluation (step 0 = the input) and
 * returns the report. Positions Å, energies eV, forces eV/Å, stress and pressure eV/Å³.
 */
export async function* relax(structure: Structure, calculator: Calculator, options: RelaxSamplerOptions = {}): AsyncGenerator<SamplerFrame, SamplerReport> {
  const label = structureLabel(structure);
  const nAtoms = structure.numbers.length;
  const periodic = structure.cell !== undefined && structure.pbc.every(Boolean);
  const settings = relaxSettings(options, label, { periodic, nAtoms });
  if (settings.relaxCell && !periodic) throw new RangeError(`${label}: relaxCell needs a periodic structure with a cell along a, b and c`);
  if (settings.relaxCell && !calculator.description.stress) {
    throw new RangeError(`${label}: relaxCell needs the stress, which ${calculator.description.name} does not give`);
  }
  let constraints: ReturnType<typeof atomConstraints>;
  try {
    constraints = atomConstraints(structure, options.fixed);
  } catch (error) {
    throw new RangeError(`${label}: ${(error as Error).message}`);
  }
  const checks = createRelaxChecks(structure, calculator, options);
  const coverage = checks.coverage(0);
  if (coverage) return report('stopped', 0, 0, `stopped before the first calculation: ${coverage.message}`, coverage);

  const optimizer = createOptimizer(settings, structure, constraints, options);
  const filter = settings.relaxCell ? new FrechetCellFilter(structure.positions, structure.cell!, { pressure: settings.pressure }) : undefined;
  const originalCell = structure.cell ? Float64Array.from(structure.cell) : undefined;
  let positions: Float64Array = Float64Array.from(structure.positions);
  let cell: Float64Array | undefined = originalCell ? Float64Array.from(originalCell) : undefined;
  let calls = 0;
  const signal = options.signal;
  const cancelled = (step: number): SamplerReport =>
    report('cancelled', step, calls, `cancelled at step ${step} (${calls} calculator call${calls === 1 ? '' : 's'})`);

  for (let step = 0; ; step++) {
    if (signal?.aborted) return cancelled(Math.max(0, step - 1));
    const current: Structure = { ...structure, positions, ...(cell ? { cell } : {}) };
    let outcome: CalcResult | Error;
    try {
      calls += 1;
      const results = await calculator.calculate([current], { forces: true, stress: settings.relaxCell || periodic, ...(signal ? { signal } : {}) });
      outcome = results[0] ?? new CalculationError(`${label}: the calculator returned no result`);
    } catch (error) {
      if (signal?.aborted) return cancelled(Math.max(0, step - 1));
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    if (!(outcome instanceof Error)) outcome = checkFinite(outcome, label);
    if (!(outcome instanceof Error) && outcome.forces?.length !== 3 * nAtoms) {
      outcome = new CalculationError(`${label}: the calculator returned ${outcome.forces?.length ?? 'no'} force values for ${nAtoms} atoms`);
    }
    if (!(outcome instanceof Error) && filter && outcome.stress?.length !== 9) {
      outcome = new CalculationError(`${label}: the calculator returned no stress, which relaxCell needs`);
    }
    if (outcome instanceof Error) {
      if (signal?.aborted) return cancelled(Math.max(0, step - 1));
      const problem = problemOf(outcome, step, label);
      return report('stopped', Math.max(0, step - 1), calls, `stopped: ${problem.message}`, problem);
    }
    const result = outcome;
    const constrained = Float64Array.from(result.forces!);
    adjustForces(constraints, constrained, cell);
    const forces = filter ? filter.forces(constrained, result.stress!) : constrained;
    const fmax = largestRowNorm(forces);
    const frame: SamplerFrame = {
      step,
      positions,
      ...(cell ? { cell: Float64Array.from(cell) } : {}),
      energy: result.energy,
      forces: Float64Array.from(result.forces!),
      fmax,
      ...(result.stress ? { stress: Float64Array.from(result.stress) } : {}),
    };
    const problem = checks.frame(frame, step);
    yield frame;
    if (problem) return report('stopped', step, calls, `stopped: ${problem.message}`, problem);
    const steps = `${step} step${step === 1 ? '' : 's'}`;
    if (optimizer.convergence) {
      // xtb's test (energy change and gradient at the level), and fmax too when it was asked for.
      const test = optimizer.convergence(generalisedOf(filter, positions), forces, result.energy);
      const fmaxMet = options.fmax === undefined || fmax < settings.fmax;
      const detail = `${test.detail}, fmax ${fmax.toFixed(4)} eV/Å${options.fmax === undefined ? '' : ` (< ${settings.fmax})`}`;
      if (test.converged && fmaxMet) return report('converged', step, calls, `converged in ${steps} (${settings.optimizer} ${settings.level}): ${detail}`);
      if (step >= settings.maxSteps) return report('max-steps', step, calls, `not converged in ${steps} (${settings.optimizer} ${settings.level}): ${detail}`);
    } else {
      // ASE's converged(): (f²).sum(1).max() < fmax².
      if (fmax < settings.fmax) return report('converged', step, calls, `converged in ${steps}: fmax ${fmax.toFixed(3)} eV/Å < ${settings.fmax}`);
      if (step >= settings.maxSteps) return report('max-steps', step, calls, `not converged in ${steps}: fmax ${fmax.toFixed(3)} eV/Å ≥ ${settings.fmax}`);
    }
    if (signal?.aborted) return cancelled(step);

    const generalised = generalisedOf(filter, positions);
    const displacement = optimizer.step(generalised, forces, result.energy);
    // The atoms' part of the displacement; with a cell filter it is in the original cell's frame.
    adjustDisplacement(constraints, displacement.subarray(0, 3 * nAtoms), filter ? originalCell : cell);
    const next = new Float64Array(generalised.length);
    for (let k = 0; k < next.length; k++) next[k] = generalised[k]! + displacement[k]!;
    if (!next.every(Number.isFinite)) {
      const atoms: number[] = [];
      for (let i = 0; i < nAtoms; i++) if (![0, 1, 2].every((k) => Number.isFinite(next[3 * i + k]!))) atoms.push(i);
      const nonFinite: SamplerProblem = {
        kind: 'non-finite',
        step: step + 1,
        atoms,
        message: `step ${step + 1}: ${label}: the ${settings.optimizer} step gave non-finite ${atoms.length > 0 ? `positions of atoms ${atoms.map((a) => a + 1).join(', ')}` : 'cell'}`,
      };
      return report('stopped', step, calls, `stopped: ${nonFinite.message}`, nonFinite);
    }
    if (filter) {
      const geometry = filter.setPositions(next);
      positions = geometry.positions;
      cell = geometry.cell; // fixed atoms keep their fractional coordinates (ASE: FixAtoms after set_cell(scale_atoms))
    } else {
      positions = next;
    }
  }
}
