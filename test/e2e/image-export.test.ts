/**
 * Web mode in Debian's Chromium at 1280×720 and 1920×1080 (one Vite build for both): exporting the view as a PNG at 2× and 4× the canvas with a transparent background,
 * first through the viewer (`window.__equimolDebug.viewer.toPNG`), then through the "Export image…" dialog of the
 * viewer toolbar (a real download). Checks the PNG's size, the corner pixel's alpha (0 transparent, 255 opaque) and
 * that the view on screen is the same picture after each export; the page is never wider than the window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, pngDataUrlToPixels } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, fileFromDisk, openWebApp, type WebApp } from './web-app-harness';

const FIXTURE = 'test/fixtures/viewer/qm9-xtb-3.extxyz';
const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-image-export-'));
let app: WebApp | undefined;

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

const page = () => app!.page;

/** Size, corner alpha and transparent-pixel count of PNG bytes, decoded in the page. */
async function decodePng(p: Page, bytes: Uint8Array): Promise<{ width: number; height: number; cornerAlpha: number; clear: number }> {
  const { width, height, data } = await pngDataUrlToPixels(p, `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`);
  let clear = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] === 0) clear++;
  return { width, height, cornerAlpha: data[3]!, clear };
}

/** toPNG(options) through the debug handle, as bytes. */
async function viewerPng(options: { scale?: 1 | 2 | 4; transparent?: boolean }): Promise<Uint8Array> {
  const base64 = await page().evaluate(async (o) => {
    const blob = await window.__equimolDebug!.viewer!.toPNG(o);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, options);
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

const canvasSize = () => page().evaluate(() => [window.__equimolDebug!.viewer!.canvas.width, window.__equimolDebug!.viewer!.canvas.height] as const);
/** A normal frame's top-left pixel (RGBA): drawn now and read in the same task. */
const drawnCorner = () =>
  page().evaluate(() => {
    const viewer = window.__equimolDebug!.viewer!;
    viewer.render();
    const scratch = document.createElement('canvas');
    scratch.width = scratch.height = 1;
    const context = scratch.getContext('2d')!;
    context.drawImage(viewer.canvas, 0, 0, 1, 1, 0, 0, 1, 1);
    return Array.from(context.getImageData(0, 0, 1, 1).data);
  });
/** What the user sees: a screenshot of the viewer's canvas as composited by the browser. */
const onScreen = () => page().locator('[data-testid="viewer"] canvas').screenshot();

for (const [viewportWidth, viewportHeight] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${viewportWidth}×${viewportHeight}`, () => {
    before(async () => {
      if (skip) return;
      app = await openWebApp({ distDir: dist, width: viewportWidth, height: viewportHeight });
      app.page.setDefaultTimeout(30_000);
    });
    after(async () => {
      await app?.close();
      app = undefined;
    });

    test(`${viewportWidth}×${viewportHeight}: toPNG at 2× and 4× is twice and four times the canvas, alpha 0 in the corner when transparent and 255 otherwise`, { skip, timeout: 180_000 }, async () => {
      await dropFiles(page(), [fileFromDisk(FIXTURE)]);
      await page().waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().atoms ?? 0) > 0);
      await page().waitForTimeout(300);
      const [width, height] = await canvasSize();
      assert.ok(width > 300 && height > 200, `canvas ${width} × ${height}`);
      const before = await onScreen();
      const corner = await drawnCorner();
      assert.equal(corner[3], 255, 'the view is opaque');
      await assertNoHorizontalOverflow(page(), 'with the molecule open');

      const opaque = await decodePng(page(), await viewerPng({ scale: 2 }));
      assert.deepEqual([opaque.width, opaque.height], [2 * width, 2 * height]);
      assert.equal(opaque.cornerAlpha, 255);
      assert.equal(opaque.clear, 0);
      const clear = await decodePng(page(), await viewerPng({ scale: 4, transparent: true }));
      assert.deepEqual([clear.width, clear.height], [4 * width, 4 * height]);
      assert.equal(clear.cornerAlpha, 0);
      assert.ok(clear.clear < clear.width * clear.height, 'the molecule is drawn (not every pixel is transparent)');

      // The viewer draws normally afterwards: same canvas size, same picture on screen, still drawing on changes.
      await page().waitForTimeout(200);
      assert.deepEqual(await canvasSize(), [width, height]);
      assert.deepEqual(await drawnCorner(), corner, 'the next frame has the opaque background again');
      assert.ok((await onScreen()).equals(before), 'the view on screen is the same picture as before the exports');
      await page().click('[data-testid="style-spacefill"]');
      await page().waitForTimeout(300);
      assert.ok(!(await onScreen()).equals(before), 'a style change still redraws the view');
      await page().click('[data-testid="style-ball-and-stick"]');
      await assertNoHorizontalOverflow(page(), 'after the exports and a style change');
      assert.deepEqual(app!.errors, [], 'no page or worker errors');
    });

    test(`${viewportWidth}×${viewportHeight}: the Export image… dialog lists each scale with its size and saves a 4× transparent and a 2× opaque PNG`, { skip, timeout: 180_000 }, async () => {
      await page().waitForTimeout(300);
      const [width, height] = await canvasSize();
      const before = await onScreen();
      await page().click('[data-testid="export-image-button"]');
      await page().waitForSelector('[data-testid="export-image-dialog"]');
      const labels = await page().$$eval('[data-testid="export-image-dialog"] [role="radiogroup"] label', (ls) => ls.map((l) => l.textContent));
      assert.deepEqual(labels, [`1× (${width} × ${height} px)`, `2× (${2 * width} × ${2 * height} px)`, `4× (${4 * width} × ${4 * height} px)`]);
      await assertNoHorizontalOverflow(page(), 'with the Export image dialog open');

      await page().check('[data-testid="export-image-scale-4"]');
      await page().check('[data-testid="export-image-transparent"]');
      assert.match((await page().textContent('[data-testid="export-image-file"]')) ?? '', /@4x-transparent\.png$/);
      const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid="export-image-save"]')]);
      assert.match(download.suggestedFilename(), /@4x-transparent\.png$/);
      const four = await decodePng(page(), new Uint8Array(await readFile((await download.path())!)));
      assert.deepEqual([four.width, four.height], [4 * width, 4 * height]);
      assert.equal(four.cornerAlpha, 0);
      await page().waitForSelector('[data-testid="export-image-dialog"]', { state: 'detached' });

      await page().click('[data-testid="export-image-button"]');
      await page().check('[data-testid="export-image-scale-2"]');
      assert.equal(await page().isChecked('[data-testid="export-image-transparent"]'), false, 'the dialog opens opaque again');
      const [second] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid="export-image-save"]')]);
      assert.match(second.suggestedFilename(), /@2x\.png$/);
      const two = await decodePng(page(), new Uint8Array(await readFile((await second.path())!)));
      assert.deepEqual([two.width, two.height, two.cornerAlpha], [2 * width, 2 * height, 255]);
      await page().waitForSelector('[data-testid="export-image-dialog"]', { state: 'detached' });

      await page().waitForTimeout(200);
      assert.deepEqual(await canvasSize(), [width, height]);
      assert.equal((await drawnCorner())[3], 255, 'the next frame is opaque again');
      await assertNoHorizontalOverflow(page(), 'after the dialog exports');
      assert.ok((await onScreen()).equals(before), 'the view on screen is unchanged by the dialog exports');
      assert.deepEqual(app!.errors, [], 'no page or worker errors');
    });

    test(`${viewportWidth}×${viewportHeight}: in a viewer too wide for a 4× image the dialog greys out 4× with the GPU limit, and 2× still exports`, { skip, timeout: 120_000 }, async () => {
      const { maxSide } = await page().evaluate(() => window.__equimolDebug!.viewer!.imageExportSize({ scale: 4 }));
      const [width] = await canvasSize();
      // Aim the canvas at 3/8 of the limit: 4× is then past it and 2× within (the side columns grow a little too).
      await page().setViewportSize({ width: viewportWidth - width + Math.round((3 * maxSide) / 8), height: viewportHeight });
      await page().waitForFunction((limit) => window.__equimolDebug!.viewer!.canvas.width * 4 > limit, maxSide);
      const [wide, high] = await canvasSize();
      assert.ok(2 * wide <= maxSide, `canvas ${wide} px wide: 2× fits the limit of ${maxSide}`);
      await page().click('[data-testid="export-image-button"]');
      assert.equal(await page().isDisabled('[data-testid="export-image-scale-4"]'), true, '4× cannot be chosen');
      const reason = await page().locator('[data-testid="export-image-scale-4"]').locator('xpath=..').getAttribute('title');
      assert.equal(reason, `${4 * wide} × ${4 * high} px is larger than this GPU's limit of ${maxSide} px per side.`);
      await assertNoHorizontalOverflow(page(), 'with the Export image dialog open in the widened window');
      assert.equal(await page().isDisabled('[data-testid="export-image-scale-2"]'), false);
      await page().check('[data-testid="export-image-scale-2"]');
      const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid="export-image-save"]')]);
      const two = await decodePng(page(), new Uint8Array(await readFile((await download.path())!)));
      assert.deepEqual([two.width, two.height], [2 * wide, 2 * high]);
      await page().setViewportSize({ width: viewportWidth, height: viewportHeight });
      await page().waitForFunction((w) => window.__equimolDebug!.viewer!.canvas.width === w, width);
      await assertNoHorizontalOverflow(page(), 'back at the test size');
      assert.deepEqual(app!.errors, [], 'no page or worker errors');
    });
  });
}
