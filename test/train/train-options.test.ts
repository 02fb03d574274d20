// trainModel's fine-tuning and resume options on real ethanol frames: a frozen trunk stays bit-for-bit unchanged,
// staged unfreezing trains it afterwards, a run resumed from its per-epoch state ends with the same weights as an
// uninterrupted one, and the tensor count stays flat.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import { trainModel } from '../../core/engine/train/train';
import { headWeightNames, type TrainState } from '../../core/engine/train/train-state';
import { averageNeighbourCount, fitNormalisation } from '../../core/engine/train/normalisation';
import { FlatAdam } from '../../core/engine/train/flat-adam';
import type { Structure } from '../../core/structure/structure';
import { readDataset } from '../engine/geometry-data';

const species = [1, 6, 8];
let frames: Structure[];

before(async () => {
  await initBackend({ prefer: 'wasm' });
  frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 20);
});

const smallModel = (seed = 1) => createEgnn({ species, features: 8, layers: 1, cutoff: 4, radialBasis: 4, seed, averageNeighbours: averageNeighbourCount(frames, 4) }, fitNormalisation(frames, species));
const snapshot = (model: ReturnType<typeof smallModel>) => Object.fromEntries(Object.entries(model.params).map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
const options = { batchSize: 4, learningRate: 5e-3, warmupSteps: 2, emaDecay: 0.9, seed: 4 };

test('headWeightNames picks the readout and head weights', () => {
  assert.deepEqual(headWeightNames(['embedding', 'layer0/edge/w1', 'readout/w0', 'readout1/mlp/w0', 'heads/dipole/w', 'interaction0/up/w0_0']), ['readout/w0', 'readout1/mlp/w0', 'heads/dipole/w']);
});

test('a frozen trunk is left bit-for-bit unchanged while the readout trains', async () => {
  const model = smallModel();
  const names = Object.keys(model.params).sort();
  const heads = headWeightNames(names);
  assert.ok(heads.length > 0 && heads.length < names.length);
  const start = snapshot(model);
  const trainable: number[] = [];
  await trainModel(model, { ...options, train: frames.slice(0, 12), validation: frames.slice(12, 16), maxEpochs: 2, trainableWeights: heads, onProgress: (p) => trainable.push(p.trainableTensors) });
  const end = snapshot(model);
  for (const n of names) {
    const same = start[n]!.every((v, i) => v === end[n]![i]);
    assert.equal(same, !heads.includes(n), `${n} ${heads.includes(n) ? 'trains' : 'stays frozen'}`);
  }
  assert.ok(trainable.every((t) => t === heads.length));
  model.dispose();
});

test('staged unfreezing trains the trunk from the given epoch on', async () => {
  const model = smallModel();
  const names = Object.keys(model.params).sort();
  const heads = headWeightNames(names);
  const start = snapshot(model);
  const byEpoch = new Map<number, number>();
  await trainModel(model, { ...options, train: frames.slice(0, 12), validation: frames.slice(12, 16), maxEpochs: 2, trainableWeights: heads, unfreezeAfterEpochs: 1, onProgress: (p) => byEpoch.set(p.epoch, p.trainableTensors) });
  assert.deepEqual([...byEpoch], [[0, heads.length], [1, names.length]]);
  const end = snapshot(model);
  const trunk = names.filter((n) => !heads.includes(n));
  assert.ok(trunk.every((n) => start[n]!.some((v, i) => v !== end[n]![i])), 'every trunk tensor moved after unfreezing');
  model.dispose();
});

test('a prefix list that names no weight is refused', async () => {
  const model = smallModel();
  await assert.rejects(trainModel(model, { ...options, train: frames.slice(0, 8), validation: frames.slice(8, 10), maxEpochs: 1, trainableWeights: ['nothing/'] }), /nothing to train/);
  model.dispose();
});

test('a run resumed from its state after epoch 2 ends with the weights of an uninterrupted 4-epoch run', async () => {
  // No explicit validation set: trainModel splits it off with the seeded generator, which the resume must replay.
  const run = { ...options, train: frames.slice(0, 18), maxEpochs: 4, epochSize: 10, validationFraction: 0.2 };
  const whole = smallModel(3);
  const wholeResult = await trainModel(whole, run);
  const expected = snapshot(whole);
  whole.dispose();

  const first = smallModel(3);
  const controller = new AbortController();
  let saved: TrainState | undefined;
  const firstResult = await trainModel(first, {
    ...run, signal: controller.signal,
    onState: (state) => {
      if (state.epochsDone === 2) {
        saved = state;
        controller.abort();
      }
    },
  });
  first.dispose();
  assert.equal(firstResult.stoppedBy, 'cancelled');
  assert.ok(saved);
  const second = smallModel(99); // other initial weights: the state must carry everything
  const resumed = await trainModel(second, { ...run, resume: saved });
  const got = snapshot(second);
  second.dispose();
  assert.equal(resumed.epochs, 4);
  assert.equal(resumed.history.length, 4);
  assert.equal(resumed.bestEpoch, wholeResult.bestEpoch);
  assert.deepEqual(resumed.history.map((h) => h.loss), wholeResult.history.map((h) => h.loss));
  for (const [n, values] of Object.entries(expected)) {
    const maxDiff = values.reduce((m, v, i) => Math.max(m, Math.abs(v - got[n]![i]!)), 0);
    assert.ok(maxDiff <= 1e-6, `${n}: max difference ${maxDiff}`);
  }
});

test('a finished run goes on only under a larger budget, and a state of other data is refused', async () => {
  const model = smallModel();
  let last: TrainState | undefined;
  await trainModel(model, { ...options, train: frames.slice(0, 8), validation: frames.slice(8, 10), maxEpochs: 1, onState: (s) => { last = s; } });
  assert.equal(last?.finished, 'max-epochs');
  await assert.rejects(trainModel(model, { ...options, train: frames.slice(0, 8), validation: frames.slice(8, 10), maxEpochs: 1, resume: last }), /already ended \(max-epochs after 1 epochs/);
  const longer = await trainModel(model, { ...options, train: frames.slice(0, 8), validation: frames.slice(8, 10), maxEpochs: 2, resume: last });
  assert.equal(longer.epochs, 2);
  assert.equal(longer.history.length, 2);
  await assert.rejects(trainModel(model, { ...options, train: frames.slice(0, 6), validation: frames.slice(8, 10), maxEpochs: 2, resume: { ...last!, finished: undefined } as TrainState }), /training/);
  model.dispose();
});

test('FlatAdam state round-trips and a frozen tensor keeps its moments', () => {
  const adam = new FlatAdam([Float32Array.of(1, 2), Float32Array.of(3)], { emaDecay: 0.9 });
  adam.step([Float32Array.of(0.1, -0.2), Float32Array.of(0.3)], 0.01, [false, true]);
  const state = adam.exportState();
  assert.deepEqual(state.tensorSteps, [1, 0]);
  assert.deepEqual(Array.from(state.values[1]!), [3]);
  const copy = new FlatAdam([Float32Array.of(0, 0), Float32Array.of(0)], { emaDecay: 0.9 });
  copy.restoreState(state);
  adam.step([Float32Array.of(0.1, 0.1), Float32Array.of(0.1)], 0.01);
  copy.step([Float32Array.of(0.1, 0.1), Float32Array.of(0.1)], 0.01);
  assert.deepEqual(copy.exportState(), adam.exportState());
});

test('tensor count stays flat across frozen and unfrozen training steps and with onState', async () => {
  const model = smallModel();
  const heads = headWeightNames(Object.keys(model.params).sort());
  const start = tf.memory().numTensors;
  const counts: number[] = [];
  await trainModel(model, {
    ...options, train: frames.slice(0, 12), validation: frames.slice(12, 16), maxEpochs: 3, trainableWeights: heads, unfreezeAfterEpochs: 1,
    onProgress: (p) => { if (p.phase === 'step') counts.push(tf.memory().numTensors); },
    onState: () => {},
  });
  assert.ok(counts.length >= 9);
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts ${counts.join(',')}`);
  assert.equal(tf.memory().numTensors, start);
  model.dispose();
});
