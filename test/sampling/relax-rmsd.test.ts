import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedRmsd, heavyAtoms, superpose } from '../../core/sampling/relax/rmsd';
import { seededRandom } from '../../core/util/seeded-random';

function randomPoints(n: number, random: () => number, scale = 3): Float64Array {
  return Float64Array.from({ length: 3 * n }, () => (random() - 0.5) * 2 * scale);
}

/** Rotation about a unit axis by angle (rad), row-major. */
function axisRotation(axis: [number, number, number], angle: number): Float64Array {
  const [x, y, z] = axis;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return Float64Array.of(t * x * x + c, t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c, t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c);
}

function transform(points: Float64Array, r: Float64Array, shift: [number, number, number]): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length / 3; i++) {
    for (let j = 0; j < 3; j++) out[3 * i + j] = r[3 * j]! * points[3 * i]! + r[3 * j + 1]! * points[3 * i + 1]! + r[3 * j + 2]! * points[3 * i + 2]! + shift[j]!;
  }
  return out;
}

test('a rotated and translated copy has RMSD 0 and superpose recovers the rotation', () => {
  const random = seededRandom(5);
  for (let trial = 0; trial < 20; trial++) {
    const points = randomPoints(12, random);
    const axis = randomPoints(1, random, 1);
    const norm = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
    const rotation = axisRotation([axis[0]! / norm, axis[1]! / norm, axis[2]! / norm], random() * 2 * Math.PI);
    const moved = transform(points, rotation, [random() * 10, -random() * 5, 3]);
    const fit = superpose(points, moved);
    assert.ok(fit.rmsd < 1e-7, `trial ${trial}: rmsd ${fit.rmsd}`);
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(fit.rotation[k]! - rotation[k]!) < 1e-9, `trial ${trial}: R[${k}] ${fit.rotation[k]} vs ${rotation[k]}`);
  }
});

test('aligning a randomly perturbed copy never raises the RMSD above the unaligned one, and a mirror image does not superpose', () => {
  const random = seededRandom(11);
  const points = randomPoints(30, random);
  const noisy = Float64Array.from(points, (x) => x + (random() - 0.5) * 0.1);
  let plain = 0;
  for (let i = 0; i < points.length; i++) plain += (points[i]! - noisy[i]!) ** 2;
  plain = Math.sqrt(plain / 30);
  const aligned = alignedRmsd(noisy, points);
  assert.ok(aligned <= plain + 1e-12, `${aligned} > ${plain}`);
  assert.ok(aligned > 0.5 * plain, `aligned ${aligned}, plain ${plain}`);
  // A mirror image is not a rotation: its RMSD stays large.
  const mirrored = Float64Array.from(points, (x, k) => (k % 3 === 0 ? -x : x));
  assert.ok(alignedRmsd(mirrored, points) > 0.5);
});

test('a subset of atoms (heavy atoms) is aligned on its own, and mismatched sizes throw', () => {
  const numbers = [6, 1, 1, 8, 1];
  assert.deepEqual(heavyAtoms(numbers), [0, 3]);
  const a = Float64Array.of(0, 0, 0, 5, 5, 5, 1, 1, 1, 1.2, 0, 0, -3, 2, 0);
  const b = Float64Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.2, 0, 9, 9, 9);
  assert.ok(alignedRmsd(a, b, heavyAtoms(numbers)) < 1e-9);
  assert.ok(alignedRmsd(a, b) > 1);
  assert.throws(() => alignedRmsd(a, b.subarray(0, 12)), RangeError);
});
