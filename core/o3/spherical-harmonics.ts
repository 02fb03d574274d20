/**
 * Real spherical harmonics in e3nn's convention (normalize=True, normalization='component'): for a unit
 * vector r̂, Y^0 = 1, Y^1 = √3 (x, y, z), and Σ_m (Y^l_m)² = 2l+1. The y axis is the polar axis (m = 0 ↔ y).
 *
 * Computed by the Clebsch–Gordan recurrence (the construction e3nn uses to generate its polynomials):
 *
 *   Y^l_n = a_l Σ_{jk} C^{(l-1,1,l)}[j,k,n] Y^{l-1}_j Y^1_k,
 *
 * where C is the real Wigner-3j block (wigner-3j.ts). The coupled product is the unique degree-l harmonic
 * projection of Y^{l-1} ⊗ Y^1, so the recurrence is exactly equivariant: Y(R r) = D^l(R) Y(r). The scalar a_l
 * is fixed numerically from component normalisation at one point (the norm is the same at every point).
 * The sign convention matches e3nn's tabulated polynomials (checked against e3nn 0.5.6 output in tests).
 */
import * as tf from '@tensorflow/tfjs';
import { wigner3j } from './wigner-3j';

const recurrenceScaleCache: number[] = [1, Math.sqrt(3)];

/** Scale a_l of the recurrence (a_1 is √3, the factor of Y^1 itself). */
function recurrenceScale(l: number): number {
  while (recurrenceScaleCache.length <= l) {
    const lNew = recurrenceScaleCache.length;
    // Evaluate the unscaled recurrence at r̂ = (0, 1, 0) where Y^{l-1} is known, and fix ‖Y^l‖² = 2l+1.
    const prev = sphericalHarmonicsOfUnitVector(lNew - 1, 0, 1, 0);
    const y1 = [0, Math.sqrt(3), 0];
    const c = wigner3j(lNew - 1, 1, lNew);
    const n1 = 2 * lNew - 1;
    const n3 = 2 * lNew + 1;
    let norm = 0;
    for (let n = 0; n < n3; n++) {
      let v = 0;
      for (let j = 0; j < n1; j++) for (let k = 0; k < 3; k++) v += c[(j * 3 + k) * n3 + n]! * prev[prev.length - n1 + j]! * y1[k]!;
      norm += v * v;
    }
    recurrenceScaleCache.push(Math.sqrt(n3 / norm));
  }
  return recurrenceScaleCache[l]!;
}

/**
 * Spherical harmonics Y^0..Y^lmax of one unit vector, concatenated ([(lmax+1)²], e3nn order).
 */
function sphericalHarmonicsOfUnitVector(lmax: number, x: number, y: number, z: number): Float64Array {
  const out = new Float64Array((lmax + 1) * (lmax + 1));
  out[0] = 1;
  if (lmax === 0) return out;
  const s3 = Math.sqrt(3);
  const y1 = [s3 * x, s3 * y, s3 * z];
  out[1] = y1[0]!;
  out[2] = y1[1]!;
  out[3] = y1[2]!;
  for (let l = 2; l <= lmax; l++) {
    const c = wigner3j(l - 1, 1, l);
    const a = recurrenceScale(l);
    const n1 = 2 * l - 1;
    const n3 = 2 * l + 1;
    const prevStart = (l - 1) * (l - 1);
    const start = l * l;
    for (let n = 0; n < n3; n++) {
      let v = 0;
      for (let j = 0; j < n1; j++) {
        const p = out[prevStart + j]!;
        if (p === 0) continue;
        for (let k = 0; k < 3; k++) v += c[(j * 3 + k) * n3 + n]! * p * y1[k]!;
      }
      out[start + n] = a * v;
    }
  }
  return out;
}

/**
 * Spherical harmonics of vectors (normalised internally), plain arrays.
 * @param vectors [n * 3] (any length unit; zero vectors give Y^{l>0} = 0)
 * @returns [n, (lmax+1)²] row-major
 */
export function sphericalHarmonics(lmax: number, vectors: ArrayLike<number>): Float64Array {
  const n = vectors.length / 3;
  const dim = (lmax + 1) * (lmax + 1);
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const x = vectors[3 * i]!;
    const y = vectors[3 * i + 1]!;
    const z = vectors[3 * i + 2]!;
    const r = Math.hypot(x, y, z);
    const inv = r > 0 ? 1 / r : 0;
    out.set(sphericalHarmonicsOfUnitVector(lmax, x * inv, y * inv, z * inv), i * dim);
  }
  return out;
}

/** [(2l-1)*3, 2l+1] float32 coupling matrix a_l·C^{(l-1,1,l)} used by the tensor recurrence (cached). */
const couplingCache = new Map<number, Float32Array>();
function couplingMatrix(l: number): Float32Array {
  let m = couplingCache.get(l);
  if (!m) {
    const c = wigner3j(l - 1, 1, l);
    const a = recurrenceScale(l);
    m = Float32Array.from(c, (v) => v * a);
    couplingCache.set(l, m);
  }
  return m;
}

/**
 * Spherical harmonics of edge vectors as tfjs ops (differentiable w.r.t. the vectors).
 * @param vectors [nEdges, 3] (Å); normalised inside (normalize=True); must be non-zero
 * @returns [nEdges, (lmax+1)²] in e3nn order (l = 0 block first)
 */
export function sphericalHarmonicsTensor(lmax: number, vectors: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = vectors.shape[0];
    const length = tf.sqrt(tf.sum(tf.square(vectors), 1, true)); // [nEdges, 1]
    const unit = tf.div(vectors, length); // [nEdges, 3]
    const blocks: tf.Tensor2D[] = [tf.ones([n, 1])];
    if (lmax >= 1) blocks.push(tf.mul(unit, Math.sqrt(3)) as tf.Tensor2D);
    const y1 = blocks[1]!;
    for (let l = 2; l <= lmax; l++) {
      const prev = blocks[l - 1]!; // [nEdges, 2l-1]
      const outer = tf.reshape(tf.mul(tf.expandDims(prev, 2), tf.expandDims(y1, 1)), [n, (2 * l - 1) * 3]); // [nEdges, (2l-1)*3]
      const coupling = tf.tensor2d(couplingMatrix(l), [(2 * l - 1) * 3, 2 * l + 1]);
      blocks.push(tf.matMul(outer, coupling));
    }
    return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 1)) as tf.Tensor2D;
  });
}
