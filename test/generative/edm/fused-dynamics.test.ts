import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { batchTensors, disposeBatchTensors, dynamicsParamShapes, predictNoise, type DynamicsParams } from '../../../core/generative/edm/dynamics';
import { createEdm, type EdmModel } from '../../../core/generative/edm/edm-model';
import { hasEgnnDenoiser, runFusedDenoiser, setFusedDenoiser, type NativeEgnnDenoiser } from '../../../core/generative/edm/fused-dynamics';
import { fullyConnectedBatch } from '../../../core/generative/edm/molecules';
import { sampleEdm } from '../../../core/generative/edm/sampler';
import { createGeoBfn } from '../../../core/generative/geobfn/geobfn-model';
import { bfnNetwork } from '../../../core/generative/geobfn/network';
import { sampleGeoBfn } from '../../../core/generative/geobfn/sampler';
import { seededRandom } from '../../../core/util/seeded-random';
import { loadFusedAddon, wasmWithCountingAddon } from '../../engine/fused-kernel-harness';

const { addon, skip } = await loadFusedAddon<NativeEgnnDenoiser>('egnnDenoiser', hasEgnnDenoiser);
after(() => setFusedDenoiser(false));

/** Atom counts of one batch: a lone atom (no edges), a pair, and QM9's largest molecule beside mid-sized ones. */
const ATOM_COUNTS = [1, 2, 5, 29, 17];
const ATOM_COUNTS_HISTOGRAM = Array.from({ length: 30 }, (_, n) => (ATOM_COUNTS.includes(n) ? 1 : 0));

function gaussianArray(length: number, seed: number, scale: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => scale * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

/**
 * Seeded weights with the last coordinate layers (initialised at gain 0.001) and all biases redrawn at a useful size,
 * so that the coordinate updates and every bias are exercised.
 */
function exercisedParams(params: DynamicsParams, seed: number): void {
  let k = 0;
  for (const [name, tensor] of Object.entries(params)) {
    if (name.endsWith('/coord/w2') || tensor.rank === 1) (tensor as tf.Variable).assign(tf.tensor(gaussianArray(tensor.size, seed + k++, 0.3), tensor.shape));
  }
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, tolerance = 2e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 1e-2, `${what}: the reference is not trivially small (${scale})`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance * (1 + scale), `${what}[${i}]: fused ${actual[i]} against ${expected[i]}`);
  }
}

/** ε̂_x, ε̂_h of `model` on the test batch, with the fused path on or off and `inference` as given. */
function noiseEstimates(model: EdmModel, inference: boolean, seed: number): [Float32Array, Float32Array] {
  const host = fullyConnectedBatch(ATOM_COUNTS);
  const b = batchTensors(host);
  const nf = model.config.dynamics.nodeFeatures;
  const times = ATOM_COUNTS.flatMap((n, g) => Array<number>(n).fill((g + 1) / (ATOM_COUNTS.length + 1)));
  try {
    return tf.tidy(() => {
      const out = predictNoise(model.config.dynamics, model.params, b, {
        x: tf.tensor2d(gaussianArray(3 * host.nAtoms, seed, 1.5), [host.nAtoms, 3]),
        h: tf.tensor2d(gaussianArray(nf * host.nAtoms, seed + 1, 1), [host.nAtoms, nf]),
        time: tf.tensor2d(Float32Array.from(times), [host.nAtoms, 1]),
        ...(model.config.dynamics.contextFeatures > 0 ? { context: tf.tensor2d(gaussianArray(host.nAtoms, seed + 2, 1), [host.nAtoms, 1]) } : {}),
      }, { inference });
      return [out.epsX.dataSync() as Float32Array, out.epsH.dataSync() as Float32Array];
    });
  } finally {
    disposeBatchTensors(b);
  }
}

test('the fused EGNN denoiser equals the tfjs composition on molecules of 1 to 29 atoms, with and without a property context, and leaves no tensors', { skip }, async () => {
  const counter = await wasmWithCountingAddon(addon!, 'egnnDenoiser');
  for (const context of [undefined, { property: 'gap', mean: 6.8, mad: 1.1 }]) {
    const model = createEdm({ atomCounts: ATOM_COUNTS_HISTOGRAM, features: 24, layers: 3, seed: 7, ...(context ? { context } : {}) });
    exercisedParams(model.params, 40);
    counter.calls = 0;
    setFusedDenoiser(false);
    const [refX, refH] = noiseEstimates(model, true, 11);
    assert.equal(counter.calls, 0, 'switched off: the tfjs composition ran');
    setFusedDenoiser(true);
    const before = tf.memory().numTensors;
    const [gotX, gotH] = noiseEstimates(model, true, 11);
    assert.equal(counter.calls, 1, 'one native call for the whole network');
    assert.equal(tf.memory().numTensors, before, 'tensors after a fused pass');
    assertClose(gotX, refX, `ε̂_x${context ? ' (conditional)' : ''}`);
    assertClose(gotH, refH, `ε̂_h${context ? ' (conditional)' : ''}`);
    counter.calls = 0;
    const [tapedX, tapedH] = noiseEstimates(model, false, 11);
    assert.equal(counter.calls, 1, 'without inference (training) the taped forward runs natively too');
    assertClose(tapedX, refX, 'ε̂_x, taped');
    assertClose(tapedH, refH, 'ε̂_h, taped');
    tf.dispose(Object.values(model.params));
  }
});

test('the fused training op gives the gradients of tfjs autodiff for every weight, the atom features and the positions, and no tensors are left', { skip }, async () => {
  const counter = await wasmWithCountingAddon(addon!, 'egnnDenoiserBackward' as 'egnnDenoiser');
  const model = createEdm({ atomCounts: ATOM_COUNTS_HISTOGRAM, features: 12, layers: 3, seed: 4 });
  exercisedParams(model.params, 20);
  const names = Object.keys(dynamicsParamShapes(model.config.dynamics));
  const host = fullyConnectedBatch(ATOM_COUNTS);
  const b = batchTensors(host);
  const nf = model.config.dynamics.nodeFeatures;
  const x = tf.tensor2d(gaussianArray(3 * host.nAtoms, 31, 1.2), [host.nAtoms, 3]);
  const h = tf.tensor2d(gaussianArray(nf * host.nAtoms, 32, 1), [host.nAtoms, nf]);
  const time = tf.fill([host.nAtoms, 1], 0.35) as tf.Tensor2D;
  const cx = tf.tensor2d(gaussianArray(3 * host.nAtoms, 33, 1), [host.nAtoms, 3]);
  const ch = tf.tensor2d(gaussianArray(nf * host.nAtoms, 34, 1), [host.nAtoms, nf]);
  const gradients = (fused: boolean): Float32Array[] => {
    setFusedDenoiser(fused);
    return tf.tidy(() => {
      const loss = (...args: tf.Tensor[]) => {
        const params = Object.fromEntries(names.map((name, k) => [name, args[2 + k]!]));
        const out = predictNoise(model.config.dynamics, params, b, { x: args[0] as tf.Tensor2D, h: args[1] as tf.Tensor2D, time });
        return tf.add(tf.sum(tf.mul(out.epsX, cx)), tf.sum(tf.mul(tf.square(out.epsH), ch)));
      };
      return tf.grads(loss)([x, h, ...names.map((name) => model.params[name]!)]).map((g) => g.dataSync() as Float32Array);
    });
  };
  const reference = gradients(false);
  assert.equal(counter.calls, 0);
  const before = tf.memory().numTensors;
  const fused = gradients(true);
  assert.equal(counter.calls, 1, 'one native backward pass');
  assert.equal(tf.memory().numTensors, before, 'tensors after a fused gradient');
  ['positions', 'atom features', ...names].forEach((name, k) => assertClose(fused[k]!, reference[k]!, `∂L/∂${name}`, 1e-4));
  tf.dispose([x, h, time, cx, ch, ...Object.values(model.params)]);
  disposeBatchTensors(b);
});

test('the fused denoiser gives GeoBFN the same network output, and both samplers the same molecules', { skip }, async () => {
  await wasmWithCountingAddon(addon!, 'egnnDenoiser');
  const geobfn = createGeoBfn({ atomCounts: ATOM_COUNTS_HISTOGRAM, features: 16, layers: 2, seed: 3 });
  exercisedParams(geobfn.params, 60);
  const host = fullyConnectedBatch(ATOM_COUNTS);
  const b = batchTensors(host);
  const network = (fused: boolean) => {
    setFusedDenoiser(fused);
    return tf.tidy(() => {
      const out = bfnNetwork(geobfn.config, geobfn.params, b, {
        mu: tf.tensor2d(gaussianArray(3 * host.nAtoms, 5, 1), [host.nAtoms, 3]),
        muCharge: tf.tensor2d(gaussianArray(host.nAtoms, 6, 0.5), [host.nAtoms, 1]),
        time: tf.fill([host.nAtoms, 1], 0.4) as tf.Tensor2D,
      }, { inference: true });
      return [out.positions.dataSync() as Float32Array, out.chargeProbabilities.dataSync() as Float32Array];
    });
  };
  const [refPositions, refProbabilities] = network(false);
  const [gotPositions, gotProbabilities] = network(true);
  disposeBatchTensors(b);
  assertClose(gotPositions!, refPositions!, 'GeoBFN x̂');
  assertClose(gotProbabilities!, refProbabilities!, 'GeoBFN p_O');

  const edm = createEdm({ atomCounts: ATOM_COUNTS_HISTOGRAM, features: 16, layers: 2, seed: 9, schedule: { kind: 'polynomial', timesteps: 100, power: 2, precision: 1e-5 } });
  exercisedParams(edm.params, 80);
  for (const [name, sample] of [
    ['EDM', (fused: boolean) => { setFusedDenoiser(fused); return sampleEdm(edm, { count: 4, seed: 2, steps: 10 }); }],
    ['GeoBFN', (fused: boolean) => { setFusedDenoiser(fused); return sampleGeoBfn(geobfn, { count: 4, seed: 2, steps: 10 }); }],
  ] as const) {
    const reference = (await sample(false)).structures;
    const fused = (await sample(true)).structures;
    assert.equal(fused.length, reference.length);
    for (const [m, structure] of fused.entries()) {
      assert.deepEqual(Array.from(structure.numbers), Array.from(reference[m]!.numbers), `${name} molecule ${m + 1}: elements`);
      structure.positions.forEach((v, k) => assert.ok(Math.abs(v - reference[m]!.positions[k]!) < 1e-4 * (1 + Math.abs(v)), `${name} molecule ${m + 1}, coordinate ${k}: ${v} against ${reference[m]!.positions[k]}`));
    }
  }
  tf.dispose([...Object.values(edm.params), ...Object.values(geobfn.params)]);
});

test('the native denoiser refuses weights of the wrong size and edges outside the batch before writing anything, and leaves the floating-point mode as it found it', { skip }, () => {
  const shape = { nAtoms: 2, nEdges: 2, nodeIn: 3, features: 4, layers: 1, rangePerLayer: 15, normConstant: 1, norm: 1 };
  const inputs = { nodeInput: new Float32Array(6), x: new Float32Array(6), edgeSrc: Int32Array.of(0, 1), edgeDst: Int32Array.of(1, 0) };
  assert.throws(() => runFusedDenoiser(addon!, shape, inputs, new Float32Array(10)), (e: Error) => e instanceof RangeError && /^egnnDenoiser: weights has 10 elements, expected \d+/.test(e.message));
  const f = shape.features;
  const count = shape.nodeIn * f + f + (2 * f * f + 3 * f + f * f + f) * 2 + f + 1 + 3 * f * f + 2 * f + f + f * shape.nodeIn + shape.nodeIn;
  assert.doesNotThrow(() => runFusedDenoiser(addon!, shape, inputs, new Float32Array(count)));
  // The kernel flushes denormals while it runs and restores the caller's floating-point mode: JS arithmetic on a
  // subnormal double still gives a subnormal afterwards.
  const subnormal = Number.parseFloat(`${5}e-324`);
  assert.ok(subnormal * 3 > 0 && subnormal * 3 < Number.MIN_VALUE * 4, 'subnormal doubles survive the kernel call');
  assert.throws(() => runFusedDenoiser(addon!, shape, { ...inputs, edgeSrc: Int32Array.of(0, 2) }, new Float32Array(count)), (e: Error) => e instanceof RangeError && /edge 1 refers to an atom outside \[0, 2\)/.test(e.message));
});
