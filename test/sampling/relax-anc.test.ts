/**
 * ANCopt (core/sampling/relax/anc-optimizer.ts), its Lindh model Hessian (lindh-hessian.ts) and the Jacobi
 * eigensolver (symmetric-eigen.ts), on analytic potentials: Lennard-Jones clusters against ASE's minima
 * (test/fixtures/sampling/relax-ase.json, as test/sampling/relax.test.ts) and a harmonic spring network whose
 * minimum is known. The comparison with `xtb --opt` on GFN2-xTB is test/sampling/relax-xtb.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Calculator } from '../../core/calc/calculator';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { complementBasis } from '../../core/sampling/relax/anc-optimizer';
import { lindhModelHessian, rigidBodyBasis } from '../../core/sampling/relax/lindh-hessian';
import { relax } from '../../core/sampling/relax/relax';
import { alignedRmsd } from '../../core/sampling/relax/rmsd';
import { symmetricEigen } from '../../core/sampling/relax/symmetric-eigen';
import { createStructure } from '../../core/structure/structure';
import { seededRandom } from '../../core/util/seeded-random';

interface AseFixture {
  fmax: number;
  clusters: Array<{ name: string; nAtoms: number; rc: number; positions: number[]; fire: { energy: number }; lbfgs: { energy: number }; bfgs: { energy: number } }>;
}
interface XtbFixture {
  molecules: Array<{ name: string; numbers: number[]; positions: number[]; xtbOptimized: number[] }>;
}
const ase = JSON.parse(readFileSync(new URL('../fixtures/sampling/relax-ase.json', import.meta.url), 'utf8')) as AseFixture;
const drugs = JSON.parse(readFileSync(new URL('../fixtures/sampling/relax-xtb.json', import.meta.url), 'utf8')) as XtbFixture;
const aspirin = drugs.molecules.find((m) => m.name === 'aspirin')!;

async function collect(run: AsyncGenerator<SamplerFrame, SamplerReport>): Promise<{ frames: SamplerFrame[]; report: SamplerReport }> {
  const frames: SamplerFrame[] = [];
  for (;;) {
    const next = await run.next();
    if (next.done) return { frames, report: next.value };
    frames.push(next.value);
  }
}

/** Eigenvalues of the Hessian with translations and rotations projected out (Qᵀ H Q over their complement), and how many rigid modes there are. */
function projectedSpectrum(numbers: number[], positions: number[]): { values: Float64Array; rigid: number; symmetryError: number; translationResidual: number } {
  const n3 = positions.length;
  const h = lindhModelHessian(numbers, positions);
  let symmetryError = 0;
  for (let i = 0; i < n3; i++) for (let j = 0; j < n3; j++) symmetryError = Math.max(symmetryError, Math.abs(h[i * n3 + j]! - h[j * n3 + i]!));
  let translationResidual = 0;
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < n3; i++) {
      let sum = 0;
      for (let a = 0; a < n3 / 3; a++) sum += h[i * n3 + 3 * a + k]!;
      translationResidual = Math.max(translationResidual, Math.abs(sum));
    }
  }
  const rigid = rigidBodyBasis(positions);
  const q = complementBasis(rigid, n3);
  const projected = new Float64Array(q.length * q.length);
  for (let a = 0; a < q.length; a++) {
    for (let b = 0; b < q.length; b++) {
      let sum = 0;
      for (let i = 0; i < n3; i++) for (let j = 0; j < n3; j++) sum += q[a]![i]! * h[i * n3 + j]! * q[b]![j]!;
      projected[a * q.length + b] = sum;
    }
  }
  return { values: symmetricEigen(projected, q.length).values, rigid: rigid.length, symmetryError, translationResidual };
}

test('symmetricEigen returns orthonormal eigenvectors with A v = λ v for a seeded random symmetric matrix', () => {
  const random = seededRandom(5);
  const n = 14;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random() * 2 - 1;
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 1; k < n; k++) assert.ok(values[k]! >= values[k - 1]!, 'ascending');
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + k]!;
      assert.ok(Math.abs(av - values[k]! * vectors[i * n + k]!) < 1e-12, `A v − λ v at (${i}, ${k})`);
    }
    for (let l = 0; l < n; l++) {
      let vv = 0;
      for (let i = 0; i < n; i++) vv += vectors[i * n + k]! * vectors[i * n + l]!;
      assert.ok(Math.abs(vv - (k === l ? 1 : 0)) < 1e-12, `vᵀv at (${k}, ${l})`);
    }
  }
});

test('the Lindh model Hessian of aspirin is symmetric, translation invariant, and positive definite on the 3N − 6 internal motions', (t) => {
  const { values, rigid, symmetryError, translationResidual } = projectedSpectrum(aspirin.numbers, aspirin.positions);
  t.diagnostic(`aspirin: ${values.length} internal modes, eigenvalues ${values[0]!.toExponential(3)} … ${values.at(-1)!.toFixed(3)} Eh/bohr²`);
  assert.ok(symmetryError < 1e-14, `|H − Hᵀ| = ${symmetryError}`);
  assert.ok(translationResidual < 1e-12, `|H t| = ${translationResidual}`);
  assert.equal(rigid, 6);
  assert.equal(values.length, 3 * aspirin.numbers.length - 6);
  assert.ok(values[0]! > 1e-4, `lowest internal eigenvalue ${values[0]}`);
});

test('the Lindh model Hessian of linear HCN has 5 rigid-body modes and 4 positive internal ones', () => {
  const { values, rigid } = projectedSpectrum([1, 6, 7], [0, 0, -1.066, 0, 0, 0, 0, 0, 1.153]);
  assert.equal(rigid, 5);
  assert.equal(values.length, 4);
  for (const value of values) assert.ok(value > 1e-4, `eigenvalue ${value}`);
});

for (const cluster of ase.clusters) {
  test(`ANCopt on ${cluster.name} reaches ASE's FIRE, LBFGS and BFGS minimum to 1e-6 eV`, async (t) => {
    const structure = createStructure({ name: cluster.name, numbers: new Array<number>(cluster.nAtoms).fill(18), positions: cluster.positions });
    const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'anc', level: 'extreme', fmax: ase.fmax, maxSteps: 2000 }));
    assert.equal(report.status, 'converged', report.summary);
    assert.match(report.summary, /\(anc extreme\)/);
    const energy = frames.at(-1)!.energy;
    t.diagnostic(`ANCopt ${cluster.name}: ${report.steps} steps, E − E_ASE(FIRE, LBFGS, BFGS) = ${[cluster.fire, cluster.lbfgs, cluster.bfgs].map((r) => (energy - r.energy).toExponential(2)).join(', ')} eV`);
    for (const reference of [cluster.fire.energy, cluster.lbfgs.energy, cluster.bfgs.energy]) assert.ok(Math.abs(energy - reference) < 1e-6, `final energy ${energy} eV, ASE ${reference} eV`);
  });
}

/**
 * Harmonic springs between every pair of atoms at their lengths in `reference`, stiff like a molecule's (eV/Å²:
 * 30 for bonds below 1.6 Å, 5 for 1,3-pairs below 2.6 Å, 0.5 beyond): the one minimum is `reference` (up to rigid
 * motion), and the Lindh model fits it as it fits a molecule.
 */
function springNetwork(reference: readonly number[]): Calculator {
  const n = reference.length / 3;
  const springs: Array<[number, number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const r = Math.hypot(reference[3 * i]! - reference[3 * j]!, reference[3 * i + 1]! - reference[3 * j + 1]!, reference[3 * i + 2]! - reference[3 * j + 2]!);
      springs.push([i, j, r, r < 1.6 ? 30 : r < 2.6 ? 5 : 0.5]);
    }
  }
  return {
    description: { id: 'springs', name: 'springs', method: 'analytic', elements: 'all', charge: false, spin: false, periodic: false, stress: false },
    unsupportedReason: () => undefined,
    async calculate(structures) {
      return structures.map((s) => {
        const forces = new Float64Array(s.positions.length);
        let energy = 0;
        for (const [i, j, r0, k] of springs) {
          const d = [0, 1, 2].map((c) => s.positions[3 * i + c]! - s.positions[3 * j + c]!);
          const r = Math.hypot(d[0]!, d[1]!, d[2]!);
          energy += 0.5 * k * (r - r0) ** 2;
          for (let c = 0; c < 3; c++) {
            const f = (-k * (r - r0) * d[c]!) / r;
            forces[3 * i + c] = forces[3 * i + c]! + f;
            forces[3 * j + c] = forces[3 * j + c]! - f;
          }
        }
        return { energy, forces };
      });
    },
  };
}

test('ANCopt relaxes a spring network from aspirin\'s start onto its known minimum (xtb\'s aspirin geometry) within 1e-3 Å', async (t) => {
  const start = createStructure({ name: 'aspirin springs', numbers: aspirin.numbers, positions: aspirin.positions });
  const { frames, report } = await collect(relax(start, springNetwork(aspirin.xtbOptimized), { level: 'extreme', maxSteps: 100 }));
  assert.equal(report.status, 'converged', report.summary);
  const rmsd = alignedRmsd(frames.at(-1)!.positions, aspirin.xtbOptimized);
  t.diagnostic(`${report.steps} steps, RMSD ${rmsd.toExponential(2)} Å: ${report.summary}`);
  assert.ok(rmsd < 1e-3, `RMSD ${rmsd} Å`);
  for (let s = 1; s < frames.length; s++) assert.ok(frames[s]!.energy < frames[0]!.energy, `step ${s} above the start`);
});

test('a stricter ANCopt level ends lower with a smaller gradient: crude, normal, vtight on LJ38', async () => {
  const cluster = ase.clusters.find((c) => c.name === 'LJ38')!;
  const structure = createStructure({ name: cluster.name, numbers: new Array<number>(cluster.nAtoms).fill(18), positions: cluster.positions });
  const ends: SamplerFrame[] = [];
  for (const level of ['crude', 'normal', 'vtight'] as const) {
    const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'anc', level, maxSteps: 2000 }));
    assert.equal(report.status, 'converged', report.summary);
    ends.push(frames.at(-1)!);
  }
  assert.ok(ends[0]!.energy >= ends[1]!.energy && ends[1]!.energy >= ends[2]!.energy, ends.map((f) => f.energy).join(' ≥ '));
  assert.ok(ends[2]!.fmax < ends[0]!.fmax);
});

test('ANCopt is the default for molecules, FIRE for crystals, and anc refuses a periodic structure', async () => {
  const cluster = ase.clusters[0]!;
  const molecule = createStructure({ name: cluster.name, numbers: new Array<number>(cluster.nAtoms).fill(18), positions: cluster.positions });
  const { report } = await collect(relax(molecule, createLennardJonesCalculator({ rc: cluster.rc }), { maxSteps: 3 }));
  assert.match(report.summary, /\(anc normal\)/);
  const crystal = createStructure({ name: 'fcc', numbers: [18, 18, 18, 18], positions: [0, 0, 0, 0, 0.8, 0.8, 0.8, 0, 0.8, 0.8, 0.8, 0], cell: [1.6, 0, 0, 0, 1.6, 0, 0, 0, 1.6], pbc: [true, true, true] });
  const periodic = await collect(relax(crystal, createLennardJonesCalculator({ rc: 2.5 }), { maxSteps: 3 }));
  assert.doesNotMatch(periodic.report.summary, /anc/);
  await assert.rejects(collect(relax(crystal, createLennardJonesCalculator({ rc: 2.5 }), { optimizer: 'anc' })), (error: Error) => error instanceof RangeError && /anc optimizer relaxes molecules/.test(error.message));
  await assert.rejects(collect(relax(molecule, createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'anc', level: 'medium' as 'normal' })), (error: Error) => error instanceof RangeError && /unknown level 'medium'/.test(error.message));
});

test('ANCopt keeps fixed atoms in place, and a cancelled run keeps its frames', async () => {
  const cluster = ase.clusters[1]!;
  const structure = createStructure({ name: cluster.name, numbers: new Array<number>(cluster.nAtoms).fill(18), positions: cluster.positions });
  const { frames, report } = await collect(relax(structure, createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'anc', fixed: new Set([0, 5]), maxSteps: 500 }));
  assert.equal(report.status, 'converged', report.summary);
  for (const atom of [0, 5]) for (let k = 0; k < 3; k++) assert.equal(frames.at(-1)!.positions[3 * atom + k], structure.positions[3 * atom + k]);
  const controller = new AbortController();
  const run = relax(structure, createLennardJonesCalculator({ rc: cluster.rc }), { optimizer: 'anc', signal: controller.signal });
  const kept: SamplerFrame[] = [];
  let end: SamplerReport;
  for (;;) {
    const next = await run.next();
    if (next.done) {
      end = next.value;
      break;
    }
    kept.push(next.value);
    if (next.value.step === 2) controller.abort();
  }
  assert.equal(end.status, 'cancelled');
  assert.deepEqual(kept.map((f) => f.step), [0, 1, 2]);
});
