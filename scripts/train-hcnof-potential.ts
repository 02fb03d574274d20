/**
 * Trains one member of the `hcnof-xtb-potential` ensemble: a MACE energy model (energies and forces, eV and eV/Å)
 * for molecules of H, C, N, O and F, on GFN2-xTB labels:
 *   - ../shared/datasets/qm9_xtb: the 128,744 QM9 equilibrium geometries and the displaced frames (σ = 0.05 Å all,
 *     σ = 0.10 Å those whose largest force component is at most --max-force eV/Å);
 *   - any --extra labelled files (same keys, same --max-force filter), e.g. data/xtb-generated/ (fluorinated and
 *     drug-like xtb frames).
 * Split by molecule name (core/engine/train/splits.ts, seed 1: 2 % validation, 5 % test), the same for every member
 * and every session. E0 are GFN2-xTB isolated-atom energies, so the network learns atomisation energies.
 *
 *   nice -n 19 node --import tsx scripts/train-hcnof-potential.ts --member 1 --minutes 110 --out tmp/runs/pot-m1/hcnof-xtb-potential.m1
 *
 * The best EMA weights are written to --out at every improving epoch, so a run stopped at any moment leaves a loadable
 * model file with its training record; --init continues from such a file (its runs are carried into the new record).
 */
import { parseArgs } from 'node:util';
import type { Tensor } from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import { averageNeighbourCount } from '../core/engine/train/normalisation';
import { trainModel } from '../core/engine/train/train';
import { seededSubset, splitByName } from '../core/engine/train/splits';
import { evaluateModel, referenceForces, type EvaluationResult } from '../core/engine/eval';
import { encodeModelFile, weightsPathFor } from '../core/engine/model-file/model-file';
import type { EnergyModel } from '../core/engine/model';
import type { Structure } from '../core/structure/structure';
import { readStructures } from '../main/io/read-structures';
import { readModelFile, writeModelFile } from '../main/models/model-files';
import { initNodeBackend } from '../main/models/node-backend';
import { writeEnsembleFile } from '../main/train/ensemble-file';
import { potentialCard, potentialEnsembleCard } from './potential-card';

const HARTREE_EV = 27.211386245988;
/** GFN2-xTB isolated atoms (xtb 6.5.1, --acc 0.2, ground-state spin), eV: H, C, N, O from the dataset README; F computed here (`xtb f.xyz --uhf 1`: −4.619339964238 Eh). */
const ISOLATED_ATOM_ENERGIES = new Map<number, number>([
  [1, -10.707211], [6, -48.79808], [7, -70.908088], [8, -102.521808], [9, -4.619339964238 * HARTREE_EV],
]);
const SPECIES = [1, 6, 7, 8, 9];

const root = fileURLToPath(new URL('..', import.meta.url));
const qm9 = join(root, '..', 'shared', 'datasets', 'qm9_xtb');
const { values } = parseArgs({
  options: {
    member: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '60' },
    channels: { type: 'string', default: '32' },
    'sh-lmax': { type: 'string', default: '3' },
    correlation: { type: 'string', default: '3' },
    interactions: { type: 'string', default: '2' },
    cutoff: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '16' },
    'epoch-size': { type: 'string', default: '4000' },
    'validation-frames': { type: 'string', default: '600' },
    'test-frames': { type: 'string', default: '3000' },
    'learning-rate': { type: 'string', default: '0.005' },
    'force-weight': { type: 'string', default: '10' },
    'energy-weight': { type: 'string', default: '1' },
    'max-force': { type: 'string', default: '15' },
    extra: { type: 'string', multiple: true, default: [] },
    /** Each training frame of the --extra files appears this many times per pass (they are few beside QM9). */
    'extra-repeat': { type: 'string', default: '1' },
    init: { type: 'string' },
    /** Comma-separated member model files: write them as one calibrated ensemble file (--out) instead of training. */
    assemble: { type: 'string' },
    out: { type: 'string' },
  },
});
const member = Number(values.member);
const out = values.out ?? join(root, 'tmp', 'runs', `pot-m${member}`, `hcnof-xtb-potential.m${member}`);
await mkdir(dirname(out), { recursive: true });

const backend = await initNodeBackend();
console.log(`backend: ${backend.description}`);
const maxForce = Number(values['max-force']);
const largestForce = (s: Structure): number => Math.max(0, ...Array.from(referenceForces(s) ?? [], Math.abs));
const sources: Array<{ file: string; keep?: (s: Structure) => boolean }> = [
  { file: join(qm9, 'qm9_xtb_equilibrium.extxyz.gz') },
  { file: join(qm9, 'qm9_xtb_rattled_0.05.extxyz.gz') },
  { file: join(qm9, 'qm9_xtb_rattled_0.10.extxyz.gz'), keep: (s) => largestForce(s) <= maxForce },
  ...values.extra.map((file) => ({ file, keep: (s: Structure) => largestForce(s) <= maxForce })),
];
const all: Structure[] = [];
const extraFrames = new Set<Structure>();
const dataRecord: string[] = [];
for (const [k, source] of sources.entries()) {
  const read = await readStructures(source.file);
  const kept = source.keep ? read.filter(source.keep) : read;
  for (const s of kept) {
    if (s.numbers.some((z) => !SPECIES.includes(z))) throw new Error(`${source.file}: structure '${s.name}' has an element outside H, C, N, O, F`);
  }
  for (const s of kept) all.push(s);
  if (k >= 3) for (const s of kept) extraFrames.add(s);
  dataRecord.push(`${source.file.replace(`${join(root, '..')}/`, '../').replace(`${root}/`, '')}: ${kept.length} of ${read.length} frames`);
  console.log(dataRecord[dataRecord.length - 1]);
}
const split = splitByName(all, { seed: 1, validation: 0.02, test: 0.05 });
const extraRepeat = Math.max(1, Math.round(Number(values['extra-repeat'])));
const trainFrames = [...split.train];
for (let r = 1; r < extraRepeat; r++) for (const s of split.train) if (extraFrames.has(s)) trainFrames.push(s);
if (extraRepeat > 1) dataRecord.push(`--extra training frames repeated ${extraRepeat}× per pass`);
const pick = seededSubset;
const validation = pick(split.validation, Number(values['validation-frames']), 11);
const test = pick(split.test, Number(values['test-frames']), 12);
console.log(`split by name: train ${split.train.length} (${trainFrames.length} per pass), validation ${split.validation.length} (using ${validation.length}), test ${split.test.length} (evaluating ${test.length})`);

if (values.assemble) {
  // Ensemble: members → one file (z-scaling calibrated on the validation split), evaluated on the test split.
  const files = values.assemble.split(',').filter((f) => f !== '');
  if (files.length < 2) throw new Error('--assemble needs at least two member files');
  const memberDocs = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as { training: { seconds: number; epochs: number; dataset: string } }));
  const hashes = await Promise.all(files.map(async (f) => createHash('sha256').update(await readFile(weightsPathFor(f))).digest('hex')));
  const seconds = memberDocs.reduce((sum, d) => sum + d.training.seconds, 0);
  const ensembleCard = {
    title: `H, C, N, O, F potential (GFN2-xTB): ensemble of ${files.length} MACE members`,
    description: 'Mean of MACE (Batatia et al. 2022) energy models trained on GFN2-xTB energies and forces of QM9 molecules (equilibrium and displaced) and xtb-generated frames; forces are −∂E/∂r of the mean energy; the members\' spread (z-scaled on validation) is the uncertainty.',
    trainingData: dataRecord.join('; '),
    intendedUse: 'Energies, forces, relaxation and molecular dynamics of neutral closed-shell organic molecules of H, C, N, O, F near GFN2-xTB quality, with a per-atom force spread that flags unfamiliar structures.',
    limitations: 'GFN2-xTB quality at best, and below it: see the measured errors (scripts/potential-card.ts --ood restates them here from the out-of-distribution check); no long-range electrostatics beyond the 5 Å cutoff; charged, open-shell, periodic or metal-containing systems are outside its training.',
    citation: 'Batatia et al., NeurIPS 2022 (MACE); Bannwarth, Ehlert, Grimme, JCTC 2019 (GFN2-xTB); Ramakrishnan et al., Sci. Data 2014 (QM9)',
  };
  await writeEnsembleFile(`${out}.model.json`, files, validation, {
    card: ensembleCard,
    training: {
      dataset: dataRecord.join('; '), trainStructures: split.train.length, validationStructures: validation.length,
      epochs: memberDocs.reduce((sum, d) => sum + d.training.epochs, 0), bestEpoch: 0, seconds,
      backend: backend.description, options: { members: files, weightsSha256: hashes, command: `node --import tsx scripts/train-hcnof-potential.ts ${process.argv.slice(2).join(' ')}` },
      date: new Date().toISOString(),
    },
    test: { dataset: `test by name (${test.length} of ${split.test.length} frames)`, structures: test },
  });
  const doc = JSON.parse(await readFile(`${out}.model.json`, 'utf8'));
  await writeFile(`${out}.md`, potentialEnsembleCard(doc, files, memberDocs));
  console.log(`wrote ${out}.model.json and ${out}.md`);
  process.exit(0);
}

interface TrainingRun { readonly epochs: number; readonly seconds: number; readonly command: string; readonly stoppedBy?: string; readonly initWeightsSha256?: string }
let earlier: { epochs: number; seconds: number; runs: TrainingRun[] } = { epochs: 0, seconds: 0, runs: [] };
let initWeightsSha256: string | undefined;
let model: EnergyModel;
if (values.init) {
  model = await readModelFile(values.init);
  const doc = JSON.parse(await readFile(values.init, 'utf8')) as { training?: { epochs: number; seconds: number; runs?: TrainingRun[] } };
  earlier = { epochs: doc.training?.epochs ?? 0, seconds: doc.training?.seconds ?? 0, runs: doc.training?.runs ?? [] };
  initWeightsSha256 = createHash('sha256').update(await readFile(weightsPathFor(values.init))).digest('hex');
  console.log(`continuing from ${values.init} (${earlier.epochs} epochs, ${earlier.seconds} s)`);
} else {
  const cutoff = Number(values.cutoff);
  model = createMaceModel({
    species: SPECIES, cutoff, channels: Number(values.channels), lmax: 1, shLmax: Number(values['sh-lmax']),
    nInteractions: Number(values.interactions), correlation: Number(values.correlation),
    avgNumNeighbors: averageNeighbourCount(pick(split.train, 2000, 13), cutoff, 2000), seed: member,
  });
  // E0 = isolated atoms; shift = mean per-atom atomisation residual; scale = RMS force component of the training set.
  const sample = pick(split.train, 20000, 14);
  const residuals = sample.map((s) => (Number(s.properties['energy']) - Array.from(s.numbers, (z) => ISOLATED_ATOM_ENERGIES.get(z)!).reduce((a, b) => a + b, 0)) / s.numbers.length);
  let sq = 0, n = 0;
  for (const s of sample) for (const f of referenceForces(s) ?? []) { sq += f * f; n++; }
  model.normalisation = {
    referenceEnergies: SPECIES.map((z) => ISOLATED_ATOM_ENERGIES.get(z)!),
    shift: residuals.reduce((a, b) => a + b, 0) / residuals.length,
    scale: Math.sqrt(sq / n),
  };
}
const parameterCount = Object.values(model.params).reduce((sum, v) => sum + v.size, 0);
console.log(`mace: ${parameterCount} parameters, config ${JSON.stringify(model.config)}, normalisation shift ${model.normalisation.shift.toFixed(4)} eV/atom, scale ${model.normalisation.scale.toFixed(4)}`);

const options = {
  energyWeight: Number(values['energy-weight']), forceWeight: Number(values['force-weight']),
  batchSize: Number(values['batch-size']), epochSize: Number(values['epoch-size']), maxEpochs: 100000,
  learningRate: Number(values['learning-rate']), warmupSteps: values.init ? 20 : 200, schedule: 'cosine' as const,
  emaDecay: 0.995, earlyStoppingPatience: 1000, timeBudgetSeconds: Number(values.minutes) * 60, gradientClipNorm: 10, seed: member,
};
const command = `node --import tsx scripts/train-hcnof-potential.ts ${process.argv.slice(2).join(' ')}`;
const card = {
  title: `H, C, N, O, F potential (GFN2-xTB), ensemble member ${member}: MACE ${String(model.config['channels'])} channels, L ≤ 1, correlation ${String(model.config['correlation'])}`,
  description: 'MACE (Batatia et al. 2022) energy model trained on GFN2-xTB energies and forces of QM9 molecules (equilibrium and displaced) and xtb-generated frames; forces are −∂E/∂r.',
  trainingData: dataRecord.join('; '),
  intendedUse: 'Energies, forces, relaxation and molecular dynamics of neutral closed-shell organic molecules of H, C, N, O, F near GFN2-xTB quality.',
  limitations: 'GFN2-xTB quality at best; no long-range electrostatics beyond the 5 Å cutoff; charged, open-shell, periodic or metal-containing systems are outside its training.',
  citation: 'Batatia et al., NeurIPS 2022 (MACE); Bannwarth, Ehlert, Grimme, JCTC 2019 (GFN2-xTB); Ramakrishnan et al., Sci. Data 2014 (QM9)',
};
const metricsOf = (dataset: string, m: EvaluationResult) => ({
  dataset, structures: m.structures, energyMAE_meV: m.energyMAE_meV, energyMAE_meV_per_atom: m.energyMAE_meV_per_atom,
  forceMAE_meV_per_A: m.forceMAE_meV_per_A, energyRMSE_meV: m.energyRMSE_meV, forceRMSE_meV_per_A: m.forceRMSE_meV_per_A,
});
/** Writes the model file with the training record so far (every improving epoch and at the end). */
async function save(params: Readonly<Record<string, Tensor>> | undefined, state: { epochs: number; seconds: number; bestEpoch: number; stoppedBy: string; metrics: ReturnType<typeof metricsOf>[] }): Promise<void> {
  const runs: TrainingRun[] = [...earlier.runs, { epochs: state.epochs, seconds: Math.round(state.seconds), stoppedBy: state.stoppedBy, command, ...(initWeightsSha256 ? { initWeightsSha256 } : {}) }];
  const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  for (const [name, v] of Object.entries(params ?? model.params)) tensors.set(name, { shape: v.shape, values: v.dataSync() as Float32Array });
  const file = encodeModelFile({
    family: model.family, config: model.config, description: model.description, species: model.species, cutoff: model.cutoff,
    normalisation: model.normalisation, card, tensors,
    training: {
      dataset: dataRecord.join('; '), trainStructures: split.train.length, validationStructures: validation.length,
      epochs: earlier.epochs + state.epochs, bestEpoch: earlier.epochs + state.bestEpoch, seconds: Math.round(earlier.seconds + state.seconds),
      runs, backend: backend.description, options: { ...options, parameters: parameterCount, member, split: 'splitByName seed 1, validation 0.02, test 0.05' }, date: new Date().toISOString(),
    },
    metrics: state.metrics,
  });
  await writeModelFile(`${out}.model.json`, file);
}

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
const t0 = performance.now();
const result = await trainModel(model, {
  train: trainFrames, validation, ...options, signal: controller.signal,
  onProgress: (p) => {
    if (p.phase === 'epoch' && p.validation) {
      console.log(`epoch ${p.epoch + 1} ${p.elapsedSeconds.toFixed(0)} s lr ${p.learningRate.toExponential(2)} loss ${p.loss.toFixed(5)} ` +
        `val E ${p.validation.energyMAE_meV_per_atom.toFixed(2)} meV/atom F ${p.validation.forceMAE_meV_per_A.toFixed(1)} meV/Å (best epoch ${(p.bestEpoch ?? 0) + 1})`);
    }
  },
  onCheckpoint: (c) => save(c.params, {
    epochs: c.epoch + 1, seconds: (performance.now() - t0) / 1000, bestEpoch: c.epoch + 1, stoppedBy: 'running (checkpoint)',
    metrics: [metricsOf(`validation (${validation.length} frames)`, c.validation)],
  }),
});
console.log(`stopped by ${result.stoppedBy} after ${result.epochs} epochs, ${result.seconds.toFixed(0)} s; best epoch ${result.bestEpoch + 1}`);
const testMetrics = await evaluateModel(model, test);
console.log(`test (${testMetrics.structures} frames): energy MAE ${testMetrics.energyMAE_meV_per_atom.toFixed(2)} meV/atom, force MAE ${testMetrics.forceMAE_meV_per_A.toFixed(1)} meV/Å`);
await save(undefined, {
  epochs: result.epochs, seconds: result.seconds, bestEpoch: result.bestEpoch + 1, stoppedBy: result.stoppedBy,
  metrics: [metricsOf(`test by name (${test.length} of ${split.test.length} frames)`, testMetrics), ...(result.bestValidation ? [metricsOf(`validation (${validation.length} frames)`, result.bestValidation)] : [])],
});
await writeFile(`${out}.log.json`, JSON.stringify({ history: result.history, test: testMetrics }, null, 1));
// The card of this run (scripts/potential-card.ts adds earlier runs' curves and the out-of-distribution figures).
await writeFile(`${out}.md`, potentialCard(JSON.parse(await readFile(`${out}.model.json`, 'utf8')), [result.history]));
console.log(`wrote ${out}.model.json`);
model.dispose();
