/**
 * Limited-memory BFGS (Nocedal, Math. Comp. 35, 773 (1980); the two-loop recursion of Nocedal & Wright,
 * "Numerical Optimization", Alg. 7.4) exactly as ASE 3.22.1 `ase/optimize/lbfgs.py` (`LBFGS` without line
 * search, its default): fixed initial inverse Hessian 1/alpha, the step scaled so that the longest row (atom)
 * moves at most `maxStep` (ASE's `determine_step`), then multiplied by `damping`.
 *
 * Works on flat generalised coordinates of 3 values per row (atoms, then a cell filter's 3 cell rows).
 * Units: positions Å, forces eV/Å, alpha eV/Å².
 */
import type { Optimizer } from './optimizer';

export interface LbfgsParameters {
  /** Largest displacement of one row (atom) per step, Å [0.2]. */
  readonly maxStep?: number;
  /** Steps kept in memory [100]. */
  readonly memory?: number;
  /** The step is multiplied by this [1.0]. */
  readonly damping?: number;
  /** Initial Hessian guess, eV/Å² [70.0]. */
  readonly alpha?: number;
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

export class LbfgsOptimizer implements Optimizer {
  private readonly maxStep: number;
  private readonly memory: number;
  private readonly damping: number;
  private readonly h0: number;
  private iteration = 0;
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: number[] = [];
  private r0: Float64Array | undefined;
  private f0: Float64Array | undefined;

  constructor(parameters: LbfgsParameters = {}) {
    this.maxStep = parameters.maxStep ?? 0.2;
    if (!(this.maxStep > 0 && this.maxStep <= 1.0)) {
      throw new RangeError(`L-BFGS maxStep must be in (0, 1] Å (ASE refuses larger steps), got ${this.maxStep}`);
    }
    this.memory = parameters.memory ?? 100;
    if (!(Number.isInteger(this.memory) && this.memory >= 1)) throw new RangeError(`L-BFGS memory must be a positive integer, got ${this.memory}`);
    this.damping = parameters.damping ?? 1.0;
    this.h0 = 1.0 / (parameters.alpha ?? 70.0);
  }

  step(positions: Float64Array, forces: Float64Array): Float64Array {
    const r = positions;
    const f = forces;
    this.update(r, f);
    const loopMax = Math.min(this.memory, this.iteration, this.s.length);
    const a = new Float64Array(loopMax);
    const q = new Float64Array(f.length);
    for (let k = 0; k < q.length; k++) q[k] = -f[k]!;
    for (let i = loopMax - 1; i >= 0; i--) {
      a[i] = this.rho[i]! * dot(this.s[i]!, q);
      const yi = this.y[i]!;
      for (let k = 0; k < q.length; k++) q[k] = q[k]! - a[i]! * yi[k]!;
    }
    const z = new Float64Array(q.length);
    for (let k = 0; k < q.length; k++) z[k] = this.h0 * q[k]!;
    for (let i = 0; i < loopMax; i++) {
      const b = this.rho[i]! * dot(this.y[i]!, z);
      const si = this.s[i]!;
      for (let k = 0; k < z.length; k++) z[k] = z[k]! + si[k]! * (a[i]! - b);
    }
    // p = -z; determine_step scales it so that the longest row is at most maxStep.
    const dr = new Float64Array(z.length);
    let longest = 0;
    for (let row = 0; row < z.length / 3; row++) {
      const x = -z[3 * row]!;
      const yv = -z[3 * row + 1]!;
      const zz = -z[3 * row + 2]!;
      longest = Math.max(longest, Math.sqrt(x * x + yv * yv + zz * zz));
    }
    const scale = longest >= this.maxStep ? this.maxStep / longest : 1;
    for (let k = 0; k < z.length; k++) dr[k] = -z[k]! * scale * this.damping;
    this.iteration += 1;
    this.r0 = Float64Array.from(r);
    this.f0 = Float64Array.from(f);
    return dr;
  }

  /** ASE `LBFGS.update`: append s = r − r0 and y = f0 − f (the gradient change), keep at most `memory` pairs. */
  private update(r: Float64Array, f: Float64Array): void {
    if (this.iteration > 0 && this.r0 && this.f0) {
      const s0 = new Float64Array(r.length);
      const y0 = new Float64Array(r.length);
      for (let k = 0; k < r.length; k++) {
        s0[k] = r[k]! - this.r0[k]!;
        y0[k] = this.f0[k]! - f[k]!;
      }
      const rho0 = 1.0 / dot(y0, s0);
      // ASE would store an infinite rho (y·s = 0: no move, e.g. a restart from the same point) and produce NaN
      // positions; we drop such a pair instead, the only departure from ASE.
      if (Number.isFinite(rho0)) {
        this.s.push(s0);
        this.y.push(y0);
        this.rho.push(rho0);
      }
    }
    if (this.s.length > this.memory) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
  }
}
