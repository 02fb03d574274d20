/**
 * Molecular dynamics over any Calculator (core/calc): NVE velocity Verlet, Langevin (as ASE 3.22.1), CSVR
 * (Bussi–Donadio–Parrinello 2007) or a Nosé–Hoover chain (Martyna–Tuckerman–Tobias–Klein 1996); see integrators.ts.
 *
 * Initial velocities: the caller's `velocities` as given (fixed atoms zeroed), else Maxwell–Boltzmann at
 * `initialTemperature ?? temperature` drawn from `seed`, with the centre-of-mass velocity removed and no rescaling
 * (ASE's MaxwellBoltzmannDistribution(force_temp=False) + Stationary). Degrees of freedom of the temperature:
 * 3N − 3 without fixed atoms (the centre of mass is kept at rest), 3 N_free with fixed atoms (then the centre of
 * mass is not constrained). Masses: `elementOf(z).mass`, u.
 *
 * Frames: step 0, every `every` steps and the last step, each with E_pot, E_kin, total (E_pot + E_kin, plus the
 * thermostat energy for Nosé–Hoover, the conserved quantity), temperature, time, velocities (Å/fs) and, for
 * periodic cells with a stress-giving calculator, stress and pressure P = −tr σ / 3 + 2 E_kin / (3V) (ASE's
 * get_stress(include_ideal_gas=True)). Positions of periodic structures are wrapped into the cell in the yielded
 * copy (`wrap`, default true); the integrator keeps continuous positions. Watchdogs run on every step.
 *
 * Report: 'done', 'stopped' (a watchdog or a calculator error; the problem names step and atoms) or 'cancelled'.
 * Units: Å, fs, eV, u, K, eV/Å³.
 */
import type { Calculator, CalcResult } from '../../calc/calculator';
import { CalculationError, maxForce, structureLabel } from '../../calc/calculator';
import { cellVolume, wrapPositions } from '../../structure/cell';
import { elementOf } from '../../structure/elements';
import type { Structure } from '../../structure/structure';
import type { SamplerFrame, SamplerProblem, SamplerReport } from '../frames';
import type { MdOptions } from '../options';
import { coverageProblem, createWatchdog } from '../watchdogs';
import type { Integrator, MdState } from './integrators';
import { createCsvr, createLangevin, createNoseHooverChain, createVelocityVerlet } from './integrators';
import { createMdRandom, maxwellBoltzmannVelocities } from './random';
import { ACCELERATION_FACTOR, kineticEnergy, kineticTemperature } from './units';

export const MD_DEFAULTS = {
  thermostat: 'langevin',
  temperature: 300,
  timestep: 0.5,
  every: 10,
  seed: 1,
  friction: 0.01,
  tau: 100,
  chainLength: 3,
  wrap: true,
} as const;

function optionError(structure: Structure, message: string): Error {
  return new RangeError(`molecular dynamics of ${structureLabel(structure)}: ${message}`);
}

function checkOptions(structure: Structure, options: MdOptions): void {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) throw optionError(structure, `${name} must be a positive number, got ${value}`);
  };
  positive('timestep (fs)', options.timestep);
  positive('tau (fs)', options.tau);
  if (!(Number.isInteger(options.steps) && options.steps >= 0)) throw optionError(structure, `steps must be a non-negative integer, got ${options.steps}`);
  if (options.every !== undefined && !(Number.isInteger(options.every) && options.every >= 1)) throw optionError(structure, `every must be a positive integer, got ${options.every}`);
  for (const [name, value] of [['temperature (K)', options.temperature], ['initialTemperature (K)', options.initialTemperature], ['friction (1/fs)', options.friction]] as const) {
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw optionError(structure, `${name} must be a non-negative number, got ${value}`);
  }
  if (options.chainLength !== undefined && !(Number.isInteger(options.chainLength) && options.chainLength >= 1)) throw optionError(structure, `chainLength must be a positive integer, got ${options.chainLength}`);
  const n = structure.numbers.length;
  if (options.velocities && options.velocities.length !== 3 * n) throw optionError(structure, `velocities has ${options.velocities.length} values, expected ${3 * n}`);
  for (const atom of options.fixed ?? []) {
    if (!(Number.isInteger(atom) && atom >= 0 && atom < n)) throw optionError(structure, `fixed atom ${atom + 1} does not exist (the structure has ${n} atoms)`);
  }
}

/** Runs MD; yields frames and returns the report. Throws RangeError only for invalid options. */
export async function* runMolecularDynamics(structure: Structure, calculator: Calculator, options: MdOptions): AsyncGenerator<SamplerFrame, SamplerReport> {
  checkOptions(structure, options);
  const thermostat = options.thermostat ?? MD_DEFAULTS.thermostat;
  const temperature = options.temperature ?? MD_DEFAULTS.temperature;
  const dt = options.timestep ?? MD_DEFAULTS.timestep;
  const every = options.every ?? MD_DEFAULTS.every;
  const wrap = options.wrap ?? MD_DEFAULTS.wrap;
  const signal = options.signal;
  const n = structure.numbers.length;
  const fixed = options.fixed ?? new Set<number>();
  const periodic = structure.cell !== undefined && structure.pbc.some((p) => p);
  const fullyPeriodic = structure.cell !== undefined && structure.pbc.every((p) => p);
  const wantStress = fullyPeriodic && calculator.description.stress;
  const volume = fullyPeriodic ? Math.abs(cellVolume(structure.cell!)) : 0;

  let calls = 0;
  const report = (status: SamplerReport['status'], steps: number, summary: string, problem?: SamplerProblem): SamplerReport => ({
    status,
    steps,
    calculatorCalls: calls,
    ...(problem ? { problem } : {}),
    summary,
  });
  const stopped = (problem: SamplerProblem, steps: number) => report('stopped', steps, `stopped: ${problem.message}`, problem);

  const uncovered = coverageProblem(structure, calculator, 0);
  if (uncovered) return stopped(uncovered, 0);

  const masses = new Float64Array(n);
  const free = new Uint8Array(n);
  const accelerationScale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    masses[i] = elementOf(structure.numbers[i]!).mass;
    free[i] = fixed.has(i) ? 0 : 1;
    if (!(masses[i]! > 0)) throw optionError(structure, `atom ${i + 1} has no mass (atomic number ${structure.numbers[i]})`);
    accelerationScale[i] = free[i] ? ACCELERATION_FACTOR / masses[i]! : 0;
  }
  const nFree = free.reduce((s, f) => s + f, 0);
  const removeCentreOfMass = fixed.size === 0;
  const degreesOfFreedom = Math.max(0, 3 * nFree - (removeCentreOfMass ? 3 : 0));
  const random = createMdRandom(options.seed ?? MD_DEFAULTS.seed);
  let velocities: Float64Array;
  if (options.velocities) {
    velocities = Float64Array.from(options.velocities);
    for (let i = 0; i < n; i++) if (!free[i]) velocities.fill(0, 3 * i, 3 * i + 3);
  } else {
    velocities = maxwellBoltzmannVelocities(masses, free, options.initialTemperature ?? temperature, random, removeCentreOfMass);
  }
  const state: MdState = { positions: Float64Array.from(structure.positions), velocities, forces: new Float64Array(3 * n), masses, accelerationScale, degreesOfFreedom, removeCentreOfMass };

  const tau = options.tau ?? MD_DEFAULTS.tau;
  let integrator: Integrator;
  if (thermostat === 'none') integrator = createVelocityVerlet(dt);
  else if (thermostat === 'langevin') integrator = createLangevin(dt, temperature, options.friction ?? MD_DEFAULTS.friction, random, masses, free);
  else if (thermostat === 'csvr') integrator = createCsvr(dt, temperature, tau, random);
  else integrator = createNoseHooverChain(dt, temperature, tau, options.chainLength ?? MD_DEFAULTS.chainLength, degreesOfFreedom);

  const watchdog = createWatchdog(structure, {
    ...options.watchdogs,
    mode: 'md',
    ...(thermostat !== 'none' ? { targetTemperature: temperature } : {}),
    nve: thermostat === 'none',
    degreesOfFreedom,
  });

  /** Evaluates energy and forces at the current positions: the result, or the problem that ends the run. */
  async function evaluate(step: number): Promise<CalcResult | SamplerProblem | 'cancelled'> {
    calls++;
    let result: CalcResult | Error;
    try {
      const at: Structure = { ...structure, positions: Float64Array.from(state.positions) };
      const results = await calculator.calculate([at], { forces: true, stress: wantStress, ...(signal ? { signal } : {}) });
      result = results[0] ?? new Error('the calculator returned no result');
    } catch (error) {
      if (signal?.aborted) return 'cancelled';
      result = error instanceof Error ? error : new Error(String(error));
    }
    if (result instanceof Error) {
      if (signal?.aborted) return 'cancelled';
      const atoms = result instanceof CalculationError ? result.atoms : [];
      return { kind: 'calculator-error', step, atoms, message: `step ${step}: ${calculator.description.name} failed: ${result.message}` };
    }
    if (!result.forces || result.forces.length !== 3 * n) {
      return { kind: 'calculator-error', step, atoms: [], message: `step ${step}: ${calculator.description.name} returned no forces for the ${n} atoms` };
    }
    return result;
  }

  /** The state at `step` as a frame; `copy` for yielded frames (the live arrays are the integrator's). */
  function frameAt(step: number, result: CalcResult, copy: boolean): SamplerFrame {
    const kinetic = kineticEnergy(state.velocities, masses);
    const positions = copy ? (periodic && wrap ? wrapPositions(state.positions, structure.cell!, structure.pbc) : Float64Array.from(state.positions)) : state.positions;
    let pressure: number | undefined;
    if (result.stress && volume > 0) pressure = -(result.stress[0]! + result.stress[4]! + result.stress[8]!) / 3 + (2 * kinetic) / (3 * volume);
    return {
      step,
      positions,
      ...(structure.cell ? { cell: Float64Array.from(structure.cell) } : {}),
      energy: result.energy,
      forces: copy ? Float64Array.from(state.forces) : state.forces,
      fmax: maxForce(state.forces, fixed),
      ...(result.stress ? { stress: Float64Array.from(result.stress) } : {}),
      time: step * dt,
      velocities: copy ? Float64Array.from(state.velocities) : state.velocities,
      kinetic,
      total: result.energy + kinetic + integrator.thermostatEnergy(),
      temperature: kineticTemperature(kinetic, degreesOfFreedom),
      ...(pressure !== undefined ? { pressure } : {}),
    };
  }

  for (let step = 0; step <= options.steps; step++) {
    if (signal?.aborted) return report('cancelled', Math.max(0, step - 1), `cancelled at step ${step}`);
    if (step > 0) integrator.beforeForces(state);
    const result = await evaluate(step);
    if (result === 'cancelled') return report('cancelled', Math.max(0, step - 1), `cancelled at step ${step}`);
    if ('kind' in result) return stopped(result, step);
    state.forces = Float64Array.from(result.forces!); // fixed atoms keep their forces in frames; accelerationScale is 0 for them
    if (step > 0) integrator.afterForces(state);
    const problem = watchdog.check(frameAt(step, result, false), step);
    if (problem) return stopped(problem, step);
    if (step % every === 0 || step === options.steps) yield frameAt(step, result, true);
  }
  return report('done', options.steps, `${options.steps} steps of ${thermostat === 'none' ? 'NVE' : thermostat} MD (${(options.steps * dt).toFixed(1)} fs)`);
}
