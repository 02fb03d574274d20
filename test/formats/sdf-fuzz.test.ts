import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText, chunksOf, splitLines } from '../../core/formats/read-text';
import { sdfFormat } from '../../core/formats/sdf';
import { FormatError } from '../../core/structure/errors';
import { mutants } from '../helpers/fuzz';
import { readFixture, readFromTarGz, sharedExamplesAvailable, sharedExamplesTar } from '../chem/shared-examples';

function fuzz(text: string, count: number, seed: number): { records: number; errors: number } {
  let records = 0, errors = 0;
  for (const mutant of mutants(text, count, seed)) {
    const nLines = splitLines(mutant).length;
    // Only FormatErrors may escape parseRecord.
    for (const chunk of chunksOf(splitLines(mutant), sdfFormat)) {
      try {
        sdfFormat.parseRecord(chunk, 'fuzz.sdf');
        records++;
      } catch (error) {
        if (!(error instanceof FormatError)) throw new Error(`non-FormatError escaped: ${String(error)}\n--- mutant ---\n${mutant}`);
        assert.ok(error.line >= 1 && error.line <= Math.max(1, nLines), `line ${error.line} outside 1..${nLines}`);
        errors++;
      }
    }
    // readText reports RecordErrors with a line inside the file and a message.
    const result = readText(mutant, 'fuzz.sdf', sdfFormat);
    for (const e of result.errors) {
      assert.ok(e.line >= 1 && e.line <= Math.max(1, nLines));
      assert.ok(e.message.length > 0);
      assert.equal(e.file, 'fuzz.sdf');
    }
  }
  return { records, errors };
}

test('2000 mutants of a V2000 SDF: only FormatErrors with in-file lines, no hang', { timeout: 60_000 }, () => {
  const text = readFixture('sdf/molecules.sdf').split('$$$$').slice(0, 4).join('$$$$') + '$$$$\n';
  const { records, errors } = fuzz(text, 2000, 1);
  assert.ok(records > 0 && errors > 0, `records ${records}, errors ${errors}`);
});

test('2000 mutants of a V3000 SDF: only FormatErrors with in-file lines, no hang', { timeout: 60_000 }, () => {
  const text = readFixture('sdf/peptide.v3000.sdf').split('$$$$')[1]!.replace(/^\n/, '') + '$$$$\n';
  const { records, errors } = fuzz(text, 2000, 2);
  assert.ok(records > 0 && errors > 0, `records ${records}, errors ${errors}`);
});

test('2000 mutants of the shared docked-ligand SDF (real RDKit output): only FormatErrors, no hang', { skip: !sharedExamplesAvailable() && 'shared datasets not present', timeout: 60_000 }, () => {
  const { records, errors } = fuzz(readFromTarGz(sharedExamplesTar, 'ligands_1.sdf'), 2000, 7);
  assert.ok(records > 0 && errors > 0, `records ${records}, errors ${errors}`);
});
