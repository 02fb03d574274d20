// Molecular dynamics (core/sampling/md) on an argon-like Lennard-Jones crystal: NVE energy conservation, the
// thermostats' temperature and Maxwell–Boltzmann speeds, agreement with ASE 3.22.1 (test/fixtures/sampling/md-ase.json,
// made by make-md-fixture.py), seeds, fixed atoms, cancellation.
// Run: nice node --import tsx --test test/sampling/md.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Calculator } from '../../core/calc/calculator';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { runMolecularDynamics } from '../../core/sampling/md/md';
import type { MdOptions } from '../../core/sampling/options';
import { batchMeans, variance, kolmogorovSmirnovPValue, kolmogorovSmirnovStatistic, maxwellBoltzmannSpeedCdf } from '../../core/sampling/statistics';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import { elementOf } from '../../core/structure/elements';
import type { Structure } from '../../core/structure/structure';
import { ARGON, fccCrystal } from './md-systems';

interface AseFixture {
  system: { a: number; repeat: number; rc: number; masses: number[]; timestep: number };
  verlet: { steps: number; velocities0: number[]; potential: number[]; kinetic: number[]; positions: number[]; velocities: number[]; pressure: number };
  langevin: { temperature: number; friction: number; equilibration: number; steps: number; meanTemperature: number; temperatureSE: number; meanPotential: number; potentialSE: number };
}
const ase = JSON.parse(readFileSync(new URL('../fixtures/sampling/md-ase.json', import.meta.url), 'utf8')) as AseFixture;

/** The fixture's crystal: fcc Ar, a = 5.4 Å, 108 atoms; LJ ε = 0.0104 eV, σ = 3.4 Å, rc = 8.5 Å, smooth. */
const crystal = fccCrystal(18, ase.system.a, ase.system.repeat);
/** The project's LJ (core/calc/analytic, equal to ASE's, with its Verlet list), for every run here. */
const calculator = createLennardJonesCalculator({ ...ARGON, rc: ase.system.rc, smooth: true });

async function collect(structure: Structure, calc: Calculator, options: MdOptions): Promise<{ frames: SamplerFrame[]; report: SamplerReport }> {
  const frames: SamplerFrame[] = [];
  const generator = runMolecularDynamics(structure, calc, options);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { frames, report: next.value };
    frames.push(next.value);
  }
}

test('the crystal uses ASE\'s argon mass', () => {
  assert.equal(elementOf(18).mass, ase.system.masses[0]);
});

test('velocity Verlet reproduces ASE\'s VelocityVerlet step for step (100 steps of 5 fs), and its pressure', async (t) => {
  const { frames, report } = await collect(crystal, calculator, {
    thermostat: 'none', timestep: ase.system.timestep, steps: ase.verlet.steps, every: 1, wrap: false, velocities: Float64Array.from(ase.verlet.velocities0),
  });
  assert.equal(report.status, 'done');
  assert.equal(frames.length, ase.verlet.steps + 1);
  let worstEnergy = 0;
  for (const frame of frames) {
    worstEnergy = Math.max(worstEnergy, Math.abs(frame.energy - ase.verlet.potential[frame.step]!), Math.abs(frame.kinetic! - ase.verlet.kinetic[frame.step]!));
  }
  const last = frames.at(-1)!;
  let worstPosition = 0, worstVelocity = 0;
  for (let k = 0; k < last.positions.length; k++) {
    worstPosition = Math.max(worstPosition, Math.abs(last.positions[k]! - ase.verlet.positions[k]!));
    worstVelocity = Math.max(worstVelocity, Math.abs(last.velocities![k]! - ase.verlet.velocities[k]!));
  }
  t.diagnostic(`largest difference from ASE: energy ${worstEnergy.toExponential(2)} eV, position ${worstPosition.toExponential(2)} Å, velocity ${worstVelocity.toExponential(2)} Å/fs`);
  assert.ok(worstEnergy < 1e-9, `energies differ from ASE by ${worstEnergy} eV`);
  assert.ok(worstPosition < 1e-9, `positions differ from ASE by ${worstPosition} Å`);
  assert.ok(worstVelocity < 1e-11, `velocities differ from ASE by ${worstVelocity} Å/fs`);
  // pressure with the kinetic part, as ASE's −tr get_stress(include_ideal_gas=True) / 3 (eV/Å³)
  assert.ok(Math.abs(last.pressure! - ase.verlet.pressure) < 1e-9 * Math.abs(ase.verlet.pressure), `pressure ${last.pressure} vs ASE ${ase.verlet.pressure} eV/Å³`);
});

test('NVE conserves the total energy to below 1 meV/atom over 10 ps (2000 steps of 5 fs, argon with velocities drawn at 100 K)', async (t) => {
  const { frames, report } = await collect(crystal, calculator, { thermostat: 'none', temperature: 100, timestep: 5, steps: 2000, every: 10, seed: 3 });
  assert.equal(report.status, 'done');
  const n = crystal.numbers.length;
  const drift = Math.max(...frames.map((f) => Math.abs(f.total! - frames[0]!.total!))) / n;
  const meanTemperature = frames.reduce((s, f) => s + f.temperature!, 0) / frames.length;
  t.diagnostic(`largest |E_tot − E_tot(0)| over 10 ps: ${(drift * 1000).toFixed(4)} meV/atom (mean T ${meanTemperature.toFixed(1)} K)`);
  assert.ok(drift < 1e-3, `drift ${drift * 1000} meV/atom`);
  // the run is not trivially conserved: kinetic and potential energy exchange
  const kinetic = frames.map((f) => f.kinetic!);
  assert.ok(Math.max(...kinetic) - Math.min(...kinetic) > 50 * drift * n);
});

const TARGET = 100; // K
/** 9000 steps of 5 fs (45 ps) at 100 K; the first 400 steps equilibrate. */
const THERMOSTAT_STEPS = 9000;
const EQUILIBRATION = 400;
const thermostatRuns = new Map<string, Promise<{ frames: SamplerFrame[]; report: SamplerReport }>>();
function thermostatRun(thermostat: 'langevin' | 'csvr' | 'nose-hoover') {
  if (!thermostatRuns.has(thermostat)) {
    thermostatRuns.set(thermostat, collect(crystal, calculator, {
      thermostat, temperature: TARGET, timestep: 5, steps: THERMOSTAT_STEPS, every: 1, friction: ase.langevin.friction, tau: 50, seed: 5,
    }));
  }
  return thermostatRuns.get(thermostat)!;
}

for (const thermostat of ['langevin', 'csvr', 'nose-hoover'] as const) {
  test(`${thermostat} holds the mean temperature within 1 % of 100 K and samples Maxwell–Boltzmann speeds`, async (t) => {
    const { frames, report } = await thermostatRun(thermostat);
    assert.equal(report.status, 'done');
    const production = frames.filter((f) => f.step >= EQUILIBRATION);
    const temperatures = production.map((f) => f.temperature!);
    const temperature = batchMeans(temperatures);
    // canonical kinetic-energy fluctuations: std(T)/⟨T⟩ = √(2/N_f), N_f = 3·108 − 3 (a Berendsen-like thermostat fails this)
    const relativeSpread = Math.sqrt(variance(temperatures)) / temperature.mean;
    const canonicalSpread = Math.sqrt(2 / (3 * crystal.numbers.length - 3));
    // speeds every 50 steps (250 fs) so that samples of one atom are nearly independent
    const speeds: number[] = [];
    for (const frame of production) {
      if (frame.step % 50 !== 0) continue;
      const v = frame.velocities!;
      for (let i = 0; i < v.length; i += 3) speeds.push(Math.hypot(v[i]!, v[i + 1]!, v[i + 2]!));
    }
    const d = kolmogorovSmirnovStatistic(speeds, maxwellBoltzmannSpeedCdf(elementOf(18).mass, TARGET));
    const p = kolmogorovSmirnovPValue(d, speeds.length);
    t.diagnostic(`${thermostat}: mean T = ${temperature.mean.toFixed(2)} ± ${temperature.standardError.toFixed(2)} K (batch means); std(T)/T = ${relativeSpread.toFixed(4)} (canonical ${canonicalSpread.toFixed(4)}); KS D = ${d.toFixed(4)}, p = ${p.toFixed(3)} over ${speeds.length} speeds`);
    assert.ok(Math.abs(relativeSpread / canonicalSpread - 1) < 0.1, `temperature fluctuations ${relativeSpread} are not canonical (${canonicalSpread})`);
    assert.ok(temperature.standardError < 0.004 * TARGET, `standard error ${temperature.standardError} K is too large to test 1 %`);
    assert.ok(Math.abs(temperature.mean - TARGET) < 0.01 * TARGET, `mean temperature ${temperature.mean} K`);
    assert.ok(p > 0.01, `speeds are not Maxwell–Boltzmann at ${TARGET} K: KS D = ${d}, p = ${p}`);
    // and they are not Maxwell–Boltzmann at a 5 % different temperature (the test has the power to tell)
    const wrong = kolmogorovSmirnovPValue(kolmogorovSmirnovStatistic(speeds, maxwellBoltzmannSpeedCdf(elementOf(18).mass, 1.05 * TARGET)), speeds.length);
    assert.ok(wrong < 1e-3, `KS cannot tell 100 K from 105 K (p = ${wrong})`);
  });
}

test('Nosé–Hoover chain conserves its extended energy (total) to 1 meV/atom', async (t) => {
  const { frames } = await thermostatRun('nose-hoover');
  const n = crystal.numbers.length;
  const drift = Math.max(...frames.map((f) => Math.abs(f.total! - frames[0]!.total!))) / n;
  t.diagnostic(`largest |H_NHC − H_NHC(0)| over ${THERMOSTAT_STEPS * 5 / 1000} ps: ${(drift * 1000).toFixed(4)} meV/atom`);
  assert.ok(drift < 1e-3, `extended energy drift ${drift * 1000} meV/atom`);
});

test('Langevin matches ASE\'s Langevin: mean temperature and potential energy within the combined statistical error', async (t) => {
  const { frames } = await thermostatRun('langevin');
  const production = frames.filter((f) => f.step >= EQUILIBRATION);
  const temperature = batchMeans(production.map((f) => f.temperature!));
  const potential = batchMeans(production.map((f) => f.energy));
  const ref = ase.langevin;
  const tCombined = Math.hypot(temperature.standardError, ref.temperatureSE);
  const eCombined = Math.hypot(potential.standardError, ref.potentialSE);
  t.diagnostic(`T: ours ${temperature.mean.toFixed(3)} ± ${temperature.standardError.toFixed(3)} K, ASE ${ref.meanTemperature.toFixed(3)} ± ${ref.temperatureSE.toFixed(3)} K`);
  t.diagnostic(`E_pot: ours ${potential.mean.toFixed(5)} ± ${potential.standardError.toFixed(5)} eV, ASE ${ref.meanPotential.toFixed(5)} ± ${ref.potentialSE.toFixed(5)} eV`);
  assert.ok(Math.abs(temperature.mean - ref.meanTemperature) < 3 * tCombined, `T differs from ASE by ${(temperature.mean - ref.meanTemperature).toFixed(3)} K (combined SE ${tCombined.toFixed(3)})`);
  assert.ok(Math.abs(potential.mean - ref.meanPotential) < 3 * eCombined, `E_pot differs from ASE by ${potential.mean - ref.meanPotential} eV (combined SE ${eCombined})`);
});

test('the same seed gives the same trajectory, a different seed a different one', async () => {
  const options: MdOptions = { thermostat: 'langevin', temperature: 100, timestep: 5, steps: 40, every: 40, seed: 21 };
  const a = (await collect(crystal, calculator, options)).frames.at(-1)!;
  const b = (await collect(crystal, calculator, options)).frames.at(-1)!;
  const c = (await collect(crystal, calculator, { ...options, seed: 22 })).frames.at(-1)!;
  assert.deepEqual(Array.from(a.positions), Array.from(b.positions));
  assert.deepEqual(Array.from(a.velocities!), Array.from(b.velocities!));
  assert.notDeepEqual(Array.from(a.positions), Array.from(c.positions));
});

test('initial velocities are Maxwell–Boltzmann at the temperature, without centre-of-mass motion', async () => {
  const { frames } = await collect(crystal, calculator, { thermostat: 'none', temperature: 300, timestep: 5, steps: 0, seed: 9 });
  const v = frames[0]!.velocities!;
  const momentum = [0, 0, 0];
  for (let i = 0; i < v.length; i++) momentum[i % 3]! += v[i]!;
  for (const p of momentum) assert.ok(Math.abs(p) < 1e-12);
  // 321 degrees of freedom: the initial temperature is within 4 standard deviations √(2/321) of 300 K
  assert.ok(Math.abs(frames[0]!.temperature! - 300) < 4 * Math.sqrt(2 / 321) * 300, `initial T ${frames[0]!.temperature}`);
  assert.ok(Math.abs(frames[0]!.temperature! - 300) > 1e-6, 'velocities are not rescaled to the exact temperature');
});

for (const thermostat of ['none', 'langevin', 'csvr', 'nose-hoover'] as const) {
  test(`fixed atoms never move and keep zero velocity (${thermostat})`, async () => {
    const fixed = new Set([0, 5, 17]);
    const { frames, report } = await collect(crystal, calculator, { thermostat, temperature: 200, timestep: 5, steps: 30, every: 10, fixed, wrap: false });
    assert.equal(report.status, 'done');
    const last = frames.at(-1)!;
    let moved = 0;
    for (let i = 0; i < crystal.numbers.length; i++) {
      const d = Math.hypot(last.positions[3 * i]! - crystal.positions[3 * i]!, last.positions[3 * i + 1]! - crystal.positions[3 * i + 1]!, last.positions[3 * i + 2]! - crystal.positions[3 * i + 2]!);
      if (fixed.has(i)) {
        assert.equal(d, 0, `fixed atom ${i + 1} moved`);
        assert.deepEqual(Array.from(last.velocities!.subarray(3 * i, 3 * i + 3)), [0, 0, 0]);
      } else if (d > 1e-3) moved++;
    }
    assert.ok(moved > 90, 'the free atoms move');
  });
}

test('frames come at step 0, every `every` steps and the last; periodic positions are wrapped into the cell', async () => {
  const { frames, report } = await collect(crystal, calculator, { thermostat: 'langevin', temperature: 300, timestep: 5, steps: 25, every: 10 });
  assert.deepEqual(frames.map((f) => f.step), [0, 10, 20, 25]);
  assert.equal(report.steps, 25);
  assert.equal(report.calculatorCalls, 26);
  const l = ase.system.a * ase.system.repeat;
  for (const frame of frames) {
    assert.equal(frame.time, frame.step * 5);
    assert.ok(frame.positions.every((x) => x >= 0 && x < l));
    assert.ok(frame.pressure !== undefined && Number.isFinite(frame.pressure));
    assert.ok(Math.abs(frame.total! - frame.energy - frame.kinetic!) < 1e-12);
  }
});

test('an aborted signal ends the run as cancelled', async () => {
  const controller = new AbortController();
  const frames: SamplerFrame[] = [];
  const generator = runMolecularDynamics(crystal, calculator, { thermostat: 'none', timestep: 5, steps: 1000, every: 5, signal: controller.signal });
  let next = await generator.next();
  while (!next.done) {
    frames.push(next.value);
    if (frames.length === 2) controller.abort();
    next = await generator.next();
  }
  assert.equal(next.value.status, 'cancelled');
  assert.equal(frames.length, 2);
  assert.ok(next.value.steps < 1000);
});

test('invalid options are refused with a message naming the option', async () => {
  await assert.rejects(collect(crystal, calculator, { steps: 10, timestep: -1 }), /timestep/);
  await assert.rejects(collect(crystal, calculator, { steps: 10, fixed: new Set([500]) }), /fixed atom 501/);
  await assert.rejects(collect(crystal, calculator, { steps: 10, velocities: new Float64Array(3) }), /velocities has 3 values/);
});
