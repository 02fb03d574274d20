// Colour maps, ranges and legends for per-atom values (renderer/viewer/color-maps.ts, scene-data atomColoringOf) and
// the dipole arrow (dipole-arrow.ts), on three real QM9-xTB frames (test/fixtures/viewer/qm9-xtb-3.extxyz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStructure, type Structure } from '../../core/structure';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz';
import { colorLegendOf, colorOfValue, colorRangeOf, divergingColor, formatTick, MISSING_COLOR, sequentialColor } from '../../renderer/viewer/color-maps';
import { dipoleArrowOf, formatDipole } from '../../renderer/viewer/dipole-arrow';
import { atomColoringOf } from '../../renderer/viewer/scene-data';
import { REPO_ROOT } from '../helpers/browser';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/viewer/qm9-xtb-3.extxyz');
const frames = readText(readFileSync(FIXTURE, 'utf8'), FIXTURE, extxyzFormat).structures;

function column(structure: Structure, name: string): number[] {
  const array = structure.atomArrays[name];
  assert.ok(array && array.kind === 'float', `${name} is a float array`);
  return Array.from({ length: structure.numbers.length }, (_, i) => array.data[i * array.width]!);
}

test('the diverging map is blue at its low end, white at the centre, red at its high end; NaN is the missing grey', () => {
  assert.equal(divergingColor(0), 0x2166ac);
  assert.equal(divergingColor(0.5), 0xf7f7f7);
  assert.equal(divergingColor(1), 0xb2182b);
  assert.equal(divergingColor(-3), 0x2166ac, 'clamped below');
  assert.equal(divergingColor(Number.NaN), MISSING_COLOR);
  assert.equal(sequentialColor(0), 0x440154);
  assert.equal(sequentialColor(1), 0xfde725);
  assert.equal(sequentialColor(Number.POSITIVE_INFINITY), MISSING_COLOR);
  // The missing grey is not a colour either map can give a value.
  for (let k = 0; k <= 200; k++) {
    assert.notEqual(divergingColor(k / 200), MISSING_COLOR);
    assert.notEqual(sequentialColor(k / 200), MISSING_COLOR);
  }
});

test('signed charges get a diverging range symmetric about 0, so a zero charge is white and the extremes are the map ends', () => {
  assert.equal(frames.length, 3);
  for (const frame of frames) {
    const charges = column(frame, 'charges');
    const extent = Math.max(...charges.map(Math.abs));
    const range = colorRangeOf(charges);
    assert.deepEqual(range, { map: 'diverging', min: -extent, max: extent });
    assert.equal(colorOfValue(0, range), 0xf7f7f7);
    const { colors, legend } = atomColoringOf(frame, { kind: 'property', name: 'charges', unit: 'e' });
    const most = charges.indexOf(charges.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)));
    assert.equal(colors[most], charges[most]! < 0 ? 0x2166ac : 0xb2182b, 'the largest |q| is at a map end');
    for (let i = 0; i < charges.length; i++) {
      const c = colors[i]!;
      const [r, b] = [c >> 16, c & 0xff];
      if (charges[i]! < -0.05) assert.ok(b > r, `negative charge ${charges[i]} is bluish`);
      if (charges[i]! > 0.05) assert.ok(r > b, `positive charge ${charges[i]} is reddish`);
    }
    assert.ok(legend);
    assert.equal(legend.label, 'charges');
    assert.equal(legend.unit, 'e');
    assert.equal(legend.min, -extent);
    assert.equal(legend.max, extent);
    assert.deepEqual(legend.ticks.map((t) => t.value), [-extent, 0, extent]);
    assert.equal(legend.stops[4], '#f7f7f7');
    assert.equal(legend.missing, 0);
  }
});

test('a non-negative array (a force norm, a spread) gets the sequential map from 0 to its largest value', () => {
  const frame = frames[0]!;
  const forces = frame.atomArrays['forces'];
  assert.ok(forces && forces.kind === 'float' && forces.width === 3);
  const norms = Array.from({ length: frame.numbers.length }, (_, i) => Math.hypot(forces.data[3 * i]!, forces.data[3 * i + 1]!, forces.data[3 * i + 2]!));
  const { colors, legend } = atomColoringOf(frame, { kind: 'property', name: 'forces', norm: true, unit: 'eV/Å' });
  assert.ok(legend);
  assert.equal(legend.map, 'sequential');
  assert.equal(legend.min, 0);
  assert.ok(Math.abs(legend.max - Math.max(...norms)) < 1e-12);
  assert.equal(legend.label, '|forces|');
  assert.equal(colors[norms.indexOf(Math.max(...norms))], 0xfde725);
  // Explicit ends win over the data.
  assert.deepEqual(colorRangeOf(norms, { min: 0, max: 10 }), { map: 'sequential', min: 0, max: 10 });
  assert.deepEqual(colorRangeOf(norms, { map: 'diverging' }).map, 'diverging');
});

test('atoms whose value is NaN are drawn in the missing grey and counted in the legend; other atoms keep the data range', () => {
  const frame = frames[1]!;
  const charges = column(frame, 'charges');
  const holed = charges.slice();
  holed[0] = Number.NaN;
  holed[3] = Number.POSITIVE_INFINITY;
  const structure = createStructure({
    name: 'holed',
    numbers: Array.from(frame.numbers),
    positions: Array.from(frame.positions),
    atomArrays: { charges: { kind: 'float', width: 1, data: Float64Array.from(holed) } },
  });
  const { colors, legend } = atomColoringOf(structure, { kind: 'property', name: 'charges' });
  assert.equal(colors[0], MISSING_COLOR);
  assert.equal(colors[3], MISSING_COLOR);
  assert.ok(legend);
  assert.equal(legend.missing, 2);
  const finite = holed.filter(Number.isFinite);
  assert.equal(legend.max, Math.max(...finite.map(Math.abs)));
  const none = atomColoringOf(createStructure({ name: 'none', numbers: [8, 1], positions: [0, 0, 0, 1, 0, 0], atomArrays: { q: { kind: 'float', width: 1, data: Float64Array.of(NaN, NaN) } } }), { kind: 'property', name: 'q' });
  assert.deepEqual(Array.from(none.colors), [MISSING_COLOR, MISSING_COLOR]);
  assert.equal(none.legend?.min, 0);
  assert.equal(none.legend?.max, 0);
  assert.equal(none.legend?.missing, 2);
});

test('legend ticks read min, centre and max with 3 significant digits and a true minus sign', () => {
  const legend = colorLegendOf('charges', 'e', [-0.40698, 0.25006], colorRangeOf([-0.40698, 0.25006]));
  assert.deepEqual(legend.ticks.map((t) => t.text), ['−0.407', '0', '0.407']);
  assert.equal(formatTick(12345.6), '1.23e+4');
  assert.equal(formatTick(0.000012), '1.20e-5');
  const sequential = colorLegendOf('forces_spread', 'eV/Å', [0.02, 0.5], colorRangeOf([0.02, 0.5]));
  assert.deepEqual(sequential.ticks.map((t) => t.text), ['0', '0.25', '0.5']);
  assert.equal(sequential.stops[0], '#440154');
  assert.equal(sequential.stops.at(-1), '#fde725');
});

test('the dipole arrow starts at the centroid, points along the file dipole and is scale x |μ| Å long', () => {
  const frame = frames[0]!;
  const dipole = frame.properties['dipole'] as readonly number[];
  assert.deepEqual(dipole, [-0.732023, 2.887424, 3.339855]);
  const arrow = dipoleArrowOf(frame, { scale: 0.5 });
  assert.ok(arrow);
  const n = frame.numbers.length;
  for (let c = 0; c < 3; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += frame.positions[3 * i + c]! / n;
    assert.ok(Math.abs(arrow.start[c]! - mean) < 1e-12);
    assert.ok(Math.abs(arrow.direction[c]! - dipole[c]! / Math.hypot(...dipole)) < 1e-12);
  }
  assert.ok(Math.abs(arrow.magnitude - 4.475232) < 1e-5, 'matches the file dipole_norm');
  assert.ok(Math.abs(arrow.length - 0.5 * arrow.magnitude) < 1e-12);
  assert.equal(formatDipole(arrow.magnitude), '4.48 D');
  // A given vector wins over the file; a zero or missing dipole draws nothing.
  assert.deepEqual(dipoleArrowOf(frame, { scale: 1, vector: [0, 0, 2] })?.direction, [0, 0, 1]);
  assert.equal(dipoleArrowOf(frame, { scale: 1, vector: [0, 0, 0] }), null);
  assert.equal(dipoleArrowOf(frame, { scale: 1, property: 'no_such_property' }), null);
  assert.equal(dipoleArrowOf(frame, { scale: 1, vector: [Number.NaN, 0, 1] }), null);
});
