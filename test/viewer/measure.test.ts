import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMeasure, measure, measurePoints } from '../../renderer/viewer/measure';
import { REPO_ROOT } from '../helpers/browser';
import { readFrames } from './load-dataset';

interface GeometryFixture {
  file: string;
  frame: number;
  measures: Array<{ atoms: number[]; value: number }>;
}
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/viewer/geometry-ase.json'), 'utf8')) as GeometryFixture;

test('distances, angles and dihedrals in ethanol equal ASE get_distance/get_angle/get_dihedral', () => {
  const ethanol = readFrames(fixture.file, fixture.frame + 1)[fixture.frame]!;
  assert.equal(ethanol.numbers.length, 9);
  for (const { atoms, value } of fixture.measures) {
    const result = measure(ethanol.positions, atoms);
    assert.equal(result.kind, ['distance', 'angle', 'dihedral'][atoms.length - 2]);
    assert.equal(result.unit, atoms.length === 2 ? 'Å' : '°');
    // ASE reports dihedrals in [0, 360); ours are in (-180, 180].
    const ours = atoms.length === 4 ? (result.value + 360) % 360 : result.value;
    assert.ok(Math.abs(ours - value) < 1e-6, `${atoms.join('-')}: ${ours} vs ASE ${value}`);
    if (atoms.length === 4) assert.ok(result.value > -180 && result.value <= 180);
  }
});

test('dihedral sign follows IUPAC: clockwise turn of the front bond onto the back bond is positive', () => {
  // Looking from point 2 (origin) along +z to point 3, x turns clockwise onto y.
  const trans = measurePoints([[1, 0, 0], [0, 0, 0], [0, 0, 1], [-1, 0, 1]]);
  assert.ok(Math.abs(trans.value - 180) < 1e-9);
  assert.ok(Math.abs(measurePoints([[1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 1, 1]]).value - 90) < 1e-9);
  assert.ok(Math.abs(measurePoints([[1, 0, 0], [0, 0, 0], [0, 0, 1], [0, -1, 1]]).value + 90) < 1e-9);
});

test('periodic-image shifts are added before measuring', () => {
  const positions = [0, 0, 0, 3.5, 0, 0];
  assert.ok(Math.abs(measure(positions, [0, 1]).value - 3.5) < 1e-12);
  assert.ok(Math.abs(measure(positions, [0, 1], [[0, 0, 0], [-4, 0, 0]]).value - 0.5) < 1e-12);
});

test('measure rejects wrong atom counts, out-of-range indices and degenerate angles', () => {
  assert.throws(() => measure([0, 0, 0], [0]), /2, 3 or 4 atoms/);
  assert.throws(() => measure([0, 0, 0, 1, 0, 0], [0, 2]), /out of range/);
  assert.throws(() => measurePoints([[0, 0, 0], [0, 0, 0], [1, 0, 0]]), /coincide/);
  assert.throws(() => measurePoints([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 1, 0]]), /collinear/);
});

test('measurement labels print Å with 3 decimals and degrees with 1', () => {
  assert.equal(formatMeasure({ kind: 'distance', value: 1.23456, unit: 'Å' }), '1.235 Å');
  assert.equal(formatMeasure({ kind: 'dihedral', value: -60.04, unit: '°' }), '-60.0°');
});
