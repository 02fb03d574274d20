import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreCommand } from '../../../main/cli/commands/score';
import { UsageError } from '../../../main/cli/command';
import { findXtbExecutable } from '../../../main/calc/xtb/xtb-executable';

class TextCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString('utf8');
    callback();
  }
}

async function score(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCapture(), stderr = new TextCapture();
  const code = await scoreCommand.run(args, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function xyz(name: string, atoms: Array<[string, number, number, number]>): string {
  return `${atoms.length}\nname=${name}\n${atoms.map(([s, x, y, z]) => `${s} ${x} ${y} ${z}`).join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'equimol-score-'));
const ethylene = xyz('ethylene', [['C', 0.665, 0, 0], ['C', -0.665, 0, 0], ['H', 1.23, 0.92, 0], ['H', 1.23, -0.92, 0], ['H', -1.23, 0.92, 0], ['H', -1.23, -0.92, 0]]);
const n2 = xyz('N2', [['N', 0, 0, 0], ['N', 1.1, 0, 0]]);
const ch5 = xyz('CH5', [['C', 0, 0, 0], ['H', 0, 0, 1.09], ['H', 0, 0, -1.09], ['H', 1.09, 0, 0], ['H', -0.545, 0.944, 0], ['H', -0.545, -0.944, 0]]);
const xenon = xyz('XeF', [['Xe', 0, 0, 0], ['F', 2, 0, 0]]);
const samples = join(dir, 'samples.extxyz');
writeFileSync(samples, ethylene + n2 + ch5 + xenon);
const training = join(dir, 'training.xyz');
writeFileSync(training, ethylene);

test('equimol score prints EDM totals, writes per-molecule flags and exits 1 when a molecule could not be scored', async () => {
  const out = join(dir, 'flags.csv');
  const result = await score([samples, '--training', training, '--out', out]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /molecules +4 \(1 could not be scored\)/);
  assert.match(result.stdout, /atom stability +81\.25 % +\(13 \/ 16 atoms\)/);
  assert.match(result.stdout, /molecule stability +50\.00 % +\(2 \/ 4\)/);
  assert.match(result.stdout, /validity +50\.00 % +\(2 \/ 4\)/);
  assert.match(result.stdout, /novelty +50\.00 % +\(1 \/ 2 distinct\)/);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows.length, 5);
  assert.match(rows[1]!, /^1,ethylene,ok,,6,6,1,true,true,C=C,true,false,1$/);
  assert.match(rows[3]!, /^3,CH5,ok,,6,5,/);
  assert.match(rows[4]!, /^4,XeF,error,atom 1: element Xe/);
});

test('equimol score --sample --json is seeded: the same seed scores the same molecules', async () => {
  const a = JSON.parse((await score([samples, '--sample', '2', '--seed', '5', '--json'])).stdout) as Record<string, unknown>;
  const b = JSON.parse((await score([samples, '--sample', '2', '--seed', '5', '--json'])).stdout) as Record<string, unknown>;
  assert.equal(a.molecules, 2);
  for (const key of ['atoms', 'stable_atoms', 'valid_molecules', 'errors']) assert.equal(a[key], b[key], key);
  assert.equal(a.seed, 5);
});

test('equimol score rejects a missing FILE and a bad --sample as usage errors', async () => {
  await assert.rejects(score([]), UsageError);
  await assert.rejects(score([samples, '--sample', '0']), UsageError);
});

test('equimol score --relax xtb relaxes the valid molecules and writes the relaxation columns; --relax-count needs --relax', { skip: findXtbExecutable(process.env) ? false : 'the xtb executable is not on PATH' }, async () => {
  const out = join(dir, 'relaxed.csv');
  const result = await score([samples, '--relax', 'xtb', '--out', out, '--json']);
  assert.equal(result.code, 1, 'XeF cannot be scored');
  const totals = JSON.parse(result.stdout) as { relaxation: { calculator: string; relaxed: number; converged: number; failed: number; medianRmsd: number } };
  // ethylene and N2 are valid (CH5 is not): both relax with xtb and hardly move.
  assert.equal(totals.relaxation.relaxed, 2);
  assert.equal(totals.relaxation.converged, 2);
  assert.equal(totals.relaxation.failed, 0);
  assert.ok(totals.relaxation.medianRmsd < 0.1, `median RMSD ${totals.relaxation.medianRmsd}`);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.match(rows[0]!, /,relaxed_energy,relaxation_energy,relax_rmsd,relax_converged,relax_error$/);
  assert.match(rows[1]!, /^1,ethylene,ok,.*,-?\d+\.\d+,-?\d.*,\d\.\d+.*,true,$/);
  assert.match(rows[3]!, /not relaxed \(invalid\)$/);
  await assert.rejects(score([samples, '--relax-count', '3']), (e: Error) => e instanceof UsageError && /--relax-count needs --relax/.test(e.message));
  await assert.rejects(score([samples, '--relax', 'nope']), (e: Error) => e instanceof UsageError && /cannot use calculator nope/.test(e.message));
});
