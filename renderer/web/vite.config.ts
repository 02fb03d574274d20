// Web mode build: the React renderer plus the module Web Worker hosting the core session, into dist/web.
// `npm run dev:web` serves it with hot reload; `npm run build:web` then `npm run serve:web` for the static build.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Plain URL arithmetic rather than node:path (the renderer folder lints as sandboxed code).
const pathOf = (relative: string) => decodeURIComponent(new URL(relative, import.meta.url).pathname).replace(/\/$/, '');
const here = pathOf('.');
const repoRoot = pathOf('../..');
const resolve = (...parts: string[]) => parts.join('/');

/** Cross-origin isolation (SharedArrayBuffer for threaded wasm backends) in dev and preview too. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [react()],
  resolve: {
    alias: [
      // openchemlib does not export its resources.json; the worker imports its URL through this alias.
      { find: /^equimol-ocl-resources\.json/, replacement: resolve(repoRoot, 'node_modules/openchemlib/dist/resources.json') },
    ],
  },
  worker: {
    format: 'es',
  },
  build: {
    outDir: resolve(repoRoot, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 8192,
    assetsInlineLimit: 0,
  },
  server: { host: '127.0.0.1', headers: isolationHeaders, fs: { allow: [repoRoot] } },
  preview: { host: '127.0.0.1', headers: isolationHeaders },
});
