/**
 * Annealed Langevin dynamics with sequential Monte Carlo (SMC) between temperature rungs, on flat state vectors
 * (no chemistry: core/sampling/conformers/conformer-sampler.ts adapts structures and calculators to it).
 *
 * A population of N replicas goes down a ladder of temperatures T_0 > T_1 > … > T_{K−1} (the target). Rung 0 runs
 * Langevin dynamics at T_0 from the initial states with uniform weights. At each later rung k the replicas are
 * reweighted by the incremental importance weight of the change of Boltzmann density
 *   log w_r += −(1/kT_k − 1/kT_{k−1}) · E(x_r)                      (E eV, k_B = BOLTZMANN_EV_PER_K eV/K)
 * the Kish effective sample size ESS = (Σ w)² / Σ w² is recorded, the population is resampled (systematic) when
 * ESS/N < essThreshold, velocities are redrawn from Maxwell–Boltzmann at T_k, and `stepsPerRung` Langevin steps at T_k
 * follow (with an optional Metropolis-accepted extra move every `moveInterval` steps, e.g. torsion rotations).
 *
 * Theory: each rung's moves (velocity refreshment, Langevin, symmetric-proposal Metropolis) leave that rung's
 * Boltzmann density π_k ∝ exp(−E/kT_k) invariant (Langevin up to its O(Δt²) discretisation error), so the weights are
 * those of an SMC sampler with MCMC kernels (Del Moral, Doucet, Jasra, J. R. Stat. Soc. B 68, 411 (2006), §3.3.2,
 * eq. 31) — without resampling exactly Neal's annealed importance sampling (Statistics and Computing 11, 125 (2001)).
 * The normaliser ratio estimate is log Z_{K−1}/Z_0 = Σ_k log Σ_r W_r^{(k−1)} w_r^{(k)} (W normalised weights before
 * rung k's increment; Del Moral et al. 2006 §3.5), Z_k = ∫ exp(−E/kT_k) dx.
 *
 * Resampling is systematic (Kitagawa, J. Comput. Graph. Stat. 5, 1 (1996)): one uniform, O(N), unbiased, and a lower
 * resampling variance than multinomial (Douc, Cappé, Moulines, ISPA 2005), so fewer distinct replicas are lost.
 *
 * The weights start uniform at rung 0, so they are only as good as rung 0's equilibration at T_0: T_0 high enough and
 * stepsPerRung long enough for the initial states to forget where they started (tested on the 2D potentials).
 *
 * Langevin: ASE's scheme via `createVectorLangevin` (core/sampling/md/integrators.ts). Units: states Å (any
 * coordinates the target defines), masses u per coordinate, time fs, friction 1/fs, energies eV, forces eV/Å, K.
 * All randomness is one seeded Mulberry32 stream (core/sampling/md/random.ts). `calls` counts single-state
 * evaluations (a batch of N states counts N).
 *
 * A state whose evaluation fails (an Error in its slot) gets weight 0 (log weight −∞), is counted in `failed`, is no
 * longer moved or evaluated, and is replaced at the next resampling; when no state is left the run ends 'stopped'.
 * An aborted `signal` ends it 'cancelled' with the states of the last completed step.
 */
import { createVectorLangevin, type VectorLangevin } from '../md/integrators';
import { createMdRandom, type MdRandom } from '../md/random';
import { ACCELERATION_FACTOR, BOLTZMANN_EV_PER_K } from '../md/units';
import { conditionalEssFraction, kishEss, logSumExp, normaliseLogWeights, systematicResample } from './weights';

export interface SmcEvaluation {
  /** eV. */
  readonly energy: number;
  /** −∂E/∂x, [dimension], eV/Å. */
  readonly forces: Float64Array;
}

export interface SmcTarget {
  readonly dimension: number;
  /** Mass of each coordinate, u (default 1). */
  readonly masses?: Float64Array;
  /** One result per state, in order. `replicas` are the states' 0-based replica indices (for messages). */
  evaluate(states: readonly Float64Array[], replicas?: readonly number[]): Promise<Array<SmcEvaluation | Error>>;
}

export interface SmcOptions {
  /** Number of replicas N. */
  readonly population: number;
  /** At least one state; cycled to fill the population (Langevin noise makes the copies diverge). */
  readonly initial: readonly Float64Array[];
  /** K, decreasing; the last is the target. */
  readonly temperatures: readonly number[];
  /** Langevin steps at each rung (0: reweighting only). */
  readonly stepsPerRung: number;
  /** fs. */
  readonly timestep: number;
  /** 1/fs. */
  readonly friction: number;
  /** Resample when ESS/N falls below this fraction (0: never; 1: always). */
  readonly essThreshold: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
  /** Extra MC move: a symmetric proposal from `state` (not modified), or undefined for none; Metropolis-accepted at T. */
  readonly move?: (state: Float64Array, uniform: () => number, temperature: number) => Float64Array | undefined;
  /** Keep the alive replicas' states at the end of every rung (SmcResult.rungEnds) [false]. */
  readonly keepRungEnds?: boolean;
  /** Langevin steps between extra-move attempts [10]. */
  readonly moveInterval?: number;
  /**
   * Adaptive tempering: before a listed temperature whose reweighting would bring the conditional ESS below
   * `essFraction`·N, insert the temperature (found by bisection on 1/kT) where it equals that fraction, up to
   * `maxRungs` rungs in all (the listed temperatures are always visited).
   */
  readonly adaptive?: { readonly essFraction: number; readonly maxRungs: number };
}

export interface SmcRungReport {
  /** 0-based. */
  readonly rung: number;
  /** K. */
  readonly temperature: number;
  /** Kish ESS after this rung's reweighting (before any resampling). */
  readonly ess: number;
  readonly essFraction: number;
  readonly resampled: boolean;
  /** Weighted mean energy at the end of the rung, eV. */
  readonly meanEnergy: number;
  /** Accepted / proposed extra moves in this rung, when a move is given. */
  readonly acceptance?: number;
  /** Single-state evaluations so far. */
  readonly calls: number;
  /** Replicas with weight 0 because their evaluation failed, so far. */
  readonly failed: number;
}

export interface SmcResult {
  readonly states: Float64Array[];
  /** eV (NaN for a failed replica). */
  readonly energies: number[];
  /** Normalised log importance weights at the last completed rung (log Σ exp = 0; −∞ for failed replicas). */
  readonly logWeights: number[];
  readonly essPerRung: number[];
  /** The rung temperatures visited, K (the listed ones plus any inserted adaptively). */
  readonly temperatures: number[];
  readonly calls: number;
  /** Estimate of log Z(T_last)/Z(T_0) over the completed rungs (0 before rung 1). */
  readonly logNormaliserRatio: number;
  /** Replicas whose evaluation failed (weight set to 0). */
  readonly failed: number;
  /** With keepRungEnds: per completed rung, the alive replicas' states (copies) and energies (eV) at its end; else []. */
  readonly rungEnds: readonly SmcRungEnd[];
  readonly status: 'done' | 'stopped' | 'cancelled';
  readonly problem?: string;
}

export interface SmcRungEnd {
  readonly temperature: number;
  readonly states: readonly Float64Array[];
  readonly energies: readonly number[];
}

interface Replica {
  positions: Float64Array;
  velocities: Float64Array;
  forces: Float64Array;
  energy: number;
  alive: boolean;
}

function checkOptions(target: SmcTarget, options: SmcOptions): void {
  const d = target.dimension;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`SMC: the dimension must be a positive integer, got ${d}`);
  if (target.masses && (target.masses.length !== d || !target.masses.every((m) => m > 0 && Number.isFinite(m)))) {
    throw new RangeError(`SMC: masses must be ${d} positive numbers (u)`);
  }
  if (!Number.isInteger(options.population) || options.population < 1) throw new RangeError(`SMC: population must be a positive integer, got ${options.population}`);
  if (options.initial.length === 0) throw new RangeError('SMC: at least one initial state is needed');
  options.initial.forEach((s, i) => {
    if (s.length !== d) throw new RangeError(`SMC: initial state ${i + 1} has ${s.length} coordinates, the target ${d}`);
    if (!s.every(Number.isFinite)) throw new RangeError(`SMC: initial state ${i + 1} has non-finite coordinates`);
  });
  if (options.temperatures.length === 0) throw new RangeError('SMC: at least one temperature is needed');
  options.temperatures.forEach((t, i) => {
    if (!(t > 0 && Number.isFinite(t))) throw new RangeError(`SMC: temperature ${i + 1} must be positive (K), got ${t}`);
  });
  if (!Number.isInteger(options.stepsPerRung) || options.stepsPerRung < 0) throw new RangeError(`SMC: stepsPerRung must be a non-negative integer, got ${options.stepsPerRung}`);
  if (!(options.timestep > 0)) throw new RangeError(`SMC: timestep must be positive (fs), got ${options.timestep}`);
  if (!(options.friction >= 0)) throw new RangeError(`SMC: friction must be non-negative (1/fs), got ${options.friction}`);
  if (!(options.essThreshold >= 0 && options.essThreshold <= 1)) throw new RangeError(`SMC: essThreshold must be in [0, 1], got ${options.essThreshold}`);
  if (options.adaptive) {
    const { essFraction, maxRungs } = options.adaptive;
    if (!(essFraction > 0 && essFraction < 1)) throw new RangeError(`SMC: adaptive.essFraction must be in (0, 1), got ${essFraction}`);
    if (!Number.isInteger(maxRungs) || maxRungs < options.temperatures.length) throw new RangeError(`SMC: adaptive.maxRungs must be an integer ≥ the ${options.temperatures.length} listed temperatures, got ${maxRungs}`);
  }
  const interval = options.moveInterval ?? 10;
  if (!Number.isInteger(interval) || interval < 1) throw new RangeError(`SMC: moveInterval must be a positive integer, got ${interval}`);
}

function weightedMeanEnergy(replicas: readonly Replica[], logWeights: readonly number[]): number {
  const w = normaliseLogWeights(logWeights);
  let sum = 0;
  for (let r = 0; r < replicas.length; r++) if (replicas[r]!.alive && w[r]! > -Infinity) sum += Math.exp(w[r]!) * replicas[r]!.energy;
  return sum;
}

/**
 * Runs the sampler; yields one report per completed rung and returns the final population.
 * Throws RangeError for invalid options (before any evaluation).
 */
export async function* annealedLangevinSmc(target: SmcTarget, options: SmcOptions): AsyncGenerator<SmcRungReport, SmcResult> {
  checkOptions(target, options);
  const d = target.dimension;
  const n = options.population;
  const masses = target.masses ?? new Float64Array(d).fill(1);
  const free = new Uint8Array(d).fill(1);
  const moveInterval = options.moveInterval ?? 10;
  const random: MdRandom = createMdRandom(options.seed);
  const { signal } = options;

  const replicas: Replica[] = Array.from({ length: n }, (_, r) => ({
    positions: Float64Array.from(options.initial[r % options.initial.length]!),
    velocities: new Float64Array(d),
    forces: new Float64Array(d),
    energy: NaN,
    alive: true,
  }));
  const savedPositions = replicas.map(() => new Float64Array(d));
  let logWeights: number[] = new Array<number>(n).fill(0);
  const essPerRung: number[] = [];
  const ladder: number[] = [];
  let calls = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let logNormaliserRatio = 0;
  const rungEnds: SmcRungEnd[] = [];

  const result = (status: SmcResult['status'], problem?: string): SmcResult => ({
    states: replicas.map((x) => Float64Array.from(x.positions)),
    energies: replicas.map((x) => (x.alive ? x.energy : NaN)),
    logWeights: normaliseLogWeights(logWeights),
    essPerRung: [...essPerRung],
    temperatures: [...ladder],
    calls,
    logNormaliserRatio,
    failed,
    rungEnds,
    status,
    ...(problem !== undefined ? { problem } : {}),
  });
  const allFailed = (): string => `all ${n} replicas failed; the first: ${firstFailure ?? 'unknown error'}`;

  /** Evaluates the given replicas' `positions` (or `proposals`); undefined when cancelled. Failures are returned as Errors. */
  async function evaluate(indices: readonly number[], states: readonly Float64Array[]): Promise<Array<SmcEvaluation | Error> | undefined> {
    if (indices.length === 0) return [];
    let results: Array<SmcEvaluation | Error>;
    try {
      results = await target.evaluate(states, indices);
    } catch (error) {
      if (signal?.aborted) return undefined;
      const message = error instanceof Error ? error.message : String(error);
      results = indices.map(() => new Error(message));
    }
    if (signal?.aborted) return undefined;
    calls += indices.length;
    const checked: Array<SmcEvaluation | Error> = [];
    for (let j = 0; j < indices.length; j++) {
      const r = indices[j]!;
      const value = results[j];
      if (value === undefined) checked.push(new Error(`replica ${r + 1}: the target returned no result`));
      else if (value instanceof Error) checked.push(value);
      else if (!Number.isFinite(value.energy)) checked.push(new Error(`replica ${r + 1}: the energy is not finite (${value.energy})`));
      else if (value.forces.length !== d || !allFinite(value.forces)) checked.push(new Error(`replica ${r + 1}: the forces are not ${d} finite numbers`));
      else checked.push(value);
    }
    return checked;
  }

  function fail(r: number, error: Error): void {
    const replica = replicas[r]!;
    replica.alive = false;
    replica.energy = NaN;
    logWeights[r] = -Infinity;
    failed++;
    firstFailure ??= `replica ${r + 1}: ${error.message}`;
  }

  const listed = options.temperatures;
  const betaOf = (t: number): number => 1 / (BOLTZMANN_EV_PER_K * t);
  let nextListed = 1;
  /** The next rung's temperature: the next listed one, or (adaptive) the one where the conditional ESS hits the fraction. */
  function chooseTemperature(k: number): number {
    const candidate = listed[nextListed]!;
    const adaptive = options.adaptive;
    if (!adaptive || k + 1 + (listed.length - nextListed) > adaptive.maxRungs) return candidate;
    const weights = normaliseLogWeights(logWeights);
    const current = betaOf(ladder[k - 1]!);
    const fraction = (b: number): number => conditionalEssFraction(weights, replicas.map((x) => (x.alive ? -(b - current) * x.energy : -Infinity)));
    let hi = betaOf(candidate);
    if (fraction(hi) >= adaptive.essFraction) return candidate;
    let lo = current;
    for (let i = 0; i < 60; i++) {
      const mid = 0.5 * (lo + hi);
      if (fraction(mid) >= adaptive.essFraction) lo = mid;
      else hi = mid;
    }
    const inserted = 1 / (BOLTZMANN_EV_PER_K * lo);
    return inserted < ladder[k - 1]! * (1 - 1e-9) ? inserted : candidate;
  }

  function aliveIndices(): number[] {
    const indices: number[] = [];
    for (let r = 0; r < n; r++) if (replicas[r]!.alive) indices.push(r);
    return indices;
  }
  function allFinite(values: Float64Array): boolean {
    for (let c = 0; c < values.length; c++) if (!Number.isFinite(values[c]!)) return false;
    return true;
  }

  // Initial energies and forces.
  if (signal?.aborted) return result('cancelled');
  {
    const indices = aliveIndices();
    const results = await evaluate(indices, indices.map((r) => replicas[r]!.positions));
    if (!results) return result('cancelled');
    results.forEach((value, j) => {
      const r = indices[j]!;
      if (value instanceof Error) fail(r, value);
      else {
        replicas[r]!.energy = value.energy;
        replicas[r]!.forces = Float64Array.from(value.forces);
      }
    });
    if (aliveIndices().length === 0) return result('stopped', allFailed());
  }

  for (let k = 0; k === 0 || nextListed < listed.length; k++) {
    if (signal?.aborted) return result('cancelled');
    let temperature = listed[0]!;
    if (k > 0) {
      temperature = chooseTemperature(k);
      if (temperature === listed[nextListed]) nextListed++;
    }
    ladder.push(temperature);
    const beta = betaOf(temperature);

    // Reweighting by the incremental importance weights.
    if (k > 0) {
      const deltaBeta = beta - betaOf(ladder[k - 1]!);
      const before = normaliseLogWeights(logWeights);
      const increments = replicas.map((x) => (x.alive ? -deltaBeta * x.energy : -Infinity));
      logNormaliserRatio += logSumExp(before.map((w, r) => w + increments[r]!));
      logWeights = logWeights.map((w, r) => w + increments[r]!);
    }
    const ess = kishEss(logWeights);
    essPerRung.push(ess);
    let resampled = false;
    if (k > 0 && ess / n < options.essThreshold) {
      const picks = systematicResample(normaliseLogWeights(logWeights), random.uniform());
      const copies = picks.map((p) => replicas[p]!);
      for (let r = 0; r < n; r++) {
        const source = copies[r]!;
        replicas[r] = { positions: Float64Array.from(source.positions), velocities: new Float64Array(d), forces: Float64Array.from(source.forces), energy: source.energy, alive: true };
      }
      logWeights = new Array<number>(n).fill(0);
      resampled = true;
    }

    // Velocity refreshment at T_k (Maxwell–Boltzmann per coordinate), then Langevin at T_k.
    const kT = BOLTZMANN_EV_PER_K * temperature;
    for (const replica of replicas) {
      for (let c = 0; c < d; c++) replica.velocities[c] = Math.sqrt((kT * ACCELERATION_FACTOR) / masses[c]!) * random.normal();
    }
    let proposed = 0;
    let accepted = 0;
    const integrators: VectorLangevin[] = options.stepsPerRung > 0 ? replicas.map(() => createVectorLangevin(options.timestep, temperature, options.friction, random, masses, free)) : [];
    for (let step = 0; step < options.stepsPerRung; step++) {
      if (signal?.aborted) return result('cancelled');
      const indices = aliveIndices();
      for (const r of indices) {
        const replica = replicas[r]!;
        savedPositions[r]!.set(replica.positions);
        integrators[r]!.beforeForces(replica.positions, replica.velocities, replica.forces);
      }
      const results = await evaluate(indices, indices.map((r) => replicas[r]!.positions));
      if (!results) {
        for (const r of indices) replicas[r]!.positions.set(savedPositions[r]!); // the last completed step
        return result('cancelled');
      }
      results.forEach((value, j) => {
        const r = indices[j]!;
        const replica = replicas[r]!;
        if (value instanceof Error) {
          replica.positions.set(savedPositions[r]!); // keep the last good geometry
          fail(r, value);
          return;
        }
        replica.energy = value.energy;
        replica.forces.set(value.forces);
        integrators[r]!.afterForces(replica.velocities, replica.forces);
      });
      if (failed > 0 && aliveIndices().length === 0) return result('stopped', allFailed());

      if (options.move && (step + 1) % moveInterval === 0) {
        const movers: number[] = [];
        const proposals: Float64Array[] = [];
        for (const r of aliveIndices()) {
          const proposal = options.move(replicas[r]!.positions, random.uniform, temperature);
          if (proposal && proposal.length === d && allFinite(proposal)) {
            movers.push(r);
            proposals.push(proposal);
          }
        }
        const outcomes = await evaluate(movers, proposals);
        if (!outcomes) return result('cancelled');
        proposed += movers.length;
        outcomes.forEach((value, j) => {
          if (value instanceof Error) return; // a failed proposal is rejected
          const replica = replicas[movers[j]!]!;
          const logAccept = -beta * (value.energy - replica.energy);
          if (logAccept >= 0 || Math.log(1 - random.uniform()) < logAccept) {
            replica.positions.set(proposals[j]!);
            replica.energy = value.energy;
            replica.forces.set(value.forces);
            accepted++;
          }
        });
      }
    }

    if (options.keepRungEnds) {
      const alive = aliveIndices();
      rungEnds.push({ temperature, states: alive.map((r) => Float64Array.from(replicas[r]!.positions)), energies: alive.map((r) => replicas[r]!.energy) });
    }
    yield {
      rung: k,
      temperature,
      ess,
      essFraction: ess / n,
      resampled,
      meanEnergy: weightedMeanEnergy(replicas, logWeights),
      ...(options.move ? { acceptance: proposed > 0 ? accepted / proposed : 0 } : {}),
      calls,
      failed,
    };
  }
  return result('done');
}
