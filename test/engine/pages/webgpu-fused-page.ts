// The fused-kernel part of the WebGPU parity page (webgpu-page.ts): the WGSL kernels against the reference
// compositions (values, first and second derivatives), and MACE timings with and without them.
import * as tf from '@tensorflow/tfjs';
import { buildGraphContext } from '../../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../../core/engine/graph/graph-context';
import { cgScatterPlan, channelwiseCgScatterFused, channelwiseCgScatterReference, fusedMessagePassingActive } from '../../../core/engine/layers/fused-cg-scatter';
import { channelProductFused, fusedProductBasisActive } from '../../../core/engine/layers/fused-channel-product';
import { CpTensorProduct } from '../../../core/engine/layers/cp-tensor-product';
import { cpScatterFused, cpScatterReference } from '../../../core/engine/layers/fused-cp-scatter';
import { fusedLinearActive } from '../../../core/engine/layers/fused-linear';
import { EquivariantLinear } from '../../../core/engine/layers/linear';
import type { ParamRecord } from '../../../core/engine/layers/params';
import { ElementwiseTensorProduct } from '../../../core/engine/layers/product-basis';
import { TensorProduct } from '../../../core/engine/layers/tensor-product';
import { setFusedKernels } from '../../../core/engine/layers/fused-kernels';
import { energyAndForces, type EnergyModel } from '../../../core/engine/model';
import { createMaceModel } from '../../../core/engine/models/mace/mace-model';
import { Irreps } from '../../../core/o3/irreps';
import { parityModels, randomArray, readFrames, species, use, values, type ParityBackend } from './webgpu-page-helpers';

/** Values, first gradients (x, y, w) and second derivatives (along seeded directions) of a multilinear op. */
export interface MultilinearDerivatives {
  readonly value: number[];
  readonly first: number[][];
  readonly second: number[][];
}

export interface FusedKernelResults {
  readonly active: { readonly message: boolean; readonly product: boolean; readonly linear: boolean };
  /** Keyed 'message <product>', 'product <step>' and 'linear <layer>'. */
  readonly ops: Record<string, MultilinearDerivatives>;
}

/** A MACE architecture for timings (seeded, untrained: speed does not depend on the weights). */
export type TimingMaceConfig = Omit<Parameters<typeof createMaceModel>[0], 'species' | 'cutoff'>;

const cgProducts = (): TensorProduct[] => [
  TensorProduct.channelwise('L1-SH2', '4x0e+4x1o', Irreps.sphericalHarmonics(2), (ir) => ir.l <= 1 && ir.p === (ir.l % 2 === 0 ? 1 : -1)),
  TensorProduct.channelwise('L3-mixed', '3x0e+3x1o+2x2e+2x3o', Irreps.sphericalHarmonics(3), (ir) => ir.l <= 3),
];
const channelProducts = (): ElementwiseTensorProduct[] => [new ElementwiseTensorProduct('L1', 5, 1), new ElementwiseTensorProduct('L2', 4, 2), new ElementwiseTensorProduct('L3-to-1', 3, 3, 1)];

type TrilinearOp = (x: tf.Tensor, y: tf.Tensor, w: tf.Tensor) => tf.Tensor;

const linearLayers = (): EquivariantLinear[] => [
  new EquivariantLinear('mixed', '8x0e+4x1o+3x2e', '5x0e+6x1o+2x2e'),
  new EquivariantLinear('fan-in', '4x0e+3x1o+2x0e', '5x0e+2x1o'),
  new EquivariantLinear('no-source', '4x0e', '3x0e+2x1o'),
  new EquivariantLinear('single', '3x1o', '4x1o'),
];

/** Values, first gradients for a seeded cotangent and second derivatives along seeded directions of `op`. */
async function multilinearDerivatives(op: (...v: tf.Tensor[]) => tf.Tensor, shapes: readonly (readonly number[])[], outShape: number[], seed: number): Promise<MultilinearDerivatives> {
  const results = tf.tidy(() => {
    const tensor = (shape: readonly number[], s: number) => tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), s), [...shape]);
    const inputs = shapes.map((shape, r) => tensor(shape, seed + r));
    const directions = shapes.map((shape, r) => tensor(shape, seed + 10 + r));
    const cotangent = tensor(outShape, seed + 20);
    const f = (...v: tf.Tensor[]) => op(...v);
    const first = tf.grads(f)(inputs, cotangent);
    const second = tf.grads((...v: tf.Tensor[]) => tf.addN(tf.grads(f)(v, cotangent).map((g, r) => tf.sum(tf.mul(g, directions[r]!)))))(inputs);
    return { value: f(...inputs), first, second };
  });
  const out = { value: await values(results.value), first: await Promise.all(results.first.map(values)), second: await Promise.all(results.second.map(values)) };
  tf.dispose([results.value, ...results.first, ...results.second]);
  return out;
}

/** The product basis's reference composition: irreps layout -> per-l blocks, `applyPerL`, back. */
function referenceChannelProduct(product: ElementwiseTensorProduct, w: tf.Tensor, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, c] = [x.shape[0], product.mul];
    const perL = (t: tf.Tensor2D) => Array.from({ length: product.lmax + 1 }, (_, l) => tf.reshape(tf.slice(t, [0, c * l * l], [n, c * (2 * l + 1)]), [n, c, 2 * l + 1]) as tf.Tensor3D);
    const out = product.applyPerL({ [`${product.name}/weight`]: w }, perL(x), perL(y)).map((b, l) => tf.reshape(b, [n, c * (2 * l + 1)]));
    return tf.concat(out, 1) as tf.Tensor2D;
  });
}

export async function fusedKernels(backend: ParityBackend, extxyz: string, fused: boolean): Promise<FusedKernelResults> {
  await use(backend);
  setFusedKernels(fused);
  const ctx = buildGraphContext(readFrames(extxyz), { cutoff: 4, species });
  const ops: Record<string, MultilinearDerivatives> = {};
  try {
    for (const [k, tp] of cgProducts().entries()) {
      if (!cgScatterPlan(tp)) throw new Error(`${tp.name} has no fused plan`);
      const op: TrilinearOp = (x, y, w) => fused
        ? channelwiseCgScatterFused(tp, ctx, x as tf.Tensor2D, y as tf.Tensor2D, w as tf.Tensor2D)
        : channelwiseCgScatterReference(tp, {}, ctx, x as tf.Tensor2D, y as tf.Tensor2D, w as tf.Tensor2D);
      ops[`message ${tp.name}`] = await multilinearDerivatives((...v) => op(v[0]!, v[1]!, v[2]!), [[ctx.nAtoms, tp.irrepsIn1.dim], [ctx.nEdges, tp.irrepsIn2.dim], [ctx.nEdges, tp.weightNumel]], [ctx.nAtoms, tp.irrepsOut.dim], 50 + 30 * k);
    }
    // TDN's CP product on the same kernel (one path per allowed block of its factorised coupling).
    const cp = new CpTensorProduct('CP-L1-SH2', { irrepsIn1: '4x0e+4x1o', irrepsIn2: Irreps.sphericalHarmonics(2), irrepsOut: '4x0e+4x1o', rank: 40 });
    const cpOp: TrilinearOp = (x, y, w) => (fused ? cpScatterFused : cpScatterReference)(cp, ctx, x as tf.Tensor2D, y as tf.Tensor2D, w as tf.Tensor2D);
    ops[`message ${cp.name}`] = await multilinearDerivatives((...v) => cpOp(v[0]!, v[1]!, v[2]!), [[ctx.nAtoms, cp.irrepsIn1.dim], [ctx.nEdges, cp.irrepsIn2.dim], [ctx.nEdges, cp.weightNumel]], [ctx.nAtoms, cp.irrepsOut.dim], 120);
    for (const [k, product] of channelProducts().entries()) {
      const op: TrilinearOp = (x, y, w) => fused
        ? channelProductFused(product, { [`${product.name}/weight`]: w }, x as tf.Tensor2D, y as tf.Tensor2D)
        : referenceChannelProduct(product, w, x as tf.Tensor2D, y as tf.Tensor2D);
      const dim = product.mul * (product.lmax + 1) ** 2;
      ops[`product ${product.name}`] = await multilinearDerivatives((...v) => op(v[0]!, v[1]!, v[2]!), [[ctx.nAtoms, dim], [ctx.nAtoms, dim], [product.paths.length, product.mul]], [ctx.nAtoms, product.mul * (product.lmaxOut + 1) ** 2], 150 + 30 * k);
    }
    for (const [k, layer] of linearLayers().entries()) {
      const weights = layer.paramSpecs();
      const op = (x: tf.Tensor, ...w: tf.Tensor[]) => {
        const params: ParamRecord = Object.fromEntries(weights.map((spec, r) => [spec.name, w[r]!]));
        return fused ? layer.apply(params, x as tf.Tensor2D) : layer.applyReference(params, x as tf.Tensor2D);
      };
      ops[`linear ${layer.name}`] = await multilinearDerivatives(op, [[ctx.nAtoms, layer.irrepsIn.dim], ...weights.map((spec) => spec.shape)], [ctx.nAtoms, layer.irrepsOut.dim], 250 + 30 * k);
    }
    return { active: { message: fusedMessagePassingActive(), product: fusedProductBasisActive(), linear: fusedLinearActive() }, ops };
  } finally {
    disposeGraphContext(ctx);
    setFusedKernels(false);
  }
}

const timingModels = new Map<string, EnergyModel>();

export async function maceTiming(extxyz: string, fused: boolean, repeats: number, config?: TimingMaceConfig): Promise<{ ms: number; kernels: string[] }> {
  await use('webgpu');
  const frames = readFrames(extxyz);
  const key = JSON.stringify(config ?? null);
  if (config && !timingModels.has(key)) timingModels.set(key, createMaceModel({ ...config, species, cutoff: 4 }));
  const mace = config ? timingModels.get(key)! : parityModels().mace;
  setFusedKernels(fused);
  const ctx = buildGraphContext(frames, { cutoff: 4, species });
  const times: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      const start = performance.now();
      const { energy, forces } = energyAndForces(mace, ctx);
      await forces.data();
      tf.dispose([energy, forces]);
      if (r > 0) times.push(performance.now() - start);
    }
    const profile = await tf.profile(async () => {
      const { energy, forces } = energyAndForces(mace, ctx);
      await forces.data();
      tf.dispose([energy, forces]);
    });
    return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!, kernels: profile.kernels.map((k) => k.name) };
  } finally {
    disposeGraphContext(ctx);
    setFusedKernels(false);
  }
}

