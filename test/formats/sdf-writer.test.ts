import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readText } from '../../core/formats/read-text';
import { sdfFormat } from '../../core/formats/sdf';
import { createStructure, type Structure } from '../../core/structure/structure';
import { readFixture } from '../chem/shared-examples';

function writeAll(structures: readonly Structure[], options?: Parameters<NonNullable<typeof sdfFormat.createWriter>>[0]): string {
  const writer = sdfFormat.createWriter!(options);
  return (writer.begin?.() ?? '') + structures.map((s, i) => writer.write(s, i)).join('') + (writer.end?.() ?? '');
}

function assertSameMolecule(a: Structure, b: Structure, tolerance: number, label: string): void {
  assert.equal(b.name, a.name, `${label}: name`);
  assert.deepEqual(Array.from(b.numbers), Array.from(a.numbers), `${label}: numbers`);
  for (let i = 0; i < a.positions.length; i++) assert.ok(Math.abs(a.positions[i]! - b.positions[i]!) <= tolerance, `${label}: coordinate ${i}`);
  assert.deepEqual(b.bonds!.map((x) => [x.a, x.b, x.order]), a.bonds!.map((x) => [x.a, x.b, x.order]), `${label}: bonds`);
  assert.deepEqual(Array.from(b.formalCharges!), Array.from(a.formalCharges!), `${label}: charges`);
  assert.deepEqual(Array.from(b.isotopes!), Array.from(a.isotopes!), `${label}: isotopes`);
  assert.equal(b.multiplicity, a.multiplicity, `${label}: multiplicity`);
  assert.deepEqual(b.properties, a.properties, `${label}: properties`);
}

test('V2000 round trip (ours -> ours) preserves atoms, bonds, charges, isotopes, radicals and SD properties', () => {
  const original = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat).structures;
  const text = writeAll(original);
  assert.ok(!text.includes('V3000'));
  const again = readText(text, 'roundtrip.sdf', sdfFormat);
  assert.deepEqual(again.errors, []);
  assert.equal(again.structures.length, original.length);
  original.forEach((s, i) => assertSameMolecule(s, again.structures[i]!, 1e-12, `record ${i + 1}`));
});

test('forced V3000 round trip preserves everything, with 6-decimal coordinates', () => {
  const original = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat).structures;
  const text = writeAll(original, { v3000: true });
  assert.equal(text.match(/V3000/g)?.length, original.length);
  const again = readText(text, 'v3000.sdf', sdfFormat);
  assert.deepEqual(again.errors, []);
  original.forEach((s, i) => assertSameMolecule(s, again.structures[i]!, 1e-12, `record ${i + 1}`));
});

test('molecules above 999 atoms are written as V3000 and read back exactly', () => {
  const peptide = readText(readFixture('sdf/peptide.v3000.sdf'), 'p.sdf', sdfFormat).structures[0]!;
  const n = peptide.numbers.length;
  const copies = Math.ceil(1000 / n);
  const numbers: number[] = [], positions: number[] = [], charges: number[] = [];
  const bonds: Array<{ a: number; b: number; order: 1 | 1.5 | 2 | 3 }> = [];
  for (let c = 0; c < copies; c++) {
    numbers.push(...peptide.numbers);
    peptide.positions.forEach((v, k) => positions.push(k % 3 === 0 ? v + 40 * c + 0.1234567 : v));
    charges.push(...peptide.formalCharges!);
    for (const b of peptide.bonds!) bonds.push({ a: b.a + c * n, b: b.b + c * n, order: b.order as 1 | 2 });
  }
  const big = createStructure({ name: 'big', numbers, positions, bonds, formalCharges: charges, isotopes: new Array(numbers.length).fill(0), properties: { copies } });
  assert.ok(big.numbers.length > 999);
  const text = writeAll([big]);
  assert.match(text.split('\n')[3]!, /V3000/);
  const again = readText(text, 'big.sdf', sdfFormat);
  assert.deepEqual(again.errors, []);
  assertSameMolecule(big, again.structures[0]!, 5e-7, 'big');
});

const PYTHON = '/usr/bin/python3';
const hasRdkit = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import rdkit'], { encoding: 'utf8' }).status === 0;

test('RDKit (Python) reads our SDF with the same atoms, bonds, charges, isotopes and properties', { skip: !hasRdkit && 'no RDKit Python' }, () => {
  const original = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat).structures;
  const dir = mkdtempSync(join(tmpdir(), 'equimol-sdf-'));
  try {
    const v2000 = join(dir, 'ours.sdf');
    const v3000 = join(dir, 'ours-v3000.sdf');
    writeFileSync(v2000, writeAll(original));
    writeFileSync(v3000, writeAll(original, { v3000: true }));
    const script = `
import json, sys
from rdkit import Chem
out = []
for path in sys.argv[1:]:
    recs = []
    for m in Chem.SDMolSupplier(path, sanitize=False, removeHs=False):
        order = {Chem.BondType.SINGLE: 1, Chem.BondType.DOUBLE: 2, Chem.BondType.TRIPLE: 3, Chem.BondType.AROMATIC: 1.5}
        recs.append({'name': m.GetProp('_Name'), 'numbers': [a.GetAtomicNum() for a in m.GetAtoms()],
                     'positions': [list(m.GetConformer().GetAtomPosition(i)) for i in range(m.GetNumAtoms())],
                     'charges': [a.GetFormalCharge() for a in m.GetAtoms()], 'isotopes': [a.GetIsotope() for a in m.GetAtoms()],
                     'radicals': [a.GetNumRadicalElectrons() for a in m.GetAtoms()],
                     'bonds': [[b.GetBeginAtomIdx(), b.GetEndAtomIdx(), order.get(b.GetBondType(), 0)] for b in m.GetBonds()],
                     'properties': {k: m.GetProp(k) for k in m.GetPropNames()}})
    out.append(recs)
print(json.dumps(out))
`;
    const result = spawnSync(PYTHON, ['-c', script, v2000, v3000], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const files = JSON.parse(result.stdout) as Array<Array<{ name: string; numbers: number[]; positions: number[][]; charges: number[]; isotopes: number[]; radicals: number[]; bonds: number[][]; properties: Record<string, string> }>>;
    for (const [f, records] of files.entries()) {
      assert.equal(records.length, original.length);
      records.forEach((r, i) => {
        const s = original[i]!;
        const label = `${f === 0 ? 'V2000' : 'V3000'} record ${i + 1}`;
        assert.equal(r.name, s.name, label);
        assert.deepEqual(r.numbers, Array.from(s.numbers), label);
        r.positions.forEach((p, a) => p.forEach((v, k) => assert.ok(Math.abs(v - s.positions[3 * a + k]!) <= 1e-4, `${label} coordinate`)));
        assert.deepEqual(r.charges, Array.from(s.formalCharges!), label);
        assert.deepEqual(r.isotopes, Array.from(s.isotopes!), label);
        assert.equal(r.radicals.reduce((x, y) => x + y, 0) + 1, s.multiplicity, label);
        assert.deepEqual(r.bonds, s.bonds!.map((b) => [b.a, b.b, b.order]), label);
        for (const [key, value] of Object.entries(s.properties)) assert.equal(r.properties[key], String(value), `${label} property ${key}`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writer keeps only the requested properties', () => {
  const original = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat).structures.slice(0, 1);
  const text = writeAll(original, { properties: ['ID'] });
  const again = readText(text, 'subset.sdf', sdfFormat).structures[0]!;
  assert.deepEqual(again.properties, { ID: 'MOL-001' });
});
