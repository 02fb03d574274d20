/**
 * Issue 17: the plots panel and the table search in web mode (Chromium), at 1280×720 and 1920×1080, on the
 * out-of-distribution drug frames (228 extXYZ frames with xtb energy, gap ... and no bonds): a histogram and a
 * scatter drawn from getColumnValues, a click on a scatter point selecting its record, a substructure query and
 * a property range narrowing the table, a parity plot of a predicted column against the file's label of the
 * same name (1920×1080 only: the prediction job is the slow part), and no horizontal overflow at 1280 px.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCsvLine } from '../../core/export/csv';
import { extent, MARGIN } from '../../renderer/app/components/plots/plot-math';
import { readDocument } from '../../core/session/read-document';
import { DocumentSearch } from '../../core/session/search/search';
import { chromiumSkipReason } from '../helpers/browser';
import { buildWebApp, dropFiles, openWebApp, REPO_ROOT, structureCountText, type WebApp } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-plots-'));
const FILE = 'ood-drugs-xtb.extxyz.gz';
const bytes = new Uint8Array(readFileSync(resolve(REPO_ROOT, 'test/fixtures/ood-drugs', FILE)));
/** gap and energy of every frame, read from the comment lines. */
const frames = gunzipSync(bytes)
  .toString('utf8')
  .split('\n')
  .filter((line) => line.startsWith('Properties='))
  .map((line) => ({ gap: Number(/ gap=(\S+)/.exec(line)![1]), energy: Number(/ energy=(\S+)/.exec(line)![1]) }));

before(async () => {
  if (skip) return;
  // The tiny QM9-xTB property ensemble as the model catalogue: it predicts gap, homo and lumo, which the file labels.
  await buildWebApp(dist, { catalogue: 'model-catalogue.ts', folder: 'test/fixtures/models/' });
});
after(() => rmSync(dist, { recursive: true, force: true }));

/** The number of rows the table lists ('38 of 228' -> 38). */
async function rowCount(page: Page): Promise<number> {
  return Number((await structureCountText(page)).replace(/,/g, '').split(' ')[0]);
}

/** The record whose scatter point (gap, energy) lies farthest from every other point on screen, and its pixel position. */
function isolatedPoint(width: number, height: number): { index: number; px: number; py: number } {
  const [x0, x1] = extent(frames.map((f) => f.gap));
  const [y0, y1] = extent(frames.map((f) => f.energy));
  const px = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0)) * (width - MARGIN.left - MARGIN.right);
  const py = (v: number) => height - MARGIN.bottom - ((v - y0) / (y1 - y0)) * (height - MARGIN.top - MARGIN.bottom);
  let best = { index: -1, px: 0, py: 0, gap: -1 };
  frames.forEach((f, i) => {
    const x = px(f.gap);
    const y = py(f.energy);
    const gap = Math.min(...frames.map((g, k) => (k === i ? Infinity : Math.hypot(px(g.gap) - x, py(g.energy) - y))));
    if (gap > best.gap) best = { index: i, px: x, py: y, gap };
  });
  assert.ok(best.gap > 8, `a point ${best.gap.toFixed(1)} px from the others`);
  return best;
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  let app: WebApp | undefined;
  const page = () => app!.page;

  test(`${width}×${height}: the plots panel draws a histogram and a scatter of the file's columns`, { skip }, async () => {
    app = await openWebApp({ distDir: dist, width, height });
    await dropFiles(page(), [{ name: FILE, bytes }]);
    await page().waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '228');
    await page().click('[data-testid="plots-button"]');
    await page().waitForSelector('[data-testid="plots-panel"] [data-testid="histogram"]');
    await page().selectOption('[data-testid="plot-x"]', 'gap');
    await page().waitForFunction(() => document.querySelector('[data-testid="histogram"] .plot-bars')?.getAttribute('data-n') === '228');
    const bins = Number(await page().getAttribute('[data-testid="histogram"] .plot-bars', 'data-bins'));
    assert.ok(bins >= 5, `${bins} bins`);
    assert.equal(await page().locator('[data-testid="histogram"] .plot-bars rect').count(), bins);
    assert.equal(await page().locator('[data-testid="histogram-selected-bin"]').count(), 1, 'the selected record (record 1) has its bin marked');

    await page().click('[data-testid="plot-kind-scatter"]');
    await page().selectOption('[data-testid="plot-x"]', 'gap');
    await page().selectOption('[data-testid="plot-y"]', 'energy');
    await page().waitForFunction(() => document.querySelector('[data-testid="scatter"] .plot-points')?.getAttribute('data-n') === '228');
    assert.equal(await page().getAttribute('[data-testid="scatter-selected"]', 'data-index'), '0');
  });

  test(`${width}×${height}: clicking a scatter point selects its record in the table and rings it`, { skip }, async () => {
    const svg = (await page().$('[data-testid="scatter"]'))!;
    const box = (await svg.boundingBox())!;
    const target = isolatedPoint(Math.round(box.width), Math.round(box.height));
    await page().mouse.click(box.x + target.px, box.y + target.py);
    await page().waitForFunction((i) => document.querySelector('[data-testid="scatter-selected"]')?.getAttribute('data-index') === String(i), target.index);
    await page().waitForSelector(`[data-testid="structure-table"] [data-row="${target.index}"].selected`);
    assert.notEqual(target.index, 0);
  });

  test(`${width}×${height}: a substructure query and a property range narrow the table`, { skip }, async () => {
    const doc = await readDocument('reference', { name: FILE, bytes });
    const expected = (await new DocumentSearch(doc).matches('sub:c1ccccc1 gap>3')).length;
    assert.ok(expected > 0 && expected < frames.length);
    await page().fill('[data-testid="filter-input"]', 'sub:c1ccccc1 gap>3');
    await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === `${n} of 228`, expected, { timeout: 60_000 });
    assert.equal(await rowCount(page()), expected);
    const inRange = frames.filter((f) => f.energy >= -2000 && f.energy <= -1000).length;
    await page().fill('[data-testid="filter-input"]', 'energy:-2000..-1000');
    await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === `${n} of 228`, inRange);
    assert.equal(await page().locator('[data-testid="structure-table"] [data-row]').count() > 0, true);
    assert.equal(await page().locator('[data-testid="filter-error"]').count(), 0, 'a valid search shows no error');
  });

  test(`${width}×${height}: a search that cannot run says why under the box (syntax with its column, or a SMILES the session cannot read)`, { skip }, async () => {
    await page().fill('[data-testid="filter-input"]', 'gap>');
    await page().waitForSelector('[data-testid="filter-error"]');
    assert.match((await page().textContent('[data-testid="filter-error"]')) ?? '', /\(at column \d+\)/);
    assert.equal(await page().getAttribute('[data-testid="filter-input"]', 'aria-invalid'), 'true');
    await page().fill('[data-testid="filter-input"]', 'sub:C1CC(');
    await page().waitForFunction(() => /\S/.test(document.querySelector('[data-testid="filter-error"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.equal(await page().textContent('[data-testid="structure-count"]'), '0 of 228');
    await page().fill('[data-testid="filter-input"]', '');
    await page().waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '228');
    assert.equal(await page().locator('[data-testid="filter-error"]').count(), 0, 'clearing the search clears the error');
  });

  if (width === 1920) {
    test('a parity plot pairs a predicted column with the file column of the same quantity and shows MAE and R²', { skip, timeout: 300_000 }, async () => {
      await page().fill('[data-testid="filter-input"]', '');
      await page().waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '228');
      assert.equal(await page().isDisabled('[data-testid="plot-kind-parity"]'), true, 'no prediction yet: nothing to pair');
      await page().waitForSelector('[data-testid="predictor-select"] option[value="model:tiny-qm9xtb-properties-3"]', { state: 'attached' });
      await page().selectOption('[data-testid="predictor-select"]', 'model:tiny-qm9xtb-properties-3');
      await page().click('[data-testid="start-job"]');
      await page().waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 240_000 });
      await page().waitForFunction(() => !(document.querySelector('[data-testid="plot-kind-parity"]') as HTMLButtonElement | null)?.disabled);
      await page().click('[data-testid="plot-kind-parity"]');
      const pairs = await page().$$eval('[data-testid="plot-pair"] option', (options) => options.map((o) => o.textContent));
      assert.ok(pairs.includes('model:tiny-qm9xtb-properties-3:gap vs gap'), pairs.join(', '));
      assert.ok(!pairs.some((p) => p!.includes('_std')), 'spreads have no label column');
      await page().selectOption('[data-testid="plot-pair"]', 'model:tiny-qm9xtb-properties-3:gap');
      const metrics = await page().waitForSelector('[data-testid="parity-metrics"]');
      const mae = Number(await metrics.getAttribute('data-mae'));
      const r2 = Number(await metrics.getAttribute('data-r2'));
      const n = Number(await page().getAttribute('[data-testid="parity"] .plot-points', 'data-n'));
      // The model covers H, C, N, O, F: every frame has a prediction and a label.
      assert.equal(n, frames.length, `${n} paired points`);
      assert.ok(Number.isFinite(mae) && mae > 0 && mae < 10, `MAE ${mae} eV`);
      assert.ok(Number.isFinite(r2) && r2 <= 1, `R² ${r2}`);
      assert.match((await metrics.textContent()) ?? '', /^MAE [\d.]+ {2}R² -?[\d.]+ {2}n \d+$/);
      // The same figures by hand from the predictions the app exports and the labels in the file.
      const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid="export-csv"]')]);
      const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n').map(parseCsvLine);
      const gapColumn = csv[0]!.indexOf('gap [eV]');
      const predicted = csv.slice(1).map((row) => Number(row[gapColumn]));
      assert.equal(predicted.length, frames.length);
      const errors = predicted.map((p, i) => p - frames[i]!.gap);
      const mean = frames.reduce((a, f) => a + f.gap, 0) / frames.length;
      const expectedMae = errors.reduce((a, e) => a + Math.abs(e), 0) / frames.length;
      const expectedR2 = 1 - errors.reduce((a, e) => a + e * e, 0) / frames.reduce((a, f) => a + (f.gap - mean) ** 2, 0);
      assert.ok(Math.abs(mae - expectedMae) < 1e-5 * expectedMae, `MAE ${mae} against ${expectedMae}`);
      assert.ok(Math.abs(r2 - expectedR2) < 1e-5, `R² ${r2} against ${expectedR2}`);
    });
  }

  test(`${width}×${height}: the page does not overflow sideways with the plots open`, { skip }, async () => {
    const { scrollWidth, innerWidth } = await page().evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(scrollWidth <= innerWidth, `page ${scrollWidth} px wide in a ${innerWidth} px window`);
    const panel = (await page().$('[data-testid="plots-panel"]'))!;
    const box = (await panel.boundingBox())!;
    assert.ok(box.x + box.width <= innerWidth, 'the plots panel fits in the window');
    assert.deepEqual(app!.errors, []);
    await app!.close();
  });
}
