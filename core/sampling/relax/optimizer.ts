/**
 * The one interface of the relaxation optimizers (FIRE, L-BFGS): given the current generalised positions and
 * forces (flat, 3 values per row: atoms, then a cell filter's 3 cell rows), return the displacement to apply.
 * Constraints (fixed atoms) are applied by the caller to the forces before and to the displacement after.
 */
export interface Optimizer {
  /** Displacement, same layout as `positions` (Å for atoms). `positions` and `forces` are not modified. */
  step(positions: Float64Array, forces: Float64Array): Float64Array;
}
