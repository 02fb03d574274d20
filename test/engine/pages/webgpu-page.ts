// Browser page for test/engine/webgpu-backend.test.ts: runs the same tfjs computations on the 'webgpu' and the 'cpu'
// backend of one page (second derivatives, message-passing ops and their gradients, EGNN and MACE energies, forces and
// force-loss weight gradients) and hands the numbers back as plain arrays, so the Node test compares them.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../../../core/engine/backend/backend';
import { installWebGpuKernels, restoreStockWebGpuKernels } from '../../../core/engine/backend/webgpu-kernels';
import { buildGraphContext } from '../../../core/engine/geometry/batch';
import { disposeGraphContext, type GraphContext } from '../../../core/engine/graph/graph-context';
import { cgScatterPlan, channelwiseCgScatterFused, channelwiseCgScatterReference, fusedMessagePassingActive, setFusedMessagePassing } from '../../../core/engine/layers/fused-cg-scatter';
import { channelProductFused, fusedProductBasisActive, setFusedProductBasis } from '../../../core/engine/layers/fused-channel-product';
import { fusedLinearActive, setFusedLinear } from '../../../core/engine/layers/fused-linear';
import { EquivariantLinear } from '../../../core/engine/layers/linear';
import type { ParamRecord } from '../../../core/engine/layers/params';
import { ElementwiseTensorProduct } from '../../../core/engine/layers/product-basis';
import { TensorProduct } from '../../../core/engine/layers/tensor-product';
import { energyAndForces, type EnergyModel } from '../../../core/engine/model';
import { createEgnn } from '../../../core/engine/models/egnn/egnn';
import { createMaceModel } from '../../../core/engine/models/mace/mace-model';
import { readText } from '../../../core/formats/read-text';
import { extxyzFormat } from '../../../core/formats/xyz/index';
import { Irreps } from '../../../core/o3/irreps';
import type { Structure } from '../../../core/structure/structure';
import { seededRandom } from '../../../core/util/seeded-random';

export type ParityBackend = 'webgpu' | 'cpu';

/** What the browser's WebGPU exposes: null when there is no navigator.gpu or no adapter. */
export interface AdapterProbe {
  readonly available: boolean;
  readonly reason: string;
  readonly vendor?: string;
  readonly architecture?: string;
}

export interface SecondDerivative {
  readonly name: string;
  readonly x: number;
  readonly value: number;
}

export interface ModelOutputs {
  readonly energy: number[];
  readonly forces: number[];
  /** Gradient of the mean squared force error w.r.t. each weight, in `parameterNames` order. */
  readonly gradients: number[][];
  readonly parameterNames: string[];
}

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

export interface WebGpuPageApi {
  probeAdapter(): Promise<AdapterProbe>;
  /** initBackend({ prefer: 'webgpu' }) with its diagnostics. */
  init(): Promise<BackendInfo & { readonly log: string[] }>;
  secondDerivatives(backend: ParityBackend): Promise<SecondDerivative[]>;
  /** unsortedSegmentSum, gather (rows, scalars) and the gradient through both, keyed by name. */
  graphOps(backend: ParityBackend): Promise<Record<string, number[]>>;
  /**
   * Parses `extxyz` with the core reader (all frames) and evaluates the seeded EGNN and MACE models; with `fused`,
   * MACE's messages, product basis and linear maps run on the fused kernels (webgpu-cg-scatter.ts,
   * webgpu-channel-product.ts, webgpu-linear-maps.ts on webgpu; it throws where they cannot).
   */
  models(backend: ParityBackend, extxyz: string, fused?: boolean): Promise<Record<'egnn' | 'mace', ModelOutputs>>;
  /**
   * The channelwise CG message + scatter of two products (L ≤ 1 with SH ≤ 2; mixed L ≤ 3) on the frames' graph,
   * three product-basis steps (L = 1, 2; 3 -> 1) and four equivariant linear maps (mixed degrees, fan-in, an output
   * with no source, one block) on its nodes: values, first gradients and second derivatives (x and every weight
   * block for the linear maps), on the fused kernels (webgpu) or by the reference compositions, and whether the
   * kernels were active.
   */
  fusedKernels(backend: ParityBackend, extxyz: string, fused: boolean): Promise<FusedKernelResults>;
  /**
   * Milliseconds per MACE energy+forces evaluation (median of `repeats` after a warm-up), fused or not, on webgpu,
   * and the kernels one profiled evaluation launched: the parity MACE, or a seeded one of `config` (cutoff 4 Å).
   */
  maceTiming(extxyz: string, fused: boolean, repeats: number, config?: TimingMaceConfig): Promise<{ ms: number; kernels: string[] }>;
  /**
   * Largest |f(x) - Math.f(x)| of sin and cos over 8192 float32 x in [-30, 30] and of acos over [-1, 1] on `backend`;
   * on webgpu both with Equimol's kernels and with the stock ones.
   */
  accurateOpErrors(backend: ParityBackend): Promise<{ equimol: Record<'sin' | 'cos' | 'acos', number>; stock?: Record<'sin' | 'cos' | 'acos', number> }>;
  /** The same webgpu result read with dataSync() and with await data() (tfjs-webgpu reads synchronously via canvases). */
  syncAndAsyncReads(): Promise<{ sync: number[]; async: number[] }>;
  /** tf.memory().numTensors after each of `steps` energy+force predictions of the MACE model on `backend`. */
  tensorsAcrossPredictions(backend: ParityBackend, extxyz: string, steps: number): Promise<number[]>;
}

type NavigatorWithGpu = { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null> } };

async function probeAdapter(): Promise<AdapterProbe> {
  const gpu = (navigator as unknown as NavigatorWithGpu).gpu;
  if (!gpu) return { available: false, reason: 'navigator.gpu is undefined (WebGPU disabled in this browser)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter)' };
  return { available: true, reason: 'adapter found', vendor: adapter.info?.vendor, architecture: adapter.info?.architecture };
}

async function use(backend: ParityBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

async function values(tensor: tf.Tensor): Promise<number[]> {
  return Array.from(await tensor.data() as Float32Array);
}

const secondOrderCases: Array<[string, (x: tf.Tensor) => tf.Tensor, number[]]> = [
  ['x·sigmoid(x)', (x) => tf.mul(x, tf.sigmoid(x)), [-1.3, 0.5, 2.1]],
  ['tanh', (x) => tf.tanh(x), [-0.4, 0.7]],
  ['exp', (x) => tf.exp(x), [-0.8, 0.3]],
  ['sin', (x) => tf.sin(x), [0.4, 7.5]],
  ['x·tanh(exp(x))', (x) => tf.mul(x, tf.tanh(tf.exp(x))), [0.2]],
];

async function secondDerivatives(backend: ParityBackend): Promise<SecondDerivative[]> {
  await use(backend);
  const out: SecondDerivative[] = [];
  for (const [name, f, xs] of secondOrderCases) {
    for (const x of xs) {
      const second = tf.tidy(() => tf.grad(tf.grad(f))(tf.scalar(x)));
      out.push({ name, x, value: (await values(second))[0]! });
      second.dispose();
    }
  }
  return out;
}

function randomArray(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

async function graphOps(backend: ParityBackend): Promise<Record<string, number[]>> {
  await use(backend);
  const rows = 300, width = 16, segments = 50;
  const x = randomArray(rows * width, 1);
  const w = randomArray(width * 24, 2);
  const random = seededRandom(3);
  // Ids in [0, 40) of 50 segments: some segments stay empty (must be zero rows).
  const ids = Int32Array.from({ length: rows }, () => Math.floor(random() * 40));
  const results = tf.tidy(() => {
    const xt = tf.tensor2d(x, [rows, width]), wt = tf.tensor2d(w, [width, 24]);
    const idt = tf.tensor1d(ids, 'int32');
    const loss = (v: tf.Tensor) => tf.sum(tf.square(tf.gather(tf.unsortedSegmentSum(tf.matMul(v, wt), idt, segments), idt)));
    return {
      'segment sum': tf.unsortedSegmentSum(xt, idt, segments),
      'segment sum of a 3-d tensor': tf.unsortedSegmentSum(tf.reshape(xt, [rows, 4, 4]), idt, segments),
      'row gather': tf.gather(xt, idt),
      'scalar gather': tf.gather(tf.tensor1d(x.slice(0, 40)), idt),
      'gradient of gather (a segment sum)': tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, idt), tf.gather(xt, idt))))(tf.slice(xt, [0, 0], [40, width])),
      'gradient of segment sum (a gather)': tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.unsortedSegmentSum(v, idt, segments))))(xt),
      'gradient through matMul, segment sum and gather': tf.grad(loss)(xt),
    };
  });
  const out: Record<string, number[]> = {};
  for (const [name, tensor] of Object.entries(results)) out[name] = await values(tensor);
  tf.dispose(Object.values(results));
  return out;
}

const species = [1, 6, 8];
let cachedModels: Record<'egnn' | 'mace', EnergyModel> | undefined;

/** Tiny seeded models, created once so both backends evaluate the very same weights. */
function parityModels(): Record<'egnn' | 'mace', EnergyModel> {
  cachedModels ??= {
    egnn: createEgnn({ species, features: 8, layers: 2, cutoff: 4, radialBasis: 4, updateCoordinates: true, seed: 2 }, { referenceEnergies: [0, 0, 0], scale: 5, shift: 0 }),
    mace: createMaceModel({ species, cutoff: 4, channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, correlation: 2, nBasis: 4, radialHidden: 8, readoutHidden: 4, seed: 9 }),
  };
  return cachedModels;
}

function readFrames(extxyz: string): Structure[] {
  const { structures, errors } = readText(extxyz, 'parity.extxyz', extxyzFormat);
  if (errors.length > 0) throw new Error(`parity.extxyz: ${errors[0]!.message}`);
  return structures;
}

async function evaluate(model: EnergyModel, frames: Structure[]): Promise<ModelOutputs> {
  const parameterNames = Object.keys(model.params).sort();
  const variables = parameterNames.map((n) => model.params[n] as tf.Variable);
  const ctx: GraphContext = buildGraphContext(frames, { cutoff: 4, species });
  const reference = tf.tensor2d(frames.flatMap((s) => Array.from(s.atomArrays['forces']!.data as Float64Array)), [ctx.nAtoms, 3]);
  try {
    const { energy, forces } = energyAndForces(model, ctx);
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.mean(tf.square(tf.sub(energyAndForces(model, ctx).forces, reference)))) as tf.Scalar,
      variables,
    );
    const gradients: number[][] = [];
    for (const v of variables) gradients.push(grads[v.name] ? await values(grads[v.name]!) : new Array<number>(v.size).fill(0));
    const out = { energy: await values(energy), forces: await values(forces), gradients, parameterNames };
    tf.dispose([energy, forces, value, ...Object.values(grads)]);
    return out;
  } finally {
    reference.dispose();
    disposeGraphContext(ctx);
  }
}

function setFused(fused: boolean): void {
  setFusedMessagePassing(fused);
  setFusedProductBasis(fused);
  setFusedLinear(fused);
}

async function models(backend: ParityBackend, extxyz: string, fused = false): Promise<Record<'egnn' | 'mace', ModelOutputs>> {
  await use(backend);
  const frames = readFrames(extxyz);
  const { egnn, mace } = parityModels();
  setFused(fused);
  try {
    if (fused && !(fusedMessagePassingActive() && fusedProductBasisActive() && fusedLinearActive())) throw new Error(`the fused kernels are not active on ${backend}`);
    return { egnn: await evaluate(egnn, frames), mace: await evaluate(mace, frames) };
  } finally {
    setFused(false);
  }
}

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

async function fusedKernels(backend: ParityBackend, extxyz: string, fused: boolean): Promise<FusedKernelResults> {
  await use(backend);
  setFused(fused);
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
    setFused(false);
  }
}

const timingModels = new Map<string, EnergyModel>();

async function maceTiming(extxyz: string, fused: boolean, repeats: number, config?: TimingMaceConfig): Promise<{ ms: number; kernels: string[] }> {
  await use('webgpu');
  const frames = readFrames(extxyz);
  const key = JSON.stringify(config ?? null);
  if (config && !timingModels.has(key)) timingModels.set(key, createMaceModel({ ...config, species, cutoff: 4 }));
  const mace = config ? timingModels.get(key)! : parityModels().mace;
  setFused(fused);
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
    setFused(false);
  }
}

async function tensorsAcrossPredictions(backend: ParityBackend, extxyz: string, steps: number): Promise<number[]> {
  await use(backend);
  const frames = readFrames(extxyz);
  const { mace } = parityModels();
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const ctx = buildGraphContext(frames, { cutoff: 4, species });
    const { energy, forces } = energyAndForces(mace, ctx);
    await energy.data();
    await forces.data();
    tf.dispose([energy, forces]);
    disposeGraphContext(ctx);
    counts.push(tf.memory().numTensors);
  }
  return counts;
}

type AccurateOpErrors = Record<'sin' | 'cos' | 'acos', number>;

async function accurateOpErrorsNow(): Promise<AccurateOpErrors> {
  const wide = Float32Array.from({ length: 8192 }, (_, i) => -30 + (60 * i) / 8192);
  const unit = Float32Array.from({ length: 8193 }, (_, i) => -1 + (2 * i) / 8192);
  const out = { sin: 0, cos: 0, acos: 0 };
  const cases = [['sin', tf.sin, Math.sin, wide], ['cos', tf.cos, Math.cos, wide], ['acos', tf.acos, Math.acos, unit]] as const;
  for (const [name, op, exact, x] of cases) {
    const y = tf.tidy(() => op(tf.tensor1d(x)));
    const computed = await y.data();
    y.dispose();
    for (let i = 0; i < x.length; i++) out[name] = Math.max(out[name], Math.abs(computed[i]! - exact(x[i]!)));
  }
  // Outside its domain acos is NaN, as on cpu: count it as an infinite error otherwise.
  const outside = tf.tidy(() => tf.acos(tf.tensor1d([1.5, -2])));
  if (!Array.from(await outside.data()).every(Number.isNaN)) out.acos = Infinity;
  outside.dispose();
  return out;
}

async function accurateOpErrors(backend: ParityBackend): Promise<{ equimol: AccurateOpErrors; stock?: AccurateOpErrors }> {
  await use(backend);
  const equimol = await accurateOpErrorsNow();
  if (backend !== 'webgpu') return { equimol };
  restoreStockWebGpuKernels();
  try {
    return { equimol, stock: await accurateOpErrorsNow() };
  } finally {
    installWebGpuKernels();
  }
}

async function syncAndAsyncReads(): Promise<{ sync: number[]; async: number[] }> {
  await use('webgpu');
  const random = seededRandom(5);
  const ids = Int32Array.from({ length: 2000 }, () => Math.floor(random() * 100));
  const sum = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(randomArray(2000 * 8, 6), [2000, 8]), tf.tensor1d(ids, 'int32'), 100));
  const sync = Array.from(sum.dataSync());
  const async = await values(sum);
  sum.dispose();
  return { sync, async };
}

async function init(): Promise<BackendInfo & { readonly log: string[] }> {
  const log: string[] = [];
  const info = await initBackend({ prefer: 'webgpu', log: (line) => log.push(line) });
  return { ...info, log };
}

const api: WebGpuPageApi = { probeAdapter, init, secondDerivatives, graphOps, models, fusedKernels, maceTiming, accurateOpErrors, syncAndAsyncReads, tensorsAcrossPredictions };
(globalThis as unknown as { webgpuParity: WebGpuPageApi }).webgpuParity = api;
(globalThis as unknown as { webgpuPageReady: boolean }).webgpuPageReady = true;
