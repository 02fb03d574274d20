/**
 * The unit system of molecular dynamics, written once: positions Å, time fs, energy eV, mass u (unified atomic
 * mass unit), velocities Å/fs, temperature K. Constants are those of ASE 3.22.1 (ase/units.py, CODATA 2014), so
 * that our trajectories match ASE's:
 *
 *   ASE's time unit is Å·√(u/eV); one fs is `ASE_FS` of them (ase.units.fs = 1e-15 · √(e/u) / 1e-10).
 *   a [Å/fs²] = F [eV/Å] / m [u] · ACCELERATION_FACTOR,  ACCELERATION_FACTOR = ase.units.fs² (eV/(u·Å²)·fs²)
 *   E_kin [eV] = ½ m [u] v² [Å²/fs²] / ACCELERATION_FACTOR
 */

/** ase.units.fs (3.22.1): ASE time units per femtosecond. */
export const ASE_FS = 0.09822694788464063;

/** Converts F/m in eV/(Å·u) to Å/fs²: ase.units.fs². */
export const ACCELERATION_FACTOR = ASE_FS * ASE_FS;

/** Boltzmann constant, eV/K (ase.units.kB, 3.22.1). */
export const BOLTZMANN_EV_PER_K = 8.617330337217213e-5;

/** Kinetic energy (eV) of velocities [n*3] Å/fs with masses [n] u. */
export function kineticEnergy(velocities: ArrayLike<number>, masses: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < masses.length; i++) {
    const vx = velocities[3 * i]!, vy = velocities[3 * i + 1]!, vz = velocities[3 * i + 2]!;
    sum += masses[i]! * (vx * vx + vy * vy + vz * vz);
  }
  return (0.5 * sum) / ACCELERATION_FACTOR;
}

/** Instantaneous kinetic temperature (K) of `kinetic` eV shared by `degreesOfFreedom`; 0 without any. */
export function kineticTemperature(kinetic: number, degreesOfFreedom: number): number {
  return degreesOfFreedom > 0 ? (2 * kinetic) / (degreesOfFreedom * BOLTZMANN_EV_PER_K) : 0;
}
