// Generator files of both families: the shared weights codec, family dispatch in generation.ts, the session's
// generator service, and `equimol generate` on a GeoBFN file with a step schedule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../core/engine/backend/backend';
import { validateArguments } from '../../../core/contract/validate';
import { EquimolSession } from '../../../core/session/session';
import { EdmModel } from '../../../core/generative/edm/edm-model';
import { decodeGeneratorFile, encodeGeneratorFile } from '../../../core/generative/edm/generator-file';
import { decodeGenerator, familyOf } from '../../../core/generative/generation';
import { encodeGeoBfnFile } from '../../../core/generative/geobfn/generator-file';
import { createGeoBfn, GeoBfnModel } from '../../../core/generative/geobfn/geobfn-model';
import { GeneratorService, generatorInfoOf } from '../../../core/session/generator-service';
import { runCli } from '../../../main/cli/equimol';
import { nodeGeneratorCatalogue } from '../../../main/models/generator-files';

const FIXTURES = fileURLToPath(new URL('../../fixtures/generative/', import.meta.url));
const EDM_JSON = readFileSync(join(FIXTURES, 'tiny-qm9-gap.generator.json'), 'utf8');
const EDM_BLOB = new Uint8Array(readFileSync(join(FIXTURES, 'tiny-qm9-gap.weights.bin')));
const dir = mkdtempSync(join(tmpdir(), 'equimol-families-'));
let geobfnFile: { json: string; weights: Uint8Array };
const card = { title: 'tiny GeoBFN', description: 'seeded, untrained', trainingData: 'none', intendedUse: 'tests', limitations: 'untrained' };

before(async () => {
  await initBackend({ prefer: 'wasm' });
  const counts = new Array<number>(12).fill(0);
  counts[5] = 1;
  counts[9] = 3;
  const model = createGeoBfn({ atomCounts: counts, features: 16, layers: 2, seed: 2 });
  geobfnFile = encodeGeoBfnFile(model, { card });
  model.dispose();
  writeFileSync(join(dir, 'tiny-geobfn.generator.json'), geobfnFile.json);
  writeFileSync(join(dir, 'tiny-geobfn.weights.bin'), geobfnFile.weights);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('re-encoding the committed EDM fixture with the shared weights codec gives its JSON and weights byte for byte', () => {
  const { model, document } = decodeGeneratorFile(EDM_JSON, EDM_BLOB, 'tiny-qm9-gap.generator.json');
  const again = encodeGeneratorFile(model, { card: document.card, ...(document.training ? { training: document.training } : {}) });
  model.dispose();
  assert.equal(again.json, EDM_JSON);
  assert.deepEqual(again.weights, EDM_BLOB);
});

test('decodeGenerator builds the model of the file\'s family and names the file in every refusal', () => {
  const edm = decodeGenerator(EDM_JSON, EDM_BLOB, 'e.generator.json');
  const geo = decodeGenerator(geobfnFile.json, geobfnFile.weights, 'g.generator.json');
  assert.ok(edm instanceof EdmModel);
  assert.ok(geo instanceof GeoBfnModel);
  assert.equal(familyOf(edm), 'edm');
  assert.equal(familyOf(geo), 'geobfn');
  edm.dispose();
  geo.dispose();
  const broken = geobfnFile.weights.slice();
  broken[10]! ^= 0xff;
  assert.throws(() => decodeGenerator(geobfnFile.json, broken, 'g.generator.json'), /g\.generator\.json: weights checksum mismatch/);
  assert.throws(() => decodeGenerator(geobfnFile.json, geobfnFile.weights.slice(4), 'g.generator.json'), /g\.generator\.json: weights blob has \d+ bytes/);
  assert.throws(() => decodeGenerator(geobfnFile.json.replace('"family": "geobfn"', '"family": "vae"'), geobfnFile.weights, 'v.json'), /v\.json: unknown generator family "vae"/);
  assert.throws(() => decodeGenerator('{"format":', EDM_BLOB, 'x.json'), /x\.json: not valid JSON/);
  assert.throws(() => decodeGeneratorFile(geobfnFile.json, geobfnFile.weights, 'g.json'), /g\.json: not an EDM generator \(family "geobfn"\)/);
});

test('the generator service lists and loads a GeoBFN file beside an EDM one, with GeoBFN\'s step limits', async () => {
  const info = generatorInfoOf('tiny-geobfn', geobfnFile.json);
  assert.equal(info.family, 'geobfn');
  assert.equal(info.available, true, info.description);
  assert.equal(info.defaultSteps, 100);
  assert.equal(info.timesteps, 100_000);
  assert.deepEqual([info.minAtoms, info.maxAtoms], [5, 9]);
  assert.deepEqual(info.species, [1, 6, 7, 8, 9]);
  assert.match(info.description, /^GeoBFN: tiny GeoBFN; seeded, untrained; 100 steps by default, 5-9 atoms; unconditional; no training recorded$/);
  const edmInfo = generatorInfoOf('tiny-qm9-gap', EDM_JSON);
  assert.equal(edmInfo.family, 'edm');
  assert.deepEqual([edmInfo.timesteps, edmInfo.defaultSteps], [100, 100]);
  assert.equal(generatorInfoOf('x', geobfnFile.json.replace('"family": "geobfn"', '"family": "vae"')).available, false);
  writeFileSync(join(dir, 'tiny-qm9-gap.generator.json'), EDM_JSON);
  writeFileSync(join(dir, 'tiny-qm9-gap.weights.bin'), EDM_BLOB);
  const service = new GeneratorService({ catalogue: nodeGeneratorCatalogue(dir), initBackend: () => initBackend({ prefer: 'wasm' }) });
  // Listed best first: neither has recorded scores, and the EDM fixture's runs saw molecules (the untrained GeoBFN none).
  assert.deepEqual((await service.list()).map((g) => [g.id, g.family]), [['generator:tiny-qm9-gap', 'edm'], ['generator:tiny-geobfn', 'geobfn']]);
  assert.ok((await service.get('generator:tiny-geobfn')) instanceof GeoBfnModel);
  assert.ok((await service.get('generator:tiny-qm9-gap')) instanceof EdmModel);
  service.dispose();
  // A recorded score ranks above molecules seen, and the listing says it.
  const scored = JSON.parse(geobfnFile.json) as Record<string, unknown>;
  scored['scores'] = [{ samples: 100, steps: 50, schedule: 'uniform', seed: 1, atomStability: 80.5, moleculeStability: 6.25, validity: 45, uniqueness: 99, command: 'equimol generate', date: '2026-12-07' }];
  writeFileSync(join(dir, 'tiny-geobfn.generator.json'), JSON.stringify(scored));
  const ranked = new GeneratorService({ catalogue: nodeGeneratorCatalogue(dir), initBackend: () => initBackend({ prefer: 'wasm' }) });
  const listed = await ranked.list();
  assert.deepEqual(listed.map((g) => g.id), ['generator:tiny-geobfn', 'generator:tiny-qm9-gap']);
  assert.match(listed[0]!.description, /scored 80\.5 % atom stability, 6\.3 % molecule stability, 45\.0 % valid \(100 samples, 50 steps\)$/);
  ranked.dispose();
  writeFileSync(join(dir, 'tiny-geobfn.generator.json'), geobfnFile.json);
  rmSync(join(dir, 'tiny-qm9-gap.generator.json'));
  rmSync(join(dir, 'tiny-qm9-gap.weights.bin'));
});

test('a generate job runs a GeoBFN generator with its default steps or a karras schedule; the request refuses an unknown schedule', async () => {
  const s = new EquimolSession({ generators: { catalogue: nodeGeneratorCatalogue(dir), initBackend: () => initBackend({ prefer: 'wasm' }) }, samplerEventIntervalMs: 0 });
  const request = { kind: 'generate', generator: 'generator:tiny-geobfn', count: 3, steps: 10, seed: 2, trajectory: false } as const;
  const karras = await s.whenJobFinished((await s.startJob({ ...request, schedule: 'karras' })).id);
  assert.equal(karras.state, 'done', karras.message);
  assert.equal(karras.total, 11, 'one batch of 10 steps + the final estimate');
  assert.match(karras.label, /10 steps, karras schedule/);
  const generated = (await s.listDocuments()).find((d) => d.origin?.kind === 'generated');
  assert.equal(generated?.recordCount, 3);
  await assert.rejects(s.startJob({ kind: 'generate', generator: 'generator:tiny-geobfn', count: 2, steps: 100_001 }), /exceeds the 100000 steps tiny-geobfn takes/);
  assert.throws(() => validateArguments('startJob', [{ ...request, schedule: 'cubic' }]), /request\.schedule must be one of/);
  assert.doesNotThrow(() => validateArguments('startJob', [{ ...request, schedule: 'measured' }]));
  s.dispose();
});

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

test('equimol generate runs a GeoBFN file with --schedule karras, reproduces with the same seed, and refuses an unknown schedule', async () => {
  const model = join(dir, 'tiny-geobfn.generator.json');
  const a = join(dir, 'a.sdf'), b = join(dir, 'b.sdf'), u = join(dir, 'u.sdf');
  const common = ['--model', model, '--n', '4', '--steps', '12', '--seed', '3', '--backend', 'wasm'];
  const first = await cli([...common, '--schedule', 'karras', '--out', a]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /generated 4 molecules .* 12 steps \(karras\), seed 3/);
  assert.match(first.stdout, /atom stability/i);
  assert.equal((await cli([...common, '--schedule', 'karras', '--out', b])).code, 0);
  assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  assert.equal((await cli([...common, '--out', u])).code, 0);
  assert.notEqual(readFileSync(a, 'utf8'), readFileSync(u, 'utf8'), 'karras and uniform steps give other molecules');
  const bad = await cli([...common, '--schedule', 'cubic', '--out', join(dir, 'c.sdf')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--schedule must be one of uniform, log-snr, karras, measured, got 'cubic'/);
  const target = await cli([...common, '--target', 'gap=6', '--out', join(dir, 't.sdf')]);
  assert.equal(target.code, 2);
  assert.match(target.stderr, /unconditional/);
});
