import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../core/formats/read-text';
import { mol2Format, elementOfSybylType, parseMol2Record } from '../../core/formats/mol2';
import { detectFormat, formatById } from '../../core/formats/registry';
import { cellParameters } from '../../core/structure/cell';
import { FormatError } from '../../core/structure/errors';
import { readFixture } from '../chem/shared-examples';

interface Mol2Reference {
  name: string;
  source: string;
  numbers: number[];
  positions: number[][];
  bonds: Array<[number, number, number]>;
  partial_charges: number[];
}

test('obabel MOL2 of the SDF fixture matches RDKit: names, elements, positions, bond orders (ar 1.5), partial charges', () => {
  const ref = JSON.parse(readFixture('mol2/molecules.reference.json')) as { records: Mol2Reference[] };
  const { structures, errors } = readText(readFixture('mol2/molecules.mol2'), 'molecules.mol2', mol2Format);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, ref.records.length);
  assert.equal(structures.length, 10);
  structures.forEach((s, r) => {
    const expected = ref.records[r]!;
    const label = `record ${r + 1} (${expected.name})`;
    assert.equal(s.name, expected.name, `${label}: name`);
    assert.deepEqual(Array.from(s.numbers), expected.numbers, `${label}: elements`);
    expected.positions.forEach((p, i) => p.forEach((v, k) => assert.ok(Math.abs(s.positions[3 * i + k]! - v) <= 1e-6, `${label}: atom ${i + 1} coordinate ${k}`)));
    assert.deepEqual(s.bonds!.map((b) => [b.a, b.b, b.order]), expected.bonds, `${label}: bonds`);
    const charges = s.atomArrays.partial_charges;
    assert.ok(charges && charges.kind === 'float', `${label}: partial_charges array`);
    expected.partial_charges.forEach((q, i) => assert.ok(Math.abs(charges.data[i]! - q) <= 1e-6, `${label}: charge of atom ${i + 1}`));
    assert.equal(s.provenance?.format, 'mol2');
    assert.equal(s.provenance?.record, r);
  });
  const byName = new Map(structures.map((s) => [s.name, s]));
  assert.ok(byName.get('aspirin')!.bonds!.some((b) => b.order === 1.5), 'aromatic bonds read as 1.5');
  // Gasteiger charges sum to the net charge, which becomes the structure's total charge.
  assert.equal(byName.get('methylammonium')!.charge, 1);
  assert.equal(byName.get('acetate')!.charge, -1);
  assert.equal(byName.get('aspirin')!.charge, 0);
  const types = byName.get('pyridinium chloride')!.atomArrays.sybylType;
  assert.ok(types && types.kind === 'string' && types.data.includes('Cl'));
});

test('SYBYL atom types give elements: C.3, N.ar, O.co2, Cl, Br, Co.oh, Du; query types are refused', () => {
  assert.equal(elementOfSybylType('C.3'), 6);
  assert.equal(elementOfSybylType('C.cat'), 6);
  assert.equal(elementOfSybylType('N.ar'), 7);
  assert.equal(elementOfSybylType('N.pl3'), 7);
  assert.equal(elementOfSybylType('O.co2'), 8);
  assert.equal(elementOfSybylType('S.O2'), 16);
  assert.equal(elementOfSybylType('Cl'), 17);
  assert.equal(elementOfSybylType('Br'), 35);
  assert.equal(elementOfSybylType('Co.oh'), 27);
  assert.equal(elementOfSybylType('H.spc'), 1);
  assert.equal(elementOfSybylType('Du'), 0);
  assert.equal(elementOfSybylType('LP'), 0);
  assert.equal(elementOfSybylType('Any'), undefined);
  assert.equal(elementOfSybylType('Xx.9'), undefined);
});

const CRYSTAL = `# written by hand: a water in an orthorhombic box
@<TRIPOS>MOLECULE
water box
3 2 1 0 0
SMALL
USER_CHARGES

@<TRIPOS>ATOM
1 OW 1.0000 1.0000 1.0000 O.3 1 HOH -0.8340
2 HW1 1.9572 1.0000 1.0000 H 1 HOH 0.4170
3 HW2 0.7600 1.9266 1.0000 H 1 HOH 0.4170
@<TRIPOS>BOND
1 1 2 1
2 1 3 un
@<TRIPOS>SUBSTRUCTURE
1 HOH 1 RESIDUE
@<TRIPOS>CRYSIN
5.0 6.0 7.0 90.0 90.0 120.0 1 1
`;

test('CRYSIN becomes a periodic cell; "un" bonds have order 0; substructure names are kept', () => {
  const { structures, errors } = readText(CRYSTAL, 'box.mol2', mol2Format);
  assert.deepEqual(errors, []);
  const s = structures[0]!;
  assert.equal(s.name, 'water box');
  const p = cellParameters(s.cell!);
  assert.ok(Math.abs(p.a - 5) < 1e-9 && Math.abs(p.b - 6) < 1e-9 && Math.abs(p.c - 7) < 1e-9);
  assert.ok(Math.abs(p.gamma - 120) < 1e-9);
  assert.deepEqual(s.pbc, [true, true, true]);
  assert.deepEqual(s.bonds!.map((b) => b.order), [1, 0]);
  const subst = s.atomArrays.substructureName;
  assert.ok(subst && subst.kind === 'string');
  assert.deepEqual([...subst.data], ['HOH', 'HOH', 'HOH']);
  assert.equal(s.charge, 0);
});

test('bond types am and nc: amide is single, not-connected makes no bond; atom ids need not be 1..n', () => {
  const text = `@<TRIPOS>MOLECULE
formamide
3 2
SMALL
NO_CHARGES
@<TRIPOS>ATOM
10 C1 0 0 0 C.2
20 O1 1.2 0 0 O.2
30 N1 -0.7 1.1 0 N.am
@<TRIPOS>BOND
1 10 30 am
2 20 30 nc
`;
  const s = parseMol2Record(text.split('\n'), 1);
  assert.deepEqual(s.bonds.map((b) => [b.a, b.b, b.order]), [[0, 2, 1]]);
  assert.equal(s.partialCharges, undefined, 'NO_CHARGES and no charge column: no partial_charges');
});

test('registry: .mol2 and .ml2 files, and MOL2 text under another name, are read as MOL2', () => {
  assert.equal(formatById('mol2'), mol2Format);
  assert.equal(detectFormat('ligand.mol2', '').id, 'mol2');
  assert.equal(detectFormat('ligand.ML2', '').id, 'mol2');
  assert.equal(detectFormat('ligand.txt', CRYSTAL).id, 'mol2');
});

const GOOD = `@<TRIPOS>MOLECULE
methane
1 0
SMALL
NO_CHARGES

@<TRIPOS>ATOM
1 C 0 0 0 C.3
`;

function errorOf(body: string): { line: number; record: number; message: string; text: string } {
  const text = GOOD + body;
  const { structures, errors } = readText(text, 'bad.mol2', mol2Format);
  assert.equal(structures.length, 1, 'the good record before the bad one is kept');
  assert.equal(errors.length, 1);
  const e = errors[0]!;
  assert.equal(e.file, 'bad.mol2');
  return { ...e, text: new FormatError(e.message, e.line).withLocation(e.file, e.record).toString() };
}

test('malformed records give errors naming file, record (1-based in the message) and line', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['@<TRIPOS>MOLECULE\nbad\n2 0\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 C 0 0 0 C.3\n', 15, /MOLECULE says 2 atoms, ATOM section has 1/],
    ['@<TRIPOS>MOLECULE\nbad\n1 0\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 C 0 zero 0 C.3\n', 16, /atom 1: y coordinate 'zero' is not a number/],
    ['@<TRIPOS>MOLECULE\nbad\n1 0\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 Q 0 0 0 Qq.3\n', 16, /unknown SYBYL atom type 'Qq.3'/],
    ['@<TRIPOS>MOLECULE\nbad\n2 1\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 C 0 0 0 C.3\n2 C 1.5 0 0 C.3\n@<TRIPOS>BOND\n1 1 3 1\n', 19, /bond 1: atom id 3 is not in the ATOM section/],
    ['@<TRIPOS>MOLECULE\nbad\n2 1\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 C 0 0 0 C.3\n2 C 1.5 0 0 C.3\n@<TRIPOS>BOND\n1 1 2 quad\n', 19, /unknown bond type 'quad'/],
    ['@<TRIPOS>MOLECULE\nbad\nmany 0\n', 11, /atom count 'many' is not an integer/],
    ['@<TRIPOS>MOLECULE\nbad\n1 0\nSMALL\nNO_CHARGES\n\n@<TRIPOS>ATOM\n1 C 0 0 0 C.3\n@<TRIPOS>CRYSIN\n5 5 -5 90 90 90 1 1\n', 18, /CRYSIN cell lengths must be positive/],
  ];
  for (const [body, line, pattern] of cases) {
    const e = errorOf(body);
    assert.match(e.message, pattern);
    assert.equal(e.line, line, `${pattern}: line`);
    assert.equal(e.record, 1, 'RecordError.record is the 0-based index');
    assert.match(e.text, new RegExp(`^bad\\.mol2: record 2, line ${line}: `), 'messages number records from 1');
  }
});

test('text before the first MOLECULE is reported, comments and blank lines are not', () => {
  assert.deepEqual(readText(`# comment\n\n${GOOD}`, 'a.mol2', mol2Format).errors, []);
  const { structures, errors } = readText(`junk line\n${GOOD}`, 'a.mol2', mol2Format);
  assert.equal(structures.length, 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 1);
  assert.match(errors[0]!.message, /text before '@<TRIPOS>MOLECULE'/);
});
