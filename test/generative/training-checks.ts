// Checks both generator trainers (EDM, GeoBFN) pass: a tiny seeded model's loss falls without leaking tensors and a
// run checkpoints its EMA weights; the same seed gives the same weights; the time budget and an abort stop a run.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { batchTensors, disposeBatchTensors, type BatchTensors } from '../../core/generative/edm/dynamics';
import type { MoleculeBatchHost } from '../../core/generative/edm/molecules';
import type { GeneratorCheckpoint, GeneratorTrainOptions, GeneratorTrainResult } from '../../core/generative/train-loop';
import type { Structure } from '../../core/structure/structure';
import { qm9Frames } from './edm/qm9-frames';

/** Starts the wasm backend and reads QM9 frames 21-26, the six molecules both training tests train on. */
export async function trainingMolecules(): Promise<Structure[]> {
  await initBackend({ prefer: 'wasm' });
  return (await qm9Frames(26)).slice(20);
}

/** A generator model as the checks use it. */
export interface TrainableModel {
  readonly params: Readonly<Record<string, tf.Variable>>;
  dispose(): void;
}

export interface TrainedFamily<M extends TrainableModel> {
  /** A fresh tiny model (8 features, 1 block, seed 3) for the seed and stop checks. */
  readonly create: () => M;
  readonly train: (model: M, options: GeneratorTrainOptions) => Promise<GeneratorTrainResult>;
  readonly assign: (model: M, weights: GeneratorCheckpoint['weights']) => void;
  readonly evaluationLoss: (model: M) => number;
}

/**
 * Trains `model` (a tiny one: 24 × 2) 300 steps (batch 6, lr 2e-3, EMA 0.99), asserting flat tensors after one step and at the
 * end, 300 steps stopped by max-steps and one (final) checkpoint; returns the evaluation loss before, after and with
 * the EMA weights for the family's own bounds. Disposes the model.
 */
export async function trainTiny<M extends TrainableModel>(family: TrainedFamily<M>, model: M, molecules: readonly Structure[]): Promise<{ initial: number; trained: number; averaged: number }> {
  const initial = family.evaluationLoss(model);
  const checkpoints: GeneratorCheckpoint[] = [];
  const before = tf.memory().numTensors;
  let afterFirstStep = -1;
  const result = await family.train(model, {
    molecules, seed: 7, batchSize: 6, maxSteps: 300, learningRate: 2e-3, emaDecay: 0.99,
    onStep: ({ step }) => { if (step === 1) afterFirstStep = tf.memory().numTensors; },
    onCheckpoint: (c) => { checkpoints.push(c); },
  });
  assert.equal(afterFirstStep, before, 'tensors after one training step');
  assert.equal(tf.memory().numTensors, before, 'tensors after training');
  assert.equal(result.steps, 300);
  assert.equal(result.stoppedBy, 'max-steps');
  assert.equal(checkpoints.length, 1);
  const trained = family.evaluationLoss(model);
  family.assign(model, checkpoints[0]!.weights);
  const averaged = family.evaluationLoss(model);
  model.dispose();
  return { initial, trained, averaged };
}

/** Same seed, same losses and weights (another seed, other losses); a fake clock's budget and an abort stop a run. */
export async function checkSeedsAndStops<M extends TrainableModel>(family: TrainedFamily<M>, molecules: readonly Structure[]): Promise<void> {
  const run = async (seed: number) => {
    const model = family.create();
    const result = await family.train(model, { molecules, seed, batchSize: 3, maxSteps: 5 });
    const w = model.params['block0/edge/w1']!.dataSync().slice();
    model.dispose();
    return { w, losses: result.losses };
  };
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(Array.from(a.w), Array.from(b.w));
  assert.notDeepEqual(a.losses, c.losses);
  const model = family.create();
  let clock = 0;
  const timed = await family.train(model, { molecules, seed: 1, batchSize: 2, timeBudgetSeconds: 10, now: () => (clock += 1) });
  assert.equal(timed.stoppedBy, 'time-budget');
  assert.ok(timed.steps > 0 && timed.steps < 10);
  const controller = new AbortController();
  const aborted = await family.train(model, { molecules, seed: 1, batchSize: 2, signal: controller.signal, onStep: ({ step }) => { if (step === 3) controller.abort(); } });
  assert.equal(aborted.stoppedBy, 'aborted');
  assert.equal(aborted.steps, 3);
  model.dispose();
}

/** The mean over `draws` of a family's scalar loss on one batch (draw d gets its own fixed noise from the caller). */
export function meanLossOverDraws(host: MoleculeBatchHost, draws: number, loss: (draw: number, tensors: BatchTensors) => tf.Scalar): number {
  const b = batchTensors(host);
  let total = 0;
  for (let d = 0; d < draws; d++) total += tf.tidy(() => loss(d, b).dataSync()[0]!);
  disposeBatchTensors(b);
  return total / draws;
}
