import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../core/formats/read-text';
import { sdfFormat } from '../../core/formats/sdf';
import { describeMolecule, depictionSvg } from '../../core/chem/describe';
import { isValidSmiles, molfileOfSmiles, smilesToStructure } from '../../core/toolkits/embed';
import { loadToolkits, type RDKitMol } from '../../core/toolkits/toolkits';
import { createStructure } from '../../core/structure/structure';
import { readFixture } from './shared-examples';

test('every RDKit molecule created by the chemistry layer is deleted, on success and on errors', async () => {
  const { rdkit } = await loadToolkits();
  const module = rdkit as unknown as { get_mol: (...args: unknown[]) => RDKitMol | null };
  const original = module.get_mol;
  let live = 0;
  let created = 0;
  const counting = (...args: unknown[]) => {
    const mol = original.apply(rdkit, args);
    if (mol) {
      live++;
      created++;
      const free = mol.delete.bind(mol);
      Object.defineProperty(mol, 'delete', { value: () => { live--; free(); }, configurable: true });
    }
    return mol;
  };
  // Embind dispatches overloads through Module.get_mol.overloadTable: keep it on the wrapper.
  module.get_mol = Object.assign(counting, { overloadTable: (original as unknown as { overloadTable: unknown }).overloadTable });
  try {
    const structures = readText(readFixture('sdf/molecules.sdf'), 'molecules.sdf', sdfFormat).structures;
    for (const s of structures) describeMolecule(s);
    depictionSvg(structures[0]!);
    // Failures: a pentavalent carbon RDKit will not sanitise, invalid SMILES, a SMILES that cannot be embedded.
    const pentavalent = createStructure({
      numbers: [6, 9, 9, 9, 9, 9],
      positions: [0, 0, 0, 1.3, 0, 0, -1.3, 0, 0, 0, 1.3, 0, 0, -1.3, 0, 0, 0, 1.3],
      bonds: [1, 2, 3, 4, 5].map((b) => ({ a: 0, b, order: 1 as const })),
    });
    assert.throws(() => describeMolecule(pentavalent));
    assert.equal(isValidSmiles('C1CC'), false);
    assert.equal(isValidSmiles('c1ccccc1'), true);
    assert.throws(() => smilesToStructure('C(C)(C)(C)(C)C'));
    assert.match(molfileOfSmiles('CCO'), /V2000/);
  } finally {
    module.get_mol = original;
  }
  assert.ok(created > 10, `created ${created}`);
  assert.equal(live, 0, `${live} RDKit molecules were not deleted`);
});
