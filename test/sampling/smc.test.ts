/**
 * Annealed Langevin SMC (core/sampling/smc/annealed-smc.ts) against closed forms and numerical integration:
 *   1. harmonic well E = ½k|x|² (d = 3): exact single-step reweighting weights, and the AIS/SMC estimate of
 *      log Z(T2)/Z(T1) = (d/2) ln(T2/T1) from several seeded runs;
 *   2. 2D tilted double well E = a(x² − 1)² + b y² + c x: populations of x < 0 / x > 0 and ΔF = −kT ln(p_R/p_L)
 *      vs a fine-grid quadrature;
 *   3. Müller–Brown (Müller & Brown, Theor. Chim. Acta 53, 75 (1979)), energies divided by 1000 to eV (the deep
 *      minimum is −0.1467 eV, barriers ≈ 0.1 eV ≈ 4 kT at 300 K): populations of the three minima's basins (nearest
 *      minimum) vs quadrature.
 * Statistical checks: mean ± standard error over independent seeds, |mean − reference| < 3 SE. Units: Å, eV, K, fs, u.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annealedLangevinSmc, type SmcOptions, type SmcResult, type SmcRungReport, type SmcTarget } from '../../core/sampling/smc/annealed-smc';
import { kishEss, normaliseLogWeights, systematicResample } from '../../core/sampling/smc/weights';
import { BOLTZMANN_EV_PER_K } from '../../core/sampling/md/units';
import { seededRandom } from '../../core/util/seeded-random';

type Potential2D = (x: number, y: number) => [energy: number, fx: number, fy: number];

function target2D(potential: Potential2D, mass = 1): SmcTarget {
  return {
    dimension: 2,
    masses: Float64Array.of(mass, mass),
    evaluate: async (states) =>
      states.map((s) => {
        const [energy, fx, fy] = potential(s[0]!, s[1]!);
        return { energy, forces: Float64Array.of(fx, fy) };
      }),
  };
}

function harmonicTarget(d: number, k: number, mass: number): SmcTarget {
  return {
    dimension: d,
    masses: new Float64Array(d).fill(mass),
    evaluate: async (states) =>
      states.map((x) => {
        let energy = 0;
        const forces = new Float64Array(d);
        for (let i = 0; i < d; i++) {
          energy += 0.5 * k * x[i]! * x[i]!;
          forces[i] = -k * x[i]!;
        }
        return { energy, forces };
      }),
  };
}

async function runSmc(target: SmcTarget, options: SmcOptions): Promise<{ reports: SmcRungReport[]; result: SmcResult }> {
  const reports: SmcRungReport[] = [];
  const run = annealedLangevinSmc(target, options);
  for (;;) {
    const next = await run.next();
    if (next.done) return { reports, result: next.value };
    reports.push(next.value);
  }
}

function meanAndSe(values: readonly number[]): { mean: number; se: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

function geometricLadder(start: number, end: number, rungs: number): number[] {
  return Array.from({ length: rungs }, (_, k) => start * (end / start) ** (k / (rungs - 1)));
}

/** Exact Boltzmann samples of ½k|x|² at T: N(0, kT/k) per coordinate (Box–Muller on Mulberry32). */
function harmonicSamples(count: number, d: number, k: number, temperature: number, seed: number): Float64Array[] {
  const uniform = seededRandom(seed);
  const sd = Math.sqrt((BOLTZMANN_EV_PER_K * temperature) / k);
  return Array.from({ length: count }, () =>
    Float64Array.from({ length: d }, () => sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())),
  );
}

/** Basin populations of exp(−E/kT) by midpoint quadrature on [x0, x1] × [y0, y1] with spacing h. */
function quadraturePopulations(potential: Potential2D, basin: (x: number, y: number) => number, basins: number, box: readonly [number, number, number, number], h: number, temperature: number, reference: number): number[] {
  const kT = BOLTZMANN_EV_PER_K * temperature;
  const sums = new Array<number>(basins).fill(0);
  for (let x = box[0] + h / 2; x < box[1]; x += h) {
    for (let y = box[2] + h / 2; y < box[3]; y += h) sums[basin(x, y)]! += Math.exp(-(potential(x, y)[0] - reference) / kT);
  }
  const total = sums.reduce((s, v) => s + v, 0);
  return sums.map((v) => v / total);
}

function weightedPopulations(result: SmcResult, basin: (x: number, y: number) => number, basins: number): number[] {
  const p = new Array<number>(basins).fill(0);
  result.states.forEach((s, r) => {
    p[basin(s[0]!, s[1]!)]! += Math.exp(result.logWeights[r]!);
  });
  return p;
}

test('single-step reweighting of exact T1 samples gives weights exp(−(1/kT2 − 1/kT1) E), normalised, and their mean estimates Z(T2)/Z(T1)', async () => {
  const d = 3, k = 1, t1 = 600, t2 = 300, count = 4000;
  const initial = harmonicSamples(count, d, k, t1, 11);
  const { reports, result } = await runSmc(harmonicTarget(d, k, 12), { population: count, initial, temperatures: [t1, t2], stepsPerRung: 0, timestep: 1, friction: 0.01, essThreshold: 0, seed: 1 });
  assert.equal(result.status, 'done');
  const deltaBeta = 1 / (BOLTZMANN_EV_PER_K * t2) - 1 / (BOLTZMANN_EV_PER_K * t1);
  const raw = initial.map((x) => -deltaBeta * 0.5 * k * x.reduce((s, v) => s + v * v, 0));
  const max = Math.max(...raw);
  const logMean = max + Math.log(raw.reduce((s, w) => s + Math.exp(w - max), 0) / count);
  raw.forEach((w, r) => assert.ok(Math.abs(result.logWeights[r]! - (w - logMean - Math.log(count))) < 1e-9, `replica ${r + 1}: log weight ${result.logWeights[r]} vs ${w - logMean - Math.log(count)}`));
  assert.ok(Math.abs(result.logNormaliserRatio - logMean) < 1e-12);
  assert.ok(Math.abs(reports[1]!.ess - kishEss(raw)) < 1e-6 * count);
  assert.equal(result.calls, count, 'only the initial evaluation');
  // Statistical: E_T1[w] = Z(T2)/Z(T1) = (T2/T1)^{d/2}; SE of log mean(w) by the delta method.
  const weights = raw.map(Math.exp);
  const { mean, se } = meanAndSe(weights);
  const closed = (d / 2) * Math.log(t2 / t1);
  console.log(`single-step reweighting: log Z2/Z1 = ${logMean.toFixed(4)} ± ${(se / mean).toFixed(4)}, closed form ${closed.toFixed(4)}`);
  assert.ok(Math.abs(logMean - closed) < 3 * (se / mean), `${logMean} vs ${closed}`);
});

test('annealed SMC with Langevin moves and resampling estimates log Z(300 K)/Z(1000 K) of a 3D harmonic well as (d/2) ln(T2/T1)', async () => {
  const d = 3, k = 1, t1 = 1000, t2 = 300, population = 128;
  const temperatures = geometricLadder(t1, t2, 8);
  const estimates: number[] = [];
  let resamplings = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const initial = harmonicSamples(population, d, k, t1, 100 + seed);
    const { reports, result } = await runSmc(harmonicTarget(d, k, 12), { population, initial, temperatures, stepsPerRung: 40, timestep: 0.5, friction: 0.05, essThreshold: 0.8, seed });
    assert.equal(result.status, 'done');
    assert.equal(result.essPerRung.length, temperatures.length);
    resamplings += reports.filter((r) => r.resampled).length;
    estimates.push(result.logNormaliserRatio);
  }
  const { mean, se } = meanAndSe(estimates);
  const closed = (d / 2) * Math.log(t2 / t1);
  console.log(`AIS/SMC log Z(${t2})/Z(${t1}) = ${mean.toFixed(4)} ± ${se.toFixed(4)} (12 seeds), closed form ${closed.toFixed(4)}; ${resamplings} resamplings`);
  assert.ok(resamplings > 0, 'the run exercised resampling');
  assert.ok(Math.abs(mean - closed) < 3 * se, `${mean} ± ${se} vs ${closed}`);
});

const DW = { a: 0.1, b: 0.5, c: 0.02 } as const; // eV, eV/Å², eV/Å: barrier ≈ 0.1 eV, wells 0.04 eV apart
const doubleWell: Potential2D = (x, y) => [DW.a * (x * x - 1) ** 2 + DW.b * y * y + DW.c * x, -(4 * DW.a * x * (x * x - 1) + DW.c), -2 * DW.b * y];

test('2D double well at 300 K: SMC state populations and ΔF = −kT ln(p_right/p_left) equal grid quadrature within 3 SE, with ESS per rung', async () => {
  const temperature = 300, kT = BOLTZMANN_EV_PER_K * temperature;
  const side = (x: number): number => (x < 0 ? 0 : 1);
  const reference = quadraturePopulations(doubleWell, side, 2, [-3, 3, -2, 2], 0.005, temperature, -0.02);
  const referenceDeltaF = -kT * Math.log(reference[1]! / reference[0]!);
  const temperatures = geometricLadder(3000, temperature, 10);
  const right: number[] = [];
  const deltaF: number[] = [];
  let essLine = '';
  let resamplings = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const { reports, result } = await runSmc(target2D(doubleWell), {
      population: 128, initial: [Float64Array.of(-1, 0)], temperatures, stepsPerRung: 160, timestep: 0.5, friction: 0.05, essThreshold: 0.8, seed,
    });
    assert.equal(result.status, 'done');
    assert.equal(result.essPerRung.length, temperatures.length);
    assert.ok(result.essPerRung.every((e) => e > 0 && e <= 128 + 1e-9));
    assert.deepEqual(reports.map((r) => r.ess), result.essPerRung);
    if (seed === 1) essLine = reports.map((r) => `${r.ess.toFixed(0)}${r.resampled ? '*' : ''}`).join(' ');
    resamplings += reports.filter((r) => r.resampled).length;
    const p = weightedPopulations(result, (x) => side(x), 2);
    right.push(p[1]!);
    deltaF.push(-kT * Math.log(p[1]! / p[0]!));
  }
  const pr = meanAndSe(right);
  const df = meanAndSe(deltaF);
  console.log(`double well: p_right ${pr.mean.toFixed(4)} ± ${pr.se.toFixed(4)} (quadrature ${reference[1]!.toFixed(4)}); ΔF ${df.mean.toFixed(4)} ± ${df.se.toFixed(4)} eV (quadrature ${referenceDeltaF.toFixed(4)}); ESS per rung (seed 1, * resampled): ${essLine}`);
  assert.ok(resamplings > 0, 'the runs exercised resampling');
  assert.ok(Math.abs(pr.mean - reference[1]!) < 3 * pr.se, `p_right ${pr.mean} ± ${pr.se} vs ${reference[1]}`);
  assert.ok(Math.abs(df.mean - referenceDeltaF) < 3 * df.se, `ΔF ${df.mean} ± ${df.se} vs ${referenceDeltaF}`);
  // The target is not the start: at 3000 K the wells are nearly equal, at 300 K the right one holds ≈ 19 %.
  assert.ok(reference[1]! < 0.3 && reference[1]! > 0.1);
});

const MB = {
  A: [-200, -100, -170, 15], a: [-1, -1, -6.5, 0.7], b: [0, 0, 11, 0.6], c: [-10, -10, -6.5, 0.7], x0: [1, 0, -0.5, -1], y0: [0, 0.5, 1.5, 1],
} as const;
const MB_EV = 1 / 1000; // Müller–Brown units → eV
const mullerBrown: Potential2D = (x, y) => {
  let e = 0, fx = 0, fy = 0;
  for (let i = 0; i < 4; i++) {
    const dx = x - MB.x0[i]!, dy = y - MB.y0[i]!;
    const t = MB.A[i]! * Math.exp(MB.a[i]! * dx * dx + MB.b[i]! * dx * dy + MB.c[i]! * dy * dy);
    e += t;
    fx -= t * (2 * MB.a[i]! * dx + MB.b[i]! * dy);
    fy -= t * (MB.b[i]! * dx + 2 * MB.c[i]! * dy);
  }
  return [e * MB_EV, fx * MB_EV, fy * MB_EV];
};
const MB_MINIMA = [[-0.558, 1.442], [0.623, 0.028], [-0.05, 0.467]] as const;
function nearestMinimum(x: number, y: number): number {
  let best = 0, bestDistance = Infinity;
  MB_MINIMA.forEach(([mx, my], i) => {
    const distance = (x - mx) ** 2 + (y - my) ** 2;
    if (distance < bestDistance) { bestDistance = distance; best = i; }
  });
  return best;
}

test('Müller–Brown (energies / 1000 in eV) at 300 K: populations of the three minima basins equal grid quadrature within 3 SE', async () => {
  const temperature = 300;
  const reference = quadraturePopulations(mullerBrown, nearestMinimum, 3, [-3.5, 2.5, -2, 4], 0.01, temperature, -0.1467);
  const temperatures = geometricLadder(1500, temperature, 12);
  const populations: number[][] = [[], [], []];
  let essLine = '';
  for (let seed = 1; seed <= 8; seed++) {
    const { reports, result } = await runSmc(target2D(mullerBrown), {
      population: 128, initial: [Float64Array.of(...MB_MINIMA[0])], temperatures, stepsPerRung: 160, timestep: 0.5, friction: 0.05, essThreshold: 0.8, seed,
    });
    assert.equal(result.status, 'done');
    assert.ok(result.essPerRung.length === temperatures.length && result.essPerRung.every((e) => e > 0));
    if (seed === 1) essLine = reports.map((r) => `${r.ess.toFixed(0)}${r.resampled ? '*' : ''}`).join(' ');
    weightedPopulations(result, nearestMinimum, 3).forEach((p, i) => populations[i]!.push(p));
  }
  const stats = populations.map(meanAndSe);
  console.log(`Müller–Brown basins (deep A, right B, middle C): ${stats.map((s, i) => `${s.mean.toFixed(4)} ± ${s.se.toFixed(4)} (quadrature ${reference[i]!.toFixed(4)})`).join('; ')}; ESS per rung (seed 1): ${essLine}`);
  stats.forEach((s, i) => assert.ok(Math.abs(s.mean - reference[i]!) < 3 * s.se, `basin ${i + 1}: ${s.mean} ± ${s.se} vs ${reference[i]}`));
  // Every basin matters at 300 K (≥ 5 %), so the check is not only about the deepest one.
  assert.ok(reference.every((p) => p > 0.05));
});

test('a failing evaluation gives that replica weight 0 and the run goes on; all failing stops with a message', async () => {
  const base = harmonicTarget(1, 1, 12);
  const flaky: SmcTarget = {
    dimension: 1,
    evaluate: async (states, replicas) => {
      const results = await base.evaluate(states);
      return results.map((r, j) => (replicas?.[j] === 2 ? new Error('boom') : r));
    },
  };
  const options: SmcOptions = { population: 6, initial: [Float64Array.of(0.1)], temperatures: [600, 300], stepsPerRung: 5, timestep: 1, friction: 0.05, essThreshold: 0, seed: 3 };
  const { result } = await runSmc(flaky, options);
  assert.equal(result.status, 'done');
  assert.equal(result.failed, 1);
  assert.equal(result.logWeights[2], -Infinity);
  assert.ok(result.logWeights.filter((w) => w > -Infinity).length === 5);
  const broken: SmcTarget = { dimension: 1, evaluate: async (states) => states.map(() => new Error('no SCF convergence')) };
  const stopped = await runSmc(broken, options);
  assert.equal(stopped.result.status, 'stopped');
  assert.match(stopped.result.problem ?? '', /all 6 replicas failed.*no SCF convergence/);
});

test('an aborted signal ends the run cancelled with the states so far, and the same seed repeats the same run', async () => {
  const controller = new AbortController();
  const target = harmonicTarget(2, 1, 12);
  const options: SmcOptions = { population: 8, initial: [Float64Array.of(0.1, -0.1)], temperatures: [900, 600, 300], stepsPerRung: 20, timestep: 1, friction: 0.05, essThreshold: 0.9, seed: 5 };
  const run = annealedLangevinSmc(target, { ...options, signal: controller.signal });
  await run.next();
  controller.abort();
  const last = await run.next();
  assert.equal(last.done, true);
  const cancelled = last.value as SmcResult;
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.states.length, 8);
  assert.ok(cancelled.states.every((s) => s.every(Number.isFinite)));
  const a = await runSmc(target, options);
  const b = await runSmc(target, options);
  assert.deepEqual(a.result.states, b.result.states);
  assert.deepEqual(a.result.logWeights, b.result.logWeights);
  const c = await runSmc(target, { ...options, seed: 6 });
  assert.notDeepEqual(a.result.states, c.result.states);
  await assert.rejects(annealedLangevinSmc(target, { ...options, initial: [Float64Array.of(1)] }).next(), /initial state 1 has 1 coordinates, the target 2/);
});

test('systematic resampling copies replica i ⌊N W_i⌋ or ⌈N W_i⌉ times and never a zero weight; Kish ESS is N for equal weights and 1 for one', () => {
  const uniform = seededRandom(17);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(uniform() * 40);
    const raw = Array.from({ length: n }, () => (uniform() < 0.2 ? -Infinity : 5 * (uniform() - 0.5)));
    if (raw.every((w) => w === -Infinity)) raw[0] = 0;
    const w = normaliseLogWeights(raw);
    const picks = systematicResample(w, uniform());
    assert.equal(picks.length, n);
    const counts = new Array<number>(n).fill(0);
    for (const p of picks) counts[p]!++;
    w.forEach((lw, i) => {
      const expected = n * Math.exp(lw);
      assert.ok(counts[i]! >= Math.floor(expected - 1e-9) && counts[i]! <= Math.ceil(expected + 1e-9), `trial ${trial}: replica ${i + 1} copied ${counts[i]} times for N W = ${expected}`);
    });
  }
  assert.ok(Math.abs(kishEss([3, 3, 3, 3]) - 4) < 1e-12);
  assert.ok(Math.abs(kishEss([0, -Infinity, -Infinity]) - 1) < 1e-12);
  assert.ok(Math.abs(kishEss([Math.log(1), Math.log(3)]) - 16 / 10) < 1e-12);
});

test('adaptive tempering inserts rungs where the conditional ESS would fall below the fraction, ends at the target and keeps log Z(T2)/Z(T1) right', async () => {
  const d = 30, k = 1, t1 = 1000, t2 = 300, population = 96;
  const estimates: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const initial = harmonicSamples(population, d, k, t1, 200 + seed);
    // Resampling at every rung makes the weights uniform before each increment, so Kish ESS = conditional ESS.
    const { reports, result } = await runSmc(harmonicTarget(d, k, 12), {
      population, initial, temperatures: [t1, t2], stepsPerRung: 60, timestep: 0.5, friction: 0.1, essThreshold: 1, seed, adaptive: { essFraction: 0.7, maxRungs: 40 },
    });
    assert.equal(result.status, 'done');
    assert.equal(result.temperatures[0], t1);
    assert.equal(result.temperatures.at(-1), t2);
    assert.ok(result.temperatures.length > 2 && result.temperatures.length < 40, `${result.temperatures.length} rungs`);
    assert.ok(result.temperatures.every((t, i) => i === 0 || t < result.temperatures[i - 1]!));
    assert.deepEqual(reports.map((r) => r.temperature), result.temperatures);
    reports.slice(1, -1).forEach((r) => assert.ok(Math.abs(r.essFraction - 0.7) < 1e-6, `rung ${r.rung}: ESS/N ${r.essFraction}`));
    assert.ok(reports.at(-1)!.essFraction >= 0.7 - 1e-9);
    estimates.push(result.logNormaliserRatio);
    if (seed === 1) console.log(`adaptive ladder (seed 1): ${result.temperatures.map((t) => t.toFixed(0)).join(' ')} K`);
  }
  const { mean, se } = meanAndSe(estimates);
  const closed = (d / 2) * Math.log(t2 / t1);
  console.log(`adaptive AIS/SMC log Z(${t2})/Z(${t1}) = ${mean.toFixed(4)} ± ${se.toFixed(4)} (8 seeds), closed form ${closed.toFixed(4)}`);
  assert.ok(Math.abs(mean - closed) < 3 * se, `${mean} ± ${se} vs ${closed}`);
});
