import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../core/formats/read-text';
import { smilesFormat, smilesCsvFormat } from '../../core/formats/smiles';
import { hillFormula, type Structure } from '../../core/structure/structure';
import { symbolOf } from '../../core/structure/elements';
import { readFixture } from '../chem/shared-examples';

interface SmilesReference { smiles: string; name: string; numAtoms: number; numHydrogens: number; numBonds: number; charge: number; charges: number[]; formula: string }
const reference = JSON.parse(readFixture('smiles/molecules.reference.json')) as { molecules: SmilesReference[] };
const bySmiles = new Map(reference.molecules.map((m) => [m.smiles, m]));

before(async () => {
  await smilesFormat.prepare!();
});

function formulaOf(s: Structure): string {
  const q = s.charge;
  return hillFormula(s.numbers, symbolOf) + (q === 0 ? '' : (q > 0 ? '+' : '-') + (Math.abs(q) > 1 ? Math.abs(q) : ''));
}

/** Hydrogen count, heavy-atom charges and formula as RDKit has them; sane 3D bond lengths. */
function assertEmbedded(s: Structure, smiles: string): void {
  const ref = bySmiles.get(smiles)!;
  assert.ok(ref, smiles);
  assert.equal(s.numbers.length, ref.numAtoms, `${smiles}: atoms with hydrogens`);
  assert.equal(Array.from(s.numbers).filter((z) => z === 1).length, ref.numHydrogens, `${smiles}: hydrogens`);
  assert.equal(s.bonds!.length, ref.numBonds, `${smiles}: bonds`);
  assert.deepEqual(Array.from(s.formalCharges!).filter((_, i) => s.numbers[i] !== 1), ref.charges, `${smiles}: heavy-atom charges`);
  assert.equal(s.charge, ref.charge);
  assert.equal(formulaOf(s), ref.formula, `${smiles}: formula`);
  const n = s.numbers.length;
  const unsaturated = new Uint8Array(n);
  for (const b of s.bonds!) if (b.order !== 1) unsaturated[b.a] = unsaturated[b.b] = 1;
  const p = s.positions;
  const length = (a: number, b: number) => Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
  for (const b of s.bonds!) {
    const za = s.numbers[b.a]!, zb = s.numbers[b.b]!;
    const d = length(b.a, b.b);
    if (za === 6 && zb === 6 && b.order === 1 && !unsaturated[b.a] && !unsaturated[b.b]) assert.ok(d >= 1.45 && d <= 1.6, `${smiles}: sp3 C-C ${d}`);
    if (za === 6 && zb === 6 && b.order !== 1) assert.ok(d >= 1.2 && d <= 1.45, `${smiles}: multiple C-C ${d}`);
    if ((za === 6 && zb === 1) || (za === 1 && zb === 6)) assert.ok(d >= 1.06 && d <= 1.12, `${smiles}: C-H ${d}`);
    assert.ok(d > 0.9 && d < 2.0, `${smiles}: bond ${za}-${zb} ${d}`);
  }
  // No two atoms on top of each other.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.ok(length(i, j) > 0.7, `${smiles}: atoms ${i}, ${j} clash`);
}

test('.smi list: names, hydrogens added, charges/isotopes/radicals kept, sane 3D geometry', () => {
  const { structures, errors } = readText(readFixture('smiles/molecules.smi'), 'molecules.smi', smilesFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 6);
  const expected = reference.molecules.slice(0, 6);
  structures.forEach((s, i) => {
    assert.equal(s.name, expected[i]!.name.replace(/ /g, '_'));
    assert.equal(s.properties.smiles, expected[i]!.smiles);
    assertEmbedded(s, expected[i]!.smiles);
    assert.equal(s.provenance!.line, i + 2, 'line after the comment');
  });
  assert.equal(structures.find((s) => s.name === 'ethyl_radical')!.multiplicity, 2);
  assert.ok(structures.find((s) => s.name === 'carbon-13_methanol')!.isotopes!.includes(13));
});

test('CSV with a canonical_smiles header: other columns become properties (numbers when numeric)', () => {
  const { structures, errors } = readText(readFixture('smiles/molecules.csv'), 'molecules.csv', smilesCsvFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 5);
  structures.forEach((s, k) => {
    assert.equal(s.name, `m${k}`);
    assert.equal(s.properties.logS, -1 - 0.5 * k);
    assert.equal(s.properties.label, reference.molecules[k]!.name);
    assert.equal(s.provenance!.line, k + 2);
  });
  assertEmbedded(structures[2]!, 'CC(=O)[O-]');
});

test('TSV whose SMILES column has no telling name: the column is found by content', () => {
  const { structures, errors } = readText(readFixture('smiles/no-header-name.tsv'), 'no-header-name.tsv', smilesCsvFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 4);
  assert.deepEqual(structures.map((s) => s.properties.pIC50), [5, 6, 7, 8]);
  assert.deepEqual(structures.map((s) => s.name), ['c0', 'c1', 'c2', 'c3']);
  assertEmbedded(structures[1]!, 'C[N+](=O)[O-]');
  assertEmbedded(structures[2]!, 'c1cc[nH+]cc1.[Cl-]');
});

test('headerless CSV, comments, blank lines; invalid SMILES are errors naming their line', () => {
  const csv = readText('CCO,ethanol\n\nC1CC,broken\nCN,methylamine\n', 'plain.csv', smilesCsvFormat);
  assert.equal(csv.structures.length, 2);
  assert.deepEqual(csv.structures.map((s) => s.properties.column2), ['ethanol', 'methylamine']);
  assert.equal(csv.errors.length, 1);
  assert.equal(csv.errors[0]!.line, 3);
  assert.equal(csv.errors[0]!.record, 1);
  assert.match(csv.errors[0]!.message, /invalid SMILES 'C1CC'/);
  const smi = readText('# list\nSMILES Name\nCCO ethanol\n\nC(C)(C)(C)(C)C bad-valence\nc1ccccc1 benzene\n', 'list.smi', smilesFormat);
  assert.deepEqual(smi.structures.map((s) => s.name), ['ethanol', 'benzene']);
  assert.equal(smi.errors.length, 1);
  assert.equal(smi.errors[0]!.line, 5);
  assert.equal(smi.errors[0]!.file, 'list.smi');
});

test('embedding is reproducible: the same SMILES gives the same coordinates', () => {
  const a = readText('CC(=O)Oc1ccccc1C(=O)O aspirin\n', 'a.smi', smilesFormat).structures[0]!;
  const b = readText('CC(=O)Oc1ccccc1C(=O)O aspirin\n', 'b.smi', smilesFormat).structures[0]!;
  assert.deepEqual(Array.from(a.positions), Array.from(b.positions));
  assertEmbedded(a, 'CC(=O)Oc1ccccc1C(=O)O');
});

test('sniff: a smiles header marks a table; SMILES-looking lines a .smi file', () => {
  assert.ok(smilesCsvFormat.sniff(readFixture('smiles/molecules.csv')) > 0.8);
  assert.ok(smilesFormat.sniff('CCO ethanol\nc1ccccc1 benzene\n') > 0.3);
  assert.equal(smilesCsvFormat.sniff('a,b,c\n1,2,3\n'), 0);
});
