// Builds the optional native addons (main/native, Node-API) with node-gyp: npm run build:native.
//   equimol_native  matMul kernels over OpenBLAS (without it: the tfjs-wasm kernels)
//   equimol_xtb     GFN2-/GFN1-xTB over libxtb (without it: the xtb executable, or no xtb calculator)
// Each addon is probed (compile and link a small program against its library) and built when it can be; one that
// cannot gets one warning line. The script always exits 0: Equimol runs without either. The addons use Node-API
// only, so the same build loads in Node and in Electron of the same platform and architecture (no
// @electron/rebuild needed unless cross-building).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'main', 'native');
const releaseDir = join(nativeDir, 'build', 'Release');
const started = performance.now();
const devNull = process.platform === 'win32' ? 'NUL' : '/dev/null';

const ADDONS = [
  {
    target: 'equimol_native',
    variable: 'with_openblas',
    without: 'Equimol runs without the native matMul (tfjs-wasm kernels only)',
    disabledBy: 'EQUIMOL_NATIVE',
    library: 'OpenBLAS (install libopenblas-dev)',
    probeArgs: ['-I/usr/include/openblas', '-lopenblas'],
    probeSource:
      '#include <cblas.h>\nint main() { float a = 1, b = 1, c = 0; cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1); return 0; }\n',
  },
  {
    target: 'equimol_xtb',
    variable: 'with_xtb',
    without: 'the xtb calculators use the xtb executable when it is installed',
    disabledBy: 'EQUIMOL_XTB',
    library: 'libxtb (install libxtb-dev)',
    probeArgs: ['-lxtb'],
    probeSource: '#include <xtb.h>\nint main() { return xtb_getAPIVersion() > 0 ? 0 : 1; }\n',
  },
];

function warn(addon, reason) {
  console.warn(`build:native: ${addon.target} skipped, ${reason}; ${addon.without}`);
}

function firstErrorLine(text) {
  return ((text ?? '').split('\n').find((l) => /error/i.test(l)) ?? 'compile failed').trim();
}

/** Why the addon cannot be built here, or undefined. */
function probe(addon) {
  if (process.env[addon.disabledBy] === '0') return `${addon.disabledBy}=0`;
  const compiler = process.env.CXX ?? 'c++';
  const result = spawnSync(compiler, ['-x', 'c++', '-', ...addon.probeArgs, '-o', devNull], { input: addon.probeSource, encoding: 'utf8' });
  if (result.error) return `no C++ compiler (${compiler}: ${result.error.message})`;
  if (result.status !== 0) return `${addon.library} not found: ${firstErrorLine(result.stderr)}`;
  return undefined;
}

function exitAll(addons, reason) {
  for (const addon of addons) warn(addon, reason);
  process.exit(0);
}

const buildable = [];
for (const addon of ADDONS) {
  const reason = probe(addon);
  if (reason) warn(addon, reason);
  else buildable.push(addon);
}
if (buildable.length === 0) process.exit(0);

// node-gyp: the one npm bundles (npm sets npm_config_node_gyp for scripts), else beside this node's npm.
const nodeGypCandidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
if (nodeGypCandidates.length === 0) exitAll(buildable, 'node-gyp not found (it ships with npm)');

/** node-gyp rebuild with only `addons` enabled; the failure's last lines, or undefined on success. */
function rebuild(addons) {
  const args = [nodeGypCandidates[0], 'rebuild', '--release'];
  // Node's own headers when installed beside it (Debian's nodejs: /usr/include/node), so nothing is downloaded.
  const localNodeDir = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(localNodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${localNodeDir}`);
  args.push('--');
  for (const addon of ADDONS) args.push(`-D${addon.variable}=${addons.includes(addon) ? 'true' : 'false'}`);
  const build = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (build.status === 0) return undefined;
  const lines = `${build.stdout ?? ''}\n${build.stderr ?? ''}`.split('\n').filter((l) => l.trim());
  return { status: build.status, tail: lines.slice(-15).join('\n') };
}

function builtPath(addon) {
  return join(releaseDir, `${addon.target}.node`);
}

function report(built) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const addon of built) console.log(`build:native: built ${builtPath(addon)} in ${seconds} s`);
}

const together = rebuild(buildable);
if (!together) {
  const built = buildable.filter((a) => existsSync(builtPath(a)));
  for (const addon of buildable.filter((a) => !built.includes(a))) warn(addon, `node-gyp succeeded but ${builtPath(addon)} is missing`);
  report(built);
  process.exit(0);
}
if (buildable.length === 1) {
  console.warn(together.tail);
  exitAll(buildable, `node-gyp rebuild failed (exit ${together.status})`);
}

// One addon broke the joint build: build each alone (rebuild empties build/), keeping the ones that succeed.
const kept = mkdtempSync(join(tmpdir(), 'equimol-native-'));
const built = [];
for (const addon of buildable) {
  const failure = rebuild([addon]);
  if (failure || !existsSync(builtPath(addon))) {
    if (failure) console.warn(failure.tail);
    warn(addon, failure ? `node-gyp rebuild failed (exit ${failure.status})` : `${builtPath(addon)} is missing after the build`);
    continue;
  }
  copyFileSync(builtPath(addon), join(kept, `${addon.target}.node`));
  built.push(addon);
}
mkdirSync(releaseDir, { recursive: true });
for (const addon of built) copyFileSync(join(kept, `${addon.target}.node`), builtPath(addon));
rmSync(kept, { recursive: true, force: true });
report(built);
