import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import { trainModel, type TrainProgress } from '../../core/engine/train/train';
import { averageNeighbourCount, fitNormalisation } from '../../core/engine/train/normalisation';
import { evaluateModel } from '../../core/engine/eval';
import { createStructure, type Structure } from '../../core/structure/structure';
import { readDataset } from './geometry-data';

const species = [1, 6, 8];
let frames: Structure[];

before(async () => {
  await initBackend({ prefer: 'wasm' });
  frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 24);
});

function smallModel(seed = 1) {
  return createEgnn({ species, features: 8, layers: 1, cutoff: 4, radialBasis: 4, seed, averageNeighbours: averageNeighbourCount(frames, 4) }, fitNormalisation(frames, species));
}

test('training on forces lowers the force error and keeps the best EMA weights', async () => {
  const model = createEgnn({ species, features: 16, layers: 2, cutoff: 5, seed: 1 }, fitNormalisation(frames, species));
  const before = await evaluateModel(model, frames.slice(0, 16));
  const epochs: TrainProgress[] = [];
  const result = await trainModel(model, {
    train: frames.slice(0, 16), validation: frames.slice(0, 16), batchSize: 4, maxEpochs: 12, learningRate: 5e-3, warmupSteps: 4, emaDecay: 0.9, seed: 3,
    energyWeight: 0, forceWeight: 1,
    onProgress: (p) => { if (p.phase === 'epoch') epochs.push(p); },
  });
  assert.equal(result.epochs, 12);
  assert.equal(result.stoppedBy, 'max-epochs');
  assert.equal(epochs.length, 12);
  assert.ok(epochs[0]!.learningRate > 0 && epochs[11]!.learningRate < epochs[3]!.learningRate, 'cosine decay');
  const after = await evaluateModel(model, frames.slice(0, 16));
  assert.ok(after.forceMAE_meV_per_A < 0.9 * before.forceMAE_meV_per_A, `force MAE ${before.forceMAE_meV_per_A} -> ${after.forceMAE_meV_per_A}`);
  // The model ends with the best epoch's EMA weights: its validation error is the best one recorded.
  assert.ok(Math.abs(after.forceMAE_meV_per_A - result.bestValidation!.forceMAE_meV_per_A) < 1e-3);
  model.dispose();
});

test('training is seeded: the same seed gives the same weights', async () => {
  const run = async () => {
    const model = smallModel(5);
    await trainModel(model, { train: frames.slice(0, 8), validation: frames.slice(8, 12), batchSize: 4, maxEpochs: 2, seed: 9 });
    const values = Array.from(model.params['readout/w0']!.dataSync());
    model.dispose();
    return values;
  };
  assert.deepEqual(await run(), await run());
});

test('tensor count stays flat across training steps and epochs, and training leaves nothing behind', async () => {
  const model = smallModel();
  const start = tf.memory().numTensors;
  const counts: number[][] = [];
  await trainModel(model, {
    train: frames.slice(0, 16), validation: frames.slice(16, 20), batchSize: 4, maxEpochs: 3, seed: 1,
    onProgress: (p) => {
      if (p.phase !== 'step') return;
      if (p.step === 1) counts.push([]);
      counts.at(-1)!.push(tf.memory().numTensors);
    },
  });
  assert.deepEqual(counts.map((c) => c.length), [4, 4, 4]);
  for (const epoch of counts) assert.ok(epoch.every((c) => c === epoch[0]), `tensors per step: ${epoch.join(',')}`);
  // From the second epoch on, the best-weights checkpoint is replaced, not accumulated.
  assert.equal(counts[2]![0], counts[1]![0]);
  assert.equal(tf.memory().numTensors, start);
  model.dispose();
});

test('training stops on cancellation, on early stopping and reports checkpoints', async () => {
  const model = smallModel();
  const controller = new AbortController();
  const cancelled = await trainModel(model, {
    train: frames.slice(0, 16), validation: frames.slice(16), batchSize: 4, maxEpochs: 50, signal: controller.signal,
    onProgress: (p) => { if (p.phase === 'step' && p.step === 2) controller.abort(); },
  });
  assert.equal(cancelled.stoppedBy, 'cancelled');
  assert.equal(cancelled.history.length, 0);
  const checkpoints: number[] = [];
  const early = await trainModel(model, {
    train: frames.slice(0, 8), validation: frames.slice(16), batchSize: 8, maxEpochs: 40, learningRate: 1e-7, earlyStoppingPatience: 2,
    onCheckpoint: (c) => { checkpoints.push(c.epoch); assert.ok(c.params['readout/w0'] instanceof tf.Tensor); },
  });
  assert.equal(early.stoppedBy, 'early-stopping');
  assert.ok(early.epochs < 40);
  assert.deepEqual(checkpoints, early.history.filter((h, k) => early.history.slice(0, k).every((p) => p.validation.forceMAE_meV_per_A > h.validation.forceMAE_meV_per_A + 0 || false) || k === 0).map((h) => h.epoch).slice(0, checkpoints.length));
  assert.equal(checkpoints.at(-1), early.bestEpoch);
  model.dispose();
});

test('training refuses structures without forces unless the force weight is zero', async () => {
  const model = smallModel();
  const noForces = frames.slice(0, 4).map((s) => createStructure({ ...s, atomArrays: {} }));
  await assert.rejects(trainModel(model, { train: noForces, maxEpochs: 1 }), /has no forces \(set forceWeight 0/);
  const result = await trainModel(model, { train: noForces, validation: noForces, forceWeight: 0, maxEpochs: 1, batchSize: 4 });
  assert.equal(result.epochs, 1);
  model.dispose();
});

test('normalisation fit recovers per-element energies from synthetic data and uses isolated atoms when given', () => {
  const e0 = { 1: -13.6, 6: -1030, 8: -2040 } as Record<number, number>;
  const molecules = [[6, 1, 1, 1, 1], [8, 1, 1], [6, 6, 8, 1, 1, 1, 1, 1, 1], [6, 8], [1, 1]].map((numbers) =>
    createStructure({ numbers, positions: numbers.flatMap((_, k) => [k * 1.5, 0, 0]), properties: { energy: numbers.reduce((s, z) => s + e0[z]!, 0) } }));
  const fit = fitNormalisation(molecules, species);
  fit.referenceEnergies.forEach((e, i) => assert.ok(Math.abs(e - e0[species[i]!]!) < 1e-3, `E0[${species[i]}] = ${e}`));
  assert.ok(Math.abs(fit.shift) < 1e-4);
  const isolated = fitNormalisation(molecules, species, { isolatedAtomEnergies: new Map([[1, -13], [6, -1030], [8, -2040]]) });
  assert.deepEqual(isolated.referenceEnergies, [-13, -1030, -2040]);
  assert.ok(isolated.shift < 0);
});
