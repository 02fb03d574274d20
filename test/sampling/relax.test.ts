/**
 * relax() against ASE 3.22.1 (fixture from test/fixtures/sampling/make-relax-fixture.py): FIRE and L-BFGS
 * trajectories step for step, the minima of FIRE / LBFGS / BFGS, fixed atoms, FrechetCellFilter cell relaxation
 * of a strained LJ fcc crystal, and the run's end states (max-steps, stopped, cancelled).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CalculationError, type CalcResult, type Calculator } from '../../core/calc/calculator';
import { SELECTIVE_DYNAMICS_ARRAY } from '../../core/formats/poscar/index';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import type { RelaxOptions } from '../../core/sampling/options';
import { FrechetCellFilter } from '../../core/sampling/relax/cell-filter';
import { relax } from '../../core/sampling/relax/relax';
import { createStructure, type Structure } from '../../core/structure/structure';
import { seededRandom } from '../../core/util/seeded-random';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';

interface AseRun {
  steps: number;
  energy: number;
  final: number[];
  trajectory: number[][];
  cells: number[][];
  finalCell: number[];
  volume?: number;
}
interface Fixture {
  steps: number;
  fmax: number;
  clusters: Array<{ name: string; nAtoms: number; rc: number; positions: number[]; fire: AseRun; lbfgs: AseRun; bfgs: { steps: number; energy: number } }>;
  fixed: { name: string; nAtoms: number; rc: number; fixed: number[]; positions: number[]; fire: AseRun };
  crystal: {
    rc: number;
    positions: number[];
    idealPositions: number[];
    cell: number[];
    references: Array<{ pressure: number; energy: number; volume: number; latticeConstant: number }>;
    fccLatticeConstant: Record<string, number>;
    frechetFire: AseRun;
    constrainedFire: AseRun;
    constrainedFrechetFire: AseRun;
  };
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sampling/relax-ase.json', import.meta.url), 'utf8')) as Fixture;

function argonCluster(positions: readonly number[], name: string): Structure {
  return createStructure({ name, numbers: new Array(positions.length / 3).fill(18), positions });
}

async function collect(run: AsyncGenerator<SamplerFrame, SamplerReport>): Promise<{ frames: SamplerFrame[]; report: SamplerReport }> {
  const frames: SamplerFrame[] = [];
  for (;;) {
    const next = await run.next();
    if (next.done) return { frames, report: next.value };
    frames.push(next.value);
  }
}

function maxDeviation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Largest |ours − ASE's| position over the fixture's first steps (Å). */
function trajectoryDeviation(frames: readonly SamplerFrame[], ase: AseRun, withCell = false): number {
  let max = 0;
  for (let s = 0; s < ase.trajectory.length; s++) {
    assert.ok(frames[s], `our run ended before step ${s}`);
    max = Math.max(max, maxDeviation(frames[s]!.positions, ase.trajectory[s]!));
    if (withCell) max = Math.max(max, maxDeviation(frames[s]!.cell!, ase.cells[s]!));
  }
  return max;
}

for (const cluster of fixture.clusters) {
  test(`FIRE on ${cluster.name} follows ASE FIRE step for step (${fixture.steps} steps) and reaches ASE's FIRE, LBFGS and BFGS minimum`, async (t) => {
    const calculator = createLennardJonesCalculator({ rc: cluster.rc });
    const { frames, report } = await collect(relax(argonCluster(cluster.positions, cluster.name), calculator, { optimizer: 'fire', fmax: fixture.fmax, maxSteps: 5000 }));
    const deviation = trajectoryDeviation(frames, cluster.fire);
    assert.ok(deviation < 1e-8, `largest position deviation from ASE FIRE over ${fixture.steps} steps: ${deviation} Å`);
    assert.equal(report.status, 'converged', report.summary);
    assert.equal(report.steps, cluster.fire.steps, 'same number of steps as ASE FIRE');
    assert.equal(report.calculatorCalls, report.steps + 1);
    assert.equal(frames.length, report.steps + 1);
    assert.ok(frames.at(-1)!.fmax < fixture.fmax);
    const energy = frames.at(-1)!.energy;
    t.diagnostic(`FIRE ${cluster.name}: ${report.steps} steps (ASE ${cluster.fire.steps}), max |Δr| over ${fixture.steps} steps ${deviation.toExponential(2)} Å, E − E_ASE(FIRE, LBFGS, BFGS) = ${[cluster.fire, cluster.lbfgs, cluster.bfgs].map((r) => (energy - r.energy).toExponential(2)).join(', ')} eV`);
    for (const reference of [cluster.fire.energy, cluster.lbfgs.energy, cluster.bfgs.energy]) {
      assert.ok(Math.abs(energy - reference) < 1e-6, `final energy ${energy} eV, ASE ${reference} eV`);
    }
    assert.ok(maxDeviation(frames.at(-1)!.positions, cluster.fire.final) < 1e-6);
  });

  test(`L-BFGS on ${cluster.name} follows ASE LBFGS step for step and reaches ASE's FIRE, LBFGS and BFGS minimum`, async (t) => {
    const calculator = createLennardJonesCalculator({ rc: cluster.rc });
    const { frames, report } = await collect(relax(argonCluster(cluster.positions, cluster.name), calculator, { optimizer: 'lbfgs', fmax: fixture.fmax, maxSteps: 5000 }));
    const deviation = trajectoryDeviation(frames, cluster.lbfgs);
    assert.ok(deviation < 1e-8, `largest position deviation from ASE LBFGS: ${deviation} Å`);
    assert.equal(report.status, 'converged', report.summary);
    assert.equal(report.steps, cluster.lbfgs.steps, 'same number of steps as ASE LBFGS');
    const energy = frames.at(-1)!.energy;
    t.diagnostic(`L-BFGS ${cluster.name}: ${report.steps} steps (ASE ${cluster.lbfgs.steps}), max |Δr| over ${fixture.steps} steps ${deviation.toExponential(2)} Å, E − E_ASE(FIRE, LBFGS, BFGS) = ${[cluster.fire, cluster.lbfgs, cluster.bfgs].map((r) => (energy - r.energy).toExponential(2)).join(', ')} eV`);
    for (const reference of [cluster.fire.energy, cluster.lbfgs.energy, cluster.bfgs.energy]) {
      assert.ok(Math.abs(energy - reference) < 1e-6, `final energy ${energy} eV, ASE ${reference} eV`);
    }
  });
}

test('fixed atoms keep exactly their coordinates in every frame, and the rest follows ASE FIRE with FixAtoms', async (t) => {
  const { fixed } = fixture;
  for (const optimizer of ['fire', 'lbfgs'] as const) {
    const structure = argonCluster(fixed.positions, fixed.name);
    const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: fixed.rc }), { optimizer, fixed: new Set(fixed.fixed), fmax: fixture.fmax, maxSteps: 5000 }));
    assert.equal(report.status, 'converged', report.summary);
    for (const frame of frames) {
      for (const atom of fixed.fixed) {
        for (let k = 0; k < 3; k++) assert.equal(frame.positions[3 * atom + k], structure.positions[3 * atom + k], `${optimizer} step ${frame.step}: atom ${atom + 1} moved`);
      }
    }
    // fmax ignores the fixed atoms: their raw forces stay large.
    const last = frames.at(-1)!;
    assert.ok(Math.hypot(last.forces[3 * fixed.fixed[0]!]!, last.forces[3 * fixed.fixed[0]! + 1]!, last.forces[3 * fixed.fixed[0]! + 2]!) > 10 * fixture.fmax);
    assert.ok(Math.abs(last.energy - fixed.fire.energy) < 1e-6, `${optimizer}: ${last.energy} eV, ASE FIRE ${fixed.fire.energy} eV`);
    if (optimizer === 'fire') {
      const deviation = trajectoryDeviation(frames, fixed.fire);
      t.diagnostic(`FIRE with FixAtoms: ${report.steps} steps (ASE ${fixed.fire.steps}), max |Δr| ${deviation.toExponential(2)} Å, ΔE ${(last.energy - fixed.fire.energy).toExponential(2)} eV`);
      assert.ok(deviation < 1e-8, `deviation from ASE FIRE with FixAtoms: ${deviation} Å`);
      assert.equal(report.steps, fixed.fire.steps);
    }
  }
});

test("POSCAR selective-dynamics flags fix atoms with 'F F F' completely and the 'F' axes of the others", async () => {
  const { fixed } = fixture;
  const nAtoms = fixed.nAtoms;
  const mask = new Uint8Array(3 * nAtoms).fill(1);
  mask.fill(0, 0, 3); // atom 1: F F F
  mask[3 * 4 + 2] = 0; // atom 5: T T F (a molecule: the Cartesian z is kept)
  const structure = createStructure({
    name: 'selective',
    numbers: new Array(nAtoms).fill(18),
    positions: fixed.positions,
    atomArrays: { [SELECTIVE_DYNAMICS_ARRAY]: { kind: 'bool', width: 3, data: mask } },
  });
  const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: fixed.rc }), { fmax: 1e-3, fixed: new Set([7]), maxSteps: 2000 }));
  assert.equal(report.status, 'converged', report.summary);
  const last = frames.at(-1)!;
  for (const atom of [0, 7]) for (let k = 0; k < 3; k++) assert.equal(last.positions[3 * atom + k], structure.positions[3 * atom + k]);
  assert.equal(last.positions[3 * 4 + 2], structure.positions[3 * 4 + 2]);
  assert.ok(Math.abs(last.positions[3 * 4]! - structure.positions[3 * 4]!) > 1e-4, 'atom 5 still moves along x');
});

function crystalStructure(positions: readonly number[]): Structure {
  return createStructure({ name: 'LJ fcc', numbers: [18, 18, 18, 18], positions, cell: fixture.crystal.cell, pbc: [true, true, true] });
}

function cellVolume(cell: ArrayLike<number>): number {
  const [a, b, c, d, e, f, g, h, i] = Array.from(cell) as number[];
  return Math.abs(a! * (e! * i! - f! * h!) - b! * (d! * i! - f! * g!) + c! * (d! * h! - e! * g!));
}

test('relaxCell with FIRE follows the FrechetCellFilter + FIRE of ASE 3.23 step for step and ends at the LJ fcc lattice constant', async (t) => {
  const { crystal } = fixture;
  const calculator = createLennardJonesCalculator({ rc: crystal.rc, smooth: true });
  const { frames, report } = await collect(relax(crystalStructure(crystal.positions), calculator, { relaxCell: true, fmax: 1e-4, maxSteps: 3000 }));
  assert.equal(report.status, 'converged', report.summary);
  const deviation = trajectoryDeviation(frames, crystal.frechetFire, true);
  assert.ok(deviation < 1e-8, `deviation from ASE FrechetCellFilter + FIRE (positions and cell): ${deviation} Å`);
  assert.equal(report.steps, crystal.frechetFire.steps);
  const a = Math.cbrt(cellVolume(frames.at(-1)!.cell!));
  const reference = crystal.fccLatticeConstant['0.0']!;
  t.diagnostic(`FIRE + cell filter: ${report.steps} steps (ASE ${crystal.frechetFire.steps}), max |Δr|, |Δcell| ${deviation.toExponential(2)} Å, a = ${a} Å, fcc minimum ${reference} Å (Δ ${(a - reference).toExponential(2)})`);
  assert.ok(Math.abs(a - reference) < 1e-5, `lattice constant ${a} Å, fcc minimum ${reference} Å (ExpCellFilter + BFGS ${crystal.references[0]!.latticeConstant})`);
});

test("POSCAR selective dynamics in a crystal ('F F F' atom 4, 'T F T' atom 2) follow ASE's FixAtoms and FixScaled step for step, with and without relaxCell", async (t) => {
  const { crystal } = fixture;
  const mask = new Uint8Array(12).fill(1);
  mask.fill(0, 9, 12);
  mask[3 + 1] = 0;
  const structure = createStructure({
    name: 'LJ fcc, selective dynamics',
    numbers: [18, 18, 18, 18],
    positions: crystal.positions,
    cell: crystal.cell,
    pbc: [true, true, true],
    atomArrays: { [SELECTIVE_DYNAMICS_ARRAY]: { kind: 'bool', width: 3, data: mask } },
  });
  for (const [relaxCell, reference] of [[false, crystal.constrainedFire], [true, crystal.constrainedFrechetFire]] as const) {
    const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: crystal.rc, smooth: true }), { relaxCell, fmax: 1e-4, maxSteps: 3000 }));
    assert.equal(report.status, 'converged', report.summary);
    const deviation = trajectoryDeviation(frames, reference, true);
    t.diagnostic(`relaxCell ${relaxCell}: ${report.steps} steps (ASE ${reference.steps}), max |Δr|, |Δcell| ${deviation.toExponential(2)} Å, ΔE ${(frames.at(-1)!.energy - reference.energy).toExponential(2)} eV`);
    assert.ok(deviation < 1e-8, `relaxCell ${relaxCell}: deviation from ASE ${deviation} Å`);
    assert.equal(report.steps, reference.steps);
    assert.ok(Math.abs(frames.at(-1)!.energy - reference.energy) < 1e-8);
    if (!relaxCell) {
      for (const frame of frames) for (let k = 0; k < 3; k++) assert.equal(frame.positions[9 + k], structure.positions[9 + k]);
    }
  }
});

test('relaxCell with L-BFGS reaches the ExpCellFilter + BFGS lattice constant at zero pressure and at 0.5 eV/Å³', async (t) => {
  const { crystal } = fixture;
  for (const reference of crystal.references) {
    const calculator = createLennardJonesCalculator({ rc: crystal.rc, smooth: true });
    const { frames, report } = await collect(relax(crystalStructure(crystal.idealPositions), calculator, { optimizer: 'lbfgs', relaxCell: true, pressure: reference.pressure, fmax: 1e-5, maxSteps: 1000 }));
    assert.equal(report.status, 'converged', report.summary);
    const last = frames.at(-1)!;
    const a = Math.cbrt(cellVolume(last.cell!));
    t.diagnostic(`L-BFGS + cell filter, p = ${reference.pressure}: ${report.steps} steps, a = ${a} Å, ASE ${reference.latticeConstant} Å (Δ ${(a - reference.latticeConstant).toExponential(2)}), ΔE ${(last.energy - reference.energy).toExponential(2)} eV`);
    assert.ok(Math.abs(a - reference.latticeConstant) < 1e-6, `p = ${reference.pressure}: ${a} Å, ASE ${reference.latticeConstant} Å`);
    assert.ok(Math.abs(last.energy - reference.energy) < 1e-6);
    // At the minimum σ = −p I.
    for (const k of [0, 4, 8]) assert.ok(Math.abs(last.stress![k]! + reference.pressure) < 1e-4, `σ_${k} = ${last.stress![k]}`);
  }
});

test('maxSteps reached ends with max-steps after maxSteps + 1 calculator calls', async () => {
  const cluster = fixture.clusters[2]!;
  const { frames, report } = await collect(relax(argonCluster(cluster.positions, cluster.name), createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'fire', fmax: 1e-4, maxSteps: 7 }));
  assert.equal(report.status, 'max-steps');
  assert.equal(report.steps, 7);
  assert.equal(report.calculatorCalls, 8);
  assert.deepEqual(frames.map((f) => f.step), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.match(report.summary, /^not converged in 7 steps: fmax \d+\.\d+ eV\/Å ≥ 0\.0001$/);
});

/** Wraps a calculator so that its n-th call (0-based) returns `error`. */
function failingAt(inner: Calculator, call: number, error: Error): Calculator {
  let calls = 0;
  return {
    description: inner.description,
    unsupportedReason: (s) => inner.unsupportedReason(s),
    async calculate(structures, request): Promise<Array<CalcResult | Error>> {
      const results = await inner.calculate(structures, request);
      return calls++ === call ? [error] : results;
    },
  };
}

test('a calculator error ends the run with stopped, the step and the atoms, and the frames before it are kept', async () => {
  const cluster = fixture.clusters[0]!;
  const calculator = failingAt(createLennardJonesCalculator({ rc: cluster.rc }), 3, new CalculationError('LJ7: forces on atom 4 are not finite', [3]));
  const { frames, report } = await collect(relax(argonCluster(cluster.positions, cluster.name), calculator, { optimizer: 'lbfgs' }));
  assert.equal(report.status, 'stopped');
  assert.equal(frames.length, 3);
  assert.equal(report.problem?.kind, 'calculator-error');
  assert.equal(report.problem?.step, 3);
  assert.deepEqual(report.problem?.atoms, [3]);
  assert.match(report.summary, /step 3: LJ7: forces on atom 4 are not finite/);
});

test('an abort between steps ends the run with cancelled and keeps the frames', async () => {
  const cluster = fixture.clusters[1]!;
  const controller = new AbortController();
  const run = relax(argonCluster(cluster.positions, cluster.name), createLennardJonesCalculator({ rc: cluster.rc }), { signal: controller.signal });
  const frames: SamplerFrame[] = [];
  let report: SamplerReport | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) {
      report = next.value;
      break;
    }
    frames.push(next.value);
    if (next.value.step === 3) controller.abort();
  }
  assert.equal(report.status, 'cancelled');
  assert.equal(frames.length, 4);
  assert.equal(report.steps, 3);
  assert.equal(report.calculatorCalls, 4);
});

test('an element the calculator does not cover stops the run before the first calculation', async () => {
  const cluster = fixture.clusters[0]!;
  const inner = createLennardJonesCalculator({ rc: cluster.rc });
  const calculator: Calculator = { ...inner, description: { ...inner.description, name: 'argon LJ', elements: [18] }, unsupportedReason: (s) => (s.numbers.includes(6) ? 'knows Ar only' : undefined) };
  const numbers = new Array(cluster.nAtoms).fill(18);
  numbers[2] = 6;
  const { frames, report } = await collect(relax(createStructure({ name: 'mixed', numbers, positions: cluster.positions }), calculator));
  assert.equal(frames.length, 0);
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'uncovered-element');
  assert.deepEqual(report.problem?.atoms, [2]);
  assert.equal(report.calculatorCalls, 0);
});

test('the watchdog stops a relaxation that pulls two atoms together, naming them', async () => {
  // A calculator pulling atom 2 onto atom 1 with a constant force.
  const calculator: Calculator = {
    description: { id: 'pull', name: 'pull', method: 'analytic', elements: 'all', charge: false, spin: false, periodic: false, stress: false },
    unsupportedReason: () => undefined,
    async calculate(structures) {
      return structures.map((s) => {
        const forces = new Float64Array(s.positions.length);
        for (let k = 0; k < 3; k++) forces[3 + k] = Math.sign(s.positions[k]! - s.positions[3 + k]!) * 5;
        return { energy: 0, forces };
      });
    },
  };
  const structure = createStructure({ name: 'pair', numbers: [6, 6, 6], positions: [0, 0, 0, 1.5, 0, 0, 5, 0, 0] });
  const { frames, report } = await collect(relax(structure, calculator, { optimizer: 'fire', maxSteps: 200 }));
  assert.equal(report.status, 'stopped');
  assert.equal(report.problem?.kind, 'close-contact');
  assert.deepEqual(report.problem?.atoms, [0, 1]);
  assert.equal(frames.at(-1)!.step, report.problem?.step);
});

test('bad options throw a RangeError naming the structure before any calculation', async () => {
  const cluster = fixture.clusters[0]!;
  const structure = argonCluster(cluster.positions, 'LJ7');
  const options: RelaxOptions[] = [{ fmax: -1 }, { maxSteps: 1.5 }, { relaxCell: true }, { fixed: new Set([7]) }, { optimizer: 'lbfgs', maxStep: 2 }];
  for (const option of options) {
    await assert.rejects(collect(relax(structure, createLennardJonesCalculator({ rc: 3 }), option)), (error: Error) => error instanceof RangeError && error.message.includes('LJ7'), JSON.stringify(option, (_k, v: unknown) => (v instanceof Set ? [...v] : v)));
  }
});

test("the cell filter's generalised forces are minus the gradient of E + pV in its coordinates (central differences), off the identity deformation", async () => {
  const { crystal } = fixture;
  const calculator = createLennardJonesCalculator({ rc: crystal.rc, smooth: true });
  const pressure = 0.3;
  const filter = new FrechetCellFilter(Float64Array.from(crystal.positions), crystal.cell, { pressure });
  // Move off F = I: a sheared, stretched log-deformation and displaced atoms.
  const start = filter.positions();
  const random = seededRandom(3);
  for (let k = 0; k < start.length; k++) start[k] = start[k]! + (random() - 0.5) * (k >= 12 ? 0.4 : 0.05);
  const enthalpy = async (generalised: Float64Array): Promise<number> => {
    const { positions, cell } = filter.setPositions(generalised);
    const [result] = await calculator.calculate([createStructure({ numbers: [18, 18, 18, 18], positions, cell, pbc: [true, true, true] })]);
    return (result as CalcResult).energy + pressure * cellVolume(cell);
  };
  const { positions, cell } = filter.setPositions(start);
  const [result] = await calculator.calculate([createStructure({ numbers: [18, 18, 18, 18], positions, cell, pbc: [true, true, true] })], { forces: true, stress: true });
  const analytic = filter.forces((result as CalcResult).forces!, (result as CalcResult).stress!);
  const h = 1e-5;
  for (let k = 0; k < start.length; k++) {
    const plus = Float64Array.from(start);
    const minus = Float64Array.from(start);
    plus[k] = plus[k]! + h;
    minus[k] = minus[k]! - h;
    const numeric = -((await enthalpy(plus)) - (await enthalpy(minus))) / (2 * h);
    assert.ok(Math.abs(numeric - analytic[k]!) < 1e-6 * Math.max(1, Math.abs(numeric)), `coordinate ${k}: −∂H/∂q ${numeric}, filter ${analytic[k]}`);
  }
});
