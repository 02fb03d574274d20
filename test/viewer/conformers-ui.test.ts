// The Conformers UI in headless Chromium against a scripted in-page EquimolApi (test/viewer/pages/
// conformers-ui-page.tsx): the dialog's defaults, checks and request; per-rung progress with the ESS in the jobs
// panel; the ensemble document with its relative energy and weight columns first; the other conformers overlaid
// in the viewer and superposed on the lowest by their heavy atoms; the uPlot bar chart (drawn, click selects a
// conformer); and SDF export. The same flow against the real session is test/e2e/conformers.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, type BrowserPage } from '../helpers/browser';

const skip = chromiumSkipReason();
let session: BrowserPage | null = null;
const SCREENSHOT = process.env['EQUIMOL_CONFORMERS_SCREENSHOT'];

before(async () => {
  if (!chromiumAvailable()) return;
  session = await openBrowserPage({ entry: 'test/viewer/pages/conformers-ui-page.tsx', readyGlobal: 'conformersUiPageReady', width: 1400, height: 900, headHtml: '<link rel="stylesheet" href="page.css">' });
  session.page.setDefaultTimeout(15_000);
});
after(async () => {
  await session?.close();
});

interface PageState {
  started: Array<Record<string, unknown>>;
  exported: Array<{ id: string; format: string; indices: number[] | null }>;
  weights: number[];
}
const pageState = (page: Page) => page.evaluate(() => (globalThis as unknown as { conformersUiTest: PageState }).conformersUiTest);

/** Coloured (non-transparent, non-grey) pixels of the chart's canvas: the bars. */
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

test('the Conformers dialog starts 16 replicas from 1200 K to 298.15 K over 6 rungs of 50 steps, 6 kcal/mol and 0.125 Å by default, and refuses a population of 1', { skip }, async () => {
  const page = session!.page;
  await page.click('[data-testid="doc-tab"]:first-child');
  await page.click('.vtable-row');
  await page.waitForSelector('[data-testid="conformers-button"]:not([disabled])');
  await page.click('[data-testid="conformers-button"]');
  await page.waitForSelector('[data-testid="conformers-dialog"] [data-testid="calculator-option"]');
  const options = await page.$$eval('[data-testid="calculator-option"]', (els) => els.map((e) => [e.getAttribute('data-id'), e.getAttribute('data-disabled')]));
  assert.deepEqual(options, [['model:egnn-ethanol-rmd17', 'false'], ['model:only-h', 'true'], ['xtb:gfn2', 'true']]);
  const value = (id: string) => page.inputValue(`[data-testid="${id}"]`);
  assert.deepEqual([await value('conformers-population'), await value('conformers-start-temperature'), await value('conformers-temperature'), await value('conformers-window')], ['16', '1200', '298.15', '6']);
  await page.click('[data-testid="conformers-advanced"]');
  assert.deepEqual([await value('conformers-rungs'), await value('conformers-steps'), await value('conformers-rmsd'), await value('conformers-ess'), await value('conformers-seed')], ['6', '50', '0.125', '0.5', '1']);
  await page.fill('[data-testid="conformers-population"]', '1');
  assert.match((await page.textContent('[data-testid="conformers-problem"]')) ?? '', /Population must be a whole number ≥ 2, got 1/);
  assert.equal(await page.isDisabled('[data-testid="conformers-start"]'), true);
  await page.fill('[data-testid="conformers-population"]', '12');
  await page.fill('[data-testid="conformers-seed"]', '7');
  await page.click('[data-testid="conformers-start"]');
  const { started } = await pageState(page);
  assert.deepEqual(started[0], {
    kind: 'conformers',
    docIds: ['doc-source'],
    indices: [0],
    calculator: 'model:egnn-ethanol-rmd17',
    population: 12,
    startTemperature: 1200,
    temperature: 298.15,
    rungs: 6,
    stepsPerRung: 50,
    essThreshold: 0.5,
    windowKcal: 6,
    rmsdThreshold: 0.125,
    seed: 7,
  });
});

test('the jobs panel shows the rung and the ESS of every rung so far while the job anneals', { skip }, async () => {
  const page = session!.page;
  await page.waitForFunction(() => /rung [3-6]\/6/.test(document.querySelector('[data-testid="job"] [data-testid="job-sampler"]')?.textContent ?? ''));
  const text = (await page.textContent('[data-testid="job"] [data-testid="job-sampler"]')) ?? '';
  assert.match(text, /^annealing · rung (\d)\/6 · T \d+ K · ESS (\d+\.\d, )+\d+\.\d · E -4209\.\d{4} eV$/);
  const rung = Number(/rung (\d)/.exec(text)![1]);
  const ess = /ESS ([\d., ]+) ·/.exec(text)![1]!.split(', ').map(Number);
  assert.equal(ess.length, rung, 'one ESS per rung so far');
  assert.equal(ess[0], 10.8, 'rung 1 of 12 replicas: ESS 0.9 × 12');
});

test('the finished ensemble is shown: relative energy and weight columns first, the other three conformers overlaid and superposed on the lowest', { skip }, async () => {
  const page = session!.page;
  await page.waitForSelector('[data-testid="job"][data-state="done"]');
  await page.waitForSelector('[data-testid="conformers-panel"]');
  await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().overlayStructures === 3);
  const headers = await page.$$eval('.vtable-head .cell', (els) => els.map((e) => e.textContent?.replace(/[▲▼]/g, '').trim()));
  assert.deepEqual(headers.slice(4, 6), ['relative_energy [kcal/mol]', 'boltzmann_weight'], headers.join(' | '));
  const info = await page.evaluate(() => window.__equimolDebug!.viewer!.getInfo());
  assert.equal(info.overlayAtoms, 27, '3 conformers of 9 atoms');
  // Heavy atoms (C, C, O) of every overlaid conformer lie on the shown lowest one; the hydroxyl H does not.
  const gaps = await page.evaluate(() => {
    const state = window.__equimolDebug!.viewer!.getState();
    const ref = state.structure!.positions;
    return state.overlay.map((s) => {
      let heavy = 0;
      for (let i = 0; i < 3; i++) for (let c = 0; c < 3; c++) heavy = Math.max(heavy, Math.abs(s.positions[3 * i + c]! - ref[3 * i + c]!));
      const h = Math.hypot(s.positions[24]! - ref[24]!, s.positions[25]! - ref[25]!, s.positions[26]! - ref[26]!);
      return { name: s.name, heavy, h };
    });
  });
  assert.deepEqual(gaps.map((g) => g.name), ['ethanol conformer 2', 'ethanol conformer 3', 'ethanol conformer 4']);
  for (const g of gaps) {
    assert.ok(g.heavy < 1e-6, `${g.name}: heavy atoms ${g.heavy} Å from the lowest conformer's after superposition`);
    assert.ok(g.h > 0.5, `${g.name}: its hydroxyl H is elsewhere (${g.h} Å)`);
  }
});

test('the energy and weight chart is drawn, and clicking the third bar selects conformer 3 (the others overlaid on it)', { skip }, async () => {
  const page = session!.page;
  await page.waitForSelector('[data-testid="conformer-chart"][data-bars="4"]');
  assert.ok((await chartInk(page)) > 300, 'the bars are drawn');
  assert.match((await page.textContent('[data-testid="conformers-summary"]')) ?? '', /4 conformers · model:egnn-ethanol-rmd17 · #1: ΔE 0\.00 kcal\/mol · weight 0\.\d{3}/);
  // x runs from rank 1 − 0.6 to rank 4 + 0.6: rank 3 sits at (3 − 0.4) / 4.2 of the plot's width.
  const box = (await page.locator('[data-testid="conformer-chart"] .u-over').boundingBox())!;
  const x = box.x + (box.width * (3 - 0.4)) / 4.2, y = box.y + box.height * 0.9;
  await page.mouse.move(x, y);
  await page.mouse.click(x, y);
  await page.waitForSelector('[data-testid="conformer-chart"][data-selected="2"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getState().structure?.name === 'ethanol conformer 3');
  const overlay = await page.evaluate(() => window.__equimolDebug!.viewer!.getState().overlay.map((s) => s.name));
  assert.deepEqual(overlay, ['ethanol conformer 1', 'ethanol conformer 2', 'ethanol conformer 4']);
  const { weights } = await pageState(page);
  assert.match((await page.textContent('[data-testid="conformers-summary"]')) ?? '', new RegExp(`#3: ΔE 1\\.10 kcal/mol · weight ${weights[2]!.toFixed(3)}`));
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });
});

/** Pixels of the viewer's picture that differ from its top-left (background) pixel. */
async function viewerInk(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const image = new Image();
    image.src = window.__equimolDebug!.viewer!.toDataURL();
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - data[0]!) + Math.abs(data[i + 1]! - data[1]!) + Math.abs(data[i + 2]! - data[2]!) > 24) ink++;
    return ink;
  });
}

test('the overlay is visible: in wireframe the three other conformers add pixels to the shown one, and toggle off', { skip }, async () => {
  const page = session!.page;
  await page.click('[data-testid="style-wireframe"]');
  const withOverlay = await viewerInk(page);
  if (SCREENSHOT) await page.locator('[data-testid="viewer"]').screenshot({ path: SCREENSHOT.replace(/\.png$/, '') + '-overlay.png' });
  await page.click('[data-testid="conformers-overlay"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().overlayStructures === 0);
  const without = await viewerInk(page);
  await page.click('[data-testid="conformers-overlay"]');
  await page.click('[data-testid="style-ball-and-stick"]');
  assert.ok(withOverlay > without + 300, `the overlay adds pixels: ${withOverlay} with, ${without} without`);
});

test('the overlay toggles off and on, and Export SDF exports the whole ensemble, Selected the shown conformer', { skip }, async () => {
  const page = session!.page;
  await page.click('[data-testid="conformers-overlay"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().overlayStructures === 0);
  await page.click('[data-testid="conformers-overlay"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().overlayStructures === 3);
  await page.click('[data-testid="export-ensemble-sdf"]');
  await page.click('[data-testid="export-conformer"]');
  await page.waitForFunction(() => (globalThis as unknown as { conformersUiTest: PageState }).conformersUiTest.exported.length === 2);
  const { exported } = await pageState(page);
  assert.deepEqual(exported.map((e) => [e.format, e.indices]), [['sdf', null], ['sdf', [2]]]);
  assert.deepEqual(session!.errors, []);
});
