// Force arrows and fixed-atom markers as flat arrays (renderer/viewer/force-arrows.ts), checked in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStructure } from '../../core/structure';
import { arrowInstancesOf, fixedAtomsOf, MIN_ARROW_LENGTH } from '../../renderer/viewer/force-arrows';
import { buildSceneData } from '../../renderer/viewer/scene-data';
import { arrowHeadLength, ARROW_HEAD_MAX } from '../../renderer/viewer/viewer-overlays';

const settings = { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] } as const;

function water(forces: number[]) {
  return createStructure({
    name: 'water',
    numbers: [8, 1, 1],
    positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0],
    atomArrays: { forces: { kind: 'float', width: 3, data: Float64Array.from(forces) } },
  });
}

test('an arrow starts on its atom\'s sphere, points along the force and is scale x |F| Å long', () => {
  const s = water([0, 0, 3, 0.3, 0.4, 0, 0, 0, 0]);
  const atoms = buildSceneData(s, settings).pickAtoms;
  const arrows = arrowInstancesOf(s, atoms, 0.5)!;
  // The third atom has a zero force: no arrow.
  assert.equal(arrows.count, 2);
  assert.deepEqual(Array.from(arrows.atom), [0, 1]);
  assert.ok(Math.abs(arrows.length[0]! - 1.5) < 1e-6);
  assert.ok(Math.abs(arrows.length[1]! - 0.25) < 1e-6);
  assert.deepEqual(Array.from(arrows.direction.subarray(0, 3)), [0, 0, 1]);
  assert.ok(Math.abs(arrows.direction[3]! - 0.6) < 1e-6 && Math.abs(arrows.direction[4]! - 0.8) < 1e-6);
  // Tail on the H sphere along (0.6, 0.8, 0); O's tail is its radius above the centre along z.
  const rH = atoms.radius[1]!;
  assert.ok(Math.abs(arrows.start[3]! - (0.96 + 0.6 * rH)) < 1e-6 && Math.abs(arrows.start[4]! - 0.8 * rH) < 1e-6);
  assert.ok(Math.abs(arrows.start[2]! - atoms.radius[0]!) < 1e-6 && atoms.radius[0]! > 0.1);
});

test('arrows shorter than the minimum or not finite are left out', () => {
  const tiny = MIN_ARROW_LENGTH / 2;
  const s = water([tiny, 0, 0, Number.NaN, 0, 0, 1, 0, 0]);
  const arrows = arrowInstancesOf(s, buildSceneData(s, settings).pickAtoms, 1)!;
  assert.deepEqual(Array.from(arrows.atom), [2]);
});

test('a structure without a forces array has no arrows (null), and another array can be named', () => {
  const bare = createStructure({ name: 'h2', numbers: [1, 1], positions: [0, 0, 0, 0.74, 0, 0] });
  assert.equal(arrowInstancesOf(bare, buildSceneData(bare, settings).pickAtoms, 1), null);
  const s = createStructure({
    name: 'h2',
    numbers: [1, 1],
    positions: [0, 0, 0, 0.74, 0, 0],
    atomArrays: { velocities: { kind: 'float', width: 3, data: Float64Array.from([0, 0.1, 0, 0, -0.1, 0]) } },
  });
  const arrows = arrowInstancesOf(s, buildSceneData(s, settings).pickAtoms, 10, 'velocities')!;
  assert.equal(arrows.count, 2);
  assert.ok(Math.abs(arrows.direction[4]! + 1) < 1e-6);
});

test('every supercell image of an atom gets its own arrow at the image position', () => {
  const s = createStructure({
    name: 'one atom',
    numbers: [14],
    positions: [0, 0, 0],
    cell: [3, 0, 0, 0, 3, 0, 0, 0, 3],
    pbc: [true, true, true],
    atomArrays: { forces: { kind: 'float', width: 3, data: Float64Array.from([1, 0, 0]) } },
  });
  const arrows = arrowInstancesOf(s, buildSceneData(s, { ...settings, supercell: [2, 1, 1] }).pickAtoms, 1)!;
  assert.equal(arrows.count, 2);
  const r = buildSceneData(s, { ...settings, supercell: [2, 1, 1] }).pickAtoms.radius[0]!;
  assert.deepEqual([arrows.start[0], arrows.start[3]].map((x) => Number((x! - r).toFixed(5))).sort(), [0, 3]);
});

test('atoms fixed along all three axes by move_mask, plus the extra indices, are fixed; partial masks are not', () => {
  const s = createStructure({
    name: 'slab',
    numbers: [29, 29, 29, 29],
    positions: [0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 2, 0],
    atomArrays: { move_mask: { kind: 'bool', width: 3, data: Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1]) } },
  });
  assert.deepEqual(fixedAtomsOf(s), [0]);
  assert.deepEqual(fixedAtomsOf(s, [3, 0, 7, -1]), [0, 3]);
  assert.deepEqual(fixedAtomsOf(water([0, 0, 0, 0, 0, 0, 0, 0, 0])), []);
});

test('arrow heads take a share of short arrows and at most ARROW_HEAD_MAX of long ones', () => {
  assert.ok(arrowHeadLength(0.2) < 0.2);
  assert.equal(arrowHeadLength(10), ARROW_HEAD_MAX);
});
