import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { QM9_XTB_OUTPUTS } from '../../../core/engine/properties/outputs';
import { createPropertyModel } from '../../../core/engine/properties/property-model';
import { propertyValidation, trainPropertyModel } from '../../../core/engine/properties/train-properties';
import { fitTargetStatistics } from '../../../core/engine/properties/outputs';
import { qm9Frames } from '../../generative/edm/qm9-frames';
import { initBackend } from '../../../core/engine/backend/backend';

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

test('a short training on 200 QM9-xTB molecules lowers the validation error (charges, dipole, gap, LUMO; HOMO no worse); checkpoints and tensors stay sound', async () => {
  const frames = await qm9Frames(250);
  const train = frames.slice(0, 200), validation = frames.slice(200);
  const model = createPropertyModel({
    trunk: 'mace', trunkConfig: { species: [1, 6, 7, 8, 9], channels: 8, lmax: 1, shLmax: 1, nInteractions: 1, correlation: 2, avgNumNeighbors: 10, seed: 1 },
    outputs: QM9_XTB_OUTPUTS, headHidden: 16, seed: 2,
  });
  try {
    model.targets = fitTargetStatistics(train, model.outputs);
    const before = await propertyValidation(model, validation, model.params);
    const tensorsBefore = tf.memory().numTensors;
    const checkpoints: number[] = [];
    const result = await trainPropertyModel(model, {
      train, validation, batchSize: 20, maxEpochs: 12, learningRate: 5e-3, warmupSteps: 10, emaDecay: 0.9, seed: 3,
      onCheckpoint: (c) => {
        checkpoints.push(c.epoch);
        assert.ok(Object.keys(c.params).length === Object.keys(model.params).length);
      },
    });
    const after = await propertyValidation(model, validation, model.params);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'training leaves no tensors behind');
    assert.equal(result.epochs, 12);
    assert.ok(checkpoints.length >= 1 && checkpoints.includes(result.bestEpoch));
    assert.ok(after.score < 0.8 * before.score, `validation score ${before.score.toFixed(3)} -> ${after.score.toFixed(3)}`);
    // Charges, dipole and the gap (3 eV spread in these small molecules) improve within 12 short epochs; the HOMO
    // (0.5 eV spread) starts at the training mean (zero-initialised head) and may only hold there this early.
    for (const key of ['chargesMAE_me', 'dipoleMAE_D', 'gapMAE_meV', 'lumoMAE_meV']) {
      assert.ok(after.metrics[key]! < 0.9 * before.metrics[key]!, `${key}: ${before.metrics[key]} -> ${after.metrics[key]}`);
    }
    assert.ok(after.metrics['homoMAE_meV']! < 1.02 * before.metrics['homoMAE_meV']!, `homo ${before.metrics['homoMAE_meV']} -> ${after.metrics['homoMAE_meV']}`);
    assert.ok(Math.abs(after.score - result.history[result.bestEpoch]!.score) < 1e-6, 'the model keeps the best EMA weights');
  } finally {
    model.dispose();
  }
});

test('training refuses a structure without a weighted target, naming it, and trains when that target weighs 0', async () => {
  const frames = await qm9Frames(4);
  const model = createPropertyModel({ trunk: 'egnn', trunkConfig: { species: [1, 6, 7, 8, 9], features: 4, layers: 1 }, outputs: QM9_XTB_OUTPUTS, headHidden: 4 });
  const unlabelled = { ...frames[1]!, properties: {} };
  try {
    await assert.rejects(trainPropertyModel(model, { train: [frames[0]!, unlabelled], validation: [frames[2]!] }), /record 2 has no 'homo' for output 'homo'/);
    // Weighted 0, the missing targets are not needed: it trains on the charges it has.
    const result = await trainPropertyModel(model, { train: [frames[0]!, unlabelled], validation: [frames[2]!], weights: { homo: 0, lumo: 0, gap: 0, dipole: 0, charges: 1 }, maxEpochs: 1 });
    assert.equal(result.epochs, 1);
  } finally {
    model.dispose();
  }
});
