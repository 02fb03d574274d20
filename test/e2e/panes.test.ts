/**
 * Issue 17, resizable panes in web mode (Debian's Chromium, one Vite build) at 1280×720 and 1920×1080: dragging
 * the structure list's, the properties panel's and the bottom panels' splitters resizes them and the viewer's
 * canvas, a drag past the limits is clamped so the viewer keeps its minimum size, the arrow keys move a focused
 * splitter and a double-click resets it, the page never gets wider than the window, the jobs panel's actions are
 * on screen after a job, and the sizes (with the jobs panel's collapsed flag beside them) survive a reload.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { KEY_STEP, PANE_SPECS, VIEWER_MIN_HEIGHT, VIEWER_MIN_WIDTH } from '../../renderer/app/components/pane-sizes';
import { chromiumSkipReason } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dragSplitter, dropFiles, openWebApp, REPO_ROOT } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-panes-'));
const FILE = 'ood-drugs-xtb.extxyz.gz';
const bytes = new Uint8Array(readFileSync(resolve(REPO_ROOT, 'test/fixtures/ood-drugs', FILE)));

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

interface Sizes {
  left: number;
  right: number;
  bottom: number;
  canvasWidth: number;
  canvasHeight: number;
}

/** The panes' sizes on screen and the viewer canvas's CSS size. */
async function sizes(page: Page): Promise<Sizes> {
  // Selectors in a list: a named helper function inside evaluate() would not survive tsx's transform (__name).
  const [left, right, bottom, canvas] = await page.evaluate((selectors) => selectors.map((s) => document.querySelector(s)!.getBoundingClientRect().toJSON() as DOMRect), ['[data-testid="structure-list"]', '[data-testid="side-panel"]', '[data-testid="bottom-panels"]', '[data-testid="viewer"] canvas']);
  return { left: left!.width, right: right!.width, bottom: bottom!.height, canvasWidth: canvas!.width, canvasHeight: canvas!.height };
}

/** The element at the centre of `selector` is that element: on screen, not covered. */
async function assertClickable(page: Page, selector: string, what: string): Promise<void> {
  const result = await page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    return { inside: r.width > 0 && x >= 0 && y >= 0 && x < innerWidth && y < innerHeight, hits: hit === el || el.contains(hit), hit: hit?.outerHTML.slice(0, 120) ?? null };
  });
  assert.ok(result.inside, `${what} is inside the window`);
  assert.ok(result.hits, `${what} is the element at its centre, found ${result.hit}`);
}

/** Settings.layout as the worker kept it in IndexedDB. */
async function storedLayout(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = indexedDB.open('equimol');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('settings')) return resolve({});
          const get = db.transaction('settings', 'readonly').objectStore('settings').get('settings');
          get.onsuccess = () => {
            resolve((get.result as { layout?: Record<string, unknown> } | undefined)?.layout ?? {});
            db.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 2, `${what}: ${actual} px, expected ${expected} px`);

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`at ${width}×${height} the three splitters resize their panes and the viewer, are clamped, keyed and reset, and the sizes survive a reload`, { skip, timeout: 120_000 }, async () => {
    const app = await openWebApp({ width, height, distDir: dist });
    try {
      const page = app.page;
      page.setDefaultTimeout(30_000);
      await dropFiles(page, [{ name: FILE, bytes }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '228');
      await page.click('[data-testid="plots-button"]');
      await page.waitForSelector('[data-testid="plots-panel"] [data-testid="histogram"]');
      await page.waitForTimeout(300);
      const start = await sizes(page);

      // The structure list: 120 px wider, the viewer 120 px narrower.
      await dragSplitter(page, 'left', 120, 0);
      let now = await sizes(page);
      near(now.left, start.left + 120, 'the left pane after a 120 px drag');
      near(now.canvasWidth, start.canvasWidth - 120, 'the viewer canvas after the left drag');
      // Far to the right: clamped, the viewer keeps its minimum width.
      await dragSplitter(page, 'left', 3000, 0);
      now = await sizes(page);
      assert.ok(now.left <= PANE_SPECS.left.max, `the left pane stops at its maximum (${now.left} px)`);
      assert.ok(now.canvasWidth >= VIEWER_MIN_WIDTH - 2, `the viewer keeps ${VIEWER_MIN_WIDTH} px (${now.canvasWidth} px)`);
      assert.equal(Number(await page.getAttribute('[data-testid="pane-splitter-left"]', 'aria-valuenow')), Math.round(now.left));
      await assertNoHorizontalOverflow(page, 'the left pane at its widest');
      // Far to the left: the minimum.
      await dragSplitter(page, 'left', -3000, 0);
      near((await sizes(page)).left, PANE_SPECS.left.min, 'the left pane at its minimum');
      // Keyboard: focused, ArrowRight widens it by one step.
      await page.focus('[data-testid="pane-splitter-left"]');
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(100);
      near((await sizes(page)).left, PANE_SPECS.left.min + KEY_STEP, 'the left pane after ArrowRight');
      await dragSplitter(page, 'left', 200 - KEY_STEP, 0);
      const left = (await sizes(page)).left;
      near(left, PANE_SPECS.left.min + 200, 'the left pane after a drag back out');

      // The properties panel: dragging its splitter left widens it; a double-click resets it to the default.
      await dragSplitter(page, 'right', -80, 0);
      now = await sizes(page);
      near(now.right, start.right + 80, 'the right pane after an 80 px drag');
      await dragSplitter(page, 'right', 3000, 0);
      near((await sizes(page)).right, PANE_SPECS.right.min, 'the right pane at its minimum');
      await page.dblclick('[data-testid="pane-splitter-right"]');
      await page.waitForTimeout(150);
      near((await sizes(page)).right, start.right, 'the right pane after a double-click reset');
      await dragSplitter(page, 'right', -40, 0);
      const right = (await sizes(page)).right;
      near(right, start.right + 40, 'the right pane after a 40 px drag');

      // The panels under the viewer: 60 px taller, the canvas 60 px lower; far up, the viewer keeps its minimum height.
      const beforeBottom = await sizes(page);
      await dragSplitter(page, 'bottom', 0, -60);
      now = await sizes(page);
      near(now.bottom, beforeBottom.bottom + 60, 'the bottom area after a 60 px drag');
      near(now.canvasHeight, beforeBottom.canvasHeight - 60, 'the viewer canvas after the bottom drag');
      await dragSplitter(page, 'bottom', 0, -3000);
      now = await sizes(page);
      assert.ok(now.canvasHeight >= VIEWER_MIN_HEIGHT - 2, `the viewer keeps ${VIEWER_MIN_HEIGHT} px of height (${now.canvasHeight} px)`);
      await dragSplitter(page, 'bottom', 0, 3000);
      near((await sizes(page)).bottom, PANE_SPECS.bottom.min, 'the bottom area at its minimum');
      await dragSplitter(page, 'bottom', 0, -150);
      const bottom = (await sizes(page)).bottom;
      near(bottom, PANE_SPECS.bottom.min + 150, 'the bottom area after a 150 px drag');
      await assertNoHorizontalOverflow(page, 'after resizing every pane');

      // A job: its row's actions are on screen with the panes resized.
      await page.selectOption('[data-testid="predictor-select"]', 'geometry');
      await page.click('[data-testid="start-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 60_000 });
      for (const id of ['export-csv', 'export-extxyz']) await assertClickable(page, `[data-testid="job"][data-state="done"] [data-testid="${id}"]`, `the job's ${id} button`);
      await assertNoHorizontalOverflow(page, 'after a job');

      // Reload: the sizes come back from Settings.layout, next to the jobs panel's collapsed flag.
      await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]');
      await page.waitForSelector('[data-testid="jobs-panel"].collapsed');
      const deadline = Date.now() + 15_000;
      let layout = await storedLayout(page);
      while ((layout['pane.bottom'] !== Math.round(bottom) || layout['jobs.collapsed'] !== true) && Date.now() < deadline) {
        await page.waitForTimeout(200);
        layout = await storedLayout(page);
      }
      assert.deepEqual(
        { left: layout['pane.left'], right: layout['pane.right'], bottom: layout['pane.bottom'], collapsed: layout['jobs.collapsed'] },
        { left: Math.round(left), right: Math.round(right), bottom: Math.round(bottom), collapsed: true },
      );
      await page.reload();
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '228');
      await page.click('[data-testid="plots-button"]');
      await page.waitForSelector('[data-testid="plots-panel"] [data-testid="histogram"]');
      await page.waitForSelector('[data-testid="jobs-panel"].collapsed');
      await page.waitForTimeout(300);
      now = await sizes(page);
      near(now.left, left, 'the left pane after a reload');
      near(now.right, right, 'the right pane after a reload');
      near(now.bottom, bottom, 'the bottom area after a reload');
      await assertNoHorizontalOverflow(page, 'after a reload');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page errors');
    } finally {
      await app.close();
    }
  });
}
