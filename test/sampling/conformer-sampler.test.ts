/**
 * The conformer sampler (core/sampling/conformers/conformer-sampler.ts) on tiny systems: an Ar₄ Lennard-Jones
 * cluster (ε 0.0104 eV, σ 3.40 Å) and butane with a test calculator of harmonic bond springs (so that torsion
 * rotations, which keep every bond length, cost no energy), plus the torsion-move geometry itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import type { Calculator } from '../../core/calc/calculator';
import { sampleConformers, temperatureLadder, type ConformerSample, type ConformerSamplerOptions } from '../../core/sampling/conformers/conformer-sampler';
import { invertibleNitrogens, invertNitrogen, rotatableBonds, rotateAboutBond } from '../../core/sampling/conformers/torsion-moves';
import type { SmcRungReport } from '../../core/sampling/smc/annealed-smc';
import { perceiveBonds } from '../../core/perception/perceive-bonds';
import { createStructure, type Structure } from '../../core/structure/structure';

async function collect(structure: Structure, calculator: Calculator, options: ConformerSamplerOptions): Promise<{ reports: SmcRungReport[]; sample: ConformerSample }> {
  const reports: SmcRungReport[] = [];
  const run = sampleConformers(structure, calculator, options);
  for (;;) {
    const next = await run.next();
    if (next.done) return { reports, sample: next.value };
    reports.push(next.value);
  }
}

const r0 = 2 ** (1 / 6) * 3.4;
const h = r0 * Math.sqrt(2 / 3);
const argon4 = createStructure({
  name: 'Ar4',
  numbers: [18, 18, 18, 18],
  positions: [0, 0, 0, r0, 0, 0, r0 / 2, (r0 * Math.sqrt(3)) / 2, 0, r0 / 2, r0 / (2 * Math.sqrt(3)), h],
});

const butane = createStructure({
  name: 'butane',
  numbers: [6, 6, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  // RDKit ETKDG (seed 7) + MMFF
  positions: [
    -1.5546, -0.377, 0.379, -0.7014, 0.3927, -0.6175, 0.7482, -0.0898, -0.6779, 1.5188, 0.1452, 0.6121, -1.2194, -0.2102, 1.4069,
    -1.5245, -1.4518, 0.1745, -2.5969, -0.0488, 0.313, -0.7293, 1.4608, -0.3723, -1.1459, 0.2845, -1.614, 1.2581, 0.4414, -1.4904,
    0.7763, -1.1563, -0.9299, 1.1168, -0.4541, 1.4342, 1.4856, 1.1999, 0.9032, 2.5683, -0.1364, 0.4791,
  ],
});

/** Harmonic springs k(r − r_ref)² on the perceived bonds of `reference` (k eV/Å²), energy eV, forces eV/Å. */
function springCalculator(reference: Structure, k: number): Calculator {
  const bonds = perceiveBonds(reference).map((b) => {
    const p = reference.positions;
    return { a: b.a, b: b.b, length: Math.hypot(p[3 * b.b]! - p[3 * b.a]!, p[3 * b.b + 1]! - p[3 * b.a + 1]!, p[3 * b.b + 2]! - p[3 * b.a + 2]!) };
  });
  return {
    description: { id: 'springs', name: 'test springs', method: 'analytic', elements: 'all', charge: false, spin: false, periodic: false, stress: false },
    unsupportedReason: () => undefined,
    calculate: async (structures) =>
      structures.map((s) => {
        const p = s.positions;
        const forces = new Float64Array(p.length);
        let energy = 0;
        for (const bond of bonds) {
          const d = [0, 1, 2].map((c) => p[3 * bond.b + c]! - p[3 * bond.a + c]!);
          const r = Math.hypot(d[0]!, d[1]!, d[2]!);
          energy += k * (r - bond.length) ** 2;
          const g = (2 * k * (r - bond.length)) / r;
          for (let c = 0; c < 3; c++) {
            forces[3 * bond.a + c]! += g * d[c]!;
            forces[3 * bond.b + c]! -= g * d[c]!;
          }
        }
        return { energy, forces };
      }),
  };
}

test('sampleConformers on an Ar4 Lennard-Jones cluster returns the population with finite energies, ESS per rung and calls, and the same seed repeats it', async () => {
  const calculator = createLennardJonesCalculator({ epsilon: 0.0104, sigma: 3.4, rc: 10 });
  const options: ConformerSamplerOptions = { population: 8, startTemperature: 120, temperature: 30, rungs: 4, stepsPerRung: 25, timestep: 2, friction: 0.01, seed: 3 };
  const { reports, sample } = await collect(argon4, calculator, options);
  assert.equal(sample.report.status, 'done', sample.report.summary);
  assert.equal(sample.structures.length, 8);
  assert.ok(sample.energies.every((e) => Number.isFinite(e) && e < 0), `energies ${sample.energies}`);
  sample.structures.forEach((s, r) => assert.equal(s.properties['energy'], sample.energies[r]));
  assert.equal(sample.essPerRung.length, 4);
  assert.ok(sample.essPerRung.every((e) => e > 0 && e <= 8 + 1e-9));
  assert.deepEqual(reports.map((r) => r.temperature), temperatureLadder(120, 30, 4));
  assert.ok(Math.abs(Math.log(sample.logWeights.reduce((s, w) => s + Math.exp(w), 0))) < 1e-12, 'normalised weights');
  assert.equal(sample.calls, 8 * (1 + 4 * 25), 'one evaluation per replica and step plus the initial one');
  assert.equal(sample.report.calculatorCalls, sample.calls);
  const again = await collect(argon4, calculator, options);
  assert.deepEqual(again.sample.energies, sample.energies);
  assert.deepEqual(again.sample.structures.map((s) => Array.from(s.positions)), sample.structures.map((s) => Array.from(s.positions)));
  const other = await collect(argon4, calculator, { ...options, seed: 4 });
  assert.notDeepEqual(other.sample.energies, sample.energies);
  // Adaptive tempering keeps the ladder's temperatures, adds rungs between them, and stays within maxRungs.
  const adaptive = await collect(argon4, calculator, { ...options, adaptiveEss: 0.99, maxRungs: 12 });
  const temperatures = adaptive.reports.map((r) => r.temperature);
  assert.equal(adaptive.sample.report.status, 'done');
  assert.ok(temperatures.length > 4 && temperatures.length <= 12, `${temperatures.length} rungs: ${temperatures.join(' ')}`);
  for (const t of temperatureLadder(120, 30, 4)) assert.ok(temperatures.includes(t), `${t} K visited`);
  assert.ok(temperatures.every((t, i) => i === 0 || t < temperatures[i - 1]!));
});

test('butane has one rotatable bond (C2–C3, 7 atoms on the moving side); rotating it keeps bond lengths and turns the C1–C2–C3–C4 dihedral', () => {
  const bonds = rotatableBonds(butane);
  assert.equal(bonds.length, 1);
  const bond = bonds[0]!;
  assert.deepEqual([bond.a, bond.b].sort(), [1, 2]);
  assert.equal(bond.moving.length, 7);
  const rotated = rotateAboutBond(butane.positions, bond, (2 * Math.PI) / 3);
  for (const b of perceiveBonds(butane)) {
    const length = (p: Float64Array): number => Math.hypot(p[3 * b.b]! - p[3 * b.a]!, p[3 * b.b + 1]! - p[3 * b.a + 1]!, p[3 * b.b + 2]! - p[3 * b.a + 2]!);
    assert.ok(Math.abs(length(rotated) - length(butane.positions)) < 1e-12, `bond ${b.a + 1}-${b.b + 1}`);
  }
  const dihedral = (p: Float64Array): number => {
    const v = (i: number, j: number): number[] => [0, 1, 2].map((c) => p[3 * j + c]! - p[3 * i + c]!);
    const cross = (u: number[], w: number[]): number[] => [u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!];
    const dot = (u: number[], w: number[]): number => u[0]! * w[0]! + u[1]! * w[1]! + u[2]! * w[2]!;
    const b1 = v(0, 1), b2 = v(1, 2), b3 = v(2, 3);
    const n1 = cross(b1, b2), n2 = cross(b2, b3);
    return Math.atan2(dot(cross(n1, n2), b2) / Math.hypot(...b2), dot(n1, n2));
  };
  let turn = Math.abs(dihedral(rotated) - dihedral(butane.positions));
  turn = Math.min(turn, 2 * Math.PI - turn);
  assert.ok(Math.abs(turn - (2 * Math.PI) / 3) < 1e-9, `turned by ${turn} rad`);
  // Ring bonds are not rotatable: cyclohexane-like ring of the four carbons closed by a bond list.
  const ring = createStructure({ ...butane, bonds: [{ a: 0, b: 1, order: 1 }, { a: 1, b: 2, order: 1 }, { a: 2, b: 3, order: 1 }, { a: 3, b: 0, order: 1 }] });
  assert.equal(rotatableBonds(ring).length, 0);
});

// RDKit ETKDG (seed 7) + MMFF geometries: ethanol (C, C, O, 6 H), ethylamine (C, C, N, 7 H), methylamine (C, N, 5 H).
const ethanol = createStructure({
  name: 'ethanol',
  numbers: [6, 6, 8, 1, 1, 1, 1, 1, 1],
  positions: [-0.8628, 0.2206, 0.2045, 0.4056, -0.3731, -0.3724, 1.5279, 0.4019, 0.0236, -1.739, -0.3558, -0.1051, -0.9869, 1.2576, -0.1241,
    -0.8201, 0.2362, 1.2985, 0.5497, -1.4015, -0.0277, 0.3631, -0.3783, -1.4654, 1.5625, 0.3924, 0.9953],
});
const ethylamine = createStructure({
  name: 'ethylamine',
  numbers: [6, 6, 7, 1, 1, 1, 1, 1, 1, 1],
  positions: [1.0554, 0.4496, -0.0502, -0.1016, -0.5287, -0.1521, -1.3731, 0.1747, -0.0465, 2.0081, -0.0824, -0.1385, 1.0124, 1.1986, -0.8482,
    1.0497, 0.9729, 0.9119, -0.0272, -1.2767, 0.6441, -0.0572, -1.0546, -1.1112, -2.1358, -0.501, -0.0639, -1.4307, 0.6476, 0.8545],
});
const methylamine = createStructure({
  name: 'methylamine',
  numbers: [6, 7, 1, 1, 1, 1, 1],
  positions: [-0.5679, 0.0777, -0.0408, 0.8539, -0.0611, -0.3006, -1.1303, -0.6678, -0.6097, -0.9115, 1.0714, -0.3415, -0.7798, -0.0596, 1.0233,
    1.1672, -0.9793, 0.0115, 1.3683, 0.6188, 0.2579],
});

test('polar hydrogens are rotors: ethanol turns its O–H about C–O, ethylamine its NH2 about C–N; methyl spins (the C–C of ethanol, the C–N of methylamine) are not', () => {
  const [hydroxyl, ...restOfEthanol] = rotatableBonds(ethanol);
  assert.equal(restOfEthanol.length, 0, 'one rotor in ethanol');
  assert.deepEqual([hydroxyl!.a, hydroxyl!.b], [1, 2], 'C2 → O');
  assert.deepEqual([...hydroxyl!.moving].sort((x, y) => x - y), [2, 8], 'O and its H move');
  const [amine, ...restOfEthylamine] = rotatableBonds(ethylamine);
  assert.equal(restOfEthylamine.length, 0, 'one rotor in ethylamine');
  assert.deepEqual([amine!.a, amine!.b], [1, 2], 'C2 → N');
  assert.deepEqual([...amine!.moving].sort((x, y) => x - y), [2, 8, 9], 'N and its two H move');
  assert.equal(rotatableBonds(methylamine).length, 0, 'methylamine: both ends only carry hydrogens besides each other; C is no polar rotor');
});

// RDKit ETKDG (seed 7) + MMFF: N-methylethylamine (C, C, N, C, 9 H; the N's H is atom 10) and N-methylacetamide (C, C, O, N, C, 7 H).
const methylethylamine = createStructure({
  name: 'N-methylethylamine',
  numbers: [6, 6, 7, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  positions: [1.795, 0.4584, -0.1486, 0.5091, -0.1658, 0.3713, -0.6315, 0.3448, -0.387, -1.8773, -0.2491, 0.0786, 2.652, 0.0868, 0.4224,
    1.7731, 1.5492, -0.0522, 1.9595, 0.21, -1.2026, 0.5767, -1.256, 0.2785, 0.3988, 0.0803, 1.4335, -0.5061, 0.1329, -1.3766,
    -1.8767, -1.3364, -0.0501, -2.0594, -0.0128, 1.132, -2.7132, 0.1578, -0.499],
});
const methylacetamide = createStructure({
  name: 'N-methylacetamide',
  numbers: [6, 6, 8, 7, 6, 1, 1, 1, 1, 1, 1, 1],
  positions: [1.8633, 0.2355, 0.2252, 0.3966, 0.34, 0.5466, -0.0183, 1.0158, 1.4822, -0.4176, -0.371, -0.3057, -1.8521, -0.2972, -0.19,
    2.1952, 1.1676, -0.2394, 2.4209, 0.0647, 1.1503, 2.0685, -0.5958, -0.455, -0.0257, -0.7294, -1.1664, -2.1515, -0.3263, 0.8612,
    -2.2881, -1.1436, -0.7255, -2.1913, 0.6398, -0.6395],
});

test('a secondary amine N inverts: its H is mirrored through the C–N–C plane, keeping every distance from N and flipping the pyramid; a planar amide N is not offered', () => {
  const [site, ...others] = invertibleNitrogens(methylethylamine);
  assert.equal(others.length, 0);
  assert.deepEqual([site!.nitrogen, site!.hydrogen, [...site!.plane].sort()], [2, 9, [1, 3]]);
  const p = methylethylamine.positions;
  const q = invertNitrogen(p, site!);
  const distance = (x: Float64Array, i: number, j: number): number => Math.hypot(x[3 * i]! - x[3 * j]!, x[3 * i + 1]! - x[3 * j + 1]!, x[3 * i + 2]! - x[3 * j + 2]!);
  for (let atom = 0; atom < 13; atom++) if (atom !== 9) assert.deepEqual([q[3 * atom], q[3 * atom + 1], q[3 * atom + 2]], [p[3 * atom], p[3 * atom + 1], p[3 * atom + 2]], `atom ${atom + 1} stays`);
  for (const other of [1, 3]) assert.ok(Math.abs(distance(q, 9, 2) - distance(p, 9, 2)) < 1e-12 && Math.abs(distance(q, other, 9) - distance(p, other, 9)) < 1e-12, 'N–H and the H–C distances are kept');
  // The signed volume of (C2 − N, C4 − N, H − N) changes sign: the other invertomer.
  const volume = (x: Float64Array): number => {
    const v = (i: number): number[] => [0, 1, 2].map((k) => x[3 * i + k]! - x[6 + k]!);
    const [a, b, c] = [v(1), v(3), v(9)] as [number[], number[], number[]];
    return a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
  };
  assert.ok(volume(p) * volume(q) < 0 && Math.abs(Math.abs(volume(q)) - Math.abs(volume(p))) < 1e-9, `volumes ${volume(p)} → ${volume(q)}`);
  assert.ok(Array.from(invertNitrogen(q, site!)).every((x, i) => Math.abs(x - p[i]!) < 1e-12), 'inverting twice is the identity (a symmetric proposal)');
  assert.deepEqual(invertibleNitrogens(methylacetamide), [], 'amide N is planar');
});

test('torsion moves with a calculator that only sees bond lengths are all accepted and reported per rung', async () => {
  const calculator = springCalculator(butane, 20);
  const { reports, sample } = await collect(butane, calculator, { population: 6, startTemperature: 600, temperature: 300, rungs: 3, stepsPerRung: 20, timestep: 0.25, friction: 0.05, seed: 2, torsionMoves: true });
  assert.equal(sample.report.status, 'done', sample.report.summary);
  assert.equal(reports.length, 3);
  // Torsion rotations leave every spring length unchanged, so ΔE = 0 and Metropolis accepts every proposal.
  for (const r of reports) assert.equal(r.acceptance, 1);
  assert.equal(sample.calls, 6 * (1 + 3 * 20 + 3 * 2), 'steps plus two move attempts per rung');
  const without = await collect(butane, calculator, { population: 6, startTemperature: 600, temperature: 300, rungs: 3, stepsPerRung: 20, timestep: 0.25, friction: 0.05, seed: 2 });
  assert.ok(without.reports.every((r) => r.acceptance === undefined));
  assert.equal(without.sample.calls, 6 * (1 + 3 * 20));
});

test('a replica the watchdog rejects is dropped with weight 0; when all are broken the run stops naming the molecule', async () => {
  const crushed = createStructure({ name: 'crushed', numbers: [18, 18], positions: [0, 0, 0, 0.2, 0, 0] });
  const calculator = createLennardJonesCalculator({ epsilon: 0.0104, sigma: 3.4, rc: 10 });
  const stopped = await collect(crushed, calculator, { population: 4, rungs: 2, stepsPerRung: 2 });
  assert.equal(stopped.sample.report.status, 'stopped');
  assert.match(stopped.sample.report.summary, /crushed.*all 4 replicas failed.*0\.20 Å apart/);
  assert.equal(stopped.sample.report.problem?.kind, 'close-contact');
  assert.deepEqual(stopped.sample.report.problem?.atoms, [0, 1]);
  const mixed = await collect(argon4, calculator, { population: 4, startTemperature: 60, temperature: 30, rungs: 2, stepsPerRung: 3, timestep: 2, essThreshold: 0, initial: [argon4, createStructure({ ...argon4, positions: [0, 0, 0, 0.3, 0, 0, 5, 0, 0, 0, 5, 0] })] });
  assert.equal(mixed.sample.report.status, 'done');
  assert.deepEqual(mixed.sample.logWeights.map((w) => w === -Infinity), [false, true, false, true]);
  assert.match(mixed.sample.report.summary, /2 replicas dropped/);
});
