import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalcResult } from '../../core/calc/calculator';
import { symbolOf } from '../../core/structure/elements';
import { createStructure } from '../../core/structure/structure';
import type { Structure } from '../../core/structure/structure';
import { BOHR_IN_ANGSTROM, HARTREE_IN_EV, createXtbCalculator, xtbBackendStatus } from '../../main/calc/xtb/xtb-calculator';
import { findXtbExecutable, parseTurbomoleGradient } from '../../main/calc/xtb/xtb-executable';
import { loadXtbAddon } from '../../main/calc/xtb/load-xtb-addon';
import type { XtbAddon, XtbRawResult } from '../../main/calc/xtb/load-xtb-addon';

// 20 molecules from RDKit (test/fixtures/calc/xtb-make-molecules.py): neutral drug-like, ions, radicals, a triplet.
interface FixtureMolecule {
  readonly name: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly numbers: number[];
  readonly positions: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/calc/xtb-molecules.json', import.meta.url), 'utf8')) as { molecules: FixtureMolecule[] };
const molecules: Structure[] = fixture.molecules.map((m) => createStructure({ name: m.name, numbers: m.numbers, positions: m.positions, charge: m.charge, multiplicity: m.multiplicity }));
const byName = (name: string): Structure => molecules.find((m) => m.name === name)!;

const env = { ...process.env, EQUIMOL_XTB_THREADS: '1' };
const addonStatus = xtbBackendStatus('gfn2', 'addon', env);
const addon: XtbAddon | undefined = addonStatus.backend === 'addon' ? addonStatus.addon : undefined;
const executable = findXtbExecutable(env);
const noAddon = addon ? false : `the libxtb addon is not available: ${addonStatus.backend ? '' : addonStatus.reason}`;
const noExecutable = executable ? false : 'the xtb executable is not on PATH (Debian: apt install xtb)';
const noBoth = noAddon || noExecutable;

function ok(result: CalcResult | Error | undefined): CalcResult {
  if (!result || result instanceof Error) throw result ?? new Error('no result');
  return result;
}

function addonRaw(structure: Structure, method: 'gfn2' | 'gfn1' = 'gfn2'): Promise<XtbRawResult> {
  return addon!.calculate({
    numbers: Int32Array.from(structure.numbers),
    positions: Float64Array.from(structure.positions, (x) => x / BOHR_IN_ANGSTROM),
    charge: structure.charge,
    uhf: structure.multiplicity - 1,
    method,
    accuracy: 1,
    maxIterations: 250,
    electronicTemperature: 300,
  });
}

/** `xtb mol.xyz --gfn 2 --chrg C --uhf U --grad` run here, as a user would: energy (Eh) and gradient (Eh/bohr). */
function xtbOnXyz(structure: Structure): { energy: number; gradient: Float64Array; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-xtb-test-'));
  try {
    const n = structure.numbers.length;
    const lines = [String(n), structure.name];
    for (let i = 0; i < n; i++) lines.push(`${symbolOf(structure.numbers[i]!)} ${[0, 1, 2].map((k) => structure.positions[3 * i + k]!.toFixed(10)).join(' ')}`);
    writeFileSync(join(dir, 'mol.xyz'), `${lines.join('\n')}\n`);
    const started = performance.now();
    const run = spawnSync(executable!, ['mol.xyz', '--gfn', '2', '--chrg', String(structure.charge), '--uhf', String(structure.multiplicity - 1), '--grad'], { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8' });
    const ms = performance.now() - started;
    assert.equal(run.status, 0, `xtb failed on ${structure.name}: ${run.stderr}`);
    return { ...parseTurbomoleGradient(readFileSync(join(dir, 'gradient'), 'utf8'), n), ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('the libxtb addon gives the energies (1e-6 Eh) and gradients (1e-5 Eh/bohr) of `xtb --grad` on .xyz files for 20 molecules, ions and radicals', { skip: noBoth }, async (t) => {
  let maxEnergy = 0;
  let maxGradient = 0;
  for (const molecule of molecules) {
    const reference = xtbOnXyz(molecule);
    const raw = await addonRaw(molecule);
    const dE = Math.abs(raw.energy - reference.energy);
    const dG = maxAbsDifference(raw.gradient, reference.gradient);
    assert.ok(dE < 1e-6, `${molecule.name}: energy ${raw.energy} vs xtb ${reference.energy} Eh`);
    assert.ok(dG < 1e-5, `${molecule.name}: gradient differs by ${dG} Eh/bohr`);
    maxEnergy = Math.max(maxEnergy, dE);
    maxGradient = Math.max(maxGradient, dG);
  }
  t.diagnostic(`addon vs xtb --grad over ${molecules.length} molecules: max |ΔE| ${maxEnergy.toExponential(2)} Eh, max |Δg| ${maxGradient.toExponential(2)} Eh/bohr`);
});

test('the executable backend gives the addon backend’s energies, forces, charges, dipoles and frontier orbitals', { skip: noBoth }, async (t) => {
  const viaAddon = createXtbCalculator({ backend: 'addon', env });
  const viaExecutable = createXtbCalculator({ backend: 'executable', env });
  assert.match(viaAddon.description.name, /libxtb/);
  assert.match(viaExecutable.description.name, /executable/);
  let started = performance.now();
  const a = await viaAddon.calculate(molecules, { forces: true });
  const addonMs = performance.now() - started;
  started = performance.now();
  const e = await viaExecutable.calculate(molecules, { forces: true });
  const executableMs = performance.now() - started;
  const paracetamol = [byName('paracetamol'), byName('paracetamol'), byName('paracetamol')];
  started = performance.now();
  await viaAddon.calculate(paracetamol, { forces: true });
  const addonParacetamol = (performance.now() - started) / 3;
  started = performance.now();
  await viaExecutable.calculate(paracetamol, { forces: true });
  const executableParacetamol = (performance.now() - started) / 3;
  t.diagnostic(`GFN2 single point, ms per structure: 20 molecules addon ${(addonMs / 20).toFixed(0)}, executable ${(executableMs / 20).toFixed(0)}; paracetamol (20 atoms) addon ${addonParacetamol.toFixed(0)}, executable ${executableParacetamol.toFixed(0)}`);
  let maxForce = 0;
  for (let s = 0; s < molecules.length; s++) {
    const name = molecules[s]!.name;
    const ra = ok(a[s]);
    const re = ok(e[s]);
    assert.ok(Math.abs(ra.energy - re.energy) < 1e-6 * HARTREE_IN_EV, `${name}: energy ${ra.energy} vs ${re.energy} eV`);
    const dF = maxAbsDifference(ra.forces!, re.forces!);
    maxForce = Math.max(maxForce, dF);
    assert.ok(dF < (1e-5 * HARTREE_IN_EV) / BOHR_IN_ANGSTROM, `${name}: forces differ by ${dF} eV/Å`);
    assert.ok(maxAbsDifference(ra.atomArrays!.charges!, re.atomArrays!.charges!) < 2e-6, `${name}: charges`);
    assert.ok(maxAbsDifference(ra.extras!.dipole as number[], re.extras!.dipole as number[]) < 1e-6, `${name}: dipole`);
    for (const key of ['homo', 'lumo', 'gap']) assert.ok(Math.abs((ra.extras![key] as number) - (re.extras![key] as number)) < 1e-5, `${name}: ${key}`);
  }
  // The charges sum to the total charge, the ions' and the radicals' alike.
  for (let s = 0; s < molecules.length; s++) {
    const sum = ok(a[s]).atomArrays!.charges!.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum - molecules[s]!.charge) < 1e-6, `${molecules[s]!.name}: charges sum to ${sum}`);
  }
  t.diagnostic(`executable vs addon: max |ΔF| ${maxForce.toExponential(2)} eV/Å`);
});

test('addon forces equal minus central finite differences of its own energy (water, acetate, methyl radical, triplet O2)', { skip: noAddon }, async (t) => {
  const calculator = createXtbCalculator({ backend: 'addon', accuracy: 0.01, env });
  const h = 1e-3; // Å
  let maxDeviation = 0;
  for (const name of ['water', 'acetate', 'methyl radical', 'triplet oxygen']) {
    const molecule = byName(name);
    const forces = ok((await calculator.calculate([molecule], { forces: true }))[0]).forces!;
    const displaced: Structure[] = [];
    for (let c = 0; c < molecule.positions.length; c++) {
      for (const sign of [1, -1]) {
        const positions = Float64Array.from(molecule.positions);
        positions[c]! += sign * h;
        displaced.push({ ...molecule, positions });
      }
    }
    const energies = (await calculator.calculate(displaced)).map((r) => ok(r).energy);
    for (let c = 0; c < molecule.positions.length; c++) {
      const numeric = -(energies[2 * c]! - energies[2 * c + 1]!) / (2 * h);
      assert.ok(Math.abs(numeric - forces[c]!) < 2e-4, `${name} coordinate ${c + 1}: force ${forces[c]} vs −dE/dx ${numeric} eV/Å`);
      maxDeviation = Math.max(maxDeviation, Math.abs(numeric - forces[c]!));
    }
  }
  t.diagnostic(`forces vs −central differences (h = ${h} Å): max deviation ${maxDeviation.toExponential(2)} eV/Å`);
});

test('repeated single points of one molecule reuse the cached calculator and give the same bits as fresh ones; a failed SCF and another molecule drop it', { skip: noAddon }, async () => {
  const displaced = (structure: Structure, k: number): Structure =>
    createStructure({ ...structure, positions: structure.positions.map((x, i) => x + 0.03 * Math.sin(7 * i + k)) });
  const caffeine = byName('caffeine');
  const geometries = [0, 1, 2, 3].map((k) => displaced(caffeine, k));
  // Fresh: each call follows a call of another molecule, so none is served from the cache.
  const fresh: XtbRawResult[] = [];
  for (const geometry of geometries) {
    await addonRaw(byName('water'));
    const before = addon!.cacheHits();
    fresh.push(await addonRaw(geometry));
    assert.equal(addon!.cacheHits(), before, 'a call after another molecule must build a new calculator');
  }
  const before = addon!.cacheHits();
  const cached: XtbRawResult[] = [];
  for (const geometry of geometries) cached.push(await addonRaw(geometry));
  assert.equal(addon!.cacheHits() - before, geometries.length, 'each call after the first caffeine call reuses its calculator');
  cached.forEach((result, k) => {
    assert.equal(result.energy, fresh[k]!.energy, `geometry ${k + 1}: energy`);
    assert.deepEqual(Array.from(result.gradient), Array.from(fresh[k]!.gradient), `geometry ${k + 1}: gradient`);
    assert.deepEqual(Array.from(result.charges), Array.from(fresh[k]!.charges), `geometry ${k + 1}: charges`);
  });
  // Other SCF settings are another calculator; a failed SCF is not kept.
  const failing = { numbers: Int32Array.from(caffeine.numbers), positions: Float64Array.from(caffeine.positions, (x) => x / BOHR_IN_ANGSTROM), charge: 0, uhf: 0, method: 'gfn2' as const, accuracy: 1, maxIterations: 8, electronicTemperature: 300 };
  await assert.rejects(addon!.calculate(failing), /did not converge/);
  await assert.rejects(addon!.calculate(failing), /did not converge/);
  const afterFailures = addon!.cacheHits();
  assert.equal((await addonRaw(geometries[0]!)).energy, fresh[0]!.energy);
  assert.equal(addon!.cacheHits(), afterFailures, 'the settings changed, so the next call builds a calculator');
});

test('an SCF that does not converge is an error naming that structure; the others in the batch still get results', { skip: noAddon && noExecutable }, async () => {
  // With 8 SCC iterations water and ammonium converge, caffeine and aspirin do not.
  const backends = [...(noAddon ? [] : ['addon' as const]), ...(noExecutable ? [] : ['executable' as const])];
  for (const backend of backends) {
    const calculator = createXtbCalculator({ maxIterations: 8, backend, env });
    const results = await calculator.calculate([byName('water'), byName('caffeine'), byName('ammonium'), byName('aspirin')], { forces: true });
    assert.ok(Number.isFinite(ok(results[0]).energy), backend);
    assert.ok(Number.isFinite(ok(results[2]).energy), backend);
    for (const [index, name] of [[1, 'caffeine'], [3, 'aspirin']] as const) {
      const error = results[index];
      assert.ok(error instanceof Error, `${backend}: ${name} should fail`);
      assert.match(error.message, new RegExp(`^${name}: GFN2-xTB \\(.*\\): .*Self consistent charge iterator did not converge`), backend);
    }
  }
});

test('the backend status says which backend runs and why, and why none can', { skip: noExecutable }, async () => {
  const disabled = xtbBackendStatus('gfn2', 'auto', { ...env, EQUIMOL_XTB: '0' });
  assert.equal(disabled.backend, 'executable');
  assert.match(disabled.backend === 'executable' ? disabled.detail : '', /^xtb executable .* \(the libxtb addon is disabled \(EQUIMOL_XTB=0\)\)$/);
  const gfnff = xtbBackendStatus('gfnff', 'auto', env);
  assert.equal(gfnff.backend, 'executable');
  const none = xtbBackendStatus('gfn2', 'auto', { EQUIMOL_XTB: '0', PATH: '' });
  assert.equal(none.backend, undefined);
  assert.match(none.backend === undefined ? none.reason : '', /EQUIMOL_XTB=0.*no xtb executable on PATH/);
  assert.throws(() => createXtbCalculator({ env: { EQUIMOL_XTB: '0', PATH: '' } }), /^Error: GFN2-xTB is not available: /);
  assert.throws(() => createXtbCalculator({ backend: 'addon', method: 'gfnff', env }), /GFN-FF runs the xtb executable/);
  const aborted = new AbortController();
  aborted.abort(new Error('stopped by the test'));
  await assert.rejects(createXtbCalculator({ env }).calculate([byName('water')], { signal: aborted.signal }), /stopped by the test/);
});

test('an element beyond Rn, coincident atoms, an impossible multiplicity or a GFN2 cell give Errors naming the structure, never NaN', { skip: noAddon && noExecutable }, async () => {
  const calculator = createXtbCalculator({ env });
  const uranium = createStructure({ name: 'uranyl', numbers: [92, 8, 8], positions: [0, 0, 0, 0, 0, 1.8, 0, 0, -1.8], charge: 2 });
  const collapsed = createStructure({ name: 'collapsed water', numbers: [8, 1, 1], positions: [0, 0, 0, 0, 0, 0, 0.9, 0, 0] });
  const wrongSpin = createStructure({ name: 'singlet methyl', numbers: [6, 1, 1, 1], positions: byName('methyl radical').positions, multiplicity: 1 });
  const crystal = createStructure({ name: 'water box', numbers: [8, 1, 1], positions: byName('water').positions, cell: [10, 0, 0, 0, 10, 0, 0, 0, 10] });
  const results = await calculator.calculate([uranium, collapsed, wrongSpin, crystal, byName('water')], { forces: true });
  const messages = results.slice(0, 4).map((r) => (r instanceof Error ? r.message : `no error: ${JSON.stringify(r)}`));
  assert.match(messages[0]!, /^uranyl: GFN2-xTB \(libxtb\) covers H to Rn \(Z 1 to 86\); this structure has U$/);
  assert.match(messages[1]!, /^collapsed water: atoms 1 and 2 are 0\.000 Å apart/);
  assert.match(messages[2]!, /^singlet methyl: 9 electrons cannot have multiplicity 1/);
  assert.match(messages[3]!, /^water box: libxtb 6\.5 has no GFN2-xTB cells/);
  assert.ok(Number.isFinite(ok(results[4]).energy));
  assert.equal(calculator.unsupportedReason(byName('caffeine')), undefined);
});

test('the addon itself rejects bad input with errors (not a crash) and rejects coincident atoms with libxtb’s message', { skip: noAddon }, async () => {
  const base = { charge: 0, uhf: 0, method: 'gfn2' as const, accuracy: 1, maxIterations: 250, electronicTemperature: 300 };
  await assert.rejects(addon!.calculate({ ...base, numbers: new Int32Array([8, 1, 1]), positions: new Float64Array(9) }), /libxtb molecule: .*Could not generate molecular structure/);
  assert.throws(() => addon!.calculate({ ...base, numbers: new Int32Array([87]), positions: new Float64Array(3) }), /atom 1 has atomic number 87/);
  assert.throws(() => addon!.calculate({ ...base, numbers: new Int32Array([1, 1]), positions: new Float64Array(3) }), /positions has 3 values for 2 atoms/);
  assert.throws(() => addon!.calculate({ ...base, numbers: new Int32Array([1, 1]), positions: new Float64Array([0, 0, 0, 0, 0, Number.NaN]) }), /atom 2 has a non-finite coordinate/);
});

test('periodic cells are refused with the measured reason for every method, before any calculation', { skip: noAddon && noExecutable }, async () => {
  const water = byName('water');
  const box = createStructure({ name: 'water box', numbers: water.numbers, positions: water.positions, cell: [12, 0, 0, 0, 12, 0, 0, 0, 12] });
  const expected = { gfn2: /no GFN2-xTB cells/, gfn1: /GFN1-xTB cells in xtb 6\.5 gave wrong energies/, gfnff: /cannot set up GFN-FF for a cell/ } as const;
  for (const method of ['gfn2', 'gfn1', 'gfnff'] as const) {
    if (method === 'gfnff' && noExecutable) continue;
    const calculator = createXtbCalculator({ method, env });
    assert.equal(calculator.description.periodic, false);
    assert.match(calculator.unsupportedReason(box)!, expected[method]);
    const [result] = await calculator.calculate([box]);
    assert.ok(result instanceof Error && result.message.startsWith('water box: '), `${method}: ${String(result)}`);
  }
});

test('GFN-FF runs the executable in a temporary folder and leaves nothing in the working directory', { skip: noExecutable }, async () => {
  const before = readdirSync(process.cwd()).sort();
  const gfnff = createXtbCalculator({ method: 'gfnff', env });
  assert.equal(gfnff.description.id, 'xtb:gfnff');
  const [result] = await gfnff.calculate([byName('paracetamol')], { forces: true });
  const r = ok(result);
  assert.ok(Number.isFinite(r.energy) && r.forces!.length === 60 && r.atomArrays!.charges!.length === 20);
  assert.deepEqual(readdirSync(process.cwd()).sort(), before);
});

test('the addon prints nothing on stdout or stderr, even for a failing SCF', { skip: noAddon }, () => {
  const load = loadXtbAddon(env);
  assert.ok(load.addon);
  const path = load.path;
  const script = `const x = require(${JSON.stringify(path)});
    const p = new Float64Array([0, 0, 0.2, 0, 1.43, -0.9, 0, -1.43, -0.9]);
    x.calculate({ numbers: new Int32Array([8, 1, 1]), positions: p, method: 'gfn2' })
      .then(() => x.calculate({ numbers: new Int32Array([8, 1, 1]), positions: p, method: 'gfn2', maxIterations: 1 }))
      .catch(() => {});`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: tmpdir() });
  assert.equal(run.status, 0);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, '');
});
