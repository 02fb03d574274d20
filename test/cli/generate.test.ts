// `equimol generate` on the tiny gap-conditioned EDM fixture (test/fixtures/generative, made by its seeded script).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { runCli } from '../../main/cli/equimol';
import { generatorFilePathOf } from '../../main/models/generator-files';
import { generatorRank } from '../../core/session/generator-service';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz/index';

const FIXTURES = fileURLToPath(new URL('../fixtures/generative/', import.meta.url));
const MODEL = join(FIXTURES, 'tiny-qm9-gap.generator.json');
const dir = mkdtempSync(join(tmpdir(), 'equimol-generate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class TextCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString('utf8');
    callback();
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCapture(), stderr = new TextCapture();
  const code = await runCli(['generate', ...args], { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The data fields of every record of an SD file. */
function sdfFields(text: string): Array<Record<string, string>> {
  return text.split(/^\$\$\$\$\r?$/m).filter((r) => r.trim() !== '').map((record) => {
    const fields: Record<string, string> = {};
    const lines = record.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = /^>.*<([^>]+)>/.exec(lines[i]!);
      if (m) fields[m[1]!] = (lines[i + 1] ?? '').trim();
    }
    return fields;
  });
}

test('equimol generate writes one SDF record per molecule with the score fields, the denoising trajectory, and prints the score report', async () => {
  const out = join(dir, 'gen.sdf');
  const trajectory = join(dir, 'traj.extxyz');
  const result = await cli(['--model', MODEL, '--n', '12', '--steps', '40', '--seed', '1', '--target', 'gap=6.5', '--batch-size', '5', '--out', out, '--trajectory', trajectory, '--every', '10']);
  assert.equal(result.code, 0, result.stderr);
  const records = sdfFields(readFileSync(out, 'utf8'));
  assert.equal(records.length, 12);
  for (const fields of records) {
    for (const key of ['status', 'atom_stable_fraction', 'stable_atoms', 'mol_stable', 'valid', 'unique', 'fragments', 'gap_target']) assert.ok(key in fields, `field ${key}`);
    assert.equal(fields['gap_target'], '6.5');
    assert.ok(['ok', 'invalid', 'error'].includes(fields['status']!));
    assert.equal(fields['valid'] === 'true', fields['status'] === 'ok');
    if (fields['status'] !== 'ok') assert.ok((fields['error'] ?? '') !== '', 'an invalid molecule says why');
  }
  const valid = records.filter((f) => f['valid'] === 'true').length;
  const stable = records.filter((f) => f['mol_stable'] === 'true').length;
  assert.match(result.stdout, new RegExp(`^molecules +12 \\(0 could not be scored\\)$`, 'm'));
  assert.match(result.stdout, new RegExp(`^validity +[\\d.]+ % +\\(${valid} / 12\\)$`, 'm'));
  assert.match(result.stdout, new RegExp(`^molecule stability +[\\d.]+ % +\\(${stable} / 12\\)$`, 'm'));
  const frames = readText(readFileSync(trajectory, 'utf8'), 'traj.extxyz', extxyzFormat).structures;
  assert.equal(frames.length, 1 + 4 + 1, 'z_T, steps 10, 20, 30, 40 with the last at t = 0, and the molecule');
  const firstRecordAtoms = Number(readFileSync(out, 'utf8').split('\n')[3]!.slice(0, 3));
  assert.equal(frames[0]!.numbers.length, firstRecordAtoms, 'the trajectory is of molecule 1');
});

test('seeded equimol generate runs reproduce byte for byte; another seed gives other molecules', async () => {
  const run = async (seed: string, name: string) => {
    const out = join(dir, name);
    const result = await cli(['--model', MODEL, '--n', '6', '--steps', '15', '--seed', seed, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    return { sdf: readFileSync(out, 'utf8'), stdout: result.stdout };
  };
  const [a, b, c] = [await run('7', 'a.sdf'), await run('7', 'b.sdf'), await run('8', 'c.sdf')];
  assert.equal(a.sdf, b.sdf);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.sdf, c.sdf);
});

test('bad equimol generate flags are usage errors naming the flag; no shipped generator is said plainly', async () => {
  const out = join(dir, 'bad.sdf');
  const cases: Array<[string[], RegExp]> = [
    [['--model', MODEL, '--out', out], /--n \(the number of molecules\) is required/],
    [['--model', MODEL, '--n', 'ten', '--out', out], /--n needs a positive integer, got 'ten'/],
    [['--model', MODEL, '--n', '2', '--steps', '101', '--out', out], /--steps 101 exceeds the 100 steps/],
    [['--model', MODEL, '--n', '2', '--atoms', '40', '--out', out], /--atoms 40 exceeds .*17 atoms/],
    [['--model', MODEL, '--n', '2', '--target', 'dipole=1', '--out', out], /--target: this generator is conditioned on 'gap', not 'dipole'/],
    [['--model', MODEL, '--n', '2', '--target', 'gap', '--out', out], /--target needs PROPERTY=NUMBER/],
    [['--model', MODEL, '--n', '2', '--out', join(dir, 'x.csv')], /--out must be an \.sdf file/],
    [['--model', MODEL, '--n', '2', '--out', out, '--temperature', '3'], /Unknown option '--temperature'/],
    [['--model', 'nope', '--n', '2', '--out', out, '--models-dir', FIXTURES], /no shipped generator named 'nope' \(shipped: tiny-qm9-gap\)/],
    [['--n', '2', '--out', out, '--models-dir', join(dir, 'empty')], /no generator is shipped yet .*give one with --model/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  // --models-dir with a generator in it: the default model is that one.
  const shipped = await cli(['--n', '2', '--steps', '5', '--out', out, '--models-dir', FIXTURES]);
  assert.equal(shipped.code, 0, shipped.stderr);
});

test('equimol generate --record-scores writes the run into the generator file, and the default generator is the one with the best recorded molecule stability', async () => {
  const models = join(dir, 'ranked');
  mkdirSync(models, { recursive: true });
  for (const name of ['a-more-trained', 'b-scored']) {
    const json = JSON.parse(readFileSync(MODEL, 'utf8')) as { training?: { runs: Array<{ molecules: number }> } };
    // a has seen more molecules; b will have recorded scores.
    if (name.startsWith('a') && json.training) json.training.runs = json.training.runs.map((r) => ({ ...r, molecules: r.molecules * 100 }));
    writeFileSync(join(models, `${name}.generator.json`), JSON.stringify(json));
    copyFileSync(MODEL.replace('.generator.json', '.weights.bin'), join(models, `${name}.weights.bin`));
  }
  assert.equal(await generatorFilePathOf(undefined, models), join(models, 'a-more-trained.generator.json'), 'without scores: the most molecules seen');
  const out = join(dir, 'recorded.sdf');
  const scored = join(models, 'b-scored.generator.json');
  const run = await cli(['--model', scored, '--n', '4', '--steps', '5', '--seed', '3', '--out', out, '--record-scores']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /recorded the scores in .*b-scored\.generator\.json/);
  const again = await cli(['--model', scored, '--n', '4', '--steps', '5', '--seed', '3', '--out', out, '--record-scores']);
  assert.equal(again.code, 0, again.stderr);
  const records = (JSON.parse(readFileSync(scored, 'utf8')) as { scores: Array<{ samples: number; steps: number; seed: number; atomStability: number; command: string }> }).scores;
  assert.equal(records.length, 1, 'the same run replaces its record');
  assert.deepEqual([records[0]!.samples, records[0]!.steps, records[0]!.seed], [4, 5, 3]);
  assert.match(records[0]!.command, /^equimol generate --model .* --record-scores$/);
  assert.ok(Number.isFinite(records[0]!.atomStability));
  assert.equal(await generatorFilePathOf(undefined, models), scored, 'a recorded score ranks above molecules seen');
  assert.ok(generatorRank('{not json')[0] < generatorRank(readFileSync(scored, 'utf8'))[0]);
});
