/**
 * Issue 17, web mode at 1280×720 and 1920×1080 (the 1280 page also resized to 1440×900 and 4K) in Debian's Chromium (one Vite build for both): the page never
 * gets wider than the window (opening files, a model predict job, a relax job, the dialogs), the jobs panel's
 * buttons are on screen and clickable and no toast covers the job row; switching from row 10 of one file to a
 * one-structure file raises no error; the measure modes (distance / angle / dihedral) measure clicked atoms;
 * a model's error row shows its reason in the page; every toolbar button is reachable with a crystal's cell shown.
 * Screenshots of the 1280×720 run go to $EQUIMOL_LAYOUT_SHOTS when set.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCsvLine } from '../../core/export/csv';
import { measure } from '../../renderer/viewer/measure';
import { chromiumSkipReason } from '../helpers/browser';
import { DATASETS_DIR, naclCif } from './fixture-files';
import { buildWebApp, clickAtom, dropFiles, openWebApp, type WebApp } from './web-app-harness';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const MODEL = 'model:egnn-ethanol-rmd17';
const FRAMES = 12;
const skip = chromiumSkipReason() || (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`);
const SHOTS = process.env['EQUIMOL_LAYOUT_SHOTS'];
const dist = mkdtempSync(join(tmpdir(), 'equimol-layout-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

/** The first `count` frames of the rMD17 ethanol test trajectory (extended XYZ) and their positions (Å). */
function ethanolFrames(count: number): { text: string; positions: number[][] } {
  const text = ethanolFramesText(ETHANOL, count);
  const positions = text.split('\n').slice(2, 11).flatMap((line) => line.trim().split(/\s+/).slice(1, 4).map(Number));
  return { text, positions: [positions] };
}

/** Methylamine (CH3NH2, Å): nitrogen is outside the ethanol model's elements (H, C, O). */
const METHYLAMINE = `7
methylamine
C   0.0000   0.0000   0.0000
N   1.4700   0.0000   0.0000
H  -0.3600   1.0200   0.0000
H  -0.3600  -0.5100   0.8800
H  -0.3600  -0.5100  -0.8800
H   1.8000   0.9500   0.0000
H   1.8000  -0.4700   0.8200
`;

async function assertNoOverflow(page: Page, state: string): Promise<void> {
  const { scrollWidth, scrollHeight, width, height } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    width: innerWidth,
    height: innerHeight,
  }));
  assert.ok(scrollWidth <= width, `${state}: page ${scrollWidth} px wide in a ${width} px window`);
  assert.ok(scrollHeight <= height, `${state}: page ${scrollHeight} px high in a ${height} px window`);
}

/** The element at the centre of `selector` is that element (on screen, not covered by a toast or a panel). */
async function assertClickable(page: Page, selector: string, what: string): Promise<void> {
  const handle = await page.waitForSelector(selector, { state: 'attached' });
  await handle.scrollIntoViewIfNeeded();
  const result = await handle.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    return { inside: x >= 0 && y >= 0 && x < innerWidth && y < innerHeight && r.width > 0, hits: hit === el || el.contains(hit), hit: hit?.outerHTML.slice(0, 120) ?? null };
  });
  assert.ok(result.inside, `${what} is inside the window`);
  assert.ok(result.hits, `${what} is the element at its centre, found ${result.hit}`);
}

/** No toast overlaps the first job row. */
async function assertToastsClearOfJobs(page: Page): Promise<void> {
  const overlaps = await page.evaluate(() => {
    const job = document.querySelector('[data-testid="job"]')?.getBoundingClientRect();
    if (!job) return ['no job row'];
    return [...document.querySelectorAll('.toast')]
      .map((t) => t.getBoundingClientRect())
      .filter((t) => t.left < job.right && t.right > job.left && t.top < job.bottom && t.bottom > job.top)
      .map((t) => `toast at ${t.left},${t.top} ${t.width}×${t.height}`);
  });
  assert.deepEqual(overlaps, [], 'no toast covers the job row');
}

async function activateTab(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="doc-tab"]:has(.name:text-is("${name}"))`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === n, name);
}

async function shoot(page: Page, width: number, name: string): Promise<void> {
  if (SHOTS && width === 1280) await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const appErrors = (app: WebApp) => app.errors.filter((e) => !/Failed to load resource/.test(e));

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`at ${width}×${height} the page fits the window through files, a model job, a relax job and the dialogs; selection, measure modes and error rows work`, { skip, timeout: 90_000 }, async () => {
    const app = await openWebApp({ width, height, distDir: dist });
    try {
      const page = app.page;
      page.setDefaultTimeout(30_000);
      await assertNoOverflow(page, 'empty window');

      // Open a 12-frame ethanol file and a one-structure methylamine file.
      const ethanol = ethanolFrames(FRAMES);
      await dropFiles(page, [
        { name: 'ethanol12.extxyz', bytes: new TextEncoder().encode(ethanol.text) },
        { name: 'methylamine.xyz', bytes: new TextEncoder().encode(METHYLAMINE) },
      ]);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 2);
      await assertNoOverflow(page, 'after opening files');

      // Row 10 of the ethanol file, then the one-structure tab: no RecordIndexError, methylamine is shown.
      await activateTab(page, 'ethanol12.extxyz');
      await page.waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === String(n), FRAMES);
      await page.click('.vtable-row[data-row="9"]');
      await page.waitForSelector('.vtable-row.selected[data-row="9"]');
      await page.waitForTimeout(200);
      await activateTab(page, 'methylamine.xyz');
      await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 7);
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[data-testid="toast-error"]').count(), 0, 'no error toast after switching tabs');
      assert.deepEqual(appErrors(app), [], 'no page errors after switching tabs');
      assert.match((await page.textContent('[data-testid="viewer-caption"]')) ?? '', /CH5N/);

      // A model predict job over both files: methylamine is an error row whose reason shows in the page.
      await page.selectOption('[data-testid="predictor-select"]', MODEL);
      await page.click('[data-testid="start-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 45_000 });
      await assertNoOverflow(page, 'after a predict job');
      await assertToastsClearOfJobs(page);
      for (const id of ['export-csv', 'export-sdf', 'export-extxyz']) await assertClickable(page, `[data-testid="job"][data-state="done"] [data-testid="${id}"]`, `the job's ${id} button`);
      await shoot(page, width, 'predict-done');
      if (width === 1280) {
        // The same page resized to 1440×900 (the width the issue names too) and to 4K.
        for (const size of [
          { width: 1440, height: 900 },
          { width: 3840, height: 2160 },
        ]) {
          await page.setViewportSize(size);
          await page.waitForTimeout(200);
          await assertNoOverflow(page, `after a predict job at ${size.width}×${size.height}`);
          for (const id of ['export-csv', 'export-extxyz']) await assertClickable(page, `[data-testid="job"][data-state="done"] [data-testid="${id}"]`, `the job's ${id} button at ${size.width}×${size.height}`);
        }
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(200);
      }
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="job"][data-state="done"] [data-testid="export-csv"]')]);
      const csvPath = join(dist, `predict-${width}.csv`);
      await download.saveAs(csvPath);
      const rows = readFileSync(csvPath, 'utf8').trimEnd().split('\n').map(parseCsvLine);
      const header = rows[0]!;
      const errorRow = rows.find((row) => row[header.indexOf('status')] === 'error');
      assert.ok(errorRow, 'the CSV has methylamine as an error row');
      const reason = errorRow[header.indexOf('error')]!;
      assert.ok(reason.length > 0, 'the error row has a reason');
      await page.waitForSelector('[data-testid="row-error-details"]');
      assert.ok(((await page.textContent('[data-testid="row-error-details"]')) ?? '').includes(reason), `the properties panel shows "${reason}"`);
      assert.ok(((await page.getAttribute('[data-testid="row-error"]', 'title')) ?? '').includes(reason), 'the structure list marks the row with the reason');

      // Measure modes on ethanol frame 1: a distance, an angle, a dihedral of clicked atoms.
      await activateTab(page, 'ethanol12.extxyz');
      await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 9);
      await page.click('[data-testid="measure-button"]');
      const visible: number[] = [];
      for (let atom = 0; atom < 9 && visible.length < 4; atom++) {
        const shown = await page.evaluate((a) => {
          const viewer = window.__equimolDebug!.viewer!;
          const p = viewer.projectAtom(a);
          return Boolean(p && viewer.pickAt(p.x, p.y)?.atom === a);
        }, atom);
        if (shown) visible.push(atom);
      }
      assert.equal(visible.length, 4, `four ethanol atoms are visible: ${visible.join(',')}`);
      const modes = [
        ['distance', visible.slice(0, 2), 'Å'],
        ['angle', visible.slice(0, 3), '°'],
        ['dihedral', visible.slice(0, 4), '°'],
      ] as const;
      for (const [mode, atoms, unit] of modes) {
        await page.click(`[data-testid="measure-mode-${mode}"]`);
        for (const atom of atoms) assert.ok(await clickAtom(page, atom), `atom ${atom + 1} clicked`);
        const count = modes.findIndex((m) => m[0] === mode) + 1;
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid="measurement"]').length === n, count);
        const text = (await page.locator('[data-testid="measurement-value"]').nth(count - 1).textContent()) ?? '';
        const expected = measure(ethanol.positions[0]!, atoms).value;
        const [value, shownUnit] = text.trim().split(/\s+/);
        assert.equal(shownUnit, unit, `${mode} unit`);
        assert.ok(Math.abs(Number(value) - expected) < (unit === 'Å' ? 1e-3 : 0.02), `${mode} ${atoms.join('-')}: shown ${text}, coordinates give ${expected}`);
        assert.match((await page.locator('[data-testid="measurement"] .what').nth(count - 1).textContent()) ?? '', new RegExp(`^${mode} `));
      }
      await shoot(page, width, 'measurements');
      await page.click('[data-testid="measurement-remove"] >> nth=0');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="measurement"]').length === 2);
      assert.match((await page.locator('[data-testid="measurement"] .what').first().textContent()) ?? '', /^angle /, 'the distance was removed');
      await page.keyboard.press('Escape');

      // The help dialog and the relax dialog keep the page inside the window; a relax job runs.
      await page.keyboard.press('?');
      await page.waitForSelector('[role="dialog"]');
      await assertNoOverflow(page, 'with the help dialog open');
      await page.keyboard.press('Escape');
      await page.click('.vtable-row[data-row="0"]');
      await page.click('[data-testid="relax-button"]');
      const option = page.locator(`[data-testid="calculator-option"][data-id="${MODEL}"]`);
      await option.waitFor();
      await option.click();
      await assertNoOverflow(page, 'with the relax dialog open');
      await shoot(page, width, 'relax-dialog');
      await page.click('[data-testid="sampler-start"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="job"][data-state="done"]').length === 2, undefined, { timeout: 60_000 });
      await assertNoOverflow(page, 'after a relax job');
      await assertToastsClearOfJobs(page);
      await assertClickable(page, '[data-testid="job"][data-state="done"] [data-testid="export-extxyz"]', "the relax job's extXYZ button");
      await shoot(page, width, 'relax-done');

      // A crystal with its cell: every toolbar control is on screen and clickable.
      await dropFiles(page, [naclCif()]);
      await page.waitForSelector('[data-testid="cell-button"].active');
      await assertNoOverflow(page, 'with a crystal and its cell');
      const buttons = await page.$$eval('.viewer-toolbar button', (list) => list.map((b, i) => b.getAttribute('data-testid') ?? `#${i}:${b.textContent}`));
      for (let i = 0; i < buttons.length; i++) await assertClickable(page, `.viewer-toolbar button >> nth=${i}`, `toolbar button ${buttons[i]}`);
      await shoot(page, width, 'crystal-toolbar');
      assert.deepEqual(appErrors(app), [], 'no page or worker errors');
    } finally {
      await app.close();
    }
  });
}

