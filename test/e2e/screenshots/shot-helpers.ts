/**
 * Steps shared by the screenshot scenes (test/e2e/take-screenshots.ts): opening a page, waiting for the app to
 * settle, switching tabs, picking atoms in the viewer, serving large files to the page by a route, and the checks
 * run before each shot (no error toast, no page errors) reported as warnings.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { openWebApp, REPO_ROOT, type WebApp } from '../web-app-harness';

export const OUT_DIR = resolve(REPO_ROOT, 'docs', 'screenshots');

export interface ShotOptions {
  readonly distDir: string;
  readonly width?: number;
  readonly height?: number;
  readonly theme?: 'light' | 'dark';
}

/** Opens the web app (1600×960, light unless given), runs `scene` on it and closes it whatever happens. */
export async function withApp(options: ShotOptions, scene: (page: Page, app: WebApp) => Promise<void>): Promise<void> {
  const app = await openWebApp({ width: options.width ?? 1600, height: options.height ?? 960, colorScheme: options.theme ?? 'light', distDir: options.distDir });
  app.page.setDefaultTimeout(60_000);
  try {
    await scene(app.page, app);
  } finally {
    await app.close();
  }
}

export async function waitIdle(page: Page, ms = 600): Promise<void> {
  await page.waitForTimeout(ms);
}

export async function openTab(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="doc-tab"]:has(.name:text-is("${name}"))`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === n, name);
  await waitIdle(page, 300);
}

export async function selectRow(page: Page, row: number): Promise<void> {
  // Click the index cell: clicking the (wide) row would scroll the table sideways to centre it.
  await page.click(`[data-testid="structure-table"] [data-row="${row}"] .cell:first-child`);
  await waitIdle(page, 500);
}

export async function waitForCount(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector('[data-testid="structure-count"]')?.textContent === t, text);
}

export async function dismissToasts(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toast button').forEach((b) => b.click()));
}

/** Atoms of `candidates` that the viewer draws unhidden (the atom it picks at their projected centre), in order. */
export async function visibleAtoms(page: Page, candidates: readonly number[]): Promise<number[]> {
  return page.evaluate((atoms) => {
    const viewer = window.__equimolDebug!.viewer!;
    viewer.render();
    return atoms.filter((a) => {
      const p = viewer.projectAtom(a);
      return Boolean(p && viewer.pickAt(p.x, p.y)?.atom === a);
    });
  }, candidates);
}

/** Moves the mouse to the viewer's top-left corner so no hover highlight or tooltip is in the shot. */
export async function parkMouse(page: Page): Promise<void> {
  const box = (await (await page.$('[data-testid="viewer"] canvas'))!.boundingBox())!;
  await page.mouse.move(box.x + 5, box.y + 5);
}

/** Files the page fetches from /__shot-files/<name> (no base64 round trip for a 71 MB file), read where they lie. */
export async function serveFiles(page: Page, files: Readonly<Record<string, string>>): Promise<void> {
  await page.route('**/__shot-files/*', async (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
    const path = files[name];
    if (!path) return route.fulfill({ status: 404, body: 'not served' });
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: readFileSync(path) });
  });
}

/** Fetches served files into File objects in the page, then drops them on the viewer as a user's drag does. */
export async function dropServed(page: Page, names: readonly string[]): Promise<void> {
  await page.evaluate(async (files) => {
    const transfer = new DataTransfer();
    for (const name of files) {
      const blob = await (await fetch(`/__shot-files/${encodeURIComponent(name)}`)).blob();
      transfer.items.add(new File([blob], name));
    }
    const target = document.querySelector('[data-testid="viewer"]') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, names);
}

/**
 * Writes docs/screenshots/<name> once the non-error toasts are closed, warning (not failing) when an error toast
 * is up, the page is wider than the window, or the page logged errors since the last shot.
 */
export async function shoot(page: Page, app: WebApp, name: string): Promise<void> {
  const { errorToasts, scrollWidth, innerWidth } = await page.evaluate(() => ({
    errorToasts: document.querySelectorAll('[data-testid="toast-error"]').length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (errorToasts > 0) console.warn(`${name}: ${errorToasts} error toast(s) on screen`);
  // Info and success toasts ('Opened 1 file') would cover the side panel's corner; error toasts stay in the shot.
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toast:not(.error) button').forEach((b) => b.click()));
  await waitIdle(page, 300);
  if (scrollWidth > innerWidth) console.warn(`${name}: page ${scrollWidth} px wide in a ${innerWidth} px window`);
  const errors = app.errors.splice(0).filter((e) => !/Failed to load resource|favicon/.test(e));
  if (errors.length > 0) console.warn(`${name}: page errors:\n  ${errors.join('\n  ')}`);
  await page.screenshot({ path: join(OUT_DIR, name) });
  console.log(`wrote docs/screenshots/${name}`);
}
