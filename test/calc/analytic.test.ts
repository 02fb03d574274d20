import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLennardJonesCalculator, lennardJonesTerm, type LennardJonesOptions } from '../../core/calc/analytic/lennard-jones';
import { createMorseCalculator, morseTerm, type MorseOptions } from '../../core/calc/analytic/morse';
import { createPairPotentialEvaluator, evaluatePairList, type PairPotential } from '../../core/calc/analytic/pair-potential';
import { buildPairList, type PairList } from '../../core/calc/analytic/verlet-list';
import { seededRandom } from '../../core/util/seeded-random';
import { CalculationError, type CalcResult, type Calculator } from '../../core/calc/calculator';
import { createStructure, type Structure } from '../../core/structure/structure';

interface AseCase {
  name: string;
  calculator: 'lj' | 'morse';
  params: LennardJonesOptions & MorseOptions;
  numbers: number[];
  positions: number[];
  cell: number[] | null;
  pbc: [boolean, boolean, boolean];
  energy: number;
  forces: number[];
  stress: number[] | null;
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/calc/analytic-ase.json'), 'utf8')) as AseCase[];

function calculatorFor(c: AseCase): Calculator {
  return c.calculator === 'lj' ? createLennardJonesCalculator(c.params) : createMorseCalculator(c.params);
}

function structureOf(c: AseCase, positions: ArrayLike<number> = c.positions, cell: ArrayLike<number> | null = c.cell): Structure {
  return createStructure({ name: c.name, numbers: c.numbers, positions, ...(cell ? { cell } : {}), pbc: c.pbc });
}

async function one(calculator: Calculator, structure: Structure, forces = true, stress = true): Promise<CalcResult> {
  const [result] = await calculator.calculate([structure], { forces, stress });
  if (result instanceof Error) throw result;
  return result!;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  return max;
}

function maxDeviation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('Lennard-Jones and Morse equal ASE 3.22.1 (energy, forces, stress) to 1e-10 relative on clusters, strained fcc crystals and a slab', async () => {
  assert.ok(fixture.length >= 10);
  let worst = 0;
  for (const c of fixture) {
    const result = await one(calculatorFor(c), structureOf(c));
    const energyScale = Math.max(1e-3, Math.abs(c.energy));
    const energyError = Math.abs(result.energy - c.energy) / energyScale;
    const forceError = maxDeviation(result.forces!, c.forces) / Math.max(1e-3, maxAbs(c.forces));
    assert.ok(energyError < 1e-10, `${c.name}: energy ${result.energy} vs ASE ${c.energy}`);
    assert.ok(forceError < 1e-10, `${c.name}: forces deviate by ${forceError} relative`);
    worst = Math.max(worst, energyError, forceError);
    if (c.stress) {
      const stressError = maxDeviation(result.stress!, c.stress) / maxAbs(c.stress);
      assert.ok(stressError < 1e-10, `${c.name}: stress deviates by ${stressError} relative`);
      worst = Math.max(worst, stressError);
    } else if (!c.pbc.every((p) => p)) {
      assert.equal(result.stress, undefined, `${c.name}: no stress for a structure that is not fully periodic`);
    }
  }
  console.log(`largest relative deviation from ASE: ${worst.toExponential(2)}`);
});

test('forces equal minus the central finite difference of the energy, for shifted and smooth cutoffs and Morse', async () => {
  const h = 1e-6; // Å
  for (const c of fixture) {
    const calculator = calculatorFor(c);
    const result = await one(calculator, structureOf(c), true, false);
    const positions = Float64Array.from(c.positions);
    const scale = Math.max(1, maxAbs(result.forces!));
    for (const k of [0, 4, 8, positions.length - 1]) {
      const x = positions[k]!;
      positions[k] = x + h;
      const plus = (await one(calculator, structureOf(c, positions), false, false)).energy;
      positions[k] = x - h;
      const minus = (await one(calculator, structureOf(c, positions), false, false)).energy;
      positions[k] = x;
      const numeric = -(plus - minus) / (2 * h);
      assert.ok(Math.abs(numeric - result.forces![k]!) < 2e-6 * scale, `${c.name}: force ${k} = ${result.forces![k]} vs −dE/dx ${numeric}`);
    }
  }
});

test('stress equals the finite-difference strain derivative (1/V) dE/dε of the energy, all nine components', async () => {
  const h = 1e-6;
  const periodic = fixture.filter((c) => c.pbc.every((p) => p));
  assert.ok(periodic.length >= 3);
  for (const c of periodic) {
    const calculator = calculatorFor(c);
    const result = await one(calculator, structureOf(c));
    const cell = c.cell!;
    const volume = Math.abs(
      cell[0]! * (cell[4]! * cell[8]! - cell[5]! * cell[7]!) - cell[1]! * (cell[3]! * cell[8]! - cell[5]! * cell[6]!) + cell[2]! * (cell[3]! * cell[7]! - cell[4]! * cell[6]!),
    );
    const deformed = async (a: number, b: number, amount: number): Promise<number> => {
      // Rows r' = r (1 + ε) with ε = amount · e_a e_bᵀ, for the positions and the cell vectors alike.
      const apply = (rows: readonly number[]) => rows.map((v, k) => (k % 3 === b ? v + amount * rows[k - b + a]! : v));
      return (await one(calculator, structureOf(c, apply(c.positions), apply(cell)), false, false)).energy;
    };
    const scale = maxAbs(result.stress!);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const numeric = ((await deformed(a, b, h)) - (await deformed(a, b, -h))) / (2 * h) / volume;
        assert.ok(Math.abs(numeric - result.stress![3 * a + b]!) < 1e-5 * scale, `${c.name}: stress ${a}${b} = ${result.stress![3 * a + b]} vs ${numeric}`);
      }
    }
  }
});

test('two atoms at the same position give a CalculationError naming them in that slot, the other structures still evaluate', async () => {
  const lj = createLennardJonesCalculator();
  const good = createStructure({ name: 'dimer', numbers: [18, 18], positions: [0, 0, 0, 1.12, 0, 0] });
  const clash = createStructure({ name: 'clash', numbers: [18, 18, 18], positions: [0, 0, 0, 1.5, 0, 0, 1.5, 0, 0] });
  for (const calculator of [lj, createMorseCalculator()]) {
    const results = await calculator.calculate([good, clash, good], { forces: true });
    assert.equal(results.length, 3);
    assert.ok(!(results[0] instanceof Error) && Number.isFinite(results[0]!.energy));
    assert.ok(results[1] instanceof CalculationError, `${calculator.description.id}: clash gives an error`);
    assert.match(results[1].message, /clash/);
    assert.ok(results[1].message.includes('not finite'));
    assert.ok(!(results[2] instanceof Error));
  }
  // The LJ dimer at 1.12 Å sits near the minimum 2^(1/6) σ: energy ≈ −ε + shift, forces tiny and opposite.
  const [dimer] = await lj.calculate([good], { forces: true });
  assert.ok(!(dimer instanceof Error));
  assert.ok(Math.abs(dimer!.energy - (-1 - 4 * (3 ** -12 - 3 ** -6))) < 1e-3);
  assert.ok(Math.abs(dimer!.forces![0]! + dimer!.forces![3]!) < 1e-12);
});

test('a periodic structure without a cell, an empty structure, a NaN position and a cancelled request are reported, not crashed on', async () => {
  const lj = createLennardJonesCalculator();
  const noCell: Structure = { ...createStructure({ name: 'no-cell', numbers: [18], positions: [0, 0, 0] }), pbc: [true, true, true] };
  const empty = createStructure({ name: 'empty', numbers: [], positions: [] });
  const results = await lj.calculate([noCell, empty]);
  assert.ok(results[0] instanceof CalculationError && /no-cell.*no cell/.test(results[0].message));
  assert.ok(results[1] instanceof CalculationError && /no atoms/.test(results[1].message));
  // createStructure refuses NaN; a sampler's step can still produce one.
  const lost: Structure = { ...createStructure({ name: 'lost', numbers: [18, 18], positions: [0, 0, 0, 1, 0, 0] }), positions: Float64Array.of(0, 0, 0, Number.NaN, 0, 0) };
  const [nan] = await lj.calculate([lost], { forces: true });
  assert.ok(nan instanceof CalculationError && /lost.*atom 2 is not finite/.test(nan.message), String(nan));
  assert.deepEqual(nan.atoms, [1]);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(lj.calculate([noCell], { signal: controller.signal }));
  assert.throws(() => createLennardJonesCalculator({ sigma: 0 }), RangeError);
  assert.throws(() => createMorseCalculator({ rcut1: 3, rcut2: 2 }), RangeError);
});

test('a single atom in a small periodic cell feels its own images: LJ fcc primitive cell equals the conventional cell per atom', async () => {
  const a = 2 ** (1 / 6) * Math.SQRT2 * 1.01;
  const lj = createLennardJonesCalculator({ rc: 2.5 });
  const primitive = createStructure({ numbers: [18], positions: [0, 0, 0], cell: [0, a / 2, a / 2, a / 2, 0, a / 2, a / 2, a / 2, 0] });
  const conventional = createStructure({
    numbers: [18, 18, 18, 18],
    positions: [0, 0, 0, 0, a / 2, a / 2, a / 2, 0, a / 2, a / 2, a / 2, 0],
    cell: [a, 0, 0, 0, a, 0, 0, 0, a],
  });
  const p = await one(lj, primitive);
  const c = await one(lj, conventional);
  assert.ok(p.energy < -5, `fcc cohesive energy per atom ${p.energy}`);
  assert.ok(Math.abs(p.energy - c.energy / 4) < 1e-12);
  assert.ok(Math.abs(p.stress![0]! - c.stress![0]!) < 1e-12);
  assert.ok(maxAbs(c.forces!) < 1e-12, 'a perfect lattice has no forces');
});

/** The pairs of a list as sorted 'i j n0 n1 n2' keys. */
function pairKeys(list: PairList): string[] {
  const keys: string[] = [];
  for (let p = 0; p < list.count; p++) keys.push(`${list.first[p]} ${list.second[p]} ${list.offsets[3 * p]} ${list.offsets[3 * p + 1]} ${list.offsets[3 * p + 2]}`);
  return keys.sort();
}

test('the direct pair search finds the same pairs (i < j, positive self-image offsets) as the cell-list neighbour list', () => {
  const a = 2 ** (1 / 6) * Math.SQRT2;
  const primitive = createStructure({ name: 'fcc primitive', numbers: [18], positions: [0.1, -0.2, 0.3], cell: [0, a / 2, a / 2, a / 2, 0, a / 2, a / 2, a / 2, 0] });
  const cutoffOf = (c: AseCase) => (c.calculator === 'lj' ? (c.params.rc ?? 3 * (c.params.sigma ?? 1)) : (c.params.rcut2 ?? 2.7) * (c.params.r0 ?? 1));
  const cases: Array<[Structure, number]> = [...fixture.map((c): [Structure, number] => [structureOf(c), cutoffOf(c) + 0.3]), [primitive, 3.3]];
  // Atoms outside the cell (unwrapped MD positions) keep their offsets relative to their own positions.
  const moved = fixture.find((c) => c.pbc.every((p) => p))!;
  cases.push([structureOf(moved, moved.positions.map((x, k) => x + (k % 3 === 0 ? 2.7 * moved.cell![0]! : -1.3 * moved.cell![4]!) * (k % 7 === 0 ? 1 : 0))), cutoffOf(moved) + 0.3]);
  for (const [structure, radius] of cases) {
    const direct = buildPairList(structure, radius, 'direct');
    const cells = buildPairList(structure, radius, 'cells');
    assert.ok(direct.count > 0, `${structure.name}: pairs found`);
    assert.deepEqual(pairKeys(direct), pairKeys(cells), `${structure.name}: same pairs`);
    for (let p = 0; p < direct.count; p++) assert.ok(direct.first[p]! <= direct.second[p]!);
  }
});

/** Energy, forces and stress from a list built afresh by the cell-list search with no skin (the reference). */
function freshEvaluation(structure: Structure, potential: PairPotential): CalcResult {
  return evaluatePairList(structure, buildPairList(structure, potential.cutoff * (1 + 1e-12), 'cells'), potential, true, true);
}

function assertSameResult(reused: CalcResult, fresh: CalcResult, what: string): void {
  // A pair missed at the shifted LJ cutoff changes the forces by |φ'(rc)| ≈ 0.03 eV/Å (σ = 1, ε = 1, rc = 2.5).
  assert.ok(Math.abs(reused.energy - fresh.energy) < 1e-11 * Math.max(1, Math.abs(fresh.energy)), `${what}: energy ${reused.energy} vs fresh ${fresh.energy}`);
  assert.ok(maxDeviation(reused.forces!, fresh.forces!) < 1e-11 * Math.max(1, maxAbs(fresh.forces!)), `${what}: forces deviate by ${maxDeviation(reused.forces!, fresh.forces!)} eV/Å`);
  if (fresh.stress) assert.ok(maxDeviation(reused.stress!, fresh.stress) < 1e-11 * Math.max(1, maxAbs(fresh.stress)), `${what}: stress`);
}

test('a reused Verlet list gives the energy, forces and stress of a fresh build along a random walk of a crystal and a cluster', () => {
  const random = seededRandom(17);
  const crystal = fixture.find((c) => c.name === 'lj fcc 2x2x2 strained, defaults')!;
  const cluster = fixture.find((c) => c.name === 'lj38 cluster, defaults')!;
  for (const c of [crystal, cluster]) {
    // Shifted LJ (forces jump at rc, so a missed pair shows), σ = 1, rc = 2.5, skin 0.3 Å.
    const potential: PairPotential = { cutoff: 2.5, term: lennardJonesTerm(1, 1, 2.5, 1.65, false), skin: 0.3 };
    const evaluator = createPairPotentialEvaluator(potential);
    const positions = Float64Array.from(c.positions);
    const steps = 80;
    for (let step = 0; step < steps; step++) {
      for (let k = 0; k < positions.length; k++) positions[k] += 0.02 * (2 * random() - 1); // Å
      const structure = structureOf(c, positions);
      assertSameResult(evaluator.evaluate(structure, true, true), freshEvaluation(structure, potential), `${c.name} step ${step}`);
    }
    const builds = evaluator.lists.builds;
    assert.ok(builds > 1 && builds < steps / 4, `${c.name}: ${builds} list builds over ${steps} steps (rebuilt, and mostly reused)`);
  }
});

test('the Verlet list is rebuilt once an atom moved more than skin/2 since the last build, and reused below that', () => {
  const skin = 0.3, rc = 2.5;
  const potential: PairPotential = { cutoff: rc, term: lennardJonesTerm(1, 1, rc, 1.65, false), skin };
  const evaluator = createPairPotentialEvaluator(potential);
  // Two atoms just beyond the list radius (rc + 1.05 skin) close in, each by 0.096 Å (0.32 skin) per step: the
  // pair is within the cutoff from step 2 on, when each atom has moved 0.64 skin. A list kept too long misses it.
  const start = rc + 1.05 * skin;
  const rebuiltAt: number[] = [];
  for (let step = 0; step <= 12; step++) {
    const half = (start - 0.192 * step) / 2;
    const dimer = createStructure({ name: 'closing dimer', numbers: [18, 18, 18], positions: [-half, 0, 0, half, 0, 0, 0, 40, 0] });
    const before = evaluator.lists.builds;
    const reused = evaluator.evaluate(dimer, true, true);
    if (evaluator.lists.builds > before) rebuiltAt.push(step);
    assertSameResult(reused, freshEvaluation(dimer, potential), `closing dimer step ${step}`);
  }
  // 0.096 Å per step against skin/2 = 0.15 Å since the last build: rebuilt every second step.
  assert.deepEqual(rebuiltAt, [0, 2, 4, 6, 8, 10, 12]);
  const fresh = createPairPotentialEvaluator(potential);
  const base = structureOf(fixture.find((c) => c.name === 'lj fcc 2x2x2 strained, defaults')!);
  const shifted = (dx: number) => ({ ...base, positions: base.positions.map((x, k) => (k === 3 ? x + dx : x)) });
  const builds = (structure: Structure) => (fresh.evaluate(structure, false, false), fresh.lists.builds);
  assert.equal(builds(base), 1);
  assert.equal(builds(shifted(0.49 * skin)), 1, 'below skin/2: reused');
  assert.equal(builds(shifted(0.51 * skin)), 2, 'above skin/2: rebuilt');
  assert.equal(builds({ ...base, cell: base.cell!.map((v) => v * (1 + 1e-9)) }), 3, 'a changed cell rebuilds');
  assert.equal(builds({ ...base, pbc: [true, true, false] }), 4, 'changed pbc rebuilds');
  assert.equal(builds({ ...base, numbers: base.numbers.map((z, k) => (k === 0 ? 36 : z)) }), 5, 'other atomic numbers rebuild');
  // Two different structures in turn each keep their list (the cache holds several).
  const alternating = createPairPotentialEvaluator(potential);
  const other = shifted(2);
  for (let round = 0; round < 3; round++) {
    alternating.evaluate(base, false, false);
    alternating.evaluate(other, false, false);
  }
  assert.equal(alternating.lists.builds, 2, 'the crystal and its displaced copy alternate without rebuilding');
});

test('Morse through the calculator equals a fresh build along a walk, with the default skin 0.3 r0', async () => {
  const c = fixture.find((f) => f.name === 'morse fcc 2x2x2 strained, defaults')!;
  const calculator = createMorseCalculator(c.params);
  const potential: PairPotential = { cutoff: 2.7, term: morseTerm(1, 6, 1, 1.9, 2.7), skin: 0 };
  const random = seededRandom(5);
  const positions = Float64Array.from(c.positions);
  for (let step = 0; step < 30; step++) {
    for (let k = 0; k < positions.length; k++) positions[k] += 0.03 * (2 * random() - 1);
    const structure = structureOf(c, positions);
    assertSameResult(await one(calculator, structure), freshEvaluation(structure, potential), `morse step ${step}`);
  }
  assert.throws(() => createMorseCalculator({ skin: -1 }), RangeError);
  assert.throws(() => createLennardJonesCalculator({ skin: Number.NaN }), RangeError);
});
