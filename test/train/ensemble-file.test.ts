import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelToFile } from '../../core/engine/model-file/families';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { rescaleForAverageNeighbours } from '../../core/engine/models/message-passing/average-neighbours';
import { assignWeights } from '../../core/engine/train/batch-loss';
import type { EnergyModel } from '../../core/engine/model';
import { readStructures } from '../../main/io/read-structures';
import { readModelFile, writeModelFile } from '../../main/models/model-files';
import { writeEnsembleFile } from '../../main/train/ensemble-file';
import { ethanol, evaluate } from '../engine/layers-test-graph';

const SPECIES = [1, 6, 7, 8, 9];
const small = (seed: number, avgNumNeighbors: number) =>
  createMaceModel({ species: SPECIES, channels: 4, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors, seed });

function weightsOf(model: EnergyModel): Map<string, Float32Array> {
  return new Map(Object.entries(model.params).map(([n, v]) => [n, v.dataSync() as Float32Array] as const));
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(a[i]!)));
  return worst;
}

test('a MACE model re-expressed for another avgNumNeighbors keeps its energies and forces; the unscaled weights would not', () => {
  const trained = small(3, 7);
  const other = small(3, 9.5);
  try {
    const before = evaluate(trained, [ethanol]);
    const names = Object.keys(other.params).sort();
    const unscaled = evaluate((assignWeights(names.map((n) => other.params[n]!), names.map((n) => weightsOf(trained).get(n)!)), other), [ethanol]);
    assert.ok(maxRelativeDifference(before.energy, unscaled.energy) > 1e-3, 'the normaliser matters at all');
    const rescaled = rescaleForAverageNeighbours('mace', weightsOf(trained), 7, 9.5);
    assignWeights(names.map((n) => other.params[n]!), names.map((n) => rescaled.get(n)!));
    const after = evaluate(other, [ethanol]);
    assert.ok(maxRelativeDifference(before.energy, after.energy) < 1e-5, `energy ${before.energy[0]} vs ${after.energy[0]}`);
    assert.ok(maxRelativeDifference(before.forces, after.forces) < 1e-4, 'forces');
    assert.equal(rescaled.get('embedding/w0_0'), weightsOf(trained).get('embedding/w0_0'), 'weights outside the aggregate maps are kept as they are');
  } finally {
    trained.dispose();
    other.dispose();
  }
});

test('re-expressing refuses a family without bias-free aggregate maps and a non-finite normaliser', () => {
  const model = small(1, 7);
  try {
    assert.throws(() => rescaleForAverageNeighbours('faenet', weightsOf(model), 7, 8), /faenet/);
    assert.throws(() => rescaleForAverageNeighbours('mace', weightsOf(model), 7, Number.NaN), /positive and finite/);
    assert.throws(() => rescaleForAverageNeighbours('mace', new Map([['embedding/w0_0', new Float32Array(4)]]), 7, 8), /no interaction aggregate/);
  } finally {
    model.dispose();
  }
});

test('an ensemble file of members whose avgNumNeighbors differ has the mean of the members\' energies and forces', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'equimol-ensemble-'));
  const frames = (await readStructures(resolve('test/fixtures/ood-drugs/ood-drugs-xtb.extxyz.gz')))
    .filter((s) => s.numbers.every((z) => SPECIES.includes(z)))
    .slice(0, 4);
  const members = [small(1, 7), small(2, 8.25)];
  const card = { title: 'test', description: 'two untrained members', trainingData: 'none', intendedUse: 'tests', limitations: 'untrained', citation: '' };
  try {
    const files = [join(dir, 'a.model.json'), join(dir, 'b.model.json')];
    for (const [k, m] of members.entries()) await writeModelFile(files[k]!, modelToFile(m, { card }));
    const expected = members.map((m) => frames.map((s) => evaluate(m, [{ numbers: Array.from(s.numbers), positions: s.positions }])));
    await writeEnsembleFile(join(dir, 'ensemble.model.json'), files, frames, { card });
    const ensemble = await readModelFile(join(dir, 'ensemble.model.json'));
    try {
      const stored = JSON.parse(await readFile(join(dir, 'ensemble.model.json'), 'utf8')) as { config: { trunkConfig: { avgNumNeighbors: number } } };
      assert.equal(stored.config.trunkConfig.avgNumNeighbors, 7, 'the file stores the first member\'s normaliser');
      const before = tf.memory().numTensors;
      for (const [i, s] of frames.entries()) {
        const got = evaluate(ensemble, [{ numbers: Array.from(s.numbers), positions: s.positions }]);
        const meanEnergy = (expected[0]![i]!.energy[0]! + expected[1]![i]!.energy[0]!) / 2;
        assert.ok(Math.abs(got.energy[0]! - meanEnergy) < 1e-4 * Math.max(1, Math.abs(meanEnergy)), `${s.name}: ${got.energy[0]} vs ${meanEnergy}`);
        const meanForces = expected[0]![i]!.forces.map((f, j) => (f + expected[1]![i]!.forces[j]!) / 2);
        assert.ok(maxRelativeDifference(meanForces, got.forces) < 1e-3, `${s.name}: forces`);
      }
      assert.equal(tf.memory().numTensors, before);
    } finally {
      ensemble.dispose();
    }
  } finally {
    for (const m of members) m.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
