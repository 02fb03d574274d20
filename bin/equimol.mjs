#!/usr/bin/env node
// The `equimol` command (package.json "bin"). In a source checkout it runs main/cli/equimol.ts through tsx
// (installed by `npm ci`); a packaged build without sources runs the esbuild bundle made by `npm run build:cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../main/cli/equimol.ts', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/cli/equimol.mjs', import.meta.url));

let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
} else {
  cli = await import(pathToFileURL(bundle).href);
}
await cli.main(process.argv.slice(2));
