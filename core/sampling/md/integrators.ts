/**
 * MD integrators as two halves around the one force evaluation of a step: `beforeForces` takes positions
 * x(t) → x(t + Δt) (with the first velocity half-step), `afterForces` completes v(t + Δt) from F(t + Δt).
 *
 *   velocity Verlet (NVE)  Swope, Andersen, Berens, Wilson, J. Chem. Phys. 76, 637 (1982)
 *   Langevin               ASE 3.22.1 ase/md/langevin.py: Vanden-Eijnden & Ciccotti, Chem. Phys. Lett. 429, 310
 *                          (2006) eq. 23, the same coefficients c1..c5 and the same use of two normal draws ξ, η per
 *                          atom and axis and step (the stream is Mulberry32, not NumPy's, so agreement is statistical)
 *   CSVR                   Bussi, Donadio, Parrinello, J. Chem. Phys. 126, 014101 (2007), eq. (A7), applied for Δt/2
 *                          before and after a velocity-Verlet step
 *   Nosé–Hoover chain      Martyna, Tuckerman, Tobias, Klein, Mol. Phys. 87, 1117 (1996): Trotter splitting
 *                          NHC(Δt/2) · VV(Δt) · NHC(Δt/2), third-order Suzuki–Yoshida weights; conserved energy
 *                          E_pot + E_kin + Σ ½Q_j v_ξj² + N_f kT ξ_1 + kT Σ_{j≥2} ξ_j
 *
 * Units: Å, fs, eV, u; velocities Å/fs; `accelerationScale[i]` = ACCELERATION_FACTOR / m_i (0 for fixed atoms, which
 * therefore keep zero velocity and never move).
 */
import type { MdRandom } from './random';
import { subtractCentreOfMassVelocity } from './random';
import { ACCELERATION_FACTOR, BOLTZMANN_EV_PER_K, kineticEnergy } from './units';

export interface MdState {
  /** [n*3] Å, unwrapped (continuous) positions. */
  readonly positions: Float64Array;
  /** [n*3] Å/fs. */
  readonly velocities: Float64Array;
  /** [n*3] eV/Å at the current positions. */
  forces: Float64Array;
  /** [n] u. */
  readonly masses: Float64Array;
  /** [n] (Å/fs²)/(eV/Å): ACCELERATION_FACTOR / m for free atoms, 0 for fixed ones. */
  readonly accelerationScale: Float64Array;
  /** Kinetic degrees of freedom: 3 N_free, minus 3 when the centre-of-mass motion is removed. */
  readonly degreesOfFreedom: number;
  /** No fixed atoms: the centre of mass is kept at rest (ASE's fixcm). */
  readonly removeCentreOfMass: boolean;
}

export interface Integrator {
  beforeForces(state: MdState): void;
  afterForces(state: MdState): void;
  /** Energy of the thermostat's own variables in the conserved quantity, eV (Nosé–Hoover; 0 otherwise). */
  thermostatEnergy(): number;
}

function halfKick(state: MdState, dt: number): void {
  const { velocities, forces, accelerationScale } = state;
  for (let i = 0; i < accelerationScale.length; i++) {
    const c = 0.5 * dt * accelerationScale[i]!;
    velocities[3 * i]! += c * forces[3 * i]!;
    velocities[3 * i + 1]! += c * forces[3 * i + 1]!;
    velocities[3 * i + 2]! += c * forces[3 * i + 2]!;
  }
}

function drift(state: MdState, dt: number): void {
  const { positions, velocities } = state;
  for (let k = 0; k < positions.length; k++) positions[k]! += dt * velocities[k]!;
}

function scaleVelocities(state: MdState, factor: number): void {
  const { velocities } = state;
  for (let k = 0; k < velocities.length; k++) velocities[k]! *= factor;
}

/** Velocity Verlet, timestep `dt` fs. */
export function createVelocityVerlet(dt: number): Integrator {
  return {
    beforeForces(state) {
      halfKick(state, dt);
      drift(state, dt);
    },
    afterForces(state) {
      halfKick(state, dt);
    },
    thermostatEnergy: () => 0,
  };
}

/** One Langevin step on flat vectors (any dimension), in the two halves around the force evaluation. */
export interface VectorLangevin {
  /** Draws ξ, η, first velocity update, positions x(t) → x(t + Δt); `afterDrift(positions, previous)` may shift them. */
  beforeForces(positions: Float64Array, velocities: Float64Array, forces: Float64Array, afterDrift?: (positions: Float64Array, previous: Float64Array) => void): void;
  /** Second velocity update with F(t + Δt) and the same ξ, η. */
  afterForces(velocities: Float64Array, forces: Float64Array): void;
}

/**
 * ASE's Langevin step (below) per coordinate: `coordinateMasses[k]` u and `coordinateFree[k]` for each of the
 * d coordinates, forces eV/Å, velocities Å/fs. The atomistic `createLangevin` is this with every atom's mass
 * repeated for its three axes; the SMC sampler (core/sampling/smc) uses it on states of any dimension.
 */
export function createVectorLangevin(dt: number, temperature: number, friction: number, random: MdRandom, coordinateMasses: Float64Array, coordinateFree: Uint8Array): VectorLangevin {
  const d = coordinateMasses.length;
  const kT = BOLTZMANN_EV_PER_K * temperature;
  const c1 = dt / 2 - (dt * dt * friction) / 8;
  const c2 = (dt * friction) / 2 - (dt * dt * friction * friction) / 8;
  const scale = new Float64Array(d);
  const c3 = new Float64Array(d);
  const c4 = new Float64Array(d);
  const c5 = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    scale[k] = coordinateFree[k] ? ACCELERATION_FACTOR / coordinateMasses[k]! : 0;
    const sigma = coordinateFree[k] ? Math.sqrt((2 * kT * friction * ACCELERATION_FACTOR) / coordinateMasses[k]!) : 0;
    c3[k] = (Math.sqrt(dt) * sigma) / 2 - (dt ** 1.5 * friction * sigma) / 8;
    c5[k] = (dt ** 1.5 * sigma) / (2 * Math.sqrt(3));
    c4[k] = (friction / 2) * c5[k]!;
  }
  const xi = new Float64Array(d);
  const eta = new Float64Array(d);
  const previous = new Float64Array(d);

  function update(velocities: Float64Array, forces: Float64Array): void {
    for (let k = 0; k < d; k++) {
      if (!coordinateFree[k]) continue;
      velocities[k] = velocities[k]! + c1 * scale[k]! * forces[k]! - c2 * velocities[k]! + c3[k]! * xi[k]! - c4[k]! * eta[k]!;
    }
  }

  return {
    beforeForces(positions, velocities, forces, afterDrift) {
      for (let k = 0; k < d; k++) xi[k] = random.normal();
      for (let k = 0; k < d; k++) eta[k] = random.normal();
      update(velocities, forces);
      previous.set(positions);
      for (let k = 0; k < d; k++) positions[k]! += dt * velocities[k]! + c5[k]! * eta[k]!;
      afterDrift?.(positions, previous);
      for (let k = 0; k < d; k++) velocities[k] = (positions[k]! - previous[k]! - c5[k]! * eta[k]!) / dt;
    },
    afterForces(velocities, forces) {
      update(velocities, forces);
    },
  };
}

/**
 * ASE's Langevin (3.22.1, `_lgv_version` 4) with `friction` γ in 1/fs at `temperature` K. Per atom, with
 * σ = √(2 kT γ / m) (here in Å/fs^1.5):
 *   c1 = Δt/2 − Δt²γ/8, c2 = Δtγ/2 − Δt²γ²/8, c3 = √Δt σ/2 − Δt^1.5 γσ/8, c5 = Δt^1.5 σ/(2√3), c4 = γ c5/2
 *   v ← v + c1 a − c2 v + c3 ξ − c4 η;  x ← x + Δt v + c5 η (centre of mass restored);  v ← (x' − x − c5 η)/Δt
 *   (forces)  v ← v + c1 a − c2 v + c3 ξ − c4 η;  v ← v − v_com
 * ξ and η are drawn at the start of each step, ξ for all atoms then η, row-major (atom, axis) as NumPy's
 * standard_normal(size=(natoms, 3)). The arithmetic is `createVectorLangevin` on the 3N coordinates.
 */
export function createLangevin(dt: number, temperature: number, friction: number, random: MdRandom, masses: Float64Array, free: Uint8Array): Integrator {
  const n = masses.length;
  const coordinateMasses = new Float64Array(3 * n);
  const coordinateFree = new Uint8Array(3 * n);
  for (let k = 0; k < 3 * n; k++) {
    coordinateMasses[k] = masses[Math.floor(k / 3)]!;
    coordinateFree[k] = free[Math.floor(k / 3)]!;
  }
  const step = createVectorLangevin(dt, temperature, friction, random, coordinateMasses, coordinateFree);

  // atoms.set_center_of_mass(old_com): shift every atom by the change of the mass-weighted centre.
  function restoreCentreOfMass(positions: Float64Array, previous: Float64Array): void {
    let total = 0;
    const shift = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      total += masses[i]!;
      for (let d = 0; d < 3; d++) shift[d]! += masses[i]! * (positions[3 * i + d]! - previous[3 * i + d]!);
    }
    for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) positions[3 * i + d]! -= shift[d]! / total;
  }

  return {
    beforeForces(state) {
      step.beforeForces(state.positions, state.velocities, state.forces, state.removeCentreOfMass ? restoreCentreOfMass : undefined);
    },
    afterForces(state) {
      step.afterForces(state.velocities, state.forces);
      if (state.removeCentreOfMass) subtractCentreOfMassVelocity(state.velocities, masses);
    },
    thermostatEnergy: () => 0,
  };
}

/**
 * Bussi–Donadio–Parrinello velocity rescaling over a time `dt`: all velocities are scaled by α (K' = α² K), eq. (A7):
 *   α² = c + (1 − c)(R₁² + Σ_{i=2}^{N_f} R_i²) K̄/(N_f K) + 2 R₁ √(c (1 − c) K̄/(N_f K)),  c = exp(−dt/τ),
 *   sign(α) = sign(R₁ + √(c N_f K / ((1 − c) K̄))),  K̄ = N_f kT / 2;  Σ R_i² drawn as one chi-squared variate.
 */
export function csvrRescale(state: MdState, dt: number, temperature: number, tau: number, random: MdRandom): void {
  const nf = state.degreesOfFreedom;
  if (nf <= 0) return;
  const kinetic = kineticEnergy(state.velocities, state.masses);
  if (!(kinetic > 0)) return;
  const target = 0.5 * nf * BOLTZMANN_EV_PER_K * temperature;
  const c = tau > 0 ? Math.exp(-dt / tau) : 0;
  const r1 = random.normal();
  const rest = random.chiSquared(nf - 1);
  const ratio = target / (nf * kinetic);
  const alpha2 = c + (1 - c) * (r1 * r1 + rest) * ratio + 2 * r1 * Math.sqrt(c * (1 - c) * ratio);
  const sign = r1 + Math.sqrt((c * nf * kinetic) / ((1 - c) * target)) < 0 ? -1 : 1;
  scaleVelocities(state, sign * Math.sqrt(Math.max(0, alpha2)));
}

/** CSVR: rescale(Δt/2) · velocity Verlet · rescale(Δt/2); `tau` fs. */
export function createCsvr(dt: number, temperature: number, tau: number, random: MdRandom): Integrator {
  return {
    beforeForces(state) {
      csvrRescale(state, dt / 2, temperature, tau, random);
      halfKick(state, dt);
      drift(state, dt);
    },
    afterForces(state) {
      halfKick(state, dt);
      csvrRescale(state, dt / 2, temperature, tau, random);
    },
    thermostatEnergy: () => 0,
  };
}

/** Third-order Suzuki–Yoshida weights (MTTK 1996, Table 1). */
const W1 = 1 / (2 - Math.cbrt(2));
const SUZUKI_YOSHIDA = [W1, 1 - 2 * W1, W1] as const;

/**
 * Nosé–Hoover chain of `chainLength` thermostats with masses Q_1 = N_f kT τ², Q_j = kT τ² (eV·fs²), thermostat
 * velocities v_ξ in 1/fs. `propagateChain` is the Liouville operator exp(iL_NHC Δt/2) of MTTK eqs. (29)–(31) with
 * the particle velocities scaled by exp(−v_ξ1 δ/2) once per Suzuki–Yoshida sub-step.
 */
export function createNoseHooverChain(dt: number, temperature: number, tau: number, chainLength: number, degreesOfFreedom: number): Integrator {
  const m = Math.max(1, Math.floor(chainLength));
  const kT = BOLTZMANN_EV_PER_K * temperature;
  const nf = degreesOfFreedom;
  const q = Array.from({ length: m }, (_, j) => (j === 0 ? nf : 1) * kT * tau * tau);
  const vXi = new Float64Array(m);
  const xi = new Float64Array(m);
  const g = new Float64Array(m);

  function propagateChain(state: MdState): void {
    if (nf <= 0 || !(kT > 0)) return;
    let kinetic = kineticEnergy(state.velocities, state.masses);
    let scale = 1;
    for (const w of SUZUKI_YOSHIDA) {
      const delta = w * dt; // sub-step of the full Δt; each pass below covers delta/2
      g[0] = (2 * kinetic - nf * kT) / q[0]!;
      for (let j = 1; j < m; j++) g[j] = (q[j - 1]! * vXi[j - 1]! * vXi[j - 1]! - kT) / q[j]!;
      vXi[m - 1]! += (g[m - 1]! * delta) / 4;
      for (let j = m - 2; j >= 0; j--) {
        const damp = Math.exp((-vXi[j + 1]! * delta) / 8);
        vXi[j] = (vXi[j]! * damp + (g[j]! * delta) / 4) * damp;
      }
      const factor = Math.exp((-vXi[0]! * delta) / 2);
      scale *= factor;
      kinetic *= factor * factor;
      for (let j = 0; j < m; j++) xi[j]! += (vXi[j]! * delta) / 2;
      g[0] = (2 * kinetic - nf * kT) / q[0]!;
      for (let j = 0; j < m - 1; j++) {
        const damp = Math.exp((-vXi[j + 1]! * delta) / 8);
        vXi[j] = (vXi[j]! * damp + (g[j]! * delta) / 4) * damp;
        g[j + 1] = (q[j]! * vXi[j]! * vXi[j]! - kT) / q[j + 1]!;
      }
      vXi[m - 1]! += (g[m - 1]! * delta) / 4;
    }
    scaleVelocities(state, scale);
  }

  return {
    beforeForces(state) {
      propagateChain(state);
      halfKick(state, dt);
      drift(state, dt);
    },
    afterForces(state) {
      halfKick(state, dt);
      propagateChain(state);
    },
    thermostatEnergy() {
      let energy = 0;
      for (let j = 0; j < m; j++) energy += 0.5 * q[j]! * vXi[j]! * vXi[j]! + (j === 0 ? nf : 1) * kT * xi[j]!;
      return energy;
    },
  };
}
