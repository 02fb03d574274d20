import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStructure, elementOf } from '../../core/structure';
import { atomColorsOf, buildSceneData, divergingColor, parseCssHex } from '../../renderer/viewer/scene-data';
import { sequentialColor } from '../../renderer/viewer/color-maps';
import { readFrames } from './load-dataset';

const ethanol = readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1)[0]!;

test('element colours are the Jmol/CPK colours of the element table', () => {
  const colors = atomColorsOf(ethanol, { kind: 'element' });
  assert.deepEqual(Array.from(colors), Array.from(ethanol.numbers, (z) => elementOf(z).color));
  assert.equal(colors[2], 0xff0d0d);
});

test('property colouring maps the per-atom force norm (non-negative) through the sequential map from 0 to its largest value', () => {
  const forces = ethanol.atomArrays['forces'];
  assert.ok(forces && forces.kind === 'float' && forces.width === 3);
  const norms = Array.from({ length: 9 }, (_, i) => Math.hypot(forces.data[3 * i]!, forces.data[3 * i + 1]!, forces.data[3 * i + 2]!));
  const colors = atomColorsOf(ethanol, { kind: 'property', name: 'forces', norm: true });
  const lowest = norms.indexOf(Math.min(...norms)), highest = norms.indexOf(Math.max(...norms));
  assert.equal(colors[lowest], sequentialColor(norms[lowest]! / Math.max(...norms)));
  assert.equal(colors[highest], sequentialColor(1));
  assert.equal(divergingColor(0.5), 0xf7f7f7);
  // Fixed diverging range: values near the lower bound are blue whatever the data range.
  const fixed = atomColorsOf(ethanol, { kind: 'property', name: 'forces', norm: true, map: 'diverging', min: 0, max: 1000 });
  assert.ok(Array.from(fixed).every((c) => (c & 0xff) > (c >> 16)), 'all bluish');
  // Unknown property falls back to element colours.
  assert.deepEqual(atomColorsOf(ethanol, { kind: 'property', name: 'nope' }), atomColorsOf(ethanol, { kind: 'element' }));
});

test('uniform colours accept CSS hex in long and short form', () => {
  assert.equal(parseCssHex('#336699'), 0x336699);
  assert.equal(parseCssHex('#abc'), 0xaabbcc);
  assert.equal(parseCssHex('not a colour', 0x123456), 0x123456);
  assert.ok(Array.from(atomColorsOf(ethanol, { kind: 'uniform', color: '#00ff00' })).every((c) => c === 0x00ff00));
});

test('atom radii follow the style and atomScale; bond radius follows bondScale', () => {
  const base = buildSceneData(ethanol, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  const scaled = buildSceneData(ethanol, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 2, bondScale: 0.5, supercell: [1, 1, 1] });
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(scaled.atoms.radius[i]! - 2 * base.atoms.radius[i]!) < 1e-6);
  assert.ok(Array.from(scaled.bonds.radius).every((r, h) => Math.abs(r - 0.5 * base.bonds.radius[h]!) < 1e-6));
  assert.ok(base.atoms.radius[2]! > base.atoms.radius[3]!, 'O is drawn larger than H');
  const licorice = buildSceneData(ethanol, { style: 'licorice', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.ok(Array.from(licorice.atoms.radius).every((r) => Math.abs(r - licorice.bonds.radius[0]!) < 1e-6), 'licorice: atoms as thick as bonds');
});

test('supercell repeats only along periodic axes and is clamped to at least 1', () => {
  const slab = createStructure({ numbers: [6, 6], positions: [0, 0, 0, 1.4, 0, 0], cell: [2.8, 0, 0, 0, 2.8, 0, 0, 0, 20], pbc: [true, true, false] });
  const data = buildSceneData(slab, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [3, 0, 4] });
  assert.deepEqual(data.supercell, [3, 1, 1]);
  assert.equal(data.atoms.count, 6);
});

test('double and triple bonds from the file become 2 and 3 thinner strands in the plane of a neighbour', () => {
  // Propyne-like chain with a formaldehyde end: H3C-C#C-CH=O (orders from the 'file').
  const numbers = [6, 6, 6, 6, 8, 1];
  const positions = [0, 0, 0, 1.46, 0, 0, 2.66, 0, 0, 4.1, 0, 0, 4.75, 1.05, 0, 4.7, -0.95, 0];
  const bonds = [
    { a: 0, b: 1, order: 1 as const },
    { a: 1, b: 2, order: 3 as const },
    { a: 2, b: 3, order: 1 as const },
    { a: 3, b: 4, order: 2 as const },
    { a: 3, b: 5, order: 1 as const },
  ];
  const molecule = createStructure({ numbers, positions, bonds });
  const data = buildSceneData(molecule, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.equal(data.bondCount, 5);
  assert.equal(data.bonds.count, 2 * (1 + 3 + 1 + 2 + 1));
  // The C=O strands are offset within the molecular plane (z = 0) and are thinner than single bonds.
  const single = data.bonds.radius[0]!;
  let carbonyl = 0;
  for (let h = 0; h < data.bonds.count; h++) {
    const r = data.bonds.radius[h]!;
    if (r < single) {
      assert.ok(Math.abs(data.bonds.start[3 * h + 2]!) < 1e-6, 'strands stay in the plane z = 0');
      if (data.bonds.color[h] === elementOf(8).color) carbonyl++;
    }
  }
  assert.equal(carbonyl, 2, 'two red half-strands for C=O');
  const licorice = buildSceneData(molecule, { style: 'licorice', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.equal(licorice.bonds.count, 10, 'licorice draws every bond as one stick');
});
