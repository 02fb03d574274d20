import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCliCaptured as cli } from '../helpers/cli';
import { EXIT } from '../../main/cli/command';
import { parseCsvLine } from '../../core/export/csv';
import { seededRandom } from '../helpers/fuzz';
import { ethanolFrames } from './ethanol';

const DRUGS = resolve('assets/examples/drugs.sdf');
const PEPTIDE = resolve('assets/examples/peptide.pdb');
const tmp = mkdtempSync(join(tmpdir(), 'equimol-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));



interface InfoLine {
  file: string;
  format: string | null;
  structures: number;
  atoms: number;
  elements: string[];
  errors: Array<{ record: number | null; line: number; message: string }>;
}

function checkInfoSchema(line: InfoLine) {
  assert.deepEqual(Object.keys(line).slice(0, 6), ['file', 'format', 'structures', 'atoms', 'elements', 'errors']);
  assert.equal(typeof line.file, 'string');
  assert.ok(line.format === null || typeof line.format === 'string');
  assert.ok(Number.isInteger(line.structures) && Number.isInteger(line.atoms));
  assert.ok(Array.isArray(line.elements) && line.elements.every((e) => typeof e === 'string'));
  for (const e of line.errors) {
    assert.deepEqual(Object.keys(e), ['record', 'line', 'message']);
    assert.ok(e.record === null || Number.isInteger(e.record));
    assert.ok(Number.isInteger(e.line));
    assert.ok(e.message.length > 0);
  }
}

// A copy of drugs.sdf with record 6 (metformin, 0-based) broken: its counts line says 99 atoms.
const drugsText = readFileSync(DRUGS, 'utf8');
const records = drugsText.split('$$$$\n');
const brokenRecords = [...records];
const countsLine = brokenRecords[6]!.split('\n')[3]!;
brokenRecords[6] = brokenRecords[6]!.replace(countsLine, ' 99' + countsLine.slice(3));
const BROKEN = join(tmp, 'broken.sdf');
writeFileSync(BROKEN, brokenRecords.join('$$$$\n'));
const brokenLine = records.slice(0, 6).join('$$$$\n').split('\n').length + 1;

test('info --json prints one object per file with file, format, structures, atoms, elements, errors', async () => {
  const missing = join(tmp, 'missing.sdf');
  const r = await cli(['info', '--json', DRUGS, PEPTIDE, BROKEN, missing]);
  assert.equal(r.code, EXIT.unreadable);
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as InfoLine);
  assert.equal(lines.length, 4);
  lines.forEach(checkInfoSchema);
  const [drugs, peptide, broken, gone] = lines as [InfoLine, InfoLine, InfoLine, InfoLine];
  assert.deepEqual([drugs.format, drugs.structures, drugs.atoms, drugs.errors.length], ['sdf', 20, 650, 0]);
  assert.deepEqual(drugs.elements, ['H', 'C', 'N', 'O', 'F', 'S', 'Cl']);
  assert.deepEqual([peptide.format, peptide.structures, peptide.atoms], ['pdb', 1, 76]);
  assert.deepEqual([broken.structures, broken.errors.length], [19, 1]);
  assert.equal(broken.errors[0]!.record, 7, 'info numbers records from 1: metformin is index 6');
  assert.ok(Math.abs(broken.errors[0]!.line - brokenLine) <= 60, `error line ${broken.errors[0]!.line} within record 7 starting at ${brokenLine}`);
  assert.equal(gone.format, null);
  assert.equal(gone.structures, 0);
  assert.match(gone.errors[0]!.message, /ENOENT/);
  assert.equal((await cli(['info', BROKEN])).code, EXIT.recordErrors);
  assert.equal((await cli(['info', DRUGS])).code, EXIT.ok);
});

test('usage errors exit 2 and every command answers --help with exit 0', async () => {
  assert.equal((await cli([])).code, EXIT.usage);
  assert.equal((await cli(['frobnicate'])).code, EXIT.usage);
  assert.equal((await cli(['info'])).code, EXIT.usage);
  assert.equal((await cli(['info', '--bogus', DRUGS])).code, EXIT.usage);
  assert.equal((await cli(['info', '--format', 'nope', DRUGS])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS, '--out', join(tmp, 'x.csv'), '--predictor', 'nope'])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS, '--out', join(tmp, 'x.csv'), '--shard', '3/3'])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS, '--out', join(tmp, 'x.csv'), '--batch', '0'])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS, '--out', join(tmp, 'x.unknownext')])).code, EXIT.usage);
  assert.equal((await cli(['predict', DRUGS, '--out', join(tmp, 'x.sdf'), '--resume'])).code, EXIT.usage);
  assert.equal((await cli(['convert', DRUGS])).code, EXIT.usage);
  assert.equal((await cli(['convert', DRUGS, join(tmp, 'x.smi')])).code, EXIT.usage, 'SMILES lists are read-only');
  for (const command of ['info', 'convert', 'predict']) {
    const r = await cli([command, '--help']);
    assert.equal(r.code, EXIT.ok);
    assert.match(r.stdout, new RegExp(`^Usage: equimol ${command}`));
    assert.match(r.stdout, /Exit codes/);
  }
  const top = await cli(['--help']);
  assert.equal(top.code, EXIT.ok);
  assert.match(top.stdout, /info[\s\S]*convert[\s\S]*predict/);
});

test('predict writes one CSV row per record and exits 1 when a record fails, 3 when an input is missing', async () => {
  const out = join(tmp, 'drugs.csv');
  const ok = await cli(['predict', DRUGS, '--out', out]);
  assert.equal(ok.code, EXIT.ok, ok.stderr);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map(parseCsvLine);
  assert.equal(rows.length, 21);
  assert.deepEqual(rows[0]!.slice(0, 8), ['file', 'record', 'line', 'name', 'formula', 'n_atoms', 'status', 'error']);
  assert.deepEqual(rows[1]!.slice(3, 7), ['aspirin', 'C9H8O4', '21', 'ok']);
  assert.ok(Math.abs(Number(rows[1]![rows[0]!.indexOf('molar_mass [g/mol]')]) - 180.159) < 0.01);
  assert.match(ok.stderr, /20 ok, 0 errors/);
  const bad = await cli(['predict', BROKEN, '--out', join(tmp, 'broken.csv')]);
  assert.equal(bad.code, EXIT.recordErrors);
  const badRows = readFileSync(join(tmp, 'broken.csv'), 'utf8').trimEnd().split('\n').map(parseCsvLine);
  assert.equal(badRows.length, 21);
  // Records are numbered from 1 in exports: the broken seventh record.
  assert.deepEqual(badRows.filter((r) => r[6] === 'error').map((r) => r[1]), ['7']);
  const missing = await cli(['predict', DRUGS, join(tmp, 'nope.sdf'), '--out', join(tmp, 'm.csv')]);
  assert.equal(missing.code, EXIT.unreadable);
  assert.equal(readFileSync(join(tmp, 'm.csv'), 'utf8').trimEnd().split('\n').length, 22);
  const json = await cli(['predict', DRUGS, '--out', join(tmp, 'drugs.jsonl')]);
  assert.equal(json.code, EXIT.ok);
  assert.equal(readFileSync(join(tmp, 'drugs.jsonl'), 'utf8').trimEnd().split('\n').length, 20);
});

test('predict --resume after the output was cut at random bytes reproduces the uninterrupted output', async () => {
  const big = join(tmp, 'many.sdf');
  writeFileSync(big, drugsText.repeat(10) + brokenRecords.join('$$$$\n'));
  const reference = join(tmp, 'ref.csv');
  assert.equal((await cli(['predict', big, '--out', reference, '--batch', '7'])).code, EXIT.recordErrors);
  const expected = readFileSync(reference);
  const random = seededRandom(99);
  for (let trial = 0; trial < 4; trial++) {
    const out = join(tmp, `resume-${trial}.csv`);
    copyFileSync(reference, out);
    truncateSync(out, Math.floor(random() * expected.length));
    const r = await cli(['predict', big, '--out', out, '--resume', '--batch', '7']);
    assert.equal(r.code, EXIT.recordErrors, r.stderr);
    assert.deepEqual(readFileSync(out), expected, `trial ${trial}`);
  }
  const fresh = join(tmp, 'fresh.csv');
  assert.equal((await cli(['predict', big, '--out', fresh, '--resume'])).code, EXIT.recordErrors, '--resume on a missing output starts fresh');
  assert.deepEqual(readFileSync(fresh), expected);
  const other = await cli(['predict', DRUGS, '--out', fresh, '--resume']);
  assert.equal(other.code, EXIT.usage, 'resuming an output of other inputs is refused');
  assert.deepEqual(readFileSync(fresh), expected, 'and leaves it untouched');
});

test('predict --shard i/n outputs together hold every record once', async () => {
  const keys: string[] = [];
  for (let i = 0; i < 3; i++) {
    const out = join(tmp, `shard-${i}.csv`);
    assert.equal((await cli(['predict', DRUGS, '--out', out, '--shard', `${i}/3`])).code, EXIT.ok);
    keys.push(...readFileSync(out, 'utf8').trimEnd().split('\n').slice(1).map((l) => parseCsvLine(l)[1]!));
  }
  assert.deepEqual(keys.map(Number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
});

test('convert writes SDF atomically and skips bad records with exit 1', async () => {
  const out = join(tmp, 'copy.sdf');
  const r = await cli(['convert', BROKEN, out]);
  assert.equal(r.code, EXIT.recordErrors);
  assert.match(r.stderr, /skipped .*record 7,/);
  const info = JSON.parse((await cli(['info', '--json', out])).stdout) as InfoLine;
  const metforminAtoms = Number(records[6]!.split('\n')[3]!.slice(0, 3));
  assert.equal(metforminAtoms, 20);
  assert.deepEqual([info.structures, info.atoms, info.errors.length], [19, 650 - metforminAtoms, 0]);
  assert.equal(existsSync(join(tmp, `.copy.sdf.${process.pid}.partial`)), false);
  assert.equal((await cli(['convert', join(tmp, 'nope.sdf'), join(tmp, 'nope-out.sdf')])).code, EXIT.unreadable);
  assert.equal(existsSync(join(tmp, 'nope-out.sdf')), false);
});

test('Ctrl-C stops bin/equimol predict promptly (even while it waits for stdin) with exit 130, complete rows only, and --resume finishes it exactly', async () => {
  // Input comes on stdin and the pipe stays open, so the job cannot finish before the interrupt on any machine.
  const input = drugsText.repeat(100);
  const half = input.slice(0, input.indexOf('$$$$\n', Math.floor(input.length / 2)) + 5);
  const out = join(tmp, 'sigint.csv');
  const child = spawn(process.execPath, ['bin/equimol.mjs', 'predict', '-', '--out', out, '--batch', '20'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const deadline = Date.now() + 60_000;
  // The output file is created after the SIGINT handler is installed: from then on Ctrl-C is handled.
  while (Date.now() < deadline && !existsSync(out)) await new Promise((r) => setTimeout(r, 20));
  child.stdin.on('error', () => undefined); // EPIPE when the interrupted child stops reading: expected
  child.stdin.write(half);
  await new Promise((r) => setTimeout(r, 700));
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, EXIT.cancelled, stderr);
  assert.match(stderr, /interrupted/);
  const partial = readFileSync(out, 'utf8');
  assert.ok(partial.endsWith('\n'));
  const partialRows = partial.trimEnd().split('\n').length - 1;
  assert.ok(partialRows >= 0 && partialRows <= 1000, `${partialRows} rows before the interrupt`);
  console.log(`# ${partialRows} rows were written before Ctrl-C`);
  const resumed = spawnSync(process.execPath, ['bin/equimol.mjs', 'predict', '-', '--out', out, '--resume'], { encoding: 'utf8', input });
  assert.equal(resumed.status, EXIT.ok, resumed.stderr);
  const inputFile = join(tmp, 'sigint.sdf');
  writeFileSync(inputFile, input);
  const reference = join(tmp, 'sigint-ref.csv');
  assert.equal((await cli(['predict', inputFile, '--out', reference])).code, EXIT.ok);
  const expected = readFileSync(reference, 'utf8').split(inputFile).join('-');
  assert.equal(readFileSync(out, 'utf8'), expected);
  assert.equal(expected.trimEnd().split('\n').length, 2001);
});

test('info --json reads shared gzipped extended XYZ datasets in place, counting frames as their manifest does', async () => {
  const dir = resolve('..', 'shared', 'datasets', 'botnet_ethanol_rmd17');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, number>;
  const files = ['test_dimers.extxyz.gz', 'isolated_atoms.extxyz.gz', 'test_norm_mode_874.extxyz.gz'];
  const r = await cli(['info', '--json', ...files.map((f) => join(dir, f)), resolve('assets/examples/cu13-md.extxyz'), resolve('assets/examples/nacl.cif'), resolve('assets/examples/POSCAR')]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as InfoLine);
  lines.forEach(checkInfoSchema);
  files.forEach((f, i) => {
    assert.equal(lines[i]!.format, 'extxyz');
    assert.equal(lines[i]!.structures, manifest[f], f);
    assert.deepEqual(lines[i]!.errors, []);
  });
  assert.deepEqual(lines[1]!.elements, ['H', 'C', 'N', 'O'], 'the isolated-atom references cover H, C, N, O');
  assert.equal(lines[2]!.atoms, 37 * 9, 'ethanol normal-mode frames have 9 atoms each');
  assert.deepEqual([lines[3]!.format, lines[3]!.structures, lines[3]!.atoms], ['extxyz', 12, 156]);
  assert.deepEqual([lines[4]!.format, lines[4]!.structures, lines[4]!.atoms, lines[4]!.elements], ['cif', 1, 8, ['Na', 'Cl']]);
  assert.deepEqual([lines[5]!.format, lines[5]!.structures, lines[5]!.atoms, lines[5]!.elements], ['poscar', 1, 8, ['Si']]);
});

test('predict into extended XYZ attaches the geometry columns and sends error rows to OUT.errors.csv', async () => {
  const input = join(tmp, 'cu-broken.extxyz');
  const text = readFileSync(resolve('assets/examples/cu13-md.extxyz'), 'utf8').split('\n');
  text[15 * 2 + 4] = 'Cu 1.0 nope 2.0 0 0 0';
  writeFileSync(input, text.join('\n'));
  const out = join(tmp, 'cu-pred.extxyz');
  const r = await cli(['predict', input, '--out', out]);
  assert.equal(r.code, EXIT.recordErrors, r.stderr);
  const info = JSON.parse((await cli(['info', '--json', out])).stdout) as InfoLine;
  // 12 frames: the bad record is a frame with no atoms carrying equimol_status=error and the message.
  assert.deepEqual([info.format, info.structures, info.atoms], ['extxyz', 12, 143]);
  const written = readFileSync(out, 'utf8');
  assert.match(written, /^0\n[^\n]*equimol_status=error equimol_error="[^"\n]+"/m);
  assert.match(written.split('\n')[1]!, /molar_mass=826\.098/);
  assert.match(written.split('\n')[1]!, /principal_moments="[-\d.e ]+"/);
  const errors = readFileSync(`${out}.errors.csv`, 'utf8').trimEnd().split('\n').map(parseCsvLine);
  assert.equal(errors.length, 2);
  assert.deepEqual(errors[1]!.slice(0, 3), [input, '3', '35']);
});

test('predict --model model:NAME prints no tfjs "install our node backend" banner on stdout or stderr', () => {
  // Two ethanol frames; a fresh process, since tfjs prints the banner once per process.
  const input = join(tmp, 'ethanol-2.extxyz');
  writeFileSync(input, ethanolFrames(0, 0.01));
  const out = join(tmp, 'ethanol-2.csv');
  const run = spawnSync(process.execPath, ['bin/equimol.mjs', 'predict', input, '--model', 'model:egnn-ethanol-rmd17', '--out', out], { encoding: 'utf8' });
  assert.equal(run.status, EXIT.ok, run.stderr);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3, 'header and 2 rows');
  for (const text of [run.stdout, run.stderr]) {
    assert.doesNotMatch(text, /node backend|looks like you are running TensorFlow\.js|={10,}/);
  }
  assert.match(run.stderr, /done: 2 ok, 0 errors/);
});

test('predict --model with --threads 2 writes exactly the rows of --threads 1, error row included; --threads needs an energy --model', async () => {
  const input = join(tmp, 'ethanol-threads.extxyz');
  // 160 frames: pipeline batches of 512 records on 2 threads, whose 32-structure passes both threads take from a queue.
  writeFileSync(input, ethanolFrames(...Array.from({ length: 160 }, (_, k) => 0.001 * k)) + '3\nProperties=species:S:1:pos:R:3\nN 0 0 0\nH 1 0 0\nH 0 1 0\n');
  const rows = async (threads: string) => {
    const out = join(tmp, `ethanol-threads-${threads}.csv`);
    const run = await cli(['predict', input, '--model', 'model:mace-ethanol-rmd17', '--threads', threads, '--out', out]);
    assert.equal(run.code, EXIT.recordErrors, 'the NH2 record is an error row');
    return readFileSync(out, 'utf8').trim().split('\n').slice(1).map(parseCsvLine);
  };
  const [one, two] = [await rows('1'), await rows('2')];
  assert.equal(two.length, 161);
  two.forEach((row, k) => assert.deepEqual(row, one[k], `row ${k + 1}: the same on 2 threads`));
  assert.ok(two.slice(0, 160).every((row) => row[6] === 'ok'));
  assert.equal(two[160]![6], 'error');
  assert.equal((await cli(['predict', input, '--out', join(tmp, 't.csv'), '--threads', '2'])).code, EXIT.usage);
  assert.equal((await cli(['predict', input, '--out', join(tmp, 't.csv'), '--model', 'model:mace-ethanol-rmd17', '--threads', '0'])).code, EXIT.usage);
});
