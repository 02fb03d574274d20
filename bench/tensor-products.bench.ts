/**
 * The four tensor-product forms at L = 1..4 on the e3nn reference configuration: 20,000 edges, 32 channels per
 * irrep (x = 32x0e+32x1o+...+32xL), edge spherical harmonics up to L, outputs up to L, per-edge weights.
 * (--quick: 2,000 edges, 8 channels.) Edges are processed in chunks (5,000 for L ≤ 2, 2,500 at L = 3, 1,000 at L = 4: wasm heap limit), CPU times summed.
 *
 *  - CG: channelwise 'uvu' Clebsch–Gordan product with every path l3 ≤ L (the NequIP/MACE message; the baseline)
 *  - CP: rank-R CP-decomposed product (TDN), R from ALS at construction (residual reported)
 *  - SO(2): eSCN convolution in edge-aligned frames (parity-preserving), including the per-edge Wigner-D
 *  - Gaunt: spherical-grid product (exact quadrature)
 *
 * For each form: forward and forward+backward (gradients w.r.t. features and weights) wall time, the ratio to
 * CG at the same L, and the exponent k of a least-squares fit time ∝ L^k over L = 1..4 (papers: CG O(L⁶),
 * CP O(L⁴), SO(2) O(L³)). Reference (e3nn, PyTorch, 2 threads, float32) at L = 2 uvu: forward 151 ms,
 * forward+backward 1,010 ms.
 *
 * Times are process CPU time (process.cpuUsage) of single-threaded tfjs-wasm, so a loaded shared machine
 * inflates them less than wall time would; the e3nn reference is wall time on 2 threads.
 *
 * Backend: the engine's wasm backend with its graph kernels and, where `npm run build:native` built it, the native
 * OpenBLAS matMul (EQUIMOL_NATIVE=0 to leave it out); the backend is named on every figure.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../core/o3/irreps';
import { sphericalHarmonicsTensor } from '../core/o3/spherical-harmonics';
import { CpTensorProduct } from '../core/engine/layers/cp-tensor-product';
import { GauntTensorProduct } from '../core/engine/layers/gaunt-tensor-product';
import { So2Convolution } from '../core/engine/layers/so2-convolution';
import { TensorProduct } from '../core/engine/layers/tensor-product';
import { initParams } from '../core/engine/layers/params';
import type { BenchFigure, BenchOptions, BenchSuite } from './harness';

type Form = 'CG' | 'CP' | 'SO(2)' | 'Gaunt';
const forms: Form[] = ['CG', 'CP', 'SO(2)', 'Gaunt'];
const cpRanks: Record<number, number> = { 1: 12, 2: 40, 3: 72, 4: 125 };

/** The engine's wasm backend with its graph kernels and, where built, the native OpenBLAS matMul (the CLI's loader). */
async function selectBackend(): Promise<string> {
  const { initNodeBackend } = await import('../main/models/node-backend');
  return (await initNodeBackend('wasm')).description;
}

interface Layer {
  readonly weightNumel: number;
  run(x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D;
  readonly note?: string;
  dispose?(): void;
}

function buildLayer(form: Form, lmax: number, mul: number): Layer {
  const irreps = Irreps.parse(Array.from({ length: lmax + 1 }, (_, l) => `${mul}x${l}${l % 2 === 0 ? 'e' : 'o'}`).join('+'));
  const sh = Irreps.sphericalHarmonics(lmax);
  switch (form) {
    case 'CG': {
      const tp = TensorProduct.channelwise('cg', irreps, sh, (ir) => ir.l <= lmax);
      return { weightNumel: tp.weightNumel, run: (x, y, w) => tp.apply({}, x, y, w), note: `${tp.instructions.length} paths` };
    }
    case 'CP': {
      const tp = new CpTensorProduct('cp', { irrepsIn1: irreps, irrepsIn2: sh, irrepsOut: irreps, rank: cpRanks[lmax], alsIterations: lmax >= 3 ? 150 : 300 });
      return {
        weightNumel: tp.weightNumel,
        run: (x, y, w) => tp.apply(x, y, w),
        note: `rank ${tp.rank}, CP residual ${tp.relativeError.toExponential(1)}`,
      };
    }
    case 'SO(2)': {
      const conv = new So2Convolution('so2', { irrepsIn: irreps, irrepsOut: irreps });
      const params = initParams(conv.paramSpecs(), 1);
      return {
        weightNumel: conv.radialNumel,
        run: (x, _y, w, v) => conv.apply(params, x, v, w),
        note: 'incl. per-edge Wigner-D',
        dispose: () => tf.dispose(Object.values(params)),
      };
    }
    default: {
      const tp = new GauntTensorProduct('gaunt', { irrepsIn1: irreps, irrepsIn2: sh, irrepsOut: irreps });
      return { weightNumel: tp.weightNumel, run: (x, y, w) => tp.apply(x, y, w), note: `${tp.gridSize}-point grid` };
    }
  }
}

/**
 * Best of `repeats` timed runs after one warm-up. The warm-up runs `warmUp` (the same layer on 64 edges) so
 * constant caches and kernels are ready without paying a full-size run on a shared 2-core machine.
 */
async function timeMs(fn: () => tf.Tensor | tf.Tensor[], warmUp: () => tf.Tensor | tf.Tensor[], repeats: number): Promise<number> {
  const run = async (f: () => tf.Tensor | tf.Tensor[]) => {
    // Process CPU time, not wall time: tfjs-wasm runs single-threaded, and on a shared machine (load ≫ cores)
    // wall time mostly measures the other processes.
    const c0 = process.cpuUsage();
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  await run(warmUp);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) best = Math.min(best, await run(fn));
  return best;
}

/** Least-squares slope of log(time) against log(L). */
function fitExponent(ls: number[], times: number[]): number {
  const xs = ls.map(Math.log);
  const ys = times.map(Math.log);
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export const suite: BenchSuite = {
  name: 'tensor products (CG / CP / SO(2) / Gaunt)',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const backend = await selectBackend();
    const nEdges = options.quick ? 2000 : 20000;
    const mul = options.quick ? 8 : 32;
    const repeats = options.quick ? 2 : 1;
    // Peak memory grows with the number of paths: smaller chunks at high L keep tfjs-wasm under its heap limit.
    const chunkFor = (lmax: number) => (lmax >= 4 ? 1000 : lmax === 3 ? 2500 : 5000);
    // TP_BENCH_L=4 (comma list) limits the degrees, e.g. to re-run one L; exponents need all four.
    const ls = (globalThis.process?.env['TP_BENCH_L'] ?? '1,2,3,4').split(',').map(Number);
    const figures: BenchFigure[] = [];
    const times: Record<Form, { forward: number[]; backward: number[] }> = {
      CG: { forward: [], backward: [] },
      CP: { forward: [], backward: [] },
      'SO(2)': { forward: [], backward: [] },
      Gaunt: { forward: [], backward: [] },
    };
    options.log(`backend: ${backend}; ${nEdges} edges, ${mul} channels per irrep`);
    for (const lmax of ls) {
      const dim = mul * (lmax + 1) ** 2;
      const vectors = tf.randomNormal([nEdges, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
      const x = tf.randomNormal([nEdges, dim], 0, 1, 'float32', 2) as tf.Tensor2D;
      const y = sphericalHarmonicsTensor(lmax, vectors);
      for (const form of forms) {
        const t0 = performance.now();
        const layer = buildLayer(form, lmax, mul);
        const setupMs = performance.now() - t0;
        const w = tf.randomNormal([nEdges, layer.weightNumel], 0, 1, 'float32', 3) as tf.Tensor2D;
        let forward = NaN;
        let backward = NaN;
        const head = (t: tf.Tensor2D) => tf.slice(t, [0, 0], [64, t.shape[1]]);
        const forwardOf = (xx: tf.Tensor2D, yy: tf.Tensor2D, ww: tf.Tensor2D, vv: tf.Tensor2D) => () => tf.tidy(() => layer.run(xx, yy, ww, vv));
        const backwardOf = (xx: tf.Tensor2D, yy: tf.Tensor2D, ww: tf.Tensor2D, vv: tf.Tensor2D) => () =>
          tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(layer.run(a as tf.Tensor2D, yy, b as tf.Tensor2D, vv))))([xx, ww]));
        const small = [head(x), head(y), head(w), head(vectors)] as const;
        // tfjs-wasm's heap (≤ 2 GB) cannot hold 20k-edge L ≥ 3 backward passes at once: every form processes the
        // edges in chunks of `chunk` (same total work; CPU times are summed over chunks).
        const chunk = chunkFor(lmax);
        const chunks = Array.from({ length: Math.ceil(nEdges / chunk) }, (_, c) => {
          const size = Math.min(chunk, nEdges - c * chunk);
          const part = (t: tf.Tensor2D) => tf.slice(t, [c * chunk, 0], [size, t.shape[1]]);
          return [part(x), part(y), part(w), part(vectors)] as const;
        });
        type Runner = (xx: tf.Tensor2D, yy: tf.Tensor2D, ww: tf.Tensor2D, vv: tf.Tensor2D) => () => tf.Tensor | tf.Tensor[];
        const overChunks = async (make: Runner) => {
          let total = 0;
          for (const c of chunks) total += await timeMs(make(...c), make(...small), repeats);
          return total;
        };
        try {
          forward = await overChunks(forwardOf);
          backward = await overChunks(backwardOf);
        } catch (error) {
          options.log(`${form} L=${lmax}: ${error instanceof Error ? error.message : String(error)}`);
        }
        times[form].forward.push(forward);
        times[form].backward.push(backward);
        options.log(`${form} L=${lmax}: forward ${forward.toFixed(1)} ms, fwd+bwd ${backward.toFixed(1)} ms (${layer.note ?? ''}, setup ${setupMs.toFixed(0)} ms)`);
        const cg = times.CG;
        const idx = ls.indexOf(lmax);
        const note = `${nEdges} edges, ${mul}x per irrep, L=${lmax}; ${layer.note ?? ''}`;
        figures.push({
          name: `${form} TP forward, L=${lmax}`,
          value: forward,
          unit: 'CPU ms',
          backend,
          better: 'lower',
          baseline: form === 'CG' ? undefined : { name: `CG uvu TP forward, L=${lmax}`, value: cg.forward[idx]! },
          note: form === 'CG' && lmax === 2 && !options.quick ? `${note}; e3nn (PyTorch, 2 threads): 151 ms` : note,
        });
        figures.push({
          name: `${form} TP forward+backward, L=${lmax}`,
          value: backward,
          unit: 'CPU ms',
          backend,
          better: 'lower',
          baseline: form === 'CG' ? undefined : { name: `CG uvu TP forward+backward, L=${lmax}`, value: cg.backward[idx]! },
          note: form === 'CG' && lmax === 2 && !options.quick ? `${note}; e3nn (PyTorch, 2 threads): 1,010 ms` : note,
        });
        tf.dispose([w, ...small, ...chunks.flat()]);
        layer.dispose?.();
      }
      tf.dispose([vectors, x, y]);
    }
    for (const form of forms) {
      for (const pass of ['forward', 'backward'] as const) {
        const t = times[form][pass];
        if (t.length < 2 || t.some((v) => !Number.isFinite(v))) continue;
        figures.push({
          name: `${form} TP ${pass === 'forward' ? 'forward' : 'forward+backward'} time exponent k (time ∝ L^k, L=1..4)`,
          value: fitExponent(ls, t),
          unit: '',
          backend,
          better: 'lower',
          note: form === 'CG' ? 'paper: O(L^6)' : form === 'CP' ? 'paper: O(L^4)' : form === 'SO(2)' ? 'paper: O(L^3)' : 'paper: O(L^3) with 2D FFT; grid here O(L^4)',
        });
      }
    }
    return figures;
  },
};
