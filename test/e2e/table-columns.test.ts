/**
 * Issue 17, the structure table's columns in web mode (Debian's Chromium, one Vite build with the tiny QM9-xTB
 * property model as the catalogue) at 1280×720 and 1920×1080, on three QM9-xTB frames renamed to full QM9 names
 * ('dsgdb9nsd_0000256') with three extra file properties (10 scalar file columns besides the name: 8 shown by default): headers
 * read `label [unit]`, the name is not cut, the column chooser hides and shows columns, a dragged header edge
 * resizes its column and a double-click fits it to its label, a truncated cell has its full text as a tooltip, the
 * choice and widths survive a reload, a prediction job's columns appear, and the page never gets wider than the window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, openWebApp, REPO_ROOT } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-columns-'));
const MODEL = 'model:tiny-qm9xtb-properties-3';
const FILE = 'qm9-columns.extxyz';
const text = readFileSync(resolve(REPO_ROOT, 'test/fixtures/viewer/qm9-xtb-3.extxyz'), 'utf8')
  .replace(/dsgdb9nsd_(\d+)/g, (_, n: string) => `dsgdb9nsd_${n.padStart(7, '0')}`)
  .replace(/ pbc=/g, ' extra_a=1.5 extra_b=2.5 extra_c=3.5 pbc=');
const bytes = new TextEncoder().encode(text);
const firstName = /name=(\S+)/.exec(text)![1]!;

before(async () => {
  if (!skip) await buildWebApp(dist, { catalogue: 'model-catalogue.ts', folder: 'test/fixtures/models/' });
});
after(() => rmSync(dist, { recursive: true, force: true }));

interface Header {
  readonly key: string;
  readonly label: string;
  readonly width: number;
  readonly title: string;
}

async function headers(page: Page): Promise<Header[]> {
  return page.$$eval('[data-testid="structure-table"] [role="columnheader"]', (els) =>
    els.map((e) => ({
      key: (e as HTMLElement).dataset['key'] ?? '',
      label: e.querySelector('.cell-label')?.textContent ?? '',
      width: e.getBoundingClientRect().width,
      title: e.getAttribute('title') ?? '',
    })),
  );
}

const headerOf = async (page: Page, key: string) => (await headers(page)).find((h) => h.key === key);

async function openChooser(page: Page): Promise<void> {
  if ((await page.locator('[data-testid="column-chooser"]').count()) === 0) await page.click('[data-testid="column-chooser-button"]');
  await page.waitForSelector('[data-testid="column-chooser"]');
}

const toggle = (key: string) => `[data-testid="column-toggle"][data-key="${key}"]`;

/** Scrolls the table sideways (the header follows the body) so `key`'s column starts near the panel's left. */
async function revealColumn(page: Page, key: string): Promise<void> {
  await page.evaluate((k) => {
    const head = document.querySelector<HTMLElement>(`[role="columnheader"][data-key="${k}"]`)!;
    const body = document.querySelector<HTMLElement>('[data-testid="structure-table"] .vtable-body')!;
    body.scrollLeft = Math.max(0, head.offsetLeft - 60);
    body.dispatchEvent(new Event('scroll'));
  }, key);
  await page.waitForTimeout(50);
}

/** Drags the resize handle on the right edge of `key`'s header by dx px. */
async function dragEdge(page: Page, key: string, dx: number): Promise<void> {
  await revealColumn(page, key);
  const box = (await page.locator(`[role="columnheader"][data-key="${key}"] [data-testid="column-resize"]`).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y, { steps: 4 });
  await page.mouse.move(x + dx, y, { steps: 4 });
  await page.mouse.up();
}

async function storedLayout(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((resolvePromise, reject) => {
        const req = indexedDB.open('equimol');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('settings')) return resolvePromise({});
          const get = db.transaction('settings', 'readonly').objectStore('settings').get('settings');
          get.onsuccess = () => {
            resolvePromise((get.result as { layout?: Record<string, unknown> } | undefined)?.layout ?? {});
            db.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 1.5, `${what}: ${actual} px, expected ${expected}`);

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: choose, resize and keep the table's columns; units in headers, names not cut, predictions shown`, { skip, timeout: 240_000 }, async () => {
    const app = await openWebApp({ distDir: dist, width, height });
    const page = app.page;
    try {
      await dropFiles(page, [{ name: FILE, bytes }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '3');

      // Units: every column with a unit says it in brackets; the name column holds a full QM9 name.
      const initial = await headers(page);
      const labels = Object.fromEntries(initial.map((h) => [h.key, h.label]));
      assert.deepEqual([labels['energy'], labels['gap'], labels['homo']], ['energy [eV]', 'gap [eV]', 'homo [eV]'], JSON.stringify(labels));
      assert.equal(labels['name'], 'Name');
      const nameCell = page.locator('[data-testid="structure-table"] [data-row="0"] .cell-text').nth(1);
      assert.equal(await nameCell.textContent(), firstName);
      assert.equal(firstName.length, 17);
      const fits = await nameCell.evaluate((e) => e.scrollWidth <= e.clientWidth);
      assert.ok(fits, `${firstName} fits its column (${(await headerOf(page, 'name'))!.width} px)`);
      await assertNoHorizontalOverflow(page, 'on open');

      // The chooser: 10 scalar file columns (the file's `name` is the Name column), the last 2 hidden by default; hide one, show one.
      await openChooser(page);
      const fileToggles = page.locator('[data-source="file"] [data-testid="column-toggle"]');
      assert.equal(await fileToggles.count(), 10);
      const states = await fileToggles.evaluateAll((els) => els.map((e) => [(e as HTMLInputElement).dataset['key'], (e as HTMLInputElement).checked] as const));
      assert.equal(states.filter(([, checked]) => checked).length, 8, JSON.stringify(states));
      const hiddenByDefault = states.find(([, checked]) => !checked)![0]!;
      assert.equal(await headerOf(page, hiddenByDefault), undefined);
      await assertNoHorizontalOverflow(page, 'with the chooser open');
      await page.click(toggle('energy'));
      await page.waitForFunction(() => !document.querySelector('[role="columnheader"][data-key="energy"]'));
      await page.click(toggle(hiddenByDefault));
      await page.waitForSelector(`[role="columnheader"][data-key="${hiddenByDefault}"]`);
      assert.equal(await page.isDisabled(toggle('name')), true, 'the name cannot be hidden');
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="column-chooser"]', { state: 'detached' });

      // Resize: a drag gives the exact width; a narrow column's cells get their full text as a tooltip; a double-click fits the label.
      const gapBefore = (await headerOf(page, 'gap'))!.width;
      await dragEdge(page, 'gap', 60);
      near((await headerOf(page, 'gap'))!.width, gapBefore + 60, 'gap after a 60 px drag');
      const sorted = await page.locator('[role="columnheader"][data-key="gap"] .sort').count();
      assert.equal(sorted, 0, 'a drag on the edge does not sort');
      const methodBefore = (await headerOf(page, 'method'))!.width;
      await dragEdge(page, 'method', 40 - methodBefore - 30);
      near((await headerOf(page, 'method'))!.width, 40, 'method dragged below the minimum');
      const methodCell = page.locator('[data-testid="structure-table"] [data-row="0"] .cell').nth((await headers(page)).findIndex((h) => h.key === 'method')).locator('.cell-text');
      await revealColumn(page, 'method');
      await methodCell.hover();
      assert.equal(await methodCell.getAttribute('title'), 'GFN2-xTB', 'the truncated cell shows its full text on hover');
      await revealColumn(page, 'method');
      await page.dblclick(`[role="columnheader"][data-key="method"] [data-testid="column-resize"]`);
      const fitted = await page.locator('[role="columnheader"][data-key="method"] .cell-label').evaluate((e) => ({ fits: e.scrollWidth <= e.clientWidth, width: e.parentElement!.getBoundingClientRect().width }));
      assert.ok(fitted.fits && fitted.width > 40 && fitted.width < 120, `fitted to 'method': ${JSON.stringify(fitted)}`);
      const gapWidth = (await headerOf(page, 'gap'))!.width;
      await assertNoHorizontalOverflow(page, 'after resizing');

      // The choice and the widths are in Settings.layout, and survive a reload.
      const deadline = Date.now() + 10_000;
      let layout = await storedLayout(page);
      // Both widths stored, the fitted one (the double-click's, saved after the drag's) included.
      const storedWidths = (l: Record<string, unknown>) => String(l['table.widths.0'] ?? '').split(',').map((e) => Number(e.split(':')[1]));
      const saved = (l: Record<string, unknown>) =>
        typeof l['table.cols.0'] === 'string' && [gapWidth, fitted.width].every((w) => storedWidths(l).some((v) => Math.abs(v - w) <= 1.5));
      while (!saved(layout) && Date.now() < deadline) {
        await page.waitForTimeout(200);
        layout = await storedLayout(page);
      }
      assert.equal(String(layout['table.cols.0']).split(',').length, 2, JSON.stringify(layout));
      await page.reload();
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '3');
      await page.waitForSelector(`[role="columnheader"][data-key="${hiddenByDefault}"]`);
      assert.equal(await headerOf(page, 'energy'), undefined, 'energy stays hidden after a reload');
      near((await headerOf(page, 'gap'))!.width, gapWidth, 'gap width after a reload');
      near((await headerOf(page, 'method'))!.width, fitted.width, 'method width after a reload');

      // A prediction job's columns appear (with units), in their own group of the chooser.
      await page.waitForSelector(`[data-testid="predictor-select"] option[value="${MODEL}"]`, { state: 'attached' });
      await page.selectOption('[data-testid="predictor-select"]', MODEL);
      await page.click('[data-testid="start-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 180_000 });
      await page.waitForSelector(`[role="columnheader"][data-key="${MODEL}:gap"]`);
      const predicted = (await headers(page)).filter((h) => h.key.startsWith(`${MODEL}:`));
      assert.ok(predicted.length >= 3, predicted.map((h) => h.key).join(', '));
      const gapHeader = predicted.find((h) => h.key === `${MODEL}:gap`)!;
      assert.match(gapHeader.label, /\[eV\]$/);
      assert.match(gapHeader.title, new RegExp(`predicted by ${MODEL}`));
      await openChooser(page);
      const group = page.locator(`[data-source="${MODEL}"]`);
      assert.equal(await group.locator('legend').textContent(), `Predicted by ${MODEL}`);
      const predictedStates = await group.locator('[data-testid="column-toggle"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked));
      assert.ok(predictedStates.length === predicted.length && predictedStates.every(Boolean), 'every prediction column is listed and shown');
      await assertNoHorizontalOverflow(page, 'with prediction columns and the chooser open');

      // Show all, then reset: back to the default choice and widths for this document.
      await page.click('[data-testid="columns-show-all"]');
      await page.waitForSelector('[role="columnheader"][data-key="energy"]');
      await page.click('[data-testid="columns-reset"]');
      await page.waitForFunction((key) => !document.querySelector(`[role="columnheader"][data-key="${key}"]`), hiddenByDefault);
      near((await headerOf(page, 'gap'))!.width, gapBefore, 'gap width after a reset');
      await assertNoHorizontalOverflow(page, 'after a reset');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page errors');
    } finally {
      await app.close();
    }
  });
}
