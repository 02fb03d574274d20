/**
 * Web mode end to end with conformer ensembles, at 1280×720 and 1920×1080 (one build for both): the built app in Debian's Chromium runs the Conformers action on
 * an rMD17 ethanol frame with `model:egnn-ethanol-rmd17` (the session worker's calculator on the tfjs wasm
 * backend; a tiny population and few steps so it takes well under a minute). Checked: the jobs panel reports
 * the rungs with their ESS, the ensemble document is shown with the other conformers overlaid in the viewer
 * (the viewer's overlay count, superposed by their heavy atoms, visible as extra pixels) and the energy and weight chart drawn (coloured pixels on its canvas), and the
 * ensemble's SDF export has energy, relative_energy and boltzmann_weight fields on every record, energies
 * ascending, relative energies from the lowest, and weights summing to 1; the page is never wider than the window
 * (dialog open, job done, ensemble panel shown). Screenshot of the 1280×720 run: $EQUIMOL_CONFORMERS_SCREENSHOT.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { DATASETS_DIR } from './fixture-files';
import { assertNoHorizontalOverflow, buildWebApp, canvasPixelStats, dropFiles, openWebApp } from './web-app-harness';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const JOB_KIND = resolve(REPO_ROOT, 'core/session/jobs/conformers-job-kind.ts');
const CALCULATOR = 'model:egnn-ethanol-rmd17';
const SCREENSHOT = process.env['EQUIMOL_CONFORMERS_SCREENSHOT'];
const skip =
  chromiumSkipReason() ||
  (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`) ||
  (existsSync(JOB_KIND) ? false : `the conformers job kind (${JOB_KIND}) is not in this checkout`);
const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-conformers-'));
const dist = mkdtempSync(join(tmpdir(), 'equimol-e2e-conformers-web-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(dist, { recursive: true, force: true });
});

const ethanolFrame = (): string => ethanolFramesText(ETHANOL, 1);

/** The data fields (`> <name>` and the value line after it) of every record of an SD file. */
function sdfFields(text: string): Array<Record<string, string>> {
  return text
    .split(/^\$\$\$\$\r?$/m)
    .filter((record) => record.trim() !== '')
    .map((record) => {
      const fields: Record<string, string> = {};
      const lines = record.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const m = /^>.*<([^>]+)>/.exec(lines[i]!);
        if (m) fields[m[1]!] = (lines[i + 1] ?? '').trim();
      }
      return fields;
    });
}

/** Coloured pixels of the chart's canvas (the bars), read in the page. */
async function chartInk(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="conformer-chart"] canvas');
    if (!canvas) return -1;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 100 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 60) ink++;
    return ink;
  });
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: Conformers from the UI on ethanol: rungs with ESS, the ensemble overlaid and charted, SDF with energies and weights summing to 1`, { skip, timeout: 120_000 }, async () => {
    const app = await openWebApp({ distDir: dist, width, height });
    const page = app.page;
    page.setDefaultTimeout(30_000);
    try {
      const text = ethanolFrame();
      await dropFiles(page, [{ name: 'ethanol1.extxyz', bytes: new TextEncoder().encode(text) }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '1');
      await assertNoHorizontalOverflow(page, 'with the ethanol frame open');
      await page.click('.vtable-row');
      await page.click('[data-testid="conformers-button"]');
      const option = page.locator(`[data-testid="conformers-dialog"] [data-testid="calculator-option"][data-id="${CALCULATOR}"]`);
      await option.waitFor();
      assert.equal(await option.getAttribute('data-disabled'), 'false', `${CALCULATOR} covers H, C, O`);
      await option.click();
      await assertNoHorizontalOverflow(page, 'with the Conformers dialog open');
      await page.fill('[data-testid="conformers-population"]', '6');
      await page.fill('[data-testid="conformers-start-temperature"]', '800');
      await page.click('[data-testid="conformers-advanced"]');
      await page.fill('[data-testid="conformers-rungs"]', '3');
      await page.fill('[data-testid="conformers-steps"]', '20');
      await page.fill('[data-testid="conformers-seed"]', '3');
      await assertNoHorizontalOverflow(page, 'with the Conformers dialog\'s advanced settings open');
      await page.click('[data-testid="conformers-start"]');

      // Progress: the rung out of 3 and the ESS of each rung so far, at some point while it runs.
      let sawRung = '';
      const started = Date.now();
      while (Date.now() - started < 90_000) {
        const state = await page.getAttribute('[data-testid="job"]', 'data-state');
        const status = (await page.textContent('[data-testid="job"] [data-testid="job-sampler"]').catch(() => null)) ?? '';
        if (/rung \d\/3/.test(status) && /ESS \d/.test(status)) sawRung = status;
        if (state === 'done' || state === 'failed' || state === 'cancelled') break;
        await page.waitForTimeout(100);
      }
      const finalState = await page.getAttribute('[data-testid="job"]', 'data-state');
      assert.equal(finalState, 'done', `the job finished: ${await page.textContent('[data-testid="job"] .title')}`);
      assert.match(sawRung, /rung [1-3]\/3 · .*ESS \d+\.\d/, 'the jobs panel showed a rung with its ESS');

      // The ensemble document is shown, its conformers overlaid, the chart drawn.
      await page.waitForSelector('[data-testid="conformers-panel"]');
      const count = Number(await page.getAttribute('[data-testid="conformer-chart"]', 'data-bars'));
      assert.ok(count >= 1, `the ensemble has ${count} conformers`);
      await page.waitForFunction((n) => window.__equimolDebug?.viewer?.getInfo().overlayStructures === n - 1, count);
      const info = await page.evaluate(() => window.__equimolDebug!.viewer!.getInfo());
      assert.equal(info.overlayAtoms, 9 * (count - 1), 'every other conformer is overlaid, 9 atoms each');
      assert.ok((await chartInk(page)) > 100, 'the energy and weight bars are drawn');
      await assertNoHorizontalOverflow(page, 'with the conformers job done and the ensemble panel shown');
      // Superposed on the lowest: ethanol's C–C–O triangle is rigid, so each overlaid conformer's heavy atoms lie on the shown one's.
      const heavyRmsd = await page.evaluate(() => {
        const state = window.__equimolDebug!.viewer!.getState();
        const ref = state.structure!;
        const heavy = [...ref.numbers.keys()].filter((i) => ref.numbers[i]! > 1);
        return state.overlay.map((s) => Math.sqrt(heavy.reduce((sum, i) => sum + [0, 1, 2].reduce((d, c) => d + (s.positions[3 * i + c]! - ref.positions[3 * i + c]!) ** 2, 0), 0) / heavy.length));
      });
      for (const rmsd of heavyRmsd) assert.ok(rmsd < 0.1, `overlaid conformer's heavy atoms ${rmsd.toFixed(3)} Å RMSD from the shown one's`);
      if (SCREENSHOT && width === 1280) await page.screenshot({ path: SCREENSHOT });
      // The overlay is visible: in wireframe (1-pixel lines for the shown conformer, 0.09 Å sticks for the others) the
      // viewer draws more non-background pixels with it than without.
      await page.click('[data-testid="style-wireframe"]');
      const withOverlay = await canvasPixelStats(page);
      if (SCREENSHOT && width === 1280) await page.locator('[data-testid="viewer"]').screenshot({ path: SCREENSHOT.replace(/\.png$/, '') + '-overlay.png' });
      await page.click('[data-testid="conformers-overlay"]');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().overlayStructures === 0);
      const without = await canvasPixelStats(page);
      await page.click('[data-testid="conformers-overlay"]');
      await page.click('[data-testid="style-ball-and-stick"]');
      if (count > 1) assert.ok(withOverlay.nonBackground > without.nonBackground + 100, `the overlay adds pixels: ${withOverlay.nonBackground} with, ${without.nonBackground} without`);

      // SDF export of the ensemble: the fields, energies ascending from the lowest, weights summing to 1.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-ensemble-sdf"]')]);
      const path = join(dir, 'ensemble.sdf');
      await download.saveAs(path);
      const records = sdfFields(readFileSync(path, 'utf8'));
      assert.equal(records.length, count, 'one SD record per conformer');
      for (const [k, r] of records.entries()) for (const key of ['energy', 'relative_energy', 'boltzmann_weight']) assert.ok(Number.isFinite(Number(r[key])), `record ${k + 1} has a numeric ${key}: ${JSON.stringify(r)}`);
      const energies = records.map((r) => Number(r['energy']));
      for (let k = 1; k < count; k++) assert.ok(energies[k]! >= energies[k - 1]!, `sorted by energy: ${energies.join(', ')} eV`);
      const kcalPerEv = 96.485332 / 4.184;
      for (const [k, r] of records.entries()) {
        const expected = (energies[k]! - energies[0]!) * kcalPerEv;
        assert.ok(Math.abs(Number(r['relative_energy']) - expected) < 1e-3, `record ${k + 1}: relative_energy ${r['relative_energy']} kcal/mol, from the energies ${expected}`);
      }
      const weights = records.map((r) => Number(r['boltzmann_weight']));
      const sum = weights.reduce((s, w) => s + w, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6 * Math.max(1, count), `weights sum to 1: ${weights.join(' + ')} = ${sum}`);
      for (let k = 1; k < count; k++) assert.ok(weights[k]! <= weights[k - 1]! + 1e-12, 'a higher conformer weighs no more than a lower one');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    } finally {
      await app.close();
    }
  });
}
