/**
 * Simultaneous relaxation of atoms and cell: ASE's `FrechetCellFilter` (ase ≥ 3.23 `ase/filters.py`; the
 * log-deformation parametrisation of Ortner's JuLIP.jl expcell, with the exact gradient of
 * https://github.com/lan496/lan496.github.io/blob/main/notes/cell_grad.pdf).
 *
 * Generalised coordinates, (nAtoms + 3) rows of 3:
 *   rows 0..n−1  z = x·F⁻ᵀ, the atom positions mapped back to the original cell (Å),
 *   rows n..n+2  c·U, U = log F the matrix logarithm of the deformation gradient F (cell = cell₀·Fᵀ, rows a, b, c),
 *                scaled by exp_cell_factor c (ASE's default: the number of atoms).
 * Generalised forces:
 *   atoms        f·F  (f the Cartesian forces, eV/Å),
 *   cell         L(Uᵀ, W·F⁻ᵀ) / c with the virial W = −V (σ + p I) (eV; σ the stress in ASE's sign, p the external
 *                hydrostatic pressure, V the volume) and L the Fréchet derivative of exp. ASE sums
 *                L(U, E_μν) : W·F⁻ᵀ over the 9 unit directions E_μν; L(Uᵀ, ·) is that map's adjoint, one exp.
 * At a minimum the forces vanish and σ = −p I. We keep U itself (ASE recovers it with logm from the cell each step,
 * equal to rounding); ASE's own generalised cell rows carry a constant offset c·ln(c)·I that no optimizer sees.
 */
import { determinant3, expm, expmFrechet3, inverse3, matMul, transpose3 } from './matrix-exp';

export interface CellFilterOptions {
  /** External hydrostatic pressure, eV/Å³ [0]. */
  readonly pressure?: number;
  /** Scale of the cell coordinates [number of atoms]. */
  readonly expCellFactor?: number;
}

export interface FilteredGeometry {
  /** [nAtoms * 3] Å */
  readonly positions: Float64Array;
  /** [9] rows a, b, c, Å */
  readonly cell: Float64Array;
}

export class FrechetCellFilter {
  readonly nAtoms: number;
  readonly pressure: number;
  readonly expCellFactor: number;
  private readonly originalCell: Float64Array;
  /** The generalised positions, [(nAtoms + 3) * 3]. */
  private generalised: Float64Array;
  private deformation: Float64Array = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

  constructor(positions: Float64Array, cell: ArrayLike<number>, options: CellFilterOptions = {}) {
    this.nAtoms = positions.length / 3;
    this.pressure = options.pressure ?? 0;
    this.expCellFactor = options.expCellFactor ?? this.nAtoms;
    if (!(this.expCellFactor > 0)) throw new RangeError(`the cell filter's exp_cell_factor must be positive, got ${this.expCellFactor}`);
    this.originalCell = Float64Array.from(cell);
    if (!(Math.abs(determinant3(this.originalCell)) > 1e-12)) throw new RangeError('the cell has zero volume');
    this.generalised = new Float64Array((this.nAtoms + 3) * 3);
    this.generalised.set(positions);
  }

  /** The current generalised positions (a copy). */
  positions(): Float64Array {
    return Float64Array.from(this.generalised);
  }

  /** The current deformation gradient F (row-major 3×3). */
  deformationGradient(): Float64Array {
    return Float64Array.from(this.deformation);
  }

  /** Moves to new generalised positions; returns the Cartesian positions and cell they stand for (ASE set_positions). */
  setPositions(generalised: Float64Array): FilteredGeometry {
    if (generalised.length !== this.generalised.length) {
      throw new RangeError(`the cell filter takes ${this.generalised.length} generalised coordinates, got ${generalised.length}`);
    }
    const n = this.nAtoms;
    const logDeformation = new Float64Array(9);
    for (let k = 0; k < 9; k++) logDeformation[k] = generalised[3 * n + k]! / this.expCellFactor;
    const deformation = expm(logDeformation, 3);
    this.generalised = Float64Array.from(generalised);
    this.deformation = deformation;
    return this.geometry();
  }

  /** Cartesian positions x = z·Fᵀ and cell = cell₀·Fᵀ of the current generalised positions. */
  geometry(): FilteredGeometry {
    const n = this.nAtoms;
    const ft = transpose3(this.deformation);
    const cell = matMul(this.originalCell, ft, 3);
    const positions = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const z0 = this.generalised[3 * i]!;
      const z1 = this.generalised[3 * i + 1]!;
      const z2 = this.generalised[3 * i + 2]!;
      for (let j = 0; j < 3; j++) positions[3 * i + j] = z0 * ft[j]! + z1 * ft[3 + j]! + z2 * ft[6 + j]!;
    }
    return { positions, cell };
  }

  /**
   * Generalised forces from Cartesian forces (eV/Å, already with constraints applied) and the stress [9]
   * (eV/Å³, ASE sign) at the current geometry.
   */
  forces(forces: Float64Array, stress: ArrayLike<number>): Float64Array {
    const n = this.nAtoms;
    const f = this.deformation;
    const out = new Float64Array((n + 3) * 3);
    for (let i = 0; i < n; i++) {
      const f0 = forces[3 * i]!;
      const f1 = forces[3 * i + 1]!;
      const f2 = forces[3 * i + 2]!;
      for (let j = 0; j < 3; j++) out[3 * i + j] = f0 * f[j]! + f1 * f[3 + j]! + f2 * f[6 + j]!;
    }
    const { cell } = this.geometry();
    const volume = Math.abs(determinant3(cell));
    const virial = new Float64Array(9);
    for (let k = 0; k < 9; k++) virial[k] = -volume * (0.5 * (stress[k]! + stress[3 * (k % 3) + Math.floor(k / 3)]!) + (k % 4 === 0 ? this.pressure : 0));
    const unitCellGradient = matMul(virial, inverse3(transpose3(f)), 3);
    const logDeformation = new Float64Array(9);
    for (let k = 0; k < 9; k++) logDeformation[k] = this.generalised[3 * n + k]! / this.expCellFactor;
    const cellForce = expmFrechet3(transpose3(logDeformation), unitCellGradient);
    for (let k = 0; k < 9; k++) out[3 * n + k] = cellForce[k]! / this.expCellFactor;
    return out;
  }
}

/** Largest row norm of a flat [rows * 3] vector (ASE's fmax over generalised forces), eV/Å. */
export function largestRowNorm(vector: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < vector.length / 3; i++) {
    const x = vector[3 * i]!;
    const y = vector[3 * i + 1]!;
    const z = vector[3 * i + 2]!;
    max = Math.max(max, x * x + y * y + z * z);
  }
  return Math.sqrt(max);
}
