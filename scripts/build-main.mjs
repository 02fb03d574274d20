// Bundles the Electron side into dist/main/ (npm run build:main):
//   main.cjs          Electron main process (package.json "main": dist/main/main.cjs)
//   preload.cjs       the sandboxed preload: everything bundled, only 'electron' external (sandboxed preloads cannot require packages)
//   compute-host.cjs  the utilityProcess running the EquimolSession; npm packages stay external so RDKit,
//                     openchemlib and tfjs find their wasm beside them in node_modules (asarUnpack'ed when packaged)
// The renderer is built by `npm run build:web` into dist/web/ and loaded from there.
import { build } from 'esbuild';

// `--outdir <dir>` writes elsewhere (tests bundle into a scratch folder inside the repo so node_modules resolve).
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag >= 0 ? process.argv[outdirFlag + 1] : 'dist/main';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 runs Node 22.
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // import.meta.url in bundled ESM sources becomes the CommonJS file URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: `${outdir}/main.cjs`, packages: 'external' }),
  build({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: `${outdir}/preload.cjs`, external: ['electron'] }),
  build({ ...common, entryPoints: ['main/compute-host/host-entry.ts'], outfile: `${outdir}/compute-host.cjs`, packages: 'external' }),
]);
console.log(`wrote ${outdir}/main.cjs, ${outdir}/preload.cjs, ${outdir}/compute-host.cjs`);
