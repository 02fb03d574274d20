import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText, chunksOf, splitLines } from '../../core/formats/read-text';
import { pdbFormat } from '../../core/formats/pdb';
import { FormatError } from '../../core/structure/errors';
import { mutants } from '../helpers/fuzz';
import { readFixture, readFromTarGz, sharedExamplesAvailable, sharedExamplesTar } from '../chem/shared-examples';

function fuzz(text: string, seed: number): void {
  let records = 0, failures = 0;
  for (const mutant of mutants(text, 2000, seed)) {
    const lines = splitLines(mutant);
    for (const chunk of chunksOf(lines, pdbFormat)) {
      try {
        pdbFormat.parseRecord(chunk, 'fuzz.pdb');
        records++;
      } catch (error) {
        if (!(error instanceof FormatError)) throw new Error(`non-FormatError escaped: ${String(error)}\n--- mutant ---\n${mutant}`);
        assert.ok(error.line >= 1 && error.line <= Math.max(1, lines.length));
        failures++;
      }
    }
    for (const e of readText(mutant, 'fuzz.pdb', pdbFormat).errors) {
      assert.ok(e.line >= 1 && e.line <= Math.max(1, lines.length));
      assert.ok(e.message.length > 0);
    }
  }
  assert.ok(records > 0 && failures > 0, `records ${records}, failures ${failures}`);
}

test('2000 mutants of a multi-model PDB: only FormatErrors with in-file lines, no hang', { timeout: 60_000 }, () => {
  fuzz(readFixture('pdb/models-altloc.pdb'), 3);
});

test('2000 mutants of the shared receptor PDB (first 120 atoms, no element columns): only FormatErrors, no hang', { skip: !sharedExamplesAvailable() && 'shared datasets not present', timeout: 60_000 }, () => {
  const head = readFromTarGz(sharedExamplesTar, 'receptor_1.pdb').split('\n').slice(0, 120).join('\n') + '\nEND\n';
  fuzz(head, 8);
});
