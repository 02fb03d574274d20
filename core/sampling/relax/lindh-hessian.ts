/**
 * The model Hessian that xtb's ANCopt starts from (xtb 6.5 default `hessian=old`, "Lindh-Hessian (1995)"):
 * R. Lindh, A. Bernhardsson, G. Karlström, P.-Å. Malmqvist, Chem. Phys. Lett. 241, 423 (1995), with xtb's force
 * constants (k_r 0.40, k_φ 0.13, k_τ 0.0075 instead of Lindh's 0.45, 0.15, 0.005) and Grimme's pairwise
 * correction of the long-range part (D2 C6 and van der Waals radii, J. Comput. Chem. 27, 1787 (2006), scaled by
 * s6 = 20, Fermi damping of steepness 20).
 *
 * Every pair, triple and quadruple of atoms contributes, weighted by how close the atoms are (Lindh's eq. 2):
 *   ρ_ij = exp(α_ij (r_ref,ij² − r_ij²))  with r_ref, α from the periodic-table rows of i and j (eq. 3, Table 1),
 *   H = Σ_pairs k_r ρ_ij b_r b_rᵀ + Σ_angles k_φ ρ_mi ρ_mj b_φ b_φᵀ + Σ_dihedrals k_τ ρ_ij ρ_jk ρ_kl b_τ b_τᵀ
 *       + Σ_pairs ∇∇ (s6 C6_ij f(r_ij) / r_ij⁶),
 * where b are the Wilson B-matrix rows (∂q/∂x, Wilson, Decius & Cross, "Molecular Vibrations", §4-1) of the
 * stretch, bend and torsion. Bends and torsions only among atoms closer than √70 bohr; torsions only where both
 * bond angles lie in 35°–145°. Connectivity is not needed: the weights ρ decay with distance.
 *
 * Units: positions in Å on input; the Hessian is in Eh/bohr² over Cartesian coordinates in bohr, [3N × 3N]
 * row-major, symmetric, with zero sum over each row's atoms (translation invariant).
 */
import { cross, dot, sub, type Vec3 } from '../../util/vec3';

/** Å per bohr (CODATA 2018, as main/calc/xtb). */
export const BOHR_IN_ANGSTROM = 0.529177210903;
/** eV per hartree (CODATA 2018). */
export const HARTREE_IN_EV = 27.211386245988;

/** Lindh's reference distances r_ref (bohr) and exponents α (bohr⁻²) by periodic-table row (1: H–He, 2: Li–Ne, 3: the rest). */
const R_REF = [
  [1.35, 2.1, 2.53],
  [2.1, 2.87, 3.4],
  [2.53, 3.4, 3.4],
] as const;
const ALPHA = [
  [1.0, 0.3949, 0.3949],
  [0.3949, 0.28, 0.28],
  [0.3949, 0.28, 0.28],
] as const;
const K_STRETCH = 0.4;
const K_BEND = 0.13;
const K_TORSION = 0.0075;
/** Bends and torsions need every pair of their atoms within this squared distance, bohr². */
const CUTOFF2 = 70;
/** Both bond angles of a torsion within 35°–145°: |cos| ≤ cos 35°. */
const COS_35 = Math.cos((35 / 180) * Math.PI);
const S6 = 20;
const DAMPING = 20;

/** Grimme D2 C6 coefficients (J nm⁶ mol⁻¹, used as plain numbers as in xtb) for Z = 1..54; 50 beyond. */
const D2_C6 = [
  0.14, 0.08, 1.61, 1.61, 3.13, 1.75, 1.23, 0.7, 0.75, 0.63, 5.71, 5.71, 10.79, 9.23, 7.84, 5.57, 5.07, 4.61,
  10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 10.8, 16.99, 17.1, 16.37, 12.64, 12.47, 12.01,
  24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 24.67, 37.32, 38.71, 38.44, 31.74, 31.5, 29.99,
];
/** Grimme D2 van der Waals radii (Å) for Z = 1..54; 2.0 beyond. */
const D2_RADIUS = [
  0.91, 0.92, 0.75, 1.28, 1.35, 1.32, 1.27, 1.22, 1.17, 1.13, 1.04, 1.24, 1.49, 1.56, 1.55, 1.53, 1.49, 1.45,
  1.35, 1.34, 1.42, 1.42, 1.42, 1.42, 1.42, 1.42, 1.42, 1.42, 1.42, 1.42, 1.5, 1.57, 1.6, 1.61, 1.59, 1.57,
  1.48, 1.46, 1.49, 1.49, 1.49, 1.49, 1.49, 1.49, 1.49, 1.49, 1.49, 1.49, 1.52, 1.64, 1.71, 1.72, 1.72, 1.71,
];

function tableRow(z: number): 0 | 1 | 2 {
  return z <= 2 ? 0 : z <= 10 ? 1 : 2;
}

/** Adds weight · b bᵀ to the Hessian, b given by its non-zero atom blocks. */
function addOuter(hessian: Float64Array, n3: number, atoms: readonly number[], blocks: readonly Vec3[], weight: number): void {
  for (let a = 0; a < atoms.length; a++) {
    for (let b = 0; b < atoms.length; b++) {
      const ba = blocks[a]!;
      const bb = blocks[b]!;
      for (let p = 0; p < 3; p++) {
        const row = (3 * atoms[a]! + p) * n3 + 3 * atoms[b]!;
        for (let q = 0; q < 3; q++) hessian[row + q] = hessian[row + q]! + weight * ba[p]! * bb[q]!;
      }
    }
  }
}

/** Adds the pair block ±h (3×3) of a central potential between atoms i and j. */
function addPair(hessian: Float64Array, n3: number, i: number, j: number, h: readonly number[]): void {
  for (let p = 0; p < 3; p++) {
    for (let q = 0; q < 3; q++) {
      const value = h[3 * p + q]!;
      hessian[(3 * i + p) * n3 + 3 * i + q] = hessian[(3 * i + p) * n3 + 3 * i + q]! + value;
      hessian[(3 * j + p) * n3 + 3 * j + q] = hessian[(3 * j + p) * n3 + 3 * j + q]! + value;
      hessian[(3 * i + p) * n3 + 3 * j + q] = hessian[(3 * i + p) * n3 + 3 * j + q]! - value;
      hessian[(3 * j + p) * n3 + 3 * i + q] = hessian[(3 * j + p) * n3 + 3 * i + q]! - value;
    }
  }
}

/**
 * ∇∇ of E(r) = s6 C6 f(r) / r⁶ with f = 1 / (1 + exp(−d (r/R0 − 1))): the 3×3 block
 * (E″ − E′/r) x xᵀ / r² + (E′/r) 1, everything in bohr and Eh.
 */
function dispersionBlock(d: Vec3, c6: number, r0: number): number[] {
  const r2 = dot(d, d);
  const r = Math.sqrt(r2);
  const e = Math.exp(-DAMPING * (r / r0 - 1));
  const f = 1 / (1 + e);
  const f1 = (f * f * e * DAMPING) / r0; // df/dr
  const f2 = f1 * ((2 * f * e * DAMPING) / r0 - DAMPING / r0); // d²f/dr²
  const c = S6 * c6;
  const inv6 = 1 / (r2 * r2 * r2);
  const e1 = c * (f1 * inv6 - (6 * f * inv6) / r);
  const e2 = c * (f2 * inv6 - (12 * f1 * inv6) / r + (42 * f * inv6) / r2);
  const block: number[] = [];
  for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) block.push(((e2 - e1 / r) * d[p]! * d[q]!) / r2 + (p === q ? e1 / r : 0));
  return block;
}

/** Wilson bend vectors of the angle i–m–j (m the apex), or two pairs of them for a linear angle. */
function bendVectors(xi: Vec3, xm: Vec3, xj: Vec3): Vec3[][] {
  const a = sub(xi, xm);
  const b = sub(xj, xm);
  const ra = Math.sqrt(dot(a, a));
  const rb = Math.sqrt(dot(b, b));
  const cos = Math.max(-1, Math.min(1, dot(a, b) / (ra * rb)));
  const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
  if (sin > 1e-8) {
    const si: Vec3 = [0, 1, 2].map((k) => (cos * a[k]! / ra - b[k]! / rb) / (ra * sin)) as Vec3;
    const sj: Vec3 = [0, 1, 2].map((k) => (cos * b[k]! / rb - a[k]! / ra) / (rb * sin)) as Vec3;
    return [[si, [-si[0] - sj[0], -si[1] - sj[1], -si[2] - sj[2]], sj]];
  }
  // Linear: two perpendicular bends.
  const axis: Vec3 = [a[0] / ra, a[1] / ra, a[2] / ra];
  const trial: Vec3 = Math.abs(axis[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = cross(axis, trial);
  const un = Math.sqrt(dot(u, u));
  const u1: Vec3 = [u[0] / un, u[1] / un, u[2] / un];
  const u2 = cross(axis, u1);
  return [u1, u2].map((w) => {
    const si: Vec3 = [w[0] / ra, w[1] / ra, w[2] / ra];
    const sj: Vec3 = [w[0] / rb, w[1] / rb, w[2] / rb];
    return [si, [-si[0] - sj[0], -si[1] - sj[1], -si[2] - sj[2]], sj];
  });
}

/** Wilson torsion vectors of i–j–k–l (Blondel & Karplus, J. Comput. Chem. 17, 1132 (1996), eq. 27). */
function torsionVectors(xi: Vec3, xj: Vec3, xk: Vec3, xl: Vec3): Vec3[] | undefined {
  const f = sub(xi, xj);
  const g = sub(xj, xk);
  const h = sub(xl, xk);
  const a = cross(f, g);
  const b = cross(h, g);
  const a2 = dot(a, a);
  const b2 = dot(b, b);
  const gn = Math.sqrt(dot(g, g));
  if (a2 < 1e-20 || b2 < 1e-20) return undefined;
  const fg = dot(f, g) / (a2 * gn);
  const hg = dot(h, g) / (b2 * gn);
  const vi: Vec3 = [0, 1, 2].map((k) => (-gn / a2) * a[k]!) as Vec3;
  const vl: Vec3 = [0, 1, 2].map((k) => (gn / b2) * b[k]!) as Vec3;
  const vj: Vec3 = [0, 1, 2].map((k) => (gn / a2) * a[k]! + fg * a[k]! - hg * b[k]!) as Vec3;
  const vk: Vec3 = [0, 1, 2].map((k) => -vi[k]! - vj[k]! - vl[k]!) as Vec3;
  return [vi, vj, vk, vl];
}

/** The Lindh (1995) model Hessian of xtb, Eh/bohr², [3N × 3N] row-major over Cartesian bohr; `positions` in Å, flat [N * 3]. */
export function lindhModelHessian(numbers: ArrayLike<number>, positions: ArrayLike<number>): Float64Array {
  const n = numbers.length;
  const n3 = 3 * n;
  const hessian = new Float64Array(n3 * n3);
  const x: Vec3[] = [];
  for (let i = 0; i < n; i++) x.push([positions[3 * i]! / BOHR_IN_ANGSTROM, positions[3 * i + 1]! / BOHR_IN_ANGSTROM, positions[3 * i + 2]! / BOHR_IN_ANGSTROM]);
  const row = Array.from(numbers, tableRow);
  const r2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { const d = sub(x[i]!, x[j]!); r2[i * n + j] = dot(d, d); }
  /** ρ_ij (Lindh eq. 2). */
  const rho = (i: number, j: number): number => {
    const a = ALPHA[row[i]!]![row[j]!]!;
    const r0 = R_REF[row[i]!]![row[j]!]!;
    return Math.exp(a * (r0 * r0 - r2[i * n + j]!));
  };
  const near = (i: number, j: number): boolean => r2[i * n + j]! <= CUTOFF2;

  // Stretches (every pair) and the pairwise long-range correction.
  for (let k = 0; k < n; k++) {
    for (let l = 0; l < k; l++) {
      const d = sub(x[k]!, x[l]!);
      const rr = r2[k * n + l]!;
      const g = K_STRETCH * rho(k, l);
      const zk = numbers[k]!;
      const zl = numbers[l]!;
      const c6 = Math.sqrt((D2_C6[zk - 1] ?? 50) * (D2_C6[zl - 1] ?? 50));
      const rv = ((D2_RADIUS[zk - 1] ?? 2) + (D2_RADIUS[zl - 1] ?? 2)) / BOHR_IN_ANGSTROM;
      const vdw = dispersionBlock(d, c6, rv);
      const block: number[] = [];
      for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) block.push((g * d[p]! * d[q]!) / rr + vdw[3 * p + q]!);
      addPair(hessian, n3, k, l, block);
    }
  }
  // Bends i–m–j, each angle once (j < i).
  for (let m = 0; m < n; m++) {
    for (let i = 0; i < n; i++) {
      if (i === m || !near(i, m)) continue;
      for (let j = 0; j < i; j++) {
        if (j === m || !near(j, i) || !near(j, m)) continue;
        const weight = K_BEND * rho(m, i) * rho(m, j);
        for (const [si, sm, sj] of bendVectors(x[i]!, x[m]!, x[j]!)) addOuter(hessian, n3, [i, m, j], [si!, sm!, sj!], weight);
      }
    }
  }
  // Torsions i–j–k–l, each once (i–j–k–l or l–k–j–i: the one with n·j + i > n·k + l).
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      if (k === j || !near(k, j)) continue;
      for (let i = 0; i < n; i++) {
        if (i === j || i === k || !near(i, k) || !near(i, j)) continue;
        for (let l = 0; l < n; l++) {
          if (n * j + i <= n * k + l || l === i || l === j || l === k) continue;
          if (!near(l, i) || !near(l, k) || !near(l, j)) continue;
          const rij = sub(x[i]!, x[j]!);
          const rjk = sub(x[j]!, x[k]!);
          const rkl = sub(x[k]!, x[l]!);
          if (Math.abs(dot(rij, rjk)) / Math.sqrt(r2[i * n + j]! * r2[j * n + k]!) > COS_35) continue;
          if (Math.abs(dot(rkl, rjk)) / Math.sqrt(r2[k * n + l]! * r2[j * n + k]!) > COS_35) continue;
          const vectors = torsionVectors(x[i]!, x[j]!, x[k]!, x[l]!);
          if (!vectors) continue;
          addOuter(hessian, n3, [i, j, k, l], vectors, K_TORSION * rho(i, j) * rho(j, k) * rho(k, l));
        }
      }
    }
  }
  return hessian;
}

/**
 * An orthonormal basis (rows, each of length 3N) of the rigid-body motions of the atoms at `positions` (any unit):
 * 3 translations and 3 rotations about the centroid, 5 for a linear molecule, fewer for one atom.
 */
export function rigidBodyBasis(positions: ArrayLike<number>): Float64Array[] {
  const n = positions.length / 3;
  const centre: Vec3 = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) centre[k] = centre[k]! + positions[3 * i + k]! / n;
  const candidates: Float64Array[] = [];
  for (let k = 0; k < 3; k++) {
    const t = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) t[3 * i + k] = 1;
    candidates.push(t);
  }
  for (let k = 0; k < 3; k++) {
    const axis: Vec3 = [0, 0, 0];
    axis[k] = 1;
    const r = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const v = cross(axis, sub([positions[3 * i]!, positions[3 * i + 1]!, positions[3 * i + 2]!], centre));
      r.set(v, 3 * i);
    }
    candidates.push(r);
  }
  const basis: Float64Array[] = [];
  for (const c of candidates) {
    const v = Float64Array.from(c);
    const before = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
    if (before === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let overlap = 0;
        for (let k = 0; k < v.length; k++) overlap += v[k]! * b[k]!;
        for (let k = 0; k < v.length; k++) v[k] = v[k]! - overlap * b[k]!;
      }
    }
    const norm = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
    if (norm < 1e-6 * before) continue; // dependent: a linear molecule's rotation about its axis
    for (let k = 0; k < v.length; k++) v[k] = v[k]! / norm;
    basis.push(v);
  }
  return basis;
}
