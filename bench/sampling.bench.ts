/**
 * Molecular dynamics throughput: runMolecularDynamics (core/sampling/md) with velocity Verlet (NVE, 5 fs) on an
 * argon Lennard-Jones cluster of 20 atoms and a periodic fcc crystal of 256 atoms (ε = 0.0104 eV, σ = 3.4 Å,
 * rc = 8.5 Å, smooth), watchdogs on (they run every step). Baseline, in the same run: ASE 3.22.1's VelocityVerlet
 * driving ase.calculators.lj.LennardJones on the same system (Debian /usr/bin/python3), timed inside Python.
 * Figures: steps/s and atom-steps/s (steps × atoms per second).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runMolecularDynamics } from '../core/sampling/md/md';
import type { Structure } from '../core/structure/structure';
import { createLennardJonesCalculator } from '../core/calc/analytic/lennard-jones';
import { ARGON, fccCluster, fccCrystal } from '../test/sampling/md-systems';
import type { BenchFigure, BenchSuite } from './harness';

const PYTHON = '/usr/bin/python3';
const RC = 8.5;
const DT = 5;

/** Seconds per step of ASE's VelocityVerlet on `structure` after a 5-step warm-up, or why it could not run. */
function aseSecondsPerStep(structure: Structure, steps: number): number | string {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const script = `
import json, sys, time
import numpy as np
from ase import Atoms, units
from ase.calculators.lj import LennardJones
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.md.verlet import VelocityVerlet
d = json.load(sys.stdin)
atoms = Atoms(numbers=d['numbers'], positions=np.array(d['positions']).reshape(-1, 3), cell=np.array(d['cell']).reshape(3, 3), pbc=d['pbc'])
atoms.calc = LennardJones(epsilon=0.0104, sigma=3.4, rc=${RC}, smooth=True)
MaxwellBoltzmannDistribution(atoms, temperature_K=100, rng=np.random.RandomState(1))
Stationary(atoms)
md = VelocityVerlet(atoms, timestep=${DT} * units.fs)
md.run(5)
t = time.perf_counter()
md.run(d['steps'])
print((time.perf_counter() - t) / d['steps'])
`;
  const input = JSON.stringify({
    numbers: Array.from(structure.numbers),
    positions: Array.from(structure.positions),
    cell: structure.cell ? Array.from(structure.cell) : [0, 0, 0, 0, 0, 0, 0, 0, 0],
    pbc: structure.pbc,
    steps,
  });
  const result = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  if (result.status !== 0) return `ASE failed: ${(result.stderr || String(result.error)).trim().split('\n').at(-1)}`;
  const seconds = Number(result.stdout.trim());
  return Number.isFinite(seconds) && seconds > 0 ? seconds : `ASE printed '${result.stdout.trim()}'`;
}

async function ourSecondsPerStep(structure: Structure, steps: number): Promise<number> {
  const calculator = createLennardJonesCalculator({ ...ARGON, rc: RC, smooth: true });
  const run = async (n: number) => {
    const generator = runMolecularDynamics(structure, calculator, { thermostat: 'none', temperature: 100, timestep: DT, steps: n, every: 100, seed: 1 });
    for (let next = await generator.next(); !next.done; next = await generator.next());
  };
  await run(5);
  const t0 = performance.now();
  await run(steps);
  return (performance.now() - t0) / 1000 / steps;
}

export const suite: BenchSuite = {
  name: 'sampling',
  async run({ quick, log }) {
    const figures: BenchFigure[] = [];
    const systems: Array<[string, Structure, number]> = [
      ['20-atom Ar cluster', fccCluster(18, 5.4, 20), quick ? 200 : 2000],
      ['256-atom fcc Ar crystal (periodic)', fccCrystal(18, 5.4, 4), quick ? 20 : 200],
    ];
    for (const [label, structure, steps] of systems) {
      const n = structure.numbers.length;
      const ours = await ourSecondsPerStep(structure, steps);
      const aseSteps = Math.max(5, Math.round(steps / 4));
      const measured = aseSecondsPerStep(structure, aseSteps);
      const ase = typeof measured === 'number' ? measured : undefined;
      log(`${label}: ours ${(ours * 1000).toFixed(3)} ms/step over ${steps} steps; ASE ${ase ? `${(ase * 1000).toFixed(3)} ms/step over ${aseSteps} steps` : `not measured (${String(measured)})`}`);
      const baseline = (perStep: number) => (ase ? { baseline: { name: 'ASE 3.22.1 VelocityVerlet + LennardJones', value: perStep } } : {});
      figures.push({ name: `MD steps/s, LJ ${label}, velocity Verlet`, value: 1 / ours, unit: 'steps/s', backend: 'node 20', better: 'higher', ...baseline(ase ? 1 / ase : 0), note: 'watchdogs on' });
      figures.push({ name: `MD atom-steps/s, LJ ${label}`, value: n / ours, unit: 'atom-steps/s', backend: 'node 20', better: 'higher', ...baseline(ase ? n / ase : 0) });
    }
    return figures;
  },
};
