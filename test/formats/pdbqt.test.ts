import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../core/formats/read-text';
import { elementOfAutodockType, pdbFormat, pdbqtFormat } from '../../core/formats/pdb';
import { detectFormat, formatById } from '../../core/formats/registry';
import { readFixture } from '../chem/shared-examples';

interface PdbqtReference {
  records: Array<{ numbers: number[]; atoms: Array<{ x: number; y: number; z: number; charge: number; type: string }> }>;
}

test('obabel PDBQT ligands: elements from AutoDock types, positions, partial charges from columns 71-76', () => {
  const ref = JSON.parse(readFixture('pdbqt/ligands.reference.json')) as PdbqtReference;
  const text = readFixture('pdbqt/ligands.pdbqt');
  assert.ok(/^BRANCH/m.test(text) && /^TORSDOF/m.test(text) && / OA\s*$/m.test(text), 'fixture has a torsion tree and two-letter types');
  const { structures, errors } = readText(text, 'ligands.pdbqt', pdbqtFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, ref.records.length);
  structures.forEach((s, r) => {
    const expected = ref.records[r]!;
    const label = `record ${r + 1}`;
    assert.deepEqual(Array.from(s.numbers), expected.numbers, `${label}: elements`);
    const charges = s.atomArrays.partial_charges;
    const types = s.atomArrays.autodockType;
    assert.ok(charges && charges.kind === 'float' && types && types.kind === 'string');
    expected.atoms.forEach((a, i) => {
      assert.ok(Math.abs(s.positions[3 * i]! - a.x) < 1e-9 && Math.abs(s.positions[3 * i + 1]! - a.y) < 1e-9 && Math.abs(s.positions[3 * i + 2]! - a.z) < 1e-9, `${label}: atom ${i + 1} position`);
      assert.ok(Math.abs(charges.data[i]! - a.charge) < 1e-9, `${label}: atom ${i + 1} charge`);
      assert.equal(types.data[i], a.type, `${label}: atom ${i + 1} type`);
    });
    assert.deepEqual(Array.from(s.formalCharges!), new Array<number>(s.numbers.length).fill(0), `${label}: no formal charges`);
    assert.equal(s.provenance?.format, 'pdbqt');
  });
  assert.equal(structures[0]!.name, 'aspirin', "'REMARK  Name = ' names the ligand");
  const first = structures[0]!.atomArrays.partial_charges;
  assert.ok(first && first.kind === 'float' && first.data.some((q) => q !== 0), 'charges are not all zero');
});

test('the same file read as plain PDB fails on columns 79-80, which is why PDBQT is a format of its own', () => {
  const { errors } = readText(readFixture('pdbqt/ligands.pdbqt'), 'ligands.pdbqt', pdbFormat);
  assert.ok(errors.length > 0);
  assert.match(errors[0]!.message, /formal charge 'A' \(columns 79-80\).*AutoDock atom type: is it a PDBQT file/);
});

test('AutoDock types give elements: A and C carbon, NA, OA, SA, HD, Cl, Br, Meeko G0/CG0; unknown types are undefined', () => {
  const cases: Array<[string, number | undefined]> = [
    ['A', 6], ['C', 6], ['NA', 7], ['NS', 7], ['N', 7], ['OA', 8], ['OS', 8], ['SA', 16], ['S', 16], ['HD', 1], ['HS', 1], ['H', 1],
    ['F', 9], ['Cl', 17], ['CL', 17], ['Br', 35], ['I', 53], ['P', 15], ['Mg', 12], ['Zn', 30], ['Fe', 26], ['G0', 6], ['CG1', 6], ['W', 8], ['Qx', undefined],
  ];
  for (const [type, z] of cases) assert.equal(elementOfAutodockType(type), z, type);
});

test('ROOT/BRANCH/TORSDOF lines are skipped; an unknown atom type is an error naming the line', () => {
  const atom = (serial: number, name: string, x: number, q: string, type: string) =>
    `ATOM  ${String(serial).padStart(5)}  ${name.padEnd(3)} LIG A   1    ${x.toFixed(3).padStart(8)}   0.000   0.000  1.00  0.00    ${q.padStart(6)} ${type.padEnd(2)}`;
  const good = ['ROOT', atom(1, 'C1', 0, '+0.100', 'A'), atom(2, 'O1', 1.2, '-0.300', 'OA'), 'ENDROOT', 'BRANCH   1   3', atom(3, 'N1', -1.4, '-0.250', 'NA'), atom(4, 'H1', -2.4, '0.150', 'HD'), 'ENDBRANCH   1   3', 'TORSDOF 1'];
  const { structures, errors } = readText(good.join('\n'), 'lig.pdbqt', pdbqtFormat);
  assert.deepEqual(errors, []);
  assert.deepEqual(Array.from(structures[0]!.numbers), [6, 8, 7, 1]);
  const charges = structures[0]!.atomArrays.partial_charges;
  assert.ok(charges && charges.kind === 'float');
  assert.deepEqual(Array.from(charges.data), [0.1, -0.3, -0.25, 0.15]);
  const bad = [...good.slice(0, 5), atom(3, 'N1', -1.4, '-0.250', 'Qx'), ...good.slice(6)];
  const result = readText(bad.join('\n'), 'lig.pdbqt', pdbqtFormat);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.line, 6);
  assert.match(result.errors[0]!.message, /unknown AutoDock atom type 'Qx'/);
});

test('registry: .pdbqt files and PDBQT text under another name are read as PDBQT, .pdb stays PDB', () => {
  assert.equal(formatById('pdbqt'), pdbqtFormat);
  assert.equal(detectFormat('dock.pdbqt', '').id, 'pdbqt');
  assert.equal(detectFormat('dock.pdb', '').id, 'pdb');
  assert.equal(detectFormat('dock.txt', readFixture('pdbqt/ligands.pdbqt').slice(0, 4000)).id, 'pdbqt');
});
