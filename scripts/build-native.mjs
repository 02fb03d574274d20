// Builds the optional native kernels (main/native: Node-API addon over OpenBLAS) with node-gyp: npm run build:native.
// Equimol runs without them (the tfjs-wasm kernels): when a C++ compiler, OpenBLAS or node-gyp is missing this prints
// one warning line and exits 0. The addon uses Node-API only, so the same build loads in Node and in Electron of the
// same platform and architecture (no @electron/rebuild needed unless cross-building).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'main', 'native');
const started = performance.now();

function skip(reason) {
  console.warn(`build:native: skipped, ${reason}; Equimol runs without the native matMul (tfjs-wasm kernels only)`);
  process.exit(0);
}

if (process.env.EQUIMOL_NATIVE === '0') skip('EQUIMOL_NATIVE=0');

// A compiler and OpenBLAS (header and library): compile and link a two-line program.
const compiler = process.env.CXX ?? 'c++';
const probe = spawnSync(compiler, ['-x', 'c++', '-', '-I/usr/include/openblas', '-lopenblas', '-o', process.platform === 'win32' ? 'NUL' : '/dev/null'], {
  input: '#include <cblas.h>\nint main() { float a = 1, b = 1, c = 0; cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1); return 0; }\n',
  encoding: 'utf8',
});
if (probe.error) skip(`no C++ compiler (${compiler}: ${probe.error.message})`);
if (probe.status !== 0) {
  const firstError = (probe.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? 'compile failed';
  skip(`OpenBLAS not found (install libopenblas-dev): ${firstError.trim()}`);
}

// node-gyp: the one npm bundles (npm sets npm_config_node_gyp for scripts), else beside this node's npm.
const nodeGypCandidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
if (nodeGypCandidates.length === 0) skip('node-gyp not found (it ships with npm)');

// Node's own headers when installed beside it (Debian's nodejs: /usr/include/node), so nothing is downloaded.
const args = [nodeGypCandidates[0], 'rebuild', '--release'];
const localNodeDir = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(localNodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${localNodeDir}`);
const build = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (build.status !== 0) {
  const lines = `${build.stdout ?? ''}\n${build.stderr ?? ''}`.split('\n').filter((l) => l.trim());
  console.warn(lines.slice(-15).join('\n'));
  skip(`node-gyp rebuild failed (exit ${build.status})`);
}
const built = join(nativeDir, 'build', 'Release', 'equimol_native.node');
if (!existsSync(built)) skip(`node-gyp succeeded but ${built} is missing`);
console.log(`build:native: built ${built} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
