// Fine-tuning the shipped ethanol MACE on methanol (the 300 methanol frames of BOTNet's train_eth_meth, same
// PBE/def2-SVP level): a frozen trunk for one epoch, then every weight; the held-out methanol error must drop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { evaluateModel } from '../../core/engine/eval';
import { readModelFile } from '../../main/models/model-files';
import { initNodeBackend } from '../../main/models/node-backend';
import { runTraining, type TrainRunEvent } from '../../main/train/train-runner';
import { loadTrainingData } from '../../main/train/training-data';

const ETH_METH = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'train_eth_meth.extxyz.gz');
const SHIPPED = resolve('assets/models/benchmarks/mace-ethanol-rmd17.model.json');
const dir = mkdtempSync(join(tmpdir(), 'equimol-finetune-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The first `count` methanol (6-atom) frames of train_eth_meth, as the file's own lines. */
function methanolFrames(count: number): string {
  const lines = gunzipSync(readFileSync(ETH_METH)).toString('utf8').split('\n');
  const out: string[] = [];
  for (let at = 0; at < lines.length && out.length < 8 * count && lines[at]; at += Number(lines[at]) + 2) {
    if (Number(lines[at]) === 6) {
      assert.match(lines[at + 1]!, /config_type=methanol/);
      out.push(...lines.slice(at, at + 8));
    }
  }
  assert.equal(out.length, 8 * count);
  return out.join('\n') + '\n';
}

test('fine-tuning the shipped ethanol MACE on methanol lowers its held-out methanol energy and force errors', async () => {
  await initNodeBackend();
  const data = join(dir, 'methanol.extxyz');
  writeFileSync(data, methanolFrames(100));
  const split = { data: [data], targets: ['energy:eV', 'forces:eV/Å'], split: 'random' as const, validation: 0.1, test: 0.3, splitSeed: 1 };
  const held = (await loadTrainingData(split)).test;
  assert.equal(held.length, 30);
  const shipped = await readModelFile(SHIPPED);
  const before = await evaluateModel(shipped, held);
  shipped.dispose();
  const events: TrainRunEvent[] = [];
  const result = await runTraining({
    ...split, out: join(dir, 'mace-methanol'), init: SHIPPED, freeze: 'trunk', unfreezeAfter: 1, epochs: 4, learningRate: 1e-3,
    seed: 1, members: 1, ensemble: 'seeds', threads: 1, command: 'equimol train methanol.extxyz --init mace-ethanol-rmd17.model.json --freeze trunk --unfreeze-after 1 --epochs 4',
  }, { onEvent: (e) => events.push(e) });
  const after = result.members[0]!.test!;
  assert.equal(after.structures, 30);
  assert.ok(after.forceMAE_meV_per_A < 0.6 * before.forceMAE_meV_per_A, `force MAE ${before.forceMAE_meV_per_A.toFixed(1)} -> ${after.forceMAE_meV_per_A.toFixed(1)} meV/Å`);
  assert.ok(after.energyMAE_meV < before.energyMAE_meV, `energy MAE ${before.energyMAE_meV.toFixed(1)} -> ${after.energyMAE_meV.toFixed(1)} meV`);
  // The written model reproduces the reported test error; the card names the start weights.
  const tuned = await readModelFile(result.files[0]!);
  const reread = await evaluateModel(tuned, held);
  tuned.dispose();
  assert.ok(Math.abs(reread.forceMAE_meV_per_A - after.forceMAE_meV_per_A) < 1e-3 * after.forceMAE_meV_per_A);
  const card = readFileSync(result.card, 'utf8');
  const sha = createHash('sha256').update(readFileSync(SHIPPED.replace(/\.model\.json$/, '.weights.bin'))).digest('hex');
  assert.ok(card.includes(sha.slice(0, 16)), 'card names the start weights');
  assert.match(card, /trunk frozen, all weights train from epoch 2/);
  const member = events.find((e) => e.kind === 'member');
  assert.ok(member && member.kind === 'member' && member.trainableTensors < member.tensors);
  console.log(`methanol test (30 frames): force MAE ${before.forceMAE_meV_per_A.toFixed(1)} -> ${after.forceMAE_meV_per_A.toFixed(1)} meV/Å, energy MAE ${before.energyMAE_meV.toFixed(1)} -> ${after.energyMAE_meV.toFixed(1)} meV`);
});
