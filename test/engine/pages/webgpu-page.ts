// Browser page for test/engine/webgpu-backend.test.ts: runs the same tfjs computations on the 'webgpu' and the 'cpu'
// backend of one page (second derivatives, message-passing ops and their gradients, EGNN and MACE energies, forces and
// force-loss weight gradients) and hands the numbers back as plain arrays, so the Node test compares them.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../../../core/engine/backend/backend';
import { installWebGpuKernels, restoreStockWebGpuKernels } from '../../../core/engine/backend/webgpu-kernels';
import { buildGraphContext } from '../../../core/engine/geometry/batch';
import { disposeGraphContext, type GraphContext } from '../../../core/engine/graph/graph-context';
import { fusedMessagePassingActive } from '../../../core/engine/layers/fused-cg-scatter';
import { fusedProductBasisActive } from '../../../core/engine/layers/fused-channel-product';
import { fusedLinearActive } from '../../../core/engine/layers/fused-linear';
import { setFusedKernels } from '../../../core/engine/layers/fused-kernels';
import { energyAndForces, type EnergyModel } from '../../../core/engine/model';
import { createEscnModel } from '../../../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../../../core/engine/models/faenet/faenet-model';
import { createTdnModel } from '../../../core/engine/models/tdn/tdn-model';
import type { Structure } from '../../../core/structure/structure';
import { seededRandom } from '../../../core/util/seeded-random';
import { fusedKernels, maceTiming, type FusedKernelResults, type TimingMaceConfig } from './webgpu-fused-page';
import { parityModels, randomArray, readFrames, species, use, values, type ParityBackend } from './webgpu-page-helpers';

export type { FusedKernelResults, MultilinearDerivatives, TimingMaceConfig } from './webgpu-fused-page';
export type { ParityBackend } from './webgpu-page-helpers';

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

export type OtherFamily = 'tdn' | 'escn' | 'faenet';

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
   * The same for small seeded TDN, eSCN and FAENet models; with `fused`, the fused kernels are on (TDN's messages
   * run on the CG message kernel, fused-cp-scatter.ts, and its linear maps and product basis on theirs).
   */
  otherFamilies(backend: ParityBackend, extxyz: string, fused?: boolean): Promise<Record<OtherFamily, ModelOutputs>>;
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

async function models(backend: ParityBackend, extxyz: string, fused = false): Promise<Record<'egnn' | 'mace', ModelOutputs>> {
  await use(backend);
  const frames = readFrames(extxyz);
  const { egnn, mace } = parityModels();
  setFusedKernels(fused);
  try {
    if (fused && !(fusedMessagePassingActive() && fusedProductBasisActive() && fusedLinearActive())) throw new Error(`the fused kernels are not active on ${backend}`);
    return { egnn: await evaluate(egnn, frames), mace: await evaluate(mace, frames) };
  } finally {
    setFusedKernels(false);
  }
}

let familyModels: Record<OtherFamily, EnergyModel> | undefined;

async function otherFamilies(backend: ParityBackend, extxyz: string, fused = false): Promise<Record<OtherFamily, ModelOutputs>> {
  await use(backend);
  const frames = readFrames(extxyz);
  const equivariant = { species, cutoff: 4, channels: 4, lmax: 1, shLmax: 2, nInteractions: 1, correlation: 2, nBasis: 4, radialHidden: 8, readoutHidden: 4, avgNumNeighbors: 6 };
  familyModels ??= {
    tdn: createTdnModel({ ...equivariant, seed: 3 }),
    escn: createEscnModel({ ...equivariant, seed: 4 }),
    faenet: createFaenetModel({ species, cutoff: 4, hidden: 8, nInteractions: 1, avgNumNeighbors: 6, seed: 5 }),
  };
  setFusedKernels(fused);
  try {
    if (fused && !fusedMessagePassingActive()) throw new Error(`the fused kernels are not active on ${backend}`);
    return { tdn: await evaluate(familyModels.tdn, frames), escn: await evaluate(familyModels.escn, frames), faenet: await evaluate(familyModels.faenet, frames) };
  } finally {
    setFusedKernels(false);
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

const api: WebGpuPageApi = { probeAdapter, init, secondDerivatives, graphOps, models, otherFamilies, fusedKernels, maceTiming, accurateOpErrors, syncAndAsyncReads, tensorsAcrossPredictions };
(globalThis as unknown as { webgpuParity: WebGpuPageApi }).webgpuParity = api;
(globalThis as unknown as { webgpuPageReady: boolean }).webgpuPageReady = true;
