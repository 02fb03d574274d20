import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCsvRowSink, csvLine, parseCsvLine, rowFields } from '../../core/export/csv';
import { StringSink } from '../../core/export/text-sink';
import { extxyzFormat } from '../../core/formats/xyz';
import { bytesSource } from '../../core/io/lines';
import { runBatchJob, type ResumePoint } from '../../core/pipeline/job';
import { ResumeHeaderError, resumePointOf, scanOutput } from '../../core/pipeline/resume';
import { flatHeader, headerKey, predictorColumns, type ResultRow, type RowSink } from '../../core/pipeline/rows';
import type { Prediction, Predictor } from '../../core/predict/predictor';
import { seededRandom } from '../helpers/fuzz';

const CU_MD = readFileSync(resolve('assets/examples/cu13-md.extxyz'), 'utf8');
const MESSAGE = 'SCF did not converge\nafter 250 "iterations", at step 3\r\nlast ΔE 1e-3 eV\n';

/** Every third structure fails with a message of several lines holding quotes, a comma, CR LF and non-ASCII text. */
function failingPredictor(): Predictor {
  return {
    id: 'multi-line-errors',
    description: 'test',
    columns: [{ key: 'energy', label: 'E', unit: 'eV', kind: 'number' }],
    batchSize: 4,
    async predict(batch) {
      return batch.map((s): Prediction | Error => {
        const x = s.positions[0]!;
        return Math.round(Math.abs(x) * 1000) % 3 === 0 ? new Error(`${MESSAGE}(${s.name})`) : { values: { energy: x } };
      });
    },
  };
}

const predictor = failingPredictor();
const columns = predictorColumns(predictor);
const header = flatHeader(columns);
const inputs = () => [
  { name: 'a.extxyz', open: () => bytesSource(CU_MD) },
  { name: 'b.extxyz', open: () => bytesSource(CU_MD) },
];

async function run(resume?: ResumePoint, initial = '', writeHeader = true): Promise<{ text: string; rows: ResultRow[] }> {
  const out = new StringSink(initial);
  const csv = createCsvRowSink(out, columns, { header: writeHeader });
  const rows: ResultRow[] = [];
  const sink: RowSink = {
    async write(batch) {
      rows.push(...batch);
      await csv.write(batch);
    },
    close: () => csv.close(),
  };
  await runBatchJob({ inputs: inputs(), predictor, sink, format: extxyzFormat, batchSize: 5, ...(resume ? { resume } : {}) });
  await sink.close();
  return { text: out.text, rows };
}

test('the full output has error rows whose quoted messages span lines', async () => {
  const { text, rows } = await run();
  const errors = rows.filter((r) => r.status === 'error');
  assert.ok(errors.length >= 3 && errors.length < rows.length, `${errors.length} error rows of ${rows.length}`);
  assert.equal(rows.length, 24);
  assert.ok(text.split('\n').length > rows.length + 2, 'more physical lines than rows');
  assert.ok(text.includes('"SCF did not converge\nafter 250 ""iterations"", at step 3\r\n'));
});

test('resume after a cut at any byte of a file with multi-line quoted error messages counts rows right and completes it byte for byte', async () => {
  const full = await run();
  const bytes = new TextEncoder().encode(full.text);
  // Byte offsets where each row ends, from the rows themselves (not from scanning the text).
  const ends: number[] = [];
  let offset = new TextEncoder().encode(csvLine(header)).byteLength;
  const headerEnd = offset;
  for (const row of full.rows) {
    offset += new TextEncoder().encode(csvLine(rowFields(row, columns))).byteLength;
    ends.push(offset);
  }
  assert.equal(offset, bytes.byteLength);
  // Every cut inside and around the first two error rows, the row ends themselves, and random cuts.
  const firstError = full.rows.findIndex((r) => r.status === 'error');
  const from = firstError === 0 ? headerEnd : ends[firstError - 1]!;
  const cuts = new Set<number>([0, headerEnd - 1, headerEnd, bytes.byteLength - 1, bytes.byteLength, ...ends, ...ends.map((e) => e - 1)]);
  for (let c = from; c < Math.min(bytes.byteLength, ends[firstError]! + 40); c++) cuts.add(c);
  const random = seededRandom(17);
  for (let k = 0; k < 60; k++) cuts.add(Math.floor(random() * bytes.byteLength));
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const scan = await scanOutput(bytesSource(bytes.subarray(0, cut), 97), 'csv');
    const expectedRows = ends.filter((e) => e <= cut).length;
    assert.equal(scan.rows, cut < headerEnd ? 0 : expectedRows, `rows after a cut at byte ${cut}`);
    assert.equal(scan.completeBytes, cut < headerEnd ? 0 : expectedRows === 0 ? headerEnd : ends[expectedRows - 1]!, `complete bytes at ${cut}`);
    if (expectedRows > 0) {
      const last = full.rows[expectedRows - 1]!;
      assert.deepEqual(parseCsvLine(scan.lastRow!), rowFields(last, columns), `last row after a cut at ${cut}`);
    }
    const point = resumePointOf(scan, 'csv', header);
    const kept = new TextDecoder().decode(bytes.subarray(0, scan.completeBytes));
    const resumed = await run(point.rows > 0 ? point : undefined, kept, scan.header === undefined);
    assert.equal(resumed.text, full.text, `resumed after a cut at byte ${cut}`);
  }
});

test('resume accepts a header of the older form without units and refuses other columns with a message naming both headers', async () => {
  const full = await run();
  const oldHeader = csvLine(header.map(headerKey));
  assert.equal(oldHeader, 'file,record,line,name,formula,n_atoms,status,error,energy\n');
  const body = full.text.slice(full.text.indexOf('\n') + 1);
  const cut = body.slice(0, Math.floor(body.length / 2));
  const scan = await scanOutput(bytesSource(oldHeader + cut), 'csv');
  const point = resumePointOf(scan, 'csv', header);
  assert.ok(point.rows > 0);
  const kept = (oldHeader + cut).slice(0, scan.completeBytes);
  const resumed = await run(point, kept, false);
  assert.equal(resumed.text, oldHeader + body, 'the rows continue under the file\'s own header');
  const other = await scanOutput(bytesSource('file,record,line,name,formula,n_atoms,status,error,dipole [D]\n'), 'csv');
  assert.throws(() => resumePointOf(other, 'csv', header), (error: unknown) => error instanceof ResumeHeaderError && /dipole \[D\]/.test(error.message) && /energy \[eV\]/.test(error.message));
});
