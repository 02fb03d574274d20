import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  Irrep, Irreps, anglesToMatrix, irrepsRepresentation, randomRotation, sphericalHarmonics, sphericalHarmonicsTensor,
  wigner3j, wignerD, wignerDTensors, matMul3,
} from '../../core/o3/index';
import { seededRandom } from '../helpers/fuzz';
import { assertEquivariant } from '../helpers/assert-equivariant';
import { e3nnReference, flat, maxAbsDiff } from './reference';

test('Irreps parse, print, dim, simplify and sort like e3nn', () => {
  const irreps = Irreps.parse('32x0e + 16x1o+2e');
  assert.equal(irreps.toString(), '32x0e+16x1o+1x2e');
  assert.equal(irreps.dim, 32 + 48 + 5);
  assert.equal(irreps.lmax, 2);
  assert.deepEqual(irreps.offsets, [0, 32, 80, 85]);
  assert.equal(Irreps.parse('2x1o+3x1o+0x2e+1x0e').simplify().toString(), '5x1o+1x0e');
  const sorted = Irreps.parse('1x2e+3x1e+2x1o+4x0e').sort();
  assert.equal(sorted.irreps.toString(), '4x0e+2x1o+3x1e+1x2e');
  assert.deepEqual(sorted.perm, [3, 2, 1, 0]);
  assert.equal(Irrep.parse('3y').toString(), '3o');
  assert.equal(Irreps.sphericalHarmonics(3).toString(), '1x0e+1x1o+1x2e+1x3o');
  assert.deepEqual(new Irrep(1, -1).times(new Irrep(2, -1)).map(String), ['1e', '2e', '3e']);
  assert.equal(Irreps.parse('').dim, 0);
});

test('Irreps reject malformed strings with a message naming the bad part', () => {
  assert.throws(() => Irreps.parse('32x0e+1q'), /cannot parse "1q"/);
  assert.throws(() => Irreps.parse('x1o'), /cannot parse/);
  assert.throws(() => new Irrep(-1, 1), /non-negative/);
  assert.throws(() => Irreps.parse('3x-1e'), /cannot parse/);
});

test('every Wigner-3j block with l <= 4 equals e3nn 0.5.6', () => {
  const blocks = e3nnReference().wigner_3j as Record<string, number[]>;
  assert.equal(Object.keys(blocks).length, 65);
  for (const [key, ref] of Object.entries(blocks)) {
    const [l1, l2, l3] = key.split(',').map(Number) as [number, number, number];
    assert.ok(maxAbsDiff(wigner3j(l1, l2, l3), ref) < 1e-12, `block ${key}`);
  }
});

test('spherical harmonics l = 0..4 equal e3nn (plain arrays and tfjs ops)', () => {
  const ref = e3nnReference();
  const vectors = flat(ref.sh_vectors);
  const y = sphericalHarmonics(4, vectors);
  const yTensor = tf.tidy(() => sphericalHarmonicsTensor(4, tf.tensor2d(vectors, [16, 3])).arraySync());
  for (let l = 0; l <= 4; l++) {
    const expected = flat(ref[`sh_l${l}`]);
    const mine: number[] = [];
    const mineTensor: number[] = [];
    for (let i = 0; i < 16; i++)
      for (let m = 0; m < 2 * l + 1; m++) {
        mine.push(y[i * 25 + l * l + m]!);
        mineTensor.push(yTensor[i]![l * l + m]!);
      }
    assert.ok(maxAbsDiff(mine, expected) < 1e-12, `l=${l}`);
    assert.ok(maxAbsDiff(mineTensor, expected) < 1e-5, `tensor l=${l}`);
  }
});

test('Y-X-Y Euler rotation matrices and Wigner-D l = 0..4 equal e3nn', () => {
  const ref = e3nnReference();
  (ref.angles_alpha_beta_gamma as number[][]).forEach(([a, b, c], k) => {
    const rotation = anglesToMatrix(a!, b!, c!);
    assert.ok(maxAbsDiff(rotation, flat(ref.rotation_matrices[k])) < 1e-12);
    for (let l = 0; l <= 4; l++) assert.ok(maxAbsDiff(wignerD(l, rotation), flat(ref[`wigner_D_l${l}`][k])) < 1e-12, `l=${l}`);
  });
});

test('Wigner-D is a representation and the spherical harmonics transform with it up to l = 6', () => {
  const random = seededRandom(3);
  const r1 = randomRotation(random);
  const r2 = randomRotation(random);
  for (let l = 0; l <= 6; l++) {
    const d12 = wignerD(l, matMul3(r1, r2));
    const d1 = wignerD(l, r1);
    const d2 = wignerD(l, r2);
    const n = 2 * l + 1;
    const product = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) product[i * n + j] += d1[i * n + k]! * d2[k * n + j]!;
    assert.ok(maxAbsDiff(product, d12) < 1e-10, `homomorphism l=${l}`);
  }
  const v = [0.3, -1.2, 0.7];
  const rv = [0, 1, 2].map((i) => r1[3 * i]! * v[0]! + r1[3 * i + 1]! * v[1]! + r1[3 * i + 2]! * v[2]!);
  const y = sphericalHarmonics(6, v);
  const yr = sphericalHarmonics(6, rv);
  const irreps = Irreps.sphericalHarmonics(6);
  const d = irrepsRepresentation(irreps, r1);
  const dim = irreps.dim;
  const dy = Array.from({ length: dim }, (_, i) => y.reduce((s, yj, j) => s + d[i * dim + j]! * yj, 0));
  assert.ok(maxAbsDiff(dy, yr) < 1e-10);
  let norm = 0;
  for (let m = 36; m < 49; m++) norm += y[m]! ** 2;
  assert.ok(Math.abs(norm - 13) < 1e-10, 'component normalisation: sum_m Y_6m^2 = 13');
});

test('batched tensor Wigner-D equals the plain-array Wigner-D', () => {
  const random = seededRandom(5);
  const rotations = [randomRotation(random), randomRotation(random)];
  const ds = tf.tidy(() => wignerDTensors(4, tf.tensor3d(rotations.flatMap((r) => Array.from(r)), [2, 3, 3])).map((t) => t.arraySync()));
  for (let l = 0; l <= 4; l++)
    for (let k = 0; k < 2; k++) assert.ok(maxAbsDiff(flat(ds[l]![k]), wignerD(l, rotations[k]!)) < 1e-5, `l=${l}`);
});

test('spherical harmonics pass the shared equivariance check including parity (-1)^l', async () => {
  await assertEquivariant({
    name: 'spherical harmonics l<=4',
    inputs: [{ irreps: '1x1o', data: [0.4, -0.3, 1.1, -0.8, 0.2, 0.5, 0.1, 0.9, -0.6], rows: 'atom' }],
    outputs: [{ irreps: Irreps.sphericalHarmonics(4), rows: 'atom' }],
    fn: (_p, [v]) => [sphericalHarmonics(4, v!)],
    tolerance: { absolute: 1e-10, relative: 1e-10 },
  });
});

test('the shared equivariance check rejects wrong parity and non-equivariant functions', async () => {
  // A vector declared as a pseudovector ('1e') must fail under inversion.
  await assert.rejects(
    assertEquivariant({
      name: 'vector declared 1e',
      inputs: [{ irreps: '1x1o', data: [0.4, -0.3, 1.1, 0.2, 0.5, 0.1] }],
      outputs: [{ irreps: '1x1e' }],
      fn: (_p, [v]) => [v!],
    }),
    /rotation\+inversion/,
  );
  // Taking the x component as a scalar is not rotation invariant.
  await assert.rejects(
    assertEquivariant({
      name: 'x component',
      inputs: [{ irreps: '1x1o', data: [0.4, -0.3, 1.1, 0.2, 0.5, 0.1] }],
      outputs: [{ irreps: '1x0e' }],
      fn: (_p, [v]) => [[v![0]!, v![3]!]],
    }),
    /not equivariant under rotation/,
  );
  // Centre of mass without subtracting the translation is not translation equivariant as a '1o' per-atom output.
  await assert.rejects(
    assertEquivariant({
      name: 'raw positions',
      positions: [0, 0, 0, 1, 0, 0, 0, 1.5, 0.2],
      outputs: [{ irreps: '1x1o', rows: 'atom' }],
      fn: (p) => [p!],
    }),
    /translation/,
  );
  // Summing over atoms with a fixed weight per atom index breaks permutation invariance.
  await assert.rejects(
    assertEquivariant({
      name: 'indexed weights',
      inputs: [{ irreps: '1x0e', data: [1, 2, 3, 4] }],
      outputs: [{ irreps: '1x0e', rows: 'fixed' }],
      fn: (_p, [x]) => [[Array.from(x!).reduce((s, v, i) => s + v * (i + 1), 0)]],
    }),
    /permutation/,
  );
  // Relative displacements are translation invariant and rotate as vectors: passes.
  await assertEquivariant({
    name: 'displacement from the centroid',
    positions: [0, 0, 0, 1, 0, 0, 0, 1.5, 0.2],
    outputs: [{ irreps: '1x1o', rows: 'atom' }],
    fn: (p) => {
      const c = [0, 1, 2].map((k) => (p![k]! + p![3 + k]! + p![6 + k]!) / 3);
      return [Array.from(p!, (v, i) => v - c[i % 3]!)];
    },
  });
});
