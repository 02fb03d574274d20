import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { averageNeighbourCount, fitNormalisation } from '../../core/engine/train/normalisation';
import { batchLossAndGradients, countsOf, sumLossAndGradients, weightNames } from '../../core/engine/train/batch-loss';
import { splitBatch, trainModel } from '../../core/engine/train/train';
import type { EnergyModel } from '../../core/engine/model';
import { createStructure, type Structure } from '../../core/structure/structure';
import { initNodeBackend } from '../../main/models/node-backend';
import { startGradientHelpers } from '../../main/train/gradient-helpers';
import { readDataset } from '../engine/geometry-data';

const species = [1, 6, 8];
const loss = { energyWeight: 1, forceWeight: 10 };
let frames: Structure[];

before(async () => {
  await initNodeBackend('wasm');
  frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 16);
});

function smallEgnn(): EnergyModel {
  return createEgnn({ species, features: 8, layers: 2, cutoff: 4, radialBasis: 4, seed: 2, averageNeighbours: averageNeighbourCount(frames, 4) }, fitNormalisation(frames, species));
}

function weightsOf(model: EnergyModel): Float32Array[] {
  return weightNames(model).map((n) => Float32Array.from(model.params[n]!.dataSync()));
}

function maxRelativeDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  a.forEach((x, k) => x.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[k]![i]!) / (1e-3 + Math.abs(b[k]![i]!))); }));
  return worst;
}

test('splitBatch cuts a batch into contiguous near-equal non-empty parts', () => {
  assert.deepEqual(splitBatch([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]]);
  assert.deepEqual(splitBatch([1, 2], 3), [[1], [2]]);
  assert.deepEqual(splitBatch([1, 2, 3], 1), [[1, 2, 3]]);
});

test('losses and gradients of batch parts normalised by the whole batch add up to those of the whole batch', () => {
  const model = createMaceModel({ species, cutoff: 5, channels: 8, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors: 8, seed: 3 });
  model.normalisation = fitNormalisation(frames, species);
  const variables = weightNames(model).map((n) => model.params[n]!);
  const batch = frames.slice(0, 6);
  const whole = batchLossAndGradients(model, variables, batch, loss);
  const parts = splitBatch(batch, 2).map((part) => batchLossAndGradients(model, variables, part, loss, countsOf(batch)));
  const summed = sumLossAndGradients(parts);
  assert.ok(whole.loss > 0);
  assert.ok(Math.abs(summed.loss - whole.loss) <= 1e-5 * whole.loss, `${summed.loss} vs ${whole.loss}`);
  const present = whole.gradients.filter((g) => g !== undefined).length;
  assert.ok(present >= variables.length - 1, `gradients for ${present} of ${variables.length} weight tensors`);
  assert.ok(maxRelativeDifference(summed.gradients.map((g) => g ?? new Float32Array(0)), whole.gradients.map((g) => g ?? new Float32Array(0))) < 1e-3);
  model.dispose();
});

test('training with a helper thread takes the same steps as on one thread and keeps the tensor count flat', async () => {
  const options = { train: frames.slice(0, 12), validation: frames.slice(12, 16), batchSize: 4, maxEpochs: 2, learningRate: 3e-3, warmupSteps: 2, seed: 4 };
  const alone = smallEgnn();
  await trainModel(alone, options);
  const helped = smallEgnn();
  const pool = await startGradientHelpers(helped, { count: 1 });
  try {
    assert.match(pool.backends[0]!, /^tfjs-wasm/);
    const start = tf.memory().numTensors;
    const result = await trainModel(helped, { ...options, helpers: pool });
    assert.equal(result.epochs, 2);
    assert.equal(tf.memory().numTensors, start, 'no tensors left behind on the main thread');
  } finally {
    await pool.close();
  }
  const difference = maxRelativeDifference(weightsOf(helped), weightsOf(alone));
  assert.ok(difference < 1e-3, `weights differ by ${difference} (relative)`);
  // And training did move the weights: the comparison is not between two untouched models.
  const untrained = smallEgnn();
  assert.ok(maxRelativeDifference(weightsOf(helped), weightsOf(untrained)) > 1e-2);
  for (const m of [alone, helped, untrained]) m.dispose();
});

test('a structure a helper cannot handle fails the training step with the helper named, and the pool closes', async () => {
  const model = smallEgnn();
  const pool = await startGradientHelpers(model, { count: 1 });
  const sulfur = createStructure({ name: 'H2S', numbers: [16, 1, 1], positions: [0, 0, 0, 1.34, 0, 0, 0, 1.34, 0], properties: { energy: -1 }, atomArrays: { forces: { kind: 'float', width: 3, data: new Float64Array(9) } } });
  try {
    const weights = weightsOf(model);
    await assert.rejects(pool.lossAndGradients(0, [sulfur], weights, countsOf([sulfur]), loss), /gradient helper 0: .*16/);
    // The helper keeps serving after a failed part.
    const ok = await pool.lossAndGradients(0, frames.slice(0, 2), weights, countsOf(frames.slice(0, 2)), loss);
    assert.ok(Number.isFinite(ok.loss) && ok.loss > 0);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.lossAndGradients(0, frames.slice(0, 1), weightsOf(model), countsOf(frames.slice(0, 1)), loss), /closed/);
  model.dispose();
});
