// Bundles the Electron side into dist/main/ (npm run build:main):
//   main.cjs          Electron main process (package.json "main")
//   preload.cjs       the sandboxed preload: everything bundled, only 'electron' external (sandboxed preloads cannot require packages)
//   compute-host.cjs  the utilityProcess running the EquimolSession; npm packages stay external so RDKit,
//                     openchemlib and tfjs find their wasm beside them in node_modules (asarUnpack'ed when packaged)
// The renderer is built by `npm run build:web` into dist/web/ and loaded from there.
import { build } from 'esbuild';

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
  build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: 'dist/main/main.cjs', packages: 'external' }),
  build({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: 'dist/main/preload.cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['main/compute-host/host-entry.ts'], outfile: 'dist/main/compute-host.cjs', packages: 'external' }),
]);
console.log('wrote dist/main/main.cjs, dist/main/preload.cjs, dist/main/compute-host.cjs');
