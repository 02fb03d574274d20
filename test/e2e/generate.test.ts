/**
 * Web mode end to end with generation: the app built with the tiny gap-conditioned EDM fixture
 * (test/fixtures/generative) in place of assets/models' generators (a build-time rewrite of the worker's glob:
 * no generator ships yet), in Debian's Chromium at 1280×720 and 1920×1080 (one build for both). The Generate dialog lists the fixture, starts 6 molecules of
 * 20 steps with a gap target; the jobs panel shows molecules and steps while it runs; the generated document opens
 * with its score columns and statuses; the denoising trajectory plays in the viewer. The page is never wider than
 * the window (on open, with the dialog open, with the job done and its document shown).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromiumSkipReason } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, openWebApp } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-e2e-generate-'));

before(async () => {
  if (skip) return;
  await buildWebApp(dist, { catalogue: 'generator-catalogue.ts', folder: 'test/fixtures/generative/' });
});

after(() => rmSync(dist, { recursive: true, force: true }));

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: Generate from the UI: progress per molecule batch and step, the scored document, and the denoising trajectory played`, { skip, timeout: 90_000 }, async () => {
    const app = await openWebApp({ distDir: dist, width, height });
    const page = app.page;
    page.setDefaultTimeout(30_000);
    try {
      await assertNoHorizontalOverflow(page, 'on open');
      await page.click('[data-testid="generate-button"]');
      await page.waitForSelector('[data-testid="generate-dialog"] [data-testid="generator-tiny-qm9-gap"]');
      assert.equal(await page.inputValue('[data-testid="generate-steps"]'), '100', 'steps default to the trained T');
      await page.fill('[data-testid="generate-count"]', '6');
      await page.fill('[data-testid="generate-steps"]', '200');
      assert.match((await page.textContent('[data-testid="generate-problem"]')) ?? '', /Steps must be a whole number from 1 to 100/);
      await page.fill('[data-testid="generate-steps"]', '20');
      await page.fill('[data-testid="generate-seed"]', '2');
      assert.equal(await page.inputValue('[data-testid="generate-schedule"]'), 'uniform', 'the schedule defaults to uniform steps');
      await page.selectOption('[data-testid="generate-schedule"]', 'karras');
      await page.click('[data-testid="generate-use-target"]');
      await page.fill('[data-testid="generate-target"]', '6.5');
      assert.equal((await page.textContent('[data-testid="generate-problem"]')) ?? '', '');
      await assertNoHorizontalOverflow(page, 'with the Generate dialog open and a gap target set');
      await page.click('[data-testid="generate-start"]');

      let sawProgress = '';
      const started = Date.now();
      while (Date.now() - started < 60_000) {
        const state = await page.getAttribute('[data-testid="job"]', 'data-state');
        const status = (await page.textContent('[data-testid="job"] [data-testid="job-sampler"]').catch(() => null)) ?? '';
        if (/molecules [0-6]\/6 · step \d+\/21/.test(status)) sawProgress = status;
        if (state === 'done' || state === 'failed' || state === 'cancelled') break;
        await page.waitForTimeout(50);
      }
      assert.equal(await page.getAttribute('[data-testid="job"]', 'data-state'), 'done', `the job finished: ${await page.textContent('[data-testid="job"]')}`);
      assert.match(sawProgress, /molecules [0-6]\/6 · step \d+\/21/, 'the jobs panel showed molecules and steps');
      assert.match((await page.textContent('[data-testid="job"]')) ?? '', /20 steps, karras schedule/, 'the job ran on the chosen step schedule');

      // The generated document is shown with its score columns.
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '6');
      const header = (await page.textContent('[data-testid="structure-list"]')) ?? '';
      for (const label of ['Status', 'Stable atoms (fraction)', 'Molecule stable', 'Valid', 'Unique']) assert.ok(header.includes(label), `column ${label} in the table`);
      assert.match(header, /\d(ok|invalid)\d/, 'statuses listed');
      await assertNoHorizontalOverflow(page, 'with the generate job done and the scored document shown');

      // The denoising trajectory: 22 frames (z_T, 20 steps, the molecule); playing moves the viewer's frame.
      const tabs = page.locator('[data-testid="doc-tab"]');
      await tabs.filter({ hasText: 'denoising' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="frame-label"]')?.textContent?.endsWith('/22'));
      await assertNoHorizontalOverflow(page, 'with the denoising trajectory shown');
      const before = await page.evaluate(() => window.__equimolDebug?.viewer?.getState().frame);
      await page.click('[data-testid="frame-play"]');
      await page.waitForFunction((f) => window.__equimolDebug?.viewer?.getState().frame !== f, before);
      await page.click('[data-testid="frame-play"]');
      assert.deepEqual(app.errors, []);
    } finally {
      await app.close();
    }
  });
}
