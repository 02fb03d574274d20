/**
 * Training of a 3D-molecule generator (EDM or GeoBFN, ./generator-families.ts) on structure files, for
 * `equimol train --family edm|geobfn DATA... --out NAME --minutes M`: the molecules (atoms and positions, and the
 * conditioning property of a conditional EDM) read from any readable file, split by molecule name (validation and
 * test fractions, seed 1 by default: all frames of a molecule on one side; the generator trains on the training side),
 * --init to continue from a generator file (its weights, configuration and run record; Adam's moments restart), a
 * checkpoint every --checkpoint-minutes and at the end writing NAME.generator.json + NAME.weights.bin (the EMA weights)
 * and the card NAME.md (what it is, the data, every run with its command, budget and molecules/s), and progress
 * (loss, molecules/s per wall and CPU second) every 30 s. The QM9 recipes (scripts/train-edm-qm9.ts,
 * scripts/train-geobfn-qm9.ts) are this on ../shared/datasets/qm9_xtb.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { BackendPreference } from '../../core/engine/backend/backend';
import type { ModelCard } from '../../core/engine/model-file/model-file';
import { splitByName } from '../../core/engine/train/splits';
import { familyInJson } from '../../core/generative/generation';
import type { GeneratorRun, GeneratorTraining } from '../../core/generative/generator-weights';
import type { GeneratorCheckpoint, GeneratorTrainResult } from '../../core/generative/train-loop';
import { createStructure, type Structure } from '../../core/structure/structure';
import { readStructures } from '../io/read-structures';
import { initNodeBackend } from '../models/node-backend';
import { GENERATOR_FAMILIES, generatorFamilies, type GeneratorFamilyName, type GeneratorModelOptions, type TrainableGenerator } from './generator-families';

export interface GeneratorTrainingConfig {
  /** The family of a new model (with --init, the file's). */
  readonly family?: GeneratorFamilyName;
  readonly data: readonly string[];
  /** Output stem: NAME.generator.json, NAME.weights.bin, NAME.md. */
  readonly out: string;
  readonly minutes: number;
  readonly checkpointMinutes: number;
  readonly init?: string;
  readonly model: GeneratorModelOptions;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly emaDecay: number;
  /** Seed of the split, the weights and the batches (a continued run adds its run count to the last two). */
  readonly seed: number;
  readonly validation: number;
  readonly test: number;
  /** Train on the first N training molecules only (smoke runs). */
  readonly limit?: number;
  readonly backend: BackendPreference;
  /** The command line recorded in the card. */
  readonly command: string;
}

export interface GeneratorTrainingOutcome extends GeneratorTrainResult {
  readonly files: readonly string[];
  readonly trainMolecules: number;
}

/** Reads a generator file (family from its JSON) with its weights beside it. */
async function readGeneratorFile(path: string): Promise<{ family: GeneratorFamilyName; model: TrainableGenerator; runs: GeneratorRun[] }> {
  const json = await readFile(path, 'utf8');
  const family = familyInJson(json);
  if (!(GENERATOR_FAMILIES as readonly unknown[]).includes(family)) throw new Error(`${path}: not a generator file of a known family (${GENERATOR_FAMILIES.join(', ')})`);
  const decoded = generatorFamilies[family as GeneratorFamilyName].decode(json, new Uint8Array(await readFile(path.replace(/\.generator\.json$/, '.weights.bin'))), path);
  return { family: family as GeneratorFamilyName, model: decoded.model, runs: [...(decoded.document.training?.runs ?? [])] };
}

/** The card NAME.md: what the generator is, its options and size, every run, intended use, limitations, citation. */
function cardMarkdown(card: ModelCard & { citation: string }, training: GeneratorTraining, backend: string, parameters: number): string {
  const lines = [
    `# ${card.title}`, '', card.description, '', `- Training data: ${card.trainingData}`, `- Backend: ${backend}`,
    `- Options: ${JSON.stringify(training.options)}`, `- Parameters: ${parameters}`, '',
    '| run | steps | molecules | seconds | molecules/s | final loss | stopped by | command |', '|---|---|---|---|---|---|---|---|',
    ...training.runs.map((r, i) => `| ${i + 1} | ${r.steps} | ${r.molecules} | ${r.seconds.toFixed(0)} | ${(r.molecules / Math.max(r.seconds, 1e-9)).toFixed(1)} | ${typeof r.finalLoss === 'number' && Number.isFinite(r.finalLoss) ? r.finalLoss.toFixed(4) : 'n/a (no steps)'} | ${r.stoppedBy} | \`${r.command}\` |`),
    '', `- Intended use: ${card.intendedUse}`, `- Limitations: ${card.limitations}`, `- Citation: ${card.citation}`, '',
  ];
  return lines.join('\n');
}

/** Trains a generator as `config` says; `log` gets the progress lines. */
export async function trainGeneratorOnFiles(config: GeneratorTrainingConfig, io: { log: (line: string) => void; signal?: AbortSignal }): Promise<GeneratorTrainingOutcome> {
  const backend = await initNodeBackend(config.backend);
  io.log(`backend: ${backend.description}`);
  const started = performance.now();
  const existing = config.init ? await readGeneratorFile(config.init) : undefined;
  const familyName = existing?.family ?? config.family ?? 'edm';
  const family = generatorFamilies[familyName];
  const condition = existing ? family.condition(existing.model) : config.model.condition;
  const all: Structure[] = [];
  for (const path of config.data) {
    for (const [k, s] of (await readStructures(path)).entries()) {
      const value = condition ? s.properties[condition] : undefined;
      if (condition && (typeof value !== 'number' || !Number.isFinite(value))) throw new Error(`${path}, record ${k + 1}: no finite '${condition}' to condition on`);
      all.push(createStructure({ name: s.name, numbers: s.numbers, positions: s.positions, properties: condition ? { [condition]: value as number } : {} }));
    }
  }
  if (all.length === 0) throw new Error(`no molecules in ${config.data.join(', ')}`);
  const split = splitByName(all, { seed: config.seed, validation: config.validation, test: config.test });
  const train = config.limit !== undefined ? split.train.slice(0, config.limit) : split.train;
  if (train.length === 0) throw new Error('the training side of the split is empty');
  io.log(`read ${all.length} molecules in ${((performance.now() - started) / 1000).toFixed(1)} s; training on ${train.length} (split by name: ${split.validation.length} validation, ${split.test.length} test left out)`);

  const model = existing?.model ?? family.create(config.model, train);
  const earlierRuns = existing?.runs ?? [];
  if (existing) io.log(`continuing from ${config.init} (${earlierRuns.length} runs, ${earlierRuns.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s)`);
  const trainOptions = { batchSize: config.batchSize, learningRate: config.learningRate, emaDecay: config.emaDecay, seed: config.seed + earlierRuns.length };
  const dataset = config.data.map((p) => basename(p)).join(', ');
  const files = [`${config.out}.generator.json`, `${config.out}.weights.bin`, `${config.out}.md`];

  let previousLoss = Number.NaN;
  async function save(checkpoint: GeneratorCheckpoint): Promise<void> {
    if (Number.isFinite(checkpoint.loss)) previousLoss = checkpoint.loss;
    const run: GeneratorRun = {
      steps: checkpoint.step, seconds: checkpoint.seconds, molecules: checkpoint.step * trainOptions.batchSize, command: config.command,
      stoppedBy: checkpoint.stoppedBy ?? 'running (checkpoint)', finalLoss: previousLoss,
    };
    const runs = [...earlierRuns, run];
    const training: GeneratorTraining = {
      dataset: `${dataset}, name split seed ${config.seed}: train side`, trainMolecules: train.length,
      runs, backend: backend.description, options: { ...trainOptions, ...(condition ? { condition } : {}) }, date: new Date().toISOString(),
    };
    const d = model.config.dynamics;
    const elements = [...new Set(train.flatMap((s) => Array.from(s.numbers)))].sort((a, b) => a - b);
    const largest = train.reduce((m, s) => Math.max(m, s.numbers.length), 0);
    const card: ModelCard & { citation: string } = {
      title: `${family.title} ${d.features}×${d.layers} on ${dataset} (CPU, ${(runs.reduce((s, r) => s + r.seconds, 0) / 3600).toFixed(2)} h)`,
      description: family.describe(model),
      trainingData: `${dataset}: ${train.length} training molecules (split by name)`,
      intendedUse: `De novo 3D molecules like the training data (atomic numbers ${elements.join(', ')}; up to ${largest} atoms).`,
      limitations: family.limitations,
      citation: family.citation,
    };
    const file = family.encode(model, { card, training }, checkpoint.weights);
    await mkdir(dirname(config.out), { recursive: true });
    await writeFile(files[1]!, file.weights);
    await writeFile(files[0]!, file.json);
    await writeFile(files[2]!, cardMarkdown(card, training, backend.description, Object.values(model.params).reduce((s, v) => s + v.size, 0)));
  }

  let lastLog = 0;
  const cpuStart = process.cpuUsage();
  /** CPU seconds this process used since training began (a shared machine's wall-clock rates understate). */
  const cpuSeconds = (): number => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1e6; };
  let recent: number[] = [];
  let last = { step: 0, cpu: 0 };
  try {
    const result = await family.train(model, {
      molecules: train, ...trainOptions,
      timeBudgetSeconds: config.minutes * 60,
      checkpointEverySeconds: config.checkpointMinutes * 60,
      ...(io.signal ? { signal: io.signal } : {}),
      onStep: ({ step, loss, seconds }) => {
        recent.push(loss);
        if (seconds - lastLog < 30) return;
        const cpu = cpuSeconds();
        const molecules = (step - last.step) * trainOptions.batchSize;
        io.log(`step ${step}  ${seconds.toFixed(0)} s  loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}  ` +
          `last ${(seconds - lastLog).toFixed(0)} s: ${(molecules / (seconds - lastLog)).toFixed(1)} molecules/s, ${(molecules / (cpu - last.cpu)).toFixed(1)} per CPU-s`);
        lastLog = seconds;
        last = { step, cpu };
        recent = [];
      },
      onCheckpoint: save,
    });
    io.log(`done: ${result.steps} steps, ${result.moleculesSeen} molecules in ${result.seconds.toFixed(0)} s = ${(result.moleculesSeen / Math.max(result.seconds, 1e-9)).toFixed(1)} molecules/s, ${(result.moleculesSeen / Math.max(cpuSeconds(), 1e-9)).toFixed(1)} per CPU-second (${result.stoppedBy}; ${result.skippedSteps} skipped)`);
    return { ...result, files, trainMolecules: train.length };
  } finally {
    model.dispose();
  }
}
