/**
 * SO(2) convolution in edge-aligned frames (eSCN: Passaro & Zitnick 2023, "Reducing SO(3) Convolutions to
 * SO(2) for Efficient Equivariant GNNs", §3, eqs. 6–9).
 *
 * For each edge, rotate the sender's features so the edge points along the polar axis (e3nn's y axis), where
 * the edge's spherical harmonics are non-zero only at m = 0. A tensor product with Y(r̂) then only couples
 * components of equal |m|, so it becomes an SO(2) linear map per m (eq. 8):
 *
 *   m = 0:  y_0 = W_0 x_0
 *   m > 0:  [y_{+m}; y_{-m}] = [[W_{1,m}, −W_{2,m}], [W_{2,m}, W_{1,m}]] [x_{+m}; x_{-m}]
 *
 * with W mixing all (channel, l ≥ m) pairs; then rotate back with D(R_e)ᵀ. Cost per edge O(L³) instead of
 * the O(L⁶) of the Clebsch–Gordan product.
 *
 * Parity: in the aligned frame, paths with l1+l2+l3 even couple x_{±m} to y_{±m} (W_1), odd paths couple
 * x_{±m} to y_{∓m} (W_2). With `parity: true` (default) only W_0 and W_1 are kept, so features of parity
 * (-1)^l ("0e+1o+2e+…") stay O(3)-equivariant including inversion; `parity: false` keeps W_2 as well (eSCN's
 * full SO(3) layer, equivariant under rotations only).
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import { wignerDTensors } from '../../o3/rotation';
import type { ParamRecord, ParamSpec } from './params';
import { param } from './params';

export interface So2ConvolutionConfig {
  /** Single multiplicity, all degrees 0..L with parity (-1)^l, e.g. '32x0e+32x1o+32x2e'. */
  readonly irrepsIn: Irreps | string;
  /** Same form; may have another multiplicity and lmax. */
  readonly irrepsOut: Irreps | string;
  readonly parity?: boolean;
}

/** Fixed helper direction for building edge frames (not parallel to any lattice axis). */
const HELPER = [0.5773502691896258 * 0.6, 0.5773502691896258 * 1.1, 0.5773502691896258 * 1.3];

/**
 * Proper rotations R_e with R_e r̂_e = ŷ (rows: a, r̂, a × r̂; a ∝ h × r̂ for a fixed helper h).
 * The roll about the edge is arbitrary: SO(2)-equivariant maps do not depend on it.
 * @param vectors [nEdges, 3] -> [nEdges, 3, 3]
 */
export function edgeAlignedFrames(vectors: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const n = vectors.shape[0];
    const unit = tf.div(vectors, tf.sqrt(tf.sum(tf.square(vectors), 1, true))); // [n, 3]
    const [x, y, z] = tf.split(unit, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hx, hy, hz] = HELPER as [number, number, number];
    // a = h × r̂
    const ax = tf.sub(tf.mul(hy, z), tf.mul(hz, y));
    const ay = tf.sub(tf.mul(hz, x), tf.mul(hx, z));
    const az = tf.sub(tf.mul(hx, y), tf.mul(hy, x));
    let a = tf.concat([ax, ay, az], 1);
    a = tf.div(a, tf.sqrt(tf.sum(tf.square(a), 1, true)));
    const [bx, by, bz] = tf.split(a, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    // c = a × r̂
    const c = tf.concat([tf.sub(tf.mul(by, z), tf.mul(bz, y)), tf.sub(tf.mul(bz, x), tf.mul(bx, z)), tf.sub(tf.mul(bx, y), tf.mul(by, x))], 1);
    return tf.reshape(tf.concat([a, unit, c], 1), [n, 3, 3]) as tf.Tensor3D;
  });
}

function checkPolarIrreps(name: string, irreps: Irreps): { mul: number; lmax: number } {
  const muls = new Set(irreps.items.map((x) => x.mul));
  if (muls.size !== 1) throw new Error(`${name}: needs one multiplicity for all degrees, got ${irreps}`);
  irreps.items.forEach(({ ir }, i) => {
    if (ir.l !== i || ir.p !== (i % 2 === 0 ? 1 : -1)) throw new Error(`${name}: needs degrees 0..L in order with parity (-1)^l, got ${irreps}`);
  });
  return { mul: [...muls][0]!, lmax: irreps.lmax };
}

export class So2Convolution {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly parity: boolean;
  private readonly mulIn: number;
  private readonly mulOut: number;
  private readonly lIn: number;
  private readonly lOut: number;
  /** Orders m with both input and output components. */
  private readonly mmax: number;

  constructor(readonly name: string, config: So2ConvolutionConfig) {
    this.irrepsIn = Irreps.of(config.irrepsIn);
    this.irrepsOut = Irreps.of(config.irrepsOut);
    this.parity = config.parity ?? true;
    ({ mul: this.mulIn, lmax: this.lIn } = checkPolarIrreps(name, this.irrepsIn));
    ({ mul: this.mulOut, lmax: this.lOut } = checkPolarIrreps(name, this.irrepsOut));
    this.mmax = Math.min(this.lIn, this.lOut);
  }

  /** Per-edge radial weights expected by `apply`: one per input channel and degree, [n, mulIn * (LIn+1)]. */
  get radialNumel(): number {
    return this.mulIn * (this.lIn + 1);
  }

  paramSpecs(): ParamSpec[] {
    const specs: ParamSpec[] = [];
    for (let m = 0; m <= this.mmax; m++) {
      const fanIn = this.mulIn * (this.lIn + 1 - m);
      const fanOut = this.mulOut * (this.lOut + 1 - m);
      specs.push({ name: `${this.name}/w1_m${m}`, shape: [fanIn, fanOut], init: { kind: 'normal', std: 1 } });
      if (m > 0 && !this.parity) specs.push({ name: `${this.name}/w2_m${m}`, shape: [fanIn, fanOut], init: { kind: 'normal', std: 1 } });
    }
    return specs;
  }

  /**
   * @param x [nEdges, irrepsIn.dim] sender features per edge
   * @param vectors [nEdges, 3] edge vectors (Å)
   * @param radial [nEdges, radialNumel] per-edge weights (radial MLP output)
   * @returns [nEdges, irrepsOut.dim]
   *
   * Data movement: the features stay in per-degree blocks [n·mul, 2l+1] throughout. The components of order ±m are
   * picked from (and put back into) the blocks by products with constant 0/1 selection matrices, whose gradients are
   * products too: no gathers along the component axis, concats, pads or scatters on [nEdges, ·] tensors. Picking by
   * a 0/1 product is exact (x·1 plus zeros), so the result is the composition's to the last bit.
   */
  apply(params: ParamRecord, x: tf.Tensor2D, vectors: tf.Tensor2D, radial: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const lmax = Math.max(this.lIn, this.lOut);
      const frames = edgeAlignedFrames(vectors); // [n, 3, 3]
      const ds = wignerDTensors(lmax, frames); // D^l [n, 2l+1, 2l+1]
      // Per-degree blocks (one split each: its gradient is one concat, not a pad per slice).
      const xs = this.lIn === 0 ? [x] : tf.split(x, this.irrepsIn.items.map(({ ir }) => this.mulIn * ir.dim), 1); // [n, mulIn·(2l+1)] per l
      const w = tf.reshape(radial, [n, this.mulIn, this.lIn + 1]); // [n, mulIn, LIn+1]
      const ws = this.lIn === 0 ? [w] : tf.split(w, this.lIn + 1, 2); // [n, mulIn, 1] per l
      // Rotate into the edge frame (x'_l = D^l x_l, rows: x_l @ D^lᵀ) and modulate per (channel, l).
      const blocks: tf.Tensor2D[] = []; // per l: [n·mulIn, 2l+1]
      for (let l = 0; l <= this.lIn; l++) {
        const xl = tf.reshape(xs[l]!, [n, this.mulIn, 2 * l + 1]); // [n, mulIn, 2l+1]
        const rotated = l === 0 ? xl : tf.matMul(xl, ds[l]!, false, true);
        blocks.push(tf.reshape(tf.mul(rotated, ws[l]!), [n * this.mulIn, 2 * l + 1]));
      }
      // The order-m components of l = |m|..LIn, [n, mulIn·(LIn+1−|m|)] (index channel, then l).
      const take = (m: number) => {
        const k = this.lIn + 1 - Math.abs(m);
        const parts = blocks.slice(Math.abs(m)).map((b, i) => tf.matMul(b, selection(2 * (i + Math.abs(m)) + 1, k, i + Math.abs(m) + m, i)));
        return tf.reshape(parts.length === 1 ? parts[0]! : tf.addN(parts), [n, this.mulIn * k]);
      };
      // SO(2) linear maps per order m; each output order's pieces [n·mulOut, LOut+1−|m|] by m.
      const outputs = new Map<number, tf.Tensor2D>();
      for (let m = 0; m <= this.mmax; m++) {
        const fanIn = this.mulIn * (this.lIn + 1 - m) * (m > 0 && !this.parity ? 2 : 1);
        const scale = 1 / Math.sqrt(fanIn);
        const kOut = this.lOut + 1 - m;
        const w1 = param(params, `${this.name}/w1_m${m}`) as tf.Tensor2D;
        const rows = (y: tf.Tensor) => tf.reshape(tf.mul(y, scale), [n * this.mulOut, kOut]) as tf.Tensor2D;
        if (m === 0) {
          outputs.set(0, rows(tf.matMul(take(0), w1)));
          continue;
        }
        const xp = take(m);
        const xm = take(-m);
        let yp = tf.matMul(xp, w1);
        let ym = tf.matMul(xm, w1);
        if (!this.parity) {
          const w2 = param(params, `${this.name}/w2_m${m}`) as tf.Tensor2D;
          yp = tf.sub(yp, tf.matMul(xm, w2));
          ym = tf.add(ym, tf.matMul(xp, w2));
        }
        outputs.set(m, rows(yp));
        outputs.set(-m, rows(ym));
      }
      // Put the orders back into per-degree blocks (components with |m| > mmax, when LOut > LIn, stay zero) and
      // rotate back: y_l = D^lᵀ y'_l (rows: y'_l @ D^l).
      const back: tf.Tensor2D[] = [];
      for (let l = 0; l <= this.lOut; l++) {
        const parts: tf.Tensor[] = [];
        for (let m = -Math.min(l, this.mmax); m <= Math.min(l, this.mmax); m++) {
          parts.push(tf.matMul(outputs.get(m)!, selection(this.lOut + 1 - Math.abs(m), 2 * l + 1, l - Math.abs(m), l + m))); // [n·mulOut, 2l+1]
        }
        const yl = tf.reshape(parts.length === 1 ? parts[0]! : tf.addN(parts), [n, this.mulOut, 2 * l + 1]);
        const rotatedBack = l === 0 ? yl : tf.matMul(yl, ds[l]!);
        back.push(tf.reshape(rotatedBack, [n, this.mulOut * (2 * l + 1)]) as tf.Tensor2D);
      }
      return back.length === 1 ? back[0]! : (tf.concat(back, 1) as tf.Tensor2D); // e3nn layout, block by block
    });
  }
}

/** The constant 0/1 matrix [rows, cols] with a single 1 at (row, col): a product with it moves one column. */
function selection(rows: number, cols: number, row: number, col: number): tf.Tensor2D {
  const data = new Float32Array(rows * cols);
  data[row * cols + col] = 1;
  return tf.tensor2d(data, [rows, cols]);
}
