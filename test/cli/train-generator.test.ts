// `equimol train --family edm|geobfn`: generator training on a structure file (QM9 molecules), its files, card,
// continuation with --init, Ctrl-C, and the usage errors.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runCli } from '../../main/cli/equimol';
import { UsageError } from '../../main/cli/command';
import { generatorTrainConfigFromArgs, isGeneratorTraining } from '../../main/cli/commands/train-generator';
import { decodeGenerator } from '../../core/generative/generation';
import { qm9Frames } from '../generative/edm/qm9-frames';

const dir = mkdtempSync(join(tmpdir(), 'equimol-train-generator-'));
const data = join(dir, 'qm9-60.extxyz');
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const frames = await qm9Frames(60);
  writeFileSync(data, frames.map((f) => `${f.numbers.length}\nname=${f.name} pbc="F F F"\n${Array.from(f.numbers, (z, i) => `${['', 'H', '', '', '', '', 'C', 'N', 'O', 'F'][z]} ${f.positions.slice(3 * i, 3 * i + 3).join(' ')}`).join('\n')}\n`).join(''));
});

class TextCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString('utf8');
    callback();
  }
}

async function cli(args: string[], signal = new AbortController().signal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCapture(), stderr = new TextCapture();
  const code = await runCli(args, { stdout, stderr, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const SMALL = ['--features', '8', '--layers', '1', '--batch-size', '8', '--minutes', '0.03'];

for (const family of ['edm', 'geobfn'] as const) {
  test(`equimol train --family ${family} writes a generator file with its card, which equimol generate reads, and --init continues it as run 2`, async () => {
    const out = join(dir, `${family}-small`);
    const extra = family === 'edm' ? ['--timesteps', '50'] : [];
    const first = await cli(['train', '--family', family, data, '--out', out, ...SMALL, ...extra]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /read 60 molecules in .* s; training on \d+ \(split by name: \d+ validation, \d+ test left out\)/);
    for (const suffix of ['.generator.json', '.weights.bin', '.md']) assert.ok(existsSync(out + suffix), `${out}${suffix}`);
    const card = readFileSync(`${out}.md`, 'utf8');
    assert.match(card, new RegExp(`^# ${family === 'edm' ? 'EDM' : 'GeoBFN'} 8×1 on qm9-60\\.extxyz`));
    assert.match(card, /\| 1 \| \d+ \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| time-budget \| `equimol train --family/);
    const model = decodeGenerator(readFileSync(`${out}.generator.json`, 'utf8'), readFileSync(`${out}.weights.bin`));
    assert.equal(model.config.dynamics.features, 8);

    const generated = await cli(['generate', '--model', `${out}.generator.json`, '--n', '2', '--steps', '4', '--out', join(dir, `${family}.sdf`)]);
    assert.equal(generated.code, 0, generated.stderr);

    const again = await cli(['train', '--init', `${out}.generator.json`, data, '--out', `${out}-2`, '--minutes', '0.02', '--batch-size', '8']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /continuing from .* \(1 runs, \d+ s\)/);
    assert.match(readFileSync(`${out}-2.md`, 'utf8'), /\| 2 \| \d+ \| \d+ \| \d+ \|.* `equimol train --init/);
  });
}

test('equimol train of a generator stopped by Ctrl-C exits 130 and still writes its files', async () => {
  const controller = new AbortController();
  const out = join(dir, 'aborted');
  setTimeout(() => controller.abort(), 1500);
  const result = await cli(['train', '--family', 'geobfn', data, '--out', out, '--features', '8', '--layers', '1', '--batch-size', '8', '--minutes', '5'], controller.signal);
  assert.equal(result.code, 130, result.stderr);
  assert.match(readFileSync(`${out}.md`, 'utf8'), /\| aborted \|/);
});

test('generator training command lines: which ones are, and the usage errors naming the option', () => {
  assert.equal(isGeneratorTraining(['--family', 'edm', 'x.xyz']), true);
  assert.equal(isGeneratorTraining(['--family=geobfn', 'x.xyz']), true);
  assert.equal(isGeneratorTraining(['--init', 'm.generator.json', 'x.xyz']), true);
  assert.equal(isGeneratorTraining(['--family', 'mace', 'x.xyz']), false);
  const errors: Array<[string[], RegExp]> = [
    [['--family', 'edm', 'x.xyz', '--out', 'o'], /give --minutes M/],
    [['--family', 'geobfn', 'x.xyz', '--out', 'o', '--minutes', '1', '--timesteps', '10'], /--timesteps is not for --family geobfn/],
    [['--init', 'm.generator.json', '--family', 'edm', 'x.xyz', '--out', 'o', '--minutes', '1'], /--init takes the family .*drop --family/],
    [['--family', 'edm', 'x.xyz', '--out', 'o', '--minutes', '1', '--noise-schedule', 'linear'], /--noise-schedule must be polynomial or cosine/],
    [['--family', 'edm', 'x.xyz', '--out', 'o', '--minutes', '1', '--validation', '0.6', '--test', '0.5'], /leave some molecules to train on/],
    [['--family', 'edm', '--out', 'o', '--minutes', '1'], /at least one DATA file/],
  ];
  for (const [args, message] of errors) assert.throws(() => generatorTrainConfigFromArgs(args), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
  const { config } = generatorTrainConfigFromArgs(['--family', 'edm', 'x.xyz', '--out', 'o.generator.json', '--minutes', '2']);
  assert.equal(config!.out, 'o');
  assert.equal(config!.validation, 0.02);
  assert.equal(config!.test, 0.05);
  assert.equal(config!.checkpointMinutes, 10);
});
