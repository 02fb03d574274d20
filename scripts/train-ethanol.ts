/**
 * Trains an energy model of any family (egnn, mace, tdn, escn, faenet) on rMD17 ethanol (BOTNet split: 1000 train
 * frames, 1000 test_MD frames) and writes the model file + model card under assets/models/benchmarks/.
 *
 *   nice -n 5 node --import tsx scripts/train-ethanol.ts --model mace --minutes 20 --channels 16 --lmax 1
 *
 * Validation: 50 frames split off the training file (seeded). E0 from the isolated-atom energies of the dataset.
 * Width flags: --features/--layers (egnn), --channels/--lmax/--sh-lmax/--interactions/--correlation (mace, tdn, escn),
 * --hidden/--interactions (faenet). Unset flags take the family's default below (sized for one CPU core; MACE:
 * 64 channels, L ≤ 1, spherical harmonics to L = 3, correlation 3).
 */
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { createEgnn } from '../core/engine/models/egnn/egnn';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import { createTdnModel } from '../core/engine/models/tdn/tdn-model';
import { createEscnModel } from '../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../core/engine/models/faenet/faenet-model';
import { averageNeighbourCount, fitNormalisation } from '../core/engine/train/normalisation';
import { trainModel } from '../core/engine/train/train';
import { evaluateModel, referenceEnergy } from '../core/engine/eval';
import { modelToFile } from '../core/engine/model-file/families';
import { weightsPathFor } from '../core/engine/model-file/model-file';
import { readStructures } from '../main/io/read-structures';
import { readModelFile, writeModelFile } from '../main/models/model-files';
import { initNodeBackend } from '../main/models/node-backend';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startGradientHelpers } from '../main/train/gradient-helpers';
import type { EnergyModel } from '../core/engine/model';
import type { EnergyNormalisation } from '../core/engine/model';

type Family = 'egnn' | 'mace' | 'tdn' | 'escn' | 'faenet';
interface FamilyRecipe {
  /** Defaults of this family's width flags and optimiser. */
  readonly defaults: Record<string, string>;
  readonly learningRate: string;
  readonly warmupSteps: number;
  create(flags: Record<string, number>, common: { species: number[]; cutoff: number; averageNeighbours: number; seed: number }, normalisation: EnergyNormalisation): EnergyModel;
  title(config: Record<string, unknown>): string;
  readonly description: string;
  readonly citation: string;
}

/** mace, tdn and escn share the MACE pipeline (EquivariantMessagePassingModel) and its config. */
function equivariantRecipe(
  name: string,
  createModel: typeof createMaceModel,
  description: string,
  citation: string,
  widths: Record<string, string> = {},
): FamilyRecipe {
  return {
    defaults: { channels: '16', lmax: '1', 'sh-lmax': '2', interactions: '2', correlation: '2', ...widths },
    learningRate: '0.005',
    warmupSteps: 50,
    create(f, c, normalisation) {
      const model = createModel({
        species: c.species, cutoff: c.cutoff, channels: f['channels']!, lmax: f['lmax']!, shLmax: f['sh-lmax']!,
        nInteractions: f['interactions']!, correlation: f['correlation']!, avgNumNeighbors: c.averageNeighbours, seed: c.seed,
      });
      model.normalisation = normalisation;
      return model;
    },
    title: (config) => `${name} for ethanol (rMD17, ${String(config['channels'])} channels, L ≤ ${String(config['lmax'])}, ${String(config['nInteractions'])} interactions, correlation ${String(config['correlation'])})`,
    description,
    citation,
  };
}

const recipes: Record<Family, FamilyRecipe> = {
  egnn: {
    defaults: { features: '64', layers: '3' },
    learningRate: '0.002',
    warmupSteps: 100,
    create: (f, c, normalisation) => createEgnn({
      species: c.species, cutoff: c.cutoff, features: f['features']!, layers: f['layers']!, updateCoordinates: false,
      averageNeighbours: c.averageNeighbours, seed: c.seed,
    }, normalisation),
    title: (config) => `EGNN for ethanol (rMD17, ${String(config['features'])} features, ${String(config['layers'])} layers)`,
    description: 'E(n)-equivariant graph neural network (Satorras et al. 2021) trained on energies and forces of ethanol.',
    citation: 'Satorras, Hoogeboom, Welling, ICML 2021',
  },
  mace: equivariantRecipe('MACE', createMaceModel,
    'MACE (Batatia et al. 2022): E(3)-equivariant message passing with higher-body-order messages (symmetric tensor products of the atomic basis), trained on energies and forces of ethanol.',
    'Batatia, Kovács, Simm, Ortner, Csányi, NeurIPS 2022',
    // A step on 8 ethanol frames costs about the same at 24 and 64 channels (kernel launches dominate at 72 atoms),
    // so MACE defaults to the wider, correlation-3 model: 140k parameters, ~25 s per epoch on one core.
    { channels: '64', 'sh-lmax': '3', correlation: '3' }),
  tdn: equivariantRecipe('TDN', createTdnModel,
    'TDN (Lin et al. 2025): the MACE pipeline with CP-decomposed message tensor products, trained on energies and forces of ethanol.',
    'Lin et al. 2025 (tensor-decomposition networks); Batatia et al. NeurIPS 2022 (MACE)'),
  escn: equivariantRecipe('eSCN', createEscnModel,
    'eSCN (Passaro & Zitnick 2023): the MACE pipeline with SO(2) edge convolutions in an edge-aligned frame, trained on energies and forces of ethanol.',
    'Passaro & Zitnick, ICML 2023; Batatia et al. NeurIPS 2022 (MACE)'),
  faenet: {
    defaults: { hidden: '32', interactions: '2' },
    learningRate: '0.003',
    warmupSteps: 50,
    create(f, c, normalisation) {
      const model = createFaenetModel({
        species: c.species, cutoff: c.cutoff, hidden: f['hidden']!, nInteractions: f['interactions']!,
        avgNumNeighbors: c.averageNeighbours, seed: c.seed,
      });
      model.normalisation = normalisation;
      return model;
    },
    title: (config) => `FAENet for ethanol (rMD17, ${String(config['hidden'])} hidden, ${String(config['nInteractions'])} interactions, ${String(config['frameAveraging'])} frame averaging)`,
    description: 'FAENet (Duval et al. 2023): invariant message passing made E(3)-equivariant by PCA frame averaging, trained on energies and forces of ethanol.',
    citation: 'Duval et al., ICML 2023; Puny et al., ICLR 2022 (frame averaging)',
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));
const data = join(root, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'egnn' },
    minutes: { type: 'string', default: '25' },
    features: { type: 'string' },
    layers: { type: 'string' },
    channels: { type: 'string' },
    lmax: { type: 'string' },
    'sh-lmax': { type: 'string' },
    interactions: { type: 'string' },
    correlation: { type: 'string' },
    hidden: { type: 'string' },
    cutoff: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '8' },
    'learning-rate': { type: 'string' },
    'force-weight': { type: 'string', default: '10' },
    'energy-weight': { type: 'string', default: '1' },
    'max-epochs': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    /** Threads for one run: this one plus N-1 worker threads that each compute part of every batch (same steps). */
    threads: { type: 'string', default: '1' },
    /** Evaluate on the first N test_MD frames only (smoke runs); default all 1000. */
    'test-frames': { type: 'string' },
    /** Continue from a model file (its weights, config and normalisation); earlier training is added to the record. */
    init: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!(values.model in recipes)) throw new Error(`--model ${values.model}: choose one of ${Object.keys(recipes).join(', ')}`);
const family = values.model as Family;
const recipe = recipes[family];
const out = values.out ?? join(root, 'assets', 'models', 'benchmarks', `${family}-ethanol-rmd17`);
const learningRate = Number(values['learning-rate'] ?? recipe.learningRate);
const widthFlags: Record<string, number> = {};
for (const [flag, fallback] of Object.entries(recipe.defaults)) {
  const given = (values as Record<string, string | boolean | undefined>)[flag];
  widthFlags[flag] = Number(typeof given === 'string' ? given : fallback);
  if (!Number.isFinite(widthFlags[flag])) throw new Error(`--${flag} must be a number`);
}

const backend = await initNodeBackend();
console.log(`backend: ${backend.description}`);
const train = await readStructures(join(data, 'train.extxyz.gz'));
const testFrames = values['test-frames'] === undefined ? Infinity : Number(values['test-frames']);
const test = (await readStructures(join(data, 'test_MD.extxyz.gz'))).slice(0, testFrames);
const isolated = await readStructures(join(data, 'isolated_atoms.extxyz.gz'));
const isolatedEnergies = new Map(isolated.map((s) => [s.numbers[0]!, referenceEnergy(s)!]));
const species = [1, 6, 8];
const cutoff = Number(values.cutoff);
const normalisation = fitNormalisation(train, species, { isolatedAtomEnergies: isolatedEnergies });
const averageNeighbours = averageNeighbourCount(train, cutoff);
console.log(`train ${train.length}, test ${test.length}; E0 ${normalisation.referenceEnergies.map((e) => e.toFixed(3))} eV, shift ${normalisation.shift.toFixed(4)} eV/atom, scale ${normalisation.scale.toFixed(4)} eV/Å, neighbours ${averageNeighbours.toFixed(2)}`);
/**
 * One run of this script. `initWeightsSha256` names the weights a continuation started from, since the --init file may
 * later be overwritten by this run's output; `note` is written by hand afterwards (why it stopped, which fork was kept).
 */
interface TrainingRun {
  readonly epochs: number; readonly seconds: number; readonly command: string; readonly stoppedBy?: string;
  readonly initWeightsSha256?: string; readonly note?: string;
}
let previous = { epochs: 0, seconds: 0 };
let earlierRuns: TrainingRun[] = [];
let initWeightsSha256: string | undefined;
let model: EnergyModel;
if (values.init) {
  model = await readModelFile(values.init);
  const doc = JSON.parse(await readFile(values.init, 'utf8')) as { training?: { epochs: number; seconds: number; runs?: TrainingRun[] } };
  previous = { epochs: doc.training?.epochs ?? 0, seconds: doc.training?.seconds ?? 0 };
  initWeightsSha256 = createHash('sha256').update(await readFile(weightsPathFor(values.init))).digest('hex');
  earlierRuns = doc.training?.runs ?? [{ epochs: previous.epochs, seconds: previous.seconds, command: `(earlier training recorded in ${values.init} without its command)` }];
  console.log(`continuing from ${values.init} (${previous.epochs} epochs, ${previous.seconds} s)`);
} else {
  model = recipe.create(widthFlags, { species, cutoff, averageNeighbours, seed: Number(values.seed) }, normalisation);
}
if (model.family !== family) throw new Error(`--model ${family} but the model is a ${model.family}`);
const parameterCount = Object.values(model.params).reduce((sum, v) => sum + v.size, 0);
console.log(`${family}: ${parameterCount} parameters, config ${JSON.stringify(model.config)}`);

const options = {
  validationFraction: 0.05,
  energyWeight: Number(values['energy-weight']),
  forceWeight: Number(values['force-weight']),
  batchSize: Number(values['batch-size']),
  maxEpochs: Number(values['max-epochs']),
  learningRate,
  warmupSteps: recipe.warmupSteps,
  schedule: 'cosine' as const,
  emaDecay: 0.99,
  earlyStoppingPatience: 50,
  timeBudgetSeconds: Number(values.minutes) * 60,
  gradientClipNorm: 10,
  seed: Number(values.seed),
};
const threads = Number(values.threads);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer, got ${values.threads}`);
const helpers = threads > 1
  ? await startGradientHelpers(model, { count: threads - 1 })
  : undefined;
if (helpers) console.log(`${threads} threads: this one and ${helpers.count} gradient helper(s) on ${helpers.backends.join('; ')}`);
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
const result = await trainModel(model, {
  train,
  ...options,
  ...(helpers ? { helpers } : {}),
  signal: controller.signal,
  onProgress: (p) => {
    if (p.phase === 'epoch' && p.validation) {
      console.log(`epoch ${p.epoch + 1} ${p.elapsedSeconds.toFixed(0)} s lr ${p.learningRate.toExponential(2)} loss ${p.loss.toFixed(5)} ` +
        `val E ${p.validation.energyMAE_meV.toFixed(1)} meV F ${p.validation.forceMAE_meV_per_A.toFixed(1)} meV/Å (best epoch ${(p.bestEpoch ?? 0) + 1})`);
    }
  },
}).finally(() => helpers?.close());
console.log(`stopped by ${result.stoppedBy} after ${result.epochs} epochs, ${result.seconds.toFixed(0)} s; best epoch ${result.bestEpoch + 1}`);
const metrics = await evaluateModel(model, test);
const runs: TrainingRun[] = [...earlierRuns, {
  epochs: result.epochs, seconds: Math.round(result.seconds), stoppedBy: result.stoppedBy,
  ...(initWeightsSha256 ? { initWeightsSha256 } : {}),
  command: `node --import tsx scripts/train-ethanol.ts ${process.argv.slice(2).join(' ')}`,
}];
console.log(`test_MD (${metrics.structures}): energy MAE ${metrics.energyMAE_meV.toFixed(2)} meV, force MAE ${metrics.forceMAE_meV_per_A.toFixed(2)} meV/Å`);
const config = model.config as Record<string, unknown>;
const card = {
  title: recipe.title(config),
  description: recipe.description,
  trainingData: 'rMD17 ethanol, BOTNet split (davkovacs/BOTNet-datasets dataset_ethanol): 950 train / 50 validation frames of train.extxyz; PBE/def2-SVP (ORCA). rMD17: CC0.',
  intendedUse: 'Energies and forces of ethanol conformations near the rMD17 MD distribution (~500 K); demonstration of training in Equimol.',
  limitations: 'Knows H, C, O only; trained on one molecule: not transferable to other molecules; no long-range electrostatics.',
  citation: `${recipe.citation}; Christensen & von Lilienfeld 2020 (rMD17); Batatia et al. 2022 (BOTNet split).`,
};
const testMetrics = {
  dataset: 'botnet_ethanol_rmd17/test_MD.extxyz.gz',
  structures: metrics.structures,
  energyMAE_meV: metrics.energyMAE_meV,
  energyMAE_meV_per_atom: metrics.energyMAE_meV_per_atom,
  forceMAE_meV_per_A: metrics.forceMAE_meV_per_A,
  energyRMSE_meV: metrics.energyRMSE_meV,
  forceRMSE_meV_per_A: metrics.forceRMSE_meV_per_A,
};
const file = modelToFile(model, {
  card,
  training: {
    dataset: 'botnet_ethanol_rmd17/train.extxyz.gz',
    trainStructures: result.trainStructures,
    validationStructures: result.validationStructures,
    epochs: previous.epochs + result.epochs,
    bestEpoch: previous.epochs + result.bestEpoch + 1,
    seconds: Math.round(previous.seconds + result.seconds),
    runs,
    backend: backend.description,
    options: { ...options, threads, parameters: parameterCount, stoppedBy: result.stoppedBy, ...(values.init ? { continuedFrom: `${previous.epochs} epochs (${previous.seconds} s)` } : {}) },
    date: new Date().toISOString(),
  },
  metrics: [testMetrics],
});
await writeModelFile(`${out}.model.json`, file);
await writeFile(`${out}.md`, [
  `# ${card.title}`, '', card.description, '',
  `- Family: \`${family}\`; ${parameterCount} parameters; config \`${JSON.stringify(model.config)}\``,
  `- Files: \`${out.split('/').pop()}.model.json\` + \`.weights.bin\` (Equimol model file v1)`,
  `- Training data: ${card.trainingData}`,
  `- Training: ${previous.epochs + result.epochs} epochs in ${runs.length === 1 ? 'one run' : `${runs.length} runs, each continuing from the previous one's weights`} (best epoch of the last run: ${previous.epochs + result.bestEpoch + 1}), ${Math.round(previous.seconds + result.seconds)} s wall clock in all on ${backend.description}; last run: budget ${values.minutes} min, stopped by ${result.stoppedBy}, Adam lr ${options.learningRate} (warmup ${options.warmupSteps} steps), cosine, EMA 0.99, batch ${options.batchSize}, loss w_E=${options.energyWeight} (per-atom energy), w_F=${options.forceWeight}`,
  ...runs.map((r, k) => `  - run ${k + 1}: ${r.epochs} epochs, ${r.seconds} s${r.stoppedBy ? `, stopped by ${r.stoppedBy}` : ''}: \`${r.command}\``
    + `${r.initWeightsSha256 ? ` (started from weights with SHA-256 ${r.initWeightsSha256.slice(0, 16)}…)` : ''}${r.note ? ` (${r.note})` : ''}`),
  `- Test (test_MD, ${metrics.structures} frames): energy MAE ${metrics.energyMAE_meV.toFixed(2)} meV (${metrics.energyMAE_meV_per_atom.toFixed(2)} meV/atom), force MAE ${metrics.forceMAE_meV_per_A.toFixed(2)} meV/Å`,
  `- Reproduce: the run commands above, in order (wall-clock budgets: the result depends on machine speed and load); check: \`npx equimol eval ${relative(root, out)}.model.json ../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz --json\``,
  `- Intended use: ${card.intendedUse}`,
  `- Limitations: ${card.limitations}`,
  `- Cite: ${card.citation}`, '',
].join('\n'));
console.log(`wrote ${out}.model.json`);
model.dispose();
