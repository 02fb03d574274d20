/**
 * The generators a session offers to generate jobs: generator files of either family, EDM or GeoBFN
 * (`NAME.generator.json` with `NAME.weights.bin` beside it; core/generative/edm/generator-file.ts and
 * core/generative/geobfn/generator-file.ts), that a host lists and reads (node:fs in the compute host and the CLI,
 * fetch in web mode's worker). Listing reads only each JSON (family, card, step limits, atom counts, conditioning
 * property); the weights are read, checked and built into tf.Variables, after the host's tfjs backend is
 * initialised, when a job first uses the generator, once. A malformed file still lists, unavailable, with why.
 */
import type { GeneratorInfo } from '../contract/equimol-api';
import type { GeneratorModel } from '../generative/generation';
import type { ModelAsset, ModelCatalogue } from '../predict/model-predictors';

/** GeoBFN's step limits (its time is continuous): as GEOBFN_DEFAULT_STEPS / GEOBFN_MAX_STEPS of generation.ts. */
const GEOBFN_STEPS = { defaultSteps: 100, maxSteps: 100_000 } as const;

/** Generator ids: 'generator:NAME'. */
export const GENERATOR_ID_PREFIX = 'generator:';

/** `dir/x.generator.json` -> 'x'. */
export function generatorNameOf(fileName: string): string {
  return (fileName.split(/[\\/]/).pop() ?? fileName).replace(/\.generator\.json$/i, '');
}

/** The weights blob beside a generator file: `dir/x.generator.json` -> `dir/x.weights.bin`. */
export function generatorWeightsPathFor(path: string): string {
  return `${path.replace(/\.generator\.json$/i, '')}.weights.bin`;
}

/** Where a host's generator files come from: the same three calls as a model catalogue (list, JSON, weights). */
export interface GeneratorSource {
  readonly catalogue: ModelCatalogue;
  /** Initialises the tfjs backend; called once, before the first generator's weights are built. */
  readonly initBackend: () => Promise<unknown>;
}

export class UnknownGeneratorError extends Error {
  constructor(readonly generator: string, known: readonly string[]) {
    super(`unknown generator '${generator.slice(0, 64)}' (known: ${known.join(', ') || 'none: no *.generator.json file is installed'})`);
    this.name = 'UnknownGeneratorError';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type ConfigJson = {
  schedule?: { timesteps?: unknown }; atomCounts?: unknown; encoding?: { species?: unknown }; species?: unknown;
  context?: { property?: unknown; mean?: unknown; mad?: unknown };
};

/** The GeneratorInfo of a generator file's JSON (EDM or GeoBFN); a file that cannot be used lists unavailable with the reason. */
export function generatorInfoOf(name: string, json: string): GeneratorInfo {
  const id = GENERATOR_ID_PREFIX + name;
  const unusable = (reason: string): GeneratorInfo => ({
    id, name, title: name, description: `${name}.generator.json cannot be used: ${reason}`, family: 'edm',
    timesteps: 0, defaultSteps: 0, minAtoms: 0, maxAtoms: 0, species: [], available: false, reason,
  });
  let doc: Record<string, unknown>;
  try {
    const raw: unknown = JSON.parse(json);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return unusable('not a JSON object');
    doc = raw as Record<string, unknown>;
  } catch (error) {
    return unusable(`not valid JSON (${messageOf(error)})`);
  }
  if (doc['format'] !== 'equimol-generator') return unusable(`not an Equimol generator file (format ${JSON.stringify(doc['format'])})`);
  const family = doc['family'];
  if (family !== 'edm' && family !== 'geobfn') return unusable(`unknown generator family ${JSON.stringify(family)}`);
  const config = doc['config'] as ConfigJson | undefined;
  const counts = config?.atomCounts;
  const species = family === 'edm' ? config?.encoding?.species : config?.species;
  let limits: { defaultSteps: number; maxSteps: number } = GEOBFN_STEPS;
  if (family === 'edm') {
    const timesteps = config?.schedule?.timesteps;
    if (typeof timesteps !== 'number' || !Number.isInteger(timesteps) || timesteps < 1) return unusable('config.schedule.timesteps is not a positive integer');
    limits = { defaultSteps: timesteps, maxSteps: timesteps };
  }
  if (!Array.isArray(counts) || !counts.every((c) => typeof c === 'number' && c >= 0) || !counts.some((c) => (c as number) > 0)) return unusable('config.atomCounts is not a histogram');
  if (!Array.isArray(species) || !species.every((z) => Number.isInteger(z))) return unusable(`config.${family === 'edm' ? 'encoding.species' : 'species'} is not a list of atomic numbers`);
  const present = counts.map((c, n) => ((c as number) > 0 ? n : -1)).filter((n) => n > 0);
  const context = family === 'edm' ? config?.context : undefined;
  const property = context && typeof context.property === 'string' && typeof context.mean === 'number' && typeof context.mad === 'number'
    ? { name: context.property, mean: context.mean, mad: context.mad } : undefined;
  const card = doc['card'] as { title?: unknown; description?: unknown } | undefined;
  const training = doc['training'] as { runs?: Array<{ steps?: unknown; seconds?: unknown }>; dataset?: unknown } | undefined;
  const runs = Array.isArray(training?.runs) ? training.runs : [];
  const trainedSteps = runs.reduce((s, r) => s + (typeof r.steps === 'number' ? r.steps : 0), 0);
  const trainedHours = runs.reduce((s, r) => s + (typeof r.seconds === 'number' ? r.seconds : 0), 0) / 3600;
  const title = typeof card?.title === 'string' && card.title !== '' ? card.title : name;
  const parts = [
    typeof card?.description === 'string' ? card.description : '',
    `${family === 'edm' ? `T = ${limits.maxSteps}` : `${limits.defaultSteps} steps by default`}, ${present[0]}-${present.at(-1)} atoms`,
    property ? `conditioned on ${property.name}` : 'unconditional',
    runs.length > 0 ? `trained ${trainedSteps} steps (${trainedHours.toFixed(2)} h)${typeof training?.dataset === 'string' ? ` on ${training.dataset}` : ''}` : 'no training recorded',
    scoredText(bestRecord(doc)),
  ].filter((p) => p !== '');
  return {
    id, name, title, description: `${family === 'edm' ? 'EDM' : 'GeoBFN'}: ${title}; ${parts.join('; ')}`, family,
    timesteps: limits.maxSteps, defaultSteps: limits.defaultSteps,
    minAtoms: present[0]!, maxAtoms: present.at(-1)!, species: species as number[], ...(property ? { property } : {}), available: true,
  };
}

/** Scores of one `equimol generate --record-scores` run, kept in the generator file's `scores` list (percentages). */
export interface GeneratorScoreRecord {
  readonly samples: number;
  readonly steps: number;
  readonly schedule: string;
  readonly seed: number;
  readonly atomStability: number;
  readonly moleculeStability: number;
  readonly validity: number;
  readonly uniqueness: number;
  readonly command: string;
  readonly date: string;
}

/** The well-formed records of a generator document's `scores`. */
export function recordedGeneratorScores(doc: Record<string, unknown>): GeneratorScoreRecord[] {
  const scores = doc['scores'];
  const finite = (r: Record<string, unknown>) => ['samples', 'steps', 'atomStability', 'moleculeStability', 'validity'].every((k) => Number.isFinite(r[k]));
  return Array.isArray(scores) ? scores.filter((r): r is GeneratorScoreRecord => typeof r === 'object' && r !== null && finite(r as Record<string, unknown>)) : [];
}

/** The record with the best molecule stability, then validity. */
function bestRecord(doc: Record<string, unknown>): GeneratorScoreRecord | undefined {
  return recordedGeneratorScores(doc).reduce<GeneratorScoreRecord | undefined>((b, r) => (!b || r.moleculeStability > b.moleculeStability || (r.moleculeStability === b.moleculeStability && r.validity > b.validity) ? r : b), undefined);
}

/**
 * How a generator file ranks as the default, higher first: its best recorded [molecule stability, validity] (−1 when
 * none is recorded), then the training molecules its runs saw. Unreadable JSON ranks last.
 */
export function generatorRank(json: string): [number, number, number] {
  try {
    const doc = JSON.parse(json) as Record<string, unknown>;
    const best = bestRecord(doc);
    const runs = (doc['training'] as { runs?: Array<{ molecules?: unknown }> } | undefined)?.runs ?? [];
    const seen = Array.isArray(runs) ? runs.reduce((s, r) => s + (typeof r.molecules === 'number' ? r.molecules : 0), 0) : 0;
    return [best?.moleculeStability ?? -1, best?.validity ?? -1, seen];
  } catch {
    return [-Infinity, -Infinity, -Infinity];
  }
}

/** Higher rank first (a stable sort keeps the catalogue's order among equals). */
export function compareGeneratorRanks(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < 3; k++) if (a[k] !== b[k]) return b[k]! - a[k]!;
  return 0;
}

function scoredText(r: GeneratorScoreRecord | undefined): string {
  if (!r) return '';
  return `scored ${r.atomStability.toFixed(1)} % atom stability, ${r.moleculeStability.toFixed(1)} % molecule stability, ${r.validity.toFixed(1)} % valid (${r.samples} samples, ${r.steps} steps${r.schedule !== 'uniform' ? `, ${r.schedule}` : ''})`;
}

export class GeneratorService {
  private listed: Promise<Array<{ asset: ModelAsset; info: GeneratorInfo }>> | undefined;
  private readonly loaded = new Map<string, Promise<GeneratorModel>>();
  private backend: Promise<unknown> | undefined;

  constructor(private readonly source: GeneratorSource | undefined) {}

  private all(): Promise<Array<{ asset: ModelAsset; info: GeneratorInfo }>> {
    const source = this.source;
    if (!source) return Promise.resolve([]);
    this.listed ??= (async () => {
      const assets = await source.catalogue.list();
      const entries = await Promise.all(assets.map(async (asset) => {
        try {
          const json = await source.catalogue.readJson(asset);
          return { asset, info: generatorInfoOf(asset.name, json), rank: generatorRank(json) };
        } catch (error) {
          return { asset, info: generatorInfoOf(asset.name, `unreadable: ${messageOf(error)}`), rank: [-Infinity, -Infinity, -Infinity] };
        }
      }));
      // The best first (best recorded molecule stability, then validity, then molecules seen): the app's default.
      return entries.sort((a, b) => compareGeneratorRanks(a.rank, b.rank)).map(({ asset, info }) => ({ asset, info }));
    })();
    return this.listed;
  }

  async list(): Promise<readonly GeneratorInfo[]> {
    return (await this.all()).map((e) => e.info);
  }

  /** The listing of a generator; throws UnknownGeneratorError for an id not offered, an Error for an unusable file. */
  async describe(id: string): Promise<GeneratorInfo> {
    const all = await this.all();
    const entry = all.find((e) => e.info.id === id);
    if (!entry) throw new UnknownGeneratorError(id, all.map((e) => e.info.id));
    if (!entry.info.available) throw new Error(entry.info.description);
    return entry.info;
  }

  /** The generator's model, built once (the weights are read and checked on first use); a failure is retried. */
  async get(id: string): Promise<GeneratorModel> {
    await this.describe(id);
    let model = this.loaded.get(id);
    if (!model) {
      const source = this.source!;
      const { asset } = (await this.all()).find((e) => e.info.id === id)!;
      model = (async () => {
        this.backend ??= source.initBackend();
        await this.backend;
        const [{ decodeGenerator }, json, weights] = await Promise.all([
          import('../generative/generation'), source.catalogue.readJson(asset), source.catalogue.readWeights(asset),
        ]);
        return decodeGenerator(json, weights, `${asset.name}.generator.json`);
      })();
      this.loaded.set(id, model);
      model.catch(() => {
        this.loaded.delete(id);
        this.backend = undefined;
      });
    }
    return model;
  }

  dispose(): void {
    for (const model of this.loaded.values()) model.then((m) => m.dispose(), () => undefined);
    this.loaded.clear();
  }
}
