// Training sets from extXYZ info keys and arrays, SDF data fields and CSV labels (core/engine/train/dataset.ts via
// main/train/training-data.ts), on real rMD17 ethanol frames: units convert, missing and non-finite targets are left
// out with file, record and line, and bad CSVs are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENERGY_UNITS, labelDataset, parseCsvTable, parseTargetSpec } from '../../core/engine/train/dataset';
import { writeV2000 } from '../../core/formats/sdf/writer';
import { readStructures } from '../../main/io/read-structures';
import { loadTrainingData } from '../../main/train/training-data';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const TRAIN = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'train.extxyz.gz');
const dir = mkdtempSync(join(tmpdir(), 'equimol-dataset-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const frames = ethanolFramesText(TRAIN, 6);
const base = { targets: ['energy:eV', 'forces:eV/Å'], split: 'random' as const, validation: 0.2, test: 0.2, splitSeed: 1 };

test('target specs parse names, units and keys, and refuse unknown ones', () => {
  assert.deepEqual(parseTargetSpec('energy:kcal/mol', { energy: 'E_ccsd' }), { name: 'energy', unit: 'kcal/mol', key: 'E_ccsd' });
  assert.deepEqual(parseTargetSpec('forces'), { name: 'forces', unit: 'eV/Å', key: 'forces' });
  assert.throws(() => parseTargetSpec('energy:furlongs'), /unknown unit 'furlongs'/);
  assert.throws(() => parseTargetSpec('homo:eV'), /property model/);
});

test('extXYZ energies and forces become trainer targets; kcal/mol converts to eV', async () => {
  const path = join(dir, 'eth.extxyz');
  writeFileSync(path, frames);
  const structures = await readStructures(path);
  const ev = labelDataset(structures, [parseTargetSpec('energy:eV'), parseTargetSpec('forces:eV/Å')]);
  assert.equal(ev.structures.length, 6);
  assert.equal(ev.skipped.length, 0);
  const kcal = labelDataset(structures, [parseTargetSpec('energy:kcal/mol')]);
  assert.ok(Math.abs((kcal.structures[0]!.properties.energy as number) - (structures[0]!.properties.energy as number) * ENERGY_UNITS['kcal/mol']!) < 1e-9);
  const mev = labelDataset(structures, [parseTargetSpec('forces:meV/Å')]);
  const f0 = structures[0]!.atomArrays.forces!.data[0] as number;
  assert.ok(Math.abs((mev.structures[0]!.atomArrays.forces!.data[0] as number) - f0 / 1000) < 1e-12);
});

test('records missing a target or with a non-finite one are left out and named by file, record and line', async () => {
  const lines = frames.split('\n');
  // Frame 2 (lines 12-22) loses its energy; frame 4 gets energy=nan; frame 5 a non-finite force.
  lines[12] = lines[12]!.replace(/ energy=\S+/, '');
  lines[34] = lines[34]!.replace(/energy=\S+/, 'energy=nan');
  lines[46] = lines[46]!.split(/\s+/).map((t, i) => (i === 4 ? 'inf' : t)).join(' ');
  const path = join(dir, 'holes.extxyz');
  writeFileSync(path, lines.join('\n'));
  const data = await loadTrainingData({ ...base, data: [path], validation: 0.25, test: 0 });
  assert.equal(data.records, 6);
  assert.equal(data.train.length + data.validation.length, 3);
  assert.deepEqual(data.skipped.map((s) => [s.record, s.line]), [[2, 12], [4, 34], [5, 45]]);
  assert.match(data.skipped[0]!.message, /no energy 'energy'/);
  assert.match(data.skipped[1]!.message, /energy 'energy' is NaN \(not a finite number\)/);
  assert.match(data.skipped[2]!.message, /forces 'forces' of atom 1 is Infinity/);
  assert.ok(data.skipped.every((s) => s.file === path));
});

test('a file where no record has the target is an error naming the key and the first record', async () => {
  const path = join(dir, 'eth.extxyz');
  await assert.rejects(loadTrainingData({ ...base, data: [path], energyKey: 'E_dft' }), /eth\.extxyz: no record has every target \(energy from 'E_dft', forces from 'forces'\); first: .*record 1 \(line 1\): no energy 'E_dft'/);
});

test('SDF data fields are targets (energy only, kcal/mol)', async () => {
  const structures = await readStructures(join(dir, 'eth.extxyz'));
  const sdf = structures.map((s) => writeV2000({ ...s, properties: { E_kcal: (s.properties.energy as number) / ENERGY_UNITS['kcal/mol']! } }, ['E_kcal'])).join('');
  const path = join(dir, 'eth.sdf');
  writeFileSync(path, sdf);
  const data = await loadTrainingData({ ...base, data: [path], targets: ['energy:kcal/mol'], energyKey: 'E_kcal', test: 0 });
  const all = [...data.train, ...data.validation];
  assert.equal(all.length, 6);
  const byName = new Map(structures.map((s, i) => [i, s.properties.energy as number]));
  for (const s of all) assert.ok(Math.abs((s.properties.energy as number) - byName.get(s.provenance!.record)!) < 1e-6);
});

test('CSV labels match structures by order or by a name column; bad CSVs are named', async () => {
  const structures = await readStructures(join(dir, 'eth.extxyz'));
  const energies = structures.map((s) => s.properties.energy as number);
  const xyzNoEnergy = frames.split('\n').map((l) => l.replace(/ energy=\S+/, '')).join('\n');
  const path = join(dir, 'plain.extxyz');
  writeFileSync(path, xyzNoEnergy);
  const csvPath = join(dir, 'labels.csv');
  writeFileSync(csvPath, `id,E\n${energies.map((e, i) => `m${i + 1},${e}`).join('\n')}\n`);
  const byOrder = await loadTrainingData({ ...base, data: [path], labels: csvPath, targets: ['energy:eV', 'forces:eV/Å'], energyKey: 'E', test: 0 });
  for (const s of [...byOrder.train, ...byOrder.validation]) assert.equal(s.properties.energy, energies[s.provenance!.record]);
  // By name: the structures are unnamed, so name them through a CSV of named frames of the SDF route.
  const named = structures.map((s, i) => writeV2000({ ...s, name: `m${i + 1}`, properties: {} }, [])).join('');
  const sdfPath = join(dir, 'named.sdf');
  writeFileSync(sdfPath, named);
  const shuffled = join(dir, 'shuffled.csv');
  writeFileSync(shuffled, `E,id\n${energies.map((e, i) => [e, `m${i + 1}`] as const).reverse().map(([e, n]) => `${e},${n}`).join('\n')}\n`);
  const byName = await loadTrainingData({ ...base, data: [sdfPath], labels: shuffled, labelsNameColumn: 'id', targets: ['energy:eV'], energyKey: 'E', test: 0 });
  for (const s of [...byName.train, ...byName.validation]) assert.equal(s.properties.energy, energies[Number(s.name.slice(1)) - 1]);
  writeFileSync(join(dir, 'short.csv'), 'E\n1\n2\n');
  await assert.rejects(loadTrainingData({ ...base, data: [path], labels: join(dir, 'short.csv'), targets: ['energy:eV'], energyKey: 'E' }), /short\.csv: 2 rows for 6 structures/);
  assert.throws(() => parseCsvTable('a,b\n1,2\n3\n', 'ragged.csv'), /ragged\.csv: line 3: 1 fields, the header has 2/);
  writeFileSync(join(dir, 'nan.csv'), `E\n${energies.map((e, i) => (i === 2 ? 'nan' : String(e))).join('\n')}\n`);
  const withNan = await loadTrainingData({ ...base, data: [path], labels: join(dir, 'nan.csv'), targets: ['energy:eV'], energyKey: 'E', test: 0 });
  assert.equal(withNan.skipped.length, 1);
  assert.equal(withNan.skipped[0]!.record, 3);
  assert.match(withNan.skipped[0]!.message, /nan\.csv line 4\).* is nan \(not a finite number\)/);
});
