import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStructure, elementOf } from '../../core/structure';
import { BOND_TOLERANCE, perceiveViewBonds, viewBondsOf } from '../../renderer/viewer/bonds';
import { buildSceneData, imageOffset } from '../../renderer/viewer/scene-data';
import { REPO_ROOT } from '../helpers/browser';
import { readFrames } from './load-dataset';

interface BondFixture {
  entries: Array<{ file: string; frame: number; atoms: number; bonds: Array<[number, number, number, number, number]> }>;
}
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/viewer/bonds-ase.json'), 'utf8')) as BondFixture;

test('perceived bonds, periodic image shifts included, equal ASE NeighborList for molecules and crystals', () => {
  assert.ok(fixture.entries.length >= 7);
  for (const entry of fixture.entries) {
    const structure = readFrames(entry.file, entry.frame + 1)[entry.frame]!;
    assert.equal(structure.numbers.length, entry.atoms);
    const bonds = perceiveViewBonds(structure);
    const ours: string[] = [];
    for (let k = 0; k < bonds.count; k++) ours.push([bonds.a[k], bonds.b[k], bonds.shift[3 * k], bonds.shift[3 * k + 1], bonds.shift[3 * k + 2]].join(','));
    const expected = entry.bonds.map((b) => b.join(','));
    assert.deepEqual(ours.sort(), expected.sort(), `${entry.file}[${entry.frame}]`);
  }
});

test('ethanol has its 8 bonds: C-C, C-O, O-H and five C-H', () => {
  const ethanol = readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1)[0]!;
  const bonds = viewBondsOf(ethanol);
  assert.equal(bonds.count, 8);
  const kinds = Array.from({ length: bonds.count }, (_, k) => [elementOf(ethanol.numbers[bonds.a[k]!]!).symbol, elementOf(ethanol.numbers[bonds.b[k]!]!).symbol].sort().join('-')).sort();
  assert.deepEqual(kinds, ['C-C', 'C-H', 'C-H', 'C-H', 'C-H', 'C-H', 'C-O', 'H-O']);
  assert.ok(Array.from(bonds.shift).every((s) => s === 0));
});

test('bonds given by a periodic file get the minimum-image shift of their second atom', () => {
  // Two atoms 0.6 Å apart across the x face of a 4 Å cubic cell.
  const structure = createStructure({ numbers: [1, 1], positions: [0.3, 1, 1, 3.7, 1, 1], cell: [4, 0, 0, 0, 4, 0, 0, 0, 4], bonds: [{ a: 0, b: 1, order: 1 }] });
  const bonds = viewBondsOf(structure);
  assert.equal(bonds.count, 1);
  assert.deepEqual(Array.from(bonds.shift), [-1, 0, 0]);
  assert.deepEqual(Array.from(perceiveViewBonds(structure).shift), [-1, 0, 0]);
});

test('perceived bonds follow the covalent-radius rule at the cutoff and ignore unwrapped coordinates', () => {
  const limit = 2 * elementOf(6).covalentRadius + BOND_TOLERANCE;
  const pair = (d: number) => perceiveViewBonds(createStructure({ numbers: [6, 6], positions: [0, 0, 0, d, 0, 0] })).count;
  assert.equal(pair(limit - 1e-6), 1);
  assert.equal(pair(limit + 1e-6), 0);
  // Same crystal with one atom moved by a whole lattice vector: same bonds, shifts adjusted.
  const perov = readFrames('perov_5/perov_5_test.extxyz.gz', 1)[0]!;
  const moved = Float64Array.from(perov.positions);
  for (let c = 0; c < 3; c++) moved[3 + c]! += 2 * perov.cell![c]! - perov.cell![3 + c]!;
  const a = perceiveViewBonds(perov);
  const b = perceiveViewBonds(createStructure({ numbers: perov.numbers, positions: moved, cell: perov.cell! }));
  assert.equal(b.count, a.count);
  for (let k = 0; k < b.count; k++) {
    const d = (bonds: typeof a, i: number) => {
      const pos = bonds === a ? perov.positions : moved;
      const [ox, oy, oz] = imageOffset(perov.cell, [bonds.shift[3 * i]!, bonds.shift[3 * i + 1]!, bonds.shift[3 * i + 2]!]);
      const p = bonds.a[i]!, q = bonds.b[i]!;
      return Math.hypot(pos[3 * q]! + ox - pos[3 * p]!, pos[3 * q + 1]! + oy - pos[3 * p + 1]!, pos[3 * q + 2]! + oz - pos[3 * p + 2]!);
    };
    assert.ok(Math.abs(d(a, k) - d(b, k)) < 1e-9);
  }
});

test('a 2x2x2 supercell draws 8 copies of every atom and every bond inside it exactly once', () => {
  const crystal = readFrames('carbon_24/carbon_24_test.extxyz.gz', 1)[0]!;
  const n = crystal.numbers.length;
  const data = buildSceneData(crystal, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [2, 2, 2] });
  assert.equal(data.atoms.count, 8 * n);
  assert.equal(data.bonds.count, 2 * data.bondCount);
  // Brute force over the replicated atoms: every pair within the bond cutoff must be one drawn bond.
  const key = (x: number, y: number, z: number) => `${x.toFixed(3)},${y.toFixed(3)},${z.toFixed(3)}`;
  const atomAt = new Map<string, number>();
  for (let i = 0; i < data.atoms.count; i++) atomAt.set(key(data.atoms.position[3 * i]!, data.atoms.position[3 * i + 1]!, data.atoms.position[3 * i + 2]!), i);
  const drawn = new Set<string>();
  let crossing = 0;
  for (let h = 0; h < data.bonds.count; h += 2) {
    const s = data.bonds.start.subarray(3 * h, 3 * h + 3), e = data.bonds.end.subarray(3 * (h + 1), 3 * (h + 1) + 3);
    // The two halves meet: end of the first half is the start of the second.
    assert.deepEqual(Array.from(data.bonds.end.subarray(3 * h, 3 * h + 3)), Array.from(data.bonds.start.subarray(3 * (h + 1), 3 * (h + 1) + 3)));
    const from = atomAt.get(key(s[0]!, s[1]!, s[2]!)), to = atomAt.get(key(e[0]!, e[1]!, e[2]!));
    assert.ok(from !== undefined, 'every bond starts at a drawn atom');
    if (to === undefined) {
      crossing++;
      continue;
    }
    const pair = [from, to].sort((x, y) => x - y).join('-');
    assert.ok(!drawn.has(pair), `bond ${pair} drawn twice`);
    drawn.add(pair);
  }
  let expectedInside = 0;
  for (let i = 0; i < data.atoms.count; i++) {
    for (let j = i + 1; j < data.atoms.count; j++) {
      const d = Math.hypot(...[0, 1, 2].map((c) => data.atoms.position[3 * i + c]! - data.atoms.position[3 * j + c]!));
      const zi = crystal.numbers[data.atoms.atom[i]!]!, zj = crystal.numbers[data.atoms.atom[j]!]!;
      if (d < elementOf(zi).covalentRadius + elementOf(zj).covalentRadius + BOND_TOLERANCE) expectedInside++;
    }
  }
  assert.equal(drawn.size, expectedInside);
  assert.ok(crossing > 0, 'bonds leaving the supercell are drawn to the image atom');
});

test('bond halves are coloured by their own atom: O-H in ethanol is half red, half white', () => {
  const ethanol = readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1)[0]!;
  const data = buildSceneData(ethanol, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [2, 2, 2] });
  assert.equal(data.atoms.count, 9, 'molecules ignore the supercell');
  assert.equal(data.bondCount, 8);
  const colours = new Set<string>();
  for (let h = 0; h < data.bonds.count; h += 2) colours.add([data.bonds.color[h], data.bonds.color[h + 1]].sort().map((c) => c!.toString(16)).join('/'));
  assert.ok(colours.has([elementOf(8).color, elementOf(1).color].sort().map((c) => c.toString(16)).join('/')));
  const spacefill = buildSceneData(ethanol, { style: 'spacefill', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.equal(spacefill.bonds.count, 0);
  assert.ok(Math.abs(spacefill.atoms.radius[2]! - elementOf(8).vdwRadius) < 1e-6);
  const wire = buildSceneData(ethanol, { style: 'wireframe', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1] });
  assert.equal(wire.atoms.count, 0, 'wireframe draws no spheres for bonded atoms');
  assert.equal(wire.pickAtoms.count, 9, 'but every atom stays pickable');
});

test('grid bond search on a 103,823-atom cubic lattice finds exactly its 3·n²·(n-1) nearest-neighbour bonds', () => {
  // Simple-cubic lattice of carbon, spacing 1.5 Å: six neighbours each (bond limit 1.97 Å < sqrt(2) * 1.5).
  const side = 47;
  const positions: number[] = [];
  for (let x = 0; x < side; x++) for (let y = 0; y < side; y++) for (let z = 0; z < side; z++) positions.push(1.5 * x, 1.5 * y, 1.5 * z);
  const structure = createStructure({ numbers: new Uint8Array(side ** 3).fill(6), positions });
  const bonds = perceiveViewBonds(structure);
  assert.equal(bonds.count, 3 * side * side * (side - 1));
});
