/**
 * Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method with threshold (Rutishauser,
 * Numer. Math. 9, 1 (1966); Golub & Van Loan, "Matrix Computations", §8.5): plane rotations annihilate the
 * off-diagonal elements until their sum of squares is below 1e-26 of the squared Frobenius norm (above the
 * rounding floor, ~n² · 1e-32, so that it ends). Accurate to
 * ~1e-13 of the norm in the eigenvalues and eigenvectors (orthonormal), O(n³) per sweep, a handful of sweeps;
 * the optimizer's matrices (3N ≤ a few hundred) take milliseconds.
 */

export interface SymmetricEigen {
  /** Ascending. */
  readonly values: Float64Array;
  /** Row-major n × n; column k (vectors[i * n + k], i = 0..n−1) is the unit eigenvector of values[k]. */
  readonly vectors: Float64Array;
}

/** Eigenvalues (ascending) and eigenvectors of the symmetric row-major n × n matrix `matrix` (not modified). */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values for a ${n}×${n} matrix, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm2 = 0;
  for (let k = 0; k < a.length; k++) norm2 += a[k]! * a[k]!;
  const tolerance = 1e-26 * norm2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off <= tolerance || off === 0) break;
    // Skip rotations of elements already negligible in this sweep (threshold Jacobi).
    const threshold = sweep < 3 ? (0.2 * Math.sqrt(off)) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) <= threshold || apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J on rows/columns p and q.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((source, target) => {
    values[target] = a[source * n + source]!;
    for (let i = 0; i < n; i++) vectors[i * n + target] = v[i * n + source]!;
  });
  return { values, vectors };
}
