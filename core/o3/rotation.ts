/**
 * Rotations and Wigner-D matrices in e3nn's convention.
 *
 * Euler angles are Y-X-Y: R(α, β, γ) = R_y(α) R_x(β) R_y(γ) (e3nn `o3.angles_to_matrix`).
 * D^1(R) = R in the (x, y, z) basis of "1o"; higher degrees follow the Clebsch–Gordan recurrence
 *
 *   D^l = (2l+1) Cᵀ (D^{l-1} ⊗ D^1) C,   C = wigner3j(l-1, 1, l) as a [(2l-1)·3, 2l+1] matrix,
 *
 * which holds because √(2l+1)·C is an isometric intertwiner onto the degree-l component. It is polynomial in
 * the entries of R, so the tensor version is differentiable (used by eSCN's edge-aligned frames).
 * For an improper element g = -R0 (det = -1), the irrep (l, p) transforms with p · D^l(R0).
 */
import * as tf from '@tensorflow/tfjs';
import type { Irreps } from './irreps';
import { wigner3j } from './wigner-3j';

/** Row-major 3x3 matrix. */
export type Matrix3 = Float64Array;

export function rotationY(angle: number): Matrix3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

export function rotationX(angle: number): Matrix3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}

export function matMul3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!;
  return out;
}

/** e3nn `angles_to_matrix`: R_y(α) R_x(β) R_y(γ). */
export function anglesToMatrix(alpha: number, beta: number, gamma: number): Matrix3 {
  return matMul3(matMul3(rotationY(alpha), rotationX(beta)), rotationY(gamma));
}

/** Uniformly distributed random rotation (Haar measure) from a seeded source of uniforms in [0, 1). */
export function randomRotation(random: () => number): Matrix3 {
  // Random unit quaternion (Shoemake 1992).
  const u1 = random();
  const u2 = random() * 2 * Math.PI;
  const u3 = random() * 2 * Math.PI;
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const [w, x, y, z] = [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  );
}

export function determinant3(m: Matrix3): number {
  return m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
}

/**
 * Wigner-D matrices D^0..D^lmax of a proper rotation R (det +1), each [(2l+1)²] row-major.
 * Satisfies Y^l(R r) = D^l(R) Y^l(r) for the spherical harmonics of spherical-harmonics.ts.
 */
export function wignerDs(lmax: number, rotation: Matrix3): Float64Array[] {
  const out: Float64Array[] = [Float64Array.of(1)];
  if (lmax >= 1) out.push(Float64Array.from(rotation));
  for (let l = 2; l <= lmax; l++) {
    const prev = out[l - 1]!;
    const n1 = 2 * l - 1;
    const n3 = 2 * l + 1;
    const c = wigner3j(l - 1, 1, l);
    // T[(j,k), n'] = Σ_{j'k'} (D^{l-1}[j,j'] R[k,k']) C[(j',k'), n']
    const t = new Float64Array(n1 * 3 * n3);
    for (let j = 0; j < n1; j++)
      for (let k = 0; k < 3; k++)
        for (let jp = 0; jp < n1; jp++) {
          const dj = prev[j * n1 + jp]!;
          if (dj === 0) continue;
          for (let kp = 0; kp < 3; kp++) {
            const f = dj * rotation[k * 3 + kp]!;
            if (f === 0) continue;
            const cRow = (jp * 3 + kp) * n3;
            const tRow = (j * 3 + k) * n3;
            for (let np = 0; np < n3; np++) t[tRow + np] += f * c[cRow + np]!;
          }
        }
    const d = new Float64Array(n3 * n3);
    for (let jk = 0; jk < n1 * 3; jk++)
      for (let n = 0; n < n3; n++) {
        const cv = c[jk * n3 + n]!;
        if (cv === 0) continue;
        for (let np = 0; np < n3; np++) d[n * n3 + np] += (2 * l + 1) * cv * t[jk * n3 + np]!;
      }
    out.push(d);
  }
  return out;
}

export function wignerD(l: number, rotation: Matrix3): Float64Array {
  return wignerDs(l, rotation)[l]!;
}

/**
 * The representation matrix of an O(3) element on a feature vector of `irreps`, [dim, dim] row-major
 * (block diagonal). `matrix` may be improper (det -1): then (l, p) picks up the parity factor p.
 */
export function irrepsRepresentation(irreps: Irreps, matrix: Matrix3): Float64Array {
  const det = determinant3(matrix);
  const improper = det < 0;
  const proper = improper ? matrix.map((v) => -v) : matrix;
  const ds = wignerDs(Math.max(0, irreps.lmax), proper);
  const dim = irreps.dim;
  const out = new Float64Array(dim * dim);
  let offset = 0;
  for (const { mul, ir } of irreps.items) {
    const d = ds[ir.l]!;
    const n = ir.dim;
    const sign = improper ? ir.p : 1;
    for (let u = 0; u < mul; u++) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[(offset + i) * dim + offset + j] = sign * d[i * n + j]!;
      offset += n;
    }
  }
  return out;
}

/** [(2l-1)*3*(2l+1)] float32 Clebsch–Gordan block for the D recurrence (cached). */
const dCouplingCache = new Map<number, tf.Tensor2D>();
function dCoupling(l: number): tf.Tensor2D {
  let t = dCouplingCache.get(l);
  if (!t) {
    const c = wigner3j(l - 1, 1, l);
    t = tf.keep(tf.tensor2d(Float32Array.from(c, (v) => v * Math.sqrt(2 * l + 1)), [(2 * l - 1) * 3, 2 * l + 1]));
    dCouplingCache.set(l, t);
  }
  return t;
}

/**
 * Batched Wigner-D matrices as tfjs ops (differentiable w.r.t. the rotations).
 * @param rotations [n, 3, 3] proper rotations
 * @returns D^0..D^lmax, each [n, 2l+1, 2l+1]
 */
export function wignerDTensors(lmax: number, rotations: tf.Tensor3D): tf.Tensor3D[] {
  const n = rotations.shape[0];
  const out: tf.Tensor3D[] = [tf.ones([n, 1, 1])];
  if (lmax >= 1) out.push(tf.clone(rotations));
  for (let l = 2; l <= lmax; l++) {
    const d = tf.tidy(() => {
      const prev = out[l - 1]!;
      const n1 = 2 * l - 1;
      const n3 = 2 * l + 1;
      const u = dCoupling(l); // [(2l-1)*3, 2l+1], isometric: uᵀu = I
      // Kronecker product [n, (2l-1)*3, (2l-1)*3]
      const kron = tf.reshape(
        tf.mul(tf.reshape(prev, [n, n1, 1, n1, 1]), tf.reshape(rotations, [n, 1, 3, 1, 3])),
        [n, n1 * 3, n1 * 3],
      );
      const right = tf.reshape(tf.matMul(tf.reshape(kron, [n * n1 * 3, n1 * 3]), u), [n, n1 * 3, n3]); // [n, (2l-1)*3, 2l+1]
      const left = tf.matMul(tf.tile(tf.expandDims(tf.transpose(u), 0), [n, 1, 1]), right); // [n, 2l+1, 2l+1]
      return left as tf.Tensor3D;
    });
    out.push(d);
  }
  return out;
}
