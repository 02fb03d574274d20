import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { datasetsDir } from './datasets-stream';
import { checkExtxyzFile } from './datasets-check';

test('qm9_ppqm/qm9_geometries_128744.extxyz.gz streams 128744 molecules of at most 29 atoms', async () => {
  const { frames, atoms } = await checkExtxyzFile(join(datasetsDir, 'qm9_ppqm', 'qm9_geometries_128744.extxyz.gz'), 5000);
  assert.equal(frames, 128744);
  assert.ok(atoms / frames > 10 && atoms / frames <= 29);
});
