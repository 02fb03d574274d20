/**
 * Trains a GeoBFN generator (Song et al., ICLR 2024; core/generative/geobfn) on the QM9 geometries with hydrogens of
 * ../shared/datasets/qm9_xtb (128,744 molecules, H C N O, up to 29 atoms), on the CPU under a time budget:
 *
 *   nice -n 19 node --import tsx scripts/train-geobfn-qm9.ts --minutes 120 --features 64 --layers 4 --out tmp/runs/geobfn-qm9/geobfn-qm9
 *
 * Writes OUT.generator.json + OUT.weights.bin (the EMA weights, every --checkpoint-minutes and at the end) and the
 * card OUT.md (command, budget, every run). --init continues from such a file (weights, config and the run record;
 * Adam's moments restart). Split by molecule name (core/engine/train/splits.ts, seed 1: 2 % validation, 5 % test,
 * the split of the hcnof potential, as train-edm-qm9.ts); the generator trains on the training side only.
 * Prints molecules/s. GeoBFN's σ₁ (positions 0.001, charges 0.15) and K = 9 charge bins are the defaults.
 */
import { parseArgs } from 'node:util';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitByName } from '../core/engine/train/splits';
import { atomCountHistogram } from '../core/generative/edm/edm-model';
import type { GeneratorRun, GeneratorTraining } from '../core/generative/edm/generator-file';
import { decodeGeoBfnFile, encodeGeoBfnFile } from '../core/generative/geobfn/generator-file';
import { createGeoBfn, type GeoBfnModel } from '../core/generative/geobfn/geobfn-model';
import { trainGeoBfn, type GeoBfnCheckpoint } from '../core/generative/geobfn/train';
import { createStructure } from '../core/structure/structure';
import type { BackendPreference } from '../core/engine/backend/backend';
import { readStructures } from '../main/io/read-structures';
import { initNodeBackend } from '../main/models/node-backend';

const root = fileURLToPath(new URL('..', import.meta.url));
const datasetPath = join(root, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    features: { type: 'string', default: '64' },
    layers: { type: 'string', default: '4' },
    'batch-size': { type: 'string', default: '64' },
    'learning-rate': { type: 'string', default: '5e-4' },
    ema: { type: 'string', default: '0.999' },
    'sigma1-positions': { type: 'string', default: '0.001' },
    'sigma1-charges': { type: 'string', default: '0.15' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'checkpoint-minutes': { type: 'string', default: '10' },
    backend: { type: 'string', default: 'wasm' },
    init: { type: 'string' },
    out: { type: 'string' },
  },
});
const command = `node --import tsx scripts/train-geobfn-qm9.ts ${process.argv.slice(2).join(' ')}`;
const out = values.out ?? join(root, 'tmp', 'runs', 'geobfn-qm9', 'geobfn-qm9');
const number = (name: string, text: string | undefined): number => {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got '${text}'`);
  return v;
};

const backend = await initNodeBackend(values.backend as BackendPreference);
console.log(`backend: ${backend.description}`);
const started = performance.now();
const all = (await readStructures(datasetPath)).map((s) => createStructure({ name: s.name, numbers: s.numbers, positions: s.positions }));
const split = splitByName(all, { seed: 1, validation: 0.02, test: 0.05 });
const train = values.limit ? split.train.slice(0, number('limit', values.limit)) : split.train;
console.log(`read ${all.length} molecules in ${((performance.now() - started) / 1000).toFixed(1)} s; training on ${train.length}`);

let model: GeoBfnModel;
let earlierRuns: GeneratorRun[] = [];
if (values.init) {
  const json = await readFile(values.init, 'utf8');
  const decoded = decodeGeoBfnFile(json, new Uint8Array(await readFile(values.init.replace(/\.generator\.json$/, '.weights.bin'))), values.init);
  model = decoded.model;
  earlierRuns = [...(decoded.document.training?.runs ?? [])];
  console.log(`continuing from ${values.init} (${earlierRuns.length} runs, ${earlierRuns.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s)`);
} else {
  model = createGeoBfn({
    atomCounts: atomCountHistogram(train),
    features: number('features', values.features),
    layers: number('layers', values.layers),
    sigma1Positions: number('sigma1-positions', values['sigma1-positions']),
    sigma1Charges: number('sigma1-charges', values['sigma1-charges']),
    seed: number('seed', values.seed),
  });
}
const d = model.config.dynamics;
const trainOptions = {
  batchSize: number('batch-size', values['batch-size']), learningRate: number('learning-rate', values['learning-rate']),
  emaDecay: number('ema', values.ema), seed: number('seed', values.seed) + earlierRuns.length,
};

let previousLoss = NaN;
async function save(checkpoint: GeoBfnCheckpoint): Promise<void> {
  if (Number.isFinite(checkpoint.loss)) previousLoss = checkpoint.loss;
  const run: GeneratorRun = {
    steps: checkpoint.step, seconds: checkpoint.seconds, molecules: checkpoint.step * trainOptions.batchSize, command,
    stoppedBy: checkpoint.stoppedBy ?? 'running (checkpoint)', finalLoss: previousLoss,
  };
  const runs = [...earlierRuns, run];
  const training: GeneratorTraining = {
    dataset: 'qm9_xtb equilibrium geometries (QM9 B3LYP geometries), name split seed 1: train side', trainMolecules: train.length,
    runs, backend: backend.description, options: { ...trainOptions }, date: new Date().toISOString(),
  };
  const card = {
    title: `GeoBFN ${d.features}×${d.layers} on QM9 (CPU, ${(runs.reduce((s, r) => s + r.seconds, 0) / 3600).toFixed(2)} h)`,
    description: `Geometric Bayesian flow network (EDM's EGNN, ${d.features} features, ${d.layers} blocks; σ₁ ${model.config.sigma1Positions} positions, ` +
      `${model.config.sigma1Charges} charges on ${model.config.bins} bins; continuous-time loss)`,
    trainingData: `QM9 geometries with hydrogens (Ramakrishnan et al. 2014, CC0) from ../shared/datasets/qm9_xtb, ${train.length} training molecules`,
    intendedUse: 'De novo 3D molecules of H, C, N, O (up to 29 atoms), QM9-like.',
    limitations: 'Trained on a CPU for a small fraction of GeoBFN\'s budget (GeoBFN: 256×9, 3000 epochs on a GPU); scores not yet measured.',
    citation: 'Song, Gong, Zhou, Liu, Xie, Ma, Zhou. Unified Generative Modeling of 3D Molecules via Bayesian Flow Networks. ICLR 2024.',
  };
  const file = encodeGeoBfnFile(model, { card, training }, checkpoint.weights);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(`${out}.weights.bin`, file.weights);
  await writeFile(`${out}.generator.json`, file.json);
  const lines = [
    `# ${card.title}`, '', card.description, '', `- Training data: ${card.trainingData}`, `- Backend: ${backend.description}`,
    `- Options: ${JSON.stringify(training.options)}`, `- Parameters: ${Object.values(model.params).reduce((s, v) => s + v.size, 0)}`, '',
    '| run | steps | molecules | seconds | molecules/s | final loss | stopped by | command |', '|---|---|---|---|---|---|---|---|',
    ...runs.map((r, i) => `| ${i + 1} | ${r.steps} | ${r.molecules} | ${r.seconds.toFixed(0)} | ${(r.molecules / Math.max(r.seconds, 1e-9)).toFixed(1)} | ${r.finalLoss.toFixed(4)} | ${r.stoppedBy} | \`${r.command}\` |`),
    '', `- Intended use: ${card.intendedUse}`, `- Limitations: ${card.limitations}`, `- Citation: ${card.citation}`, '',
  ];
  await writeFile(`${out}.md`, lines.join('\n'));
}

let lastLog = 0;
const cpuStart = process.cpuUsage();
/** CPU seconds this process used since training began (the machine is shared: wall-clock rates understate). */
const cpuSeconds = (): number => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1e6; };
let recent: number[] = [];
let last = { step: 0, cpu: 0 };
const result = await trainGeoBfn(model, {
  molecules: train, ...trainOptions,
  timeBudgetSeconds: number('minutes', values.minutes) * 60,
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
