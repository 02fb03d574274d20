import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atomicNumberOf, createStructure, elementOf, hillFormula, symbolOf } from '../../core/structure/index';

test('element table maps symbols to atomic numbers case-insensitively, with masses and radii from ASE', () => {
  assert.equal(atomicNumberOf('C'), 6);
  assert.equal(atomicNumberOf('cl'), 17);
  assert.equal(atomicNumberOf('Og'), 118);
  assert.equal(atomicNumberOf('Xx'), undefined);
  assert.equal(symbolOf(26), 'Fe');
  assert.ok(Math.abs(elementOf(8).mass - 15.999) < 1e-3);
  assert.equal(elementOf(6).covalentRadius, 0.76);
  assert.equal(elementOf(1).vdwRadius, 1.2);
});

test('createStructure rejects positions whose length does not match the atom count', () => {
  assert.throws(() => createStructure({ numbers: [1, 1], positions: [0, 0, 0] }), /expected 6/);
  assert.throws(() => createStructure({ numbers: [1], positions: [0, NaN, 0] }), /not finite/);
  assert.throws(() => createStructure({ numbers: [1, 1], positions: [0, 0, 0, 0, 0, 0.74], bonds: [{ a: 0, b: 2, order: 1 }] }), /missing atom/);
});

test('createStructure derives total charge from formal charges and pbc from a cell', () => {
  const s = createStructure({ numbers: [7, 1, 1, 1, 1], positions: new Array(15).fill(0).map((_, i) => i), formalCharges: [1, 0, 0, 0, 0], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5] });
  assert.equal(s.charge, 1);
  assert.deepEqual(s.pbc, [true, true, true]);
  assert.equal(hillFormula(s.numbers, symbolOf), 'H4N');
  assert.equal(hillFormula([6, 6, 8, 1, 1, 1, 1, 1, 1], symbolOf), 'C2H6O');
});
