import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { hasLinearMaps, type NativeLinearMaps } from '../../core/engine/backend/native-linear-maps';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { packedConstantWeights, weightsAreConstant, withConstantWeights } from '../../core/engine/layers/constant-weights';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import { setFusedProductBasis } from '../../core/engine/layers/fused-channel-product';
import { setFusedLinear } from '../../core/engine/layers/fused-linear';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { energyAndForces } from '../../core/engine/model';
import { readDataset } from './geometry-data';
import { loadFusedAddon, wasmWithCountingAddon } from './fused-kernel-harness';

const { addon, skip } = await loadFusedAddon<NativeLinearMaps>('linearMaps', hasLinearMaps);

test('weights count as constant outside a gradient tape and inside withConstantWeights, not under a recording tape', () => {
  assert.equal(weightsAreConstant(), true);
  const x = tf.scalar(2);
  let underTape = true;
  let declared = false;
  const g = tf.grad((t: tf.Tensor) => {
    underTape = weightsAreConstant();
    declared = withConstantWeights(() => weightsAreConstant());
    return tf.mul(t, t);
  })(x);
  assert.equal(underTape, false);
  assert.equal(declared, true);
  assert.equal(weightsAreConstant(), true, 'the declaration ends with its scope');
  tf.dispose([x, g]);
});

test('packed constant weights are the flattened concatenation, follow Variable.assign, and are refused under a tape', () => {
  const a = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  const b = tf.variable(tf.tensor1d([5, 6, 7]));
  const params = { a, b };
  const owner = {};
  const before = tf.memory().numTensors;
  const first = packedConstantWeights(owner, params, ['a', 'b'])!;
  assert.deepEqual(Array.from(first.dataSync()), [1, 2, 3, 4, 5, 6, 7]);
  first.dispose();
  const next = tf.tensor2d([[-1, -2], [-3, -4]]);
  a.assign(next);
  next.dispose();
  const second = packedConstantWeights(owner, params, ['a', 'b'])!;
  assert.deepEqual(Array.from(second.dataSync()), [-1, -2, -3, -4, 5, 6, 7], 'the host copy was remade after assign');
  const swapped = packedConstantWeights(owner, { a: b, b: a }, ['a', 'b'])!;
  assert.deepEqual(Array.from(swapped.dataSync()), [5, 6, 7, -1, -2, -3, -4], 'another parameter record is another copy');
  tf.dispose([second, swapped]);
  assert.equal(tf.memory().numTensors, before, 'nothing is kept but host arrays');
  let refused: tf.Tensor | undefined = tf.scalar(0);
  const x = tf.scalar(1);
  const g = tf.grad((t: tf.Tensor) => {
    refused = packedConstantWeights(owner, params, ['a', 'b']);
    return tf.mul(t, 3);
  })(x);
  assert.equal(refused, undefined, 'under a recording tape the caller packs on the tape');
  assert.throws(() => packedConstantWeights(owner, params, ['a', 'missing']), /missing parameter "missing"/);
  tf.dispose([a, b, x, g]);
});

test('fused MACE energies and forces outside a tape equal, bit for bit, those computed under a training tape, with fewer kernels', { skip }, async () => {
  await wasmWithCountingAddon(addon!, 'linearMaps');
  setFusedLinear(true);
  setFusedMessagePassing(true);
  setFusedProductBasis(true);
  const model = createMaceModel({ species: [1, 6, 8], cutoff: 5, channels: 6, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, avgNumNeighbors: 8, seed: 4 });
  const ctx = buildGraphContext(readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2), { cutoff: 5, species: model.species });
  const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
  const runKernel = engine.runKernel;
  let kernels = 0;
  let concats = 0; // the weight packing's op (the forward's other ops are the same with or without it)
  engine.runKernel = (...args: unknown[]) => ((kernels += 1), (concats += args[0] === 'Concat' ? 1 : 0), runKernel.apply(engine, args));
  try {
    const before = tf.memory().numTensors;
    kernels = 0;
    concats = 0;
    const constant = energyAndForces(model, ctx);
    const constantKernels = kernels;
    const constantConcats = concats;
    let taped: { energy: Float32Array; forces: Float32Array } | undefined;
    let tapedConcats = 0;
    const weights = Object.values(model.params) as tf.Variable[];
    const { value, grads } = tf.variableGrads(() => {
      concats = 0;
      const { energy, forces } = energyAndForces(model, ctx);
      tapedConcats = concats;
      taped = { energy: energy.dataSync() as Float32Array, forces: forces.dataSync() as Float32Array };
      return tf.sum(energy) as tf.Scalar;
    }, weights);
    assert.deepEqual(constant.energy.dataSync(), taped!.energy, 'energies');
    assert.deepEqual(constant.forces.dataSync(), taped!.forces, 'forces');
    assert.equal(Object.keys(grads).length, weights.length, 'under the tape every weight still gets its gradient');
    tf.dispose([constant.energy, constant.forces, value, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, before, 'tensor count flat');
    kernels = 0;
    tf.dispose(Object.values(energyAndForces(model, ctx)));
    assert.equal(kernels, constantKernels, 'a second call (host copies made) runs the same kernels');
    // Each interaction's linear maps pack several weight blocks with a concat under the tape; none without it.
    assert.ok(constantConcats + 4 <= tapedConcats, `the weight packing's concats are gone (${constantConcats} against ${tapedConcats} under the tape)`);
  } finally {
    engine.runKernel = runKernel;
    disposeGraphContext(ctx);
    model.dispose();
    setFusedLinear(false);
    setFusedMessagePassing(false);
    setFusedProductBasis(false);
    setNativeMatMul(undefined);
  }
});
