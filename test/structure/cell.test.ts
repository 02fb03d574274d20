import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cartesianToFractional,
  cellFromParameters,
  cellParameters,
  cellVolume,
  fractionalToCartesian,
  invertCell,
  wrapPositions,
} from '../../core/structure/cell';

const fixture = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'cif', 'ase-cell.json');
const cases = JSON.parse(readFileSync(fixture, 'utf8')) as Array<{
  cellpar: number[];
  cell: number[][];
  cellpar_back: number[];
  volume: number;
  positions: number[][];
  wrapped: number[][];
  wrapped_pbc_TTF: number[][];
  scaled: number[][];
}>;

function near(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

test('cellFromParameters matches ase.geometry.cellpar_to_cell (a along x, b in the xy plane) to 1e-12 Å', () => {
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const [a, b, cc, alpha, beta, gamma] = c.cellpar as [number, number, number, number, number, number];
    near(cellFromParameters(a, b, cc, alpha, beta, gamma), c.cell.flat(), 1e-12, `cell ${c.cellpar}`);
  }
  // Right angles give exact zeros, as in ASE.
  assert.deepEqual(Array.from(cellFromParameters(5.43, 5.43, 5.43, 90, 90, 90)), [5.43, 0, 0, 0, 5.43, 0, 0, 0, 5.43]);
  assert.throws(() => cellFromParameters(1, 1, 1, 10, 10, 170), /do not form a cell/);
});

test('cellParameters and cellVolume match ASE (cell_to_cellpar, det)', () => {
  for (const c of cases) {
    const p = cellParameters(c.cell.flat());
    near([p.a, p.b, p.c, p.alpha, p.beta, p.gamma], c.cellpar_back, 1e-9, `cellpar ${c.cellpar}`);
    assert.ok(Math.abs(cellVolume(c.cell.flat()) - c.volume) < 1e-9);
  }
});

test('fractional <-> Cartesian and wrapping match ASE (wrap_positions, eps = 0), also with a non-periodic axis', () => {
  for (const c of cases) {
    const cell = c.cell.flat();
    const positions = c.positions.flat();
    const scaled = cartesianToFractional(positions, cell);
    near(scaled, c.scaled.flat(), 1e-12, 'scaled');
    near(fractionalToCartesian(scaled, cell), positions, 1e-10, 'back to Cartesian');
    near(wrapPositions(positions, cell), c.wrapped.flat(), 1e-9, 'wrapped');
    near(wrapPositions(positions, cell, [true, true, false]), c.wrapped_pbc_TTF.flat(), 1e-9, 'wrapped TTF');
    const inverse = invertCell(cell);
    near(fractionalToCartesian(Float64Array.of(...cell.slice(0, 3)), inverse), [1, 0, 0], 1e-12, 'a * inverse');
  }
  assert.throws(() => invertCell([1, 0, 0, 2, 0, 0, 0, 0, 1]), /singular/);
});
