/**
 * Property models and ensembles (core/engine/properties) on QM9-xTB molecules
 * (../shared/datasets/qm9_xtb/qm9_xtb_equilibrium.extxyz.gz):
 *
 *  - batch prediction end to end (gzip extXYZ → parse → property predictor → CSV file), molecules/s, with an
 *    ensemble of 3; baseline: one member alone on the same molecules (ratio ≈ 1/3 when members share nothing,
 *    better when they share the graph). 100k molecules (quick: 1k);
 *  - training throughput (frames/s, energy + forces through core/engine/train for egnn, mace, tdn, escn, faenet,
 *    and the property trainer), each beside the egnn figure measured in the same run;
 *  - memory while streaming 1M records (quick: 20k) cycling real QM9 molecules through the pipeline with the
 *    ensemble into a CSV file: RSS, live JS heap after GC, tf.memory().numTensors at the end vs at the start.
 *
 * The ensemble members have the architecture of the qm9xtb-properties recipe (scripts/train-qm9xtb-properties.ts:
 * MACE trunk 16 channels, L ≤ 1, sh L ≤ 2, correlation 2, 2 interactions, heads of 32) with UNTRAINED seeded
 * weights: the figures are speeds and memory, which do not depend on the weights' values.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { createCsvRowSink } from '../core/export/csv';
import { formatById } from '../core/formats/registry';
import type { ByteSource } from '../core/io/lines';
import { runBatchJob, type BatchJobResult, type JobInput } from '../core/pipeline/job';
import { predictorColumns, type RowSink } from '../core/pipeline/rows';
import type { Predictor } from '../core/predict/predictor';
import { createPropertyModelPredictor } from '../core/predict/property-model-predictor';
import { PropertyEnsemble } from '../core/engine/properties/ensemble';
import { QM9_XTB_OUTPUTS } from '../core/engine/properties/outputs';
import { createPropertyModel, type PropertyModel } from '../core/engine/properties/property-model';
import { trainPropertyModel } from '../core/engine/properties/train-properties';
import type { EnergyModel } from '../core/engine/model';
import { createEgnn } from '../core/engine/models/egnn/egnn';
import { createEscnModel } from '../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../core/engine/models/faenet/faenet-model';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import { createTdnModel } from '../core/engine/models/tdn/tdn-model';
import { averageNeighbourCount, fitNormalisation } from '../core/engine/train/normalisation';
import { trainModel } from '../core/engine/train/train';
import type { Structure } from '../core/structure/structure';
import { fileInput, FileTextSink } from '../main/io/files';
import { readPropertyModelFile } from '../main/models/model-files';
import { initNodeBackend } from '../main/models/node-backend';
import { qm9Frames } from '../test/generative/edm/qm9-frames';
import type { BenchFigure, BenchOptions, BenchSuite } from './harness';

const MiB = 1024 * 1024;
const SPECIES = [1, 6, 7, 8, 9];
const QM9_XTB = ['qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz'] as const;
const FIXTURE_ENSEMBLE = fileURLToPath(new URL('../test/fixtures/models/tiny-qm9xtb-properties-3.model.json', import.meta.url));

/** Member k (seeded) with the qm9xtb-properties recipe's architecture, untrained. */
function recipeMember(k: number, avgNumNeighbors: number): PropertyModel {
  return createPropertyModel({
    trunk: 'mace',
    trunkConfig: { species: SPECIES, cutoff: 5, channels: 16, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors, seed: k },
    outputs: QM9_XTB_OUTPUTS,
    headHidden: 32,
    seed: 100 + k,
  });
}

/** Runs `predictor` over `input` into a CSV file in scratchDir, stopping after `limit` rows. */
async function csvJob(options: BenchOptions, input: JobInput, predictor: Predictor, limit: number, sinkHook?: (rows: number) => void): Promise<BatchJobResult & { csvBytes: number }> {
  const outPath = join(options.scratchDir, 'properties-bench-out.csv');
  const file = await FileTextSink.open(outPath, 'w');
  const csv = createCsvRowSink(file, predictorColumns(predictor));
  const controller = new AbortController();
  let rows = 0;
  const sink: RowSink = {
    async write(batch) {
      await csv.write(batch);
      rows += batch.length;
      sinkHook?.(rows);
      if (rows >= limit) controller.abort();
    },
    close: () => csv.close(),
  };
  const result = await runBatchJob({ inputs: [input], sink, predictor, signal: controller.signal });
  await sink.close();
  const csvBytes = statSync(outPath).size;
  rmSync(outPath, { force: true });
  return { ...result, csvBytes };
}

const perSecond = (r: BatchJobResult) => (r.rowsWritten / r.elapsedMs) * 1000;

/** A job input replaying `frames` (as extXYZ text) until `records` records have been offered. */
function cyclingInput(frames: readonly Structure[], records: number): { input: JobInput; records: number } {
  const writer = formatById('extxyz')!.createWriter!();
  const block = new TextEncoder().encode(frames.map((s, i) => writer.write(s, i)).join(''));
  const cycles = Math.max(1, Math.ceil(records / frames.length));
  const open = (): ByteSource => ({
    async *[Symbol.asyncIterator]() {
      for (let c = 0; c < cycles; c++) yield block;
    },
  });
  return { input: { name: 'qm9-xtb-cycled.extxyz', size: block.length * cycles, open }, records: cycles * frames.length };
}

async function batchPrediction(options: BenchOptions, backend: string, avgNeighbours: number): Promise<BenchFigure> {
  const source = join(options.datasetsDir, ...QM9_XTB);
  const limit = options.quick ? 1000 : 100_000;
  const members = [1, 2, 3].map((k) => recipeMember(k, avgNeighbours));
  const ensemble = new PropertyEnsemble(members);
  const single = new PropertyEnsemble([members[0]!]);
  const ensemblePredictor = createPropertyModelPredictor(ensemble, { id: 'model:bench-properties-3', ownsModel: false });
  const singlePredictor = createPropertyModelPredictor(single, { id: 'model:bench-properties-1', ownsModel: false });
  try {
    // Warm-up (kernels, first allocations) on a few hundred molecules, then the timed runs.
    await csvJob(options, await fileInput(source), ensemblePredictor, 256);
    const one = await csvJob(options, await fileInput(source), singlePredictor, limit);
    const three = await csvJob(options, await fileInput(source), ensemblePredictor, limit);
    options.log(`ensemble of 3: ${three.rowsWritten} rows (${three.errorRows} errors) in ${(three.elapsedMs / 1000).toFixed(1)} s, ${(three.csvBytes / 1e6).toFixed(1)} MB CSV; one member: ${(one.elapsedMs / 1000).toFixed(1)} s`);
    return {
      name: `predict pipeline, property ensemble of 3 (homo, lumo, gap, dipole, charges + spreads), QM9-xTB extXYZ.gz -> CSV (${three.rowsWritten} molecules)`,
      value: perSecond(three),
      unit: 'molecules/s',
      backend,
      baseline: { name: 'one member alone on the same molecules (no spreads)', value: perSecond(one) },
      better: 'higher',
      note: `members: MACE 16 ch, L ≤ 1, sh L ≤ 2, 2 interactions (recipe size, untrained weights), batch 32; ${three.errorRows} error rows; ratio ~0.33 = no work shared between members`,
    };
  } finally {
    ensemblePredictor.dispose?.();
    singlePredictor.dispose?.();
    ensemble.dispose();
  }
}

async function trainingThroughput(options: BenchOptions, backend: string, frames: readonly Structure[], avgNumNeighbors: number): Promise<BenchFigure[]> {
  const trainCount = options.quick ? 16 : 96;
  const epochs = options.quick ? 1 : 2;
  const train = frames.slice(0, trainCount);
  const validation = frames.slice(trainCount, trainCount + 4);
  const normalisation = fitNormalisation(frames, SPECIES);
  const common = { species: SPECIES, cutoff: 5, nBasis: 8, avgNumNeighbors, seed: 1 };
  const withNorm = <M extends EnergyModel>(m: M): M => {
    m.normalisation = normalisation;
    return m;
  };
  const families: Array<[string, string, () => EnergyModel]> = [
    ['egnn', 'EGNN 32 features, 2 layers', () => createEgnn({ species: SPECIES, cutoff: 5, features: 32, layers: 2, updateCoordinates: false, averageNeighbours: avgNumNeighbors, seed: 1 }, normalisation)],
    ['mace', 'MACE 16 ch, L ≤ 1, sh L ≤ 2, correlation 2, 2 interactions', () => withNorm(createMaceModel({ ...common, channels: 16, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2 }))],
    ['tdn', 'TDN 16 ch, L ≤ 1, sh L ≤ 2, CP rank 40, 2 interactions', () => withNorm(createTdnModel({ ...common, channels: 16, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, cpRank: 40 }))],
    ['escn', 'eSCN 16 ch, L ≤ 1, sh L ≤ 2, 2 interactions', () => withNorm(createEscnModel({ ...common, channels: 16, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2 }))],
    ['faenet', 'FAENet 32 hidden, 2 interactions, full O(3) frame averaging', () => withNorm(createFaenetModel({ species: SPECIES, cutoff: 5, hidden: 32, nInteractions: 2, nBasis: 8, avgNumNeighbors, frameGroup: 'O3', frameAveraging: 'full', seed: 1 }))],
  ];
  const trainOptions = { validation, batchSize: 8, learningRate: 1e-3, warmupSteps: 2, emaDecay: 0.99, gradientClipNorm: 10, seed: 1 };
  const rates: Array<{ family: string; label: string; rate: number }> = [];
  for (const [family, label, create] of families) {
    const model = create();
    try {
      await trainModel(model, { ...trainOptions, train: train.slice(0, 8), maxEpochs: 1 }); // warm-up: kernels
      const t0 = performance.now();
      await trainModel(model, { ...trainOptions, train, maxEpochs: epochs });
      rates.push({ family, label, rate: (epochs * train.length) / ((performance.now() - t0) / 1000) });
    } finally {
      model.dispose();
    }
    options.log(`${family}: ${rates[rates.length - 1]!.rate.toFixed(1)} frames/s`);
  }
  // The property trainer: recipe-size member, all five QM9-xTB outputs (no energy, so no forces).
  const member = recipeMember(1, avgNumNeighbors);
  try {
    const propertyOptions = { validation, batchSize: 8, learningRate: 1e-3, warmupSteps: 2, emaDecay: 0.99, gradientClipNorm: 10, seed: 1 };
    await trainPropertyModel(member, { ...propertyOptions, train: train.slice(0, 8), maxEpochs: 1 });
    const t0 = performance.now();
    await trainPropertyModel(member, { ...propertyOptions, train, maxEpochs: epochs, keepTargets: true });
    rates.push({ family: 'properties', label: 'property model, MACE 16 ch trunk + homo/lumo/gap/dipole/charges heads (recipe size)', rate: (epochs * train.length) / ((performance.now() - t0) / 1000) });
    options.log(`properties: ${rates[rates.length - 1]!.rate.toFixed(1)} frames/s`);
  } finally {
    member.dispose();
  }
  const egnn = rates.find((r) => r.family === 'egnn')!.rate;
  return rates.map((r) => ({
    name: `training throughput, ${r.label}, batch 8, QM9-xTB`,
    value: r.rate,
    unit: 'frames/s',
    backend,
    ...(r.family === 'egnn' ? {} : { baseline: { name: 'EGNN 32 features, 2 layers (same frames, same run)', value: egnn } }),
    better: 'higher' as const,
    note: `${r.family === 'properties' ? 'property loss (5 targets, no forces)' : 'energy + force loss (forces by energyAndForces, second order)'}; ${epochs} epoch(s) of ${train.length} QM9-xTB frames + validation on ${validation.length}, wall clock, 1 thread`,
  }));
}

async function streamMemory(options: BenchOptions, backend: string, frames: readonly Structure[]): Promise<BenchFigure[]> {
  const { input, records } = cyclingInput(frames, options.quick ? 20_000 : 1_000_000);
  const ensemble = await readPropertyModelFile(FIXTURE_ENSEMBLE);
  const predictor = createPropertyModelPredictor(ensemble, { id: 'model:tiny-qm9xtb-properties-3' });
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const mark = records * 0.05;
  let start: { rss: number; heap: number; tensors: number } | undefined;
  try {
    const result = await csvJob(options, input, predictor, records, (rows) => {
      if (!start && rows >= mark) {
        gc();
        start = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, tensors: tf.memory().numTensors };
      }
    });
    gc();
    const end = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, tensors: tf.memory().numTensors };
    const at = `${Math.round(mark)} records (5 %)`;
    options.log(`stream: ${result.rowsWritten} rows (${result.errorRows} errors) in ${(result.elapsedMs / 1000).toFixed(1)} s (${perSecond(result).toFixed(0)}/s), ${(result.csvBytes / 1e6).toFixed(0)} MB CSV; tensors ${start!.tensors} -> ${end.tensors}`);
    const what = `streaming ${result.rowsWritten} records (${frames.length} QM9-xTB molecules cycled) through the tiny fixture ensemble of 3 into a CSV file`;
    return [
      { name: `RSS after ${what}`, value: end.rss / MiB, unit: 'MiB', backend, baseline: { name: `RSS after ${at}`, value: start!.rss / MiB }, better: 'lower', note: 'ratio ~1 means memory stays flat' },
      { name: `live JS heap after GC at the end of ${result.rowsWritten} records`, value: end.heap / MiB, unit: 'MiB', backend, baseline: { name: `live heap after GC at ${at}`, value: start!.heap / MiB }, better: 'lower', note: 'what the stream retains: ratio ~1 means nothing accumulates' },
      { name: `tf.memory().numTensors at the end of ${result.rowsWritten} records`, value: end.tensors, unit: 'tensors', backend, baseline: { name: `numTensors at ${at}`, value: start!.tensors }, better: 'lower', note: 'the 3 members\' weights; equal means no tensor leaks per batch' },
    ];
  } finally {
    predictor.dispose?.();
  }
}

export const suite: BenchSuite = {
  name: 'property models and ensembles',
  async run(options) {
    const info = await initNodeBackend();
    const backend = `${info.description}, node ${process.versions.node}`;
    const frames = await qm9Frames(options.quick ? 500 : 2000);
    const avgNeighbours = averageNeighbourCount(frames, 5, 500);
    const figures: BenchFigure[] = [];
    figures.push(await batchPrediction(options, backend, avgNeighbours));
    figures.push(...(await trainingThroughput(options, backend, frames, avgNeighbours)));
    figures.push(...(await streamMemory(options, backend, frames)));
    return figures;
  },
};
