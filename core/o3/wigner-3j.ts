/**
 * Wigner-3j symbols (real Clebsch–Gordan coefficients) in e3nn's real basis, computed — not tabulated.
 *
 * Route (same convention as e3nn 0.5): the SU(2) Clebsch–Gordan coefficients ⟨l1 m1 l2 m2 | l3 m3⟩ from
 * Racah's closed formula (Racah 1942, eq. 16'; Varshalovich 8.2.1 eq. 3) are moved to the real basis with the
 * unitary Q_l of real → complex spherical harmonics (including e3nn's global phase (-i)^l that makes the
 * result real), then normalised to unit Frobenius norm:
 *
 *   C[j,k,n] = Σ_{a,b,c} Q_{l1}[a,j] Q_{l2}[b,k] conj(Q_{l3}[c,n]) ⟨l1 a l2 b | l3 c⟩,   ‖C‖_F = 1.
 *
 * C is the unique (up to sign) intertwiner D^{l1} ⊗ D^{l2} → D^{l3}:
 *   Σ_{jk} C[j,k,n] D1[j,j'] D2[k,k'] = Σ_{n'} D3[n,n'] C[j',k',n'].
 */

const factorialCache: number[] = [1];
function factorial(n: number): number {
  for (let i = factorialCache.length; i <= n; i++) factorialCache.push(factorialCache[i - 1]! * i);
  return factorialCache[n]!;
}

/** SU(2) Clebsch–Gordan ⟨j1 m1 j2 m2 | j3 m3⟩ for integer degrees (Racah's formula). */
export function su2ClebschGordan(j1: number, m1: number, j2: number, m2: number, j3: number, m3: number): number {
  if (m3 !== m1 + m2) return 0;
  if (j3 < Math.abs(j1 - j2) || j3 > j1 + j2) return 0;
  if (Math.abs(m1) > j1 || Math.abs(m2) > j2 || Math.abs(m3) > j3) return 0;
  const prefactor = Math.sqrt(
    ((2 * j3 + 1) * factorial(j3 + j1 - j2) * factorial(j3 - j1 + j2) * factorial(j1 + j2 - j3)) / factorial(j1 + j2 + j3 + 1),
  );
  const mFactor = Math.sqrt(
    factorial(j3 + m3) * factorial(j3 - m3) * factorial(j1 - m1) * factorial(j1 + m1) * factorial(j2 - m2) * factorial(j2 + m2),
  );
  let sum = 0;
  for (let k = 0; k <= j1 + j2 - j3; k++) {
    const a = j1 + j2 - j3 - k;
    const b = j1 - m1 - k;
    const c = j2 + m2 - k;
    const d = j3 - j2 + m1 + k;
    const e = j3 - j1 - m2 + k;
    if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0) continue;
    sum += (k % 2 === 0 ? 1 : -1) / (factorial(k) * factorial(a) * factorial(b) * factorial(c) * factorial(d) * factorial(e));
  }
  return prefactor * mFactor * sum;
}

/**
 * Unitary change of basis Q_l (complex row index l+m, real column index), complex Y_m = Σ_k Q[m,k] Y_real_k,
 * with the extra phase (-i)^l. Returns [re, im], each [(2l+1)²] row-major.
 */
export function realToComplexBasis(l: number): [Float64Array, Float64Array] {
  const n = 2 * l + 1;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const s = Math.SQRT1_2;
  for (let m = -l; m < 0; m++) {
    re[(l + m) * n + (l - m)] = s; // q[l+m, l+|m|] = 1/√2
    im[(l + m) * n + (l + m)] = -s; // q[l+m, l-|m|] = -i/√2
  }
  re[l * n + l] = 1;
  for (let m = 1; m <= l; m++) {
    const sign = m % 2 === 0 ? 1 : -1;
    re[(l + m) * n + (l + m)] = sign * s; // q[l+m, l+|m|] = (-1)^m/√2
    im[(l + m) * n + (l - m)] = sign * s; // q[l+m, l-|m|] = i(-1)^m/√2
  }
  // Multiply by (-i)^l: (-i)^l = cos(-πl/2) + i sin(-πl/2).
  const phaseRe = [1, 0, -1, 0][l % 4]!;
  const phaseIm = [0, -1, 0, 1][l % 4]!;
  for (let i = 0; i < n * n; i++) {
    const r = re[i]!;
    const c = im[i]!;
    re[i] = r * phaseRe - c * phaseIm;
    im[i] = r * phaseIm + c * phaseRe;
  }
  return [re, im];
}

const wigner3jCache = new Map<string, Float64Array>();

/** True when (l1, l2, l3) satisfies the triangle rule. */
export function isTriangle(l1: number, l2: number, l3: number): boolean {
  return l3 >= Math.abs(l1 - l2) && l3 <= l1 + l2;
}

/**
 * Real Wigner-3j block, shape [2l1+1, 2l2+1, 2l3+1] flattened row-major, unit Frobenius norm, e3nn basis
 * and sign. Cached; the returned array is shared and must not be modified.
 */
export function wigner3j(l1: number, l2: number, l3: number): Float64Array {
  const key = `${l1},${l2},${l3}`;
  const cached = wigner3jCache.get(key);
  if (cached) return cached;
  if (!isTriangle(l1, l2, l3)) throw new Error(`wigner3j: (${l1}, ${l2}, ${l3}) violates the triangle rule`);
  const n1 = 2 * l1 + 1;
  const n2 = 2 * l2 + 1;
  const n3 = 2 * l3 + 1;
  const [q1r, q1i] = realToComplexBasis(l1);
  const [q2r, q2i] = realToComplexBasis(l2);
  const [q3r, q3i] = realToComplexBasis(l3);
  const out = new Float64Array(n1 * n2 * n3);
  for (let a = 0; a < n1; a++) {
    for (let b = 0; b < n2; b++) {
      const c = a - l1 + (b - l2) + l3;
      if (c < 0 || c >= n3) continue;
      const cg = su2ClebschGordan(l1, a - l1, l2, b - l2, l3, c - l3);
      if (cg === 0) continue;
      for (let j = 0; j < n1; j++) {
        const ar = q1r[a * n1 + j]!;
        const ai = q1i[a * n1 + j]!;
        if (ar === 0 && ai === 0) continue;
        for (let k = 0; k < n2; k++) {
          const br = q2r[b * n2 + k]!;
          const bi = q2i[b * n2 + k]!;
          if (br === 0 && bi === 0) continue;
          const abr = ar * br - ai * bi;
          const abi = ar * bi + ai * br;
          for (let n = 0; n < n3; n++) {
            const cr = q3r[c * n3 + n]!;
            const ci = -q3i[c * n3 + n]!; // conjugate
            // real part of (ab)(c̄)
            out[(j * n2 + k) * n3 + n] += cg * (abr * cr - abi * ci);
          }
        }
      }
    }
  }
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]! / norm;
    out[i] = Math.abs(v) < 1e-15 ? 0 : v;
  }
  wigner3jCache.set(key, out);
  return out;
}
