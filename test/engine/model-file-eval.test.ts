import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCliCaptured as cli } from '../helpers/cli';
import { datasetsDir, repoRoot } from './geometry-data';

const modelPath = join(repoRoot, 'assets/models/benchmarks/egnn-ethanol-rmd17.model.json');


test('equimol eval reproduces the test metrics recorded in the shipped ethanol EGNN model file', async () => {
  const recorded = JSON.parse(readFileSync(modelPath, 'utf8')).metrics[0];
  const { code, stdout } = await cli(['eval', modelPath, join(datasetsDir, 'botnet_ethanol_rmd17/test_MD.extxyz.gz'), '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout.trim());
  assert.equal(report.structures, 1000);
  assert.equal(recorded.structures, 1000);
  assert.ok(Math.abs(report.energyMAE_meV - recorded.energyMAE_meV) < 0.01, `${report.energyMAE_meV} vs ${recorded.energyMAE_meV}`);
  assert.ok(Math.abs(report.forceMAE_meV_per_A - recorded.forceMAE_meV_per_A) < 0.01);
  assert.match(report.backend, /tfjs-/);
});

test('equimol eval refuses a model whose weights do not match and explains why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-eval-'));
  const broken = join(dir, 'broken.model.json');
  copyFileSync(modelPath, broken);
  const weights = readFileSync(modelPath.replace('.model.json', '.weights.bin'));
  weights[100] ^= 0x55;
  writeFileSync(join(dir, 'broken.weights.bin'), weights);
  const { code, stderr } = await cli(['eval', broken, join(datasetsDir, 'botnet_ethanol_rmd17/test_MD.extxyz.gz'), '--json']);
  assert.equal(code, 3);
  assert.match(stderr, /broken\.model\.json: weights checksum mismatch/);
  const usage = await cli(['eval', modelPath]);
  assert.equal(usage.code, 2);
});
