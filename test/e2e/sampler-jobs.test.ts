/**
 * Web mode end to end with a sampler, at 1280×720 and 1920×1080 (one build for both): the built app in Debian's Chromium relaxes an rMD17 ethanol frame with
 * `model:egnn-ethanol-rmd17` (the session worker's calculator on the tfjs wasm backend) from the Relax dialog, and
 * runs molecular dynamics from the Run MD dialog. Checked: the live uPlot plots are drawn, the trajectory document
 * appears, the frame slider moves the viewer and the properties panel, the relax job's extXYZ is byte for byte the
 * file `equimol relax --calculator model:egnn-ethanol-rmd17` writes and the trajectory's exported final frame has
 * its energy and positions, and cancelling MD keeps the frames so far. The page is never wider than the window
 * (dialogs open, jobs running and done, trajectory panel shown).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz';
import type { Structure } from '../../core/structure';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { DATASETS_DIR } from './fixture-files';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, openWebApp, type WebApp } from './web-app-harness';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const CALCULATOR = 'model:egnn-ethanol-rmd17';
const skip = chromiumSkipReason() || (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`);
let app: WebApp | undefined;
const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-sampler-'));
const dist = mkdtempSync(join(tmpdir(), 'equimol-e2e-sampler-web-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(dist, { recursive: true, force: true });
});

const ethanolFrame = (): string => ethanolFramesText(ETHANOL, 1);

function readExtxyz(path: string): Structure[] {
  const { structures, errors } = readText(readFileSync(path, 'utf8'), path, extxyzFormat);
  assert.deepEqual(errors, [], `${path} reads back`);
  return structures;
}

/** Coloured pixels of a plot's canvas (the series lines), read in the page. */
async function plotInk(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"] canvas`);
    if (!canvas) return -1;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 100 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 60) ink++;
    return ink;
  }, testId);
}

async function property(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => {
    for (const row of document.querySelectorAll('[data-testid="properties"] tr')) {
      const cells = row.querySelectorAll('td');
      if (cells[0]?.textContent === k) return cells[1]?.textContent ?? null;
    }
    return null;
  }, key);
}

async function setSlider(page: Page, frame: number): Promise<void> {
  await page.$eval(
    '[data-testid="frame-slider"]',
    (el, value) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(value));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    frame,
  );
}

const frameCount = async (page: Page) => Number(((await page.textContent('[data-testid="frame-label"]')) ?? '0/0').split('/')[1]);

/** Opens the dialog of `button` on the source structure (first tab, first row) and chooses the model calculator. */
async function openDialog(page: Page, button: 'relax-button' | 'md-button'): Promise<void> {
  await page.click('[data-testid="doc-tab"]:first-child');
  await page.click('.vtable-row');
  await page.click(`[data-testid="${button}"]`);
  const option = page.locator(`[data-testid="calculator-option"][data-id="${CALCULATOR}"]`);
  await option.waitFor();
  assert.equal(await option.getAttribute('data-disabled'), 'false', `${CALCULATOR} covers H, C, O`);
  await option.click();
  await assertNoHorizontalOverflow(page, `with the ${button === 'relax-button' ? 'Relax' : 'Run MD'} dialog open`);
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${width}×${height}`, () => {
    before(async () => {
      if (skip) return;
      app = await openWebApp({ distDir: dist, width, height });
      app.page.setDefaultTimeout(30_000);
    });
    after(async () => {
      await app?.close();
      app = undefined;
    });

    test(`${width}×${height}: Relax from the UI: live plot, trajectory document, slider and properties, final structure as \`equimol relax\` writes it`, { skip, timeout: 90_000 }, async () => {
      const page = app!.page;
      const text = ethanolFrame();
      writeFileSync(join(dir, 'ethanol1.extxyz'), text);
      await dropFiles(page, [{ name: 'ethanol1.extxyz', bytes: new TextEncoder().encode(text) }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '1');
      await assertNoHorizontalOverflow(page, 'with the ethanol frame open');

      await openDialog(page, 'relax-button');
      await page.click('[data-testid="sampler-start"]');
      await page.waitForSelector('[data-testid="trajectory-panel"]');
      await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 60_000 });
      await page.waitForSelector('[data-testid="trajectory-panel"][data-live="false"]');
      const frames = await frameCount(page);
      assert.ok(frames > 2, `the relaxation took steps: ${frames} frames`);
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="plot-relax"]')?.getAttribute('data-points')) === n, frames);
      assert.ok((await plotInk(page, 'plot-relax')) > 200, 'the energy and fmax lines are drawn');
      await assertNoHorizontalOverflow(page, 'with the relax job done and its trajectory panel shown');

      // The last frame is shown; the slider moves the viewer and the properties panel to another one.
      assert.equal(await property(page, 'step'), String(frames - 1));
      const lastFmax = Number(await property(page, 'fmax'));
      assert.ok(lastFmax <= 0.05, `converged: fmax ${lastFmax} eV/Å`);
      await setSlider(page, 1);
      await page.waitForFunction(() => document.querySelector('[data-testid="frame-label"]')?.textContent?.startsWith('2/'));
      assert.equal(await property(page, 'step'), '1');
      assert.equal(await page.evaluate(() => window.__equimolDebug?.viewer?.getState().frame), 1);
      assert.ok(Number(await property(page, 'fmax')) > lastFmax, 'frame 2 has larger forces than the relaxed one');

      // Export the final structure as extXYZ and relax the same file with the CLI on the same (wasm) backend.
      await page.selectOption('[data-testid="trajectory-format"]', 'extxyz');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-final"]')]);
      const uiPath = join(dir, 'ui-final.extxyz');
      await download.saveAs(uiPath);
      const cli = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), resolve(REPO_ROOT, 'main/cli/equimol.ts'), 'relax', 'ethanol1.extxyz', '--calculator', CALCULATOR, '--out', 'cli.extxyz'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, EQUIMOL_NATIVE: '0' },
      });
      assert.equal(cli.status, 0, `equimol relax failed: ${cli.stderr}`);
      const [ui] = readExtxyz(uiPath);
      const cliStructures = readExtxyz(join(dir, 'cli.extxyz'));
      assert.equal(cliStructures.length, 1);
      const fromCli = cliStructures[0]!;
      // The trajectory's final frame carries the frame columns (name, step) and the CLI's record the batch ones (the
      // source's properties, steps, converged), so those files differ in their comment lines: compare what both hold.
      // The browser and the CLI both run the model on tfjs-wasm (EQUIMOL_NATIVE=0), so the numbers agree exactly.
      assert.deepEqual(Array.from(ui!.numbers), Array.from(fromCli.numbers));
      // Frames are steps 0 (the input) to the last: the CLI counts the steps after the input.
      assert.equal(Number(ui!.properties['step']), frames - 1);
      assert.equal(Number(fromCli.properties['steps']), frames - 1, 'the CLI took as many steps as the UI trajectory has after its first frame');
      const energyGap = Math.abs(Number(ui!.properties['energy']) - Number(fromCli.properties['energy']));
      assert.ok(energyGap <= 1e-9, `final energy: UI ${ui!.properties['energy']}, CLI ${fromCli.properties['energy']} eV`);
      let positionGap = 0;
      for (let i = 0; i < ui!.positions.length; i++) positionGap = Math.max(positionGap, Math.abs(ui!.positions[i]! - fromCli.positions[i]!));
      assert.ok(positionGap <= 1e-9, `final positions equal to the CLI's, largest difference ${positionGap} Å`);
      // The job's own extXYZ (the relaxed structures, from the jobs panel) is the file the CLI writes.
      const [jobDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="job"][data-state="done"] [data-testid="export-extxyz"]')]);
      const jobPath = join(dir, 'ui-job.extxyz');
      await jobDownload.saveAs(jobPath);
      assert.equal(readFileSync(jobPath, 'utf8'), readFileSync(join(dir, 'cli.extxyz'), 'utf8'), 'the relax job exports the bytes `equimol relax` writes');
      assert.deepEqual(app!.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    });

    test(`${width}×${height}: Run MD from the UI: live plots while it runs, cancel keeps the frames so far, and they play`, { skip, timeout: 90_000 }, async () => {
      const page = app!.page;
      await openDialog(page, 'md-button');
      // Long enough that the run is cancelled in the middle: 20000 steps, a frame every 10.
      await page.fill('[data-testid="md-steps"]', '20000');
      await page.click('[data-testid="sampler-start"]');
      await page.waitForSelector('[data-testid="trajectory-panel"][data-live="true"]');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="plot-temperature"]')?.getAttribute('data-points')) >= 5, undefined, { timeout: 60_000 });
      assert.ok((await plotInk(page, 'plot-temperature')) > 50, 'the temperature line is drawn');
      assert.ok((await plotInk(page, 'plot-energy')) > 50, 'the energy lines are drawn');
      const status = (await page.textContent('[data-testid="job"][data-state="running"] [data-testid="job-sampler"]')) ?? '';
      await assertNoHorizontalOverflow(page, 'with the MD job running and its live plots');
      assert.match(status, /^step [\d,]+\/20,000 · E -?\d+\.\d{4} eV · (fmax [\d.]+ eV\/Å · )?T \d+ K · [\d.]+ fs$/);

      await page.click('[data-testid="job"][data-state="running"] [data-testid="cancel-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="cancelled"]');
      await page.waitForSelector('[data-testid="trajectory-panel"][data-live="false"]');
      const kept = await frameCount(page);
      assert.ok(kept >= 5 && kept < 2001, `the cancelled run kept ${kept} of 2001 frames`);
      assert.ok(Number(await property(page, 'temperature')) > 0, 'a frame has its temperature');
      await assertNoHorizontalOverflow(page, 'with the MD job cancelled');

      await page.click('[data-testid="frame-play"]');
      const first = await page.evaluate(() => window.__equimolDebug!.viewer!.getState().frame);
      await page.waitForFunction((f) => window.__equimolDebug!.viewer!.getState().frame !== f, first);
      await page.click('[data-testid="frame-play"]');
      assert.deepEqual(app!.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    });
  });
}
