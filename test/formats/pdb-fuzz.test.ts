import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText, chunksOf, splitLines } from '../../core/formats/read-text';
import { pdbFormat } from '../../core/formats/pdb';
import { FormatError } from '../../core/structure/errors';
import { mutants } from '../helpers/fuzz';
import { readFixture } from '../chem/shared-examples';

test('2000 mutants of a multi-model PDB: only FormatErrors with in-file lines, no hang', { timeout: 60_000 }, () => {
  const text = readFixture('pdb/models-altloc.pdb');
  let records = 0, failures = 0;
  for (const mutant of mutants(text, 2000, 3)) {
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
});
