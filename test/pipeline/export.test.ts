import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extxyzFormat } from '../../core/formats/xyz';
import { sdfFormat } from '../../core/formats/sdf';
import { readText } from '../../core/formats/read-text';
import { bytesSource } from '../../core/io/lines';
import { createCsvRowSink, csvField, csvLine, parseCsvLine, rowFields } from '../../core/export/csv';
import { createJsonLinesRowSink } from '../../core/export/jsonl';
import { createStructureRowSink, sdAtomArray, withPredictions } from '../../core/export/structures';
import { StringSink } from '../../core/export/text-sink';
import { runBatchJob } from '../../core/pipeline/job';
import { flatHeader, headerKey, predictorColumns, type ResultRow } from '../../core/pipeline/rows';
import type { Prediction, Predictor } from '../../core/predict/predictor';
import { JobService } from '../../core/session/job-service';
import type { JobContext } from '../../core/session/job-queue';
import type { JobKindTable, JobOutput, JobServices } from '../../core/session/jobs/job-kind';
import { float32Decimal } from '../../core/util/float32-decimal';
import { createGeometryPredictor, geometryDescriptors } from '../../core/predict/geometry-descriptors';
import { seededRandom } from '../helpers/fuzz';

const geometry = createGeometryPredictor();
const columns = predictorColumns(geometry);
const CU_MD = readFileSync(resolve('assets/examples/cu13-md.extxyz'), 'utf8');

test('CSV fields with commas, quotes and line breaks are quoted per RFC 4180 and read back unchanged', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  const random = seededRandom(11);
  const alphabet = ['a', ',', '"', '\n', '\r', ' ', 'é', ''];
  for (let trial = 0; trial < 200; trial++) {
    const fields = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
      Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    const line = csvLine(fields);
    assert.ok(line.endsWith('\n'));
    assert.deepEqual(parseCsvLine(line.slice(0, -1)), fields);
  }
});

test('an error row keeps its message intact in CSV even with commas, quotes and newlines; vectors take three fields', () => {
  const row: ResultRow = { file: 'a,b.sdf', record: 3, line: 41, name: 'x "y"', formula: '', nAtoms: null, status: 'error', error: 'bad\natom, "line"', values: {} };
  const fields = rowFields(row, columns);
  assert.equal(fields.length, flatHeader(columns).length);
  assert.deepEqual(parseCsvLine(csvLine(fields).slice(0, -1)).slice(0, 8), ['a,b.sdf', '4', '41', 'x "y"', '', '', 'error', 'bad\natom, "line"']);
  const ok: ResultRow = { ...row, status: 'ok', error: '', nAtoms: 2, values: { center_of_mass: [1, 2.5, -3], molar_mass: 18.015, density: null } };
  const header = flatHeader(columns);
  const okFields = rowFields(ok, columns);
  assert.equal(okFields[header.indexOf('center_of_mass_y [Å]')], '2.5');
  assert.equal(okFields[header.indexOf('molar_mass [g/mol]')], '18.015');
  assert.equal(okFields[header.indexOf('density [g/cm³]')], '');
  assert.ok(!header.includes('formula', 8), 'the predictor formula column is not repeated after the base columns');
});

test('extended XYZ output carries the predictions as info keys and reads back with the same values', async () => {
  const out = new StringSink();
  const errorsOut = new StringSink();
  const broken = CU_MD.replace(/^(13\n[^\n]*\nCu\s+)\S+/, '$1oops');
  const sink = createStructureRowSink(extxyzFormat, out, columns, { errors: createCsvRowSink(errorsOut, []), errorRecords: true });
  const result = await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(broken) }], predictor: geometry, sink, format: extxyzFormat });
  await sink.close();
  assert.equal(result.errorRows, 1);
  assert.equal(sink.written, 12, 'the error row is a record too');
  const back = readText(out.text, 'out.extxyz', extxyzFormat);
  assert.equal(back.errors.length, 0);
  assert.equal(back.structures.length, 12);
  const failed = back.structures[0]!;
  assert.equal(failed.numbers.length, 0, 'a record that never parsed is a frame with no atoms');
  assert.equal(failed.properties.equimol_status, 'error');
  assert.match(String(failed.properties.equimol_error), /oops|element|symbol/i);
  const original = readText(CU_MD, 'cu.extxyz', extxyzFormat).structures;
  for (let i = 0; i < 11; i++) {
    const s = back.structures[i + 1]!;
    assert.equal(s.properties.equimol_status, 'ok');
    const expected = geometryDescriptors(original[i + 1]!);
    assert.equal(s.properties.molar_mass, expected.molar_mass);
    assert.deepEqual(s.properties.principal_moments, expected.principal_moments);
    assert.equal(s.properties.energy, original[i + 1]!.properties.energy, 'the file\'s own properties are kept');
    assert.deepEqual(Array.from(s.positions), Array.from(original[i + 1]!.positions));
  }
  const errorLines = errorsOut.text.trimEnd().split('\n');
  assert.equal(errorLines.length, 2);
  assert.deepEqual(parseCsvLine(errorLines[1]!).slice(0, 3), ['cu.extxyz', '1', '3']);
});

test('JSON lines rows parse as objects with the base keys and the predictor columns', async () => {
  const out = new StringSink();
  await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(CU_MD) }], predictor: geometry, sink: createJsonLinesRowSink(out, columns), format: extxyzFormat });
  const rows = out.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, 12);
  assert.deepEqual(Object.keys(rows[0]!).slice(0, 8), ['file', 'record', 'line', 'name', 'formula', 'n_atoms', 'status', 'error']);
  assert.equal(rows[5]!.record, 6, 'the record key counts from 1');
  assert.equal(rows[5]!.line, 5 * 15 + 1);
  assert.equal((rows[5]!.center_of_mass as number[]).length, 3);
  assert.equal(rows[5]!.cell_volume, null);
});

test('withPredictions attaches per-atom predictions as float arrays', () => {
  const s = readText(CU_MD, 'cu.extxyz', extxyzFormat).structures[0]!;
  const charges = new Float64Array(13).map((_, i) => i / 10);
  const out = withPredictions(s, { values: { energy_pred: -1.5, skip: null }, atomArrays: { charges: { width: 1, data: charges } } }, [
    { key: 'energy_pred', label: 'E', unit: 'eV', kind: 'number' },
    { key: 'skip', label: 'S', unit: '', kind: 'number' },
  ]);
  assert.equal(out.properties.energy_pred, -1.5);
  assert.equal('skip' in out.properties, false);
  assert.equal(out.atomArrays.charges!.kind, 'float');
  assert.equal(out.atomArrays.charges!.data[7], 0.7);
  const text = extxyzFormat.createWriter!().write(out, 0);
  assert.match(text, /charges:R:1/);
  assert.match(text, /energy_pred=-1\.5/);
});

test('CSV header names carry each column unit in brackets; base and unitless columns stay bare and headerKey takes the key back', () => {
  const header = flatHeader([
    { key: 'energy', label: 'E', unit: 'eV', kind: 'number' },
    { key: 'max_force', label: 'F', unit: 'eV/Å', kind: 'number' },
    { key: 'stress', label: 'S', unit: 'eV/Å³', kind: 'vector', width: 6 },
    { key: 'smiles', label: 'SMILES', unit: '', kind: 'string' },
  ]);
  assert.deepEqual(header.slice(0, 8), ['file', 'record', 'line', 'name', 'formula', 'n_atoms', 'status', 'error']);
  assert.deepEqual(header.slice(8, 11), ['energy [eV]', 'max_force [eV/Å]', 'stress_0 [eV/Å³]']);
  assert.equal(header.at(-1), 'smiles');
  assert.deepEqual(header.slice(8).map(headerKey), ['energy', 'max_force', 'stress_0', 'stress_1', 'stress_2', 'stress_3', 'stress_4', 'stress_5', 'smiles']);
});

test('float32Decimal gives the shortest decimal that reads back as the same float32 (1.3506, not 1.350600004196167)', () => {
  const widened = Math.fround(1.3506);
  assert.equal(String(widened), '1.350600004196167');
  assert.equal(String(float32Decimal(widened)), '1.3506');
  assert.equal(String(float32Decimal(Math.fround(-4210.1234))), '-4210.1235');
  assert.equal(float32Decimal(0), 0);
  assert.ok(Number.isNaN(float32Decimal(NaN)));
  const random = seededRandom(5);
  for (let trial = 0; trial < 2000; trial++) {
    const f = Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 20 - 10));
    const d = float32Decimal(f);
    assert.equal(Math.fround(d), f, `${d} reads back as the float32 ${f}`);
    const digits = d.toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').length;
    assert.ok(digits <= 9, `${d}: ${digits} digits`);
    if (digits > 1) assert.notEqual(Math.fround(Number(f.toPrecision(digits - 1))), f, `${d} is not the shortest`);
  }
});

/** Forces = half the positions (eV/Å); the third structure seen fails with a two-line message. */
function fakeForcePredictor(): Predictor {
  let seen = 0;
  return {
    id: 'fake-forces',
    description: 'test',
    columns: [{ key: 'energy', label: 'E', unit: 'eV', kind: 'number' }],
    batchSize: 4,
    async predict(batch) {
      return batch.map((s): Prediction | Error => {
        seen++;
        if (seen === 3) return new Error('model failed\non atom 2');
        return { values: { energy: -seen }, atomArrays: { forces: { width: 3, data: Float64Array.from(s.positions, (x) => x / 2) } } };
      });
    },
  };
}

test('SDF export keeps every row: error rows are records with equimol_status/equimol_error, and forces are one "fx fy fz" line per atom that reads back', async () => {
  const broken = CU_MD.replace(/^(13\n[^\n]*\nCu\s+)\S+/, '$1oops');
  const out = new StringSink();
  const predictor = fakeForcePredictor();
  const sink = createStructureRowSink(sdfFormat, out, predictorColumns(predictor), { errorRecords: true });
  const result = await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(broken) }], predictor, sink, format: extxyzFormat });
  await sink.close();
  assert.equal(result.errorRows, 2);
  assert.equal(sink.written, 12);
  assert.equal(sink.skippedErrors, 0);
  const back = readText(out.text, 'out.sdf', sdfFormat);
  assert.deepEqual(back.errors, []);
  assert.equal(back.structures.length, 12, 'one SDF record per input record');
  const original = readText(CU_MD, 'cu.extxyz', extxyzFormat).structures;
  const unparsed = back.structures[0]!;
  assert.equal(unparsed.numbers.length, 0);
  assert.equal(unparsed.properties.equimol_status, 'error');
  const failed = back.structures[3]!;
  assert.equal(failed.properties.equimol_status, 'error');
  assert.equal(failed.properties.equimol_error, 'model failed\non atom 2', 'the message keeps its lines in an SD field');
  assert.equal(failed.numbers.length, 13);
  failed.positions.forEach((x, i) => assert.ok(Math.abs(x - original[3]!.positions[i]!) < 6e-5, 'the input structure of a failed prediction is written (SDF keeps 4 decimals)'));
  for (const k of [1, 2, 4, 11]) {
    const s = back.structures[k]!;
    assert.equal(s.properties.equimol_status, 'ok');
    assert.equal(typeof s.properties.forces, 'string', 'our SDF reader keeps the per-atom field as text');
    assert.equal(String(s.properties.forces).split('\n').length, 13);
    const forces = sdAtomArray(String(s.properties.forces), 3)!;
    assert.deepEqual(Array.from(forces), Array.from(original[k]!.positions, (x) => x / 2), `record ${k} forces`);
  }
  assert.equal(sdAtomArray('1 2\n3', 2), undefined, 'a ragged field is not an atom array');
  // Without errorRecords (equimol convert) only the structures that parsed and predicted are written.
  const plain = createStructureRowSink(sdfFormat, new StringSink(), [], {});
  await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(broken) }], sink: plain, format: extxyzFormat });
  assert.deepEqual([plain.written, plain.skippedErrors], [11, 1]);
});

test('extXYZ error records hold the message on one info line, so the file still reads back', async () => {
  const out = new StringSink();
  const predictor = fakeForcePredictor();
  const sink = createStructureRowSink(extxyzFormat, out, predictorColumns(predictor), { errorRecords: true });
  await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(CU_MD) }], predictor, sink, format: extxyzFormat });
  await sink.close();
  const back = readText(out.text, 'out.extxyz', extxyzFormat);
  assert.deepEqual(back.errors, []);
  assert.equal(back.structures.length, 12);
  assert.equal(back.structures[2]!.properties.equimol_error, 'model failed on atom 2');
  assert.equal(back.structures[2]!.numbers.length, 13);
  assert.equal(back.structures[0]!.atomArrays.forces!.width, 3);
});

function fakeJobs(ending: 'cancel' | 'fail'): JobKindTable {
  const rows: ResultRow[] = [0, 1].map((k) => ({ file: 'a.sdf', record: k, line: 1 + k, name: `m${k}`, formula: 'H2', nAtoms: 2, status: 'ok', error: '', values: { energy: k / 10 } }));
  return {
    predict: {
      kind: 'predict',
      plan: async () => ({
        label: 'fake',
        total: 4,
        unit: 'structures',
        columns: [{ key: 'energy', label: 'E', unit: 'eV', kind: 'number' }],
        exportSuffix: 'fake',
        run: async (context: JobContext, output: JobOutput) => {
          output.addRows(rows, ['doc-1', 'doc-1']);
          context.report(2);
          if (ending === 'fail') throw new Error('calculator crashed on record 3');
          await new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted'))));
        },
      }),
    },
  } as unknown as JobKindTable;
}

test('a cancelled or failed job exports the rows it finished', async () => {
  const services = { documents: { find: () => ({ name: 'a.sdf' }) } } as unknown as JobServices;
  for (const ending of ['cancel', 'fail'] as const) {
    const jobs = new JobService(services, {}, fakeJobs(ending));
    const started = await jobs.start({ kind: 'predict', docIds: ['doc-1'], predictor: 'x' } as never);
    if (ending === 'cancel') {
      while (jobs.list()[0]!.done < 2) await new Promise((r) => setTimeout(r, 1));
      jobs.cancel(started.id);
    }
    const final = await jobs.whenFinished(started.id);
    assert.equal(final.state, ending === 'cancel' ? 'cancelled' : 'failed');
    const file = await jobs.export(started.id, 'csv');
    assert.equal(file.records, 2);
    assert.equal(file.fileName, 'a-fake.csv');
    const lines = new TextDecoder().decode(file.bytes).trimEnd().split('\n');
    assert.equal(lines[0], 'file,record,line,name,formula,n_atoms,status,error,energy [eV]');
    assert.deepEqual(lines.slice(1).map((l) => parseCsvLine(l)[8]), ['0', '0.1']);
    jobs.dispose();
  }
});
