import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readText, chunksOf, splitLines } from '../../core/formats/read-text';
import { smilesFormat, smilesCsvFormat, parseSmiLine, parseTableRow, decodeLayout } from '../../core/formats/smiles';
import type { StructureFormat } from '../../core/formats/format';
import { FormatError } from '../../core/structure/errors';
import { mutants } from '../helpers/fuzz';
import { readFixture } from '../chem/shared-examples';

before(async () => {
  await smilesFormat.prepare!();
});

/** The parse step (splitting, columns, SMILES validation) on thousands of mutants; 3D embedding is not fuzzed here. */
function fuzzParse(text: string, format: StructureFormat, parse: (line: string, lineNo: number, header: readonly string[] | undefined) => unknown, seed: number): void {
  let ok = 0, failed = 0;
  for (const mutant of mutants(text, 2000, seed)) {
    const lines = splitLines(mutant);
    for (const chunk of chunksOf(lines, format)) {
      assert.equal(chunk.lines.length, 1);
      assert.equal(lines[chunk.firstLine - 1], chunk.lines[0]);
      try {
        parse(chunk.lines[0]!, chunk.firstLine, chunk.header);
        ok++;
      } catch (error) {
        if (!(error instanceof FormatError)) throw new Error(`non-FormatError escaped: ${String(error)}\n--- mutant ---\n${mutant}`);
        assert.ok(error.line >= 1 && error.line <= lines.length);
        assert.ok(error.message.length > 0);
        failed++;
      }
    }
  }
  assert.ok(ok > 0 && failed > 0, `ok ${ok}, failed ${failed}`);
}

test('2000 mutants of a .smi list: parsing throws only FormatErrors naming a line in the file', { timeout: 120_000 }, () => {
  fuzzParse(readFixture('smiles/molecules.smi'), smilesFormat, (line, lineNo) => parseSmiLine(line, lineNo), 4);
});

test('2000 mutants of a SMILES CSV: parsing throws only FormatErrors naming a line in the file', { timeout: 120_000 }, () => {
  fuzzParse(readFixture('smiles/molecules.csv'), smilesCsvFormat, (line, lineNo, header) => parseTableRow(line, lineNo, decodeLayout(header, lineNo)), 5);
});

test('full reads with 3D embedding of 60 mutants: only RecordErrors with lines, no crash', { timeout: 120_000 }, () => {
  const text = 'CCO ethanol\nC[NH3+] methylammonium\nCC(=O)[O-] acetate\n';
  for (const mutant of mutants(text, 60, 6)) {
    const nLines = splitLines(mutant).length;
    const result = readText(mutant, 'fuzz.smi', smilesFormat);
    for (const e of result.errors) {
      assert.ok(e.line >= 1 && e.line <= nLines);
      assert.ok(e.message.length > 0);
    }
    for (const s of result.structures) assert.ok(s.numbers.length > 0);
  }
});
