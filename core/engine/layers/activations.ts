/**
 * Scalar activations rescaled to unit second moment, the Gate and the norm nonlinearity (e3nn `nn.Gate`,
 * `nn.NormActivation`; Weiler et al. 2018 "3D Steerable CNNs" §3.3 gated nonlinearity).
 *
 * normalize2mom: φ̃(x) = c·φ(x) with c = E_{z~N(0,1)}[φ(z)²]^{-1/2}, so a unit-variance input keeps unit second
 * moment. We compute c by Gauss–Hermite-like quadrature on a fine grid (exact to ~1e-10); e3nn estimates it
 * from 10⁶ random samples, so e3nn's constants differ from the exact ones by ~0.2 %.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';

export type ActivationName = 'silu' | 'sigmoid' | 'tanh' | 'identity' | 'abs' | 'ssp';

/** SiLU (swish) x·σ(x), not rescaled: EGNN's and EDM's activation. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

function applyRaw(name: ActivationName, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'silu':
      return silu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'abs':
      return tf.abs(x);
    case 'ssp':
      return tf.sub(tf.softplus(x), Math.log(2));
    default:
      return x;
  }
}

function scalarActivation(name: ActivationName, x: number): number {
  switch (name) {
    case 'silu':
      return x / (1 + Math.exp(-x));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    case 'abs':
      return Math.abs(x);
    case 'ssp':
      return Math.log1p(Math.exp(x)) - Math.log(2);
    default:
      return x;
  }
}

const momentCache = new Map<ActivationName, number>();

/** c = E[φ(z)²]^{-1/2} for z ~ N(0, 1), by trapezoidal quadrature on [-12, 12] (error < 1e-10). */
export function secondMomentScale(name: ActivationName): number {
  let c = momentCache.get(name);
  if (c === undefined) {
    const n = 24000;
    const h = 24 / n;
    let m = 0;
    for (let i = 0; i <= n; i++) {
      const z = -12 + i * h;
      const w = (i === 0 || i === n ? 0.5 : 1) * h * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      m += w * scalarActivation(name, z) ** 2;
    }
    c = 1 / Math.sqrt(m);
    momentCache.set(name, c);
  }
  return c;
}

/** φ̃ = c·φ, the activation rescaled to unit second moment. `scale` overrides c (e.g. to reproduce e3nn's estimate). */
export function normalizedActivation(name: ActivationName, x: tf.Tensor, scale?: number): tf.Tensor {
  return tf.tidy(() => tf.mul(applyRaw(name, x), scale ?? secondMomentScale(name)));
}

export interface GateConfig {
  /** Scalars passed through an activation, e.g. '16x0e'. */
  readonly irrepsScalars: Irreps | string;
  readonly actScalars: ActivationName;
  /** One scalar gate per gated irrep (same count as irrepsGated's multiplicities), e.g. '8x0e'. */
  readonly irrepsGates: Irreps | string;
  readonly actGates: ActivationName;
  /** Irreps multiplied by their gate, e.g. '4x1o+4x2e'. */
  readonly irrepsGated: Irreps | string;
  /** Optional overrides of the second-moment constants [scalars, gates]. */
  readonly activationScales?: readonly [number, number];
}

/**
 * Gate (e3nn nn.Gate): input = scalars ⊕ gates ⊕ gated, output = φ̃_s(scalars) ⊕ φ̃_g(gates)·gated,
 * each gate scalar multiplying all 2l+1 components of one gated irrep.
 */
export class Gate {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly irrepsScalars: Irreps;
  readonly irrepsGates: Irreps;
  readonly irrepsGated: Irreps;

  constructor(readonly config: GateConfig) {
    this.irrepsScalars = Irreps.of(config.irrepsScalars);
    this.irrepsGates = Irreps.of(config.irrepsGates);
    this.irrepsGated = Irreps.of(config.irrepsGated);
    for (const { ir } of this.irrepsScalars.items) if (ir.l !== 0) throw new Error(`Gate: scalars must be l=0, got ${ir}`);
    for (const { ir } of this.irrepsGates.items) if (ir.l !== 0) throw new Error(`Gate: gates must be l=0, got ${ir}`);
    if (this.irrepsGates.numIrreps !== this.irrepsGated.numIrreps)
      throw new Error(`Gate: ${this.irrepsGates.numIrreps} gates for ${this.irrepsGated.numIrreps} gated irreps (${this.irrepsGated})`);
    this.irrepsIn = this.irrepsScalars.concat(this.irrepsGates).concat(this.irrepsGated);
    this.irrepsOut = this.irrepsScalars.concat(this.irrepsGated);
  }

  /** [n, irrepsIn.dim] -> [n, irrepsOut.dim] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const nS = this.irrepsScalars.dim;
      const nG = this.irrepsGates.dim;
      const scalars = tf.slice(x, [0, 0], [n, nS]); // [n, nScalars]
      const gates = normalizedActivation(this.config.actGates, tf.slice(x, [0, nS], [n, nG]), this.config.activationScales?.[1]); // [n, nGates]
      const parts: tf.Tensor2D[] = [];
      if (nS > 0) parts.push(normalizedActivation(this.config.actScalars, scalars, this.config.activationScales?.[0]) as tf.Tensor2D);
      let gatedOffset = nS + nG;
      let gateOffset = 0;
      for (const { mul, ir } of this.irrepsGated.items) {
        const block = tf.reshape(tf.slice(x, [0, gatedOffset], [n, mul * ir.dim]), [n, mul, ir.dim]); // [n, mul, 2l+1]
        const g = tf.reshape(tf.slice(gates, [0, gateOffset], [n, mul]), [n, mul, 1]); // [n, mul, 1]
        parts.push(tf.reshape(tf.mul(block, g), [n, mul * ir.dim]));
        gatedOffset += mul * ir.dim;
        gateOffset += mul;
      }
      return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as tf.Tensor2D;
    });
  }
}

/**
 * Norm nonlinearity (e3nn NormActivation): scalars l=0 pass through φ̃ directly (keeping their sign for odd
 * φ), each l>0 irrep x is multiplied by φ̃(|x|)/|x| (rotation invariant), with |x| smoothed by ε.
 */
export class NormActivation {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;

  constructor(irreps: Irreps | string, readonly activation: ActivationName = 'sigmoid', readonly epsilon = 1e-8) {
    this.irrepsIn = Irreps.of(irreps);
    this.irrepsOut = this.irrepsIn;
  }

  /** [n, dim] -> [n, dim] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const parts: tf.Tensor2D[] = [];
      let offset = 0;
      for (const { mul, ir } of this.irrepsIn.items) {
        const block = tf.slice(x, [0, offset], [n, mul * ir.dim]);
        if (ir.l === 0 && ir.p === 1) {
          parts.push(normalizedActivation(this.activation, block) as tf.Tensor2D);
        } else {
          const b = tf.reshape(block, [n, mul, ir.dim]); // [n, mul, 2l+1]
          const norm = tf.sqrt(tf.add(tf.sum(tf.square(b), 2, true), this.epsilon)); // [n, mul, 1]
          const factor = tf.div(normalizedActivation(this.activation, norm), norm);
          parts.push(tf.reshape(tf.mul(b, factor), [n, mul * ir.dim]));
        }
        offset += mul * ir.dim;
      }
      return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as tf.Tensor2D;
    });
  }
}
