/**
 * Generator files on disk, EDM or GeoBFN: `NAME.generator.json` with `NAME.weights.bin` beside it (formats and checks
 * in core/generative/{edm,geobfn}/generator-file.ts, the family read from the JSON by core/generative/generation.ts;
 * this file only finds and reads the bytes). The shipped ones live under
 * assets/models (any depth), as the model files do; the compute host lists them for the Generate panel and
 * `equimol generate` picks one by name, by path, or the best shipped one.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { GeneratorModel } from '../../core/generative/generation';
import type { ModelAsset, ModelCatalogue } from '../../core/predict/model-predictors';
import { compareGeneratorRanks, generatorNameOf, generatorRank, generatorWeightsPathFor, recordedGeneratorScores, type GeneratorScoreRecord } from '../../core/session/generator-service';
import { defaultModelsDir } from '../compute-host/model-catalogue';
import { silenceTfjsHints } from './node-backend';

/** `*.generator.json` files under `dir`, recursively, sorted by path; a missing folder lists nothing. */
async function generatorJsonPaths(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await generatorJsonPaths(path)));
    else if (entry.name.endsWith('.generator.json')) found.push(path);
  }
  return found.sort();
}

/** The generator files under `dir` (default assets/models) as a catalogue: list, JSON text, weights bytes. */
export function nodeGeneratorCatalogue(dir: string = defaultModelsDir()): ModelCatalogue {
  return {
    async list(): Promise<ModelAsset[]> {
      return (await generatorJsonPaths(dir)).map((path) => ({ name: generatorNameOf(path), location: path }));
    },
    readJson: (asset) => readFile(asset.location, 'utf8'),
    async readWeights(asset) {
      const bytes = await readFile(generatorWeightsPathFor(asset.location));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}

/**
 * Reads, validates and builds the generator of a `*.generator.json` file of either family (throws ModelFileError
 * naming it, or the fs error).
 */
export async function readGeneratorFile(path: string): Promise<{ model: GeneratorModel; json: string }> {
  const { decodeGenerator } = await import('../../core/generative/generation');
  await silenceTfjsHints();
  const [json, weights] = await Promise.all([readFile(path, 'utf8'), readFile(generatorWeightsPathFor(path))]);
  return { model: decodeGenerator(json, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), basename(path)), json };
}

export class NoGeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoGeneratorError';
  }
}

export type { GeneratorScoreRecord };

/**
 * Adds `record` to the `scores` of the generator file at `path` (a record of the same steps, schedule, samples and
 * seed is replaced); the rest of the file is kept as it is. Training writes a new file without them.
 */
export async function recordGeneratorScores(path: string, record: GeneratorScoreRecord): Promise<void> {
  const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const same = (r: GeneratorScoreRecord) => r.steps === record.steps && r.schedule === record.schedule && r.samples === record.samples && r.seed === record.seed;
  doc['scores'] = [...recordedGeneratorScores(doc).filter((r) => !same(r)), record];
  await writeFile(path, JSON.stringify(doc, null, 2) + '\n');
}

/**
 * The generator file `spec` names: a path ending in .generator.json, or the NAME of a shipped one; without
 * `spec`, the best shipped one: the best recorded molecule stability (then validity) of its `scores`, else the one
 * trained on the most molecules, by its recorded runs. Throws NoGeneratorError saying what is shipped when there is
 * none or NAME is not one of them.
 */
export async function generatorFilePathOf(spec: string | undefined, dir: string = defaultModelsDir()): Promise<string> {
  if (spec !== undefined && spec.endsWith('.generator.json')) return spec;
  const assets = await nodeGeneratorCatalogue(dir).list();
  const shipped = assets.map((a) => a.name).join(', ');
  if (spec === undefined) {
    if (assets.length === 0) throw new NoGeneratorError(`no generator is shipped yet (no *.generator.json under ${dir}); give one with --model FILE.generator.json`);
    let best = assets[0]!;
    let bestRank: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    for (const asset of assets) {
      const r = generatorRank(await readFile(asset.location, 'utf8'));
      if (compareGeneratorRanks(r, bestRank) < 0) {
        best = asset;
        bestRank = r;
      }
    }
    return best.location;
  }
  const name = spec.startsWith('generator:') ? spec.slice('generator:'.length) : spec;
  const asset = assets.find((a) => a.name === name);
  if (!asset) throw new NoGeneratorError(`no shipped generator named '${name}' (shipped: ${shipped || 'none'}); a path must end in .generator.json`);
  return asset.location;
}
