/**
 * Real-browser test helper: bundles a TypeScript page entry with esbuild, serves it from a tiny static
 * HTTP server on 127.0.0.1 (random port) and drives Debian's Chromium through playwright-core, with
 * WebGL on SwiftShader so it works headless without a GPU.
 *
 * Usage in a node:test file:
 *   const session = chromiumAvailable() ? await openBrowserPage({ entry: 'test/viewer/pages/viewer-page.ts' }) : null;
 *   test('...', { skip: chromiumSkipReason() }, async () => { await session!.page.evaluate(...) });
 *   after(() => session?.close());
 * Every page error and console error is collected in `session.errors` so a test can assert there were none.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Repository root (this file is test/helpers/browser.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Chromium binary: $CHROMIUM_PATH or Debian's /usr/bin/chromium (CI installs the same package). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Flags for a quiet, reproducible headless Chromium with software WebGL (SwiftShader via ANGLE).
 * --use-gl=angle + --use-angle=swiftshader selects the CPU rasteriser; --enable-unsafe-swiftshader keeps
 * WebGL on it allowed (newer Chromium otherwise refuses software WebGL); --ignore-gpu-blocklist stops
 * the blocklist from disabling WebGL outright.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--enable-webgl',
  '--disable-dev-shm-usage',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** For `test(name, { skip: chromiumSkipReason() }, fn)`: false when Chromium is present, else a clear message. */
export function chromiumSkipReason(): string | false {
  return chromiumAvailable() ? false : `Chromium not found at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)`;
}

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface BundledPage {
  /** Temporary directory holding index.html, page.js (+ map). */
  readonly dir: string;
  dispose(): Promise<void>;
}

export interface BundleOptions {
  /** Page entry (TypeScript), absolute or relative to the repository root. */
  readonly entry: string;
  /** Page title and extra <head> HTML (styles). */
  readonly title?: string;
  readonly headHtml?: string;
  /** Body HTML placed before the script (e.g. a container div). */
  readonly bodyHtml?: string;
  /** esbuild `define` (e.g. { 'process.env.NODE_ENV': '"production"' }). */
  readonly define?: Record<string, string>;
  readonly minify?: boolean;
}

/** Bundles `entry` for the browser (ESM, ES2022, inline-free source map) into a fresh temp directory. */
export async function bundlePage(options: BundleOptions): Promise<BundledPage> {
  const dir = await mkdtemp(join(tmpdir(), 'equimol-page-'));
  const entry = resolve(REPO_ROOT, options.entry);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'page.js'),
    sourcemap: true,
    minify: options.minify ?? false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', ...options.define },
  });
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${options.title ?? 'equimol test page'}</title>
<style>html,body{margin:0;padding:0;overflow:hidden;background:#fff}</style>${options.headHtml ?? ''}</head>
<body>${options.bodyHtml ?? ''}<script type="module" src="./page.js"></script></body></html>`;
  await writeFile(join(dir, 'index.html'), html);
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Base URL ending in '/', e.g. 'http://127.0.0.1:41234/'. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the files under `dir` (read-only, no directory listing) on 127.0.0.1 at a random free port. */
export async function serveDirectory(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        response.end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface BrowserPageOptions extends BundleOptions {
  /** Viewport in CSS pixels (default 800 x 600) and device scale factor (default 1). */
  readonly width?: number;
  readonly height?: number;
  readonly deviceScaleFactor?: number;
  /** A global the page sets when it is ready, e.g. 'viewerPageReady' (waited for up to 30 s). */
  readonly readyGlobal?: string;
  readonly extraArgs?: readonly string[];
}

export interface BrowserPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly url: string;
  /** Uncaught page errors and console.error messages, in order. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Bundle + serve + launch + open: one call for a test file's `before`; `close()` tears all of it down. */
export async function openBrowserPage(options: BrowserPageOptions): Promise<BrowserPage> {
  const bundle = await bundlePage(options);
  const server = await serveDirectory(bundle.dir);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(options.extraArgs);
    const context = await browser.newContext({
      viewport: { width: options.width ?? 800, height: options.height ?? 600 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    await page.goto(`${server.url}index.html`);
    if (options.readyGlobal) {
      await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] === true, options.readyGlobal, { timeout: 30_000 });
    }
    const opened = browser;
    return {
      browser: opened,
      context,
      page,
      url: server.url,
      errors,
      close: async () => {
        await opened.close();
        await server.close();
        await bundle.dispose();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    await bundle.dispose();
    throw error;
  }
}

/** Decodes a PNG data URL in the page into RGBA pixels, so Node-side tests get plain numbers. */
export async function pngDataUrlToPixels(page: Page, dataUrl: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const result = await page.evaluate(async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  }, dataUrl);
  return { width: result.width, height: result.height, data: new Uint8Array(Buffer.from(result.base64, 'base64')) };
}
