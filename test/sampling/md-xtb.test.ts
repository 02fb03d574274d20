/**
 * runMolecularDynamics (core/sampling/md) on GFN2-xTB (main/calc/xtb: libxtb addon, else the xtb executable) at the
 * default accuracy 1: glycine (10 atoms, test/fixtures/calc/xtb-molecules.json), relaxed with L-BFGS to fmax
 * 0.01 eV/Å, then Maxwell–Boltzmann velocities at 300 K (seed 3: T(0) = 321 K; centre-of-mass motion removed).
 *
 * NVE (velocity Verlet, 0.5 fs, 400 steps = 200 fs): the total energy stays within 1 meV/atom of its start. Measured
 * on this machine with the addon: max |E_tot − E_tot(0)| / N = 0.49 meV/atom while E_pot swings by 0.27 eV. That
 * excursion is velocity Verlet's O(dt²) oscillation on the X–H stretches, not SCC noise: accuracy 1, 0.1 and 0.01
 * all give 0.491 meV/atom, and 0.25 fs gives 0.12 (a quarter); the secular drift (mean E_tot of the last 100
 * steps minus that of the first 100) is far smaller. So accuracy 1 (the default) is tight enough. About 10 ms per
 * step with the addon (4 s for the run).
 * Langevin (300 K, friction 0.01/fs, 300 steps): a finite mean temperature in a broad band (the run is too short
 * for a 1% statistic; test/sampling/md.test.ts checks the thermostats' statistics on Lennard-Jones systems).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Calculator } from '../../core/calc/calculator';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { runMolecularDynamics } from '../../core/sampling/md/md';
import { relax } from '../../core/sampling/relax/relax';
import { createStructure, type Structure } from '../../core/structure/structure';
import { gfn2OrSkipReason } from '../helpers/xtb';

interface MoleculeFixture {
  molecules: Array<{ name: string; numbers: number[]; positions: number[] }>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/calc/xtb-molecules.json', import.meta.url), 'utf8')) as MoleculeFixture;

const { calculator, unavailable } = gfn2OrSkipReason();
const skip = calculator ? false : unavailable;

async function collect(run: AsyncGenerator<SamplerFrame, SamplerReport>): Promise<{ frames: SamplerFrame[]; report: SamplerReport }> {
  const frames: SamplerFrame[] = [];
  for (;;) {
    const next = await run.next();
    if (next.done) return { frames, report: next.value };
    frames.push(next.value);
  }
}

/** Glycine relaxed on GFN2-xTB to fmax 0.01 eV/Å (computed once, shared by the tests). */
let relaxedGlycine: Promise<Structure> | undefined;
function glycine(xtb: Calculator): Promise<Structure> {
  relaxedGlycine ??= (async () => {
    const molecule = fixture.molecules.find((m) => m.name === 'glycine');
    assert.ok(molecule, 'glycine is in test/fixtures/calc/xtb-molecules.json');
    const start = createStructure({ name: 'glycine', numbers: molecule.numbers, positions: molecule.positions });
    const { frames, report } = await collect(relax(start, xtb, { optimizer: 'lbfgs', fmax: 0.01 }));
    assert.equal(report.status, 'converged', report.summary);
    return { ...start, positions: Float64Array.from(frames.at(-1)!.positions) };
  })();
  return relaxedGlycine;
}

test('NVE velocity Verlet on GFN2-xTB glycine keeps the total energy within 1 meV/atom over 200 fs at 0.5 fs', { skip }, async (t) => {
  const xtb = calculator!;
  const structure = await glycine(xtb);
  const n = structure.numbers.length;
  const t0 = performance.now();
  const { frames, report } = await collect(runMolecularDynamics(structure, xtb, { thermostat: 'none', temperature: 300, timestep: 0.5, steps: 400, every: 1, seed: 3 }));
  const wallSeconds = (performance.now() - t0) / 1000;
  assert.equal(report.status, 'done', report.summary);
  assert.equal(frames.length, 401);
  assert.equal(frames.at(-1)!.time, 200);
  const e0 = frames[0]!.total!;
  let drift = 0;
  let eMin = Infinity, eMax = -Infinity;
  for (const frame of frames) {
    assert.ok(Number.isFinite(frame.total), `step ${frame.step}: total energy ${frame.total}`);
    drift = Math.max(drift, Math.abs(frame.total! - e0));
    eMin = Math.min(eMin, frame.energy);
    eMax = Math.max(eMax, frame.energy);
  }
  const driftPerAtom = drift / n;
  const meanTotal = (part: readonly SamplerFrame[]) => part.reduce((sum, f) => sum + f.total!, 0) / part.length;
  const secularPerAtom = Math.abs(meanTotal(frames.slice(-100)) - meanTotal(frames.slice(0, 100))) / n;
  const line = `${xtb.description.name}, glycine (${n} atoms): max |E_tot − E_tot(0)|/N = ${(driftPerAtom * 1000).toFixed(4)} meV/atom over 200 fs (secular drift ${(secularPerAtom * 1000).toFixed(4)} meV/atom); E_pot range ${(eMax - eMin).toFixed(4)} eV; T(0) ${frames[0]!.temperature!.toFixed(1)} K; ${wallSeconds.toFixed(1)} s (${((wallSeconds * 1000) / 400).toFixed(1)} ms/step)`;
  t.diagnostic(line);
  console.log(line);
  // The molecule really moves: 300 K of kinetic energy at the start, and the potential energy swings far more than the drift.
  assert.ok(frames[0]!.temperature! > 200 && frames[0]!.temperature! < 450, `initial temperature ${frames[0]!.temperature} K`);
  assert.ok(eMax - eMin > 20 * drift, `E_pot range ${eMax - eMin} eV against drift ${drift} eV`);
  assert.ok(secularPerAtom < 0.5e-3, `secular energy drift ${(secularPerAtom * 1000).toFixed(3)} meV/atom ≥ 0.5 meV/atom`);
  assert.ok(driftPerAtom < 1e-3, `energy drift ${(driftPerAtom * 1000).toFixed(3)} meV/atom ≥ 1 meV/atom`);
});

test('Langevin MD at 300 K on GFN2-xTB glycine stays finite with a mean temperature between 100 and 600 K over 300 steps', { skip }, async (t) => {
  const xtb = calculator!;
  const structure = await glycine(xtb);
  const t0 = performance.now();
  const { frames, report } = await collect(runMolecularDynamics(structure, xtb, { thermostat: 'langevin', temperature: 300, friction: 0.01, timestep: 0.5, steps: 300, every: 1, seed: 5 }));
  const wallSeconds = (performance.now() - t0) / 1000;
  assert.equal(report.status, 'done', report.summary);
  assert.equal(frames.length, 301);
  for (const frame of frames) {
    assert.ok(Number.isFinite(frame.energy) && Number.isFinite(frame.temperature), `step ${frame.step}: E ${frame.energy} eV, T ${frame.temperature} K`);
  }
  const later = frames.slice(50);
  const meanTemperature = later.reduce((sum, f) => sum + f.temperature!, 0) / later.length;
  const line = `${xtb.description.name}, glycine Langevin 300 K: mean T over steps 50–300 = ${meanTemperature.toFixed(1)} K; ${wallSeconds.toFixed(1)} s`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(meanTemperature > 100 && meanTemperature < 600, `mean temperature ${meanTemperature} K`);
});
