/**
 * Equivariant linear layer (e3nn o3.Linear): mixes channels within each irrep type, never across types.
 *
 *   y^{(l,p)}_{w,m} = Σ_{(i: ir_i = (l,p))} Σ_u W_i[u, w] x^{i}_{u,m} / √(Σ_i mul_i)   (+ b_w for 0e outputs)
 *
 * e3nn's 'element' path normalisation: the 1/√fan-in factor sits in the forward pass and weights are N(0,1),
 * so outputs have unit second moment for unit inputs.
 *
 * With the native addon on tfjs-wasm and the fused switch on (fused-linear.ts), `apply` is one kernel call instead
 * of per-path slices, transposes, matMuls and a concat; `applyReference` is the composition either way.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import type { ParamRecord, ParamSpec } from './params';
import { param } from './params';
import { normalizedActivation } from './activations';
import { fusedLinearActive, linearFused } from './fused-linear';

/** One block of weights: input block iIn mixed into output block iOut of the same irrep. */
export interface LinearPath {
  readonly iIn: number;
  readonly iOut: number;
  readonly mulIn: number;
  readonly mulOut: number;
  readonly weightName: string;
  readonly norm: number;
}

export class EquivariantLinear {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  private readonly paths: LinearPath[] = [];

  /** The weight blocks, in parameter order (the fused kernel's plan, fused-linear.ts, is built from them). */
  get linearPaths(): readonly LinearPath[] {
    return this.paths;
  }

  constructor(readonly name: string, irrepsIn: Irreps | string, irrepsOut: Irreps | string, readonly bias = false) {
    this.irrepsIn = Irreps.of(irrepsIn);
    this.irrepsOut = Irreps.of(irrepsOut);
    this.irrepsOut.items.forEach((out, iOut) => {
      const sources = this.irrepsIn.items.map((inp, iIn) => ({ inp, iIn })).filter(({ inp }) => inp.ir.equals(out.ir) && inp.mul > 0);
      const fanIn = sources.reduce((s, { inp }) => s + inp.mul, 0);
      for (const { inp, iIn } of sources)
        this.paths.push({ iIn, iOut, mulIn: inp.mul, mulOut: out.mul, weightName: `${name}/w${iIn}_${iOut}`, norm: 1 / Math.sqrt(fanIn) });
    });
  }

  paramSpecs(): ParamSpec[] {
    const specs: ParamSpec[] = this.paths.map((p) => ({ name: p.weightName, shape: [p.mulIn, p.mulOut], init: { kind: 'normal', std: 1 } }));
    if (this.bias)
      this.irrepsOut.items.forEach(({ mul, ir }, iOut) => {
        if (ir.l === 0 && ir.p === 1) specs.push({ name: `${this.name}/b${iOut}`, shape: [mul], init: { kind: 'constant', value: 0 } });
      });
    return specs;
  }

  /** [n, irrepsOut.dim]: the biases on their 0e blocks, zeros elsewhere; undefined without biases. */
  biasVector(params: ParamRecord): tf.Tensor1D | undefined {
    if (!this.bias) return undefined;
    const parts: tf.Tensor1D[] = [];
    let any = false;
    this.irrepsOut.items.forEach(({ mul, ir }, iOut) => {
      const b = params[`${this.name}/b${iOut}`];
      if (b) any = true;
      parts.push(b ? (b as tf.Tensor1D) : tf.zeros([mul * ir.dim]));
    });
    return any ? (parts.length === 1 ? parts[0]! : tf.concat(parts)) : undefined;
  }

  /** [n, irrepsIn.dim] -> [n, irrepsOut.dim] */
  apply(params: ParamRecord, x: tf.Tensor2D): tf.Tensor2D {
    if (fusedLinearActive()) {
      return tf.tidy(() => {
        const y = linearFused(this, params, x);
        const bias = this.biasVector(params);
        return bias ? tf.add(y, bias) : y;
      });
    }
    return this.applyReference(params, x);
  }

  /** The tfjs composition (slices, matMuls, transposes, concat): the reference, and the path without the kernel. */
  applyReference(params: ParamRecord, x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const inOffsets = this.irrepsIn.offsets;
      const parts: tf.Tensor2D[] = [];
      this.irrepsOut.items.forEach(({ mul, ir }, iOut) => {
        let acc: tf.Tensor | undefined;
        for (const path of this.paths) {
          if (path.iOut !== iOut) continue;
          const width = path.mulIn * ir.dim;
          const block = width === x.shape[1] ? x : tf.slice(x, [0, inOffsets[path.iIn]!], [n, width]); // [n, mulIn·d]
          // [n, mulIn, d] -> [n, d, mulIn] -> [n*d, mulIn] @ [mulIn, mulOut]; for d = 1 the block is already [n, mulIn]
          // (moving a size-1 axis changes no element's place, so skipping the reshape/transpose round trip is exact).
          const moved = ir.dim === 1 ? block : tf.reshape(tf.transpose(tf.reshape(block, [n, path.mulIn, ir.dim]), [0, 2, 1]), [n * ir.dim, path.mulIn]);
          const y = tf.mul(tf.matMul(moved, param(params, path.weightName)), path.norm); // [n*d, mulOut]
          acc = acc ? tf.add(acc, y) : y;
        }
        let block: tf.Tensor; // [n, mulOut·d]
        if (!acc) block = tf.zeros([n, mul * ir.dim]);
        else if (ir.dim === 1) block = acc; // [n, mulOut] already
        else block = tf.reshape(tf.transpose(tf.reshape(acc, [n, ir.dim, mul]), [0, 2, 1]), [n, mul * ir.dim]);
        const biasName = `${this.name}/b${iOut}`;
        if (this.bias && params[biasName]) block = tf.add(block, params[biasName]!);
        parts.push(block as tf.Tensor2D);
      });
      return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as tf.Tensor2D;
    });
  }
}

/**
 * Scalar MLP (e3nn nn.FullyConnectedNet): x -> φ̃(x W_0 / √fan_in) -> ... -> x W_last / √fan_in, no biases,
 * N(0,1) weights. Used for the radial networks that produce per-edge tensor-product weights.
 */
export class ScalarMlp {
  constructor(
    readonly name: string,
    readonly sizes: readonly number[],
    readonly activation: 'silu' | 'tanh' | 'ssp' = 'silu',
  ) {
    if (sizes.length < 2) throw new Error(`ScalarMlp ${name}: needs at least input and output sizes`);
  }

  paramSpecs(): ParamSpec[] {
    return this.sizes.slice(1).map((size, i) => ({ name: `${this.name}/w${i}`, shape: [this.sizes[i]!, size], init: { kind: 'normal', std: 1 } }));
  }

  /** [n, sizes[0]] -> [n, sizes.at(-1)] */
  apply(params: ParamRecord, x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      for (let i = 0; i < this.sizes.length - 1; i++) {
        h = tf.mul(tf.matMul(h, param(params, `${this.name}/w${i}`) as tf.Tensor2D), 1 / Math.sqrt(this.sizes[i]!));
        if (i < this.sizes.length - 2) h = normalizedActivation(this.activation, h) as tf.Tensor2D;
      }
      return h;
    });
  }
}
