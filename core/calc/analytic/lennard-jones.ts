/**
 * Lennard-Jones pair potential, equal to ASE 3.22.1 `ase.calculators.lj.LennardJones`:
 *   φ(r) = 4ε[(σ/r)¹² − (σ/r)⁶] for r ≤ rc,
 * either shifted so that φ(rc) = 0 (smooth = false; forces jump to zero at rc), or multiplied by the C¹
 * cutoff function of Jax-MD/HOOMD-blue, in r², between the onset ro and rc (smooth = true):
 *   fc(r²) = (rc² − r²)² (rc² + 2r² − 3ro²) / (rc² − ro²)³  for ro ≤ r < rc, 1 below ro, 0 from rc on.
 * Defaults as ASE: ε = 1 eV, σ = 1 Å, rc = 3σ, ro = 0.66 rc. Energy eV, forces eV/Å, stress eV/Å³ (ASE sign).
 */
import type { Calculator } from '../calculator';
import { createPairPotentialCalculator, type PairTerm } from './pair-potential';

export interface LennardJonesOptions {
  /** Well depth ε (eV), default 1. */
  readonly epsilon?: number;
  /** Zero crossing σ (Å); the minimum is at 2^(1/6) σ. Default 1. */
  readonly sigma?: number;
  /** Cutoff rc (Å), default 3σ. */
  readonly rc?: number;
  /** Onset ro (Å) of the smooth cutoff function, default 0.66 rc. */
  readonly ro?: number;
  /** Smooth cutoff function (true) or an energy shift φ(rc) = 0 (false, default). */
  readonly smooth?: boolean;
  /**
   * Verlet-list skin (Å), default 0.3σ (1.02 Å for argon): pairs within rc + skin are listed and the list is
   * rebuilt once an atom moved more than skin/2. Changes speed only, never the result.
   */
  readonly skin?: number;
}

/** The pair term φ(r), dφ/dr of ASE's LennardJones with resolved parameters (Å, eV). */
export function lennardJonesTerm(epsilon: number, sigma: number, rc: number, ro: number, smooth: boolean): PairTerm {
  const shift = 4 * epsilon * ((sigma / rc) ** 12 - (sigma / rc) ** 6); // φ(rc), eV
  const rc2 = rc * rc, ro2 = ro * ro;
  const denominator = (rc2 - ro2) ** 3;
  return (r, out) => {
    const r2 = r * r;
    const s2 = (sigma * sigma) / r2;
    const c6 = s2 * s2 * s2;
    const c12 = c6 * c6;
    const lj = 4 * epsilon * (c12 - c6);
    const ljDerivative = (-24 * epsilon * (2 * c12 - c6)) / r; // dφ/dr, eV/Å
    if (!smooth) {
      out.energy = lj - shift;
      out.derivative = ljDerivative;
      return;
    }
    // ASE's cutoff_function / d_cutoff_function take r²; d fc/dr = 2r · d fc/d(r²).
    let fc = 0, dfcdr2 = 0;
    if (r2 < ro2) {
      fc = 1;
    } else if (r2 < rc2) {
      fc = ((rc2 - r2) * (rc2 - r2) * (rc2 + 2 * r2 - 3 * ro2)) / denominator;
      dfcdr2 = (6 * (rc2 - r2) * (ro2 - r2)) / denominator;
    }
    out.energy = fc * lj;
    out.derivative = fc * ljDerivative + 2 * r * dfcdr2 * lj;
  };
}

export function createLennardJonesCalculator(options: LennardJonesOptions = {}): Calculator {
  const epsilon = options.epsilon ?? 1;
  const sigma = options.sigma ?? 1;
  const rc = options.rc ?? 3 * sigma;
  const ro = options.ro ?? 0.66 * rc;
  const smooth = options.smooth ?? false;
  const skin = options.skin ?? 0.3 * sigma;
  if (!(epsilon >= 0 && sigma > 0 && rc > 0 && Number.isFinite(epsilon + sigma + rc))) {
    throw new RangeError(`Lennard-Jones needs ε ≥ 0, σ > 0 and rc > 0 (got ε ${epsilon} eV, σ ${sigma} Å, rc ${rc} Å)`);
  }
  if (!(skin >= 0 && Number.isFinite(skin))) throw new RangeError(`Lennard-Jones needs a Verlet skin ≥ 0 Å (got ${skin} Å)`);
  if (smooth && !(ro >= 0 && ro < rc)) throw new RangeError(`Lennard-Jones smooth cutoff needs 0 ≤ ro < rc (got ro ${ro} Å, rc ${rc} Å)`);
  return createPairPotentialCalculator(
    {
      id: 'lj',
      name: 'Lennard-Jones',
      notes: `ε ${epsilon} eV, σ ${sigma} Å, rc ${rc} Å${smooth ? `, smooth cutoff from ro ${ro} Å` : ', energy shifted to 0 at rc'} (as ASE 3.22 LennardJones)`,
    },
    { cutoff: rc, term: lennardJonesTerm(epsilon, sigma, rc, ro, smooth), skin },
  );
}
