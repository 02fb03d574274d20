/**
 * `equimol relax` and `equimol md` through the in-process CLI runner, on small Lennard-Jones clusters written
 * here (ASE's LennardJones with ε = 1 eV, σ = 1 Å, rc = 3 Å: a pair's minimum is at 2^(1/6) Å with energy
 * −1 eV − E(rc)), plus one GFN2-xTB relaxation of water when the xtb executable is installed. ASE
 * (/usr/bin/python3) reads the md trajectory back when it is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured as cli } from '../helpers/cli';
import { EXIT } from '../../main/cli/command';
import { parseCsvLine } from '../../core/export/csv';
import { headerKey } from '../../core/pipeline/rows';
import { ethanolFrames } from './ethanol';

const tmp = mkdtempSync(join(tmpdir(), 'equimol-relax-md-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const R_MIN = 2 ** (1 / 6); // Å
const E_CUT = 4 * (3 ** -12 - 3 ** -6); // eV: ASE's LennardJones shifts pair energies by −E(rc)
const E_PAIR_MIN = -1 - E_CUT; // eV

/** An extended-XYZ record of argon atoms at `positions` (Å). */
function argon(name: string, positions: number[][]): string {
  return `${positions.length}\nProperties=species:S:1:pos:R:3 name=${name} pbc="F F F"\n${positions.map((p) => `Ar ${p.join(' ')}`).join('\n')}\n`;
}

const DIMER = argon('dimer', [[0, 0, 0], [1.3, 0.05, 0]]);
const TRIMER = argon('trimer', [[0, 0, 0], [1.25, 0, 0], [0.5, 1.0, 0.1]]);
const TETRAMER = argon('tetramer', [[0, 0, 0], [1.2, 0, 0], [0.55, 1.0, 0], [0.6, 0.4, 0.95]]);
/** Record 2 of the mixed file: its second atom line lacks the z coordinate (line 8 of the file). */
const BROKEN = `2\nProperties=species:S:1:pos:R:3 name=broken pbc="F F F"\nAr 0 0 0\nAr 1.2 0\n`;

const MIXED = join(tmp, 'mixed.extxyz');
writeFileSync(MIXED, DIMER + BROKEN + TRIMER);
const CLUSTERS = join(tmp, 'clusters.extxyz');
writeFileSync(CLUSTERS, DIMER + TRIMER + TETRAMER + TRIMER.replace('name=trimer', 'name=trimer2') + DIMER.replace('name=dimer', 'name=dimer2'));

const ase = spawnSync('/usr/bin/python3', ['-c', 'import ase.io'], { encoding: 'utf8' });
const noAse = ase.status === 0 ? false : '/usr/bin/python3 with ase is not installed';

/** Reads an extxyz file with ASE and returns what the script prints as JSON. */
function withAse(path: string, script: string): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', `import json, ase.io\nframes = ase.io.read(${JSON.stringify(path)}, ':')\n${script}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function csvRows(path: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = parseCsvLine(header!).map(headerKey); // 'energy [eV]' -> 'energy'
  return lines.map((line) => Object.fromEntries(parseCsvLine(line).map((v, i) => [keys[i]!, v])));
}

function distance(p: number[], a: number, b: number): number {
  return Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
}

test('relax writes one relaxed structure per good record in input order and a bad record as an error row with file, record and line', async () => {
  const out = join(tmp, 'mixed-relaxed.extxyz');
  const r = await cli(['relax', MIXED, '--calculator', 'lj', '--fmax', '0.001', '--out', out]);
  assert.equal(r.code, EXIT.recordErrors, r.stderr);
  assert.match(r.stderr, /2 ok, 1 errors/);
  const errors = csvRows(`${out}.errors.csv`);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.file, MIXED);
  assert.equal(errors[0]!.record, '2'); // numbered from 1, as predict writes it
  assert.equal(errors[0]!.line, '8');
  assert.equal(errors[0]!.status, 'error');

  // Our own reader: the relaxed dimer, then the relaxed trimer (an equilateral triangle of side 2^(1/6) Å).
  const { readStructures } = await import('../../main/io/read-structures');
  const all = await readStructures(out);
  // The bad record is a record too: no atoms, with equimol_status 'error' and the message.
  assert.deepEqual(all.map((s) => [s.name, s.numbers.length, s.properties['equimol_status']]), [['dimer', 2, 'ok'], ['', 0, 'error'], ['trimer', 3, 'ok']]);
  assert.equal(all[1]!.properties['equimol_error'], errors[0]!.error);
  const relaxed = all.filter((s) => s.properties['equimol_status'] === 'ok');
  const [dimer, trimer] = relaxed as [(typeof relaxed)[0], (typeof relaxed)[0]];
  assert.ok(Math.abs(distance([...dimer.positions], 0, 1) - R_MIN) < 1e-3, `dimer bond ${distance([...dimer.positions], 0, 1)}`);
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) assert.ok(Math.abs(distance([...trimer.positions], a, b) - R_MIN) < 2e-3);
  assert.ok(Math.abs((dimer.properties['energy'] as number) - E_PAIR_MIN) < 1e-6);
  assert.ok(Math.abs((trimer.properties['energy'] as number) - 3 * E_PAIR_MIN) < 1e-5);
  for (const s of relaxed) {
    assert.ok((s.properties['fmax'] as number) <= 0.001);
    assert.equal(s.properties['converged'], 1);
    assert.ok((s.properties['steps'] as number) > 0);
    assert.equal(s.atomArrays['forces']?.data.length, 3 * s.numbers.length);
  }
});

test('relax stops at --max-steps with converged 0, and --fix holds the listed atoms in place', async () => {
  const out = join(tmp, 'limited.csv');
  const r = await cli(['relax', CLUSTERS, '--calculator', 'lj', '--max-steps', '2', '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const rows = csvRows(out);
  assert.equal(rows.length, 5);
  for (const row of rows) {
    assert.equal(row.converged, '0');
    assert.equal(row.steps, '2');
    assert.ok(Number(row.fmax) > 0.05);
  }

  const fixedOut = join(tmp, 'fixed.extxyz');
  const f = await cli(['relax', MIXED, '--calculator', 'lj', '--fix', '1', '--out', fixedOut]);
  assert.equal(f.code, EXIT.recordErrors, f.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const [dimer] = await readStructures(fixedOut);
  assert.deepEqual([...dimer!.positions.slice(0, 3)], [0, 0, 0], 'atom 1 did not move');
  assert.ok(Math.abs(distance([...dimer!.positions], 0, 1) - R_MIN) < 0.01);
});

test('relax --resume after the CSV was cut mid-row reproduces the uninterrupted output; --shard halves hold every record once', async () => {
  const full = join(tmp, 'full.csv');
  assert.equal((await cli(['relax', CLUSTERS, '--calculator', 'lj', '--out', full])).code, EXIT.ok);
  const expected = readFileSync(full, 'utf8');
  assert.equal(csvRows(full).length, 5);
  assert.deepEqual(csvRows(full).map((r) => r.name), ['dimer', 'trimer', 'tetramer', 'trimer2', 'dimer2']);

  const cut = join(tmp, 'cut.csv');
  writeFileSync(cut, expected);
  const lines = expected.split('\n');
  const keep = lines.slice(0, 3).join('\n').length + 1 + 10; // header, 2 rows and 10 bytes of the third
  truncateSync(cut, keep);
  assert.ok(statSync(cut).size === keep);
  const resumed = await cli(['relax', CLUSTERS, '--calculator', 'lj', '--out', cut, '--resume']);
  assert.equal(resumed.code, EXIT.ok, resumed.stderr);
  assert.match(resumed.stderr, /resuming after 2 rows/);
  assert.match(resumed.stderr, /3 ok, 0 errors, 2 already done/);
  assert.equal(readFileSync(cut, 'utf8'), expected);

  const halves = [];
  for (const shard of ['0/2', '1/2']) {
    const out = join(tmp, `shard-${shard.replace('/', '-')}.csv`);
    assert.equal((await cli(['relax', CLUSTERS, '--calculator', 'lj', '--shard', shard, '--out', out])).code, EXIT.ok);
    halves.push(...csvRows(out));
  }
  assert.deepEqual(halves.map((r) => Number(r.record)).sort(), [1, 2, 3, 4, 5]);
  const byRecord = new Map(csvRows(full).map((r) => [r.record, r]));
  for (const row of halves) assert.deepEqual(row, byRecord.get(row.record));
});

test('relax --trajectory-dir writes every step of each record; bad options are usage errors', async () => {
  const dir = join(tmp, 'steps');
  const out = join(tmp, 'traj-relaxed.csv');
  assert.equal((await cli(['relax', MIXED, '--calculator', 'lj', '--trajectory-dir', dir, '--out', out])).code, EXIT.recordErrors);
  assert.deepEqual(readdirSync(dir).sort(), ['mixed.extxyz.1.extxyz', 'mixed.extxyz.3.extxyz']);
  const rows = csvRows(out);
  const { readStructures } = await import('../../main/io/read-structures');
  const steps = await readStructures(join(dir, 'mixed.extxyz.3.extxyz'));
  assert.equal(steps.length, Number(rows[2]!.steps) + 1, 'one frame per evaluation: the start and each step');
  assert.deepEqual(steps.map((s) => s.properties['step']), steps.map((_, i) => i));
  assert.equal(steps.at(-1)!.properties['energy'], Number(rows[2]!.energy));

  for (const bad of [
    ['relax', MIXED, '--out', out],
    ['relax', MIXED, '--calculator', 'nope', '--out', out],
    ['relax', MIXED, '--calculator', 'lj', '--optimizer', 'bfgs', '--out', out],
    ['relax', MIXED, '--calculator', 'lj', '--fix', '0', '--out', out],
    ['relax', MIXED, '--calculator', 'lj', '--fmax', '-1', '--out', out],
    ['relax', MIXED, '--calculator', 'lj', '--pressure', '1', '--out', out],
    ['relax', MIXED, '--calculator', 'lj', '--resume', '--out', join(tmp, 'x.extxyz')],
    ['md', MIXED, '--calculator', 'lj', '--out', join(tmp, 'x.extxyz')],
    ['md', MIXED, '--calculator', 'lj', '--steps', '5', '--thermostat', 'berendsen', '--out', join(tmp, 'x.extxyz')],
    ['md', MIXED, '--calculator', 'lj', '--steps', '5', '--out', join(tmp, 'x.csv')],
  ]) {
    assert.equal((await cli(bad)).code, EXIT.usage, bad.join(' '));
  }
  for (const command of ['relax', 'md']) {
    const r = await cli([command, '--help']);
    assert.equal(r.code, EXIT.ok);
    assert.match(r.stdout, new RegExp(`^Usage: equimol ${command}`));
  }
});

/** The clusters relaxed (MD starts near a minimum, so the potential energy released does not heat them up). */
let relaxedClusters: string | undefined;
async function relaxed(): Promise<string> {
  if (relaxedClusters) return relaxedClusters;
  const out = join(tmp, 'clusters-relaxed.extxyz');
  assert.equal((await cli(['relax', CLUSTERS, '--calculator', 'lj', '--out', out])).code, EXIT.ok);
  return (relaxedClusters = out);
}

test('md writes the first frame, every --every steps and the last, with energies and velocities ASE reads back', async () => {
  const out = join(tmp, 'md.extxyz');
  const CLUSTERS = await relaxed();
  const r = await cli(['md', CLUSTERS, '--record', '3', '--calculator', 'lj', '--thermostat', 'none', '--temperature', '50', '--steps', '40', '--every', '10', '--seed', '7', '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const frames = await readStructures(out);
  assert.equal(frames.length, 5);
  assert.deepEqual(frames.map((f) => f.properties['step']), [0, 10, 20, 30, 40]);
  assert.ok(frames.every((f) => f.name === 'tetramer' && f.numbers.length === 4));
  const totals = frames.map((f) => f.properties['total'] as number);
  for (const t of totals) assert.ok(Math.abs(t - totals[0]!) < 1e-3, `NVE total energy drifts: ${totals.join(', ')}`);

  const again = join(tmp, 'md-again.extxyz');
  assert.equal((await cli(['md', CLUSTERS, '--record', '3', '--calculator', 'lj', '--thermostat', 'none', '--temperature', '50', '--steps', '40', '--every', '10', '--seed', '7', '--out', again])).code, EXIT.ok);
  assert.equal(readFileSync(again, 'utf8'), readFileSync(out, 'utf8'), 'the same seed gives the same trajectory');
});

test('ASE reads the md trajectory: potential energy, forces, and kinetic energy from the momenta match the frame values', { skip: noAse }, async () => {
  const out = join(tmp, 'md-ase.extxyz');
  const CLUSTERS = await relaxed();
  const r = await cli(['md', CLUSTERS, '--record', '3', '--calculator', 'lj', '--thermostat', 'langevin', '--temperature', '100', '--steps', '20', '--every', '5', '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const read = withAse(
    out,
    `print(json.dumps([dict(n=len(a), epot=float(a.get_potential_energy()), info_e=float(a.info['energy']), ekin=float(a.get_kinetic_energy()),
  info_k=float(a.info['kinetic']), temp=float(a.get_temperature()), info_t=float(a.info['temperature']), time=float(a.info['time']), fmax=float((a.get_forces()**2).sum(1).max()**0.5), info_fmax=float(a.info['fmax']),
  v=a.arrays['velocities'].tolist(), v_ase=a.get_velocities().tolist()) for a in frames]))`,
  ) as Array<{ n: number; epot: number; info_e: number; info_fmax: number; ekin: number; info_k: number; temp: number; info_t: number; time: number; fmax: number; v: number[][]; v_ase: number[][] }>;
  assert.equal(read.length, 5);
  const ASE_FS = 0.09822694788464063; // ase.units.fs
  for (const [i, f] of read.entries()) {
    assert.equal(f.n, 4);
    assert.equal(f.epot, f.info_e);
    assert.ok(Math.abs(f.fmax - f.info_fmax) <= 1e-12 * f.info_fmax, `largest force ${f.fmax} (ASE forces) vs ${f.info_fmax} eV/Å`);
    assert.ok(Math.abs(f.time - i * 5 * 0.5) < 1e-9);
    assert.ok(f.info_k > 0);
    // ASE's masses and ours agree to a few 1e-5 amu, so the kinetic energies agree to that relative precision.
    assert.ok(Math.abs(f.ekin - f.info_k) < 1e-4 * f.info_k, `kinetic ${f.ekin} (ASE) vs ${f.info_k}`);
    // ASE divides 2 E_kin by 3N k_B; a sampler that removes the centre-of-mass (and rotational) motion divides
    // by 3N − 3 (or 3N − 6): its temperature is between ASE's and twice it for 4 atoms.
    assert.ok(f.info_t >= f.temp * (1 - 1e-4) && f.info_t <= 2 * f.temp * (1 + 1e-4), `temperature ${f.temp} (ASE) vs ${f.info_t}`);
    for (let a = 0; a < 4; a++) {
      for (let k = 0; k < 3; k++) {
        const v = f.v[a]![k]!; // Å/fs
        assert.ok(Math.abs(f.v_ase[a]![k]! * ASE_FS - v) <= 1e-4 * Math.abs(v) + 1e-12, `velocity ${f.v_ase[a]![k]! * ASE_FS} (ASE) vs ${v} Å/fs`);
      }
    }
  }
});

test('md that a watchdog stops names the step and the atoms, keeps the frames made before it, and exits 1', async () => {
  const crash = join(tmp, 'crash.extxyz');
  // Two atoms 0.3 Å apart: the close-contact watchdog (0.5 Å) stops the run.
  writeFileSync(crash, argon('crash', [[0, 0, 0], [0.3, 0, 0], [3, 0, 0]]));
  const out = join(tmp, 'crash-md.extxyz');
  const r = await cli(['md', crash, '--calculator', 'lj', '--steps', '50', '--out', out]);
  assert.equal(r.code, EXIT.recordErrors, r.stderr);
  assert.match(r.stderr, /stopped \(close-contact\): step 0: atoms 1 \(Ar\) and 2 \(Ar\)/);
  assert.ok(existsSync(out));

  // A dimer 0.08 Å beyond its minimum started at 20 K: the 0.11 eV released heats it far above 5 × 20 K.
  const hot = join(tmp, 'hot.extxyz');
  writeFileSync(hot, argon('hot', [[0, 0, 0], [1.2, 0, 0]]));
  const hotOut = join(tmp, 'hot-md.extxyz');
  const h = await cli(['md', hot, '--calculator', 'lj', '--temperature', '20', '--steps', '200', '--every', '2', '--out', hotOut]);
  assert.equal(h.code, EXIT.recordErrors, h.stderr);
  const stopStep = Number(/stopped \(temperature-spike\): step (\d+)/.exec(h.stderr)?.[1]);
  assert.ok(stopStep >= 10 && stopStep < 200, h.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const kept = await readStructures(hotOut);
  assert.ok(kept.length >= 5, `kept ${kept.length} frames`);
  assert.deepEqual(kept.map((f) => f.properties['step']), kept.map((_, i) => 2 * i));
  assert.ok((kept.at(-1)!.properties['step'] as number) < stopStep);
  assert.match(h.stderr, new RegExp(`kept ${kept.length} frames`));
});

test('md stopped by Ctrl-C (the signal) exits 130 and keeps the complete frames written so far', async () => {
  const CLUSTERS = await relaxed();
  const out = join(tmp, 'md-cancelled.extxyz');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const r = await cli(['md', CLUSTERS, '--calculator', 'lj', '--steps', '100000000', '--every', '100', '--out', out], controller.signal);
  assert.equal(r.code, EXIT.cancelled, r.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const frames = await readStructures(out); // throws on a torn frame
  assert.ok(frames.length >= 2, `${frames.length} frames`);
  assert.deepEqual(frames.map((f) => f.properties['step']), frames.map((_, i) => 100 * i));
  assert.match(r.stderr, new RegExp(`interrupted after \\d+ steps: ${frames.length} frames`));
});

test('md reports a record that does not exist or does not parse with the file, record and line, exit 3', async () => {
  const out = join(tmp, 'none.extxyz');
  const missing = await cli(['md', MIXED, '--record', '9', '--calculator', 'lj', '--steps', '5', '--out', out]);
  assert.equal(missing.code, EXIT.unreadable);
  assert.match(missing.stderr, /has 3 records; there is no record 9/);
  const broken = await cli(['md', MIXED, '--record', '2', '--calculator', 'lj', '--steps', '5', '--out', out]);
  assert.equal(broken.code, EXIT.unreadable);
  assert.match(broken.stderr, /record 2, line 8/);
});

const xtbFound = spawnSync('xtb', ['--version'], { encoding: 'utf8' }).status === 0;
const xtbModule = existsSync(new URL('../../main/calc/xtb/xtb-calculator.ts', import.meta.url));
const noXtb = !xtbModule ? 'main/calc/xtb/xtb-calculator.ts is not there' : xtbFound ? false : 'the xtb executable is not installed';

test('relax --calculator xtb relaxes a stretched water molecule to the geometry and energy of xtb --opt', { skip: noXtb }, async () => {
  const dir = mkdtempSync(join(tmp, 'xtb-'));
  const water = join(dir, 'water.xyz');
  writeFileSync(water, '3\nwater\nO 0 0 0.1\nH 0.85 0 -0.5\nH -0.8 0.1 -0.55\n');
  const reference = spawnSync('xtb', ['water.xyz', '--opt', 'tight', '--gfn', '2'], { cwd: dir, encoding: 'utf8' });
  assert.equal(reference.status, 0, reference.stderr);
  const optimised = readFileSync(join(dir, 'xtbopt.xyz'), 'utf8').trim().split('\n');
  const referenceEnergy = Number(/energy:\s*(-?[\d.]+)/.exec(optimised[1]!)![1]) * 27.211386245988; // Eh -> eV (CODATA 2018)
  const referencePositions = optimised.slice(2).flatMap((line) => line.trim().split(/\s+/).slice(1, 4).map(Number));

  const out = join(dir, 'water-relaxed.extxyz');
  const r = await cli(['relax', water, '--calculator', 'xtb', '--optimizer', 'lbfgs', '--fmax', '0.005', '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const [relaxed] = await readStructures(out);
  assert.equal(relaxed!.properties['converged'], 1);
  const p = [...relaxed!.positions];
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
    assert.ok(Math.abs(distance(p, a, b) - distance(referencePositions, a, b)) < 2e-3, `atoms ${a + 1}-${b + 1}: ${distance(p, a, b)} vs xtb ${distance(referencePositions, a, b)} Å`);
  }
  assert.ok(Math.abs((relaxed!.properties['energy'] as number) - referenceEnergy) < 1e-3, `energy ${relaxed!.properties['energy']} vs xtb ${referenceEnergy} eV`);
});

test('relax --calculator model:NAME starts from the energy predict --model gives the same file, and lowers it', async () => {
  const input = join(tmp, 'ethanol.extxyz');
  writeFileSync(input, ethanolFrames(0.05));
  const predicted = join(tmp, 'ethanol-predicted.csv');
  assert.equal((await cli(['predict', input, '--model', 'model:egnn-ethanol-rmd17', '--out', predicted])).code, EXIT.ok);
  const dir = join(tmp, 'ethanol-steps');
  const out = join(tmp, 'ethanol-relaxed.csv');
  const r = await cli(['relax', input, '--calculator', 'model:egnn-ethanol-rmd17', '--optimizer', 'fire', '--max-steps', '5', '--trajectory-dir', dir, '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const { readStructures } = await import('../../main/io/read-structures');
  const steps = await readStructures(join(dir, 'ethanol.extxyz.1.extxyz'));
  const start = steps[0]!.properties['energy'] as number;
  const predictedEnergy = Number(csvRows(predicted)[0]!.energy);
  assert.ok(Math.abs(start - predictedEnergy) < 1e-3, `step 0 ${start} eV vs predict ${predictedEnergy} eV`);
  const [row] = csvRows(out);
  assert.ok(Number(row!.energy) < start, `relaxed ${row!.energy} eV is not below the start ${start} eV`);
  assert.equal(row!.steps, '5');

  const unknown = await cli(['relax', input, '--calculator', 'model:no-such-model', '--out', out]);
  assert.equal(unknown.code, EXIT.usage);
  assert.match(unknown.stderr, /no shipped model named 'no-such-model' \(shipped: .*model:egnn-ethanol-rmd17/);
});

test('the calculator catalogue lists xtb methods, every shipped model by catalogue name and the analytic potentials', async () => {
  const { calculatorEntries, createCalculator, UnknownCalculatorError } = await import('../../main/calc/calculator-catalogue');
  const entries = await calculatorEntries();
  const ids = entries.map((e) => e.id);
  assert.deepEqual(ids.slice(0, 3), ['xtb:gfn2', 'xtb:gfn1', 'xtb:gfnff']);
  assert.deepEqual(ids.slice(-2), ['lj', 'morse']);
  const shipped = readdirSync(new URL('../../assets/models/benchmarks/', import.meta.url)).filter((f) => f.endsWith('.model.json'));
  for (const file of shipped) assert.ok(ids.includes(`model:${file.replace('.model.json', '')}`), `${file} is listed`);
  const mace = entries.find((e) => e.id === 'model:mace-ethanol-rmd17')!;
  assert.equal(mace.available, true);
  assert.deepEqual([...(mace.description.elements as number[])].sort((a, b) => a - b), [1, 6, 8]);
  for (const e of entries) assert.equal(e.description.id, e.id);
  if (xtbFound) assert.equal(entries[0]!.available, true);
  await assert.rejects(createCalculator('dftb'), UnknownCalculatorError);
  const lj = await createCalculator('LJ');
  assert.equal(lj.description.id, 'lj');
});
