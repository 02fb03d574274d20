/**
 * Small dense matrix helpers for the cell filter: the matrix exponential (scaling and squaring with a Taylor
 * series; Moler & Van Loan, SIAM Rev. 45, 3 (2003), method 3) and its Fréchet derivative through the block
 * identity exp([[A, E], [0, A]]) = [[exp A, L(A, E)], [0, exp A]] (Higham, "Functions of Matrices", Thm. 3.6),
 * as scipy's `expm` / `expm_frechet` that ASE's FrechetCellFilter calls. Matrices are row-major Float64Arrays.
 */

/** C = A·B for n×n matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aik * b[k * n + j]!;
    }
  }
  return c;
}

export function transpose3(m: ArrayLike<number>): Float64Array {
  return Float64Array.of(m[0]!, m[3]!, m[6]!, m[1]!, m[4]!, m[7]!, m[2]!, m[5]!, m[8]!);
}

export function determinant3(m: ArrayLike<number>): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  );
}

/** Inverse of a 3×3 matrix; throws RangeError when it is singular. */
export function inverse3(m: ArrayLike<number>): Float64Array {
  const det = determinant3(m);
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) throw new RangeError('the 3×3 matrix (cell) is singular');
  const inv = Float64Array.of(
    m[4]! * m[8]! - m[5]! * m[7]!,
    m[2]! * m[7]! - m[1]! * m[8]!,
    m[1]! * m[5]! - m[2]! * m[4]!,
    m[5]! * m[6]! - m[3]! * m[8]!,
    m[0]! * m[8]! - m[2]! * m[6]!,
    m[2]! * m[3]! - m[0]! * m[5]!,
    m[3]! * m[7]! - m[4]! * m[6]!,
    m[1]! * m[6]! - m[0]! * m[7]!,
    m[0]! * m[4]! - m[1]! * m[3]!,
  );
  for (let i = 0; i < 9; i++) inv[i] = inv[i]! / det;
  return inv;
}

/** exp(A) of an n×n matrix: scale A to 1-norm ≤ 1/2, Taylor series to machine precision, square back. */
export function expm(a: ArrayLike<number>, n: number): Float64Array {
  let norm = 0;
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let i = 0; i < n; i++) column += Math.abs(a[i * n + j]!);
    norm = Math.max(norm, column);
  }
  if (!Number.isFinite(norm)) throw new RangeError('expm: the matrix is not finite');
  const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const scale = 2 ** -squarings;
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) scaled[i] = a[i]! * scale;
  // Taylor: 1/2^k / k! < 1e-17 for k = 18 at norm 1/2.
  const result = new Float64Array(n * n);
  let term: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    result[i * n + i] = 1;
    term[i * n + i] = 1;
  }
  for (let k = 1; k <= 18; k++) {
    term = matMul(term, scaled, n);
    for (let i = 0; i < n * n; i++) term[i] = term[i]! / k;
    for (let i = 0; i < n * n; i++) result[i] = result[i]! + term[i]!;
  }
  let power: Float64Array = result;
  for (let s = 0; s < squarings; s++) power = matMul(power, power, n);
  return power;
}

/** The Fréchet derivative L(A, E) = d/dt exp(A + tE) at t = 0 of 3×3 matrices. */
export function expmFrechet3(a: ArrayLike<number>, e: ArrayLike<number>): Float64Array {
  const block = new Float64Array(36);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      block[i * 6 + j] = a[i * 3 + j]!;
      block[(i + 3) * 6 + j + 3] = a[i * 3 + j]!;
      block[i * 6 + j + 3] = e[i * 3 + j]!;
    }
  }
  const exp = expm(block, 6);
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = exp[i * 6 + j + 3]!;
  return out;
}
