import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { perceiveBonds } from '../../core/perception/perceive-bonds';
import { createStructure } from '../../core/structure/structure';
import { repoRoot } from './shared-examples';

interface Case { numbers: number[]; positions: number[][]; cell: number[][]; pbc: [boolean, boolean, boolean]; pairs: Array<[number, number]> }
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'chem', 'fixtures', 'perceive-bonds.reference.json'), 'utf8')) as { cases: Record<string, Case> };

for (const [name, c] of Object.entries(reference.cases)) {
  test(`perceived bonds equal ASE's neighbour list (r_i + r_j + 0.45 Å) for ${name}`, () => {
    const periodic = c.pbc.some((p) => p);
    const structure = createStructure({
      numbers: c.numbers,
      positions: c.positions.flat(),
      ...(periodic ? { cell: c.cell.flat(), pbc: c.pbc } : {}),
    });
    const bonds = perceiveBonds(structure);
    assert.deepEqual(bonds.map((b) => [b.a, b.b]), c.pairs);
  });
}

test('bonds across periodic boundaries are found wherever the atoms sit (wrapped or not)', () => {
  const c = reference.cases['si-conventional']!;
  const shifted = c.positions.flat().map((v, k) => v + (k % 3 === 0 ? 5.43 * 3 : k % 3 === 1 ? -5.43 : 0) + 1e-9);
  const structure = createStructure({ numbers: c.numbers, positions: shifted, cell: c.cell.flat(), pbc: c.pbc });
  assert.deepEqual(perceiveBonds(structure).map((b) => [b.a, b.b]), c.pairs);
});

test('a 20000-atom random gas perceives in linear time (grid), matching brute force on a subset', () => {
  // Seeded LCG positions in a 60 Å box: density like a liquid of CH4.
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const n = 20000;
  const numbers = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 6 : 1));
  const positions = Array.from({ length: 3 * n }, () => random() * 60);
  const structure = createStructure({ numbers, positions });
  const t0 = performance.now();
  const bonds = perceiveBonds(structure);
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `took ${ms} ms`);
  // Brute force over the first 1500 atoms must find exactly the grid's bonds among them.
  const m = 1500;
  const brute: string[] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) {
    const d = Math.hypot(positions[3 * i]! - positions[3 * j]!, positions[3 * i + 1]! - positions[3 * j + 1]!, positions[3 * i + 2]! - positions[3 * j + 2]!);
    const r = (numbers[i] === 6 ? 0.76 : 0.31) + (numbers[j] === 6 ? 0.76 : 0.31) + 0.45;
    if (d <= r && d >= 0.1) brute.push(`${i}-${j}`);
  }
  assert.deepEqual(bonds.filter((b) => b.b < m).map((b) => `${b.a}-${b.b}`), brute);
});
