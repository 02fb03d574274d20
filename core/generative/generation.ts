/**
 * One generation run of a generator of either family, EDM (core/generative/edm) or GeoBFN (core/generative/geobfn),
 * shared by the generate job (core/session/jobs/generate-job-kind.ts) and `equimol generate`, so both give the same
 * molecules for the same seed: the atom counts of all molecules are drawn first from the seed (or fixed), then each
 * batch is one `sampleEdm` / `sampleGeoBfn` call with its own seed derived from (seed, batch index). A batch is kept
 * whole once done, so a cancelled run keeps every finished batch. A step schedule (../step-schedules.ts) places the
 * steps; `measured` first runs a seeded pilot (PILOT_MOLECULES molecules, uniform steps) and equidistributes the rate
 * at which its data estimate moved.
 *
 * The molecules then carry EDM's scores (core/generative/scoring) as properties: atom_stable_fraction,
 * stable_atoms, mol_stable, valid, smiles, unique (first of its SMILES in the run), fragments, status ('ok',
 * 'invalid' or 'error') and, for invalid or unscorable ones, error (why); their bonds are EDM's bond graph (from
 * distances with EDM's bond-length table), so an SD file of them has bonds. Needs RDKit loaded for scoring.
 */
import { sampleEdm } from './edm/sampler';
import { EdmModel, sampleAtomCount } from './edm/edm-model';
import { decodeGeneratorFile } from './edm/generator-file';
import { decodeGeoBfnFile } from './geobfn/generator-file';
import { GeoBfnModel } from './geobfn/geobfn-model';
import { sampleGeoBfn } from './geobfn/sampler';
import type { GeneratorFamily } from './generator-weights';
import { stepScheduleKinds, type StepSchedule } from './step-schedules';
import { edmStability, ScoringInputError } from './scoring/stability';
import { scoreMolecules, type MoleculeScore } from './scoring/score';
import { createStructure, type PropertyValue, type Structure } from '../structure/structure';
import { seededRandom } from '../util/seeded-random';

/** A generator of either family. */
export type GeneratorModel = EdmModel | GeoBfnModel;

export type StepScheduleKind = (typeof stepScheduleKinds)[number];

/** GeoBFN's default step count (its paper's sampler); EDM's default is its trained T. */
export const GEOBFN_DEFAULT_STEPS = 100;
/** The most steps a GeoBFN run takes (it is continuous in time; EDM's limit is its T). */
export const GEOBFN_MAX_STEPS = 100_000;
/** Molecules of the pilot run of a `measured` schedule, and its least step count. */
export const PILOT_MOLECULES = 8;
export const PILOT_STEPS = 100;

export function familyOf(model: GeneratorModel): GeneratorFamily {
  return model instanceof GeoBfnModel ? 'geobfn' : 'edm';
}

/** The property a conditional generator takes (EDM's context: name, training mean and MAD); undefined otherwise. */
export function conditioningOf(model: GeneratorModel): EdmModel['config']['context'] {
  return model instanceof EdmModel ? model.config.context : undefined;
}

/** Default and largest step counts of a generator. */
export function stepLimits(model: GeneratorModel): { defaultSteps: number; maxSteps: number } {
  return model instanceof EdmModel
    ? { defaultSteps: model.schedule.timesteps, maxSteps: model.schedule.timesteps }
    : { defaultSteps: GEOBFN_DEFAULT_STEPS, maxSteps: GEOBFN_MAX_STEPS };
}

/** The `family` a generator file's JSON names (undefined when it is not JSON or names none). */
export function familyInJson(jsonText: string): unknown {
  try {
    const raw: unknown = JSON.parse(jsonText);
    return typeof raw === 'object' && raw !== null ? (raw as { family?: unknown }).family : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a generator file of any family (its JSON `family` decides the decoder; anything but "geobfn" goes to EDM's,
 * which names what is wrong); dispose the model when done.
 */
export function decodeGenerator(jsonText: string, blob: Uint8Array, name = 'generator file'): GeneratorModel {
  return familyInJson(jsonText) === 'geobfn' ? decodeGeoBfnFile(jsonText, blob, name).model : decodeGeneratorFile(jsonText, blob, name).model;
}

/** Default molecules per batch (CLI and app alike: the batch size is part of what a seed reproduces). */
export const GENERATE_BATCH_SIZE = 32;

export interface GenerateProgress {
  /** Network evaluations done and in all (steps + 1 per batch). */
  readonly evaluations: number;
  readonly totalEvaluations: number;
  /** Denoising step within the current batch, and the batch's total (steps + 1). */
  readonly step: number;
  readonly batchSteps: number;
  /** Molecules finished. */
  readonly molecules: number;
  readonly count: number;
}

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  /** Denoising steps (EDM: ≤ T, default T; GeoBFN: default 100). */
  readonly steps?: number;
  /** Where the steps go (default uniform: the papers' samplers); a kind, or a schedule with its parameters. */
  readonly schedule?: StepScheduleKind | StepSchedule;
  /** Fixed atom count of every molecule; default drawn from the generator's atom-count histogram. */
  readonly atoms?: number;
  /** Property target of a conditional generator, in the property's units. */
  readonly target?: number;
  readonly batchSize?: number;
  /** Keep the first molecule's denoising chain, a frame every this many steps (0 or absent: none). */
  readonly trajectoryEvery?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: GenerateProgress) => void;
  /** Each finished batch (its molecules, unscored, in order; with batch 0 the trajectory), e.g. to score and show them at once. */
  readonly onBatch?: (structures: readonly Structure[], first: number, trajectory?: readonly Structure[]) => void | Promise<void>;
}

export interface GenerateResult {
  /** The finished molecules (all of them unless cancelled). */
  readonly structures: Structure[];
  /** The first molecule's frames z_t from t = T to the molecule (when asked). */
  readonly trajectory?: Structure[];
  readonly cancelled: boolean;
  /** The step schedule used (for `measured`, with the pilot's rates). */
  readonly schedule: StepSchedule;
}

/** The seed of batch `batch` of a run seeded `seed` (a fixed integer mix; any run reproduces it). */
export function batchSeed(seed: number, batch: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ Math.imul(batch + 1, 0xc2b2ae35), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The atom count of each of `count` molecules: `atoms` for all, or drawn from the histogram with the run's seed. */
export function runAtomCounts(model: GeneratorModel, count: number, seed: number, atoms?: number): number[] {
  if (atoms !== undefined) {
    if (!Number.isInteger(atoms) || atoms < 1) throw new RangeError(`atom count must be a positive integer, got ${atoms}`);
    return new Array<number>(count).fill(atoms);
  }
  const uniform = seededRandom(seed);
  return Array.from({ length: count }, () => sampleAtomCount(model.config.atomCounts, uniform));
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

function samplerOf(model: GeneratorModel) {
  return (options: {
    count: number; seed: number; steps: number; schedule: StepSchedule; atomCount?: number | readonly number[]; batchSize?: number;
    context?: number; trajectoryEvery?: number; signal?: AbortSignal; onProgress?: (p: { evaluations: number; molecules: number }) => void;
  }) => (model instanceof EdmModel ? sampleEdm(model, options) : sampleGeoBfn(model, options));
}

/** The seed of the pilot run of a `measured` schedule (a mix apart from every batch seed's). */
export function pilotSeed(seed: number): number {
  return batchSeed(seed ^ 0x6a09e667, 0x7fffffff);
}

/**
 * The step schedule of a run: a kind becomes its schedule with default parameters; `measured` (without rates)
 * runs the seeded pilot, PILOT_MOLECULES molecules at max(steps, PILOT_STEPS) uniform steps (EDM: at most T), and
 * takes the rate its data estimate moved at.
 */
export async function resolveStepSchedule(
  model: GeneratorModel, schedule: StepScheduleKind | StepSchedule | undefined, steps: number, seed: number,
  extra: { atoms?: number; target?: number; signal?: AbortSignal } = {},
): Promise<StepSchedule> {
  const kind = typeof schedule === 'string' ? schedule : schedule?.kind ?? 'uniform';
  if (!(stepScheduleKinds as readonly string[]).includes(kind)) throw new RangeError(`step schedule must be one of ${stepScheduleKinds.join(', ')}, got '${kind}'`);
  if (typeof schedule === 'object') return schedule;
  if (kind !== 'measured') return { kind } as StepSchedule;
  const pilotSteps = Math.min(Math.max(steps, PILOT_STEPS), stepLimits(model).maxSteps);
  const pilot = await samplerOf(model)({
    count: PILOT_MOLECULES, seed: pilotSeed(seed), steps: pilotSteps, schedule: { kind: 'uniform' }, batchSize: PILOT_MOLECULES,
    ...(extra.atoms !== undefined ? { atomCount: extra.atoms } : {}), ...(extra.target !== undefined ? { context: extra.target } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  });
  return { kind: 'measured', progress: pilot.estimateRates.progress, rates: pilot.estimateRates.rates };
}

/** Generates `count` molecules batch by batch; a cancel (signal) returns the finished batches with `cancelled`. */
export async function generateMolecules(model: GeneratorModel, options: GenerateOptions): Promise<GenerateResult> {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`molecule count must be a positive integer, got ${count}`);
  const { defaultSteps, maxSteps } = stepLimits(model);
  const steps = options.steps ?? defaultSteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > maxSteps) {
    throw new RangeError(`steps must be an integer in 1..${maxSteps}${model instanceof EdmModel ? ' (the generator\'s trained T)' : ''}, got ${steps}`);
  }
  if (options.target !== undefined && !(model instanceof EdmModel && model.config.context)) throw new RangeError('this generator is unconditional; it takes no property target');
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? GENERATE_BATCH_SIZE));
  const counts = runAtomCounts(model, count, seed, options.atoms);
  const batches = Math.ceil(count / batchSize);
  const batchSteps = steps + 1;
  const totalEvaluations = batches * batchSteps;
  const structures: Structure[] = [];
  let trajectory: Structure[] | undefined;
  let schedule: StepSchedule = { kind: 'uniform' };
  const stopped = () => ({ structures, ...(trajectory ? { trajectory } : {}), cancelled: true, schedule });
  const sample = samplerOf(model);
  try {
    schedule = await resolveStepSchedule(model, options.schedule, steps, seed, {
      ...(options.atoms !== undefined ? { atoms: options.atoms } : {}), ...(options.target !== undefined ? { target: options.target } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (isAbort(error, options.signal)) return stopped();
    throw error;
  }
  for (let b = 0; b < batches; b++) {
    if (options.signal?.aborted) return stopped();
    const first = b * batchSize;
    const atomCount = counts.slice(first, first + batchSize);
    const every = b === 0 ? (options.trajectoryEvery ?? 0) : 0;
    let result;
    try {
      result = await sample({
        count: atomCount.length, seed: batchSeed(seed, b), steps, schedule, atomCount, batchSize: atomCount.length,
        ...(options.target !== undefined ? { context: options.target } : {}),
        ...(every > 0 ? { trajectoryEvery: every } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p) => options.onProgress?.({
          evaluations: b * batchSteps + p.evaluations, totalEvaluations, step: p.evaluations, batchSteps,
          molecules: first + (p.molecules === atomCount.length ? atomCount.length : 0), count,
        }),
      });
    } catch (error) {
      if (isAbort(error, options.signal)) return stopped();
      throw error;
    }
    const named = result.structures.map((s, g) => createStructure({
      name: `generated ${first + g + 1}`, numbers: s.numbers, positions: s.positions, atomArrays: s.atomArrays,
    }));
    structures.push(...named);
    if (result.trajectories?.[0]) {
      trajectory = result.trajectories[0].map((frame, k) => createStructure({
        name: `generated 1, frame ${k + 1}`, numbers: frame.numbers, positions: frame.positions, atomArrays: frame.atomArrays,
        properties: { frame: k + 1 },
      }));
    }
    await options.onBatch?.(named, first, b === 0 ? trajectory : undefined);
  }
  return { structures, ...(trajectory ? { trajectory } : {}), cancelled: false, schedule };
}

/** Labels and units of the score properties of generated molecules (the document's columns). */
export const GENERATED_COLUMN_LABELS: Readonly<Record<string, { readonly label: string; readonly unit: string }>> = {
  status: { label: 'Status', unit: '' },
  error: { label: 'Why invalid', unit: '' },
  atom_stable_fraction: { label: 'Stable atoms (fraction)', unit: '' },
  stable_atoms: { label: 'Stable atoms', unit: '' },
  mol_stable: { label: 'Molecule stable', unit: '' },
  valid: { label: 'Valid', unit: '' },
  smiles: { label: 'SMILES', unit: '' },
  unique: { label: 'Unique', unit: '' },
  fragments: { label: 'Fragments', unit: '' },
};

function invalidReason(score: MoleculeScore): string {
  if (score.status === 'error') return score.error;
  const unstable = score.atoms - score.stable_atoms;
  const valence = unstable > 0 ? `${unstable} of ${score.atoms} atoms have a valence EDM does not allow` : 'every atom has an allowed valence';
  return `RDKit cannot sanitise the molecule of EDM's bonds (${valence}; ${score.fragments} fragment${score.fragments === 1 ? '' : 's'})`;
}

/**
 * Scores molecules and returns them with the score properties and EDM's bonds. `seen` holds the SMILES of the
 * run's earlier molecules (updated): `unique` is true for the first molecule of the run with its SMILES.
 */
export function withScores(molecules: readonly Structure[], seen: Set<string>, extra: Readonly<Record<string, PropertyValue>> = {}): { structures: Structure[]; scores: MoleculeScore[] } {
  const report = scoreMolecules(molecules);
  const structures = molecules.map((molecule, i) => {
    const score = report.per_molecule[i]!;
    const unique = score.smiles !== null && !seen.has(score.smiles);
    if (score.smiles !== null) seen.add(score.smiles);
    const status = score.status === 'error' ? 'error' : score.valid ? 'ok' : 'invalid';
    // The table shows a document's first 8 columns: the flags first, the reason and the target after them.
    const properties: Record<string, PropertyValue> = {
      status,
      atom_stable_fraction: score.atom_stable_fraction,
      mol_stable: score.mol_stable,
      valid: score.valid,
      unique,
      ...(score.smiles !== null ? { smiles: score.smiles } : {}),
      stable_atoms: score.stable_atoms,
      fragments: score.fragments,
      ...(status !== 'ok' ? { error: invalidReason(score) } : {}),
      ...extra,
    };
    let bonds;
    try {
      bonds = edmStability(molecule).bonds;
    } catch (error) {
      if (!(error instanceof ScoringInputError)) throw error;
    }
    return createStructure({
      name: molecule.name, numbers: molecule.numbers, positions: molecule.positions, atomArrays: molecule.atomArrays,
      ...(bonds ? { bonds } : {}), properties,
    });
  });
  return { structures, scores: report.per_molecule.map((s, i) => ({ ...s, unique: structures[i]!.properties['unique'] === true })) };
}
