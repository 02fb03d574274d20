/**
 * MACE product basis (Batatia et al. 2022, "MACE: Higher Order Equivariant Message Passing Neural Networks",
 * eqs. 10–11): from the atomic basis A_{i,c,lm} (aggregated messages) build equivariant products of ν copies of
 * A on the same channel c, up to correlation order ν_max (body order ν_max + 1), and mix them linearly:
 *
 *   B^{(1)} = A,   B^{(ν)}_{c,l3} = Σ_{paths (l1,l2)→l3} w^{(ν)}_{c,path} (B^{(ν-1)}_{c,l1} ⊗_CG A_{c,l2})_{l3}
 *   m_i = Σ_ν Linear_ν(B^{(ν)})
 *
 * This is the "repeated tensor product" form of MACE's symmetric contraction: the same span of products, with
 * per-channel path weights instead of MACE's species-dependent weights on the symmetrised basis.
 * Only parity-consistent paths (l1+l2+l3 even) are used, so features keep parity (-1)^l.
 *
 * A layer, not MACE-only code: the shared message-passing pipeline (models/message-passing) applies it in every
 * interaction of MACE, TDN and eSCN alike.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import { wigner3j } from '../../o3/wigner-3j';
import { channelProductFused, fusedProductBasisActive } from './fused-channel-product';
import { EquivariantLinear } from './linear';
import type { ParamRecord, ParamSpec } from './params';
import { param } from './params';

interface Path {
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
  readonly weight: number;
}

/** Element-wise ('uuu') products of two single-multiplicity polar features with per-channel path weights. */
export class ElementwiseTensorProduct {
  readonly paths: readonly Path[];
  /** Inputs carry degrees 0..lmax, outputs 0..lmaxOut (≤ lmax: the last product step of a basis that narrows). */
  constructor(readonly name: string, readonly mul: number, readonly lmax: number, readonly lmaxOut = lmax) {
    if (!(lmaxOut >= 0 && lmaxOut <= lmax)) throw new Error(`${name}: lmaxOut ${lmaxOut} must be in [0, ${lmax}]`);
    const raw: Omit<Path, 'weight'>[] = [];
    for (let l1 = 0; l1 <= lmax; l1++)
      for (let l2 = 0; l2 <= lmax; l2++)
        for (let l3 = Math.abs(l1 - l2); l3 <= Math.min(l1 + l2, lmaxOut); l3++) if ((l1 + l2 + l3) % 2 === 0) raw.push({ l1, l2, l3 });
    this.paths = raw.map((p) => ({ ...p, weight: Math.sqrt((2 * p.l3 + 1) / raw.filter((q) => q.l3 === p.l3).length) }));
  }

  paramSpecs(): ParamSpec[] {
    return [{ name: `${this.name}/weight`, shape: [this.paths.length, this.mul], init: { kind: 'normal', std: 1 } }];
  }

  /** x, y: [n, mul, (L+1)²] channel-major -> [n, mul, (Lout+1)²] */
  apply(params: ParamRecord, x: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const perL = this.applyPerL(params, splitPerL(x, this.lmax), splitPerL(y, this.lmax));
      return tf.concat(perL, 2) as tf.Tensor3D;
    });
  }

  /**
   * The same product on features kept as one block per l (xs[l], ys[l]: [n, mul, 2l+1]) -> one block per l, so a
   * chain of products (the product basis) needs no concat / slice round trip between them.
   */
  applyPerL(params: ParamRecord, xs: readonly tf.Tensor3D[], ys: readonly tf.Tensor3D[]): tf.Tensor3D[] {
    return tf.tidy(() => {
      const n = xs[0]!.shape[0];
      const mul = this.mul;
      const weights = param(params, `${this.name}/weight`);
      const perL: (tf.Tensor | undefined)[] = Array.from({ length: this.lmaxOut + 1 }, () => undefined);
      const ws = tf.split(weights, this.paths.length, 0); // [1, mul] each
      this.paths.forEach((p, k) => {
        const [d1, d2, d3] = [2 * p.l1 + 1, 2 * p.l2 + 1, 2 * p.l3 + 1];
        const a = xs[p.l1]!;
        const b = ys[p.l2]!;
        const outer = tf.reshape(tf.mul(tf.expandDims(a, 3), tf.expandDims(b, 2)), [n * mul, d1 * d2]);
        const c = tf.tensor2d(Float32Array.from(wigner3j(p.l1, p.l2, p.l3)), [d1 * d2, d3]);
        const w = tf.reshape(ws[k]!, [1, mul, 1]);
        const z = tf.mul(tf.reshape(tf.matMul(outer, c), [n, mul, d3]), tf.mul(w, p.weight));
        perL[p.l3] = perL[p.l3] ? tf.add(perL[p.l3]!, z) : z;
      });
      return perL.map((t, l) => (t ?? tf.zeros([n, mul, 2 * l + 1])) as tf.Tensor3D);
    });
  }
}

/** [n, mul, (L+1)²] channel-major -> one [n, mul, 2l+1] block per l. */
function splitPerL(x: tf.Tensor3D, lmax: number): tf.Tensor3D[] {
  const [n, mul] = x.shape;
  return Array.from({ length: lmax + 1 }, (_, l) => tf.slice(x, [0, 0, l * l], [n, mul, 2 * l + 1]));
}

/** Polar single-multiplicity irreps "C x 0e + C x 1o + ... + C x L(parity)". */
export function polarIrreps(channels: number, lmax: number): Irreps {
  return Irreps.parse(Array.from({ length: lmax + 1 }, (_, l) => `${channels}x${l}${l % 2 === 0 ? 'e' : 'o'}`).join('+'));
}

export class ProductBasis {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  private readonly products: ElementwiseTensorProduct[] = [];
  private readonly linears: EquivariantLinear[] = [];

  /**
   * A of degrees 0..lmaxIn (MACE as published: the messages' degrees, up to the spherical harmonics' L) -> m of
   * degrees 0..lmax (the hidden features). The products B^(ν) keep lmaxIn except the last, which computes only the
   * degrees the output keeps; lmaxIn = lmax is the narrow form (messages truncated to the hidden L first).
   */
  constructor(readonly name: string, readonly channels: number, readonly lmax: number, readonly correlation: number, readonly lmaxIn = lmax) {
    if (lmaxIn < lmax) throw new Error(`${name}: lmaxIn ${lmaxIn} must be at least lmax ${lmax}`);
    this.irrepsIn = polarIrreps(channels, lmaxIn);
    this.irrepsOut = polarIrreps(channels, lmax);
    for (let nu = 1; nu <= correlation; nu++) {
      const lmaxB = nu === correlation ? lmax : lmaxIn; // degrees of B^(ν)
      if (nu > 1) this.products.push(new ElementwiseTensorProduct(`${name}/product${nu}`, channels, lmaxIn, lmaxB));
      this.linears.push(new EquivariantLinear(`${name}/linear${nu}`, polarIrreps(channels, lmaxB), this.irrepsOut));
    }
  }

  paramSpecs(): ParamSpec[] {
    return [...this.products.flatMap((p) => p.paramSpecs()), ...this.linears.flatMap((l) => l.paramSpecs())];
  }

  /** A [nAtoms, irrepsIn.dim] -> m [nAtoms, irrepsOut.dim] */
  apply(params: ParamRecord, a: tf.Tensor2D): tf.Tensor2D {
    if (this.correlation > 1 && fusedProductBasisActive()) return this.applyFused(params, a);
    return tf.tidy(() => {
      const n = a.shape[0];
      const c = this.channels;
      const offsets = this.irrepsIn.offsets;
      // A and the products B^(ν) stay one [n, C, 2l+1] block per l (the irreps' own blocks, reshaped): no
      // channel-major concat that the products would slice apart again. Each product reads its inputs through its own
      // handles (tf.clone: no copy on wasm), as it read its own slices before, so the backward pass sums each
      // product's gradient contributions before adding them up: the same order, hence bit-identical forces.
      const aPerL = this.irrepsIn.items.map(({ ir }, l) => tf.reshape(tf.slice(a, [0, offsets[l]!], [n, c * ir.dim]), [n, c, ir.dim]) as tf.Tensor3D);
      let b = aPerL;
      let out = this.linears[0]!.apply(params, a);
      for (let nu = 2; nu <= this.correlation; nu++) {
        b = this.products[nu - 2]!.applyPerL(params, b.map((t) => tf.clone(t)), aPerL.map((t) => tf.clone(t)));
        const flat = b.map((block, l) => tf.reshape(block, [n, c * (2 * l + 1)])); // [n, C·(2l+1)] each
        out = tf.add(out, this.linears[nu - 1]!.apply(params, (flat.length === 1 ? flat[0]! : tf.concat(flat, 1)) as tf.Tensor2D));
      }
      return out;
    });
  }

  /** The same on the native kernel (fused-channel-product.ts): each B^(ν) one op in the irreps layout. */
  private applyFused(params: ParamRecord, a: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let b = a; // [n, C·(L+1)²]
      let out = this.linears[0]!.apply(params, a);
      for (let nu = 2; nu <= this.correlation; nu++) {
        b = channelProductFused(this.products[nu - 2]!, params, b, a);
        out = tf.add(out, this.linears[nu - 1]!.apply(params, b));
      }
      return out;
    });
  }
}
