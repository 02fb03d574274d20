// The Train and Label UI in headless Chromium against a scripted in-page EquimolApi (test/viewer/pages/
// train-ui-page.tsx): the Train dialog's defaults and request, the Train panel's live uPlot curves (their drawn
// ink grows as epochs finish), the ETA, and at the end the test metrics, the parity image and the new model in
// the predictor list; the Label dialog's request; in web mode the Train button is disabled with the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { TRAIN_NEEDS_DESKTOP_REASON } from '../../core/contract/equimol-api';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, type BrowserPage } from '../helpers/browser';

const skip = chromiumSkipReason();
let session: BrowserPage | null = null;

before(async () => {
  if (!chromiumAvailable()) return;
  session = await openBrowserPage({ entry: 'test/viewer/pages/train-ui-page.tsx', readyGlobal: 'trainUiPageReady', width: 1400, height: 900, headHtml: '<link rel="stylesheet" href="page.css">' });
  session.page.setDefaultTimeout(15_000);
});
after(async () => {
  await session?.close();
});

interface PageApi {
  started: Array<Record<string, unknown>>;
  advance(): void;
  finish(): void;
  predictorLists(): number;
}
const started = (page: Page) => page.evaluate(() => (globalThis as unknown as { trainUiTest: PageApi }).trainUiTest.started);
const call = (page: Page, what: 'advance' | 'finish') => page.evaluate((w) => (globalThis as unknown as { trainUiTest: PageApi }).trainUiTest[w](), what);

/** Coloured (non-transparent, non-grey) pixels of a plot's canvas: the series lines. */
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

async function epochs(page: Page, n: number): Promise<void> {
  const target = Number(await page.getAttribute('[data-testid="train-panel"]', 'data-epochs')) + n;
  for (let i = 0; i < n; i++) await call(page, 'advance');
  await page.waitForFunction((k) => document.querySelector('[data-testid="train-panel"]')?.getAttribute('data-epochs') === String(k), target);
  // uPlot draws on the next animation frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('the Train dialog offers the file\'s energy and forces with units and starts the request it shows', { skip }, async () => {
  const page = session!.page;
  await page.click('[data-testid="doc-tab"]:first-child');
  await page.waitForSelector('[data-testid="train-button"]:not([disabled])');
  await page.click('[data-testid="train-button"]');
  await page.waitForSelector('[data-testid="train-name"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-problem"]')?.textContent === '');
  assert.equal(await page.inputValue('[data-testid="train-energy-key"]'), 'energy');
  assert.equal(await page.inputValue('[data-testid="train-energy-unit"]'), 'eV');
  assert.equal(await page.inputValue('[data-testid="train-forces-key"]'), 'forces');
  assert.equal(await page.inputValue('[data-testid="train-name"]'), 'ethanol-model');
  const initOptions = await page.$$eval('[data-testid="train-init"] option', (els) => els.map((e) => (e as HTMLOptionElement).value));
  assert.deepEqual(initOptions, ['', 'model:egnn-ethanol-rmd17'], 'only model calculators can be fine-tuned');
  // A bad name is refused naming the field; then a tiny EGNN for 6 epochs.
  await page.fill('[data-testid="train-name"]', 'bad name');
  assert.match((await page.textContent('[data-testid="train-problem"]'))!, /^Model name:/);
  assert.equal(await page.isDisabled('[data-testid="train-start"]'), true);
  await page.fill('[data-testid="train-name"]', 'eth-tiny');
  await page.selectOption('[data-testid="train-family"]', 'egnn');
  await page.selectOption('[data-testid="train-size"]', 'tiny');
  await page.fill('[data-testid="train-epochs"]', '6');
  await page.click('[data-testid="train-start"]');
  assert.deepEqual((await started(page))[0], {
    kind: 'train', docIds: ['doc-source'], name: 'eth-tiny', targets: ['energy:eV', 'forces:eV/Å'], family: 'egnn', size: 'tiny', split: 'random', validation: 0.1, test: 0.1, epochs: 6, members: 1, seed: 1,
  });
});

test('the Train panel draws the loss and validation curves live (their ink grows epoch by epoch) with the ETA, then the test metrics and the parity plot', { skip }, async (t) => {
  const page = session!.page;
  await page.waitForSelector('[data-testid="train-panel"]');
  await epochs(page, 2);
  const loss2 = await plotInk(page, 'plot-train-loss');
  const validation2 = await plotInk(page, 'plot-train-validation');
  assert.ok(loss2 > 20, `the loss line is drawn after 2 epochs (${loss2} px)`);
  assert.match((await page.textContent('[data-testid="train-status"]'))!, /epoch 2\/6 · .*loss .* · ETA \d/);
  await epochs(page, 3);
  const loss5 = await plotInk(page, 'plot-train-loss');
  const validation5 = await plotInk(page, 'plot-train-validation');
  assert.ok(loss5 > loss2 * 1.3, `the loss line grows: ${loss2} -> ${loss5} px`);
  assert.ok(validation5 > validation2 * 1.3, `the validation lines grow: ${validation2} -> ${validation5} px`);
  t.diagnostic(`ink after 2 and 5 of 6 epochs: loss ${loss2} -> ${loss5} px, validation ${validation2} -> ${validation5} px`);
  assert.equal(await page.locator('[data-testid="train-parity"]').count(), 0, 'no parity plot before the end');

  const listsBefore = await page.evaluate(() => (globalThis as unknown as { trainUiTest: PageApi }).trainUiTest.predictorLists());
  await epochs(page, 1);
  await call(page, 'finish');
  await page.waitForSelector('[data-testid="train-parity"]');
  const metrics = await page.$$eval('[data-testid="train-metric"]', (els) => els.map((e) => [e.getAttribute('data-label'), e.textContent!.slice(e.getAttribute('data-label')!.length + 1)]));
  assert.deepEqual(metrics, [['Model', 'model:eth-tiny'], ['Stopped by', 'epochs'], ['Test structures', '12'], ['Energy MAE', '1.25 meV/atom (11.3 meV)'], ['Force MAE', '48.2 meV/Å']]);
  const image = await page.$eval('[data-testid="train-parity"]', async (el) => {
    const img = el as HTMLImageElement;
    await img.decode();
    return { src: img.src.slice(0, 42), width: img.naturalWidth, height: img.naturalHeight };
  });
  assert.equal(image.src, 'data:image/svg+xml;charset=utf-8,%3Csvg%20');
  assert.deepEqual([image.width, image.height], [200, 200], 'the parity SVG decodes as an image');
  assert.doesNotMatch((await page.textContent('[data-testid="train-status"]'))!, /ETA/);
  // The new model is listed: predictors are re-listed once, and the picker offers it.
  await page.waitForSelector('[data-testid="predictor-select"] option[value="model:eth-tiny"]', { state: 'attached' });
  assert.ok((await page.evaluate(() => (globalThis as unknown as { trainUiTest: PageApi }).trainUiTest.predictorLists())) > listsBefore);
  assert.match((await page.textContent('[data-testid="job-sampler"]'))!, /epoch 6\/6 · loss .* · done/);
  assert.deepEqual(session!.errors, []);
  if (process.env['EQUIMOL_TRAIN_UI_SHOT']) await page.screenshot({ path: process.env['EQUIMOL_TRAIN_UI_SHOT'] });
});

test('the Label dialog lists the calculators and starts a label job on the current document', { skip }, async () => {
  const page = session!.page;
  await page.click('[data-testid="label-button"]');
  await page.waitForSelector('[data-testid="calculator-option"][data-id="xtb:gfn2"]');
  await page.click('[data-testid="calculator-option"][data-id="xtb:gfn2"] input');
  await page.click('[data-testid="label-start"]');
  assert.deepEqual((await started(page)).at(-1), { kind: 'label', docIds: ['doc-source'], calculator: 'xtb:gfn2' });
});

test('in web mode the Train button is disabled and says training needs the desktop app', { skip }, async () => {
  const page = session!.page;
  await page.goto(`${session!.url}index.html?web`);
  await page.waitForFunction(() => (globalThis as Record<string, unknown>)['trainUiPageReady'] === true);
  await page.click('[data-testid="doc-tab"]:first-child');
  await page.waitForFunction(() => document.querySelector('.statusbar')?.textContent?.includes('Web mode'));
  const button = await page.$eval('[data-testid="train-button"]', (el) => ({ disabled: (el as HTMLButtonElement).disabled, title: el.getAttribute('title') }));
  assert.deepEqual(button, { disabled: true, title: TRAIN_NEEDS_DESKTOP_REASON });
});
