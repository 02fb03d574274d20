/**
 * The app's session (what the compute host and the web worker run) on QM9: 128,744 structures from one
 * gzip extXYZ file, the virtualised table's page requests, and a geometry job through the job queue.
 *
 * Figures:
 *  - open (gzip bytes -> document) throughput, structures/s of process CPU time; baseline: the same parser the
 *    naive way, gunzipSync + decode + readText synchronously (no streaming, no yields: the UI would freeze);
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
import { gunzipSync, gzipSync } from 'node:zlib';
import { formatById } from '../core/formats/registry';
import { readText } from '../core/formats/read-text';
import { createGeometryPredictor } from '../core/predict/geometry-descriptors';
import { EquimolSession } from '../core/session/session';
import type { BenchFigure, BenchSuite } from './harness';

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

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

    // Warm up both paths (JIT) on the first ~5% of the file, so neither figure pays for compilation.
    const text = new TextDecoder().decode(gunzipSync(gz));
    const warmText = text.slice(0, text.indexOf('\n', Math.floor(text.length / 20)) + 1);
    readText(warmText, 'warm-up', format);
    const warmSession = new EquimolSession();
    await warmSession.openFiles([{ name: 'warm-up.extxyz.gz', bytes: new Uint8Array(gzipSync(warmText)) }]);
    warmSession.dispose();

    // Throughputs use process CPU time (process.cpuUsage): the shared machine's load would dominate wall time.
    // Baseline first: the naive whole-file way, synchronously: gunzipSync, decode, readText.
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const sync = readText(new TextDecoder().decode(gunzipSync(gz)), file[1]!, format);
    const syncWallMs = performance.now() - t0;
    const syncMs = cpuMs(process.cpuUsage(c0));
    const syncCount = sync.structures.length;
    sync.structures.length = 0;
    // Session second, so heap growth (GC work in the process CPU time) is charged to the baseline, not to it.
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const session = new EquimolSession();
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    const { documents } = await session.openFiles([{ name: file[1]!, bytes: gz }]);
    const openWallMs = performance.now() - t1;
    const openMs = cpuMs(process.cpuUsage(c1));
    const doc = documents[0]!;
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    // Stalls in a second open: the 1 ms probe timer itself costs CPU, so it stays out of the throughput run.
    const probeSession = new EquimolSession();
    const stalls = measureStalls();
    await probeSession.openFiles([{ name: file[1]!, bytes: gz }]);
    const stall = stalls.stop();
    probeSession.dispose();

    const count = syncCount;
    if (doc.recordCount !== count) throw new Error(`session read ${doc.recordCount} structures, readText ${count}`);
    options.log(`${file[1]}: ${count} structures; session open ${openWallMs.toFixed(0)} ms wall / ${openMs.toFixed(0)} ms CPU, sync parse ${syncWallMs.toFixed(0)} ms wall / ${syncMs.toFixed(0)} ms CPU`);

    figures.push({
      name: `open ${file[1]} (${count} structures, gzip bytes -> document)`,
      value: (count / openMs) * 1000,
      unit: 'structures/s (CPU time)',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'gunzipSync + decode + readText, synchronous', value: (count / syncMs) * 1000 },
      better: 'higher',
      note: 'session includes gunzip, streaming decode, table rows and 25 ms yields',
    });
    figures.push({
      name: 'longest event-loop stall while opening',
      value: stall,
      unit: 'ms',
      baseline: { name: 'synchronous parse (blocks throughout, wall)', value: syncWallMs },
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
    const c4 = process.cpuUsage();
    for (let i = 0; i < structures.length; i += predictor.batchSize) await predictor.predict(structures.slice(i, i + predictor.batchSize));
    const bareMs = cpuMs(process.cpuUsage(c4));
    const indices = structures.map((_, i) => i);
    const c5 = process.cpuUsage();
    const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry', indices });
    const final = await session.whenJobFinished(job.id);
    const jobMs = cpuMs(process.cpuUsage(c5));
    if (final.state !== 'done' || final.done !== structures.length) throw new Error(`job ended ${final.state} at ${final.done}`);
    figures.push({
      name: `geometry job through the session queue (${structures.length} structures)`,
      value: (structures.length / jobMs) * 1000,
      unit: 'structures/s (CPU time)',
      baseline: { name: 'bare predictor.predict loop', value: (structures.length / bareMs) * 1000 },
      better: 'higher',
      note: 'includes progress events, yields between batches, result rows and table columns',
    });
    session.dispose();
    return figures;
  },
};
