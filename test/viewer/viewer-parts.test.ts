// The viewer's pure parts in Node (no GPU): what a state change rebuilds, playback timing, measuring by clicks,
// label text, framing, the cell box, picking and the bond instance matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix4, PerspectiveCamera, Vector3 } from 'three';
import { createStructure } from '../../core/structure';
import { labelText } from '../../renderer/viewer/atom-labels';
import { boundingSphereOf, clippingPlanes, fitCamera, fitDistance } from '../../renderer/viewer/camera-fit';
import { boxEdgeVertices } from '../../renderer/viewer/cell-box';
import { MeasurePicker, measureLabelPosition, measurementResultOf } from '../../renderer/viewer/measure-interaction';
import { bondMatrix } from '../../renderer/viewer/molecule-meshes';
import { atomImagePosition, haloInstances, nearestHit, pickAtPixel, projectToCanvas } from '../../renderer/viewer/picking';
import { Playback, playbackStep } from '../../renderer/viewer/playback';
import { buildSceneData } from '../../renderer/viewer/scene-data';
import { DEFAULT_VIEWER_STATE, shownStructure, viewerChanges, type ViewerChanges } from '../../renderer/viewer/viewer-state';
import type { ViewerState } from '../../renderer/viewer/viewer-api';

const water = createStructure({
  name: 'water',
  numbers: [8, 1, 1],
  positions: [0, 0, 0, 0.757, 0.586, 0, -0.757, 0.586, 0],
  atomArrays: { charges: { kind: 'float', width: 1, data: Float64Array.from([-0.8, 0.4, 0.4]) }, tag: { kind: 'string', width: 1, data: ['Ow', 'H1', 'H2'] } },
});
const cubic = createStructure({ name: 'Po', numbers: [84], positions: [0, 0, 0], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3], pbc: [true, true, true] });
const base: ViewerState = { ...DEFAULT_VIEWER_STATE, structure: water };
const flagged = (c: ViewerChanges) => Object.entries(c).filter(([, v]) => v).map(([k]) => k).sort();

test('the first state rebuilds every part; the same state again rebuilds nothing', () => {
  const first = viewerChanges(DEFAULT_VIEWER_STATE, base, null, true);
  assert.deepEqual(flagged(first), ['cell', 'cellAxes', 'content', 'dipole', 'fixedAtoms', 'forceArrows', 'geometry', 'halos', 'labels', 'measurements', 'overlay', 'polyhedra', 'theme'].sort());
  assert.deepEqual(flagged(viewerChanges(base, { ...base }, water, false)), []);
});

test('a new selection redraws only the halos; a new interaction mode the halos too (dropping pending picks)', () => {
  assert.deepEqual(flagged(viewerChanges(base, { ...base, selection: [1] }, water, false)), ['halos']);
  assert.deepEqual(flagged(viewerChanges(base, { ...base, interaction: 'angle' }, water, false)), ['halos', 'interaction']);
});

test('a theme change recolours every overlay but keeps the atoms; a colour scheme change rebuilds the atoms', () => {
  const theme = viewerChanges(base, { ...base, theme: 'dark' }, water, false);
  assert.equal(theme.geometry, false);
  assert.ok(theme.cell && theme.labels && theme.measurements && theme.halos && theme.dipole && theme.theme);
  assert.equal(theme.overlay, false);
  const colours = viewerChanges(base, { ...base, colorScheme: { kind: 'property', name: 'charges' } }, water, false);
  assert.ok(colours.geometry && colours.halos);
  assert.equal(colours.size, false, 'same extent: no refit');
  assert.equal(viewerChanges(base, { ...base, colorScheme: { kind: 'element' } }, water, false).geometry, false, 'an equal scheme object is no change');
});

test('changing the extent (style, supercell, cell box, dipole) refits; a new structure also resets the view direction', () => {
  assert.equal(viewerChanges(base, { ...base, style: 'spacefill' }, water, false).size, true);
  assert.equal(viewerChanges(base, { ...base, showCell: false }, water, false).size, true);
  assert.equal(viewerChanges(base, { ...base, supercell: [2, 1, 1] }, water, false).size, true);
  assert.equal(viewerChanges(base, { ...base, dipoleArrow: { scale: 1 } }, water, false).size, true);
  assert.equal(viewerChanges(base, { ...base, selection: [0] }, water, false).size, false);
  const other = viewerChanges(base, { ...base, structure: cubic }, water, false);
  assert.ok(other.content && other.geometry);
});

test('trajectory frames: the shown frame is clamped; moving to another frame rebuilds atoms without a new content fit', () => {
  const frames = [water, cubic];
  const playing: ViewerState = { ...base, frames, frame: 0 };
  assert.equal(shownStructure({ ...playing, frame: 7 }), cubic);
  assert.equal(shownStructure({ ...playing, frame: -2 }), water);
  const next = viewerChanges(playing, { ...playing, frame: 1 }, water, false);
  assert.equal(next.geometry, true);
  assert.equal(next.content, false);
  assert.equal(viewerChanges(playing, { ...playing, frames: [...frames] }, water, false).content, true);
});

test('an explicit camera pose is applied when it is a new object', () => {
  const camera = { position: [0, 0, 10], target: [0, 0, 0], up: [0, 1, 0], fov: 30 } as const;
  assert.equal(viewerChanges(base, { ...base, camera }, water, false).camera, true);
  assert.equal(viewerChanges({ ...base, camera }, { ...base, camera }, water, false).camera, false);
});

test('playback advances one frame per 1/fps seconds, wraps, and keeps to the fps grid', () => {
  assert.deepEqual(playbackStep(1050, 1000, 10, 3, 5), { advance: false, frame: 3, last: 1000 });
  assert.deepEqual(playbackStep(1130, 1000, 10, 3, 5), { advance: true, frame: 4, last: 1100 });
  assert.equal(playbackStep(1100, 1000, 10, 4, 5).frame, 0, 'wraps after the last frame');
  assert.equal(playbackStep(1000 + 9_000, 1000, 0, 0, 5).advance, false, 'fps 0 is taken as 0.1 (one frame per 10 s)');
});

test('playback runs one animation-frame loop even though each advance restarts it, and stops when paused', () => {
  const queue: Array<(now: number) => void> = [];
  const globals = globalThis as unknown as { requestAnimationFrame?: unknown; cancelAnimationFrame?: unknown };
  const saved = { request: globals.requestAnimationFrame, cancel: globals.cancelAnimationFrame };
  globals.requestAnimationFrame = (callback: (now: number) => void) => queue.push(callback);
  globals.cancelAnimationFrame = () => undefined;
  try {
    let frame = 0;
    let playing = true;
    const shown: number[] = [];
    const playback: Playback = new Playback({
      current: () => (playing ? { frame, count: 3, fps: 10 } : null),
      advance: (next) => {
        frame = next;
        shown.push(next);
        playback.start(); // what the viewer's setState does while playing
      },
    });
    playback.start();
    let now = performance.now();
    for (let tick = 0; tick < 8; tick++) {
      assert.equal(queue.length, 1, `one pending animation frame before tick ${tick}`);
      now += 100;
      queue.shift()!(now);
    }
    assert.deepEqual(shown, [1, 2, 0, 1, 2, 0, 1, 2]);
    playing = false;
    queue.shift()!(now + 100);
    assert.equal(queue.length, 0, 'paused: no further frames');
    assert.equal(playback.running, false);
  } finally {
    globals.requestAnimationFrame = saved.request;
    globals.cancelAnimationFrame = saved.cancel;
  }
});

test('a distance takes two clicked atoms, a miss starts over, and select mode collects nothing', () => {
  const picker = new MeasurePicker();
  assert.equal(picker.click('select', { atom: 0, image: [0, 0, 0] }), null);
  assert.equal(picker.pending.length, 0);
  assert.equal(picker.click('distance', { atom: 0, image: [0, 0, 0] }), null);
  assert.equal(picker.click('distance', null), null);
  assert.equal(picker.pending.length, 0, 'a click on nothing drops the pick');
  picker.click('distance', { atom: 1, image: [0, 0, 0] });
  assert.deepEqual(picker.click('distance', { atom: 2, image: [1, 0, 0] }), { atoms: [1, 2], images: [[0, 0, 0], [1, 0, 0]] });
  assert.equal(picker.pending.length, 0);
  for (const atom of [1, 0, 2]) picker.click('angle', { atom, image: [0, 0, 0] });
  assert.equal(picker.pending.length, 0, 'three atoms complete an angle');
});

test('measurements use the periodic image of each atom and are null for atoms that are not there', () => {
  const locate = (atom: number, image?: readonly [number, number, number]) => atomImagePosition(cubic, cubic.cell, atom, image);
  const result = measurementResultOf({ atoms: [0, 0], images: [[0, 0, 0], [1, 1, 0]] }, locate);
  assert.equal(result?.kind, 'distance');
  assert.ok(Math.abs(result!.value - Math.hypot(3, 3)) < 1e-12, `${result?.value} Å to the image one cell along a and b`);
  assert.equal(measurementResultOf({ atoms: [0, 5] }, locate), null);
});

test('measure labels sit at the bond midpoint, near the angle vertex, and mid central bond', () => {
  assert.deepEqual(measureLabelPosition([[0, 0, 0], [2, 0, 0]]), [1, 0, 0]);
  assert.deepEqual(measureLabelPosition([[1, 0, 0], [0, 0, 0], [0, 1, 0]]), [0.3, 0.3, 0]);
  assert.deepEqual(measureLabelPosition([[0, 0, 0], [1, 0, 0], [1, 2, 0], [0, 2, 0]]), [1, 1, 0]);
  assert.throws(() => measureLabelPosition([[0, 0, 0]]), /2, 3 or 4 points, got 1/);
});

test('labels give the element, the 1-based index, or the property (strings as is, numbers to 3 digits)', () => {
  const charges = Float64Array.from([-0.8123, 0.4, 2]);
  assert.equal(labelText(water, 0, 'element', null, null), 'O');
  assert.equal(labelText(water, 2, 'index', null, null), '3');
  assert.equal(labelText(water, 0, 'property', 'charges', charges), '-0.812');
  assert.equal(labelText(water, 2, 'property', 'charges', charges), '2');
  assert.equal(labelText(water, 1, 'property', 'tag', null), 'H1');
  assert.equal(labelText(water, 1, 'property', 'missing', null), '');
  assert.equal(labelText(water, 1, 'none', null, null), '');
});

test('the fit distance makes the bounding sphere fill the narrower field of view; clipping hugs the scene', () => {
  const d = fitDistance(5, 30, 2);
  assert.ok(Math.abs(5.2 / d - Math.sin((15 * Math.PI) / 180)) < 1e-12, 'tall window: the vertical fov limits');
  assert.ok(fitDistance(5, 30, 0.5) > d, 'a narrow window moves the camera back');
  assert.deepEqual(clippingPlanes(20, 5), { near: 12.5, far: 28.5 });
  assert.equal(clippingPlanes(5, 10).near, 0.01);
});

test('a fitted camera looks at the centre of the structure from the fit distance', () => {
  const data = buildSceneData(water, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  const sphere = boundingSphereOf({ data, showCell: true, structure: water, dipole: null });
  assert.ok(Math.abs(sphere.center.y - 0.293) < 1e-6 && Math.abs(sphere.center.x) < 1e-12);
  const camera = new PerspectiveCamera(30, 1.5, 0.1, 1000);
  camera.position.set(0, 0, 20);
  const target = new Vector3();
  fitCamera(camera, target, sphere, true, false);
  assert.ok(target.equals(sphere.center));
  assert.ok(Math.abs(camera.position.distanceTo(target) - fitDistance(sphere.radius, 30, 1.5)) < 1e-9);
  assert.ok(Math.abs(camera.position.x) < 1e-12 && camera.position.z > 0, 'molecules are seen down -z');
  assert.deepEqual(boundingSphereOf({ data: null, showCell: true, structure: null, dipole: null }).radius, 5);
});

test('the crystal bounding sphere covers the whole cell box when it is shown', () => {
  const data = buildSceneData(cubic, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1], crystal: { boundary: false, bondedBeyond: false, polyhedra: false } });
  const atomRadius = data.pickAtoms.radius[0]!;
  const withBox = boundingSphereOf({ data, showCell: true, structure: cubic, dipole: null });
  assert.ok(withBox.center.distanceTo(new Vector3(1.5, 1.5, 1.5)) < 1e-9, 'centred in the cell');
  assert.ok(Math.abs(withBox.radius - (Math.hypot(1.5, 1.5, 1.5) + atomRadius)) < 1e-6, `radius ${withBox.radius}: the corner atom's far side`);
  const alone = boundingSphereOf({ data, showCell: false, structure: cubic, dipole: null });
  assert.ok(alone.center.length() < 1e-9 && Math.abs(alone.radius - Math.max(1, atomRadius)) < 1e-6, 'without the box: the atom alone');
});

test('the cell box has 12 edges between the corners of the (super)cell', () => {
  const v = boxEdgeVertices([3, 0, 0, 0, 4, 0, 0, 0, 5], [2, 1, 1]);
  assert.equal(v.length, 72);
  const xs = new Set(v.filter((_, i) => i % 3 === 0));
  assert.deepEqual([...xs].sort((a, b) => a - b), [0, 6]);
  assert.equal(Math.max(...v.filter((_, i) => i % 3 === 2)), 5);
});

test('picking returns the nearest atom image along the ray and misses empty space', () => {
  const data = buildSceneData(water, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.deepEqual(nearestHit(data.pickAtoms, new Vector3(0.757, 0.586, 10), new Vector3(0, 0, -1)), { atom: 1, image: [0, 0, 0] });
  assert.equal(nearestHit(data.pickAtoms, new Vector3(5, 5, 10), new Vector3(0, 0, -1)), null);
  const camera = new PerspectiveCamera(30, 1, 0.1, 100);
  camera.position.set(0, 0, 10);
  camera.lookAt(0, 0, 0);
  camera.updateMatrixWorld();
  const centre = projectToCanvas([0, 0, 0], camera, 200, 200)!;
  assert.deepEqual(centre, { x: 100, y: 100 });
  assert.equal(pickAtPixel(data.pickAtoms, camera, centre.x, centre.y, 200, 200)?.atom, 0);
  assert.equal(projectToCanvas([0, 0, 20], camera, 200, 200), null, 'behind the camera');
});

test('halos cover every image of a selected atom but only the pending image of a picked one', () => {
  const data = buildSceneData(cubic, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [2, 1, 1], crystal: { boundary: false, bondedBeyond: false, polyhedra: false } });
  assert.equal(data.pickAtoms.count, 2);
  assert.deepEqual(haloInstances(data.pickAtoms, [0], []), [0, 1]);
  const second = Array.from(data.pickAtoms.image.subarray(3, 6)) as [number, number, number];
  assert.deepEqual(haloInstances(data.pickAtoms, [], [{ atom: 0, image: second }]), [1]);
  assert.deepEqual(haloInstances(data.pickAtoms, [], []), []);
});

test('a bond instance matrix takes the unit cylinder onto the bond: centre at the midpoint, axis along it, radius across', () => {
  const m = new Float32Array(16);
  bondMatrix(m, 0, 1, 2, 3, 0, 0, 2, 0.25);
  const matrix = new Matrix4().fromArray(m);
  const top = new Vector3(0, 0.5, 0).applyMatrix4(matrix), bottom = new Vector3(0, -0.5, 0).applyMatrix4(matrix);
  assert.ok(top.distanceTo(new Vector3(1, 2, 5)) < 1e-6 && bottom.distanceTo(new Vector3(1, 2, 3)) < 1e-6);
  const rim = new Vector3(1, 0, 0).applyMatrix4(matrix);
  assert.ok(Math.abs(rim.distanceTo(new Vector3(1, 2, 4)) - 0.25) < 1e-6);
  assert.ok(matrix.determinant() > 0, 'right-handed (no mirrored normals)');
});
