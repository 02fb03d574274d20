/**
 * Trains an energy model on rMD17 ethanol (BOTNet split: 1000 train frames, 1000 test_MD frames) and writes the
 * model file + model card under assets/models/benchmarks/.
 *
 *   nice -n 10 node --import tsx scripts/train-ethanol.ts --model egnn --minutes 25
 *
 * Validation: 50 frames split off the training file (seeded). E0 from the isolated-atom energies of the dataset.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { createEgnn } from '../core/engine/models/egnn/egnn';
import { averageNeighbourCount, fitNormalisation } from '../core/engine/train/normalisation';
import { trainModel } from '../core/engine/train/train';
import { evaluateModel, referenceEnergy } from '../core/engine/eval';
import { modelToFile } from '../core/engine/model-file/families';
import { initNodeBackend, readModelFile, readStructures, writeModelFile } from '../main/cli/commands/eval';
import { readFile } from 'node:fs/promises';
import type { EnergyModel } from '../core/engine/model';

const root = fileURLToPath(new URL('..', import.meta.url));
const data = join(root, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'egnn' },
    minutes: { type: 'string', default: '25' },
    features: { type: 'string', default: '64' },
    layers: { type: 'string', default: '3' },
    cutoff: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '8' },
    'learning-rate': { type: 'string', default: '0.002' },
    'force-weight': { type: 'string', default: '10' },
    'max-epochs': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    /** Continue from a model file (its weights, config and normalisation); earlier training is added to the record. */
    init: { type: 'string' },
    out: { type: 'string', default: join(root, 'assets', 'models', 'benchmarks', 'egnn-ethanol-rmd17') },
  },
});
if (values.model !== 'egnn') throw new Error(`--model ${values.model}: this script trains egnn (other families register their own)`);

const backend = await initNodeBackend();
console.log(`backend: ${backend.description}`);
const train = await readStructures(join(data, 'train.extxyz.gz'));
const test = await readStructures(join(data, 'test_MD.extxyz.gz'));
const isolated = await readStructures(join(data, 'isolated_atoms.extxyz.gz'));
const isolatedEnergies = new Map(isolated.map((s) => [s.numbers[0]!, referenceEnergy(s)!]));
const species = [1, 6, 8];
const cutoff = Number(values.cutoff);
const normalisation = fitNormalisation(train, species, { isolatedAtomEnergies: isolatedEnergies });
const averageNeighbours = averageNeighbourCount(train, cutoff);
console.log(`train ${train.length}, test ${test.length}; E0 ${normalisation.referenceEnergies.map((e) => e.toFixed(3))} eV, shift ${normalisation.shift.toFixed(4)} eV/atom, scale ${normalisation.scale.toFixed(4)} eV/Å, neighbours ${averageNeighbours.toFixed(2)}`);
let previous = { epochs: 0, seconds: 0 };
let model: EnergyModel;
if (values.init) {
  model = await readModelFile(values.init);
  const doc = JSON.parse(await readFile(values.init, 'utf8')) as { training?: { epochs: number; seconds: number } };
  previous = { epochs: doc.training?.epochs ?? 0, seconds: doc.training?.seconds ?? 0 };
  console.log(`continuing from ${values.init} (${previous.epochs} epochs, ${previous.seconds} s)`);
} else {
  model = createEgnn({
    species, cutoff, features: Number(values.features), layers: Number(values.layers), updateCoordinates: false,
    averageNeighbours, seed: Number(values.seed),
  }, normalisation);
}

const options = {
  validationFraction: 0.05,
  energyWeight: 1,
  forceWeight: Number(values['force-weight']),
  batchSize: Number(values['batch-size']),
  maxEpochs: Number(values['max-epochs']),
  learningRate: Number(values['learning-rate']),
  warmupSteps: 100,
  schedule: 'cosine' as const,
  emaDecay: 0.99,
  earlyStoppingPatience: 50,
  timeBudgetSeconds: Number(values.minutes) * 60,
  gradientClipNorm: 10,
  seed: Number(values.seed),
};
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
const result = await trainModel(model, {
  train,
  ...options,
  signal: controller.signal,
  onProgress: (p) => {
    if (p.phase === 'epoch' && p.validation) {
      console.log(`epoch ${p.epoch + 1} ${p.elapsedSeconds.toFixed(0)} s lr ${p.learningRate.toExponential(2)} loss ${p.loss.toFixed(5)} ` +
        `val E ${p.validation.energyMAE_meV.toFixed(1)} meV F ${p.validation.forceMAE_meV_per_A.toFixed(1)} meV/Å (best epoch ${(p.bestEpoch ?? 0) + 1})`);
    }
  },
});
console.log(`stopped by ${result.stoppedBy} after ${result.epochs} epochs, ${result.seconds.toFixed(0)} s; best epoch ${result.bestEpoch + 1}`);
const metrics = await evaluateModel(model, test);
console.log(`test_MD (${metrics.structures}): energy MAE ${metrics.energyMAE_meV.toFixed(2)} meV, force MAE ${metrics.forceMAE_meV_per_A.toFixed(2)} meV/Å`);
const config = model.config as Record<string, unknown>;
const card = {
  title: `EGNN for ethanol (rMD17, ${config['features']} features, ${config['layers']} layers)`,
  description: 'E(n)-equivariant graph neural network (Satorras et al. 2021) trained on energies and forces of ethanol.',
  trainingData: 'rMD17 ethanol, BOTNet split (davkovacs/BOTNet-datasets dataset_ethanol): 950 train / 50 validation frames of train.extxyz; PBE/def2-SVP (ORCA). rMD17: CC0.',
  intendedUse: 'Energies and forces of ethanol conformations near the rMD17 MD distribution (~500 K); demonstration of training in Equimol.',
  limitations: 'Knows H, C, O only; trained on one molecule: not transferable to other molecules; no long-range electrostatics.',
  citation: 'Satorras, Hoogeboom, Welling, ICML 2021; Christensen & von Lilienfeld 2020 (rMD17); Batatia et al. 2022 (BOTNet split).',
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
    backend: backend.description,
    options: { ...options, stoppedBy: result.stoppedBy, ...(values.init ? { continuedFrom: `${previous.epochs} epochs (${previous.seconds} s)` } : {}) },
    date: new Date().toISOString(),
  },
  metrics: [testMetrics],
});
await writeModelFile(`${values.out}.model.json`, file);
await writeFile(`${values.out}.md`, [
  `# ${card.title}`, '', card.description, '',
  `- Files: \`${values.out.split('/').pop()}.model.json\` + \`.weights.bin\` (Equimol model file v1)`,
  `- Training data: ${card.trainingData}`,
  `- Training: ${previous.epochs + result.epochs} epochs in ${values.init ? 'two runs' : 'one run'} (best ${previous.epochs + result.bestEpoch + 1}), ${Math.round(previous.seconds + result.seconds)} s on ${backend.description}, stopped by ${result.stoppedBy}; Adam lr ${options.learningRate}, cosine, EMA 0.99, batch ${options.batchSize}, loss w_E=1 (per-atom energy), w_F=${options.forceWeight}`,
  `- Test (test_MD, ${metrics.structures} frames): energy MAE ${metrics.energyMAE_meV.toFixed(2)} meV (${metrics.energyMAE_meV_per_atom.toFixed(2)} meV/atom), force MAE ${metrics.forceMAE_meV_per_A.toFixed(2)} meV/Å`,
  `- Reproduce: \`nice -n 10 node --import tsx scripts/train-ethanol.ts ${process.argv.slice(2).join(' ')}\`; check: \`npm run equimol -- eval ${values.out.replace(root, '')}.model.json ../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz --json\``,
  `- Intended use: ${card.intendedUse}`,
  `- Limitations: ${card.limitations}`,
  `- Cite: ${card.citation}`, '',
].join('\n'));
console.log(`wrote ${values.out}.model.json`);
model.dispose();
