/**
 * ANCopt, the optimizer of `xtb --opt` (xtb 6.5 src/optimizer.f90; the method of S. Grimme, C. Bannwarth,
 * P. Shushkov, J. Chem. Theory Comput. 13, 1989 (2017), §2.6): rational-function steps in approximate normal
 * coordinates.
 *   1. Approximate normal coordinates (ANC): the eigenvectors B of the Lindh model Hessian (lindh-hessian.ts) at
 *      the current geometry, translations and rotations projected out; eigenvalues shifted so that the lowest is
 *      `hlow` and clamped to [hlow, hmax]. The ANC Hessian starts diagonal.
 *   2. Each step: gradient in ANC g_q = Bᵀ g; after the first step of an ANC set a BFGS update of the ANC Hessian
 *      (diagonal kept ≥ 0.01); the rational-function (RF) step of Banerjee, Adams, Simons & Shepard, J. Phys.
 *      Chem. 89, 52 (1985): the lowest eigenvector (v, v₀) of [[H, g_q], [g_qᵀ, 0]], Δq = v / v₀; each component
 *      cut to ±maxDisplacement (the trust radius); ×1.5 once |g_q| < 0.002 Eh/bohr.
 *   3. New ANC from a new model Hessian at the current geometry every `microCycles` steps (20, growing ×1.1 per
 *      set up to 40), or at once when an RF step is longer than 2 bohr after the second step of a set.
 *   4. Converged (xtb's levels, `ANC_LEVELS`) when the energy fell by less than `energy` Eh since the previous
 *      step and |g_q| < `gradient` Eh/bohr.
 * As xtb, the BFGS update uses the RF step before the ×1.5 (the step actually taken is longer).
 *
 * The one departure: where xtb recomputes the energy at the same geometry after building new ANC, we reuse the
 * previous evaluation. Units inside are xtb's (bohr, Eh); the Optimizer interface is in Å, eV and eV/Å.
 */
import { BOHR_IN_ANGSTROM, HARTREE_IN_EV, lindhModelHessian, rigidBodyBasis } from './lindh-hessian';
import type { Optimizer, OptimizerConvergence } from './optimizer';
import { symmetricEigen } from './symmetric-eigen';

/** xtb's optimization levels (`xtb --opt LEVEL`). */
export type AncLevel = 'crude' | 'sloppy' | 'loose' | 'lax' | 'normal' | 'tight' | 'vtight' | 'extreme';

export interface AncThresholds {
  /** |ΔE| between successive steps, Eh. */
  readonly energy: number;
  /** Norm of the gradient in ANC (translations and rotations removed), Eh/bohr. */
  readonly gradient: number;
  /** xtb's step limit: this many steps per atom, at least 200, at most 10000. */
  readonly stepsPerAtom: number;
}

/** xtb 6.5 `get_optthr`. */
export const ANC_LEVELS: Readonly<Record<AncLevel, AncThresholds>> = {
  crude: { energy: 5e-4, gradient: 1e-2, stepsPerAtom: 1 },
  sloppy: { energy: 1e-4, gradient: 6e-3, stepsPerAtom: 1 },
  loose: { energy: 5e-5, gradient: 4e-3, stepsPerAtom: 2 },
  lax: { energy: 2e-5, gradient: 2e-3, stepsPerAtom: 2 },
  normal: { energy: 5e-6, gradient: 1e-3, stepsPerAtom: 3 },
  tight: { energy: 1e-6, gradient: 8e-4, stepsPerAtom: 5 },
  vtight: { energy: 1e-7, gradient: 2e-4, stepsPerAtom: 20 },
  extreme: { energy: 5e-8, gradient: 5e-5, stepsPerAtom: 20 },
};

export const ANC_LEVEL_NAMES = Object.keys(ANC_LEVELS) as AncLevel[];

/** xtb's default step limit for `nAtoms` atoms at `level`. */
export function ancMaxSteps(level: AncLevel, nAtoms: number): number {
  return Math.max(200, Math.min(10000, ANC_LEVELS[level].stepsPerAtom * nAtoms));
}

export interface AncParameters {
  /** ['normal'] */
  readonly level?: AncLevel;
  /** Largest RF displacement along one ANC, Å [1 bohr = 0.529 Å, xtb's maxdispl]. */
  readonly maxDisplacement?: number;
  /** Lowest ANC force constant, Eh/bohr² [0.01]. */
  readonly hlow?: number;
  /** Highest ANC force constant, Eh/bohr² [5]. */
  readonly hmax?: number;
  /** Steps before the first new ANC set [20]. */
  readonly microCycles?: number;
  /**
   * Per Cartesian component (3 per atom), whether it may move; absent = all. With any component held, the ANC
   * span the free components and translations and rotations are not projected out.
   */
  readonly free?: readonly boolean[];
}

/** The ANC of one model Hessian: reference geometry (bohr), basis B [3N × nvar], the ANC Hessian [nvar × nvar]. */
interface AncSet {
  readonly nvar: number;
  readonly basis: Float64Array;
  readonly hessian: Float64Array;
  steps: number;
}

export class AncOptimizer implements Optimizer {
  private readonly numbers: readonly number[];
  private readonly thresholds: AncThresholds;
  private readonly maxDisplacement: number;
  private readonly hlow: number;
  private readonly hmax: number;
  private readonly microStart: number;
  private readonly free: readonly boolean[] | undefined;
  private microCycles: number;
  private anc: AncSet | undefined;
  private previousEnergy: number | undefined;
  private gradient: Float64Array | undefined;
  private gradientNorm = 0;
  private previousGradient: Float64Array | undefined;
  private previousStep: Float64Array | undefined;

  constructor(numbers: ArrayLike<number>, parameters: AncParameters = {}) {
    this.numbers = Array.from(numbers);
    this.thresholds = ANC_LEVELS[parameters.level ?? 'normal'];
    if (!this.thresholds) throw new RangeError(`unknown ANC level '${String(parameters.level)}' (${ANC_LEVEL_NAMES.join(', ')})`);
    this.maxDisplacement = (parameters.maxDisplacement ?? BOHR_IN_ANGSTROM) / BOHR_IN_ANGSTROM;
    if (!(this.maxDisplacement > 0 && Number.isFinite(this.maxDisplacement))) throw new RangeError(`ANC maxDisplacement must be a positive number of Å, got ${parameters.maxDisplacement}`);
    this.hlow = parameters.hlow ?? 0.01;
    this.hmax = parameters.hmax ?? 5.0;
    this.microStart = parameters.microCycles ?? 20;
    this.microCycles = this.microStart;
    if (parameters.free && parameters.free.length !== 3 * this.numbers.length) {
      throw new RangeError(`ANC free mask has ${parameters.free.length} entries for ${this.numbers.length} atoms`);
    }
    this.free = parameters.free && parameters.free.some((f) => !f) ? parameters.free : undefined;
  }

  /** xtb's test on the frame just evaluated: |ΔE| < energy, ΔE ≤ 0 (after step 0) and |g_q| < gradient. */
  convergence(positions: Float64Array, forces: Float64Array, energy: number): OptimizerConvergence {
    if (!this.anc) this.anc = this.newAnc(positions);
    const gradient = this.ancGradient(forces);
    let norm = 0;
    for (const g of gradient) norm += g * g;
    norm = Math.sqrt(norm);
    const energyEh = energy / HARTREE_IN_EV;
    const change = this.previousEnergy === undefined ? 0 : energyEh - this.previousEnergy;
    this.previousEnergy = energyEh;
    this.gradient = gradient;
    this.gradientNorm = norm;
    const converged = norm < this.thresholds.gradient && Math.abs(change) < this.thresholds.energy && change <= 0;
    return {
      converged,
      detail: `|ΔE| ${Math.abs(change).toExponential(2)} Eh (< ${this.thresholds.energy}), |g| ${norm.toExponential(2)} Eh/bohr (< ${this.thresholds.gradient})`,
    };
  }

  step(positions: Float64Array, forces: Float64Array, energy: number): Float64Array {
    if (!this.gradient) this.convergence(positions, forces, energy);
    let anc = this.anc!;
    let gradient = this.gradient!;
    if (anc.steps > 0 && this.previousGradient && this.previousStep) bfgsUpdate(anc, gradient, this.previousGradient, this.previousStep);
    let step = this.rfStep(anc, gradient);
    if (anc.steps >= 2 && norm(step) > 2.0) {
      // xtb: an RF step this long means the model no longer fits; new ANC at this geometry.
      anc = this.restart(positions);
      gradient = this.ancGradient(forces);
      step = this.rfStep(anc, gradient);
    }
    anc.steps += 1;
    this.previousGradient = gradient;
    this.previousStep = step;
    const scale = this.gradientNorm < 0.002 ? 1.5 : 1.0;
    const displacement = new Float64Array(positions.length);
    for (let c = 0; c < positions.length; c++) {
      let sum = 0;
      for (let k = 0; k < anc.nvar; k++) sum += anc.basis[c * anc.nvar + k]! * step[k]!;
      displacement[c] = sum * scale * BOHR_IN_ANGSTROM;
    }
    this.gradient = undefined;
    // After microCycles steps, the next evaluated geometry gets new ANC (xtb: maxmicro grows by 10 %, to 2× the start).
    if (anc.steps >= this.microCycles) {
      this.anc = undefined;
      this.microCycles = Math.min(Math.floor(this.microCycles * 1.1), 2 * this.microStart);
    }
    return displacement;
  }

  private restart(positions: Float64Array): AncSet {
    this.microCycles = Math.min(Math.floor(this.microCycles * 1.1), 2 * this.microStart);
    this.anc = this.newAnc(positions);
    return this.anc;
  }

  /** g_q = Bᵀ g, g = −forces in Eh/bohr. */
  private ancGradient(forces: Float64Array): Float64Array {
    const anc = this.anc!;
    const toEhPerBohr = -BOHR_IN_ANGSTROM / HARTREE_IN_EV;
    const gradient = new Float64Array(anc.nvar);
    for (let c = 0; c < forces.length; c++) {
      const g = forces[c]! * toEhPerBohr;
      if (g === 0) continue;
      for (let k = 0; k < anc.nvar; k++) gradient[k] = gradient[k]! + anc.basis[c * anc.nvar + k]! * g;
    }
    return gradient;
  }

  /** RF step Δq from the lowest eigenvector of the augmented Hessian, each component cut to ±maxDisplacement. */
  private rfStep(anc: AncSet, gradient: Float64Array): Float64Array {
    const n = anc.nvar;
    const m = n + 1;
    const augmented = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) augmented[i * m + j] = anc.hessian[i * n + j]!;
      augmented[i * m + n] = gradient[i]!;
      augmented[n * m + i] = gradient[i]!;
    }
    const { vectors } = symmetricEigen(augmented, m);
    const last = vectors[n * m]!;
    const step = new Float64Array(n);
    if (Math.abs(last) < 1e-10) return step; // the RF eigenvector has no gradient part: stay (xtb: "internal RF error")
    for (let i = 0; i < n; i++) step[i] = Math.max(-this.maxDisplacement, Math.min(this.maxDisplacement, vectors[i * m]! / last));
    return step;
  }

  /** ANC from the model Hessian at `positions` (Å): step 1 of the module comment. */
  private newAnc(positions: Float64Array): AncSet {
    const n3 = positions.length;
    const model = lindhModelHessian(this.numbers, positions);
    // The space the ANC may span: free components, or everything but rigid-body motion.
    let q: Float64Array[];
    if (this.free) {
      q = [];
      this.free.forEach((isFree, c) => {
        if (!isFree) return;
        const e = new Float64Array(n3);
        e[c] = 1;
        q.push(e);
      });
    } else {
      q = complementBasis(rigidBodyBasis(positions), n3);
    }
    const nvar = q.length;
    if (nvar === 0) throw new RangeError('ANC: no free coordinates to optimise');
    // Projected Hessian Qᵀ H Q [nvar × nvar].
    const hq = new Float64Array(n3 * nvar);
    for (let r = 0; r < n3; r++) {
      for (let k = 0; k < nvar; k++) {
        let sum = 0;
        const qk = q[k]!;
        for (let c = 0; c < n3; c++) if (qk[c] !== 0) sum += model[r * n3 + c]! * qk[c]!;
        hq[r * nvar + k] = sum;
      }
    }
    const projected = new Float64Array(nvar * nvar);
    for (let a = 0; a < nvar; a++) {
      for (let b = 0; b < nvar; b++) {
        let sum = 0;
        const qa = q[a]!;
        for (let r = 0; r < n3; r++) if (qa[r] !== 0) sum += qa[r]! * hq[r * nvar + b]!;
        projected[a * nvar + b] = sum;
      }
    }
    for (let a = 0; a < nvar; a++) for (let b = 0; b < a; b++) projected[a * nvar + b] = projected[b * nvar + a] = 0.5 * (projected[a * nvar + b]! + projected[b * nvar + a]!);
    const { values, vectors } = symmetricEigen(projected, nvar);
    const shift = Math.max(this.hlow - values[0]!, 0);
    const basis = new Float64Array(n3 * nvar);
    for (let k = 0; k < nvar; k++) {
      for (let a = 0; a < nvar; a++) {
        const u = vectors[a * nvar + k]!;
        if (u === 0) continue;
        const qa = q[a]!;
        for (let c = 0; c < n3; c++) basis[c * nvar + k] = basis[c * nvar + k]! + qa[c]! * u;
      }
    }
    const hessian = new Float64Array(nvar * nvar);
    for (let k = 0; k < nvar; k++) hessian[k * nvar + k] = Math.min(Math.max(values[k]! + shift, this.hlow), this.hmax);
    return { nvar, basis, hessian, steps: 0 };
  }
}

function norm(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/** An orthonormal basis of the complement of the orthonormal `span` in R^n (Gram–Schmidt over the unit vectors). */
export function complementBasis(span: readonly Float64Array[], n: number): Float64Array[] {
  const basis = [...span];
  const complement: Float64Array[] = [];
  for (let c = 0; c < n && basis.length < n; c++) {
    const v = new Float64Array(n);
    v[c] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let overlap = 0;
        for (let k = 0; k < n; k++) overlap += v[k]! * b[k]!;
        for (let k = 0; k < n; k++) v[k] = v[k]! - overlap * b[k]!;
      }
    }
    const length = norm(v);
    if (length < 1e-6) continue;
    for (let k = 0; k < n; k++) v[k] = v[k]! / length;
    basis.push(v);
    complement.push(v);
  }
  return complement;
}

/** xtb's BFGS update of the ANC Hessian (y = g − g_old, s = the previous RF step); diagonal kept ≥ 0.01 in magnitude. */
function bfgsUpdate(anc: AncSet, gradient: Float64Array, previous: Float64Array, step: Float64Array): void {
  const n = anc.nvar;
  const h = anc.hessian;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = gradient[i]! - previous[i]!;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += h[i * n + j]! * step[j]!;
    t[i] = sum;
  }
  let sts = 0;
  let yts = 0;
  for (let i = 0; i < n; i++) {
    sts += t[i]! * step[i]!;
    yts += y[i]! * step[i]!;
  }
  if (yts > 1e-12 && sts > 1e-12) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j] = h[i * n + j]! + (y[i]! * y[j]!) / yts - (t[i]! * t[j]!) / sts;
  }
  for (let i = 0; i < n; i++) if (Math.abs(h[i * n + i]!) < 0.01) h[i * n + i] = 0.01;
}
