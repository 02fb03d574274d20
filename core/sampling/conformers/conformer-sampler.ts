/**
 * The conformer sampler: annealed Langevin dynamics with SMC reweighting and resampling between temperature rungs
 * (core/sampling/smc/annealed-smc.ts) on a molecule's Cartesian coordinates, with any Calculator; optional
 * torsion-space Metropolis moves (torsion-moves.ts). The temperatures form a geometric ladder
 *   T_k = T_start · (T / T_start)^{k/(rungs − 1)},  k = 0 … rungs − 1,
 * (constant ratio, so the incremental weights −Δβ E change evenly; Neal 2001 §4). Post-processing (relaxation,
 * deduplication, Boltzmann weights) is core/sampling/conformers/ensemble.ts.
 *
 * Each Langevin step calls the calculator once with the batch of live replica structures. Every replica is checked by
 * the watchdog (core/sampling/watchdogs.ts: non-finite values, close contacts, detached hydrogens) before it is
 * evaluated; a broken replica or a calculator error for it gives that replica weight 0 (counted in the report), not a
 * failed run; when every replica is broken the run ends 'stopped'. Units: Å, fs, 1/fs, eV, eV/Å, K, u.
 */
import { CalculationError, structureLabel, type Calculator } from '../../calc/calculator';
import { elementOf } from '../../structure/elements';
import { createStructure, type Structure } from '../../structure/structure';
import type { SamplerProblem, SamplerReport } from '../frames';
import { annealedLangevinSmc, type SmcEvaluation, type SmcRungReport } from '../smc/annealed-smc';
import { coverageProblem, createWatchdog } from '../watchdogs';
import { createTorsionMove, invertibleNitrogens, rotatableBonds } from './torsion-moves';

export interface ConformerSamplerOptions {
  /** Replicas [32]. */
  readonly population?: number;
  /** K [1200]. */
  readonly startTemperature?: number;
  /** Target temperature, K [298.15]. */
  readonly temperature?: number;
  /** Temperature rungs including start and target [8]. */
  readonly rungs?: number;
  /** Langevin steps per rung [200]. */
  readonly stepsPerRung?: number;
  /** fs [0.5]. */
  readonly timestep?: number;
  /** 1/fs [0.01]. */
  readonly friction?: number;
  /** Resample below this ESS/N [0.5]. */
  readonly essThreshold?: number;
  readonly seed?: number;
  /** Starting geometries (several embeddings) of the same molecule; [the structure]. */
  readonly initial?: readonly Structure[];
  /** Metropolis torsion rotations (and secondary-amine N inversions) every `moveInterval` Langevin steps [false]. */
  readonly torsionMoves?: boolean;
  /** Langevin steps between torsion-move attempts [10]. */
  readonly moveInterval?: number;
  /**
   * Adaptive tempering (off by default): insert rungs between the ladder's temperatures wherever the conditional ESS
   * of a reweighting would fall below this fraction of the population (annealed-smc.ts `adaptive`).
   */
  readonly adaptiveEss?: number;
  /** With adaptiveEss: at most this many rungs in all [4 × rungs]. */
  readonly maxRungs?: number;
  /** Keep the replicas at the end of every rung but the last (ConformerSample.snapshots) [false]. */
  readonly snapshots?: boolean;
  readonly signal?: AbortSignal;
}

export const CONFORMER_SAMPLER_DEFAULTS = {
  population: 32,
  startTemperature: 1200,
  temperature: 298.15,
  rungs: 8,
  stepsPerRung: 200,
  timestep: 0.5,
  friction: 0.01,
  essThreshold: 0.5,
  seed: 1,
} as const;

export interface ConformerSample {
  /** Final replica geometries (property `energy` eV). */
  readonly structures: Structure[];
  /** eV, NaN for a dropped replica. */
  readonly energies: number[];
  /** Normalised log importance weights at the target temperature (−∞ for dropped replicas). */
  readonly logWeights: number[];
  readonly essPerRung: number[];
  /** Structures evaluated by the calculator (a batch of N counts N). */
  readonly calls: number;
  /**
   * With `snapshots`: the alive replicas at the end of each rung before the last (property `energy` eV, `rung`
   * 1-based, `temperature` K), the hotter rungs' wider view of the landscape; else [].
   */
  readonly snapshots: Structure[];
  readonly report: SamplerReport;
}

/** The geometric temperature ladder from `start` to `target` K over `rungs` rungs. */
export function temperatureLadder(start: number, target: number, rungs: number): number[] {
  if (rungs <= 1) return [target];
  return Array.from({ length: rungs }, (_, k) => (k === rungs - 1 ? target : start * (target / start) ** (k / (rungs - 1))));
}

function stoppedSample(structure: Structure, problem: SamplerProblem): ConformerSample {
  return {
    structures: [],
    energies: [],
    logWeights: [],
    essPerRung: [],
    calls: 0,
    snapshots: [],
    report: { status: 'stopped', steps: 0, calculatorCalls: 0, problem, summary: `${structureLabel(structure)}: ${problem.message}` },
  };
}

/** Samples conformers of `structure`; yields one report per rung and returns the final weighted population. */
export async function* sampleConformers(structure: Structure, calculator: Calculator, options: ConformerSamplerOptions = {}): AsyncGenerator<SmcRungReport, ConformerSample> {
  const o = { ...CONFORMER_SAMPLER_DEFAULTS, ...options };
  const n = structure.numbers.length;
  const label = structureLabel(structure);
  if (n === 0) return stoppedSample(structure, { kind: 'non-finite', step: 0, atoms: [], message: 'the structure has no atoms' });
  if (structure.cell && structure.pbc.some((p) => p)) {
    return stoppedSample(structure, { kind: 'calculator-error', step: 0, atoms: [], message: 'conformer sampling is for molecules; this structure is periodic' });
  }
  const coverage = coverageProblem(structure, calculator, 0);
  if (coverage) return stoppedSample(structure, coverage);
  const initial = options.initial && options.initial.length > 0 ? options.initial : [structure];
  initial.forEach((s, i) => {
    if (s.numbers.length !== n || s.numbers.some((z, a) => z !== structure.numbers[a])) {
      throw new RangeError(`${label}: starting geometry ${i + 1} has different atoms than the molecule`);
    }
  });
  if (!(o.startTemperature >= o.temperature && o.temperature > 0)) {
    throw new RangeError(`${label}: the start temperature (${o.startTemperature} K) must be at least the target (${o.temperature} K) and the target positive`);
  }
  if (!Number.isInteger(o.rungs) || o.rungs < 1) throw new RangeError(`${label}: rungs must be a positive integer, got ${o.rungs}`);

  const masses = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) masses.fill(elementOf(structure.numbers[i]!).mass || 1, 3 * i, 3 * i + 3);
  const watchdog = createWatchdog(structure, { mode: 'relax' });
  const asStructure = (positions: Float64Array, energy?: number, extra: Record<string, number> = {}): Structure =>
    createStructure({
      name: structure.name,
      numbers: structure.numbers,
      positions,
      ...(structure.bonds ? { bonds: structure.bonds } : {}),
      ...(structure.formalCharges ? { formalCharges: structure.formalCharges } : {}),
      charge: structure.charge,
      multiplicity: structure.multiplicity,
      properties: { ...(energy !== undefined && Number.isFinite(energy) ? { energy } : {}), ...extra },
    });
  let batch = 0;
  let firstProblem: SamplerProblem | undefined;
  const target = {
    dimension: 3 * n,
    masses,
    async evaluate(states: readonly Float64Array[], replicas?: readonly number[]): Promise<Array<SmcEvaluation | Error>> {
      const step = batch++;
      const who = (j: number): string => `${label}, replica ${(replicas?.[j] ?? j) + 1}`;
      const slots: Array<SmcEvaluation | Error | undefined> = new Array(states.length);
      const todo: Structure[] = [];
      const where: number[] = [];
      states.forEach((state, j) => {
        const problem = watchdog.check({ step, positions: state, energy: 0, forces: new Float64Array(3 * n), fmax: 0 }, step);
        if (problem) {
          firstProblem ??= problem;
          slots[j] = new CalculationError(`${who(j)}: ${problem.message}`, problem.atoms);
        } else {
          todo.push(asStructure(state));
          where.push(j);
        }
      });
      if (todo.length > 0) {
        const results = await calculator.calculate(todo, { forces: true, ...(options.signal ? { signal: options.signal } : {}) });
        results.forEach((result, m) => {
          const j = where[m]!;
          if (result instanceof Error) {
            const atoms = result instanceof CalculationError ? result.atoms : [];
            firstProblem ??= { kind: 'calculator-error', step, atoms, message: `step ${step}: ${result.message}` };
            slots[j] = new CalculationError(`${who(j)}: step ${step}: ${result.message}`, atoms);
          } else if (!result.forces) slots[j] = new CalculationError(`${who(j)}: step ${step}: ${calculator.description.name} returned no forces`);
          else slots[j] = { energy: result.energy, forces: result.forces };
        });
      }
      return slots.map((slot, j) => slot ?? new CalculationError(`${who(j)}: step ${step}: no result from ${calculator.description.name}`));
    },
  };

  const bonds = o.torsionMoves ? rotatableBonds(structure) : [];
  const move = createTorsionMove(bonds, o.torsionMoves ? invertibleNitrogens(structure) : []);
  const temperatures = temperatureLadder(o.startTemperature, o.temperature, o.rungs);
  const run = annealedLangevinSmc(target, {
    population: o.population,
    initial: initial.map((s) => s.positions),
    temperatures,
    stepsPerRung: o.stepsPerRung,
    timestep: o.timestep,
    friction: o.friction,
    essThreshold: o.essThreshold,
    seed: o.seed,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(move ? { move, ...(options.moveInterval !== undefined ? { moveInterval: options.moveInterval } : {}) } : {}),
    ...(options.snapshots ? { keepRungEnds: true } : {}),
    ...(options.adaptiveEss !== undefined ? { adaptive: { essFraction: options.adaptiveEss, maxRungs: options.maxRungs ?? 4 * o.rungs } } : {}),
  });
  let rungsDone = 0;
  for (;;) {
    const next = await run.next();
    if (next.done) {
      const result = next.value;
      const steps = rungsDone * o.stepsPerRung;
      const dropped = result.failed > 0 ? `; ${result.failed} replica${result.failed > 1 ? 's' : ''} dropped (weight 0)` : '';
      const visited = result.temperatures.length;
      const ladder = `${visited} rung${visited > 1 ? 's' : ''} ${temperatures[0]!.toFixed(0)} → ${o.temperature} K`;
      const summary =
        result.status === 'done'
          ? `${o.population} replicas over ${ladder}, final ESS ${(result.essPerRung.at(-1) ?? 0).toFixed(1)}${dropped}`
          : result.status === 'cancelled'
            ? `cancelled after ${rungsDone} rungs${dropped}`
            : `stopped at rung ${rungsDone + 1}: ${result.problem ?? 'unknown problem'}`;
      const problem: SamplerProblem | undefined =
        result.status === 'stopped'
          ? { kind: firstProblem?.kind ?? 'calculator-error', step: firstProblem?.step ?? steps, atoms: firstProblem?.atoms ?? [], message: result.problem ?? 'all replicas failed' }
          : undefined;
      return {
        structures: result.states.map((state, r) => asStructure(state, result.energies[r])),
        energies: result.energies,
        logWeights: result.logWeights,
        essPerRung: result.essPerRung,
        calls: result.calls,
        snapshots: result.rungEnds.slice(0, -1).flatMap((end, k) => end.states.map((state, j) => asStructure(state, end.energies[j], { rung: k + 1, temperature: end.temperature }))),
        report: { status: result.status, steps, calculatorCalls: result.calls, ...(problem ? { problem } : {}), summary: `${label}: ${summary}` },
      };
    }
    rungsDone++;
    yield next.value;
  }
}
