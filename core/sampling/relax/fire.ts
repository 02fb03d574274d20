/**
 * FIRE (fast inertial relaxation engine), Bitzek, Koskinen, Gähler, Moseler & Gumbsch, PRL 97, 170201 (2006),
 * exactly as ASE 3.22.1 `ase/optimize/fire.py` (`FIRE` without the downhill check, its default), so that step for
 * step the positions equal ASE's on the same forces: same parameters, same update order, and the step limited by
 * the norm of the whole displacement vector (ASE's `maxstep`, not a per-atom limit).
 *
 * Works on any flat vector of generalised coordinates (atoms, or atoms plus a cell filter's 3 cell rows).
 * Units: the time step is in ASE's internal units (Å·sqrt(amu/eV) with unit masses), displacements in Å.
 */
import type { Optimizer } from './optimizer';

export interface FireParameters {
  /** Initial time step [0.1]. */
  readonly dt?: number;
  /** Largest norm of one step's whole displacement vector, Å [0.2]. */
  readonly maxStep?: number;
  /** Largest time step [1.0]. */
  readonly dtMax?: number;
  /** Steps downhill before the time step may grow [5]. */
  readonly nMin?: number;
  /** Time-step growth factor [1.1]. */
  readonly fInc?: number;
  /** Time-step cut on an uphill step [0.5]. */
  readonly fDec?: number;
  /** Mixing parameter after a restart [0.1]. */
  readonly aStart?: number;
  /** Mixing decay factor [0.99]. */
  readonly fa?: number;
  /** Initial mixing parameter [0.1]. */
  readonly a?: number;
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

export class FireOptimizer implements Optimizer {
  private velocities: Float64Array | undefined;
  private dt: number;
  private a: number;
  private nSteps = 0;
  private readonly maxStep: number;
  private readonly dtMax: number;
  private readonly nMin: number;
  private readonly fInc: number;
  private readonly fDec: number;
  private readonly aStart: number;
  private readonly fa: number;

  constructor(parameters: FireParameters = {}) {
    this.dt = parameters.dt ?? 0.1;
    this.maxStep = parameters.maxStep ?? 0.2;
    this.dtMax = parameters.dtMax ?? 1.0;
    this.nMin = parameters.nMin ?? 5;
    this.fInc = parameters.fInc ?? 1.1;
    this.fDec = parameters.fDec ?? 0.5;
    this.aStart = parameters.aStart ?? 0.1;
    this.fa = parameters.fa ?? 0.99;
    this.a = parameters.a ?? 0.1;
  }

  /** The displacement (same layout as `forces`) of one FIRE step from forces `forces` (eV/Å). */
  step(_positions: Float64Array, forces: Float64Array): Float64Array {
    const f = forces;
    let v = this.velocities;
    if (!v) {
      v = new Float64Array(f.length);
      this.velocities = v;
    } else {
      const vf = dot(f, v);
      if (vf > 0.0) {
        // ASE: v = (1 - a) v + a f / sqrt(f·f) * sqrt(v·v), evaluated left to right.
        const fNorm = Math.sqrt(dot(f, f));
        const vNorm = Math.sqrt(dot(v, v));
        const a = this.a;
        for (let i = 0; i < v.length; i++) v[i] = (1.0 - a) * v[i]! + ((a * f[i]!) / fNorm) * vNorm;
        if (this.nSteps > this.nMin) {
          this.dt = Math.min(this.dt * this.fInc, this.dtMax);
          this.a *= this.fa;
        }
        this.nSteps += 1;
      } else {
        v.fill(0);
        this.a = this.aStart;
        this.dt *= this.fDec;
        this.nSteps = 0;
      }
    }
    const dr = new Float64Array(f.length);
    for (let i = 0; i < v.length; i++) {
      v[i] = v[i]! + this.dt * f[i]!;
      dr[i] = this.dt * v[i]!;
    }
    const normDr = Math.sqrt(dot(dr, dr));
    if (normDr > this.maxStep) {
      for (let i = 0; i < dr.length; i++) dr[i] = (this.maxStep * dr[i]!) / normDr;
    }
    return dr;
  }
}
