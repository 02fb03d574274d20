// The Relax / Run MD UI in headless Chromium against a scripted in-page EquimolApi (test/viewer/pages/
// sampler-ui-page.tsx): the dialog's requests and calculator greying, the live uPlot plots, the frame slider
// and plot seeking driving the viewer and the properties panel, force arrows, cancel and export calls.
// The same flows against the real session and a model calculator are in test/e2e/sampler-jobs.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, type BrowserPage } from '../helpers/browser';

const skip = chromiumSkipReason();
let session: BrowserPage | null = null;

before(async () => {
  if (!chromiumAvailable()) return;
  session = await openBrowserPage({ entry: 'test/viewer/pages/sampler-ui-page.tsx', readyGlobal: 'samplerUiPageReady', width: 1400, height: 900, headHtml: '<link rel="stylesheet" href="page.css">' });
  session.page.setDefaultTimeout(15_000);
});
after(async () => {
  await session?.close();
});

interface PageState {
  started: Array<Record<string, unknown>>;
  exported: Array<{ id: string; format: string; indices: number[] | null }>;
}
const pageState = (page: Page) => page.evaluate(() => (globalThis as unknown as { samplerUiTest: PageState }).samplerUiTest);

/** Coloured (non-transparent, non-grey) pixels of a plot's canvas: the series lines and the cursor. */
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

/** Value of a row of the properties panel. */
async function property(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => {
    for (const row of document.querySelectorAll('[data-testid="properties"] tr')) {
      const cells = row.querySelectorAll('td');
      if (cells[0]?.textContent === k) return cells[1]?.textContent ?? null;
    }
    return null;
  }, key);
}

async function selectFirstRow(page: Page): Promise<void> {
  await page.click('[data-testid="doc-tab"]:first-child');
  await page.click('.vtable-row');
  await page.waitForSelector('[data-testid="md-button"]:not([disabled])');
}

test('the Relax dialog greys out calculators with their reason and starts ANCopt at level normal on the selected molecule; FIRE shows fmax', { skip }, async () => {
  const page = session!.page;
  await selectFirstRow(page);
  await page.click('[data-testid="relax-button"]');
  await page.waitForSelector('[data-testid="calculator-option"]');
  const options = await page.$$eval('[data-testid="calculator-option"]', (els) => els.map((e) => ({ id: e.getAttribute('data-id'), disabled: e.getAttribute('data-disabled'), title: e.getAttribute('title'), text: e.textContent })));
  assert.deepEqual(options.map((o) => [o.id, o.disabled]), [['model:egnn-ethanol-rmd17', 'false'], ['model:only-h', 'true'], ['xtb:gfn2', 'true']]);
  assert.equal(options[1]!.title, 'covers H only; structure 1 has C, O');
  assert.ok(options[2]!.text!.includes('xtb is not available in the browser'), options[2]!.text!);
  assert.equal(await page.inputValue('[data-testid="relax-level"]'), 'normal');
  await page.click('[data-testid="sampler-advanced"]');
  assert.equal(await page.inputValue('[data-testid="relax-optimizer"]'), 'anc');
  assert.equal(await page.locator('[data-testid="relax-max-step"]').count(), 0, 'ANCopt has no max-step field');
  // FIRE converges on fmax: its field appears with the default 0.05 eV/Å; back to ANCopt for the run.
  await page.selectOption('[data-testid="relax-optimizer"]', 'fire');
  assert.equal(await page.inputValue('[data-testid="relax-fmax"]'), '0.05');
  await page.selectOption('[data-testid="relax-optimizer"]', 'anc');
  await page.click('[data-testid="sampler-start"]');
  const { started } = await pageState(page);
  assert.deepEqual(started[0], { kind: 'relax', docIds: ['doc-source'], indices: [0], calculator: 'model:egnn-ethanol-rmd17', optimizer: 'anc', level: 'normal', maxSteps: 500 });
});

test('the relax trajectory is shown live: a drawn plot, a slider that moves frames, the properties panel follows', { skip }, async () => {
  const page = session!.page;
  await page.waitForSelector('[data-testid="trajectory-panel"][data-live="false"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="frame-label"]')?.textContent === '20/20');
  assert.ok((await plotInk(page, 'plot-relax')) > 200, 'the energy and fmax lines are drawn');
  assert.equal(await property(page, 'step'), '19');
  // Slider to frame 6 (0-based 5): the viewer and the properties panel show that frame.
  await page.$eval('[data-testid="frame-slider"]', (el) => {
    const input = el as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, '5');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="frame-label"]')?.textContent === '6/20');
  assert.equal(await property(page, 'step'), '5');
  const viewerFrame = await page.evaluate(() => window.__equimolDebug?.viewer?.getState().frame);
  assert.equal(viewerFrame, 5);
  // Clicking the plot's left edge seeks to the first frame.
  const box = (await page.locator('[data-testid="plot-relax"] .u-over').boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.click(box.x + 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="frame-label"]')?.textContent === '1/20');
  assert.equal(await property(page, 'step'), '0');
});

test('force arrows toggle on frames with forces', { skip }, async () => {
  const page = session!.page;
  const arrows = () => page.evaluate(() => window.__equimolDebug!.viewer!.getInfo().forceArrows);
  assert.equal(await arrows(), 0);
  await page.click('[data-testid="forces-button"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().forceArrows > 0);
  await page.click('[data-testid="forces-button"]');
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().forceArrows === 0);
});

test('export sends the frame, the final structure or every frame; POSCAR only for one structure', { skip }, async () => {
  const page = session!.page;
  const tabs = await page.evaluate(() => document.querySelectorAll('[data-testid="doc-tab"]').length);
  assert.ok(tabs >= 2, `the trajectory has its own tab (${tabs} tabs)`);
  await page.click('[data-testid="export-final"]');
  await page.click('[data-testid="export-trajectory"]');
  await page.selectOption('[data-testid="trajectory-format"]', 'poscar');
  assert.equal(await page.isDisabled('[data-testid="export-trajectory"]'), true);
  await page.click('[data-testid="export-frame"]');
  await page.waitForFunction(() => (globalThis as unknown as { samplerUiTest: PageState }).samplerUiTest.exported.length === 3);
  const { exported } = await pageState(page);
  assert.deepEqual(exported.map((e) => [e.format, e.indices]), [['extxyz', [19]], ['extxyz', null], ['poscar', [0]]]);
});

test('MD starts Langevin 300 K, 0.5 fs, 1000 steps every 10 with seed 1 and the fixed atoms, plots T and energies, and cancel keeps the frames so far', { skip }, async () => {
  const page = session!.page;
  await selectFirstRow(page);
  await page.click('[data-testid="md-button"]');
  await page.waitForSelector('[data-testid="calculator-option"]');
  assert.equal(await page.inputValue('[data-testid="md-temperature"]'), '300');
  await page.click('[data-testid="sampler-advanced"]');
  await page.fill('[data-testid="sampler-fixed"]', '12');
  assert.match((await page.textContent('[data-testid="sampler-problem"]')) ?? '', /Fixed atoms: atom 12 is beyond the 9 atoms/);
  assert.equal(await page.isDisabled('[data-testid="sampler-start"]'), true);
  await page.fill('[data-testid="sampler-fixed"]', '1-2');
  await page.click('[data-testid="sampler-start"]');
  const { started } = await pageState(page);
  assert.deepEqual(started[1], { kind: 'md', docId: 'doc-source', index: 0, calculator: 'model:egnn-ethanol-rmd17', thermostat: 'langevin', temperature: 300, timestep: 0.5, steps: 1000, every: 10, seed: 1, friction: 0.01, fixedAtoms: [0, 1] });
  await page.waitForSelector('[data-testid="trajectory-panel"][data-live="true"]');
  // The atoms held in place are marked in the viewer.
  await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().fixedMarkers === 2);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="plot-temperature"]')?.getAttribute('data-points')) >= 10);
  assert.ok((await plotInk(page, 'plot-temperature')) > 100);
  assert.ok((await plotInk(page, 'plot-energy')) > 100);
  const sampler = await page.textContent('[data-testid="job"][data-state="running"] [data-testid="job-sampler"]');
  assert.match(sampler ?? '', /^step \d+\/101 · E -4\d{3}\.\d{4} eV · T \d+ K · \d+\.\d fs$/);
  await page.click('[data-testid="job"][data-state="running"] [data-testid="cancel-job"]');
  await page.waitForSelector('[data-testid="trajectory-panel"][data-live="false"]');
  const label = (await page.textContent('[data-testid="frame-label"]'))!;
  const [, total] = label.split('/').map(Number);
  assert.ok(total! > 0 && total! < 101, `cancelled run kept ${total} of 101 frames`);
  // Play advances frames.
  await page.click('[data-testid="frame-play"]');
  const before = await page.evaluate(() => window.__equimolDebug!.viewer!.getState().frame);
  await page.waitForFunction((f) => window.__equimolDebug!.viewer!.getState().frame !== f, before);
  await page.click('[data-testid="frame-play"]');
  assert.deepEqual(session!.errors, []);
});
