import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import type { EnergyModel } from '../../core/engine/model';
import { evaluateModel } from '../../core/engine/eval';
import { createEnergyModelPredictor } from '../../core/predict/energy-model-predictor';
import { CalculationError, type CalcResult } from '../../core/calc/calculator';
import { createModelCalculator, evaluateModelBatch } from '../../core/calc/model-calculator';
import { buildHostGraph } from '../../core/engine/geometry/batch';
import { modelCalculatorEntries } from '../../core/calc/catalogue';
import type { ModelCatalogue } from '../../core/predict/model-predictors';
import { nodeModelCatalogue } from '../../main/compute-host/model-catalogue';
import { createStructure, type Structure } from '../../core/structure/structure';
import { seededRandom } from '../../core/util/seeded-random';
import { readStructures } from '../../main/io/read-structures';
import { readModelFile } from '../../main/models/model-files';
import { readDataset, datasetsDir } from '../engine/geometry-data';

const ETHANOL_DATA = resolve(datasetsDir, 'botnet_ethanol_rmd17/test_MD.extxyz.gz');
const SHIPPED_EGNN = resolve('assets/models/benchmarks/egnn-ethanol-rmd17.model.json');
const skipShipped = existsSync(ETHANOL_DATA) && existsSync(SHIPPED_EGNN) ? false : 'rMD17 ethanol or the shipped EGNN model is missing';

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

function moved(structure: Structure, positions: ArrayLike<number>, cell?: ArrayLike<number>): Structure {
  return createStructure({ ...structure, positions, ...(cell ? { cell } : structure.cell ? { cell: structure.cell } : {}) });
}

function ok(result: CalcResult | Error | undefined): CalcResult {
  if (result instanceof Error || result === undefined) throw result ?? new Error('no result');
  return result;
}

/** A fresh build (cutoff only, no skin): what the model must see at every step. */
async function fresh(model: EnergyModel, structure: Structure, stress: boolean): Promise<{ energy: number; forces: Float32Array; stress?: Float32Array }> {
  const out = await evaluateModelBatch(model, [structure], { forces: true, stress });
  return { energy: out.energy[0]!, forces: out.forces!, ...(out.stress ? { stress: out.stress } : {}) };
}

/** A random walk of `steps` steps of `stepSize` Å per component (seeded), checked against fresh builds each step. */
async function walkAgainstFreshBuilds(model: EnergyModel, start: Structure, steps: number, stepSize: number, seed: number): Promise<{ builds: number; reuses: number }> {
  const calculator = createModelCalculator(model, { id: 'model:test', ownsModel: false });
  const random = seededRandom(seed);
  const positions = Float64Array.from(start.positions);
  const periodic = start.pbc.every(Boolean);
  for (let step = 0; step < steps; step++) {
    const structure = moved(start, positions);
    const result = ok((await calculator.calculate([structure], { forces: true, stress: periodic }))[0]);
    const reference = await fresh(model, structure, periodic);
    const scale = Math.max(1, Math.abs(reference.energy));
    assert.ok(Math.abs(result.energy - reference.energy) < 2e-6 * scale, `step ${step}: energy ${result.energy} vs fresh ${reference.energy}`);
    const forceScale = Math.max(1e-3, ...Array.from(reference.forces, Math.abs));
    reference.forces.forEach((f, k) => assert.ok(Math.abs(result.forces![k]! - f) < 1e-4 * forceScale, `step ${step}: force ${k}`));
    if (periodic) reference.stress!.forEach((s, k) => assert.ok(Math.abs(result.stress![k]! - s) < 1e-5 * Math.max(1e-3, Math.abs(s)) + 1e-7, `step ${step}: stress ${k}`));
    else assert.equal(result.stress, undefined);
    const freshEdges = buildHostGraph([structure], { cutoff: model.cutoff, species: model.species }).nEdges;
    assert.equal(calculator.stats().lastEdgeCount, freshEdges, `step ${step}: the model sees exactly the edges within the cutoff`);
    for (let k = 0; k < positions.length; k++) positions[k] += stepSize * (2 * random() - 1);
  }
  const stats = calculator.stats();
  assert.equal(stats.neighbourListBuilds + stats.neighbourListReuses, steps);
  console.log(`${start.name || 'structure'}: ${steps} steps of ±${stepSize} Å per component, ${stats.neighbourListBuilds} neighbour-list builds, ${stats.neighbourListReuses} reuses`);
  return { builds: stats.neighbourListBuilds, reuses: stats.neighbourListReuses };
}

test('a reused Verlet list gives the energies, forces and stress of a fresh build at every step of a random walk (ethanol, NaCl crystal)', async () => {
  const [ethanol] = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 1);
  const molecular = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, nInteractions: 1, cutoff: 3, seed: 5 });
  // Small steps (MD-like): mostly reuse. Large steps: pairs enter and leave the cutoff, several rebuilds.
  const small = await walkAgainstFreshBuilds(molecular, ethanol!, 24, 0.03, 11);
  assert.ok(small.reuses >= 18, `small steps reuse the list (${small.builds} builds)`);
  const large = await walkAgainstFreshBuilds(molecular, ethanol!, 20, 0.1, 13);
  assert.ok(large.builds >= 4 && large.reuses >= 4, `large steps rebuild (${large.builds} builds, ${large.reuses} reuses)`);
  molecular.dispose();
  const [salt] = await readStructures(resolve('assets/examples/nacl.cif'));
  const crystal = createMaceModel({ species: [11, 17], channels: 4, lmax: 1, nInteractions: 1, cutoff: 4, seed: 3 });
  assert.ok((await walkAgainstFreshBuilds(crystal, salt!, 16, 0.03, 12)).reuses >= 12);
  assert.ok((await walkAgainstFreshBuilds(crystal, salt!, 12, 0.1, 14)).builds >= 3);
  crystal.dispose();
});

test('the list is rebuilt when an atom moves more than skin/2, when the cell changes or other atoms come; edges are cut to the cutoff each step', async () => {
  // EGNN: tfjs-wasm's Transpose fails on the zero-edge graph of MACE ('divide by zero'), an engine limitation.
  const model = createEgnn({ species: [1, 8], features: 8, layers: 2, cutoff: 3, seed: 7 });
  const calculator = createModelCalculator(model, { id: 'model:dimer', skin: 1.5 });
  const dimer = (d: number) => createStructure({ name: 'dimer', numbers: [1, 8], positions: [-d / 2, 0, 0, d / 2, 0, 0] });
  const near = ok((await calculator.calculate([dimer(2)]))[0]);
  assert.deepEqual([calculator.stats().neighbourListBuilds, calculator.stats().lastEdgeCount], [1, 2]);
  // Each atom moves 0.6 Å < skin/2 = 0.75 Å: the list is reused, the pair (now 3.2 Å > cutoff 3 Å) is dropped.
  const far = ok((await calculator.calculate([dimer(3.2)]))[0]);
  assert.deepEqual([calculator.stats().neighbourListBuilds, calculator.stats().lastEdgeCount], [1, 0]);
  const isolated = (await fresh(model, dimer(3.2), false)).energy;
  assert.ok(Math.abs(far.energy - isolated) < 1e-6, 'beyond the cutoff the energy is that of two isolated atoms');
  assert.ok(Math.abs(near.energy - isolated) > 1e-6, 'the model does see the pair at 2 Å');
  ok((await calculator.calculate([dimer(2.4)]))[0]);
  assert.deepEqual([calculator.stats().neighbourListBuilds, calculator.stats().lastEdgeCount], [1, 2]);
  ok((await calculator.calculate([dimer(4.2)]))[0]); // each atom 0.9 Å from the build: rebuild
  assert.equal(calculator.stats().neighbourListBuilds, 2);
  ok((await calculator.calculate([createStructure({ numbers: [8, 1], positions: [-2.1, 0, 0, 2.1, 0, 0] })]))[0]); // other element order
  assert.equal(calculator.stats().neighbourListBuilds, 3);
  const boxed = (a: number) => createStructure({ numbers: [1, 8], positions: [0, 0, 0, 1, 0, 0], cell: [a, 0, 0, 0, a, 0, 0, 0, a] });
  ok((await calculator.calculate([boxed(4)], { stress: true }))[0]);
  ok((await calculator.calculate([boxed(4)], { stress: true }))[0]);
  assert.equal(calculator.stats().neighbourListBuilds, 4);
  const strained = ok((await calculator.calculate([boxed(4.01)], { stress: true }))[0]);
  assert.equal(calculator.stats().neighbourListBuilds, 5, 'a changed cell rebuilds');
  assert.equal(strained.stress!.length, 9);
  calculator.dispose?.();
});

test('repeated calculate calls leave no tensors behind (single structures and batches)', async () => {
  const model = createEgnn({ species: [1, 6, 8], features: 8, layers: 2, cutoff: 4, seed: 3 });
  const calculator = createModelCalculator(model, { id: 'model:egnn', batchSize: 2 });
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 3);
  await calculator.calculate([frames[0]!], { forces: true }); // first call may allocate backend state
  const start = tf.memory().numTensors;
  for (let k = 0; k < 5; k++) {
    await calculator.calculate([frames[k % 3]!], { forces: true });
    await calculator.calculate(frames, { forces: true, stress: true });
    await calculator.calculate([frames[1]!]);
  }
  assert.equal(tf.memory().numTensors, start);
  calculator.dispose?.();
  assert.ok(tf.memory().numTensors < start, 'dispose frees the weights the calculator owns');
});

test('an unknown element, two atoms at the same position and an empty structure are errors in their slots; the batch goes on', async () => {
  const model = createMaceModel({ species: [1, 6, 8], channels: 4, lmax: 1, nInteractions: 1, cutoff: 3, seed: 5 });
  const calculator = createModelCalculator(model, { id: 'model:mace' });
  const [ethanol] = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 1);
  const nitrogen = createStructure({ name: 'ammonia', numbers: [7, 1, 1, 1], positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const clash = createStructure({ name: 'clash', numbers: [6, 8, 1], positions: [0, 0, 0, 1.2, 0, 0, 1.2, 0, 0] });
  const empty = createStructure({ name: 'empty', numbers: [], positions: [] });
  const results = await calculator.calculate([ethanol!, nitrogen, clash, empty, ethanol!], { forces: true });
  assert.ok(!(results[0] instanceof Error) && Number.isFinite(results[0]!.energy));
  assert.ok(results[1] instanceof CalculationError);
  assert.match(results[1].message, /ammonia: the model knows H, C, O only; this structure has N/);
  assert.ok(results[2] instanceof CalculationError, 'coincident atoms give an error, not NaN');
  assert.match(results[2].message, /clash: .*not finite/);
  assert.ok(results[3] instanceof CalculationError && /no atoms/.test(results[3].message));
  assert.equal((results[4] as CalcResult).energy, (results[0] as CalcResult).energy);
  // Alone (the Verlet path) the clash is an error too, and the model predictor makes it an error row.
  assert.ok((await calculator.calculate([clash], { forces: true }))[0] instanceof CalculationError);
  const rows = await createEnergyModelPredictor(model, { id: 'model:mace', ownsModel: false }).predict([clash, ethanol!]);
  assert.ok(rows[0] instanceof Error && /not finite/.test(rows[0].message));
  assert.ok(!(rows[1] instanceof Error) && Number.isFinite(rows[1]!.values.energy as number));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(calculator.calculate([ethanol!], { signal: controller.signal }));
  calculator.dispose?.();
});

test('the shipped EGNN as a calculator: batch and single evaluations agree, energies near the DFT labels, evaluateModel unchanged in shape', { skip: skipShipped }, async () => {
  const model = await readModelFile(SHIPPED_EGNN);
  const frames = readDataset('botnet_ethanol_rmd17/test_MD.extxyz.gz', 6);
  const calculator = createModelCalculator(model, { id: 'model:egnn-ethanol-rmd17', ownsModel: false });
  assert.deepEqual(calculator.description.elements, [1, 6, 8]);
  const batch = (await calculator.calculate(frames, { forces: true })).map(ok);
  for (const [k, frame] of frames.entries()) {
    const alone = ok((await calculator.calculate([frame], { forces: true }))[0]);
    assert.ok(Math.abs(alone.energy - batch[k]!.energy) < 2e-3, `frame ${k}`);
    alone.forces!.forEach((f, i) => assert.ok(Math.abs(f - batch[k]!.forces![i]!) < 1e-3));
    assert.ok(Math.abs(batch[k]!.energy - (frame.properties.energy as number)) < 0.5, `frame ${k}: ${batch[k]!.energy} vs DFT ${frame.properties.energy as number} eV`);
  }
  assert.ok((await walkAgainstFreshBuilds(model, frames[0]!, 12, 0.02, 5)).reuses >= 8);
  const metrics = await evaluateModel(model, frames, { batchSize: 4 });
  assert.equal(metrics.structures, 6);
  assert.equal(metrics.withForces, 6);
  // Energy MAE from the calculator's energies equals evaluateModel's (same evaluation path).
  const mae = (1000 * batch.reduce((s, r, k) => s + Math.abs(r.energy - (frames[k]!.properties.energy as number)), 0)) / frames.length;
  assert.ok(Math.abs(metrics.energyMAE_meV - mae) < 1, `${metrics.energyMAE_meV} vs ${mae} meV`);
  assert.ok(metrics.forceMAE_meV_per_A < 200, `force MAE ${metrics.forceMAE_meV_per_A} meV/Å of a trained model`);
  model.dispose();
});

test('model calculator entries list every shipped model as model:<name> with species and cutoff, reading weights only on create()', async () => {
  const inner = nodeModelCatalogue(resolve('assets/models'));
  const weightReads: string[] = [];
  let backendInits = 0;
  const catalogue: ModelCatalogue = {
    list: async () => [...(await inner.list()), { name: 'broken', location: 'memory' }],
    readJson: (asset) => (asset.name === 'broken' ? Promise.resolve('{"format": "equimol-model"') : inner.readJson(asset)),
    readWeights: (asset) => {
      weightReads.push(asset.name);
      return inner.readWeights(asset);
    },
  };
  const entries = await modelCalculatorEntries(catalogue, { initBackend: () => (backendInits++, initBackend({ prefer: 'wasm' })) });
  const egnn = entries.find((e) => e.id === 'model:egnn-ethanol-rmd17');
  assert.ok(egnn, `entries: ${entries.map((e) => e.id).join(', ')}`);
  assert.ok(entries.length >= 2);
  assert.deepEqual(egnn.description.elements, [1, 6, 8]);
  assert.equal(egnn.description.method, 'model');
  assert.match(egnn.description.name, /^EGNN: /);
  assert.match(egnn.description.notes!, /test force MAE [\d.]+ meV\/Å.*cutoff 5 Å/);
  assert.deepEqual([weightReads.length, backendInits], [0, 0], 'listing reads no weights and starts no backend');
  const broken = entries.find((e) => e.id === 'model:broken')!;
  assert.match(broken.description.notes!, /cannot be used: broken\.model\.json: not valid JSON/);
  await assert.rejects(broken.create(), /broken\.model\.json/);
  const calculator = await egnn.create();
  assert.deepEqual([weightReads, backendInits], [['egnn-ethanol-rmd17'], 1]);
  assert.equal(calculator.description.id, 'model:egnn-ethanol-rmd17');
  const [frame] = readDataset('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1);
  const result = ok((await calculator.calculate([frame!], { forces: true }))[0]);
  assert.ok(Math.abs(result.energy - (frame!.properties.energy as number)) < 0.5);
  calculator.dispose?.();
});
