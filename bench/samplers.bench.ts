/**
 * The samplers (core/sampling) on the real calculators, all measured in one run on one machine:
 *
 *  - MD throughput (runMolecularDynamics, Langevin 300 K, 0.5 fs, watchdogs on): steps/s and atom-steps/s with
 *    GFN2-xTB (main/calc/xtb: the libxtb addon and the xtb executable fallback) and with the shipped models
 *    model:egnn-ethanol-rmd17 and model:mace-ethanol-rmd17 (main/calc/calculator-catalogue.ts), on aspirin (21 atoms,
 *    H/C/O, assets/examples/drugs.sdf) and on a cluster of 22 ethanol molecules (198 atoms, built deterministically
 *    below). Each run is sized from a short calibration to take about `seconds` s (a few steps for xtb on 198 atoms);
 *    the executable runs on aspirin only. Ratios: addon vs executable; each model vs the xtb addon.
 *  - Relaxation time per molecule with GFN2-xTB (addon): our L-BFGS and FIRE (fmax 0.05 eV/Å) beside
 *    `xtb --opt normal` (xtb's ANCopt, gradient threshold 1e-3 Eh/bohr ≈ 0.05 eV/Å, OMP_NUM_THREADS=1, the
 *    process's wall time) on the first 5 molecules of assets/examples/drugs.sdf; ratio against xtb --opt.
 * xtb runs on 1 thread everywhere (EQUIMOL_XTB_THREADS default 1). Units: s, Å, eV, fs, K.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Calculator } from '../core/calc/calculator';
import type { SamplerFrame, SamplerReport } from '../core/sampling/frames';
import { runMolecularDynamics } from '../core/sampling/md/md';
import { relax } from '../core/sampling/relax/relax';
import { symbolOf } from '../core/structure/elements';
import { createStructure, type Structure } from '../core/structure/structure';
import { seededRandom } from '../core/util/seeded-random';
import { createCalculator } from '../main/calc/calculator-catalogue';
import { createXtbCalculator, HARTREE_IN_EV } from '../main/calc/xtb/xtb-calculator';
import { findXtbExecutable } from '../main/calc/xtb/xtb-executable';
import { readStructures } from '../main/io/read-structures';
import type { BenchFigure, BenchSuite } from './harness';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

async function drain(run: AsyncGenerator<SamplerFrame, SamplerReport>): Promise<{ last?: SamplerFrame; report: SamplerReport }> {
  let last: SamplerFrame | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) return { ...(last ? { last } : {}), report: next.value };
    last = next.value;
  }
}

/** 3×3 rotation from a seeded uniform quaternion (Shoemake 1992). */
function randomRotation(random: () => number): number[] {
  const [u1, u2, u3] = [random(), random(), random()];
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  const [x, y, z, w] = [a * Math.sin(2 * Math.PI * u2), a * Math.cos(2 * Math.PI * u2), b * Math.sin(2 * Math.PI * u3), b * Math.cos(2 * Math.PI * u3)];
  return [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), 2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), 2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)];
}

/**
 * `count` copies of `molecule` on a cubic grid of `spacing` Å (the first `count` sites of a 3×3×3 grid), each
 * rotated about its centroid by a seeded random rotation, redrawn until no atom is within 1.8 Å of another molecule's.
 */
export function molecularCluster(molecule: Structure, count: number, spacing: number, seed: number): Structure {
  const n = molecule.numbers.length;
  const centre = [0, 1, 2].map((k) => molecule.positions.filter((_, i) => i % 3 === k).reduce((s, x) => s + x, 0) / n);
  const random = seededRandom(seed);
  const positions: number[] = [];
  const numbers: number[] = [];
  for (let m = 0; m < count; m++) {
    const site = [m % 3, Math.floor(m / 3) % 3, Math.floor(m / 9)].map((g) => g * spacing);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 200) throw new Error(`molecularCluster: no clash-free orientation for molecule ${m + 1} at ${spacing} Å spacing`);
      const r = randomRotation(random);
      const placed: number[] = [];
      for (let i = 0; i < n; i++) {
        const d = [0, 1, 2].map((k) => molecule.positions[3 * i + k]! - centre[k]!);
        for (let k = 0; k < 3; k++) placed.push(site[k]! + r[3 * k]! * d[0]! + r[3 * k + 1]! * d[1]! + r[3 * k + 2]! * d[2]!);
      }
      let clash = false;
      for (let i = 0; i < n && !clash; i++) {
        for (let j = 0; j < positions.length / 3 && !clash; j++) {
          clash = Math.hypot(placed[3 * i]! - positions[3 * j]!, placed[3 * i + 1]! - positions[3 * j + 1]!, placed[3 * i + 2]! - positions[3 * j + 2]!) < 1.8;
        }
      }
      if (clash) continue;
      positions.push(...placed);
      numbers.push(...molecule.numbers);
      break;
    }
  }
  return createStructure({ name: `${count} × ${molecule.name ?? 'molecule'} cluster`, numbers, positions });
}

interface MdTiming {
  readonly secondsPerStep: number;
  /** Calculator evaluations timed (steps + 1 per run). */
  readonly evaluations: number;
  readonly status: string;
}

/**
 * Seconds per MD step over about `seconds` s: a 2-step warm-up, a 2-step run that sizes the timed run (at most
 * `maxSteps` steps; a warm-up slower than 0.5 s per evaluation sizes it itself), then the timed run, repeated from
 * the start while less than half of `seconds` has passed (a watchdog may end a run early: a model far from its
 * training data heats the molecule up). The evaluations of all timed runs are counted (steps + 1 per run).
 */
async function mdSecondsPerStep(structure: Structure, calculator: Calculator, seconds: number, maxSteps: number): Promise<MdTiming> {
  const md = (steps: number) => runMolecularDynamics(structure, calculator, { thermostat: 'langevin', temperature: 300, timestep: 0.5, steps, every: 50, seed: 1 });
  const perEvaluation = async () => {
    const t0 = performance.now();
    await drain(md(2)); // 3 evaluations
    return (performance.now() - t0) / 1000 / 3;
  };
  const warmUp = await perEvaluation();
  // The first calls of a model compile kernels and fill caches: size the run on a second short run, unless slow anyway.
  const calibration = warmUp < 0.5 ? await perEvaluation() : warmUp;
  const steps = Math.max(2, Math.min(maxSteps, Math.round(seconds / calibration)));
  let evaluations = 0;
  let status = 'done';
  const t1 = performance.now();
  do {
    const { report } = await drain(md(steps));
    evaluations += report.steps + 1;
    if (report.status !== 'done') status = `runs stopped early, e.g. ${report.summary}`;
  } while (performance.now() - t1 < (seconds * 1000) / 2);
  const elapsed = (performance.now() - t1) / 1000;
  return { secondsPerStep: elapsed / evaluations, evaluations, status };
}

interface XtbOptResult {
  readonly seconds: number;
  readonly energy: number;
}

/** `xtb mol.xyz --opt normal --gfn 2` in a fresh folder, 1 thread: wall time (process start included) and the energy, eV. */
function xtbOpt(executable: string, structure: Structure, folder: string): XtbOptResult | string {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const n = structure.numbers.length;
  const lines = [String(n), structure.name ?? ''];
  for (let i = 0; i < n; i++) lines.push(`${symbolOf(structure.numbers[i]!)} ${[0, 1, 2].map((k) => structure.positions[3 * i + k]!.toFixed(8)).join(' ')}`);
  writeFileSync(join(folder, 'mol.xyz'), `${lines.join('\n')}\n`);
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_STACKSIZE: '1G' };
  const t0 = performance.now();
  const run = spawnSync(executable, ['mol.xyz', '--opt', 'normal', '--gfn', '2', '--chrg', String(structure.charge), '--uhf', String(structure.multiplicity - 1)], { cwd: folder, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0) return `xtb --opt exited ${run.status}: ${(run.stderr || String(run.error)).trim().split('\n').at(-1)}`;
  const comment = readFileSync(join(folder, 'xtbopt.xyz'), 'utf8').split('\n')[1] ?? '';
  const energy = Number(/energy:\s*(-?[\d.]+)/.exec(comment)?.[1]);
  rmSync(folder, { recursive: true, force: true });
  return Number.isFinite(energy) ? { seconds, energy: energy * HARTREE_IN_EV } : `no energy in xtbopt.xyz ('${comment}')`;
}

function tryXtb(backend: 'addon' | 'executable'): Calculator | string {
  try {
    return createXtbCalculator({ method: 'gfn2', backend });
  } catch (error) {
    return (error as Error).message;
  }
}

export const suite: BenchSuite = {
  name: 'samplers',
  async run({ quick, scratchDir, log }) {
    const figures: BenchFigure[] = [];
    const drugs = await readStructures(join(REPO_ROOT, 'assets', 'examples', 'drugs.sdf'));
    const aspirin = drugs.find((s) => s.name === 'aspirin');
    if (!aspirin) throw new Error('assets/examples/drugs.sdf has no aspirin');
    const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'calc', 'xtb-molecules.json'), 'utf8')) as { molecules: Array<{ name: string; numbers: number[]; positions: number[] }> };
    const ethanol = fixture.molecules.find((m) => m.name === 'ethanol')!;
    const cluster = molecularCluster(createStructure({ name: 'ethanol', numbers: ethanol.numbers, positions: ethanol.positions }), 22, 5, 1);
    const systems: Array<[string, Structure]> = [['aspirin (21 atoms)', aspirin], [`22-ethanol cluster (${cluster.numbers.length} atoms)`, cluster]];
    const seconds = quick ? 1.5 : 5;

    // ---- MD throughput ----
    const addon = tryXtb('addon');
    const executable = tryXtb('executable');
    const stepsPerSecond = new Map<string, number>();
    const calculators: Array<[string, () => Promise<Calculator | string>]> = [
      ['xtb GFN2 (executable)', async () => executable], // first: the baseline of the addon
      ['xtb GFN2 (libxtb addon)', async () => addon],
      ['model:egnn-ethanol-rmd17', () => createCalculator('model:egnn-ethanol-rmd17')],
      ['model:mace-ethanol-rmd17', () => createCalculator('model:mace-ethanol-rmd17')],
    ];
    for (const [name, create] of calculators) {
      const calculator = await create().catch((error: Error) => error.message);
      if (typeof calculator === 'string') {
        log(`${name}: not measured (${calculator})`);
        continue;
      }
      for (const [systemName, structure] of systems) {
        const isXtb = name.startsWith('xtb');
        const large = structure.numbers.length > 100;
        if (name.includes('executable') && large) continue; // the executable's per-call start adds little on 198 atoms: skipped for time
        const timing = await mdSecondsPerStep(structure, calculator, isXtb && large ? (quick ? 2 : 10) : seconds, isXtb && large ? (quick ? 2 : 4) : 2000);
        const rate = 1 / timing.secondsPerStep;
        stepsPerSecond.set(`${name}|${systemName}`, rate);
        log(`${name}, ${systemName}: ${(timing.secondsPerStep * 1000).toFixed(1)} ms/step over ${timing.evaluations} evaluations (${timing.status})`);
        const baselineName = name.includes('addon') ? 'xtb GFN2 (executable)' : isXtb ? undefined : 'xtb GFN2 (libxtb addon)';
        const baselineRate = baselineName ? stepsPerSecond.get(`${baselineName}|${systemName}`) : undefined;
        const n = structure.numbers.length;
        const baseline = (scale: number) => (baselineRate ? { baseline: { name: baselineName!, value: baselineRate * scale } } : {});
        const note = `Langevin 300 K, 0.5 fs, ${timing.evaluations} evaluations${timing.status === 'done' ? '' : `; ${timing.status}`}`;
        figures.push({ name: `MD steps/s, ${systemName}, ${name}`, value: rate, unit: 'steps/s', backend: isXtb ? 'xtb 6.5.1, 1 thread' : 'tfjs (node backend)', better: 'higher', ...baseline(1), note });
        figures.push({ name: `MD atom-steps/s, ${systemName}, ${name}`, value: rate * n, unit: 'atom-steps/s', backend: isXtb ? 'xtb 6.5.1, 1 thread' : 'tfjs (node backend)', better: 'higher', ...baseline(n) });
      }
      if (!name.startsWith('xtb')) calculator.dispose?.();
    }

    // ---- relaxation vs xtb --opt ----
    const xtbPath = findXtbExecutable();
    if (typeof addon === 'string' || !xtbPath) {
      log(`relaxation vs xtb --opt: not measured (${typeof addon === 'string' ? addon : 'no xtb executable'})`);
      return figures;
    }
    const molecules = drugs.slice(0, quick ? 2 : 5);
    const totals = { anc: 0, lbfgs: 0, fire: 0, xtb: 0 };
    let compared = 0;
    for (const molecule of molecules) {
      const reference = xtbOpt(xtbPath, molecule, join(scratchDir, 'samplers-xtb-opt'));
      if (typeof reference === 'string') {
        log(`${molecule.name}: xtb --opt failed (${reference}); skipped`);
        continue;
      }
      const parts: string[] = [`xtb --opt ${reference.seconds.toFixed(2)} s`];
      const times: Record<'anc' | 'lbfgs' | 'fire', number> = { anc: 0, lbfgs: 0, fire: 0 };
      for (const optimizer of ['anc', 'lbfgs', 'fire'] as const) {
        const t0 = performance.now();
        // anc: xtb's own optimizer at xtb's default level (the relax default for molecules); the others at ASE's fmax.
        const { last, report } = await drain(relax(molecule, addon, optimizer === 'anc' ? { optimizer } : { optimizer, fmax: 0.05, maxSteps: 2000 }));
        times[optimizer] = (performance.now() - t0) / 1000;
        const deltaMeV = last ? ((last.energy - reference.energy) * 1000).toFixed(1) : '?';
        parts.push(`${optimizer} ${times[optimizer].toFixed(2)} s (${report.status}, ${report.calculatorCalls} calls, E − E(xtb --opt) ${deltaMeV} meV)`);
      }
      totals.anc += times.anc;
      totals.lbfgs += times.lbfgs;
      totals.fire += times.fire;
      totals.xtb += reference.seconds;
      compared++;
      log(`${molecule.name} (${molecule.numbers.length} atoms): ${parts.join('; ')}`);
    }
    if (compared > 0) {
      const baseline = { name: 'xtb --opt normal (executable, ANCopt)', value: totals.xtb / compared };
      const labels = { anc: 'ANCopt level normal (default)', lbfgs: 'L-BFGS fmax 0.05', fire: 'FIRE fmax 0.05' } as const;
      for (const optimizer of ['anc', 'lbfgs', 'fire'] as const) {
        figures.push({
          name: `relax time per drug-like molecule, GFN2-xTB addon, ${labels[optimizer]}`,
          value: totals[optimizer] / compared,
          unit: 's',
          backend: 'xtb 6.5.1, 1 thread',
          better: 'lower',
          baseline,
          note: `mean over ${compared} molecules of drugs.sdf (${molecules.map((m) => m.name).join(', ')})`,
        });
      }
    }
    return figures;
  },
};
