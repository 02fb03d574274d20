// Bundles the CLI into dist/cli/equimol.mjs (npm run build:cli), for packaged builds without TypeScript sources.
// npm packages stay external (RDKit and tfjs load their wasm from node_modules at run time).
import { build } from 'esbuild';

await build({
  entryPoints: ['main/cli/equimol.ts'],
  outfile: 'dist/cli/equimol.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('wrote dist/cli/equimol.mjs');
