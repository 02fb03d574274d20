/**
 * Issue 17 in web mode (Chromium) at 1280×720 and 1920×1080: a model job cancelled part-way offers CSV and SDF
 * export of the rows it finished, every one of them, and the page stays inside the window with the cancelled job.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCsvLine } from '../../core/export/csv';
import { chromiumSkipReason } from '../helpers/browser';
import { ethanolFramesText } from '../helpers/ethanol-frames';
import { DATASETS_DIR } from './fixture-files';
import { buildWebApp, dropFiles, openWebApp } from './web-app-harness';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const MODEL = 'model:egnn-ethanol-rmd17';
// The whole test set, ten times over: at 1,000 structures the job could finish (992 of 1,000 rows on this machine)
// before the click on Cancel landed, and a finished job has no Cancel button.
const TEST_SET_FRAMES = 1000;
const REPEATS = 10;
const FRAMES = TEST_SET_FRAMES * REPEATS;
const skip = chromiumSkipReason() || (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`);
const dist = mkdtempSync(join(tmpdir(), 'equimol-cancelled-export-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

async function download(page: Page, selector: string, path: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  await file.saveAs(path);
  return readFileSync(path, 'utf8');
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: a model job cancelled part-way exports the rows it finished as CSV and SDF`, { skip, timeout: 180_000 }, async (t) => {
    const app = await openWebApp({ width, height, distDir: dist });
    try {
      const page = app.page;
      page.setDefaultTimeout(30_000);
      await dropFiles(page, [{ name: 'ethanol1000.extxyz', bytes: new TextEncoder().encode(ethanolFramesText(ETHANOL, TEST_SET_FRAMES).repeat(REPEATS)) }]);
      await page.waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === n.toLocaleString('en-US'), FRAMES);
      await page.selectOption('[data-testid="predictor-select"]', MODEL);
      await page.click('[data-testid="start-job"]');
      // Cancel once some rows are in.
      await page.waitForFunction(() => /· [1-9][\d,]*\//.test(document.querySelector('[data-testid="job"] [data-testid="job-stats"]')?.textContent ?? ''), undefined, { timeout: 90_000 });
      await page.click('[data-testid="job"] [data-testid="cancel-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="cancelled"]', { timeout: 60_000 });
      const stats = (await page.textContent('[data-testid="job"] [data-testid="job-stats"]')) ?? '';
      const [done, total] = /· ([\d,]+)\/([\d,]+)/.exec(stats)!.slice(1).map((n) => Number(n.replace(/,/g, '')));
      assert.equal(total, FRAMES);
      assert.ok(done! > 0 && done! < FRAMES, `cancelled at ${done} of ${FRAMES} rows`);
      t.diagnostic(`cancelled at ${done} of ${FRAMES} rows`);
      const { scrollWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth }));
      assert.ok(scrollWidth <= width, `with a cancelled job: page ${scrollWidth} px wide in a ${width} px window`);

      const csv = (await download(page, '[data-testid="job"][data-state="cancelled"] [data-testid="export-csv"]', join(dist, `cancelled-${width}.csv`))).trimEnd().split('\n').map(parseCsvLine);
      const header = csv[0]!;
      assert.equal(csv.length - 1, done, 'one CSV row per finished row');
      assert.deepEqual(csv.slice(1).map((row) => Number(row[header.indexOf('record')])), Array.from({ length: done! }, (_, i) => i + 1), 'records 1..done, numbered from 1');
      assert.ok(csv.slice(1).every((row) => row[header.indexOf('status')] === 'ok'));
      const sdf = await download(page, '[data-testid="job"][data-state="cancelled"] [data-testid="export-sdf"]', join(dist, `cancelled-${width}.sdf`));
      assert.equal(sdf.split('\n').filter((line) => line.trim() === '$$$$').length, done, 'one SDF record per finished row');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    } finally {
      await app.close();
    }
  });
}
