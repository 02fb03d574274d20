/**
 * The one interface of the relaxation optimizers (FIRE, L-BFGS, ANCopt): given the current generalised positions,
 * forces (flat, 3 values per row: atoms, then a cell filter's 3 cell rows) and energy, return the displacement to
 * apply. Constraints (fixed atoms) are applied by the caller to the forces before and to the displacement after.
 */
export interface Optimizer {
  /** Displacement, same layout as `positions` (Å for atoms). `positions` and `forces` are not modified. Energy in eV. */
  step(positions: Float64Array, forces: Float64Array, energy: number): Float64Array;
  /**
   * An optimizer with its own convergence test (ANCopt: energy change and gradient, as xtb) answers it for each
   * evaluated frame, in step order, before `step`; the others are converged by the relaxation's fmax test.
   */
  convergence?(positions: Float64Array, forces: Float64Array, energy: number): OptimizerConvergence;
}

export interface OptimizerConvergence {
  readonly converged: boolean;
  /** The quantities tested, for the report, e.g. '|ΔE| 2.1e-7 Eh (< 5e-6), |g| 8.0e-4 Eh/bohr (< 0.001)'. */
  readonly detail: string;
}
