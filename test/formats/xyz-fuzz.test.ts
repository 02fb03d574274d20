import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { splitLines } from '../../core/formats/read-text';
import { extxyzFormat, xyzFormat } from '../../core/formats/xyz/index';
import { datasetsDir, repoRoot } from './datasets-stream';
import { fuzzFormat } from './xyz-cif-poscar-fuzz';

function datasetHead(relative: string, lines: number): string {
  return splitLines(gunzipSync(readFileSync(join(datasetsDir, relative))).toString('utf8')).slice(0, lines).join('\n');
}

test('2000 mutants of ASE-written extended XYZ raise only line-numbered FormatErrors, quickly', () => {
  const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'xyz', 'ase-written.extxyz'), 'utf8');
  const summary = fuzzFormat(extxyzFormat, text, 2000, 1);
  assert.ok(summary.errors > 100 && summary.structures > 1000, JSON.stringify(summary));
  assert.ok(summary.ms < 60_000, `fuzz loop took ${summary.ms} ms`);
});

test('2000 mutants of real crystal frames (mlearn Si, with Lattice and forces) raise only line-numbered FormatErrors', () => {
  const summary = fuzzFormat(extxyzFormat, datasetHead('mlearn_elemental/Si_test.extxyz.gz', 4 * 65), 2000, 2);
  assert.ok(summary.errors > 100 && summary.structures > 1000, JSON.stringify(summary));
  assert.ok(summary.ms < 60_000, `fuzz loop took ${summary.ms} ms`);
});

test('2000 mutants of real molecule frames (qm9_xtb, charges column, vector info) raise only line-numbered FormatErrors', () => {
  const summary = fuzzFormat(xyzFormat, datasetHead('qm9_xtb/qm9_xtb_rattled_0.05.extxyz.gz', 60), 2000, 3);
  assert.ok(summary.errors > 100 && summary.structures > 1000, JSON.stringify(summary));
  assert.ok(summary.ms < 60_000, `fuzz loop took ${summary.ms} ms`);
});
