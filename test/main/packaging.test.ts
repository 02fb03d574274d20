import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, 'package.json'));

interface BuilderConfig {
  appId: string;
  fileAssociations: Array<{ ext: string | string[] }>;
  asarUnpack: string[];
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
}

async function loadConfig(): Promise<{ config: BuilderConfig; validate: (c: unknown) => Promise<void> }> {
  // electron-builder's own loader and schema validation (app-builder-lib ships with electron-builder).
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = require('builder-util');
  const config = (await getConfig(root, null, null)) as BuilderConfig;
  return { config, validate: (c) => validateConfiguration(c, new DebugLogger(false)) };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): [number, number] {
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${path} is not a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('electron-builder.yml passes electron-builder schema validation, and a broken copy does not', async () => {
  const { config, validate } = await loadConfig();
  await validate(config);
  await assert.rejects(validate({ ...config, fileAssociations: [{ ext: 'xyz', role: 'Viewer', shellIntegration: 1 }] }), /shellIntegration/);
  await assert.rejects(validate({ ...config, fileAssocations: [] }), /unknown property 'fileAssocations'/);
});

test('packages for Linux (AppImage, deb), Windows (NSIS) and macOS (dmg) with existing icons of the right sizes', async () => {
  const { config } = await loadConfig();
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.deepEqual(pngSize(join(root, config.win.icon)), [256, 256]);
  assert.deepEqual(pngSize(join(root, config.mac.icon)), [1024, 1024]);
  for (const size of [16, 32, 48, 64, 128, 256, 512]) {
    assert.deepEqual(pngSize(join(root, config.linux.icon, `${size}x${size}.png`)), [size, size]);
  }
  assert.ok(existsSync(join(root, 'assets/icons/equimol.svg')));
});

test('file associations cover every structure format and the wasm toolkits are unpacked from the asar', async () => {
  const { config } = await loadConfig();
  const extensions = config.fileAssociations.flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext]));
  for (const ext of ['xyz', 'extxyz', 'sdf', 'mol', 'pdb', 'cif', 'poscar', 'smi']) assert.ok(extensions.includes(ext), ext);
  for (const pkg of ['@rdkit/rdkit', 'openchemlib', '@tensorflow/tfjs-backend-wasm']) {
    assert.ok(config.asarUnpack.some((p) => p.startsWith(`node_modules/${pkg}/`)), pkg);
  }
  assert.ok(config.asarUnpack.includes('**/*.wasm'));
});

test('package.json main points at the bundled Electron main that build-main writes', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/main/main.cjs');
  const script = readFileSync(join(root, 'scripts/build-main.mjs'), 'utf8');
  assert.ok(script.includes(": 'dist/main';"));
  for (const out of ['main.cjs', 'preload.cjs', 'compute-host.cjs']) assert.ok(script.includes(`\${outdir}/${out}`), out);
});
