import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { datasetsDir } from './datasets-stream';
import { checkExtxyzFile } from './datasets-check';

for (const name of ['qm9_xtb_equilibrium.extxyz.gz', 'qm9_xtb_rattled_0.05.extxyz.gz', 'qm9_xtb_rattled_0.10.extxyz.gz']) {
  test(`qm9_xtb/${name} streams with the manifest frame count and every energy equal to the text`, async () => {
    const before = process.memoryUsage().rss;
    const { frames, energies } = await checkExtxyzFile(join(datasetsDir, 'qm9_xtb', name), 2000);
    assert.equal(energies, frames);
    // Streaming keeps memory flat: well under the uncompressed size (~300 MB for the equilibrium file).
    assert.ok(process.memoryUsage().rss - before < 400e6);
  });
}
