/**
 * Gaunt tensor product on a spherical grid (Luo et al. 2024, "Enabling Efficient Equivariant Operations in the
 * Fourier Basis via Gaunt Tensor Products", §3, eqs. 4–6).
 *
 * Gaunt coefficients are integrals of three spherical harmonics, G^{l1 l2 l3}_{ijk} = (1/4π) ∮ Y^{l1}_i Y^{l2}_j Y^{l3}_k dΩ,
 * i.e. the coupling of *products of spherical functions*. So the product of x (coefficients of a function
 * f_x = Σ x_{lm} Y_{lm}) with y is computed by going to the sphere, multiplying pointwise, and projecting back:
 *
 *   z_K = (1/4π) Σ_q w_q f_x(q) f_y(q) Y_K(q)
 *
 * with a product quadrature (Gauss–Legendre in cos θ about the polar y axis × uniform φ) that is exact for
 * degree L1+L2+L3, hence exactly equivariant. The paper uses a 2D Fourier basis for O(L³) products; we use the
 * grid (O(L⁴) as plain matrix products, which is what tfjs runs fastest). Gaunt coefficients vanish for odd
 * l1+l2+l3, so features of parity (-1)^l stay O(3)-equivariant. Outputs are rescaled per degree to unit
 * second moment for unit inputs and spherical-harmonic y.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import { sphericalHarmonics } from '../../o3/spherical-harmonics';
import { fromChannelMajor, toChannelMajor } from './cp-tensor-product';

/** Gauss–Legendre nodes and weights on [-1, 1] (Newton iteration on P_n; Golub–Welsch not needed for n ≤ 64). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pnm1 = n === 1 ? 1 : p0;
      const dp = (n * (x * pn - pnm1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) {
        nodes[i] = x;
        weights[i] = 2 / ((1 - x * x) * dp * dp);
        break;
      }
    }
    if (weights[i] === 0) throw new Error(`gaussLegendre(${n}): Newton iteration did not converge`);
  }
  return { nodes, weights };
}

/** Sphere grid exact for polynomials of degree ≤ `degree`: points [Q, 3] and weights [Q] summing to 4π. */
export function sphereQuadrature(degree: number): { points: Float64Array; weights: Float64Array } {
  const nTheta = Math.floor(degree / 2) + 1;
  const nPhi = degree + 1;
  const { nodes, weights: wt } = gaussLegendre(nTheta);
  const points = new Float64Array(nTheta * nPhi * 3);
  const weights = new Float64Array(nTheta * nPhi);
  let q = 0;
  for (let i = 0; i < nTheta; i++) {
    const t = nodes[i]!;
    const s = Math.sqrt(1 - t * t);
    for (let j = 0; j < nPhi; j++) {
      const phi = (2 * Math.PI * j) / nPhi;
      points.set([s * Math.cos(phi), t, s * Math.sin(phi)], 3 * q);
      weights[q] = (wt[i]! * 2 * Math.PI) / nPhi;
      q++;
    }
  }
  return { points, weights };
}

export interface GauntTensorProductConfig {
  /** Single multiplicity, degrees 0..L1 with parity (-1)^l, e.g. '32x0e+32x1o+32x2e'. */
  readonly irrepsIn1: Irreps | string;
  /** Multiplicity 1, degrees 0..L2, parity (-1)^l (spherical harmonics). */
  readonly irrepsIn2: Irreps | string;
  /** Same multiplicity as irrepsIn1, degrees 0..Lout. */
  readonly irrepsOut: Irreps | string;
}

function degreesOf(name: string, irreps: Irreps): number {
  irreps.items.forEach(({ ir }, i) => {
    if (ir.l !== i || ir.p !== (i % 2 === 0 ? 1 : -1)) throw new Error(`${name}: needs degrees 0..L with parity (-1)^l, got ${irreps}`);
  });
  return irreps.lmax;
}

export class GauntTensorProduct {
  readonly irrepsIn1: Irreps;
  readonly irrepsIn2: Irreps;
  readonly irrepsOut: Irreps;
  readonly mul: number;
  /** Grid size Q. */
  readonly gridSize: number;
  /** Per-call weights [n, mul * (Lout+1)]: one per channel and output degree. */
  readonly weightNumel: number;
  private readonly toGrid1: Float32Array; // [n1, Q]
  private readonly toGrid2: Float32Array; // [n2, Q]
  private readonly fromGrid: Float32Array; // [Q, nOut], includes w_q/4π and per-degree normalisation
  private readonly dims: [number, number, number];

  constructor(readonly name: string, config: GauntTensorProductConfig) {
    this.irrepsIn1 = Irreps.of(config.irrepsIn1);
    this.irrepsIn2 = Irreps.of(config.irrepsIn2);
    this.irrepsOut = Irreps.of(config.irrepsOut);
    const l1 = degreesOf(name, this.irrepsIn1);
    const l2 = degreesOf(name, this.irrepsIn2);
    const l3 = degreesOf(name, this.irrepsOut);
    const muls = new Set([...this.irrepsIn1.items, ...this.irrepsOut.items].map((x) => x.mul));
    if (muls.size !== 1) throw new Error(`${name}: irrepsIn1 and irrepsOut need one multiplicity`);
    for (const { mul } of this.irrepsIn2.items) if (mul !== 1) throw new Error(`${name}: irrepsIn2 must have multiplicity 1`);
    this.mul = [...muls][0]!;
    const { points, weights } = sphereQuadrature(l1 + l2 + l3);
    const q = weights.length;
    this.gridSize = q;
    const lmax = Math.max(l1, l2, l3);
    const full = (lmax + 1) ** 2;
    const y = sphericalHarmonics(lmax, points); // [Q, full]
    const n1 = (l1 + 1) ** 2;
    const n2 = (l2 + 1) ** 2;
    const n3 = (l3 + 1) ** 2;
    this.dims = [n1, n2, n3];
    const transposeTo = (n: number) => {
      const out = new Float32Array(n * q);
      for (let k = 0; k < q; k++) for (let i = 0; i < n; i++) out[i * q + k] = y[k * full + i]!;
      return out;
    };
    this.toGrid1 = transposeTo(n1);
    this.toGrid2 = transposeTo(n2);
    // Per output degree: second moment Σ_{I,J} G[I,J,K]² (averaged over K in the degree) for the rescaling.
    const proj = new Float64Array(q * n3);
    for (let k = 0; k < q; k++) for (let c = 0; c < n3; c++) proj[k * n3 + c] = (weights[k]! / (4 * Math.PI)) * y[k * full + c]!;
    const norms = new Float64Array(l3 + 1);
    for (let i = 0; i < n1; i++)
      for (let j = 0; j < n2; j++)
        for (let c = 0; c < n3; c++) {
          let g = 0;
          for (let k = 0; k < q; k++) g += y[k * full + i]! * y[k * full + j]! * proj[k * n3 + c]!;
          norms[Math.floor(Math.sqrt(c))] += g * g;
        }
    this.fromGrid = new Float32Array(q * n3);
    for (let k = 0; k < q; k++)
      for (let c = 0; c < n3; c++) {
        const l = Math.floor(Math.sqrt(c));
        const second = norms[l]! / (2 * l + 1);
        this.fromGrid[k * n3 + c] = second > 0 ? proj[k * n3 + c]! / Math.sqrt(second) : 0;
      }
    this.weightNumel = this.mul * (l3 + 1);
  }

  /**
   * @param x1 [n, irrepsIn1.dim]; @param x2 [n, irrepsIn2.dim]; @param weights [n, weightNumel]
   * @returns [n, irrepsOut.dim]
   */
  apply(x1: tf.Tensor2D, x2: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x1.shape[0];
      const [n1, n2, n3] = this.dims;
      const q = this.gridSize;
      const mul = this.mul;
      const x = toChannelMajor(x1, this.irrepsIn1, n, mul); // [n, mul, n1]
      const fx = tf.reshape(tf.matMul(tf.reshape(x, [n * mul, n1]), tf.tensor2d(this.toGrid1, [n1, q])), [n, mul, q]); // [n, mul, Q]
      const fy = tf.reshape(tf.matMul(x2, tf.tensor2d(this.toGrid2, [n2, q])), [n, 1, q]); // [n, 1, Q]
      const z = tf.reshape(tf.matMul(tf.reshape(tf.mul(fx, fy), [n * mul, q]), tf.tensor2d(this.fromGrid, [q, n3])), [n, mul, n3]);
      const lOut = this.irrepsOut.lmax;
      const w = tf.reshape(weights, [n, mul, lOut + 1]);
      const wExpanded = tf.concat(
        Array.from({ length: lOut + 1 }, (_, l) => tf.tile(tf.slice(w, [0, 0, l], [n, mul, 1]), [1, 1, 2 * l + 1])),
        2,
      );
      return fromChannelMajor(tf.mul(z, wExpanded), this.irrepsOut, n, mul);
    });
  }
}

/**
 * Gaunt coefficients (1/4π) ∮ Y^{l1}_i Y^{l2}_j Y^{l3}_k dΩ by exact quadrature, [d1, d2, d3] row-major
 * (component-normalised harmonics). Proportional to wigner3j(l1, l2, l3) when l1+l2+l3 is even, zero otherwise.
 */
export function gauntCoefficients(l1: number, l2: number, l3: number): Float64Array {
  const { points, weights } = sphereQuadrature(l1 + l2 + l3);
  const lmax = Math.max(l1, l2, l3);
  const full = (lmax + 1) ** 2;
  const y = sphericalHarmonics(lmax, points);
  const [d1, d2, d3] = [2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1];
  const out = new Float64Array(d1 * d2 * d3);
  for (let q = 0; q < weights.length; q++) {
    const w = weights[q]! / (4 * Math.PI);
    for (let i = 0; i < d1; i++)
      for (let j = 0; j < d2; j++)
        for (let k = 0; k < d3; k++)
          out[(i * d2 + j) * d3 + k] += w * y[q * full + l1 * l1 + i]! * y[q * full + l2 * l2 + j]! * y[q * full + l3 * l3 + k]!;
  }
  return out;
}
