/**
 * Issue 16's "fraction of the machine's sgemm rate achieved by the hottest kernels": the fused native kernels
 * (main/native/src/cg-scatter.cc, channel-product.cc) called directly on typed arrays, at the sizes of the issue's
 * workload (the shipped ethanol MACE, 64 channels, hidden L ≤ 1, spherical harmonics L ≤ 3, on the first 100 H/C/O
 * QM9 molecules: 1,113 atoms, 11,826 edges at 5 Å), against OpenBLAS sgemm measured in the same run on the same
 * threads: a 1024³ product (the machine's sgemm rate) as each figure's baseline.
 *
 * FLOPs are counted as the kernels execute them (a multiply or an add is one):
 *   - cgScatter forward (role 3) and sender gradient (role 0): per edge and path, the coupling matrix
 *     M = Σ_j C[i,j,k] y_j (2 per non-zero Wigner-3j entry) and per channel the [d1]·[d1,d3] contraction, the weight
 *     and the accumulation (mul · d3 · (2·d1 + 2));
 *   - channelProduct forward: per node, path, non-zero entry and channel, v·w·x·y and the accumulation (4).
 * Inputs are seeded random values (the rate does not depend on them); src/dst are the workload's real edges.
 */
import { join } from 'node:path';
import type { BenchFigure, BenchSuite } from './harness';
import type { NativeKernels } from '../core/engine/backend/native-kernels';
import { hasCgScatter, type NativeCgScatter } from '../core/engine/backend/native-cg-scatter';
import { hasChannelProduct, type NativeChannelProduct } from '../core/engine/backend/native-channel-product';
import type { FusedKernelPlan } from '../core/engine/backend/wasm-heap-kernel';
import { buildHostGraph } from '../core/engine/geometry/batch';
import { cgScatterPlan } from '../core/engine/layers/fused-cg-scatter';
import { channelProductPlan } from '../core/engine/layers/fused-channel-product';
import { ElementwiseTensorProduct } from '../core/engine/layers/product-basis';
import { TensorProduct } from '../core/engine/layers/tensor-product';
import { loadNativeKernels } from '../main/native/load-native-kernels';
import { firstMoleculesOf } from './engine-pytorch.bench';
import { medianMs } from './engine.bench';

const CHANNELS = 64;
const SH = '1x0e+1x1o+1x2e+1x3o';
const SGEMM_SIZE = 1024;

/** A seeded uniform(−1, 1) array. */
function seededArray(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

/** Per-path rows of a plan: (off1, d1, off2, d2, offOut, d3, woff, mul, coefStart, coefCount). */
function pathsOf(plan: FusedKernelPlan): Array<{ d1: number; d3: number; mul: number; nnz: number }> {
  const rows = [];
  for (let p = 0; p < plan.paths.length; p += 10) rows.push({ d1: plan.paths[p + 1]!, d3: plan.paths[p + 5]!, mul: plan.paths[p + 7]!, nnz: plan.paths[p + 9]! });
  return rows;
}

/** FLOPs of one cgScatter role-3 or role-0 call over `nEdges` edges (see the header). */
export function cgScatterFlops(plan: FusedKernelPlan, nEdges: number): number {
  return nEdges * pathsOf(plan).reduce((sum, p) => sum + 2 * p.nnz + p.mul * p.d3 * (2 * p.d1 + 2), 0);
}

/** FLOPs of one channelProduct forward over `nNodes` nodes (see the header). */
export function channelProductFlops(plan: FusedKernelPlan, nNodes: number): number {
  return nNodes * pathsOf(plan).reduce((sum, p) => sum + 4 * p.nnz * p.mul, 0);
}

/** One OpenBLAS sgemm of two seeded SGEMM_SIZE² matrices (on however many threads `native` is set to), and its FLOPs. */
export function sgemmProduct(native: NativeKernels): { readonly size: number; readonly flops: number; run(): void } {
  const n = SGEMM_SIZE;
  const a = seededArray(n * n, 1), b = seededArray(n * n, 2), out = new Float32Array(n * n);
  return { size: n, flops: 2 * n * n * n, run: () => native.sgemm(a, b, out, 1, n, n, n, false, false, 0, 0) };
}

function sgemmGflops(native: NativeKernels, repeats: number): number {
  const product = sgemmProduct(native);
  return product.flops / (medianMs(product.run, repeats) * 1e6);
}

export const suite: BenchSuite = {
  name: 'fused kernels against sgemm (issue 16)',
  async run(options) {
    const native = await loadNativeKernels();
    if (!native || !hasCgScatter(native) || !hasChannelProduct(native) || !native.setKernelThreads) {
      options.log('kernel efficiency: the native addon with the fused kernels is not built (npm run build:native): skipped');
      return [];
    }
    const kernels = native as NativeKernels & NativeCgScatter & NativeChannelProduct;
    const molecules = await firstMoleculesOf(join(options.datasetsDir, 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz'), ['H', 'C', 'O'], options.quick ? 20 : 100);
    const graph = buildHostGraph(molecules, { cutoff: 5, species: [1, 6, 8] });
    const nNodes = graph.numbers.length, nEdges = graph.edgeSrc.length;
    options.log(`kernel efficiency: ${molecules.length} molecules, ${nNodes} atoms, ${nEdges} edges`);
    const repeats = options.quick ? 3 : 9;
    // The second interaction's message (its node features carry L = 0 and 1) and the product basis's step.
    const message = TensorProduct.channelwise('bench/tp', `${CHANNELS}x0e+${CHANNELS}x1o`, SH, (ir) => ir.l <= 1 && ir.p === (ir.l % 2 === 0 ? 1 : -1));
    const messagePlan = cgScatterPlan(message)!;
    const productPlan = channelProductPlan(new ElementwiseTensorProduct('bench/product', CHANNELS, 1, 1));
    const m = messagePlan, q = productPlan;
    const x = seededArray(nNodes * m.dim1, 3), y = seededArray(nEdges * m.dim2, 4), w = seededArray(nEdges * m.dimW, 5), g = seededArray(nNodes * m.dimOut, 6);
    const px = seededArray(nNodes * q.dim1, 7), py = seededArray(nNodes * q.dim2, 8), pw = seededArray(q.dimW, 9);
    const none = new Float32Array(0);
    const messageSizes = Int32Array.of(nNodes, nEdges, m.dim1, m.dim2, m.dimW, m.dimOut);
    const productSizes = Int32Array.of(nNodes, q.dim1, q.dim2, q.dimW, q.dimOut);
    const calls: Array<{ label: string; flops: number; run: (threads: number) => void }> = [
      {
        label: `cgScatter forward (message + scatter, ${m.dim1} → ${m.dimOut} columns, ${nEdges} edges)`,
        flops: cgScatterFlops(m, nEdges),
        run: (t) => kernels.cgScatter(3, x, y, w, none, graph.edgeSrc, graph.edgeDst, new Float32Array(nNodes * m.dimOut), messageSizes, m.paths, m.coefIndex, m.coefValue, t),
      },
      {
        label: `cgScatter sender gradient (forces' first backward, ${nEdges} edges)`,
        flops: cgScatterFlops(m, nEdges),
        run: (t) => kernels.cgScatter(0, none, y, w, g, graph.edgeSrc, graph.edgeDst, new Float32Array(nNodes * m.dim1), messageSizes, m.paths, m.coefIndex, m.coefValue, t),
      },
      {
        label: `channelProduct forward (product basis step, ${q.dim1} columns, ${nNodes} atoms)`,
        flops: channelProductFlops(q, nNodes),
        run: (t) => kernels.channelProduct(3, px, py, pw, none, new Float32Array(nNodes * q.dimOut), productSizes, q.paths, q.coefIndex, q.coefValue, t),
      },
    ];
    const figures: BenchFigure[] = [];
    const blasThreads = native.threads();
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      native.setKernelThreads(threads);
      const sgemm = sgemmGflops(native, repeats);
      options.log(`sgemm ${SGEMM_SIZE}³, ${threads} thread(s): ${sgemm.toFixed(1)} GFLOP/s`);
      for (const call of calls) {
        const ms = medianMs(() => call.run(threads), repeats);
        const gflops = call.flops / (ms * 1e6);
        figures.push({
          name: `${call.label}: FLOP rate, ${threads} thread${threads > 1 ? 's' : ''}`,
          value: gflops, unit: 'GFLOP/s', better: 'higher', backend: `native addon (${native.blas ?? 'BLAS'}), ${threads} thread(s)`,
          baseline: { name: `OpenBLAS sgemm ${SGEMM_SIZE}³, ${threads} thread(s), same run`, value: sgemm },
          note: `${(call.flops / 1e6).toFixed(1)} MFLOP a call in ${ms.toFixed(2)} ms: ${((100 * gflops) / sgemm).toFixed(1)} % of the sgemm rate`,
        });
      }
    }
    native.setThreads(blasThreads);
    native.setKernelThreads(1);
    return figures;
  },
};
