import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectFormat } from '../../core/formats/registry';
import { readText } from '../../core/formats/read-text';
import { atomCount } from '../../core/structure/structure';

const dir = resolve('assets/examples');
const expected: Record<string, { format: string; structures: number; atoms: number }> = {
  'drugs.sdf': { format: 'sdf', structures: 20, atoms: 650 },
  'drugs.smi': { format: 'smi', structures: 20, atoms: 650 },
  'cu13-md.extxyz': { format: 'extxyz', structures: 12, atoms: 156 },
  'nacl.cif': { format: 'cif', structures: 1, atoms: 8 },
  'rutile.cif': { format: 'cif', structures: 1, atoms: 6 },
  POSCAR: { format: 'poscar', structures: 1, atoms: 8 },
  'peptide.pdb': { format: 'pdb', structures: 1, atoms: 76 },
};

test('every bundled example is recognised by name and content and reads without errors', async () => {
  assert.deepEqual(readdirSync(dir).sort(), Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const text = readFileSync(join(dir, name), 'utf8');
    const format = detectFormat(name, text.slice(0, 65536));
    assert.equal(format.id, want.format, name);
    if (name === 'drugs.smi') {
      // SMILES records need 3D embedding (RDKit wasm, tens of seconds for 20 drugs): count the lines only here.
      assert.equal(text.trimEnd().split('\n').length, want.structures);
      continue;
    }
    await format.prepare?.();
    const { structures, errors } = readText(text, name, format);
    assert.deepEqual(errors, [], name);
    assert.equal(structures.length, want.structures, name);
    assert.equal(structures.reduce((s, x) => s + atomCount(x), 0), want.atoms, name);
  }
  const rutile = readText(readFileSync(join(dir, 'rutile.cif'), 'utf8'), 'rutile.cif', detectFormat('rutile.cif', '')).structures[0]!;
  assert.ok(rutile.cell && Math.abs(rutile.cell[0]! - 4.594) < 1e-6 && Math.abs(rutile.cell[8]! - 2.959) < 1e-6);
  const drugs = readText(readFileSync(join(dir, 'drugs.sdf'), 'utf8'), 'drugs.sdf', detectFormat('drugs.sdf', '')).structures;
  assert.equal(drugs[0]!.name, 'aspirin');
  assert.equal(drugs[0]!.properties.MW, 180.159);
});
