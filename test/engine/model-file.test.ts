import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import { crc32, decodeModelFile, ModelFileError, MODEL_FILE_VERSION } from '../../core/engine/model-file/model-file';
import { modelFromFile, modelToFile } from '../../core/engine/model-file/families';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { readDataset } from './geometry-data';

const card = { title: 't', description: 'd', trainingData: 'none', intendedUse: 'tests', limitations: 'untrained' };
let file: { json: string; weights: Uint8Array };

before(async () => {
  await initBackend({ prefer: 'wasm' });
  const model = createEgnn({ species: [1, 6, 8], features: 8, layers: 2, cutoff: 4, seed: 3 }, { referenceEnergies: [-13.6, -1025.3, -2035.6], scale: 1.2, shift: -4.7 });
  file = modelToFile(model, { card });
  model.dispose();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests corrupt arbitrary JSON fields
function edit(mutate: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(file.json);
  mutate(doc);
  return JSON.stringify(doc);
}

function withNaN(): { json: string; weights: Uint8Array } {
  const weights = file.weights.slice();
  new DataView(weights.buffer).setFloat32(8, NaN, true);
  return { json: edit((d) => { d.weights.crc32 = crc32(weights); }), weights };
}

test('a model file round-trips: same config, normalisation and energies after decoding', () => {
  const original = createEgnn({ species: [1, 6, 8], features: 8, layers: 2, cutoff: 4, seed: 3 }, { referenceEnergies: [-13.6, -1025.3, -2035.6], scale: 1.2, shift: -4.7 });
  const decoded = decodeModelFile(file.json, file.weights, 'egnn.model.json');
  assert.equal(decoded.document.formatVersion, MODEL_FILE_VERSION);
  assert.equal(decoded.document.family, 'egnn');
  assert.deepEqual(decoded.document.species, [1, 6, 8]);
  assert.equal(decoded.document.description.hidden, '8x0e');
  assert.equal(decoded.document.weights.manifest.length, Object.keys(original.params).length);
  const loaded = modelFromFile(decoded);
  assert.deepEqual(loaded.normalisation, original.normalisation);
  const structures = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 2);
  const ctx = buildGraphContext(structures, { cutoff: 4, species: [1, 6, 8] });
  const a = original.energy(ctx), b = loaded.energy(ctx);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.ok(Math.abs(a.dataSync()[0]! - (-13.6 * 6 - 1025.3 * 2 - 2035.6 - 4.7 * 9)) < 20, 'energy is near E0 + shift for a fresh model');
  tf.dispose([a, b]);
  disposeGraphContext(ctx);
  original.dispose();
  loaded.dispose();
});

const failures: Array<[string, () => { json: string; weights: Uint8Array }, RegExp]> = [
  ['invalid JSON', () => ({ json: file.json.slice(0, 40), weights: file.weights }), /not valid JSON/],
  ['another JSON document', () => ({ json: edit((d) => { d.format = 'keras'; }), weights: file.weights }), /not an Equimol model file/],
  ['a newer format version', () => ({ json: edit((d) => { d.formatVersion = MODEL_FILE_VERSION + 1; }), weights: file.weights }), /newer than this Equimol reads/],
  ['no family', () => ({ json: edit((d) => { delete d.family; }), weights: file.weights }), /missing model family/],
  ['bad species', () => ({ json: edit((d) => { d.species = [1, 200]; }), weights: file.weights }), /species must be/],
  ['reference energies of the wrong length', () => ({ json: edit((d) => { d.normalisation.referenceEnergies = [0, 0]; }), weights: file.weights }), /2 values for 3 species/],
  ['truncated weights', () => ({ json: file.json, weights: file.weights.slice(0, file.weights.length - 4) }), /truncated or wrong weights file/],
  ['corrupt weights', () => { const w = file.weights.slice(); w[17] ^= 0xff; return { json: file.json, weights: w }; }, /checksum mismatch/],
  ['a tensor past the end', () => ({ json: edit((d) => { d.weights.manifest[0].offset = file.weights.length; }), weights: file.weights }), /runs past the end/],
  ['a shape that does not match the length', () => ({ json: edit((d) => { d.weights.manifest[0].shape = [999]; }), weights: file.weights }), /does not match shape/],
  ['a duplicated tensor', () => ({ json: edit((d) => { d.weights.manifest.push(d.weights.manifest[0]); }), weights: file.weights }), /appears twice/],
  ['overlapping tensors', () => ({ json: edit((d) => { d.weights.manifest[1].offset = 0; }), weights: file.weights }), /overlapping|does not match/],
  ['non-finite weights', withNaN, /non-finite value/],
];

for (const [what, make, message] of failures) {
  test(`a model file with ${what} is refused with a clear message`, () => {
    const { json, weights } = make();
    assert.throws(() => decodeModelFile(json, weights, 'bad.model.json'), (error: unknown) => {
      assert.ok(error instanceof ModelFileError);
      assert.match((error as Error).message, /^bad\.model\.json: /);
      assert.match((error as Error).message, message);
      return true;
    });
  });
}

test('a model file whose family is unknown, or whose weights do not fit the config, is refused on load', () => {
  const unknown = decodeModelFile(edit((d) => { d.family = 'schnet'; }), file.weights);
  assert.throws(() => modelFromFile(unknown), /unknown model family 'schnet' \(this Equimol knows egnn/);
  const widened = decodeModelFile(edit((d) => { d.config.features = 16; }), file.weights);
  assert.throws(() => modelFromFile(widened), (e: unknown) => e instanceof ModelFileError && /has shape \[3,8\], expected \[3,16\]/.test((e as Error).message));
  const species = decodeModelFile(edit((d) => { d.config.species = [1, 6, 7]; }), file.weights);
  assert.throws(() => modelFromFile(species), /config\.species \[1,6,7\] differs from the file's species \[1,6,8\]/);
});
