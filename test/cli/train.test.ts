// `equimol train` end to end on real ethanol frames: the files it writes, its flags, the errors it names, the
// skipped-record count it prints, and --resume of a finished run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../main/cli/command';
import { trainConfigFromArgs } from '../../main/cli/commands/train';
import { runCliCaptured as cli } from '../helpers/cli';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const TRAIN = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'train.extxyz.gz');
const dir = mkdtempSync(join(tmpdir(), 'equimol-train-cli-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'eth.extxyz');
const lines = ethanolFramesText(TRAIN, 24).split('\n');
lines[23] = lines[23]!.replace(/ energy=\S+/, ''); // frame 3 has no energy
writeFileSync(data, lines.join('\n'));
const tiny = ['--family', 'faenet', '--hidden', '8', '--interactions', '1', '--batch-size', '4', '--warmup-steps', '2'];

test('equimol train writes the model, card, plots and resume files, reports skipped records and prints JSON', async () => {
  const out = join(dir, 'run', 'eth');
  const r = await cli(['train', data, ...tiny, '--epochs', '2', '--validation', '0.2', '--test', '0.25', '--seed', '3', '--out', out, '--json']);
  assert.equal(r.code, EXIT.ok, r.stderr);
  assert.match(r.stderr, /skipped 1 record with a missing or non-finite target, e\.g\. .*eth\.extxyz: record 3 \(line 23\): no energy 'energy'/);
  assert.match(r.stderr, /epoch 2 loss [\d.e+-]+ val E [\d.]+ meV\/atom F [\d.]+ meV\/Å/);
  const report = JSON.parse(r.stdout) as { files: string[]; card: string; stoppedBy: string; members: Array<{ epochs: number; test: { structures: number; forceMAE_meV_per_A: number } }> };
  assert.equal(report.stoppedBy, 'max-epochs');
  assert.equal(report.members[0]!.epochs, 2);
  assert.equal(report.members[0]!.test.structures, 6); // 25 % of the 23 labelled frames
  for (const suffix of ['.model.json', '.weights.bin', '.md', '.learning-curve.svg', '.parity.svg', '.resume.json', '.resume.bin', '.run.json']) assert.ok(existsSync(out + suffix), suffix);
  const card = readFileSync(`${out}.md`, 'utf8');
  assert.match(card, /24 records read, 1 left out/);
  assert.match(card, /`equimol train .* --out .*eth --json`/);
  assert.match(card, /stopped by max-epochs/);
  const doc = JSON.parse(readFileSync(`${out}.model.json`, 'utf8')) as { family: string; metrics: Array<{ structures: number }>; training: { epochs: number } };
  assert.equal(doc.family, 'faenet');
  assert.equal(doc.metrics[0]!.structures, 6);
  assert.equal(doc.training.epochs, 2);
  // Resuming the finished run trains nothing more and leaves the weights as they were.
  const weightsBefore = readFileSync(`${out}.weights.bin`);
  const again = await cli(['train', '--resume', out, '--json']);
  assert.equal(again.code, EXIT.ok, again.stderr);
  assert.deepEqual(readFileSync(`${out}.weights.bin`), weightsBefore);
  // A larger budget lets it go on: one more epoch.
  const longer = await cli(['train', '--resume', out, '--epochs', '3', '--json']);
  assert.equal(longer.code, EXIT.ok, longer.stderr);
  assert.equal((JSON.parse(longer.stdout) as { members: Array<{ epochs: number }> }).members[0]!.epochs, 3);
  assert.match(longer.stderr, /resumed after epoch 2/);
});

test('bad command lines are usage errors that say what is wrong', async () => {
  const help = await cli(['train', '--help']);
  assert.equal(help.code, EXIT.ok);
  assert.match(help.stdout, /^Usage: equimol train/);
  assert.match(help.stdout, /Exit codes/);
  assert.match((await cli(['--help'])).stdout, /train {2,}train or fine-tune an energy model/);
  const cases: Array<[string[], RegExp]> = [
    [['train', data, '--epochs', '1'], /needs --out NAME/],
    [['train', '--out', 'x'], /at least one DATA file/],
    [['train', data, '--out', 'x', '--split', 'alphabetical'], /--split must be one of random, name, scaffold/],
    [['train', data, '--out', 'x', '--freeze', 'trunk'], /--freeze trunk needs --init/],
    [['train', data, '--out', 'x', '--validation', '1.5'], /--validation needs a fraction in \[0, 1\)/],
    [['train', data, '--out', 'x', '--family', 'egnn', '--channels', '8'], /--channels is not a width of egnn/],
    [['train', '--resume', 'x', '--seed', '3'], /--resume continues the run with its own settings \(a larger --minutes or --epochs may extend it\): drop --seed/],
    [['train', data, '--out', 'x', '--init', 'm.model.json', '--family', 'mace'], /--init takes family and widths from the model file/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, EXIT.usage, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.equal(existsSync('x.run.json'), false, 'a refused command line writes no run file');
});

test('flags map onto the run configuration', () => {
  const { config } = trainConfigFromArgs(['a.extxyz', 'b.sdf', '--out', 'm.model.json', '--target', 'energy:kcal/mol', '--energy-key', 'E', '--split', 'scaffold', '--validation', '0.1', '--test', '0', '--seed', '7', '--members', '3', '--ensemble', 'bootstrap', '--minutes', '2.5', '--ema-decay', '0', '--force-weight', '0', '--init', 'm0.model.json', '--freeze', 'trunk', '--unfreeze-after', '5', '--refit-e0']);
  assert.ok(config);
  assert.deepEqual(config.data, ['a.extxyz', 'b.sdf']);
  assert.equal(config.out, 'm');
  assert.deepEqual(config.targets, ['energy:kcal/mol']);
  assert.equal(config.energyKey, 'E');
  assert.equal(config.split, 'scaffold');
  assert.equal(config.validation, 0.1);
  assert.equal(config.test, 0);
  assert.equal(config.seed, 7);
  assert.equal(config.members, 3);
  assert.equal(config.ensemble, 'bootstrap');
  assert.equal(config.minutes, 2.5);
  assert.equal(config.emaDecay, 0);
  assert.equal(config.forceWeight, 0);
  assert.equal(config.freeze, 'trunk');
  assert.equal(config.unfreezeAfter, 5);
  assert.equal(config.refitReferenceEnergies, true);
  assert.equal(config.family, undefined);
});

test('a dataset without the named target exits 3 naming the file, key, record and line', async () => {
  const r = await cli(['train', data, ...tiny, '--epochs', '1', '--energy-key', 'E_ccsd', '--out', join(dir, 'none')]);
  assert.equal(r.code, EXIT.unreadable);
  assert.match(r.stderr, /eth\.extxyz: no record has every target \(energy from 'E_ccsd', forces from 'forces'\); first: .*record 1 \(line 1\): no energy 'E_ccsd'/);
});

test('energy-only training from an energies CSV beside the structures, with energies in kcal/mol', async () => {
  const plain = join(dir, 'plain.extxyz');
  const energies: string[] = [];
  writeFileSync(plain, ethanolFramesText(TRAIN, 12).split('\n').map((l) => l.replace(/ energy=(\S+)/, (_, e: string) => { energies.push(String(Number(e) / 0.0433641039)); return ''; })).join('\n'));
  writeFileSync(join(dir, 'plain.csv'), `E_kcal\n${energies.join('\n')}\n`);
  const out = join(dir, 'csv', 'eth');
  const r = await cli(['train', plain, '--labels', join(dir, 'plain.csv'), '--target', 'energy:kcal/mol', '--energy-key', 'E_kcal', ...tiny, '--epochs', '1', '--test', '0.25', '--validation', '0.25', '--out', out, '--json']);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const report = JSON.parse(r.stdout) as { members: Array<{ test: { structures: number; energyMAE_meV: number; forceMAE_meV_per_A: number | null } }> };
  assert.equal(report.members[0]!.test.structures, 3);
  assert.ok(Number.isFinite(report.members[0]!.test.energyMAE_meV));
  assert.equal(report.members[0]!.test.forceMAE_meV_per_A, null, 'no force labels: no force error');
  assert.match(readFileSync(`${out}.md`, 'utf8'), /targets energy \(kcal\/mol, from 'E_kcal'\)/);
});

test('--members 2 --ensemble bootstrap --threads 2 --minutes: two members, each stopped by the time budget', async () => {
  const out = join(dir, 'boot', 'eth');
  const r = await cli(['train', data, ...tiny, '--minutes', '0.002', '--members', '2', '--ensemble', 'bootstrap', '--threads', '2', '--out', out, '--json']);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const report = JSON.parse(r.stdout) as { files: string[]; stoppedBy: string; members: Array<{ epochs: number; stoppedBy: string }>; ensembleFile: string | null };
  assert.deepEqual(report.files.map((f) => f.split('/').pop()), ['eth.m1.model.json', 'eth.m2.model.json']);
  assert.deepEqual(report.members.map((m) => [m.epochs, m.stoppedBy]), [[1, 'time-budget'], [1, 'time-budget']]);
  assert.equal(report.ensembleFile, null, 'faenet cannot be a property-model trunk');
  const card = readFileSync(`${out}.md`, 'utf8');
  assert.match(card, /an ensemble of 2 members \(bootstrap\)/);
  assert.match(card, /no ensemble file: faenet cannot be a property-model trunk/);
  assert.match(card, /Budget: 0\.002 min per member/);
});
