/**
 * CP-decomposed tensor product (Tensor Decomposition Networks, TDN: Lin et al. 2025, "Tensor Decomposition
 * Networks for Fast Machine Learning Interatomic Potential Computations", §3, eqs. 5–7).
 *
 * The whole coupling tensor of a channelwise product x ⊗ Y(r̂) → z, over the concatenated irrep indices
 * I ∈ irreps1, J ∈ irreps2 (one copy each), K ∈ irrepsOut (one copy each),
 *
 *   T[I, J, K] = Σ_{paths (l1,l2)→l3} α_path C^{l1 l2 l3}[i, j, k],
 *
 * is factorised once, at construction, into rank R: T ≈ Σ_r A[I, r] B[J, r] Cf[K, r] (alternating least
 * squares, seeded). The product then costs O(R·dim) per channel instead of Σ_paths d1·d2·d3:
 *
 *   z[u, K] = w[u, block(K)] · Σ_r Cf[K, r] (Σ_I A[I, r] x[u, I]) (Σ_J B[J, r] y[J])
 *
 * with path-weight sharing: one learnable (per-edge) weight per channel and output irrep instead of per path.
 * Equivariance is exact up to the decomposition residual, reported as `relativeError`.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import { wigner3j } from '../../o3/wigner-3j';
import { seededRandom } from '../../util/seeded-random';

interface CpFactors {
  readonly a: Float64Array; // [n1, R]
  readonly b: Float64Array; // [n2, R]
  readonly c: Float64Array; // [n3, R]
  readonly relativeError: number;
}

/** Solves G X = Rhsᵀ for symmetric positive (semi)definite G [R, R] with a small ridge; rhs [n, R] → X [n, R]. */
function solveNormalEquations(g: Float64Array, rhs: Float64Array, r: number, n: number): Float64Array {
  const m = Float64Array.from(g);
  let trace = 0;
  for (let i = 0; i < r; i++) trace += m[i * r + i]!;
  for (let i = 0; i < r; i++) m[i * r + i] += 1e-12 * (trace / r) + 1e-300;
  // Cholesky
  const l = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j <= i; j++) {
      let s = m[i * r + j]!;
      for (let k = 0; k < j; k++) s -= l[i * r + k]! * l[j * r + k]!;
      l[i * r + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * r + j]!;
    }
  const out = new Float64Array(n * r);
  const tmp = new Float64Array(r);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < r; i++) {
      let s = rhs[row * r + i]!;
      for (let k = 0; k < i; k++) s -= l[i * r + k]! * tmp[k]!;
      tmp[i] = s / l[i * r + i]!;
    }
    for (let i = r - 1; i >= 0; i--) {
      let s = tmp[i]!;
      for (let k = i + 1; k < r; k++) s -= l[k * r + i]! * out[row * r + k]!;
      out[row * r + i] = s / l[i * r + i]!;
    }
  }
  return out;
}

/** CP decomposition of a dense tensor [n1, n2, n3] by ALS (Kolda & Bader 2009, §3.4). */
export function cpDecompose(t: Float64Array, dims: readonly [number, number, number], rank: number, iterations: number, seed: number): CpFactors {
  const [n1, n2, n3] = dims;
  const random = seededRandom(seed);
  const init = (n: number) => Float64Array.from({ length: n * rank }, () => random() * 2 - 1);
  const f: Float64Array[] = [init(n1), init(n2), init(n3)];
  const sizes = [n1, n2, n3];
  const at = (i: number, j: number, k: number) => t[(i * n2 + j) * n3 + k]!;
  const gram = (x: Float64Array, n: number) => {
    const g = new Float64Array(rank * rank);
    for (let p = 0; p < n; p++) for (let a = 0; a < rank; a++) for (let b = 0; b < rank; b++) g[a * rank + b] += x[p * rank + a]! * x[p * rank + b]!;
    return g;
  };
  let norm = 0;
  for (const v of t) norm += v * v;
  norm = Math.sqrt(norm);
  let relativeError = 1;
  for (let it = 0; it < iterations; it++) {
    for (let mode = 0; mode < 3; mode++) {
      const [o1, o2] = [0, 1, 2].filter((m) => m !== mode) as [number, number];
      const g1 = gram(f[o1]!, sizes[o1]!);
      const g2 = gram(f[o2]!, sizes[o2]!);
      const g = g1.map((v, i) => v * g2[i]!);
      const n = sizes[mode]!;
      const rhs = new Float64Array(n * rank);
      for (let i = 0; i < n1; i++)
        for (let j = 0; j < n2; j++)
          for (let k = 0; k < n3; k++) {
            const v = at(i, j, k);
            if (v === 0) continue;
            const idx = [i, j, k];
            const p = idx[mode]!;
            const x1 = f[o1]!;
            const x2 = f[o2]!;
            const q1 = idx[o1]! * rank;
            const q2 = idx[o2]! * rank;
            for (let r = 0; r < rank; r++) rhs[p * rank + r] += v * x1[q1 + r]! * x2[q2 + r]!;
          }
      f[mode] = solveNormalEquations(g, rhs, rank, n);
    }
    if (it === iterations - 1 || it % 25 === 24) {
      let err = 0;
      for (let i = 0; i < n1; i++)
        for (let j = 0; j < n2; j++)
          for (let k = 0; k < n3; k++) {
            let s = 0;
            for (let r = 0; r < rank; r++) s += f[0]![i * rank + r]! * f[1]![j * rank + r]! * f[2]![k * rank + r]!;
            err += (s - at(i, j, k)) ** 2;
          }
      relativeError = Math.sqrt(err) / norm;
      if (relativeError < 1e-7) break;
    }
  }
  return { a: f[0]!, b: f[1]!, c: f[2]!, relativeError };
}

const factorCache = new Map<string, CpFactors>();

export interface CpTensorProductConfig {
  /** Node features with one multiplicity for all irreps, e.g. '32x0e+32x1o+32x2e'. */
  readonly irrepsIn1: Irreps | string;
  /** Edge attributes, multiplicity 1, e.g. spherical harmonics '1x0e+1x1o+1x2e'. */
  readonly irrepsIn2: Irreps | string;
  /** Output irreps (one multiplicity, = mul of irrepsIn1), e.g. '32x0e+32x1o+32x2e'. */
  readonly irrepsOut: Irreps | string;
  /** CP rank R (default 2·dim(out)). */
  readonly rank?: number;
  readonly alsIterations?: number;
  readonly seed?: number;
}

export class CpTensorProduct {
  readonly irrepsIn1: Irreps;
  readonly irrepsIn2: Irreps;
  readonly irrepsOut: Irreps;
  readonly mul: number;
  readonly rank: number;
  /** ‖T − CP(T)‖_F / ‖T‖_F of the factorisation. */
  readonly relativeError: number;
  /** Per-call weights [n, mul * nOutIrreps] (one per channel and output irrep: path-weight sharing). */
  readonly weightNumel: number;
  private readonly factors: CpFactors;
  /** Dimensions of one copy of irrepsIn1, irrepsIn2 and irrepsOut: the coupling tensor's [n1, n2, n3]. */
  readonly dims: [number, number, number];

  constructor(readonly name: string, config: CpTensorProductConfig) {
    this.irrepsIn1 = Irreps.of(config.irrepsIn1);
    this.irrepsIn2 = Irreps.of(config.irrepsIn2);
    this.irrepsOut = Irreps.of(config.irrepsOut);
    const muls = new Set([...this.irrepsIn1.items, ...this.irrepsOut.items].map((x) => x.mul));
    if (muls.size !== 1) throw new Error(`${name}: CP product needs one multiplicity for irrepsIn1 and irrepsOut`);
    for (const { mul } of this.irrepsIn2.items) if (mul !== 1) throw new Error(`${name}: irrepsIn2 must have multiplicity 1`);
    this.mul = [...muls][0]!;
    const one1 = new Irreps(this.irrepsIn1.items.map(({ ir }) => ({ mul: 1, ir })));
    const one2 = this.irrepsIn2;
    const oneOut = new Irreps(this.irrepsOut.items.map(({ ir }) => ({ mul: 1, ir })));
    this.dims = [one1.dim, one2.dim, oneOut.dim];
    this.rank = config.rank ?? 2 * oneOut.dim;
    const key = `${one1}|${one2}|${oneOut}|${this.rank}|${config.alsIterations ?? 300}|${config.seed ?? 1}`;
    let factors = factorCache.get(key);
    if (!factors) {
      const t = couplingTensor(one1, one2, oneOut);
      factors = cpDecompose(t, this.dims, this.rank, config.alsIterations ?? 300, config.seed ?? 1);
      factorCache.set(key, factors);
    }
    this.factors = factors;
    this.relativeError = factors.relativeError;
    this.weightNumel = this.mul * this.irrepsOut.length;
  }

  /**
   * The coupling this product applies, Σ_r A[I, r] B[J, r] Cf[K, r] [n1, n2, n3] (index (I·n2 + J)·n3 + K), from the
   * float32 factors `apply` uses: the CP product equals a channelwise product with this tensor (fused-cp-scatter.ts).
   */
  factorisedCoupling(): Float64Array {
    const [n1, n2, n3] = this.dims;
    const rank = this.rank;
    const [a, b, c] = [this.factors.a, this.factors.b, this.factors.c].map((f) => Float32Array.from(f));
    const t = new Float64Array(n1 * n2 * n3);
    for (let i = 0; i < n1; i++)
      for (let j = 0; j < n2; j++)
        for (let k = 0; k < n3; k++) {
          let s = 0;
          for (let r = 0; r < rank; r++) s += a![i * rank + r]! * b![j * rank + r]! * c![k * rank + r]!;
          t[(i * n2 + j) * n3 + k] = s;
        }
    return t;
  }

  /**
   * @param x1 [n, irrepsIn1.dim]; @param x2 [n, irrepsIn2.dim]; @param weights [n, weightNumel]
   * @returns [n, irrepsOut.dim]
   */
  apply(x1: tf.Tensor2D, x2: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x1.shape[0];
      const [n1, n2, n3] = this.dims;
      const mul = this.mul;
      const a = tf.tensor2d(Float32Array.from(this.factors.a), [n1, this.rank]);
      const b = tf.tensor2d(Float32Array.from(this.factors.b), [n2, this.rank]);
      const cT = tf.transpose(tf.tensor2d(Float32Array.from(this.factors.c), [n3, this.rank])); // [R, n3]
      const x = toChannelMajor(x1, this.irrepsIn1, n, mul); // [n, mul, n1]
      const xa = tf.reshape(tf.matMul(tf.reshape(x, [n * mul, n1]), a), [n, mul, this.rank]); // [n, mul, R]
      const yb = tf.reshape(tf.matMul(x2, b), [n, 1, this.rank]); // [n, 1, R]
      const z = tf.reshape(tf.matMul(tf.reshape(tf.mul(xa, yb), [n * mul, this.rank]), cT), [n, mul, n3]); // [n, mul, n3]
      // Per (channel, output irrep) weights broadcast over the irrep's 2l+1 components.
      const nOut = this.irrepsOut.length;
      const repeats = this.irrepsOut.items.map(({ ir }) => ir.dim);
      const w = tf.reshape(weights, [n, mul, nOut]);
      const wExpanded = nOut === 1 ? tf.tile(w, [1, 1, repeats[0]!]) : tf.concat(repeats.map((d, i) => tf.tile(tf.slice(w, [0, 0, i], [n, mul, 1]), [1, 1, d])), 2);
      return fromChannelMajor(tf.mul(z, wExpanded), this.irrepsOut, n, mul);
    });
  }
}

/** T[I, J, K] = Σ_paths α C^{l1 l2 l3} over one copy of each irrep; α = √((2l3+1)/#paths into l3) as 'uvu' normalisation. */
export function couplingTensor(irreps1: Irreps, irreps2: Irreps, irrepsOut: Irreps): Float64Array {
  const [n1, n2, n3] = [irreps1.dim, irreps2.dim, irrepsOut.dim];
  const t = new Float64Array(n1 * n2 * n3);
  const o1 = irreps1.offsets;
  const o2 = irreps2.offsets;
  const o3 = irrepsOut.offsets;
  irrepsOut.items.forEach(({ ir: ir3 }, k3) => {
    const paths: [number, number][] = [];
    irreps1.items.forEach(({ ir: ir1 }, k1) =>
      irreps2.items.forEach(({ ir: ir2 }, k2) => {
        if (ir1.times(ir2).some((ir) => ir.equals(ir3))) paths.push([k1, k2]);
      }),
    );
    const alpha = paths.length > 0 ? Math.sqrt(ir3.dim / paths.length) : 0;
    for (const [k1, k2] of paths) {
      const ir1 = irreps1.items[k1]!.ir;
      const ir2 = irreps2.items[k2]!.ir;
      const c = wigner3j(ir1.l, ir2.l, ir3.l);
      const [d1, d2, d3] = [ir1.dim, ir2.dim, ir3.dim];
      for (let i = 0; i < d1; i++)
        for (let j = 0; j < d2; j++)
          for (let k = 0; k < d3; k++) t[((o1[k1]! + i) * n2 + o2[k2]! + j) * n3 + o3[k3]! + k] += alpha * c[(i * d2 + j) * d3 + k]!;
    }
  });
  return t;
}

/** [n, Σ mul·d] (e3nn layout, block by block) -> [n, mul, Σ d] (channel-major), for single-multiplicity irreps. */
export function toChannelMajor(x: tf.Tensor2D, irreps: Irreps, n: number, mul: number): tf.Tensor3D {
  const offsets = irreps.offsets;
  const blocks = irreps.items.map(({ ir }, i) => tf.reshape(tf.slice(x, [0, offsets[i]!], [n, mul * ir.dim]), [n, mul, ir.dim]));
  return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 2)) as tf.Tensor3D;
}

/** Inverse of toChannelMajor: [n, mul, Σ d] -> [n, Σ mul·d]. */
export function fromChannelMajor(z: tf.Tensor, irreps: Irreps, n: number, mul: number): tf.Tensor2D {
  let offset = 0;
  const blocks = irreps.items.map(({ ir }) => {
    const b = tf.reshape(tf.slice(z, [0, 0, offset], [n, mul, ir.dim]), [n, mul * ir.dim]);
    offset += ir.dim;
    return b;
  });
  return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 1)) as tf.Tensor2D;
}
