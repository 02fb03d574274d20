/**
 * Options of the samplers, shared by the samplers, the job runners of the session and the CLI.
 *   relax(structure, calculator, options: RelaxOptions)              core/sampling/relax/relax.ts
 *   runMolecularDynamics(structure, calculator, options: MdOptions)  core/sampling/md/md.ts
 * Both are `AsyncGenerator<SamplerFrame, SamplerReport>` (core/sampling/frames.ts).
 * Units: Å, eV, fs, K, eV/Å³ (pressure here in eV/Å³; the contract's pressureGPa is converted by the runner).
 */
import type { AncLevel } from './relax/anc-optimizer';
import type { FixedAtoms } from './frames';

/** Checks run on every evaluated step; any can be turned off with `false`. Defaults in brackets. */
export interface WatchdogOptions {
  /** Two atoms closer than this, Å [0.5]. */
  readonly minDistance?: number | false;
  /** A hydrogen farther than this from its nearest bonded partner of the first frame, Å [2.5]. */
  readonly maxHydrogenDistance?: number | false;
  /** MD: the temperature above this multiple of the target (or initial) temperature, after the first 10 steps [5]. */
  readonly temperatureSpikeFactor?: number | false;
  /** MD, NVE only: |E_total − E_total(0)| per atom above this, eV [0.05]. */
  readonly maxEnergyDriftPerAtom?: number | false;
}

export interface RelaxOptions {
  /** 'anc' (xtb's ANCopt, the default for molecules), 'fire' (the default for periodic structures) or 'lbfgs'. */
  readonly optimizer?: 'anc' | 'fire' | 'lbfgs';
  /** ANCopt's convergence as `xtb --opt LEVEL` ['normal']. */
  readonly level?: AncLevel;
  /** Converged when the largest force on a free atom (and, with relaxCell, the cell's generalised force) < fmax, eV/Å [0.05] (ASE's test). */
  readonly fmax?: number;
  /** Optimizer steps at most, as ASE's `run(steps=…)`: maxSteps + 1 calculator evaluations, step 0 being the input [500]. */
  readonly maxSteps?: number;
  /** Largest displacement of any atom in one step, Å [0.2] (ASE's maxstep). */
  readonly maxStep?: number;
  /** Atoms that do not move; `relax` adds the structure's own selective-dynamics flags (`move_mask`) itself. */
  readonly fixed?: FixedAtoms;
  /** Relax the cell of a fully periodic structure too (ASE FrechetCellFilter) [false]. */
  readonly relaxCell?: boolean;
  /** External (scalar) pressure for cell relaxation, eV/Å³ [0]. */
  readonly pressure?: number;
  /** L-BFGS memory [100]. */
  readonly memory?: number;
  readonly watchdogs?: WatchdogOptions;
  readonly signal?: AbortSignal;
}

export interface MdOptions {
  /** ['langevin'] */
  readonly thermostat?: 'none' | 'langevin' | 'csvr' | 'nose-hoover';
  /** Target temperature and that of the initial Maxwell–Boltzmann velocities, K [300]. */
  readonly temperature?: number;
  /** Temperature of the initial velocities when it differs from the target, K. */
  readonly initialTemperature?: number;
  /** Initial velocities, [nAtoms * 3] Å/fs, instead of drawing them. */
  readonly velocities?: Float64Array;
  /** fs [0.5] */
  readonly timestep?: number;
  readonly steps: number;
  /** Yield a frame every this many steps (and always frame 0 and the last step) [10]. */
  readonly every?: number;
  /** Seed of velocities and thermostat noise [1]. */
  readonly seed?: number;
  /** Langevin friction, 1/fs [0.01]. */
  readonly friction?: number;
  /** CSVR / Nosé–Hoover time constant, fs [100]. */
  readonly tau?: number;
  /** Nosé–Hoover chain length [3]. */
  readonly chainLength?: number;
  readonly fixed?: FixedAtoms;
  /** Wrap atoms of periodic structures back into the cell in the yielded frames [true]. */
  readonly wrap?: boolean;
  readonly watchdogs?: WatchdogOptions;
  readonly signal?: AbortSignal;
}
