import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from './datasets-stream';
import { checkExtxyzFile } from './datasets-check';

// The big QM9 files run in their own test files (datasets-qm9-*.test.ts) so they run in parallel.
const BIG = new Set(['qm9_xtb', 'qm9_ppqm/qm9_geometries_128744.extxyz.gz']);

const files: string[] = [];
for (const folder of existsSync(datasetsDir) ? readdirSync(datasetsDir).sort() : []) {
  if (BIG.has(folder)) continue;
  const dir = join(datasetsDir, folder);
  if (!existsSync(join(dir, 'manifest.json'))) continue;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.extxyz.gz') && !BIG.has(`${folder}/${name}`)) files.push(join(folder, name));
  }
}

test('the shared datasets folder holds the expected extxyz files', () => {
  assert.ok(files.length >= 30, `found ${files.length} extxyz.gz files under ${datasetsDir}`);
});

for (const file of files) {
  test(`${file} reads with the manifest frame count, energies and forces equal to the text`, async () => {
    const { frames, atoms } = await checkExtxyzFile(join(datasetsDir, file));
    assert.ok(frames > 0 && atoms >= frames);
  });
}
