/**
 * What every sampler yields and returns. A sampler is a pure loop over a Calculator (core/calc): an async
 * generator that yields frames and returns a report. It never imports tfjs and never throws for a physical
 * problem: a watchdog (core/sampling/watchdogs) or a calculator error ends the run with status 'stopped' and a
 * `problem` naming the step and the atoms; the frames yielded so far are the caller's to keep.
 *
 * Units: positions and cell Å, energies eV, forces eV/Å, velocities Å/fs, time fs, temperature K,
 * stress and pressure eV/Å³ (ASE sign convention, pressure = −tr σ / 3).
 */

export interface SamplerFrame {
  /** 0-based step (relaxation iteration or MD step) this frame belongs to. */
  readonly step: number;
  /** [nAtoms * 3] Å. */
  readonly positions: Float64Array;
  /** [9] cell rows a, b, c (Å) for periodic structures. */
  readonly cell?: Float64Array;
  /** Potential energy, eV. */
  readonly energy: number;
  /** [nAtoms * 3] eV/Å. */
  readonly forces: Float64Array;
  /** Largest |F_i| over the free atoms, eV/Å (for cells, of the filter's generalised forces). */
  readonly fmax: number;
  /** [9] row-major stress, eV/Å³, for periodic structures when the calculator gives it. */
  readonly stress?: Float64Array;
  // ---- molecular dynamics only ----
  /** Simulation time, fs. */
  readonly time?: number;
  /** [nAtoms * 3] Å/fs. */
  readonly velocities?: Float64Array;
  /** Kinetic energy, eV. */
  readonly kinetic?: number;
  /** Potential + kinetic (+ thermostat energy for Nosé–Hoover), eV. */
  readonly total?: number;
  /** Instantaneous kinetic temperature, K. */
  readonly temperature?: number;
  /** Instantaneous pressure (virial + kinetic), eV/Å³, for periodic cells. */
  readonly pressure?: number;
}

/** Why a sampler stopped early: the step, the atoms involved (0-based) and a message naming them 1-based. */
export interface SamplerProblem {
  /** Which check fired: 'non-finite', 'close-contact', 'hydrogen-detached', 'temperature-spike', 'energy-drift', 'uncovered-element', 'calculator-error'. */
  readonly kind: string;
  readonly step: number;
  readonly atoms: readonly number[];
  readonly message: string;
}

export type SamplerStatus = 'converged' | 'max-steps' | 'done' | 'stopped' | 'cancelled';

export interface SamplerReport {
  readonly status: SamplerStatus;
  /** Steps taken (calculator evaluations for relaxations). */
  readonly steps: number;
  readonly calculatorCalls: number;
  readonly problem?: SamplerProblem;
  /** One-line human summary, e.g. 'converged in 37 steps: fmax 0.041 eV/Å ≤ 0.05'. */
  readonly summary: string;
}

/** Atoms a sampler must not move (POSCAR selective dynamics, a selection), 0-based. */
export type FixedAtoms = ReadonlySet<number>;

/** The progress a sampler reports besides its frames (for job progress bars). */
export interface SamplerProgress {
  readonly step: number;
  /** Steps planned (maxSteps for relaxations, nSteps for MD). */
  readonly totalSteps: number;
  readonly energy: number;
  readonly fmax?: number;
  readonly temperature?: number;
}
