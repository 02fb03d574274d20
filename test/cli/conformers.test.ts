/**
 * `equimol conformers` through the in-process CLI runner on small Lennard-Jones argon clusters (ε = 1 eV, σ = 1 Å):
 * records of one molecule together and named after it, weights summing to 1 per molecule, error rows in the
 * per-molecule ledger, resume at molecule granularity (byte-identical to an uninterrupted run) and shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured as cli } from '../helpers/cli';
import { EXIT } from '../../main/cli/command';
import { parseCsvLine } from '../../core/export/csv';
import { headerKey } from '../../core/pipeline/rows';

const tmp = mkdtempSync(join(tmpdir(), 'equimol-conformers-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function argon(name: string, positions: number[][]): string {
  return `${positions.length}\nProperties=species:S:1:pos:R:3 name=${name} pbc="F F F"\n${positions.map((p) => `Ar ${p.join(' ')}`).join('\n')}\n`;
}

const TRIMER = argon('trimer', [[0, 0, 0], [1.15, 0, 0], [0.55, 0.95, 0.05]]);
const TETRAMER = argon('tetramer', [[0, 0, 0], [1.12, 0, 0], [0.56, 0.97, 0], [0.56, 0.32, 0.92]]);
const PENTAMER = argon('pentamer', [[0, 0, 0], [1.12, 0, 0], [0.56, 0.97, 0], [0.56, 0.32, 0.92], [0.56, 0.32, -0.92]]);
/** Its second atom line lacks the z coordinate. */
const BROKEN = `2\nProperties=species:S:1:pos:R:3 name=broken pbc="F F F"\nAr 0 0 0\nAr 1.2 0\n`;
const INPUT = join(tmp, 'clusters.extxyz');
writeFileSync(INPUT, TRIMER + BROKEN + TETRAMER + PENTAMER);

const FAST = ['--calculator', 'lj', '--seed', '11', '--population', '4', '--rungs', '2', '--steps-per-rung', '10', '--start-temperature', '300', '--temperature', '100'];

interface SdfRecord {
  readonly name: string;
  readonly fields: Record<string, string>;
}

function readSdf(path: string): SdfRecord[] {
  return readFileSync(path, 'utf8')
    .split(/\$\$\$\$\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const fields: Record<string, string> = {};
      for (let i = 0; i < lines.length; i++) {
        const m = /^>\s*<([^>]+)>/.exec(lines[i]!);
        if (m) fields[m[1]!] = lines[i + 1]!.trim();
      }
      return { name: lines[0]!.trim(), fields };
    });
}

function readLedger(path: string): Array<Record<string, string>> {
  const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n').map(parseCsvLine);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [headerKey(name), row[i] ?? '']))); // 'out_bytes [bytes]' -> 'out_bytes'
}

test('conformers writes each molecule’s conformers together, named after it, with weights summing to 1, and a ledger with error rows', async () => {
  const out = join(tmp, 'ensemble.sdf');
  const run = await cli(['conformers', INPUT, ...FAST, '--out', out]);
  assert.equal(run.code, EXIT.recordErrors, run.stderr);
  assert.match(run.stderr, /3 molecules, \d+ conformers, 1 errors/);

  const records = readSdf(out);
  const names = records.map((r) => r.name);
  // Grouped: each molecule's records are contiguous, in input order.
  const order = names.filter((n, i) => i === 0 || names[i - 1] !== n);
  assert.deepEqual(order, ['trimer', 'tetramer', 'pentamer']);
  for (const name of order) {
    const group = records.filter((r) => r.name === name);
    const weights = group.map((r) => Number(r.fields['boltzmann_weight']));
    assert.ok(Math.abs(weights.reduce((s, w) => s + w, 0) - 1) < 1e-9, `${name}: weights ${weights.join(', ')}`);
    assert.deepEqual(group.map((r) => Number(r.fields['conformer_rank'])), group.map((_, k) => k + 1));
    assert.equal(Number(group[0]!.fields['relative_energy']), 0);
    const energies = group.map((r) => Number(r.fields['energy']));
    assert.deepEqual(energies, [...energies].sort((a, b) => a - b));
  }
  // The LJ trimer's minimum: an equilateral triangle, 3 pairs at −1 eV less ASE's shift at rc = 3 Å.
  const trimer = records.find((r) => r.name === 'trimer')!;
  assert.ok(Math.abs(Number(trimer.fields['energy']) - 3 * (-1 - 4 * (3 ** -12 - 3 ** -6))) < 1e-3, trimer.fields['energy']);

  const ledger = readLedger(`${out}.molecules.csv`);
  assert.deepEqual(ledger.map((r) => r['status']), ['ok', 'error', 'ok', 'ok']);
  assert.match(ledger[1]!['error']!, /atom 2: expected 4 columns/);
  assert.deepEqual(ledger.map((r) => r['record']), ['1', '2', '3', '4']);
  for (const row of ledger.filter((r) => r['status'] === 'ok')) {
    assert.equal(Number(row['conformers']), records.filter((r) => r.name === row['name']).length);
    assert.ok(Number(row['final_ess']) > 0 && Number(row['final_ess']) <= 4);
  }
  assert.equal(Number(ledger.at(-1)!['out_bytes']), statSync(out).size);
});

test('conformers --resume after an interruption continues after the last complete molecule, byte-identical to one run', async () => {
  const reference = join(tmp, 'reference.sdf');
  assert.equal((await cli(['conformers', INPUT, ...FAST, '--out', reference])).code, EXIT.recordErrors);
  const out = join(tmp, 'resumed.sdf');
  assert.equal((await cli(['conformers', INPUT, ...FAST, '--out', out])).code, EXIT.recordErrors);
  // Cut the run back as a kill during molecule 4 would leave it: ledger rows 1-3 and a torn row, OUT with
  // molecule 4's first bytes written but no ledger row for it.
  const ledgerPath = `${out}.molecules.csv`;
  const lines = readFileSync(ledgerPath, 'utf8').split('\n');
  writeFileSync(ledgerPath, lines.slice(0, 4).join('\n') + '\n' + lines[4]!.slice(0, 20));
  const end = Number(parseCsvLine(lines[3]!)[parseCsvLine(lines[0]!).map(headerKey).indexOf('out_bytes')]);
  truncateSync(out, end);
  appendFileSync(out, 'pentamer\n  torn record');
  const resumed = await cli(['conformers', INPUT, ...FAST, '--out', out, '--resume']);
  // The error row (record 2) was written by the first run: this one wrote only ok rows.
  assert.equal(resumed.code, EXIT.ok, resumed.stderr);
  assert.match(resumed.stderr, /resuming after 3 molecules/);
  assert.match(resumed.stderr, /1 molecules, .* 3 already done/);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(reference, 'utf8'));
  assert.equal(readFileSync(ledgerPath, 'utf8'), readFileSync(`${reference}.molecules.csv`, 'utf8').replaceAll('reference.sdf', 'resumed.sdf'));
});

test('conformers --shard splits the molecules between runs', async () => {
  const names: string[] = [];
  for (const shard of ['0/2', '1/2']) {
    const out = join(tmp, `shard-${shard.replace('/', '-')}.sdf`);
    const run = await cli(['conformers', INPUT, ...FAST, '--out', out, '--shard', shard]);
    assert.ok(run.code === EXIT.ok || run.code === EXIT.recordErrors, run.stderr);
    names.push(...readLedger(`${out}.molecules.csv`).map((r) => `${r['record']}:${r['name'] || r['status']}`));
  }
  assert.deepEqual(names.sort(), ['1:trimer', '2:error', '3:tetramer', '4:pentamer'].sort());
});

test('conformers usage errors: no --seed, a tabular --out, start temperature below the target, one replica', async () => {
  const out = join(tmp, 'bad.sdf');
  const cases: Array<[string[], RegExp]> = [
    [['conformers', INPUT, '--calculator', 'lj', '--out', out], /needs --seed/],
    [['conformers', INPUT, '--calculator', 'lj', '--seed', '1', '--out', join(tmp, 'x.csv')], /structure file/],
    [['conformers', INPUT, '--calculator', 'lj', '--seed', '1', '--out', out, '--start-temperature', '200'], /must be above --temperature/],
    [['conformers', INPUT, '--calculator', 'lj', '--seed', '1', '--out', out, '--population', '1'], /at least 2 replicas/],
    [['conformers', INPUT, '--calculator', 'lj', '--seed', '1.5', '--out', out], /--seed needs an integer/],
    [['conformers', INPUT, '--calculator', 'nope', '--seed', '1', '--out', out], /calculator/],
  ];
  for (const [args, pattern] of cases) {
    const run = await cli(args);
    assert.equal(run.code, EXIT.usage, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  }
  const help = await cli(['conformers', '--help']);
  assert.equal(help.code, EXIT.ok);
  assert.match(help.stdout, /boltzmann_weight/);
});
