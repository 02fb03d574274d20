/**
 * The QM9 training recipe both generator scripts run (train-edm-qm9.ts, train-geobfn-qm9.ts): the shared command-line
 * options, the QM9 geometries with hydrogens of ../shared/datasets/qm9_xtb split by molecule name
 * (core/engine/train/splits.ts, seed 1: 2 % validation, 5 % test, the split of the hcnof potential; the generator
 * trains on the training side only), --init to continue from a generator file (weights, config and the run record;
 * Adam's moments restart), a checkpoint every --checkpoint-minutes and at the end writing OUT.generator.json +
 * OUT.weights.bin (the EMA weights) and the card OUT.md (command, budget, every run), and a molecules/s log.
 * The family script gives its own options, model, trainer, file codec and card text.
 */
import { parseArgs } from 'node:util';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '../core/engine/backend/backend';
import type { ModelCard } from '../core/engine/model-file/model-file';
import { splitByName } from '../core/engine/train/splits';
import type { GeneratorMeta, GeneratorRun, GeneratorTraining, WeightValues } from '../core/generative/generator-weights';
import type { GeneratorCheckpoint, GeneratorTrainOptions, GeneratorTrainResult } from '../core/generative/train-loop';
import { createStructure, type Structure } from '../core/structure/structure';
import { readStructures } from '../main/io/read-structures';
import { initNodeBackend } from '../main/models/node-backend';

/** The parsed command line: every option is a string. */
export type RecipeValues = Readonly<Record<string, string | undefined>>;

/** Parses an option's text as a finite number, naming the option otherwise. */
export function number(name: string, text: string | undefined): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got '${text}'`);
  return v;
}

/** A generator model as the recipe uses it. */
export interface RecipeModel {
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly config: { readonly dynamics: { readonly features: number; readonly layers: number } };
}

export interface GeneratorRecipe<M extends RecipeModel> {
  /** The script's file name under scripts/ (for the recorded command). */
  readonly script: string;
  /** Output stem under tmp/runs/ when --out is not given: tmp/runs/STEM/STEM. */
  readonly defaultOut: string;
  /** The family's own options (strings), after the shared ones. */
  readonly options: Readonly<Record<string, { readonly type: 'string'; readonly default?: string }>>;
  /** The molecule property the model is conditioned on, if any (kept on the read molecules). */
  readonly condition?: (values: RecipeValues) => string | undefined;
  readonly create: (values: RecipeValues, train: readonly Structure[]) => M;
  readonly decode: (json: string, blob: Uint8Array, name: string) => { model: M; document: { readonly training?: GeneratorTraining } };
  readonly encode: (model: M, meta: GeneratorMeta, weights: WeightValues) => { json: string; weights: Uint8Array };
  readonly train: (model: M, options: GeneratorTrainOptions) => Promise<GeneratorTrainResult>;
  /** The card's family text: the name that heads its title, what the model is, its limits, the paper. */
  readonly card: { readonly family: string; readonly description: (model: M) => string; readonly limitations: string; readonly citation: string };
}

/** Runs the recipe on the process's command line. */
export async function runGeneratorRecipe<M extends RecipeModel>(recipe: GeneratorRecipe<M>): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const datasetPath = join(root, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
  const values: RecipeValues = parseArgs({
    options: {
      minutes: { type: 'string', default: '60' },
      features: { type: 'string', default: '64' },
      layers: { type: 'string', default: '4' },
      'batch-size': { type: 'string', default: '64' },
      'learning-rate': { type: 'string', default: '5e-4' },
      ema: { type: 'string', default: '0.999' },
      ...recipe.options,
      limit: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'checkpoint-minutes': { type: 'string', default: '10' },
      backend: { type: 'string', default: 'wasm' },
      init: { type: 'string' },
      out: { type: 'string' },
    },
  }).values as Record<string, string | undefined>;
  const command = `node --import tsx scripts/${recipe.script} ${process.argv.slice(2).join(' ')}`;
  const out = values['out'] ?? join(root, 'tmp', 'runs', recipe.defaultOut, recipe.defaultOut);
  const condition = recipe.condition?.(values);

  const backend = await initNodeBackend(values['backend'] as BackendPreference);
  console.log(`backend: ${backend.description}`);
  const started = performance.now();
  const all = (await readStructures(datasetPath)).map((s) => createStructure({
    name: s.name, numbers: s.numbers, positions: s.positions,
    properties: condition ? { [condition]: s.properties[condition]! } : {},
  }));
  const split = splitByName(all, { seed: 1, validation: 0.02, test: 0.05 });
  const train = values['limit'] ? split.train.slice(0, number('limit', values['limit'])) : split.train;
  console.log(`read ${all.length} molecules in ${((performance.now() - started) / 1000).toFixed(1)} s; training on ${train.length}`);

  let model: M;
  let earlierRuns: GeneratorRun[] = [];
  const init = values['init'];
  if (init) {
    const json = await readFile(init, 'utf8');
    const decoded = recipe.decode(json, new Uint8Array(await readFile(init.replace(/\.generator\.json$/, '.weights.bin'))), init);
    model = decoded.model;
    earlierRuns = [...(decoded.document.training?.runs ?? [])];
    console.log(`continuing from ${init} (${earlierRuns.length} runs, ${earlierRuns.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s)`);
  } else {
    model = recipe.create(values, train);
  }
  const trainOptions = {
    batchSize: number('batch-size', values['batch-size']), learningRate: number('learning-rate', values['learning-rate']),
    emaDecay: number('ema', values['ema']), seed: number('seed', values['seed']) + earlierRuns.length,
  };

  let previousLoss = NaN;
  async function save(checkpoint: GeneratorCheckpoint): Promise<void> {
    if (Number.isFinite(checkpoint.loss)) previousLoss = checkpoint.loss;
    const run: GeneratorRun = {
      steps: checkpoint.step, seconds: checkpoint.seconds, molecules: checkpoint.step * trainOptions.batchSize, command,
      stoppedBy: checkpoint.stoppedBy ?? 'running (checkpoint)', finalLoss: previousLoss,
    };
    const runs = [...earlierRuns, run];
    const training: GeneratorTraining = {
      dataset: 'qm9_xtb equilibrium geometries (QM9 B3LYP geometries), name split seed 1: train side', trainMolecules: train.length,
      runs, backend: backend.description, options: { ...trainOptions, ...(condition ? { condition } : {}) }, date: new Date().toISOString(),
    };
    const d = model.config.dynamics;
    const card: ModelCard & { citation: string } = {
      title: `${recipe.card.family} ${d.features}×${d.layers} on QM9 (CPU, ${(runs.reduce((s, r) => s + r.seconds, 0) / 3600).toFixed(2)} h)`,
      description: recipe.card.description(model),
      trainingData: `QM9 geometries with hydrogens (Ramakrishnan et al. 2014, CC0) from ../shared/datasets/qm9_xtb, ${train.length} training molecules`,
      intendedUse: 'De novo 3D molecules of H, C, N, O (up to 29 atoms), QM9-like.',
      limitations: recipe.card.limitations,
      citation: recipe.card.citation,
    };
    const file = recipe.encode(model, { card, training }, checkpoint.weights);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(`${out}.weights.bin`, file.weights);
    await writeFile(`${out}.generator.json`, file.json);
    await writeFile(`${out}.md`, cardMarkdown(card, training, backend.description, Object.values(model.params).reduce((s, v) => s + v.size, 0)));
  }

  let lastLog = 0;
  const cpuStart = process.cpuUsage();
  /** CPU seconds this process used since training began (the machine is shared: wall-clock rates understate). */
  const cpuSeconds = (): number => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1e6; };
  let recent: number[] = [];
  let last = { step: 0, cpu: 0 };
  const result = await recipe.train(model, {
    molecules: train, ...trainOptions,
    timeBudgetSeconds: number('minutes', values['minutes']) * 60,
    checkpointEverySeconds: number('checkpoint-minutes', values['checkpoint-minutes']) * 60,
    onStep: ({ step, loss, seconds }) => {
      recent.push(loss);
      if (seconds - lastLog >= 30) {
        const cpu = cpuSeconds();
        const molecules = (step - last.step) * trainOptions.batchSize;
        console.log(`step ${step}  ${seconds.toFixed(0)} s  loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}  ` +
          `last ${(seconds - lastLog).toFixed(0)} s: ${(molecules / (seconds - lastLog)).toFixed(1)} molecules/s, ${(molecules / (cpu - last.cpu)).toFixed(1)} per CPU-s`);
        lastLog = seconds;
        last = { step, cpu };
        recent = [];
      }
    },
    onCheckpoint: save,
  });
  console.log(`done: ${result.steps} steps, ${result.moleculesSeen} molecules in ${result.seconds.toFixed(0)} s = ${(result.moleculesSeen / result.seconds).toFixed(1)} molecules/s, ${(result.moleculesSeen / cpuSeconds()).toFixed(1)} per CPU-second (${result.stoppedBy}; ${result.skippedSteps} skipped)`);
}

/** The card OUT.md: what the generator is, its options and size, every run, intended use, limitations, citation. */
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
