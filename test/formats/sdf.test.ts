import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText, chunksOf, splitLines } from '../../core/formats/read-text';
import { sdfFormat, parseMolfile } from '../../core/formats/sdf';
import { FormatError } from '../../core/structure/errors';
import type { Structure } from '../../core/structure/structure';
import { readFixture, readFromTarGz, sharedExamplesAvailable, sharedExamplesTar } from '../chem/shared-examples';

interface MolReference {
  name: string;
  numbers: number[];
  positions: number[][];
  charges: number[];
  isotopes: number[];
  radicalElectrons: number[];
  bonds: Array<[number, number, number]>;
  properties: Record<string, string>;
}

/** Compares one parsed structure with RDKit's reading of the same record. */
function assertMatchesRdkit(s: Structure, ref: MolReference, label: string): void {
  assert.equal(s.name, ref.name, `${label}: name`);
  assert.deepEqual(Array.from(s.numbers), ref.numbers, `${label}: atomic numbers`);
  ref.positions.forEach((p, i) => {
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(s.positions[3 * i + k]! - p[k]!) <= 1e-6, `${label}: atom ${i + 1} coordinate ${k}`);
  });
  assert.deepEqual(Array.from(s.formalCharges!), ref.charges, `${label}: charges`);
  assert.deepEqual(Array.from(s.isotopes!), ref.isotopes, `${label}: isotopes`);
  assert.deepEqual(s.bonds!.map((b) => [b.a, b.b, b.order]), ref.bonds, `${label}: bonds`);
  const unpaired = ref.radicalElectrons.reduce((sum, r) => sum + r, 0);
  assert.equal(s.multiplicity, unpaired + 1, `${label}: multiplicity`);
  assert.equal(s.charge, ref.charges.reduce((sum, q) => sum + q, 0), `${label}: total charge`);
  assert.deepEqual(Object.keys(s.properties).sort(), Object.keys(ref.properties).sort(), `${label}: property names`);
  for (const [key, text] of Object.entries(ref.properties)) {
    const value = s.properties[key];
    if (typeof value === 'number') assert.equal(value, Number(text), `${label}: property ${key}`);
    else assert.equal(value, text, `${label}: property ${key}`);
  }
}

test('multi-record V2000 SDF matches RDKit: coordinates, bonds, aromatic orders, charges, isotopes, radicals, SD fields', () => {
  const ref = JSON.parse(readFixture('sdf/molecules.reference.json')) as { records: MolReference[] };
  const { structures, errors } = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, ref.records.length);
  structures.forEach((s, i) => assertMatchesRdkit(s, ref.records[i]!, `record ${i + 1}`));
  // Spot checks of what the fixture was built to contain.
  const byName = new Map(structures.map((s) => [s.name, s]));
  assert.ok(byName.get('aspirin')!.bonds!.some((b) => b.order === 1.5), 'aromatic bonds read as 1.5');
  assert.equal(byName.get('ethyl radical')!.multiplicity, 2);
  assert.equal(byName.get('carbon-13 methanol')!.isotopes![0], 13);
  assert.equal(byName.get('acetate')!.charge, -1);
  assert.equal(byName.get('aspirin')!.properties.activity, 7.25, 'numeric SD value becomes a number');
  assert.equal(byName.get('aspirin')!.properties.ID, 'MOL-001');
  assert.equal(byName.get('ethyl radical')!.properties.multiline, 'first line\nsecond line');
});

test('V3000 records (COUNTS, CHG=, MASS=, bond block) match RDKit', () => {
  const ref = JSON.parse(readFixture('sdf/peptide.v3000.reference.json')) as { records: MolReference[] };
  const text = readFixture('sdf/peptide.v3000.sdf');
  assert.ok(text.includes('M  V30 BEGIN CTAB'));
  const { structures, errors } = readText(text, 'peptide.v3000.sdf', sdfFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 2);
  structures.forEach((s, i) => assertMatchesRdkit(s, ref.records[i]!, `V3000 record ${i + 1}`));
  assert.equal(structures[1]!.isotopes!.filter((m) => m === 13).length, 1);
});

test('a lone .mol with only the legacy charge column gives N+ and Cl-', () => {
  const ref = JSON.parse(readFixture('sdf/legacy-charges.reference.json')) as { records: MolReference[] };
  const { structures, errors } = readText(readFixture('sdf/legacy-charges.mol'), 'legacy-charges.mol', sdfFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 1);
  assertMatchesRdkit(structures[0]!, ref.records[0]!, 'legacy');
  assert.deepEqual(Array.from(structures[0]!.formalCharges!), [1, -1]);
});

test('shared ligands_1.sdf (docked poses) matches RDKit', { skip: !sharedExamplesAvailable() && 'shared datasets not present' }, () => {
  const ref = JSON.parse(readFixture('sdf/shared-ligands_1.reference.json')) as { records: MolReference[] };
  const text = readFromTarGz(sharedExamplesTar, 'ligands_1.sdf');
  const { structures, errors } = readText(text, 'ligands_1.sdf', sdfFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 4);
  structures.forEach((s, i) => assertMatchesRdkit(s, ref.records[i]!, `ligand ${i + 1}`));
});

test('splitter cuts at $$$$ with each record starting on its file line, keeping no delimiter lines', () => {
  const text = readFixture('sdf/molecules.sdf');
  const lines = splitLines(text);
  const chunks = [...chunksOf(lines, sdfFormat)];
  assert.equal(chunks.length, 10);
  for (const chunk of chunks) {
    assert.equal(lines[chunk.firstLine - 1], chunk.lines[0], 'firstLine points at the title line');
    assert.ok(!chunk.lines.some((l) => l.startsWith('$$$$')));
  }
  assert.deepEqual(chunks.map((c) => c.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('CRLF line endings and trailing blank lines read the same', () => {
  const text = readFixture('sdf/molecules.sdf');
  const crlf = readText(text.replace(/\n/g, '\r\n') + '\r\n\r\n', 'crlf.sdf', sdfFormat);
  const lf = readText(text, 'lf.sdf', sdfFormat);
  assert.equal(crlf.structures.length, lf.structures.length);
  assert.deepEqual(crlf.errors, []);
  assert.deepEqual(Array.from(crlf.structures[3]!.positions), Array.from(lf.structures[3]!.positions));
});

test('errors name the file line: bad coordinate, missing atom lines, bond to a missing atom, bad M  CHG', () => {
  const text = readFixture('sdf/molecules.sdf');
  const lines = text.split('\n');
  const expectLine = (mutated: string[], line: number, pattern: RegExp) => {
    const { structures, errors } = readText(mutated.join('\n'), 'bad.sdf', sdfFormat);
    assert.equal(errors.length, 1, `one bad record (${pattern})`);
    assert.equal(structures.length, 9);
    assert.equal(errors[0]!.line, line);
    assert.equal(errors[0]!.record, 0);
    assert.equal(errors[0]!.file, 'bad.sdf');
    assert.match(errors[0]!.message, pattern);
  };
  const coord = [...lines];
  coord[6] = '   -1.1x23    1.5796   -0.9588 C   0  0  0  0  0  0  0  0  0  0  0  0';
  expectLine(coord, 7, /coordinates/);
  const bond = [...lines];
  const firstBond = 4 + 21; // 0-based row of the first bond line
  bond[firstBond] = ' 99  2  1  0';
  expectLine(bond, firstBond + 1, /atoms 99 and 2/);
  const counts = [...lines];
  counts[3] = '999 21  0  0  0  0  0  0  0  0999 V2000';
  expectLine(counts, 4, /declares 999 atoms/);
  const chg = [...lines];
  const mEnd = lines.indexOf('M  END');
  chg.splice(mEnd, 0, 'M  CHG  1  77   1');
  expectLine(chg, mEnd + 1, /atom 77/);
});

test('unknown element symbols are FormatErrors; query atoms become atomic number 0', () => {
  const mol = (symbol: string) => ['t', '', '', '  1  0  0  0  0  0  0  0  0  0999 V2000', `    0.0000    0.0000    0.0000 ${symbol.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`, 'M  END'];
  assert.throws(() => parseMolfile(mol('Zz'), 10), (e: unknown) => e instanceof FormatError && e.line === 14 && /Zz/.test(e.message));
  assert.equal(parseMolfile(mol('R#'), 1).numbers[0], 0);
  assert.equal(parseMolfile(mol('D'), 1).isotopes[0], 2);
});

test('sniff recognises molfiles by the counts line', () => {
  const text = readFixture('sdf/molecules.sdf');
  assert.ok(sdfFormat.sniff(text.slice(0, 2000)) > 0.9);
  assert.ok(sdfFormat.sniff(readFixture('sdf/peptide.v3000.sdf').slice(0, 2000)) > 0.9);
  assert.equal(sdfFormat.sniff('3\ncomment\nC 0 0 0\nH 0 0 1\nH 1 0 0\n'), 0);
});

test('SD values: numbers become numbers, identifiers with leading zeros or many digits stay text', async () => {
  const { sdValue } = await import('../../core/formats/sdf');
  assert.equal(sdValue('7.25'), 7.25);
  assert.equal(sdValue('-1e-3'), -0.001);
  assert.equal(sdValue('0.5'), 0.5);
  assert.equal(sdValue('00123'), '00123');
  assert.equal(sdValue('12345678901234567890'), '12345678901234567890');
  assert.equal(sdValue('CHEMBL25'), 'CHEMBL25');
  assert.equal(sdValue(''), '');
});
