/**
 * RMSD after optimal superposition (Kabsch, Acta Cryst. A32, 922 (1976)), computed with Horn's quaternion form
 * (J. Opt. Soc. Am. A 4, 629 (1987)): the best rotation is the eigenvector of the largest eigenvalue λ of a 4×4
 * symmetric matrix built from the cross-covariance of the centred coordinates (RMSD² = (Σ|a_i|² + Σ|b_i|² − 2λ) / N;
 * we apply the rotation instead, which keeps the digits near 0). Proper rotations only (no reflection). Positions Å, flat [n * 3].
 */

export interface Superposition {
  /** RMSD after moving `mobile` onto `target`, Å. */
  readonly rmsd: number;
  /** Row-major 3×3 rotation R: target ≈ R (mobile − mobileCentre) + targetCentre. */
  readonly rotation: Float64Array;
  readonly mobileCentre: [number, number, number];
  readonly targetCentre: [number, number, number];
}

/** Eigen-decomposition of a symmetric 4×4 matrix by cyclic Jacobi rotations; returns the largest eigenpair. */
function largestEigenpair(m: Float64Array): { value: number; vector: [number, number, number, number] } {
  const a = Float64Array.from(m);
  const v = Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[4 * p + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[4 * p + q]!;
        if (apq === 0) continue;
        const theta = (a[4 * q + q]! - a[4 * p + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[4 * k + p]!;
          const akq = a[4 * k + q]!;
          a[4 * k + p] = c * akp - s * akq;
          a[4 * k + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[4 * p + k]!;
          const aqk = a[4 * q + k]!;
          a[4 * p + k] = c * apk - s * aqk;
          a[4 * q + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[4 * k + p]!;
          const vkq = v[4 * k + q]!;
          v[4 * k + p] = c * vkp - s * vkq;
          v[4 * k + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < 4; k++) if (a[5 * k]! > a[5 * best]!) best = k;
  return { value: a[5 * best]!, vector: [v[best]!, v[4 + best]!, v[8 + best]!, v[12 + best]!] };
}

function centre(positions: ArrayLike<number>, atoms: readonly number[]): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (const i of atoms) for (let k = 0; k < 3; k++) c[k] += positions[3 * i + k]!;
  return [c[0] / atoms.length, c[1] / atoms.length, c[2] / atoms.length];
}

/**
 * Superposes `mobile` onto `target` over `atoms` (0-based; all atoms when omitted). Throws RangeError when the
 * arrays differ in length or no atom is selected.
 */
export function superpose(mobile: ArrayLike<number>, target: ArrayLike<number>, atoms?: readonly number[]): Superposition {
  if (mobile.length !== target.length || mobile.length % 3 !== 0) {
    throw new RangeError(`superpose: the structures have ${mobile.length / 3} and ${target.length / 3} atoms`);
  }
  const selected = atoms ?? Array.from({ length: mobile.length / 3 }, (_, i) => i);
  if (selected.length === 0) throw new RangeError('superpose: no atoms selected');
  const ca = centre(mobile, selected);
  const cb = centre(target, selected);
  const s = new Float64Array(9);
  for (const i of selected) {
    const a = [mobile[3 * i]! - ca[0], mobile[3 * i + 1]! - ca[1], mobile[3 * i + 2]! - ca[2]];
    const b = [target[3 * i]! - cb[0], target[3 * i + 1]! - cb[1], target[3 * i + 2]! - cb[2]];
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) s[3 * j + k] = s[3 * j + k]! + a[j]! * b[k]!;
  }
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = Array.from(s) as [number, number, number, number, number, number, number, number, number];
  const horn = Float64Array.of(
    sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
    syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
    szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
    sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
  );
  const { vector } = largestEigenpair(horn);
  const [q0, q1, q2, q3] = vector;
  const rotation = Float64Array.of(
    q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3, 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
    2 * (q1 * q2 + q0 * q3), q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3, 2 * (q2 * q3 - q0 * q1),
    2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
  );
  // Horn's closed form (squares − 2λ) loses digits to cancellation near 0; apply the rotation instead.
  let sum = 0;
  for (const i of selected) {
    const a0 = mobile[3 * i]! - ca[0], a1 = mobile[3 * i + 1]! - ca[1], a2 = mobile[3 * i + 2]! - ca[2];
    for (let j = 0; j < 3; j++) {
      const moved = rotation[3 * j]! * a0 + rotation[3 * j + 1]! * a1 + rotation[3 * j + 2]! * a2 + cb[j]!;
      sum += (moved - target[3 * i + j]!) ** 2;
    }
  }
  const rmsd = Math.sqrt(sum / selected.length);
  return { rmsd, rotation, mobileCentre: ca, targetCentre: cb };
}

/** RMSD (Å) after optimal superposition over `atoms` (all when omitted). */
export function alignedRmsd(mobile: ArrayLike<number>, target: ArrayLike<number>, atoms?: readonly number[]): number {
  return superpose(mobile, target, atoms).rmsd;
}

/** The indices of the atoms that are not hydrogen (Z > 1). */
export function heavyAtoms(numbers: ArrayLike<number>): number[] {
  const atoms: number[] = [];
  for (let i = 0; i < numbers.length; i++) if (numbers[i]! > 1) atoms.push(i);
  return atoms;
}
