// Watchdogs (core/sampling/watchdogs.ts), directly and through molecular dynamics: each check stops the run with its
// kind, step and atoms, and the frames yielded before the problem are intact.
// Run: nice node --import tsx --test test/sampling/watchdogs.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CalcResult, Calculator } from '../../core/calc/calculator';
import { CalculationError, elementCoverageReason } from '../../core/calc/calculator';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { runMolecularDynamics } from '../../core/sampling/md/md';
import type { MdOptions } from '../../core/sampling/options';
import { coverageProblem, createWatchdog, temperatureSpikeLimitFactor } from '../../core/sampling/watchdogs';
import type { Structure } from '../../core/structure/structure';
import { createStructure } from '../../core/structure/structure';
import { ARGON, fccCrystal } from './md-systems';

async function collect(structure: Structure, calc: Calculator, options: MdOptions): Promise<{ frames: SamplerFrame[]; report: SamplerReport }> {
  const frames: SamplerFrame[] = [];
  const generator = runMolecularDynamics(structure, calc, options);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { frames, report: next.value };
    frames.push(next.value);
  }
}

/** A calculator of the given forces (eV/Å) and energy (eV) for any structure; `call` counts from 1. */
function scriptedCalculator(result: (structure: Structure, call: number) => CalcResult | Error, elements: readonly number[] | 'all' = 'all'): Calculator & { calls: number } {
  const calc = {
    calls: 0,
    description: { id: 'scripted', name: 'scripted calculator', method: 'analytic', elements, charge: false, spin: false, periodic: true, stress: false },
    unsupportedReason: (structure: Structure) => elementCoverageReason(structure, elements),
    calculate: (structures: readonly Structure[]) => Promise.resolve(structures.map((s) => result(s, ++calc.calls))),
  };
  return calc;
}
const freeFlight = () => scriptedCalculator((s) => ({ energy: 0, forces: new Float64Array(s.positions.length) }));

function assertFramesIntact(frames: readonly SamplerFrame[], lastStep: number): void {
  assert.deepEqual(frames.map((f) => f.step), Array.from({ length: lastStep + 1 }, (_, i) => i));
  for (const frame of frames) {
    assert.ok(Number.isFinite(frame.energy) && frame.positions.every(Number.isFinite) && frame.forces.every(Number.isFinite) && frame.velocities!.every(Number.isFinite));
  }
}

const argonTrimer = createStructure({ name: 'Ar3', numbers: [18, 18, 18], positions: [0, 0, 0, 4, 0, 0, 7, 0, 0] });

test('a calculator returning NaN stops MD with a non-finite problem at that step', async () => {
  const calc = scriptedCalculator((s, call) => {
    if (call === 8) return { energy: NaN, forces: new Float64Array(s.positions.length) };
    return { energy: 0, forces: new Float64Array(s.positions.length).fill(call === 9 ? NaN : 0) };
  });
  const { frames, report } = await collect(argonTrimer, calc, { thermostat: 'none', timestep: 1, steps: 50, every: 1, temperature: 50 });
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'non-finite');
  assert.equal(report.problem?.step, 7); // call 1 is step 0
  assert.match(report.problem!.message, /^step 7: the energy is NaN/);
  assertFramesIntact(frames, 6);
});

test('non-finite forces name the atoms', async () => {
  const calc = scriptedCalculator((s, call) => {
    const forces = new Float64Array(s.positions.length);
    if (call === 4) forces[4] = Infinity;
    return { energy: 0, forces };
  });
  const { frames, report } = await collect(argonTrimer, calc, { thermostat: 'none', timestep: 1, steps: 50, every: 1 });
  assert.equal(report.problem?.kind, 'non-finite');
  assert.equal(report.problem?.step, 3);
  assert.deepEqual(report.problem?.atoms, [1]);
  assert.match(report.problem!.message, /atom 2 \(Ar\)/);
  assertFramesIntact(frames, 2);
});

test('a calculator error stops MD with the error\'s atoms', async () => {
  const calc = scriptedCalculator((s, call) => (call === 6 ? new CalculationError('SCF did not converge near atom 3', [2]) : { energy: 0, forces: new Float64Array(s.positions.length) }));
  const { frames, report } = await collect(argonTrimer, calc, { thermostat: 'langevin', timestep: 1, steps: 50, every: 1 });
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'calculator-error');
  assert.equal(report.problem?.step, 5);
  assert.deepEqual(report.problem?.atoms, [2]);
  assertFramesIntact(frames, 4);
});

test('two atoms pushed together stop MD with a close contact naming both', async () => {
  // atoms 2 and 3 (3 Å apart) fly at each other at 0.1 Å/fs relative speed without forces: 3 − 0.1 t < 0.5 first at t = 26 fs
  const velocities = Float64Array.of(0, 0, 0, 0.05, 0, 0, -0.05, 0, 0);
  const { frames, report } = await collect(argonTrimer, freeFlight(), { thermostat: 'none', timestep: 1, steps: 100, every: 1, velocities });
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'close-contact');
  assert.equal(report.problem?.step, 26);
  assert.deepEqual(report.problem?.atoms, [1, 2]);
  assert.equal(report.problem?.message, 'step 26: atoms 2 (Ar) and 3 (Ar) are 0.40 Å apart (limit 0.5 Å)');
  assertFramesIntact(frames, 25);
});

test('a hydrogen pulled away from its carbon stops MD', async () => {
  const methane = createStructure({
    name: 'methane',
    numbers: [6, 1, 1, 1, 1],
    positions: [0, 0, 0, 0.629, 0.629, 0.629, -0.629, -0.629, 0.629, -0.629, 0.629, -0.629, 0.629, -0.629, -0.629],
  });
  // H 3 moves away along its bond at 0.05 Å/fs: |r| = 1.0895 + 0.05 t > 2.5 first at t = 29 fs
  const u = 0.05 / Math.sqrt(3);
  const velocities = Float64Array.of(0, 0, 0, 0, 0, 0, -u, -u, u, 0, 0, 0, 0, 0, 0);
  const { frames, report } = await collect(methane, freeFlight(), { thermostat: 'none', timestep: 1, steps: 100, every: 1, velocities });
  assert.equal(report.problem?.kind, 'hydrogen-detached');
  assert.equal(report.problem?.step, 29);
  assert.deepEqual(report.problem?.atoms, [2, 0]);
  assert.match(report.problem!.message, /^step 29: hydrogen 3 \(H\) is 2\.54 Å from atom 1 \(C\)/);
  assertFramesIntact(frames, 28);
});

test('huge forces make a temperature spike, reported from step 10 on', async () => {
  // ±10 eV/Å on alternate atoms heats argon to thousands of K within a few fs (above 5 × 100 K before step 10)
  const calc = scriptedCalculator((s) => ({ energy: 0, forces: Float64Array.from({ length: s.positions.length }, (_, k) => (k % 3 === 0 ? (Math.floor(k / 3) % 2 ? 10 : -10) : 0)) }));
  const crystal = fccCrystal(18, 5.4, 2);
  const { frames, report } = await collect(crystal, calc, { thermostat: 'langevin', temperature: 100, timestep: 1, steps: 100, every: 1 });
  assert.equal(report.problem?.kind, 'temperature-spike');
  assert.equal(report.problem?.step, 10);
  assert.ok(frames.at(-1)!.temperature! > 500, 'the temperature was already above the limit before step 10');
  assert.match(report.problem!.message, /^step 10: the temperature is \d+\.\d K, above 5 × 100\.0 K/);
  assertFramesIntact(frames, 9);
});

test('few degrees of freedom raise the spike factor to the χ² tail, and from 21 on the 5 × limit holds', () => {
  assert.ok(Math.abs(temperatureSpikeLimitFactor(5, 3) - 19.64) < 0.01, `${temperatureSpikeLimitFactor(5, 3)}`);
  assert.equal(temperatureSpikeLimitFactor(5, 21), 5);
  assert.equal(temperatureSpikeLimitFactor(5, undefined), 5);
  const dimer = createStructure({ numbers: [18, 18], positions: [0, 0, 0, 4, 0, 0] });
  const frame = (temperature: number): SamplerFrame => ({ step: 20, positions: Float64Array.of(0, 0, 0, 4, 0, 0), energy: 0, forces: new Float64Array(6), fmax: 0, temperature });
  const watchdog = createWatchdog(dimer, { mode: 'md', targetTemperature: 300, degreesOfFreedom: 3 });
  assert.equal(watchdog.check(frame(1536), 20), undefined, 'a dimer at 5.1 × 300 K is a canonical fluctuation');
  assert.match(watchdog.check(frame(6000), 21)?.message ?? '', /above 19\.6 \(5, raised for 3 degrees of freedom\) × 300\.0 K/);
});

test('a thermostatted Lennard-Jones dimer runs 40 000 steps at 300 K without a false temperature spike', async () => {
  // k = 3: T_inst > 5 T once in about 550 steps, which stopped such runs before the factor followed k
  const dimer = createStructure({ name: 'Ar2', numbers: [18, 18], positions: [0, 0, 0, 1.12, 0, 0] });
  const calc = createLennardJonesCalculator({ epsilon: 1, sigma: 1, rc: 3 });
  const { report } = await collect(dimer, calc, { thermostat: 'langevin', temperature: 300, timestep: 1, steps: 40_000, every: 1000, seed: 3 });
  assert.equal(report.problem, undefined, report.problem?.message);
});

test('NVE with a too-large timestep stops at the first step whose energy drift passes the limit', async () => {
  const crystal = fccCrystal(18, 5.4, 2);
  const calc = createLennardJonesCalculator({ ...ARGON, rc: 8.5, smooth: true });
  const options: MdOptions = { thermostat: 'none', temperature: 100, timestep: 80, steps: 150, every: 1, seed: 2 };
  const unwatched = await collect(crystal, calc, { ...options, watchdogs: { maxEnergyDriftPerAtom: false, temperatureSpikeFactor: false, minDistance: false } });
  const e0 = unwatched.frames[0]!.total!;
  const expected = unwatched.frames.findIndex((f) => Math.abs(f.total! - e0) / 32 > 0.002);
  assert.ok(expected > 0, 'an 80 fs step drifts by more than 2 meV/atom');
  const { frames, report } = await collect(crystal, calc, { ...options, watchdogs: { maxEnergyDriftPerAtom: 0.002 } });
  assert.equal(report.problem?.kind, 'energy-drift');
  assert.equal(report.problem?.step, expected);
  assert.deepEqual(report.problem?.atoms, []);
  assert.match(report.problem!.message, new RegExp(`^step ${expected}: the total energy drifted by`));
  assertFramesIntact(frames, expected - 1);
  // the same run with a sound timestep passes
  const sound = await collect(crystal, calc, { ...options, timestep: 5, watchdogs: { maxEnergyDriftPerAtom: 0.002 } });
  assert.equal(sound.report.status, 'done');
});

test('an element the calculator does not cover stops MD before the first step, naming those atoms', async () => {
  const mixture = createStructure({ name: 'ArKr', numbers: [18, 36, 18, 36], positions: [0, 0, 0, 4, 0, 0, 8, 0, 0, 12, 0, 0] });
  const calc = scriptedCalculator((s) => ({ energy: 0, forces: new Float64Array(s.positions.length) }), [18]);
  const { frames, report } = await collect(mixture, calc, { steps: 10 });
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'uncovered-element');
  assert.equal(report.problem?.step, 0);
  assert.deepEqual(report.problem?.atoms, [1, 3]);
  assert.match(report.problem!.message, /atoms 2 \(Kr\), 4 \(Kr\)/);
  assert.equal(frames.length, 0);
  assert.equal(report.calculatorCalls, 0);
  assert.equal(calc.calls, 0);
  assert.equal(coverageProblem(createStructure({ numbers: [18], positions: [0, 0, 0] }), calc), undefined);
});

test('close contacts are found across periodic boundaries', () => {
  const cell = [10, 0, 0, 0, 10, 0, 0, 0, 10];
  const structure = createStructure({ numbers: [18, 18, 18], positions: [0.1, 5, 5, 5, 5, 5, 9.8, 5, 5], cell });
  const watchdog = createWatchdog(structure, { mode: 'relax' });
  const frame = (positions: number[]): SamplerFrame => ({ step: 3, positions: Float64Array.from(positions), energy: 0, forces: new Float64Array(9), fmax: 0 });
  const problem = watchdog.check(frame([0.1, 5, 5, 5, 5, 5, 9.8, 5, 5]), 3);
  assert.equal(problem?.kind, 'close-contact');
  assert.deepEqual(problem?.atoms, [0, 2]);
  assert.equal(problem?.message, 'step 3: atoms 1 (Ar) and 3 (Ar) are 0.30 Å apart (limit 0.5 Å)');
  assert.equal(watchdog.check(frame([0.1, 5, 5, 5, 5, 5, 9.0, 5, 5]), 4), undefined);
  assert.equal(createWatchdog(structure, { mode: 'relax', minDistance: false }).check(frame([0.1, 5, 5, 5, 5, 5, 9.8, 5, 5]), 3), undefined);
});

test('a hydrogen across a periodic boundary from its partner is not detached', () => {
  const structure = createStructure({ numbers: [8, 1], positions: [0.2, 5, 5, 9.4, 5, 5], cell: [10, 0, 0, 0, 10, 0, 0, 0, 10] });
  const watchdog = createWatchdog(structure, { mode: 'relax' });
  const frame = (x: number): SamplerFrame => ({ step: 1, positions: Float64Array.of(0.2, 5, 5, x, 5, 5), energy: 0, forces: new Float64Array(6), fmax: 0 });
  assert.equal(watchdog.check(frame(9.3), 1), undefined);
  assert.equal(watchdog.check(frame(7.6), 2)?.kind, 'hydrogen-detached');
});

test('relaxation mode does not check temperature or energy drift', () => {
  const structure = createStructure({ numbers: [18, 18], positions: [0, 0, 0, 4, 0, 0] });
  const frame = (step: number, temperature: number, total: number): SamplerFrame => ({ step, positions: Float64Array.of(0, 0, 0, 4, 0, 0), energy: 0, forces: new Float64Array(6), fmax: 0, temperature, total });
  const relax = createWatchdog(structure, { mode: 'relax' });
  const md = createWatchdog(structure, { mode: 'md', nve: true, targetTemperature: 100 });
  assert.equal(relax.check(frame(0, 100, 0), 0), undefined);
  assert.equal(relax.check(frame(20, 1e5, 10), 20), undefined);
  assert.equal(md.check(frame(0, 100, 0), 0), undefined);
  assert.equal(md.check(frame(20, 1e5, 0), 20)?.kind, 'temperature-spike');
  assert.equal(md.check(frame(21, 100, 10), 21)?.kind, 'energy-drift');
});
