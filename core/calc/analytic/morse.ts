/**
 * Morse pair potential, equal to ASE 3.22.1 `ase.calculators.morse.MorsePotential`:
 *   φ(r) = ε e^{ρ0(1 − r/r0)} (e^{ρ0(1 − r/r0)} − 2) · fc(r),
 * with JuLIP's piecewise quintic C^{2,1} cutoff fc(s) = 6s⁵ − 15s⁴ + 10s³, s = 1 − (r − rcut1·r0)/((rcut2 − rcut1)·r0),
 * 1 below rcut1·r0 and 0 from rcut2·r0 on. Defaults as ASE: ε = 1 eV, ρ0 = 6, r0 = 1 Å, rcut1 = 1.9, rcut2 = 2.7
 * (the cutoffs are in units of r0). ASE 3.22 gives energy and forces only; the stress here is the same virial
 * as for Lennard-Jones (pair-potential.ts), checked against the strain derivative of the energy in the tests.
 */
import type { Calculator } from '../calculator';
import { createPairPotentialCalculator, type PairTerm } from './pair-potential';

export interface MorseOptions {
  /** Well depth ε (eV), default 1. */
  readonly epsilon?: number;
  /** Exponential prefactor ρ0 (dimensionless); force constant at the minimum 2ε(ρ0/r0)². Default 6. */
  readonly rho0?: number;
  /** Minimum distance r0 (Å), default 1. */
  readonly r0?: number;
  /** Inner cutoff in units of r0, default 1.9. */
  readonly rcut1?: number;
  /** Outer cutoff in units of r0, default 2.7. */
  readonly rcut2?: number;
  /**
   * Verlet-list skin (Å), default 0.3 r0: pairs within rcut2·r0 + skin are listed and the list is rebuilt once
   * an atom moved more than skin/2. Changes speed only, never the result.
   */
  readonly skin?: number;
}

/** φ(r), dφ/dr of ASE's MorsePotential with resolved parameters; inner/outer are the cutoffs in Å. */
export function morseTerm(epsilon: number, rho0: number, r0: number, inner: number, outer: number): PairTerm {
  const width = outer - inner;
  return (r, out) => {
    const expf = Math.exp(rho0 * (1 - r / r0));
    const morse = epsilon * expf * (expf - 2);
    const morseDerivative = ((-2 * epsilon * rho0) / r0) * expf * (expf - 1);
    const s = 1 - (r - inner) / width;
    let fc = 0, fcDerivative = 0;
    if (s >= 1) {
      fc = 1;
    } else if (s > 0) {
      // 6s⁵ − 15s⁴ + 10s³ and its derivative 30s⁴ − 60s³ + 30s² = 30 s²(1 − s)², without Math.pow
      const s2 = s * s;
      fc = s2 * s * (6 * s2 - 15 * s + 10);
      fcDerivative = -(30 * s2 * (1 - s) * (1 - s)) / width;
    }
    out.energy = morse * fc;
    out.derivative = morseDerivative * fc + morse * fcDerivative;
  };
}

export function createMorseCalculator(options: MorseOptions = {}): Calculator {
  const epsilon = options.epsilon ?? 1;
  const rho0 = options.rho0 ?? 6;
  const r0 = options.r0 ?? 1;
  const rcut1 = options.rcut1 ?? 1.9;
  const rcut2 = options.rcut2 ?? 2.7;
  const skin = options.skin ?? 0.3 * r0;
  if (!(epsilon >= 0 && rho0 > 0 && r0 > 0 && rcut1 >= 0 && rcut2 > rcut1 && Number.isFinite(epsilon + rho0 + r0 + rcut2))) {
    throw new RangeError(`Morse needs ε ≥ 0, ρ0 > 0, r0 > 0 and 0 ≤ rcut1 < rcut2 (got ε ${epsilon} eV, ρ0 ${rho0}, r0 ${r0} Å, rcut1 ${rcut1}, rcut2 ${rcut2})`);
  }
  if (!(skin >= 0 && Number.isFinite(skin))) throw new RangeError(`Morse needs a Verlet skin ≥ 0 Å (got ${skin} Å)`);
  return createPairPotentialCalculator(
    {
      id: 'morse',
      name: 'Morse',
      notes: `ε ${epsilon} eV, ρ0 ${rho0}, r0 ${r0} Å, smooth cutoff ${rcut1 * r0}–${rcut2 * r0} Å (as ASE 3.22 MorsePotential)`,
    },
    { cutoff: rcut2 * r0, term: morseTerm(epsilon, rho0, r0, rcut1 * r0, rcut2 * r0), skin },
  );
}
