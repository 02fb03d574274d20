/**
 * End-to-end harness for web mode: builds the app with Vite (renderer + session worker) into a temp folder,
 * serves it with renderer/web/serve.mjs (COOP/COEP, CSP) and opens it in Debian's Chromium through the
 * shared browser helper (software WebGL). One build and one browser per test file.
 */
import type { Pane } from '../../renderer/app/components/pane-sizes';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { startStaticServer, type StaticServer } from '../../renderer/web/serve.mjs';
import { launchChromium, pngDataUrlToPixels, REPO_ROOT } from '../helpers/browser';

export { REPO_ROOT };

/** A worker catalogue whose `assets/models` glob a test build points at a fixture folder instead. */
export interface CatalogueFixtures {
  /** The worker module holding the glob, e.g. 'model-catalogue.ts' or 'generator-catalogue.ts' (renderer/web/worker/). */
  readonly catalogue: string;
  /** Folder under the repository that replaces assets/models/ in that glob, e.g. 'test/fixtures/models/'. */
  readonly folder: string;
}

/**
 * Builds web mode into `outDir` (quiet); with `fixtures`, the worker lists those fixture files instead of assets/models;
 * `plugins` are added to the renderer's build (e.g. one that loads a test-only panel contribution).
 */
export async function buildWebApp(outDir: string, fixtures?: CatalogueFixtures, plugins: readonly Plugin[] = []): Promise<void> {
  const fixturePlugin: Plugin | undefined = fixtures && {
    name: 'equimol-test-catalogue-fixtures',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith(`renderer/web/worker/${fixtures.catalogue}`)) return null;
      return code.replaceAll('../../../assets/models/**/', `../../../${fixtures.folder}`);
    },
  };
  await build({
    configFile: resolve(REPO_ROOT, 'renderer/web/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
    ...(plugins.length > 0 ? { plugins: [...plugins] } : {}),
    ...(fixturePlugin ? { worker: { format: 'es' as const, plugins: () => [fixturePlugin] } } : {}),
  });
}

export interface WebApp {
  readonly browser: Browser;
  readonly page: Page;
  readonly url: string;
  readonly distDir: string;
  /** Uncaught page errors and console errors (main thread and worker), in order. */
  readonly errors: string[];
  /** Every console message (main thread and worker), as '<type>: <text>', in order. */
  readonly console: string[];
  close(): Promise<void>;
}

export interface OpenWebAppOptions {
  readonly width?: number;
  readonly height?: number;
  readonly colorScheme?: 'light' | 'dark';
  /** Reuse an existing build (e.g. dist/web) instead of building; $EQUIMOL_WEB_DIST does the same. */
  readonly distDir?: string;
  /** Chromium flags beyond the usual headless ones (e.g. WebGPU on SwiftShader). */
  readonly chromiumArgs?: readonly string[];
  /** A query string for the page, e.g. '?backend=webgpu'. */
  readonly query?: string;
}

export async function openWebApp(options: OpenWebAppOptions = {}): Promise<WebApp> {
  const given = options.distDir ?? process.env['EQUIMOL_WEB_DIST'];
  const ownDist = given ? undefined : await mkdtemp(join(tmpdir(), 'equimol-web-'));
  const distDir = given ?? ownDist!;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    if (ownDist) await buildWebApp(ownDist);
    server = await startStaticServer({ root: distDir });
    browser = await launchChromium(options.chromiumArgs);
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
      deviceScaleFactor: 1,
      colorScheme: options.colorScheme ?? 'light',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    const messages: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      messages.push(`${message.type()}: ${message.text()}`);
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    await page.goto(server.url + (options.query ?? ''));
    await page.waitForSelector('[data-testid="app"]', { timeout: 30_000 });
    const opened = browser;
    const served = server;
    return {
      browser: opened,
      page,
      url: served.url,
      distDir,
      errors,
      console: messages,
      close: async () => {
        await opened.close();
        await served.close();
        if (ownDist) await rm(ownDist, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    if (ownDist) await rm(ownDist, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Nothing a user needs is out of reach horizontally in `state`: the page is no wider than the window
 * (document.documentElement.scrollWidth <= innerWidth, CSS px), and every visible control (button, select, input)
 * lies inside the window unless an ancestor scrolls horizontally (a table's own scroll: reachable by scrolling).
 * A control cut off by a clipping pane is reported with its test id or text.
 */
export async function assertNoHorizontalOverflow(page: Page, state: string): Promise<void> {
  const { scrollWidth, width, unreachable } = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('button, select, input:not([type="hidden"]), [role="button"]'))) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      let reachable = false;
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) reachable = true;
      if (!reachable && (rect.right > innerWidth + 1 || rect.left < -1)) {
        const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? el.tagName;
        out.push(`${el.tagName.toLowerCase()} '${name}' at x ${Math.round(rect.left)}..${Math.round(rect.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width: innerWidth, unreachable: out };
  });
  assert.ok(scrollWidth <= width, `${state}: page ${scrollWidth} px wide in a ${width} px window`);
  assert.deepEqual(unreachable, [], `${state}: controls outside the ${width} px window: ${unreachable.join('; ')}`);
}

/** Clicks atom `atom` (0-based) in the app's viewer where the viewer itself picks it; false when it is hidden there. */
export async function clickAtom(page: Page, atom: number): Promise<boolean> {
  const at = await page.evaluate((a) => {
    const viewer = window.__equimolDebug!.viewer!;
    const p = viewer.projectAtom(a);
    if (!p || viewer.pickAt(p.x, p.y)?.atom !== a) return null;
    const r = viewer.canvas.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, atom);
  if (!at) return false;
  await page.mouse.click(at.x, at.y);
  return true;
}

/** Drags the splitter of `pane` by (dx, dy) CSS px with the mouse, in steps, then lets the layout settle. */
export async function dragSplitter(page: Page, pane: Pane, dx: number, dy: number): Promise<void> {
  const box = (await page.locator(`[data-testid="pane-splitter-${pane}"]`).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
  await page.waitForTimeout(150);
}

export interface DroppedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export function fileFromDisk(path: string, name = basename(path)): DroppedFile {
  return { name, bytes: new Uint8Array(readFileSync(resolve(REPO_ROOT, path))) };
}

/**
 * Drops files on the window the way a user's drag does: dragenter, dragover and drop events carrying a
 * DataTransfer with real File objects (the bytes go over as base64).
 */
export async function dropFiles(page: Page, files: readonly DroppedFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      transfer.items.add(new File([bytes], item.name));
    }
    const target = document.querySelector('[data-testid="viewer"]') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, payload);
}

/** Text of the structure count in the list header, e.g. '12'. */
export async function structureCountText(page: Page): Promise<string> {
  return (await page.textContent('[data-testid="structure-count"]')) ?? '';
}

/** Pixel statistics of a PNG screenshot of an element: share of pixels that differ from the background colour. */
export async function canvasPixelStats(page: Page): Promise<{ width: number; height: number; nonBackground: number; colored: number; distinctColors: number }> {
  const url = await page.evaluate(() => {
    const viewer = window.__equimolDebug?.viewer;
    if (!viewer) throw new Error('no viewer');
    return viewer.toDataURL();
  });
  const { width, height, data } = await pngDataUrlToPixels(page, url);
  const bg = [data[0]!, data[1]!, data[2]!];
  let nonBackground = 0;
  let colored = 0;
  const colors = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    if (Math.abs(r - bg[0]!) + Math.abs(g - bg[1]!) + Math.abs(b - bg[2]!) > 24) nonBackground++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) colored++;
    colors.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return { width, height, nonBackground, colored, distinctColors: colors.size };
}
