/**
 * Web mode in Debian's Chromium at 1280×720 and 1920×1080 (one Vite build for both): a QM9-xTB extXYZ file (three real frames, test/fixtures/viewer/qm9-xtb-3.extxyz)
 * coloured by its per-atom charges and force norms through the viewer toolbar's "Colour by" menu, with the colour bar
 * naming the array, its unit and range, and the dipole arrow from the file's `dipole` toggled on and off; the page is
 * never wider than the window. Writes colour-by-charges.png (the 1280×720 run; the 1920×1080 one adds a size suffix) to a
 * temporary folder; EQUIMOL_SCREENSHOT_DIR=docs/screenshots refreshes the README's copy.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz';
import { elementOf } from '../../core/structure';
import { colorOfValue, colorRangeOf, formatTick } from '../../renderer/viewer/color-maps';
import { chromiumSkipReason, pngDataUrlToPixels, REPO_ROOT } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, fileFromDisk, openWebApp, type WebApp } from './web-app-harness';

const FIXTURE = 'test/fixtures/viewer/qm9-xtb-3.extxyz';
const SHOT_DIR = process.env['EQUIMOL_SCREENSHOT_DIR'] ? resolve(process.env['EQUIMOL_SCREENSHOT_DIR']) : mkdtempSync(join(tmpdir(), 'equimol-colour-by-'));
const skip = chromiumSkipReason();
const first = readText(readFileSync(resolve(REPO_ROOT, FIXTURE), 'utf8'), FIXTURE, extxyzFormat).structures[0]!;
const dist = mkdtempSync(join(tmpdir(), 'equimol-colour-by-web-'));
let app: WebApp | undefined;

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

const page = () => app!.page;
const atomColors = () => page().evaluate(() => window.__equimolDebug!.viewer!.getAtomColors());

/** Pixels of the viewer image that are the dipole arrow's magenta (light theme 0xc026d3, lit). */
async function magentaPixels(): Promise<number> {
  const url = await page().evaluate(() => window.__equimolDebug!.viewer!.toDataURL());
  const { data } = await pngDataUrlToPixels(page(), url);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i]! > 120 && data[i + 2]! > 120 && data[i + 1]! < 90) count++;
  return count;
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${width}×${height}`, () => {
    before(async () => {
      if (skip) return;
      app = await openWebApp({ distDir: dist, width, height });
      app.page.setDefaultTimeout(20_000);
    });
    after(async () => {
      await app?.close();
      app = undefined;
    });

    test(`${width}×${height}: colouring a QM9-xTB molecule by charges paints each atom by its charge on a symmetric blue-white-red map, with a colour bar in e`, { skip, timeout: 120_000 }, async () => {
      await dropFiles(page(), [fileFromDisk(FIXTURE)]);
      await page().waitForFunction((n) => window.__equimolDebug?.viewer?.getInfo().atoms === n, first.numbers.length, { timeout: 30_000 });
      const elementColours = await atomColors();
      assert.deepEqual(elementColours, Array.from(first.numbers, (z) => elementOf(z).color), 'element colours before');
      await assertNoHorizontalOverflow(page(), 'with the molecule open');
      assert.equal(await page().locator('[data-testid="color-bar"]').count(), 0, 'no colour bar with element colours');

      const choices = await page().$$eval('[data-testid="color-by"] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual(choices, ['element', '|forces|', 'charges'], 'the menu lists the per-atom arrays of the file');
      await page().selectOption('[data-testid="color-by"]', 'charges');
      await page().waitForSelector('[data-testid="color-bar"]');
      await assertNoHorizontalOverflow(page(), 'coloured by charges, with the colour bar');

      const charges = first.atomArrays['charges']!;
      const q = Array.from({ length: first.numbers.length }, (_, i) => Number(charges.data[i]));
      const range = colorRangeOf(q);
      const extent = Math.max(...q.map(Math.abs));
      assert.equal(range.map, 'diverging');
      assert.equal(await page().textContent('[data-testid="color-bar-title"]'), 'charges (e)');
      const ticks = await page().$$eval('[data-testid="color-bar-ticks"] span', (spans) => spans.map((s) => s.textContent));
      assert.deepEqual(ticks, [formatTick(-extent), '0', formatTick(extent)]);
      assert.equal(ticks[0], '−0.407', 'the range is ± the largest |charge| of the molecule (O, −0.40698 e)');

      const coloured = await atomColors();
      assert.deepEqual(coloured, q.map((v) => colorOfValue(v, range)), 'every atom has the colour of its charge');
      const changed = coloured.filter((c, i) => c !== elementColours[i]).length;
      assert.equal(changed, q.length, 'every atom changed colour');

      // The sequential map for the (non-negative) force norm, then back to element colours.
      await page().selectOption('[data-testid="color-by"]', '|forces|');
      await page().waitForFunction(() => document.querySelector('[data-testid="color-bar"]')?.getAttribute('data-map') === 'sequential');
      assert.equal(await page().textContent('[data-testid="color-bar-title"]'), '|forces| (eV/Å)');
      await page().selectOption('[data-testid="color-by"]', 'element');
      await page().waitForFunction(() => !document.querySelector('[data-testid="color-bar"]'));
      assert.deepEqual(await atomColors(), elementColours, 'element colours again');
      assert.deepEqual(app!.errors, [], 'no page or worker errors');
    });

    test(`${width}×${height}: the dipole toggle draws the file's dipole as a 1 Å/D arrow from the centroid, labelled in D, and removes it again`, { skip, timeout: 60_000 }, async () => {
      await page().selectOption('[data-testid="color-by"]', 'charges');
      await page().waitForSelector('[data-testid="color-bar"]');
      await page().waitForTimeout(300);
      const without = await magentaPixels();
      assert.match((await page().getAttribute('[data-testid="dipole-button"]', 'title')) ?? '', /4\.48 D \(from the file\)/);
      await page().click('[data-testid="dipole-button"]');
      await page().waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().dipoleArrow ?? 0) > 0);
      const length = await page().evaluate(() => window.__equimolDebug!.viewer!.getInfo().dipoleArrow);
      assert.ok(Math.abs(length - 4.475232) < 1e-4, `arrow ${length} Å long for |μ| = 4.475 D`);
      await page().evaluate(() => window.__equimolDebug!.viewer!.fitToView());
      await page().waitForTimeout(300);
      const withArrow = await magentaPixels();
      assert.ok(withArrow > without + 300, `the arrow adds magenta pixels: ${without} -> ${withArrow}`);
      await assertNoHorizontalOverflow(page(), 'with the dipole arrow and the colour bar');

      const shotDir = width === 1280 ? SHOT_DIR : mkdtempSync(join(tmpdir(), 'equimol-colour-by-'));
      mkdirSync(shotDir, { recursive: true });
      const shot = join(shotDir, width === 1280 ? 'colour-by-charges.png' : `colour-by-charges-${width}x${height}.png`);
      await page().screenshot({ path: shot });
      assert.ok(statSync(shot).size > 20_000, 'a real screenshot was written');

      await page().click('[data-testid="dipole-button"]');
      await page().waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().dipoleArrow === 0);
      assert.deepEqual(app!.errors, [], 'no page or worker errors');
    });
  });
}
