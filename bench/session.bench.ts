/**
 * The app's session (what the compute host and the web worker run) on QM9: 128,744 structures from one
 * gzip extXYZ file, the virtualised table's page requests, and a geometry job through the job queue.
 *
 * Figures:
 *  - open (bytes -> document) throughput, structures/s; baseline: the same parser through readText on the
 *    pre-inflated text, synchronously (no streaming, no yields: the UI would freeze for the whole time);
 *  - longest event-loop stall while opening, ms; baseline: the synchronous baseline's stall (= its run time);
 *  - sorted page latency for the 100k-row table, ms/page while scrolling (cached order);
 *    baseline: the first page of that sort (the sort itself);
 *  - geometry job throughput through the queue (batches, progress events, yields, stored rows), structures/s;
 *    baseline: the bare predictor on the same structures;
 *  - heap growth per open structure, bytes (no baseline; gzip size per structure in the note).
 * Quick mode uses the 10k-structure QM9 RI-MP2 file instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatById } from '../core/formats/registry';
import { readText } from '../core/formats/read-text';
import { createGeometryPredictor } from '../core/predict/geometry-descriptors';
import { EquimolSession } from '../core/session/session';
import type { BenchFigure, BenchSuite } from './harness';

function measureStalls(): { stop(): number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}

export const suite: BenchSuite = {
  name: 'session (app compute side)',
  async run(options) {
    const file = options.quick ? ['qm9_ppqm', 'qm9_rimp2_tzvp_10k.extxyz.gz'] : ['qm9_ppqm', 'qm9_geometries_128744.extxyz.gz'];
    const path = join(options.datasetsDir, ...file);
    const gz = new Uint8Array(readFileSync(path));
    const figures: BenchFigure[] = [];
    const format = formatById('extxyz');
    if (!format) throw new Error('extxyz format is not registered');

    // Baseline: synchronous in-memory parse of the inflated text.
    const text = new TextDecoder().decode(gunzipSync(gz));
    const t0 = performance.now();
    const sync = readText(text, file[1]!, format);
    const syncMs = performance.now() - t0;
    const count = sync.structures.length;
    options.log(`${file[1]}: ${count} structures, sync parse ${syncMs.toFixed(0)} ms`);

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const session = new EquimolSession();
    const stalls = measureStalls();
    const t1 = performance.now();
    const { documents } = await session.openFiles([{ name: file[1]!, bytes: gz }]);
    const openMs = performance.now() - t1;
    const stall = stalls.stop();
    const doc = documents[0]!;
    if (doc.recordCount !== count) throw new Error(`session read ${doc.recordCount} structures, readText ${count}`);
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    sync.structures.length = 0;

    figures.push({
      name: `open ${file[1]} (${count} structures, gzip bytes -> document)`,
      value: (count / openMs) * 1000,
      unit: 'structures/s',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'readText on pre-inflated text, synchronous', value: (count / syncMs) * 1000 },
      better: 'higher',
      note: 'session includes gunzip, streaming decode, table rows and 25 ms yields',
    });
    figures.push({
      name: 'longest event-loop stall while opening',
      value: stall,
      unit: 'ms',
      baseline: { name: 'synchronous parse (blocks throughout)', value: syncMs },
      better: 'lower',
      note: 'target < 100 ms so the UI and cancel stay responsive',
    });
    figures.push({
      name: 'heap per open structure',
      value: (heapAfter - heapBefore) / count,
      unit: 'bytes',
      better: 'lower',
      note: `${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB for ${count}; gzip file ${(gz.byteLength / count).toFixed(0)} B/structure${global.gc ? '' : ' (run node with --expose-gc for exact figures)'}`,
    });

    // Virtualised table: sorted by a per-structure property, then scrolling page by page.
    const sortKey = doc.columns.find((c) => c.kind === 'number')?.key ?? 'atoms';
    const t2 = performance.now();
    await session.listStructures(doc.id, { offset: 0, limit: 100, sortBy: sortKey });
    const firstPageMs = performance.now() - t2;
    const pages = 200;
    const t3 = performance.now();
    for (let p = 1; p <= pages; p++) {
      await session.listStructures(doc.id, { offset: (p * 100 * 7919) % Math.max(1, count - 100), limit: 100, sortBy: sortKey });
    }
    const pageMs = (performance.now() - t3) / pages;
    figures.push({
      name: `sorted page (100 rows by '${sortKey}') of a ${count}-row table, while scrolling`,
      value: pageMs,
      unit: 'ms/page',
      baseline: { name: 'first page of the sort (sorting included)', value: firstPageMs },
      better: 'lower',
      note: 'target < 16 ms per page (one frame)',
    });

    // Geometry job through the queue vs the bare predictor.
    const structures = await Promise.all(Array.from({ length: Math.min(count, 20000) }, (_, i) => session.getStructure(doc.id, i)));
    const predictor = createGeometryPredictor();
    const t4 = performance.now();
    for (let i = 0; i < structures.length; i += predictor.batchSize) await predictor.predict(structures.slice(i, i + predictor.batchSize));
    const bareMs = performance.now() - t4;
    const indices = structures.map((_, i) => i);
    const t5 = performance.now();
    const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry', indices });
    const final = await session.whenJobFinished(job.id);
    const jobMs = performance.now() - t5;
    if (final.state !== 'done' || final.done !== structures.length) throw new Error(`job ended ${final.state} at ${final.done}`);
    figures.push({
      name: `geometry job through the session queue (${structures.length} structures)`,
      value: (structures.length / jobMs) * 1000,
      unit: 'structures/s',
      baseline: { name: 'bare predictor.predict loop', value: (structures.length / bareMs) * 1000 },
      better: 'higher',
      note: 'includes progress events, yields between batches, result rows and table columns',
    });
    session.dispose();
    return figures;
  },
};
