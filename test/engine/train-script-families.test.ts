// The model-file loader used by `equimol eval` and scripts/train-ethanol.ts (readModelFile) knows every family the
// training script writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnergyModel } from '../../core/engine/model';
import { evaluateModel } from '../../core/engine/eval';
import { knownModelFamilies, modelToFile } from '../../core/engine/model-file/families';
import { createEscnModel } from '../../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../../core/engine/models/faenet/faenet-model';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';
import { readStructures } from '../../main/io/read-structures';
import { readModelFile, writeModelFile } from '../../main/models/model-files';
import { initNodeBackend } from '../../main/models/node-backend';

const root = fileURLToPath(new URL('../..', import.meta.url));
const testMd = join(root, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');

test('the model-file loader knows egnn, mace, tdn, escn and faenet', () => {
  for (const family of ['egnn', 'mace', 'tdn', 'escn', 'faenet']) assert.ok(knownModelFamilies().includes(family), family);
});

test('MACE, TDN, eSCN and FAENet files written like train-ethanol writes them reopen with the same test_MD errors', async () => {
  await initNodeBackend();
  const frames = (await readStructures(testMd)).slice(0, 3);
  assert.equal(frames.length, 3);
  assert.equal(frames[0]!.numbers.length, 9);
  const species = [1, 6, 8];
  const normalisation = { referenceEnergies: [-13.568, -1025.277, -2035.571], shift: -4.6757, scale: 1.1871 };
  const small = { species, cutoff: 5, channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, correlation: 2, avgNumNeighbors: 8, seed: 2 };
  const models: EnergyModel[] = [
    createMaceModel(small),
    createTdnModel(small),
    createEscnModel(small),
    createFaenetModel({ species, cutoff: 5, hidden: 8, nInteractions: 1, avgNumNeighbors: 8, seed: 2 }),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'equimol-train-script-'));
  try {
    for (const model of models) {
      model.normalisation = normalisation;
      const path = join(dir, `${model.family}.model.json`);
      const card = { title: model.family, description: 'test', trainingData: '-', intendedUse: '-', limitations: '-', citation: '-' };
      await writeModelFile(path, modelToFile(model, { card }));
      const loaded = await readModelFile(path);
      try {
        assert.equal(loaded.family, model.family);
        assert.deepEqual(loaded.config, model.config);
        const before = await evaluateModel(model, frames);
        const after = await evaluateModel(loaded, frames);
        assert.equal(after.structures, 3);
        assert.ok(Number.isFinite(before.energyMAE_meV) && before.energyMAE_meV > 0, `${model.family} energy MAE ${before.energyMAE_meV}`);
        assert.ok(Math.abs(after.energyMAE_meV - before.energyMAE_meV) <= 1e-3 * before.energyMAE_meV, `${model.family} energy`);
        assert.ok(Math.abs(after.forceMAE_meV_per_A - before.forceMAE_meV_per_A) <= 1e-3 * before.forceMAE_meV_per_A, `${model.family} forces`);
      } finally {
        loaded.dispose();
        model.dispose();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
