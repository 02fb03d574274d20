import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { energyAndForces } from '../../core/engine/model';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createEnergyModelPredictor } from '../../core/predict/energy-model-predictor';
import { float32Decimal } from '../../core/util/float32-decimal';
import type { Prediction } from '../../core/predict/predictor';
import { readStructures } from '../../main/io/read-structures';
import { readModelFile } from '../../main/models/model-files';
import { runCliCaptured as cli } from '../helpers/cli';
import { EXIT } from '../../main/cli/command';
import { parseCsvLine } from '../../core/export/csv';

const ETHANOL = resolve('../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz');
const MODEL = resolve('assets/models/benchmarks/egnn-ethanol-rmd17.model.json');
const skip = existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`;
const tmp = mkdtempSync(join(tmpdir(), 'equimol-model-predictor-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));



function singleEvaluation(model: Awaited<ReturnType<typeof readModelFile>>, structure: Parameters<typeof buildGraphContext>[0][number], stress = false) {
  const ctx = buildGraphContext([structure], { cutoff: model.cutoff, species: model.species });
  try {
    return tf.tidy(() => {
      const r = energyAndForces(model, ctx, { stress });
      return { energy: r.energy.dataSync()[0]!, forces: Array.from(r.forces.dataSync()), stress: r.stress ? Array.from(r.stress.dataSync()) : undefined };
    });
  } finally {
    disposeGraphContext(ctx);
  }
}

test('the shipped EGNN as a predictor gives, in one batch, the energies and forces of evaluating each ethanol frame alone; a foreign element is an error row', { skip }, async () => {
  await initBackend({ prefer: 'wasm' });
  const model = await readModelFile(MODEL);
  const frames = (await readStructures(ETHANOL)).slice(0, 5);
  const drug = (await readStructures(resolve('assets/examples/drugs.sdf'))).find((d) => d.numbers.includes(7));
  const predictor = createEnergyModelPredictor(model, { id: 'model:egnn', ownsModel: false });
  const before = tf.memory().numTensors;
  const results = await predictor.predict([frames[0]!, drug!, ...frames.slice(1)]);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind by predict');
  assert.equal(results.length, 6);
  assert.ok(results[1] instanceof Error);
  assert.match((results[1] as Error).message, /knows H, C, O only; this structure has N/);
  const ok = [results[0], ...results.slice(2)] as Prediction[];
  frames.forEach((frame, k) => {
    const alone = singleEvaluation(model, frame);
    const p = ok[k]!;
    assert.ok(Math.abs((p.values.energy as number) - alone.energy) < 2e-3, `frame ${k} energy ${p.values.energy} vs ${alone.energy} eV`);
    assert.ok(Math.abs((p.values.energy_per_atom as number) - alone.energy / 9) < 1e-3);
    assert.equal(p.values.stress, null, 'no stress for a molecule');
    const f = p.atomArrays!.forces!;
    assert.equal(f.width, 3);
    assert.equal(f.data.length, 27);
    f.data.forEach((v, i) => assert.ok(Math.abs(v - alone.forces[i]!) < 1e-4, `frame ${k} force ${i}`));
    const largest = Math.max(...Array.from({ length: 9 }, (_, i) => Math.hypot(f.data[3 * i]!, f.data[3 * i + 1]!, f.data[3 * i + 2]!)));
    // Float32 outputs are given as the shortest decimal of their float32 (max_force rounded to float32 too).
    assert.ok(Math.abs((p.values.max_force as number) - largest) <= 1e-6 * largest);
    for (const v of [p.values.energy, p.values.energy_per_atom, p.values.max_force, f.data[0], f.data[26]] as number[]) {
      assert.equal(v, float32Decimal(v), `${v} is the shortest decimal of its float32`);
    }
    // The model is a real fit: predicted energies lie within 0.5 eV of the DFT labels (its test MAE is tens of meV).
    assert.ok(Math.abs((p.values.energy as number) - (frame.properties.energy as number)) < 0.5);
  });
  predictor.dispose?.();
  model.dispose();
});

test('a periodic crystal gets the stress tensor (Voigt, eV/Å³) of the engine, a molecule in the same batch none', async () => {
  await initBackend({ prefer: 'wasm' });
  const model = createMaceModel({ species: [11, 17, 29], channels: 4, lmax: 1, nInteractions: 1, seed: 3 });
  const [salt] = await readStructures(resolve('assets/examples/nacl.cif'));
  const [cluster] = await readStructures(resolve('assets/examples/cu13-md.extxyz'));
  assert.ok(salt!.pbc.every(Boolean));
  const predictor = createEnergyModelPredictor(model, { id: 'model:test' });
  const [crystal, molecule] = (await predictor.predict([salt!, cluster!])) as Prediction[];
  const alone = singleEvaluation(model, salt!, true);
  const s = alone.stress!; // [3, 3]
  const voigt = [s[0]!, s[4]!, s[8]!, s[5]!, s[2]!, s[1]!];
  (crystal!.values.stress as number[]).forEach((v, k) => assert.ok(Math.abs(v - voigt[k]!) < 1e-6, `stress ${k}: ${v} vs ${voigt[k]}`));
  assert.ok(voigt.some((v) => Math.abs(v) > 1e-6), 'a non-trivial stress');
  assert.equal(molecule!.values.stress, cluster!.pbc.every(Boolean) ? molecule!.values.stress : null);
  predictor.dispose?.();
});

test('equimol predict --model writes energies, forces per atom and error rows; a malformed model file is a usage error', { skip }, async () => {
  const out = join(tmp, 'ethanol.extxyz');
  const csv = join(tmp, 'ethanol.csv');
  const first = join(tmp, 'first.extxyz');
  const run = await cli(['predict', ETHANOL, resolve('assets/examples/drugs.sdf'), '--model', MODEL, '--out', csv, '--backend', 'wasm']);
  assert.equal(run.code, EXIT.recordErrors, run.stderr);
  const lines = readFileSync(csv, 'utf8').trim().split('\n').map(parseCsvLine);
  const header = lines[0]!;
  assert.deepEqual(header.slice(-9), ['energy [eV]', 'energy_per_atom [eV]', 'max_force [eV/Å]', ...[0, 1, 2, 3, 4, 5].map((i) => `stress_${i} [eV/Å³]`)]);
  const status = header.indexOf('status');
  const rows = lines.slice(1);
  const drugs = await readStructures(resolve('assets/examples/drugs.sdf'));
  const foreign = drugs.filter((d) => d.numbers.some((z) => ![1, 6, 8].includes(z))).length;
  assert.ok(foreign > 0 && foreign < drugs.length);
  assert.equal(rows.filter((r) => r[status] === 'ok').length, 1000 + drugs.length - foreign);
  assert.equal(rows.filter((r) => r[status] === 'error').length, foreign, 'every drug with N, S, Cl ... is an error row');
  const error = header.indexOf('error');
  assert.ok(rows.filter((r) => r[status] === 'error').every((r) => /knows H, C, O only/.test(r[error]!)));
  // Structures out: forces per atom in the extended XYZ.
  writeFileSync(first, gunzipSync(readFileSync(ETHANOL)).toString('utf8').split('\n').slice(0, 22).join('\n') + '\n'); // two frames
  const structures = await cli(['predict', first, '--model', MODEL, '--out', out, '--backend', 'wasm']);
  assert.equal(structures.code, EXIT.ok, structures.stderr);
  const written = await readStructures(out);
  assert.equal(written.length, 2);
  assert.equal(written[0]!.atomArrays.forces!.data.length, 27);
  assert.ok(typeof written[0]!.properties.energy === 'number');
  // A broken model file is refused before any work.
  const broken = join(tmp, 'broken.model.json');
  writeFileSync(broken, '{"format": "equimol-model", "version": 1');
  const refused = await cli(['predict', first, '--model', broken, '--out', join(tmp, 'x.csv')]);
  assert.equal(refused.code, EXIT.usage);
  assert.match(refused.stderr, /cannot use model .*broken\.model\.json/);
  const both = await cli(['predict', first, '--model', MODEL, '--predictor', 'geometry', '--out', join(tmp, 'y.csv')]);
  assert.equal(both.code, EXIT.usage);
});
