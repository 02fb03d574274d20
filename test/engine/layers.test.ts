import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  CpTensorProduct, EquivariantLinear, Gate, GauntTensorProduct, NormActivation, So2Convolution, TensorProduct,
  besselBasis, cosineCutoff, couplingTensor, gauntCoefficients, initParams, polynomialCutoff, secondMomentScale,
  sphereQuadrature,
} from '../../core/engine/layers/index';
import { Irreps, sphericalHarmonics, wigner3j } from '../../core/o3/index';
import { assertEquivariant } from '../helpers/assert-equivariant';
import { seededRandom } from '../../core/util/seeded-random';
import { e3nnReference, flat, maxAbsDiff } from '../o3/reference';

function randomArray(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: n }, () => random() * 2 - 1);
}

const t2 = (data: ArrayLike<number>, cols: number) => tf.tensor2d(Float32Array.from(data), [data.length / cols, cols]);

test('Bessel basis and polynomial/cosine cutoffs follow DimeNet/NequIP formulas and vanish smoothly at r_c', () => {
  const r = [0.5, 1.7, 3.2, 4.999, 5.0, 6.0];
  const rc = 5;
  const [bessel, poly, cosine] = tf.tidy(() => {
    const rt = tf.tensor1d(r);
    return [besselBasis(rt, 4, rc).arraySync(), polynomialCutoff(rt, rc).arraySync(), cosineCutoff(rt, rc).arraySync()];
  });
  for (let i = 0; i < r.length; i++)
    for (let n = 1; n <= 4; n++)
      assert.ok(Math.abs(bessel[i]![n - 1]! - Math.sqrt(2 / rc) * Math.sin((n * Math.PI * r[i]!) / rc) / r[i]!) < 1e-5);
  const d = 1.7 / 5;
  assert.ok(Math.abs(poly[1]! - (1 - 28 * d ** 6 + 48 * d ** 7 - 21 * d ** 8)) < 1e-6);
  assert.ok(poly[3]! < 1e-6 && poly[3]! >= 0, 'envelope ~0 just inside r_c');
  assert.equal(Math.abs(poly[4]!), 0);
  assert.equal(Math.abs(poly[5]!), 0);
  assert.ok(Math.abs(cosine[0]! - 0.5 * (Math.cos((Math.PI * 0.5) / 5) + 1)) < 1e-6);
  assert.equal(Math.abs(cosine[5]!), 0);
});

test('Gate equals e3nn up to e3nn\'s Monte-Carlo second-moment constants, and to them exactly when given', () => {
  const ref = e3nnReference().gate;
  const gate = new Gate({ irrepsScalars: '8x0e', actScalars: 'silu', irrepsGates: '8x0e', actGates: 'sigmoid', irrepsGated: '8x1o' });
  assert.equal(gate.irrepsIn.toString(), '8x0e+8x0e+8x1o');
  assert.equal(gate.irrepsOut.toString(), ref.irreps_out);
  const out = tf.tidy(() => gate.apply(tf.tensor2d(ref.x)).dataSync());
  const expected = flat(ref.out);
  // Exact quadrature constants differ from e3nn's 10^6-sample estimates by < 0.3 %.
  assert.ok(maxAbsDiff(out, expected) < 3e-3 * Math.max(...expected.map(Math.abs)));
  // The ratio e3nn/ours is one constant for all scalar outputs and one for all gated outputs.
  const rows = ref.x.length as number;
  const scalarRatios: number[] = [];
  const gatedRatios: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < 32; c++) {
      const v = out[r * 32 + c]!;
      if (Math.abs(v) > 1e-3) (c < 8 ? scalarRatios : gatedRatios).push(expected[r * 32 + c]! / v);
    }
  for (const ratios of [scalarRatios, gatedRatios]) {
    const spread = Math.max(...ratios) - Math.min(...ratios);
    assert.ok(spread < 1e-5, `ratio spread ${spread}`);
    assert.ok(Math.abs(ratios[0]! - 1) < 3e-3);
  }
  // With e3nn's constants recovered as c_ours · ratio, the gate reproduces e3nn to float32 precision.
  const scales: [number, number] = [secondMomentScale('silu') * scalarRatios[0]!, secondMomentScale('sigmoid') * gatedRatios[0]!];
  const gateE3nn = new Gate({ ...gate.config, activationScales: scales });
  const outE3nn = tf.tidy(() => gateE3nn.apply(tf.tensor2d(ref.x)).dataSync());
  assert.ok(maxAbsDiff(outE3nn, expected) < 1e-5);
});

test('fully connected (uvw) tensor product equals e3nn FullyConnectedTensorProduct', () => {
  const ref = e3nnReference().fctp;
  const tp = TensorProduct.fullyConnected('fc', ref.irreps_in1, ref.irreps_in2, ref.irreps_out);
  assert.equal(tp.weightNumel, ref.weight.length);
  const pathWeights = (ref.instructions as string[]).map((s) => Number(/path_weight=([\d.e-]+)/.exec(s)![1]));
  assert.ok(maxAbsDiff(tp.instructions.map((i) => i.pathWeight), pathWeights) < 1e-12);
  const out = tf.tidy(() => tp.apply({ 'fc/weight': tf.tensor1d(ref.weight) }, tf.tensor2d(ref.x1), tf.tensor2d(ref.x2)).dataSync());
  assert.ok(maxAbsDiff(out, flat(ref.out)) < 1e-5);
});

test('channelwise (uvu) tensor product with per-edge weights equals e3nn, fused (one matMul per input block) and per path', () => {
  const ref = e3nnReference().uvu_tp;
  for (const fused of [true, false]) {
    const tp = TensorProduct.channelwise('uvu', ref.irreps_in1, ref.irreps_in2, (ir) => ir.l <= 2, { fused });
    assert.equal(tp.usesFusedEvaluation, fused);
    assert.equal(tp.irrepsOut.toString(), ref.irreps_out);
    assert.equal(tp.weightNumel, ref.per_edge_weight[0].length);
    const out = tf.tidy(() => tp.apply({}, tf.tensor2d(ref.x1), tf.tensor2d(ref.x2), tf.tensor2d(ref.per_edge_weight)).dataSync());
    assert.ok(maxAbsDiff(out, flat(ref.out)) < 1e-5, `fused ${fused}`);
  }
});

test('the fused channelwise product equals the per-path loop with polar filtering, scalar-only blocks and its gradients', () => {
  const irreps = '3x0e+2x1o+2x2e';
  const keep = (ir: { l: number; p: number }) => ir.l <= 1 && ir.p === (ir.l % 2 === 0 ? 1 : -1);
  const fused = TensorProduct.channelwise('m', irreps, '1x0e+1x1o+1x2e', keep);
  const loop = TensorProduct.channelwise('m', irreps, '1x0e+1x1o+1x2e', keep, { fused: false });
  assert.ok(fused.usesFusedEvaluation && !loop.usesFusedEvaluation);
  const x = tf.tensor2d(Float32Array.from(randomArray(7 * 19, 21)), [7, 19]);
  const y = tf.tensor2d(Float32Array.from(randomArray(7 * 9, 22)), [7, 9]);
  const w = tf.tensor2d(Float32Array.from(randomArray(7 * fused.weightNumel, 23)), [7, fused.weightNumel]);
  const run = (tp: TensorProduct) => tf.tidy(() => {
    const out = tp.apply({}, x, y, w);
    const [gx, gy, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(tp.apply({}, a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D))))([x, y, w]);
    return [out, gx!, gy!, gw!].map((t) => t.dataSync());
  });
  const a = run(fused), b = run(loop);
  a.forEach((values, k) => assert.ok(maxAbsDiff(values, b[k]!) < 1e-5, `output ${k}`));
  tf.dispose([x, y, w]);
});

const nRows = 5;
const edgeVectors = randomArray(nRows * 3, 11);

test('equivariant linear, Gate and norm activation pass the equivariance check', async () => {
  const linear = new EquivariantLinear('lin', '4x0e+3x1o+2x2e+2x1e+1x0o', '5x0e+2x1o+3x2e+1x1e', true);
  const params = initParams(linear.paramSpecs(), 1);
  const gate = new Gate({ irrepsScalars: '3x0e', actScalars: 'silu', irrepsGates: '3x0e', actGates: 'sigmoid', irrepsGated: '2x1o+1x2e' });
  const norm = new NormActivation('2x0e+2x1o+1x2e', 'sigmoid');
  for (const [name, irrepsIn, irrepsOut, f] of [
    ['linear', linear.irrepsIn, linear.irrepsOut, (x: tf.Tensor2D) => linear.apply(params, x)],
    ['gate', gate.irrepsIn, gate.irrepsOut, (x: tf.Tensor2D) => gate.apply(x)],
    ['norm activation', norm.irrepsIn, norm.irrepsOut, (x: tf.Tensor2D) => norm.apply(x)],
  ] as const) {
    await assertEquivariant({
      name,
      inputs: [{ irreps: irrepsIn, data: randomArray(nRows * irrepsIn.dim, 3) }],
      outputs: [{ irreps: irrepsOut }],
      fn: (_p, [x]) => [tf.tidy(() => f(t2(x!, irrepsIn.dim)).dataSync())],
    });
  }
  tf.dispose(Object.values(params));
});

/** Checks a product layer f(x [n, irreps1], y = SH(edge)) and the per-edge weights (invariant). */
async function checkEdgeProduct(
  name: string,
  irreps1: Irreps,
  lmaxSh: number,
  irrepsOut: Irreps,
  weightNumel: number,
  f: (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D,
  tolerance?: { relative: number },
): Promise<void> {
  const shIrreps = Irreps.sphericalHarmonics(lmaxSh);
  const weightCols = Math.max(1, weightNumel);
  const weights = randomArray(nRows * weightCols, 9);
  await assertEquivariant({
    name,
    inputs: [
      { irreps: irreps1, data: randomArray(nRows * irreps1.dim, 4) },
      { irreps: '1x1o', data: edgeVectors },
      { irreps: `${weightCols}x0e`, data: weights },
    ],
    outputs: [{ irreps: irrepsOut }],
    fn: (_p, [x, v, weights]) => [
      tf.tidy(() =>
        f(t2(x!, irreps1.dim), t2(sphericalHarmonics(lmaxSh, v!), shIrreps.dim), t2(weights!, weightCols), t2(v!, 3)).dataSync(),
      ),
    ],
    tolerance,
  });
}

test('the four tensor-product forms are equivariant (rotation, inversion, permutation)', async () => {
  const irreps = Irreps.parse('4x0e+4x1o+4x2e');
  const fc = TensorProduct.fullyConnected('fc', '3x0e+2x1o+2x2e+1x1e', '1x0e+1x1o+1x2e', '2x0e+3x1o+2x2e+2x1e+1x0o');
  const fcParams = initParams(fc.paramSpecs(), 2);
  await checkEdgeProduct('fully connected CG', fc.irrepsIn1, 2, fc.irrepsOut, 0, (x, y) => fc.apply(fcParams, x, y));
  const uvu = TensorProduct.channelwise('uvu', irreps, '1x0e+1x1o+1x2e', (ir) => ir.l <= 2);
  await checkEdgeProduct('channelwise CG', irreps, 2, uvu.irrepsOut, uvu.weightNumel, (x, y, w) => uvu.apply({}, x, y, w));
  const cp = new CpTensorProduct('cp', { irrepsIn1: irreps, irrepsIn2: '1x0e+1x1o+1x2e', irrepsOut: irreps, rank: 40 });
  assert.ok(cp.relativeError < 1e-6, `CP residual ${cp.relativeError}`);
  await checkEdgeProduct('CP (TDN)', irreps, 2, irreps, cp.weightNumel, (x, y, w) => cp.apply(x, y, w));
  const so2 = new So2Convolution('so2', { irrepsIn: irreps, irrepsOut: '3x0e+3x1o+3x2e' });
  const so2Params = initParams(so2.paramSpecs(), 3);
  await checkEdgeProduct('SO(2) convolution', irreps, 2, so2.irrepsOut, so2.radialNumel, (x, _y, w, v) => so2.apply(so2Params, x, v, w));
  const gaunt = new GauntTensorProduct('gaunt', { irrepsIn1: irreps, irrepsIn2: '1x0e+1x1o+1x2e', irrepsOut: irreps });
  await checkEdgeProduct('Gaunt', irreps, 2, irreps, gaunt.weightNumel, (x, y, w) => gaunt.apply(x, y, w));
  tf.dispose([...Object.values(fcParams), ...Object.values(so2Params)]);
});

test('SO(2) convolution without the parity restriction is rotation- but not inversion-equivariant', async () => {
  const irreps = Irreps.parse('3x0e+3x1o+3x2e');
  const so2 = new So2Convolution('so2full', { irrepsIn: irreps, irrepsOut: irreps, parity: false });
  const params = initParams(so2.paramSpecs(), 4);
  const weights = randomArray(nRows * so2.radialNumel, 5);
  const check = (transforms: ('rotation' | 'rotation+inversion')[]) =>
    assertEquivariant({
      name: 'SO(2) full',
      inputs: [
        { irreps, data: randomArray(nRows * irreps.dim, 6) },
        { irreps: '1x1o', data: edgeVectors },
        { irreps: `${so2.radialNumel}x0e`, data: weights },
      ],
      outputs: [{ irreps }],
      transforms,
      fn: (_p, [x, v, w]) => [tf.tidy(() => so2.apply(params, t2(x!, irreps.dim), t2(v!, 3), t2(w!, so2.radialNumel)).dataSync())],
    });
  await check(['rotation']);
  await assert.rejects(check(['rotation+inversion']), /inversion/);
  tf.dispose(Object.values(params));
});

test('CP product equals the dense coupling-tensor contraction it factorises', () => {
  const irreps = Irreps.parse('2x0e+2x1o');
  const sh = Irreps.parse('1x0e+1x1o');
  const cp = new CpTensorProduct('cp', { irrepsIn1: irreps, irrepsIn2: sh, irrepsOut: irreps, rank: 12 });
  const t = couplingTensor(Irreps.parse('0e+1o'), sh, Irreps.parse('0e+1o'));
  const x = randomArray(irreps.dim, 1);
  const y = sphericalHarmonics(1, [0.3, -0.4, 0.8]);
  const out = tf.tidy(() => cp.apply(t2(x, irreps.dim), t2(y, 4), tf.ones([1, cp.weightNumel])).dataSync());
  // Dense: z[u, K] = Σ_IJ T[I,J,K] x[u,I] y[J]; x layout: 2x0e then 2x1o.
  const xu = (u: number, i: number) => (i === 0 ? x[u]! : x[2 + u * 3 + i - 1]!);
  const dense: number[] = [];
  for (const [k0, kd] of [[0, 1], [1, 3]] as const)
    for (let u = 0; u < 2; u++)
      for (let k = k0; k < k0 + kd; k++) {
        let s = 0;
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += t[(i * 4 + j) * 4 + k]! * xu(u, i) * y[j]!;
        dense.push(s);
      }
  assert.ok(maxAbsDiff(out, dense) < 1e-5);
});

test('Gaunt coefficients are proportional to Wigner-3j for even l1+l2+l3 and vanish for odd', () => {
  for (const [l1, l2, l3] of [[1, 1, 2], [2, 2, 2], [1, 2, 3], [2, 2, 4], [1, 1, 1], [2, 3, 4]] as const) {
    const g = gauntCoefficients(l1, l2, l3);
    const c = wigner3j(l1, l2, l3);
    let dot = 0;
    let gg = 0;
    for (let i = 0; i < g.length; i++) {
      dot += g[i]! * c[i]!;
      gg += g[i]! ** 2;
    }
    if ((l1 + l2 + l3) % 2 === 1) assert.ok(gg < 1e-24, `odd path ${l1},${l2},${l3}`);
    else assert.ok(Math.abs(dot * dot - gg) < 1e-12 * Math.max(1, gg), `even path ${l1},${l2},${l3} not ∝ 3j`);
  }
  const { weights } = sphereQuadrature(6);
  assert.ok(Math.abs(weights.reduce((s, w) => s + w, 0) - 4 * Math.PI) < 1e-12);
});

test('repeated forward calls of every layer leave tf.memory().numTensors flat', () => {
  const irreps = Irreps.parse('4x0e+4x1o+4x2e');
  const uvu = TensorProduct.channelwise('uvu', irreps, '1x0e+1x1o+1x2e', (ir) => ir.l <= 2);
  const cp = new CpTensorProduct('cp', { irrepsIn1: irreps, irrepsIn2: '1x0e+1x1o+1x2e', irrepsOut: irreps, rank: 40 });
  const so2 = new So2Convolution('so2', { irrepsIn: irreps, irrepsOut: irreps });
  const gaunt = new GauntTensorProduct('gaunt', { irrepsIn1: irreps, irrepsIn2: '1x0e+1x1o+1x2e', irrepsOut: irreps });
  const params = initParams(so2.paramSpecs(), 1);
  const x = t2(randomArray(nRows * irreps.dim, 1), irreps.dim);
  const v = t2(edgeVectors, 3);
  const y = t2(sphericalHarmonics(2, edgeVectors), 9);
  const run = () => {
    tf.dispose([
      uvu.apply({}, x, y, tf.ones([nRows, uvu.weightNumel])),
      cp.apply(x, y, tf.ones([nRows, cp.weightNumel])),
      so2.apply(params, x, v, tf.ones([nRows, so2.radialNumel])),
      gaunt.apply(x, y, tf.ones([nRows, gaunt.weightNumel])),
    ]);
  };
  run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) run();
  // tf.ones above are not disposed by the layers: 4 per run.
  assert.equal(tf.memory().numTensors, before + 4 * 3);
  tf.dispose([x, v, y, ...Object.values(params)]);
});
