/**
 * The batch pipeline end to end (file -> lines -> records -> predictor -> CSV file), on the QM9-derived inputs
 * that bench/io.bench.ts generates, and its memory while streaming ~1M records.
 *
 * Figures:
 *  - geometry predictor, extXYZ -> CSV, structures/s; baseline: the same job without a predictor (parse + rows only);
 *  - rdkit-descriptors predictor, SDF -> CSV, structures/s on the first N records; baseline: geometry on the same records;
 *  - peak RSS and heap while streaming ~1M records (the QM9 extXYZ repeated through a generator) with the geometry
 *    predictor into a CSV file; baseline: the same figure after the first 10% of records (flat memory: ratio ~1).
 */
import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCsvRowSink } from '../core/export/csv';
import type { ByteSource } from '../core/io/lines';
import { runBatchJob, type BatchJobResult, type JobInput } from '../core/pipeline/job';
import { predictorColumns, type RowSink } from '../core/pipeline/rows';
import type { Predictor } from '../core/predict/predictor';
import { createGeometryPredictor } from '../core/predict/geometry-descriptors';
import { predictorEntry } from '../core/predict/registry';
import { FileTextSink } from '../main/io/files';
import type { BenchFigure, BenchOptions, BenchSuite } from './harness';
import { benchInputs } from './io.bench';

const MiB = 1024 * 1024;

function fileInputOf(path: string, repeat = 1): JobInput {
  const size = statSync(path).size * repeat;
  const open = (): ByteSource => ({
    async *[Symbol.asyncIterator]() {
      for (let k = 0; k < repeat; k++) yield* createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
    },
  });
  return { name: path, size, open };
}

async function csvJob(options: BenchOptions, input: JobInput, predictor: Predictor | undefined, limit?: number): Promise<BatchJobResult> {
  const outPath = join(options.scratchDir, 'pipeline-bench-out.csv');
  const file = await FileTextSink.open(outPath, 'w');
  const csv = createCsvRowSink(file, predictorColumns(predictor));
  const controller = new AbortController();
  let rows = 0;
  const sink: RowSink = {
    async write(batch) {
      await csv.write(batch);
      rows += batch.length;
      if (limit !== undefined && rows >= limit) controller.abort();
    },
    close: () => csv.close(),
  };
  const result = await runBatchJob({ inputs: [input], sink, signal: controller.signal, ...(predictor ? { predictor } : {}) });
  await sink.close();
  rmSync(outPath, { force: true });
  return result;
}

const perSecond = (r: BatchJobResult) => (r.rowsWritten / r.elapsedMs) * 1000;

export const suite: BenchSuite = {
  name: 'batch pipeline',
  async run(options) {
    const inputs = await benchInputs(options);
    const figures: BenchFigure[] = [];
    const geometry = createGeometryPredictor();

    const parseOnly = await csvJob(options, fileInputOf(inputs.extxyz), undefined);
    const withGeometry = await csvJob(options, fileInputOf(inputs.extxyz), geometry);
    options.log(`extxyz job: ${withGeometry.rowsWritten} rows (${withGeometry.errorRows} errors) in ${(withGeometry.elapsedMs / 1000).toFixed(1)} s`);
    figures.push({
      name: `predict pipeline, geometry, extXYZ -> CSV (${withGeometry.rowsWritten} QM9 structures)`,
      value: perSecond(withGeometry),
      unit: 'structures/s',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'same job without a predictor (parse + rows + CSV)', value: perSecond(parseOnly) },
      better: 'higher',
    });

    const rdkitEntry = predictorEntry('rdkit-descriptors');
    if (rdkitEntry) {
      const limit = options.quick ? 2000 : 20000;
      const rdkit = await rdkitEntry.create();
      await rdkit.prepare?.();
      const rdkitRun = await csvJob(options, fileInputOf(inputs.sdf), rdkit, limit);
      const geometryRun = await csvJob(options, fileInputOf(inputs.sdf), geometry, limit);
      rdkit.dispose?.();
      options.log(`sdf rdkit job: ${rdkitRun.rowsWritten} rows, ${rdkitRun.errorRows} error rows`);
      figures.push({
        name: `predict pipeline, rdkit-descriptors, SDF -> CSV (first ${rdkitRun.rowsWritten} QM9 structures)`,
        value: perSecond(rdkitRun),
        unit: 'structures/s',
        backend: `RDKit MinimalLib wasm, node ${process.versions.node}`,
        baseline: { name: 'geometry predictor on the same records', value: perSecond(geometryRun) },
        better: 'higher',
        note: `${rdkitRun.errorRows} error rows`,
      });
    } else {
      options.log('rdkit-descriptors predictor not registered: skipped');
    }

    // Flat memory: ~1M records streamed from a generator that replays the QM9 extXYZ.
    const repeat = Math.max(1, Math.ceil((options.quick ? 100_000 : 1_000_000) / inputs.extxyzRecords));
    const total = inputs.extxyzRecords * repeat;
    let peakRss = 0;
    let peakHeap = 0;
    let earlyRss = 0;
    let earlyHeap = 0;
    let rowsSoFar = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      if (rowsSoFar <= total * 0.1) {
        earlyRss = Math.max(earlyRss, m.rss);
        earlyHeap = Math.max(earlyHeap, m.heapUsed);
      }
    };
    const timer = setInterval(sample, 50);
    const outPath = join(options.scratchDir, 'pipeline-bench-1m.csv');
    const file = await FileTextSink.open(outPath, 'w');
    const csv = createCsvRowSink(file, predictorColumns(geometry));
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let retainedEarly = 0;
    const counting: RowSink = {
      async write(rows) {
        await csv.write(rows);
        const before = rowsSoFar;
        rowsSoFar += rows.length;
        if (before < total * 0.1 && rowsSoFar >= total * 0.1) {
          gc();
          retainedEarly = process.memoryUsage().heapUsed;
        }
      },
      close: () => csv.close(),
    };
    const big = await runBatchJob({ inputs: [fileInputOf(inputs.extxyz, repeat)], predictor: geometry, sink: counting });
    gc();
    const retainedEnd = process.memoryUsage().heapUsed;
    await counting.close();
    clearInterval(timer);
    sample();
    const csvBytes = statSync(outPath).size;
    rmSync(outPath, { force: true });
    options.log(
      `1M stream: ${big.rowsWritten} rows in ${(big.elapsedMs / 1000).toFixed(1)} s (${perSecond(big).toFixed(0)}/s), ${(big.bytesRead / 1e9).toFixed(2)} GB read, ${(csvBytes / 1e6).toFixed(0)} MB CSV written`,
    );
    figures.push({
      name: `peak RSS streaming ${big.rowsWritten} records (geometry -> CSV file)`,
      value: peakRss / MiB,
      unit: 'MiB',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'peak RSS over the first 10% of records', value: earlyRss / MiB },
      better: 'lower',
      note: `${(big.bytesRead / 1e9).toFixed(2)} GB input; ratio ~1 means memory stays flat`,
    });
    figures.push({
      name: `peak JS heap streaming ${big.rowsWritten} records`,
      value: peakHeap / MiB,
      unit: 'MiB',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'peak heap over the first 10% of records', value: earlyHeap / MiB },
      better: 'lower',
      note: 'peaks include garbage not yet collected',
    });
    figures.push({
      name: `live JS heap after GC at the end of ${big.rowsWritten} records`,
      value: retainedEnd / MiB,
      unit: 'MiB',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'live heap after GC at 10% of records', value: retainedEarly / MiB },
      better: 'lower',
      note: 'what the stream retains: ratio ~1 means nothing accumulates',
    });
    return figures;
  },
};
