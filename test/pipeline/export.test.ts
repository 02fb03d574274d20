import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extxyzFormat } from '../../core/formats/xyz';
import { readText } from '../../core/formats/read-text';
import { bytesSource } from '../../core/io/lines';
import { createCsvRowSink, csvField, csvLine, parseCsvLine, rowFields } from '../../core/export/csv';
import { createJsonLinesRowSink } from '../../core/export/jsonl';
import { createStructureRowSink, withPredictions } from '../../core/export/structures';
import { StringSink } from '../../core/export/text-sink';
import { runBatchJob } from '../../core/pipeline/job';
import { flatHeader, predictorColumns, type ResultRow } from '../../core/pipeline/rows';
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
  assert.deepEqual(parseCsvLine(csvLine(fields).slice(0, -1)).slice(0, 8), ['a,b.sdf', '3', '41', 'x "y"', '', '', 'error', 'bad\natom, "line"']);
  const ok: ResultRow = { ...row, status: 'ok', error: '', nAtoms: 2, values: { center_of_mass: [1, 2.5, -3], molar_mass: 18.015, density: null } };
  const header = flatHeader(columns);
  const okFields = rowFields(ok, columns);
  assert.equal(okFields[header.indexOf('center_of_mass_y')], '2.5');
  assert.equal(okFields[header.indexOf('molar_mass')], '18.015');
  assert.equal(okFields[header.indexOf('density')], '');
  assert.ok(!header.includes('formula', 8), 'the predictor formula column is not repeated after the base columns');
});

test('extended XYZ output carries the predictions as info keys and reads back with the same values', async () => {
  const out = new StringSink();
  const errorsOut = new StringSink();
  const broken = CU_MD.replace(/^(13\n[^\n]*\nCu\s+)\S+/, '$1oops');
  const sink = createStructureRowSink(extxyzFormat, out, columns, { errors: createCsvRowSink(errorsOut, []) });
  const result = await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(broken) }], predictor: geometry, sink, format: extxyzFormat });
  await sink.close();
  assert.equal(result.errorRows, 1);
  assert.equal(sink.written, 11);
  const back = readText(out.text, 'out.extxyz', extxyzFormat);
  assert.equal(back.errors.length, 0);
  assert.equal(back.structures.length, 11);
  const original = readText(CU_MD, 'cu.extxyz', extxyzFormat).structures;
  for (let i = 0; i < 11; i++) {
    const s = back.structures[i]!;
    const expected = geometryDescriptors(original[i + 1]!);
    assert.equal(s.properties.molar_mass, expected.molar_mass);
    assert.deepEqual(s.properties.principal_moments, expected.principal_moments);
    assert.equal(s.properties.energy, original[i + 1]!.properties.energy, 'the file\'s own properties are kept');
    assert.deepEqual(Array.from(s.positions), Array.from(original[i + 1]!.positions));
  }
  const errorLines = errorsOut.text.trimEnd().split('\n');
  assert.equal(errorLines.length, 2);
  assert.deepEqual(parseCsvLine(errorLines[1]!).slice(0, 3), ['cu.extxyz', '0', '3']);
});

test('JSON lines rows parse as objects with the base keys and the predictor columns', async () => {
  const out = new StringSink();
  await runBatchJob({ inputs: [{ name: 'cu.extxyz', open: () => bytesSource(CU_MD) }], predictor: geometry, sink: createJsonLinesRowSink(out, columns), format: extxyzFormat });
  const rows = out.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, 12);
  assert.deepEqual(Object.keys(rows[0]!).slice(0, 8), ['file', 'record', 'line', 'name', 'formula', 'n_atoms', 'status', 'error']);
  assert.equal(rows[5]!.record, 5);
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
