/**
 * Trains one member of the `qm9xtb-properties` ensemble, or assembles members into the calibrated ensemble.
 *
 * Member: a property model (core/engine/properties) on a MACE trunk predicting GFN2-xTB HOMO, LUMO, gap (eV), the
 * dipole vector (D) and atomic charges (e) of QM9 molecules, from ../shared/datasets/qm9_xtb/qm9_xtb_equilibrium.
 * Split by molecule name (core/engine/train/splits.ts, seed 1: 2 % validation, 5 % test), the same for every member
 * and every session. The best EMA weights are written to --out at every improving epoch (a run killed at any moment
 * leaves a loadable model file with its training record); --init continues from such a file.
 *
 *   nice -n 19 node --import tsx scripts/train-qm9xtb-properties.ts --member 1 --minutes 120 --out tmp/runs/props-m1/qm9xtb-properties.m1
 *
 * Ensemble: calibrates the members on the validation split (z-scaling per output), evaluates the test split and
 * writes one file with all members and a card:
 *
 *   node --import tsx scripts/train-qm9xtb-properties.ts --assemble tmp/runs/props-m1/qm9xtb-properties.m1.model.json,… --out assets/models/qm9xtb-properties
 */
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { seededSubset, splitByName } from '../core/engine/train/splits';
import { averageNeighbourCount } from '../core/engine/train/normalisation';
import { decodeModelFile, weightsPathFor, type ModelCard } from '../core/engine/model-file/model-file';
import { createPropertyModel, type PropertyModel } from '../core/engine/properties/property-model';
import { QM9_XTB_OUTPUTS, type Pooling } from '../core/engine/properties/outputs';
import { trainPropertyModel } from '../core/engine/properties/train-properties';
import { evaluatePropertyModel, summariseMetrics, type PropertyMetrics } from '../core/engine/properties/metrics';
import { propertyEnsembleFromFile, propertyModelToFile } from '../core/engine/properties/property-file';
import { PropertyEnsemble } from '../core/engine/properties/ensemble';
import type { Structure } from '../core/structure/structure';
import { readStructures } from '../main/io/read-structures';
import { writeModelFile } from '../main/models/model-files';
import { initNodeBackend } from '../main/models/node-backend';

const SPECIES = [1, 6, 7, 8, 9];
const root = fileURLToPath(new URL('..', import.meta.url));
const dataFile = join(root, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
const { values } = parseArgs({
  options: {
    member: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '60' },
    family: { type: 'string', default: 'mace' },
    channels: { type: 'string', default: '16' },
    lmax: { type: 'string', default: '1' },
    'sh-lmax': { type: 'string', default: '2' },
    correlation: { type: 'string', default: '2' },
    interactions: { type: 'string', default: '2' },
    cutoff: { type: 'string', default: '5' },
    'head-hidden': { type: 'string', default: '32' },
    /** Pooling of HOMO, LUMO and gap over atoms: attention, mean or sum. */
    pooling: { type: 'string', default: 'attention' },
    /** Loss weights, e.g. 'gap=2,homo=1' (unnamed targets weigh 1). */
    weights: { type: 'string', default: '' },
    'batch-size': { type: 'string', default: '16' },
    'epoch-size': { type: 'string', default: '4000' },
    'validation-frames': { type: 'string', default: '1000' },
    'test-frames': { type: 'string', default: '3000' },
    'learning-rate': { type: 'string', default: '0.003' },
    /** Use only this many training molecules (throughput and size measurements); 0: all. */
    'train-limit': { type: 'string', default: '0' },
    /**
     * More labelled files with the same keys (e.g. data/xtb-generated/hcnof-xtb-generated.extxyz.gz: fluorinated
     * molecules and drugs, which QM9 nearly lacks); each is split by molecule name like QM9 and only its training
     * part is used, so validation, calibration and test stay QM9's and comparable with earlier runs.
     */
    extra: { type: 'string', multiple: true, default: [] },
    /** Each --extra training frame appears this many times per pass (they are few beside QM9). */
    'extra-repeat': { type: 'string', default: '1' },
    init: { type: 'string' },
    assemble: { type: 'string' },
    /** With --assemble: an out-of-distribution labelled file (its frame=xtb_opt structures, e.g. test/fixtures/ood-drugs) also evaluated. */
    ood: { type: 'string' },
    out: { type: 'string' },
  },
});
const command = `node --import tsx scripts/train-qm9xtb-properties.ts ${process.argv.slice(2).join(' ')}`;
const member = Number(values.member);
const out = values.out ?? join(root, 'tmp', 'runs', `props-m${member}`, `qm9xtb-properties.m${member}`);
await mkdir(dirname(out), { recursive: true });
const backend = await initNodeBackend();
console.log(`backend: ${backend.description}`);

/** A seeded subset of n items (n ≤ 0: all of them, shuffled). */
const pick = (items: Structure[], n: number, seed: number): Structure[] => seededSubset(items, n > 0 ? n : items.length, seed);
const all = await readStructures(dataFile);
for (const s of all) if (s.numbers.some((z) => !SPECIES.includes(z))) throw new Error(`${dataFile}: structure '${s.name}' has an element outside H, C, N, O, F`);
const split = splitByName(all, { seed: 1, validation: 0.02, test: 0.05 });
const validation = pick(split.validation, Number(values['validation-frames']), 11);
const test = pick(split.test, Number(values['test-frames']), 12);
const qm9Train = Number(values['train-limit']) > 0 ? pick(split.train, Number(values['train-limit']), 15) : split.train;
const extraTrain: Structure[] = [];
const extraRecord: string[] = [];
for (const file of values.extra) {
  const read = await readStructures(file);
  for (const s of read) if (s.numbers.some((z) => !SPECIES.includes(z))) throw new Error(`${file}: structure '${s.name}' has an element outside H, C, N, O, F`);
  const part = splitByName(read, { seed: 1, validation: 0.02, test: 0.05 }).train;
  extraTrain.push(...part);
  extraRecord.push(`${file.replace(`${root}/`, '')}: ${part.length} of ${read.length} frames (its training part by molecule name)`);
  console.log(`extra: ${extraRecord[extraRecord.length - 1]}`);
}
const extraRepeat = Math.max(1, Math.round(Number(values['extra-repeat'])));
const train = [...qm9Train, ...Array.from({ length: extraRepeat }, () => extraTrain).flat()];
if (extraTrain.length > 0) extraRecord.push(`extra training frames repeated ${extraRepeat}× per pass`);
const dataset = `qm9_xtb/qm9_xtb_equilibrium.extxyz.gz (${all.length} molecules, GFN2-xTB)${extraRecord.length > 0 ? `; ${extraRecord.join('; ')}` : ''}`;
console.log(`split by name: train ${split.train.length} (using ${qm9Train.length}${extraTrain.length > 0 ? `, ${train.length} per pass with the extra files` : ''}), validation ${split.validation.length} (using ${validation.length}), test ${split.test.length} (evaluating ${test.length})`);

const card: ModelCard = {
  title: 'QM9-xTB molecular properties: HOMO, LUMO, gap, dipole, atomic charges (GFN2-xTB)',
  description: 'Property model (MACE trunk + declared heads: attention-pooled orbital energies, charge-conserving charges, dipole from charges × positions plus atomic dipoles) trained on GFN2-xTB labels of the QM9 molecules.',
  trainingData: `${dataset}; split by molecule name (splitByName seed 1: 2 % validation, 5 % test)`,
  intendedUse: 'Fast estimates of GFN2-xTB frontier orbital energies, gap, dipole and partial charges of small neutral organic molecules (H, C, N, O, F; up to ~9 heavy atoms as in QM9).',
  limitations: 'GFN2-xTB quality at best (not B3LYP or experiment); trained on QM9 equilibrium geometries only; F is rare in QM9; charged, open-shell, large or non-organic molecules are outside its training (the ensemble spread flags some of them).',
  citation: 'Batatia et al., NeurIPS 2022 (MACE); Bannwarth, Ehlert, Grimme, JCTC 2019 (GFN2-xTB); Ramakrishnan et al., Sci. Data 2014 (QM9)',
};

async function readPropertyFile(path: string): Promise<PropertyEnsemble> {
  const [json, weights] = await Promise.all([readFile(path, 'utf8'), readFile(weightsPathFor(path))]);
  return propertyEnsembleFromFile(decodeModelFile(json, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), path), path);
}

function metricsTable(list: readonly PropertyMetrics[]): string {
  const keys = [...new Set(list.flatMap((m) => Object.keys(m.metrics)))];
  return [`| metric | ${list.map((m) => `${m.dataset} (${m.structures})`).join(' | ')} |`, `|---|${list.map(() => '---').join('|')}|`,
    ...keys.map((k) => `| ${k} | ${list.map((m) => (m.metrics[k] === undefined ? '' : m.metrics[k]!.toPrecision(4))).join(' | ')} |`)].join('\n');
}

async function writeCard(path: string, lines: readonly string[], metrics: readonly PropertyMetrics[]): Promise<void> {
  await writeFile(path, [`# ${card.title}`, '', ...lines, '', '## Metrics', '', metricsTable(metrics), ''].join('\n'));
}

if (values.assemble) {
  // Ensemble: members → one file, calibrated on validation, evaluated on test.
  const files = values.assemble.split(',').filter((f) => f !== '');
  const loaded = await Promise.all(files.map(readPropertyFile));
  const ensemble = new PropertyEnsemble(loaded.flatMap((e) => e.members));
  const calibrationMetrics = await ensemble.calibrate(validation);
  const testMetrics = await ensemble.metrics(test);
  const propertyMetrics: PropertyMetrics[] = [
    { dataset: `test by name (${test.length} of ${split.test.length})`, structures: test.length, metrics: testMetrics },
    { dataset: `validation (${validation.length}, calibration)`, structures: validation.length, metrics: calibrationMetrics },
  ];
  if (values.ood) {
    // Larger molecules than any in QM9, at their xtb --opt geometries (what the model was trained on: equilibrium geometries).
    const ood = (await readStructures(values.ood)).filter((s) => s.properties['frame'] === undefined || s.properties['frame'] === 'xtb_opt');
    const oodMetrics = await ensemble.metrics(ood);
    propertyMetrics.push({ dataset: `out of distribution: ${ood.length} drugs (${values.ood.replace(`${root}/`, '')})`, structures: ood.length, metrics: oodMetrics });
    console.log(`out of distribution (${ood.length}): ${summariseMetrics(ensemble.outputs, oodMetrics)}`);
  }
  const hashes = await Promise.all(files.map(async (f) => createHash('sha256').update(await readFile(weightsPathFor(f))).digest('hex').slice(0, 16)));
  await writeModelFile(`${out}.model.json`, propertyModelToFile(ensemble, { card: { ...card, title: `${card.title}, ensemble of ${ensemble.members.length}` }, propertyMetrics }));
  const memberTraining = await Promise.all(files.map(async (f) => (JSON.parse(await readFile(f, 'utf8')) as { training: { epochs: number; seconds: number; backend: string; options?: Record<string, unknown> } }).training));
  const totalMinutes = Math.round(memberTraining.reduce((sum, t) => sum + t.seconds, 0) / 60);
  await writeCard(`${out}.md`, [
    `Ensemble of ${ensemble.members.length} members: ${files.map((f, k) => `\`${f}\` (weights sha256 ${hashes[k]}…)`).join(', ')}.`, '',
    `Command: \`${command}\``, '',
    `CPU training budget: ${totalMinutes} min of one core in all (${memberTraining[0]!.backend}; one shared core, other work beside it), members trained independently from their own seeds: ` +
      `${memberTraining.map((t, k) => `member ${k + 1} ${t.epochs} epochs of ${String(t.options?.['epochSize'] ?? '?')} molecules in ${Math.round(t.seconds / 60)} min`).join('; ')}. ` +
      `Learning curves (validation errors per epoch; they flatten as each cosine schedule ends, so a longer budget needs a longer schedule, not a continuation): each member's card, ${files.map((f) => `\`${f.replace(/\.model\.json$/, '.md')}\``).join(', ')}.`, '',
    `Calibration (z-scaling on validation, RMS(s·σ) = RMS(error)): ${Object.entries(ensemble.calibration).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}.`,
    `Domain thresholds (99th percentile of calibrated spread on validation): ${Object.entries(ensemble.domainThresholds).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ')}.`,
    '', `Test: ${summariseMetrics(ensemble.outputs, testMetrics)}.`,
    ...propertyMetrics.slice(2).map((m) => `${m.dataset[0]!.toUpperCase()}${m.dataset.slice(1)}: ${summariseMetrics(ensemble.outputs, m.metrics)}.`),
  ], propertyMetrics);
  console.log(`test: ${summariseMetrics(ensemble.outputs, testMetrics)}`);
  console.log(`wrote ${out}.model.json and ${out}.md`);
  ensemble.dispose();
  process.exit(0);
}

interface TrainingRun { readonly epochs: number; readonly seconds: number; readonly command: string; readonly stoppedBy?: string; readonly initWeightsSha256?: string }
let earlier: { epochs: number; seconds: number; runs: TrainingRun[] } = { epochs: 0, seconds: 0, runs: [] };
let initWeightsSha256: string | undefined;
let model: PropertyModel;
if (values.init) {
  const loaded = await readPropertyFile(values.init);
  if (loaded.members.length !== 1) throw new Error(`--init ${values.init}: continue one member at a time (this file holds ${loaded.members.length})`);
  model = loaded.members[0]!;
  const doc = JSON.parse(await readFile(values.init, 'utf8')) as { training?: { epochs: number; seconds: number; runs?: TrainingRun[] } };
  earlier = { epochs: doc.training?.epochs ?? 0, seconds: doc.training?.seconds ?? 0, runs: doc.training?.runs ?? [] };
  initWeightsSha256 = createHash('sha256').update(await readFile(weightsPathFor(values.init))).digest('hex');
  console.log(`continuing from ${values.init} (${earlier.epochs} epochs, ${earlier.seconds} s)`);
} else {
  const cutoff = Number(values.cutoff);
  const family = values.family!;
  const trunkConfig = family === 'egnn'
    ? { species: SPECIES, cutoff, features: Number(values.channels), layers: Number(values.interactions), averageNeighbours: averageNeighbourCount(pick(split.train, 2000, 13), cutoff, 2000), seed: member }
    : {
      species: SPECIES, cutoff, channels: Number(values.channels), lmax: Number(values.lmax), shLmax: Number(values['sh-lmax']),
      nInteractions: Number(values.interactions), correlation: Number(values.correlation),
      avgNumNeighbors: averageNeighbourCount(pick(split.train, 2000, 13), cutoff, 2000), seed: member,
    };
  model = createPropertyModel({ trunk: family, trunkConfig, outputs: QM9_XTB_OUTPUTS.map((o) => (o.kind === 'graph-scalar' ? { ...o, pooling: values.pooling as Pooling } : o)), headHidden: Number(values['head-hidden']), seed: 100 + member });
}
const parameterCount = model.parameterCount();
console.log(`${model.config.trunk} property model: ${parameterCount} parameters, trunk ${JSON.stringify(model.trunk.model.config)}`);

const weights = Object.fromEntries(values.weights!.split(',').filter((w) => w !== '').map((w) => {
  const [name, value] = w.split('=');
  if (!model.output(name!) || !Number.isFinite(Number(value))) throw new Error(`--weights: '${w}' is not <output>=<number> (outputs: ${model.outputs.map((o) => o.name).join(', ')})`);
  return [name!, Number(value)];
}));
const options = {
  weights,
  batchSize: Number(values['batch-size']), epochSize: Number(values['epoch-size']), maxEpochs: 100000,
  learningRate: Number(values['learning-rate']), warmupSteps: values.init ? 20 : 100, emaDecay: 0.995,
  earlyStoppingPatience: 1000, timeBudgetSeconds: Number(values.minutes) * 60, gradientClipNorm: 10, seed: member,
};
async function save(params: Readonly<Record<string, tf.Tensor>> | undefined, state: { epochs: number; seconds: number; bestEpoch: number; stoppedBy: string; metrics: PropertyMetrics[] }): Promise<void> {
  const runs: TrainingRun[] = [...earlier.runs, { epochs: state.epochs, seconds: Math.round(state.seconds), stoppedBy: state.stoppedBy, command, ...(initWeightsSha256 ? { initWeightsSha256 } : {}) }];
  await writeModelFile(`${out}.model.json`, propertyModelToFile(model, {
    card: { ...card, title: `${card.title}, ensemble member ${member}` },
    ...(params ? { params: [params] } : {}),
    training: {
      dataset, trainStructures: train.length, validationStructures: validation.length,
      epochs: earlier.epochs + state.epochs, bestEpoch: earlier.epochs + state.bestEpoch, seconds: Math.round(earlier.seconds + state.seconds),
      runs, backend: backend.description, options: { ...options, parameters: parameterCount, member, split: 'splitByName seed 1, validation 0.02, test 0.05' }, date: new Date().toISOString(),
    },
    propertyMetrics: state.metrics,
  }));
}

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
const t0 = performance.now();
const result = await trainPropertyModel(model, {
  train, validation, ...options, keepTargets: values.init !== undefined, signal: controller.signal,
  onProgress: (p) => {
    if (p.phase === 'epoch' && p.validation) {
      console.log(`epoch ${p.epoch + 1} ${p.elapsedSeconds.toFixed(0)} s ${p.structuresPerSecond.toFixed(1)} mol/s lr ${p.learningRate.toExponential(2)} loss ${p.loss.toFixed(4)} ` +
        `val ${summariseMetrics(model.outputs, p.validation)} score ${p.score!.toFixed(4)} (best epoch ${(p.bestEpoch ?? 0) + 1})`);
    }
  },
  onCheckpoint: (c) => save(c.params, {
    epochs: c.epoch + 1, seconds: (performance.now() - t0) / 1000, bestEpoch: c.epoch + 1, stoppedBy: 'running (checkpoint)',
    metrics: [{ dataset: `validation (${validation.length})`, structures: validation.length, metrics: c.validation }],
  }),
});
console.log(`stopped by ${result.stoppedBy} after ${result.epochs} epochs, ${result.seconds.toFixed(0)} s, ${result.structuresPerSecond.toFixed(1)} molecules/s; best epoch ${result.bestEpoch + 1}`);
const testMetrics = await evaluatePropertyModel(model, test, { dataset: `test by name (${test.length} of ${split.test.length})` });
console.log(`test: ${summariseMetrics(model.outputs, testMetrics.metrics)}`);
const metrics = [testMetrics, ...(result.bestValidation ? [{ dataset: `validation (${validation.length})`, structures: validation.length, metrics: result.bestValidation }] : [])];
await save(undefined, { epochs: result.epochs, seconds: result.seconds, bestEpoch: result.bestEpoch + 1, stoppedBy: result.stoppedBy, metrics });
await writeCard(`${out}.md`, [
  `Member ${member}. Command: \`${command}\``, '',
  `Budget: ${values.minutes} min on ${backend.description}; this run ${result.epochs} epochs of ${options.epochSize} molecules, ${result.seconds.toFixed(0)} s, ${result.structuresPerSecond.toFixed(1)} molecules/s; ` +
    `total ${earlier.epochs + result.epochs} epochs, ${Math.round(earlier.seconds + result.seconds)} s. Stopped by ${result.stoppedBy}.`,
  `Start weights: ${values.init ? `${values.init} (sha256 ${initWeightsSha256})` : `seeded initialisation (seed ${member})`}. ${parameterCount} parameters.`,
  '', '## Learning curve (validation, EMA weights)', '',
  '| epoch | s | loss | score | summary |', '|---|---|---|---|---|',
  ...result.history.map((h) => `| ${earlier.epochs + h.epoch + 1} | ${h.seconds.toFixed(0)} | ${h.loss.toFixed(4)} | ${h.score.toFixed(4)} | ${summariseMetrics(model.outputs, h.validation)} |`),
], metrics);
await writeFile(`${out}.log.json`, JSON.stringify({ history: result.history, test: testMetrics }, null, 1));
console.log(`wrote ${out}.model.json and ${out}.md`);
model.dispose();
