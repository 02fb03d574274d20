import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extxyzFormat } from '../../core/formats/xyz';
import { bytesSource, type ByteSource } from '../../core/io/lines';
import { createCsvRowSink, parseCsvLine } from '../../core/export/csv';
import { createJsonLinesRowSink } from '../../core/export/jsonl';
import { StringSink } from '../../core/export/text-sink';
import { runBatchJob, type BatchJobOptions, type JobInput, type BatchJobProgress } from '../../core/pipeline/job';
import { scanOutput, resumePointOf } from '../../core/pipeline/resume';
import { flatHeader, headerKey, predictorColumns, type ResultRow, type RowSink } from '../../core/pipeline/rows';
import { createGeometryPredictor } from '../../core/predict/geometry-descriptors';
import type { Predictor } from '../../core/predict/predictor';
import { seededRandom } from '../helpers/fuzz';

const CU_MD = readFileSync(resolve('assets/examples/cu13-md.extxyz'));
const DIMERS_GZ = readFileSync(resolve('..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'test_dimers.extxyz.gz'));
const geometry = createGeometryPredictor();
const columns = predictorColumns(geometry);

function memoryInput(name: string, data: Uint8Array | string, chunkSize = 4096): JobInput {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { name, size: bytes.byteLength, open: () => bytesSource(bytes, chunkSize) };
}

/** Frame `k` of the Cu13 file has a garbage x coordinate on its 3rd atom line. */
function corruptFrame(text: string, k: number): { text: string; line: number } {
  const lines = text.split('\n');
  const frameLength = 13 + 2;
  const line = k * frameLength + 2 + 3; // 0-based: count, comment, atoms 1-2, then atom 3
  lines[line] = lines[line]!.replace(/^(Cu\s+)\S+/, '$1abc');
  return { text: lines.join('\n'), line: line + 1 };
}

function inputs(): JobInput[] {
  const bad = corruptFrame(CU_MD.toString('utf8'), 4).text;
  return [memoryInput('cu13-md.extxyz', CU_MD, 777), memoryInput('dimers.extxyz.gz', DIMERS_GZ, 5000), memoryInput('bad.extxyz', bad, 1000)];
}

async function runCsv(extra: Partial<BatchJobOptions> = {}, initial = '', header = true) {
  const out = new StringSink(initial);
  const result = await runBatchJob({ inputs: inputs(), predictor: geometry, sink: createCsvRowSink(out, columns, { header }), format: extxyzFormat, batchSize: 16, ...extra });
  return { text: out.text, result };
}

function dataLines(csv: string): string[][] {
  return csv.trimEnd().split('\n').slice(1).map(parseCsvLine);
}

const full = await runCsv();
const fullRows = dataLines(full.text);
const dimerFrames = fullRows.filter((r) => r[0] === 'dimers.extxyz.gz').length;

test('every record gives one row in input order; one injected bad record gives exactly one error row', () => {
  assert.ok(dimerFrames > 50, `${dimerFrames} dimer frames`);
  assert.equal(fullRows.length, 12 + dimerFrames + 12);
  const errors = fullRows.filter((r) => r[6] === 'error');
  assert.equal(errors.length, 1);
  const { line } = corruptFrame(CU_MD.toString('utf8'), 4);
  assert.equal(errors[0]![0], 'bad.extxyz');
  assert.equal(errors[0]![1], '5', 'frame index 4, numbered from 1 in the CSV');
  assert.equal(Number(errors[0]![2]) <= line && Number(errors[0]![2]) >= line - 4, true, `error line ${errors[0]![2]} near ${line}`);
  assert.ok(errors[0]![7]!.length > 0);
  assert.equal(full.result.okRows, fullRows.length - 1);
  assert.equal(full.result.errorRows, 1);
  // order: file by file, record by record
  const header = full.text.split('\n')[0]!.split(',');
  assert.deepEqual(header, flatHeader(columns));
  assert.ok(header.includes('center_of_mass_x [Å]') && header.includes('principal_moments_z [u·Å²]'), header.join(','));
  const keys = header.map(headerKey);
  const cuRecords = fullRows.filter((r) => r[0] === 'cu13-md.extxyz').map((r) => Number(r[1]));
  assert.deepEqual(cuRecords, Array.from({ length: 12 }, (_, i) => i + 1), 'the record column counts from 1');
  // values are real: 13 Cu atoms, molar mass 13 * 63.546
  const first = fullRows[0]!;
  assert.equal(first[4], 'Cu13');
  assert.equal(first[5], '13');
  assert.ok(Math.abs(Number(first[keys.indexOf('molar_mass')]) - 13 * 63.546) < 1e-6);
});

test('a predictor error fails only its record, also when the predictor throws for the whole batch', async () => {
  const picky: Predictor = {
    ...geometry,
    id: 'picky',
    async predict(batch) {
      if (batch.some((s) => s.numbers.length === 13 && Math.abs(s.positions[3]! - CU_FRAME3_X) < 1e-12)) throw new Error('cannot handle frame 3');
      return geometry.predict(batch);
    },
  };
  const frame3 = await runBatchJob({ inputs: [memoryInput('cu.extxyz', CU_MD)], sink: nullSink(), format: extxyzFormat, predictor: geometry });
  assert.equal(frame3.okRows, 12);
  const rows: ResultRow[] = [];
  const result = await runBatchJob({ inputs: [memoryInput('cu.extxyz', CU_MD)], predictor: picky, sink: collectSink(rows), format: extxyzFormat, batchSize: 5 });
  assert.equal(rows.length, 12);
  assert.equal(result.errorRows, 1);
  const bad = rows.filter((r) => r.status === 'error');
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.record, 3);
  assert.equal(bad[0]!.error, 'cannot handle frame 3');
  assert.equal(bad[0]!.nAtoms, 13);
});

const CU_FRAME3_X = Number(CU_MD.toString('utf8').split('\n')[3 * 15 + 3]!.trim().split(/\s+/)[1]);

function nullSink(): RowSink {
  return { async write() {}, async close() {} };
}

function collectSink(rows: ResultRow[]): RowSink {
  return {
    async write(batch) {
      rows.push(...batch);
    },
    async close() {},
  };
}

test('resume after a kill at a random byte gives output identical to an uninterrupted run (CSV and JSON lines)', async () => {
  const random = seededRandom(2024);
  for (let trial = 0; trial < 6; trial++) {
    const cut = trial === 0 ? 0 : trial === 1 ? full.text.indexOf('\n') - 3 : Math.floor(random() * full.text.length);
    const torn = full.text.slice(0, cut);
    const scan = await scanOutput(bytesSource(torn, 333), 'csv');
    const point = resumePointOf(scan, 'csv', flatHeader(columns));
    const kept = new TextDecoder().decode(new TextEncoder().encode(torn).subarray(0, scan.completeBytes));
    const resumed = await runCsv({ resume: point }, kept, scan.header === undefined);
    assert.equal(resumed.text, full.text, `cut at byte ${cut}`);
    assert.equal(resumed.result.skippedResume, point.rows);
  }
  const jsonOut = new StringSink();
  await runBatchJob({ inputs: inputs(), predictor: geometry, sink: createJsonLinesRowSink(jsonOut, columns), format: extxyzFormat });
  const json = jsonOut.text;
  const cut = Math.floor(json.length * 0.37);
  const scan = await scanOutput(bytesSource(json.slice(0, cut), 100), 'jsonl');
  const again = new StringSink(json.slice(0, scan.completeBytes));
  await runBatchJob({ inputs: inputs(), predictor: geometry, sink: createJsonLinesRowSink(again, columns), format: extxyzFormat, resume: resumePointOf(scan, 'jsonl') });
  assert.equal(again.text, json);
  assert.equal(JSON.parse(json.split('\n')[0]!).n_atoms, 13);
});

test('resume refuses an output that belongs to other inputs', async () => {
  const scan = await scanOutput(bytesSource(full.text.slice(0, Math.floor(full.text.length / 2))), 'csv');
  const point = resumePointOf(scan, 'csv', flatHeader(columns));
  const out = new StringSink();
  await assert.rejects(
    runBatchJob({ inputs: [inputs()[1]!, inputs()[0]!, inputs()[2]!], predictor: geometry, sink: createCsvRowSink(out, columns), format: extxyzFormat, resume: point }),
    /last row/,
  );
  assert.throws(() => resumePointOf(scan, 'csv', ['file', 'record']), /header/);
});

test('cancelling mid-job stops promptly, leaves only complete rows, and resuming completes the output exactly', async () => {
  const controller = new AbortController();
  const out = new StringSink();
  let writes = 0;
  const csv = createCsvRowSink(out, columns);
  const sink: RowSink = {
    async write(rows) {
      await csv.write(rows);
      if (++writes === 3) controller.abort();
    },
    close: () => csv.close(),
  };
  const result = await runBatchJob({ inputs: inputs(), predictor: geometry, sink, format: extxyzFormat, batchSize: 16, signal: controller.signal });
  assert.equal(result.cancelled, true);
  assert.equal(result.rowsWritten, 3 * 16);
  assert.ok(out.text.endsWith('\n'));
  assert.ok(full.text.startsWith(out.text));
  const scan = await scanOutput(bytesSource(out.text), 'csv');
  assert.equal(scan.completeBytes, new TextEncoder().encode(out.text).length);
  const resumed = await runCsv({ resume: resumePointOf(scan, 'csv', flatHeader(columns)) }, out.text, false);
  assert.equal(resumed.text, full.text);
});

test('shards 0..n-1 together cover every record exactly once, the same way on every run', async () => {
  const all = fullRows.map((r) => `${r[0]}#${r[1]}`);
  for (const n of [1, 3, 4]) {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const shard = await runCsv({ shard: { index: i, count: n } });
      const keys = dataLines(shard.text).map((r) => `${r[0]}#${r[1]}`);
      assert.equal(shard.result.skippedShard, all.length - keys.length);
      const again = await runCsv({ shard: { index: i, count: n } });
      assert.equal(again.text, shard.text, `shard ${i}/${n} is deterministic`);
      seen.push(...keys);
    }
    assert.equal(seen.length, all.length, `n=${n}`);
    assert.deepEqual(new Set(seen), new Set(all));
  }
  await assert.rejects(runCsv({ shard: { index: 3, count: 3 } }), RangeError);
});

test('an unreadable or unrecognisable input becomes one file-level error row and the job goes on', async () => {
  const rows: ResultRow[] = [];
  const broken: JobInput = {
    name: 'missing.extxyz',
    open: () => {
      throw new Error('ENOENT: no such file');
    },
  };
  const truncatedGz = memoryInput('cut.extxyz.gz', DIMERS_GZ.subarray(0, Math.floor(DIMERS_GZ.length / 2)));
  const result = await runBatchJob({
    inputs: [broken, memoryInput('cu.extxyz', CU_MD), truncatedGz],
    predictor: geometry,
    sink: collectSink(rows),
    format: extxyzFormat,
  });
  assert.deepEqual(result.unreadableInputs, ['missing.extxyz', 'cut.extxyz.gz']);
  assert.equal(rows[0]!.record, null);
  assert.match(rows[0]!.error, /cannot read missing\.extxyz: ENOENT/);
  assert.equal(rows.filter((r) => r.file === 'cu.extxyz' && r.status === 'ok').length, 12);
  const cut = rows.filter((r) => r.file === 'cut.extxyz.gz');
  assert.ok(cut.filter((r) => r.status === 'ok').length > 5, 'frames before the break are kept');
  const last = cut[cut.length - 1]!;
  assert.equal(last.record, null);
  assert.match(last.error, /gzip data is corrupt or truncated/);
});

test('progress events are monotone and end at all bytes read', async () => {
  const events: BatchJobProgress[] = [];
  await runCsv({ onProgress: (p) => events.push(p), progressIntervalMs: 0 });
  assert.ok(events.length > 5);
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i]!.rowsWritten >= events[i - 1]!.rowsWritten);
    assert.ok(events[i]!.bytesRead >= events[i - 1]!.bytesRead);
  }
  const total = inputs().reduce((s, i) => s + i.size!, 0);
  const last = events[events.length - 1]!;
  assert.equal(last.totalBytes, total);
  assert.equal(last.bytesRead, total);
  assert.equal(last.rowsWritten, fullRows.length);
  assert.equal(last.errorRows, 1);
  assert.ok(events.some((e) => e.etaSeconds !== undefined && e.etaSeconds > 0));
});

test('backpressure: the job reads at most about one batch ahead of a slow writer', async () => {
  const frame = CU_MD.toString('utf8').split('\n').slice(0, 15).join('\n') + '\n';
  let produced = 0;
  const endless: ByteSource = {
    async *[Symbol.asyncIterator]() {
      const block = new TextEncoder().encode(frame.repeat(10));
      for (;;) {
        produced += 10;
        yield block;
      }
    },
  };
  const controller = new AbortController();
  let written = 0;
  let maxAhead = 0;
  const sink: RowSink = {
    async write(rows) {
      written += rows.length;
      maxAhead = Math.max(maxAhead, produced - written);
      await new Promise((r) => setTimeout(r, 1));
      if (written >= 2000) controller.abort();
    },
    async close() {},
  };
  const result = await runBatchJob({ inputs: [{ name: 'endless.extxyz', open: () => endless }], predictor: geometry, sink, format: extxyzFormat, batchSize: 50, signal: controller.signal });
  assert.equal(result.cancelled, true);
  assert.ok(written >= 2000 && written <= 2050);
  assert.ok(maxAhead <= 50 + 20, `read ${maxAhead} frames ahead of the writer`);
});

test('cancelling while the source is stalled (stdin, network) stops at once, keeping the rows already read', async () => {
  const stalled: ByteSource = {
    async *[Symbol.asyncIterator]() {
      yield new TextEncoder().encode(CU_MD.toString('utf8').repeat(5)); // 60 frames, more than the 64 KiB sniffed
      await new Promise(() => undefined); // never delivers more
    },
  };
  const controller = new AbortController();
  const rows: ResultRow[] = [];
  setTimeout(() => controller.abort(), 300);
  const t0 = performance.now();
  const result = await runBatchJob({ inputs: [{ name: 'stdin.extxyz', open: () => stalled }], predictor: geometry, sink: collectSink(rows), format: extxyzFormat, batchSize: 4, signal: controller.signal });
  assert.equal(result.cancelled, true);
  assert.ok(performance.now() - t0 < 5000);
  assert.ok(rows.length >= 56 && rows.length % 4 === 0, `${rows.length} rows: complete batches of what arrived were written`);
  assert.ok(rows.every((r) => r.status === 'ok'));
});
