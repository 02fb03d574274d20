/**
 * Loading states in web mode (Chromium): a large drop shows its progress at once and ends in a usable list; a slow
 * SMILES file does not hold back a CIF dropped with it; Cancel stops a large open. The 128,744-molecule QM9-xTB
 * file is read where it lives (../shared/datasets/qm9_xtb), served to the page by a route, never copied. Each test
 * runs at 1280×720 and 1920×1080 (one Vite build for both) on a page of its own (so that one test's leftovers, such as
 * an embedding it did not get to cancel, cannot hold up the next), and the page does not get wider than the window
 * while files are loading.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { DATASETS_DIR } from './fixture-files';
import { assertNoHorizontalOverflow, buildWebApp, openWebApp, type WebApp } from './web-app-harness';

const QM9_PATH = resolve(DATASETS_DIR, 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
const QM9_NAME = 'qm9_xtb_equilibrium.extxyz.gz';
const skip = chromiumSkipReason() ?? (existsSync(QM9_PATH) ? undefined : `${QM9_PATH} is not there`);
let app: WebApp | undefined;
let qm9Frames = 0;

const dist = mkdtempSync(join(tmpdir(), 'equimol-open-progress-'));

before(async () => {
  if (skip) return;
  qm9Frames = (JSON.parse(readFileSync(resolve(DATASETS_DIR, 'qm9_xtb', 'manifest.json'), 'utf8')) as Record<string, number>)[QM9_NAME]!;
  await buildWebApp(dist);
});

after(() => rmSync(dist, { recursive: true, force: true }));

/** A fresh page at `width`×`height` whose drops are fetched from routes (no base64 round trip for 71 MB). */
async function openApp(width: number, height: number): Promise<void> {
  await app?.close();
  app = await openWebApp({ width, height, distDir: dist });
  app.page.setDefaultTimeout(30_000);
  const served: Record<string, string> = {
    [QM9_NAME]: QM9_PATH,
    'drugs.smi': resolve(REPO_ROOT, 'assets/examples/drugs.smi'),
    'rutile.cif': resolve(REPO_ROOT, 'assets/examples/rutile.cif'),
  };
  await app.page.route('**/__e2e-files/*', async (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
    const path = served[name];
    if (!path) return route.fulfill({ status: 404, body: 'not served' });
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: readFileSync(path) });
  });
}

after(async () => {
  await app?.close();
});

/** The page is no wider than the window (the loading list and its Cancel buttons included). */
async function assertNoOverflow(state: string): Promise<void> {
  await assertNoHorizontalOverflow(page(), state);
}

function page(): Page {
  return app!.page;
}

declare global {
  interface Window {
    __e2eDrop?: { dropAt: number; progressAt?: number; announcedAt?: number };
  }
}

/**
 * Fetches the files into File objects first, then drops them on the viewer and records (in the page's clock) the
 * drop and the first moment a loading-state item is in the DOM.
 */
async function dropServed(names: readonly string[]): Promise<void> {
  await page().evaluate(async (files) => {
    const transfer = new DataTransfer();
    for (const name of files) {
      const blob = await (await fetch(`/__e2e-files/${encodeURIComponent(name)}`)).blob();
      transfer.items.add(new File([blob], name));
    }
    const record: { dropAt: number; progressAt?: number; announcedAt?: number } = { dropAt: 0 };
    // (No named functions in here: the test's TypeScript transform would wrap them in a helper the page lacks.)
    const observer = new MutationObserver(() => {
      if (record.progressAt === undefined && document.querySelector('[data-testid="open-progress-item"]') !== null) record.progressAt = performance.now();
      // The first item the compute side announced (not a pending one the drop itself listed).
      if (record.announcedAt === undefined && document.querySelector('[data-testid="open-progress-item"][data-open-id^="open-"]') !== null) {
        record.announcedAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    window.__e2eDrop = record;
    const target = document.querySelector('[data-testid="viewer"]') ?? document.body;
    record.dropAt = performance.now();
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, names);
}

/** Milliseconds from the drop to the first loading state, and to the first one the compute side announced. */
async function progressLatencyMs(): Promise<{ shown: number; announced: number }> {
  await page().waitForFunction(() => window.__e2eDrop?.announcedAt !== undefined, undefined, { timeout: 20_000 });
  return page().evaluate(() => ({ shown: window.__e2eDrop!.progressAt! - window.__e2eDrop!.dropAt, announced: window.__e2eDrop!.announcedAt! - window.__e2eDrop!.dropAt }));
}

const item = (file: string) => `[data-testid="open-progress-item"][data-file="${file}"]`;
const tab = (file: string) => `[data-testid="doc-tab"]:has(.name:text-is("${file}"))`;

async function tabNames(): Promise<string[]> {
  return page().$$eval('[data-testid="doc-tab"] .name', (names) => names.map((n) => n.textContent ?? ''));
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: dropping the 128,744-molecule file shows its progress within 200 ms and ends in a usable list`, { skip }, async (t) => {
    await openApp(width, height);
    await dropServed([QM9_NAME]);
    const latency = await progressLatencyMs();
    t.diagnostic(`loading state after ${latency.shown.toFixed(0)} ms, announced by the worker after ${latency.announced.toFixed(0)} ms`);
    assert.ok(latency.shown < 200, `the loading state appeared ${latency.shown.toFixed(0)} ms after the drop`);
    const startedAt = Date.now();
    // While it parses: phase, a moving bar and the structures read so far.
    await page().waitForFunction(
      (selector) => {
        const el = document.querySelector(selector);
        return el?.getAttribute('data-phase') === 'parsing' && /[1-9][\d,]* structures? so far/.test(el.querySelector('[data-testid="open-progress-records"]')?.textContent ?? '');
      },
      item(QM9_NAME),
      { timeout: 60_000 },
    );
    await assertNoOverflow('while the large file parses');
    const bar = Number(await page().getAttribute(`${item(QM9_NAME)} [data-testid="open-progress-bar"]`, 'aria-valuenow'));
    assert.ok(bar >= 0 && bar < 100, `bar at ${bar}%`);
    await page().waitForSelector(tab(QM9_NAME), { timeout: 240_000 });
    t.diagnostic(`listed ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the first progress`);
    await page().waitForSelector('[data-testid="open-progress"]', { state: 'detached' });
    await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === n.toLocaleString('en-US'), qm9Frames);
    // Usable: a filter narrows the list, and a picked row is shown in the viewer.
    await page().fill('[data-testid="filter-input"]', 'no-such-formula');
    await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === `0 of ${n.toLocaleString('en-US')}`, qm9Frames);
    await page().fill('[data-testid="filter-input"]', '');
    await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === n.toLocaleString('en-US'), qm9Frames);
    await page().click('[data-testid="structure-table"] [data-row="2"]');
    await page().waitForSelector('[data-testid="structure-table"] [data-row="2"][aria-selected="true"]');
    await page().waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().atoms ?? 0) > 0);
  });

  test(`${width}×${height}: a 20-SMILES file dropped with a CIF: the CIF document is listed and shown while the SMILES still embeds`, { skip }, async (t) => {
    await openApp(width, height);
    await dropServed(['drugs.smi', 'rutile.cif']);
    const latency = await progressLatencyMs();
    t.diagnostic(`loading state after ${latency.shown.toFixed(0)} ms, announced after ${latency.announced.toFixed(0)} ms`);
    assert.ok(latency.shown < 200);
    await page().waitForSelector(tab('rutile.cif'), { timeout: 60_000 });
    // The SMILES file is still being opened: its loading state is up and its document is not listed yet.
    assert.equal(await page().isVisible(item('drugs.smi')), true, 'drugs.smi is still loading when the CIF is listed');
    assert.ok(!(await tabNames()).includes('drugs.smi'));
    await page().waitForSelector(`${item('drugs.smi')}[data-phase="embedding"]`);
    await assertNoOverflow('while drugs.smi embeds');
    // The CIF can be looked at meanwhile: the molecules are embedded off the session worker, which answers at once.
    const clickedAt = Date.now();
    await page().click(tab('rutile.cif'));
    await page().waitForFunction(() => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === 'rutile.cif');
    await page().waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 6, undefined, { timeout: 60_000 });
    const shownMs = Date.now() - clickedAt;
    // The order is what this checks (a session worker busy embedding would answer only after the last molecule);
    // how long it took depends on what else the machine runs, so it is reported, not bounded.
    const stillEmbedding = await page().evaluate((selector) => document.querySelector(selector)?.getAttribute('data-phase') ?? 'gone', item('drugs.smi'));
    t.diagnostic(`the CIF was shown ${shownMs} ms after its tab was clicked; drugs.smi was then ${stillEmbedding}`);
    assert.equal(stillEmbedding, 'embedding', 'drugs.smi was still embedding when the CIF was shown');
    assert.ok(!(await tabNames()).includes('drugs.smi'));
    // Embedding progress counts molecules; Cancel ends it without listing a half-built document.
    await page().waitForFunction((selector) => /Building 3D · [1-9]\d* of 20 molecules/.test(document.querySelector(`${selector} [data-testid="open-progress-phase"]`)?.textContent ?? ''), item('drugs.smi'), { timeout: 120_000 });
    await page().click(`${item('drugs.smi')} [data-testid="open-cancel"]`);
    await page().waitForSelector(item('drugs.smi'), { state: 'detached', timeout: 60_000 });
    assert.ok(!(await tabNames()).includes('drugs.smi'));
  });

  test(`${width}×${height}: Cancel on a large open stops it: its loading state goes and no document is listed`, { skip }, async () => {
    await openApp(width, height);
    const before = await tabNames();
    await dropServed([QM9_NAME]);
    await page().waitForFunction((selector) => /[1-9][\d,]* structures? so far/.test(document.querySelector(`${selector} [data-testid="open-progress-records"]`)?.textContent ?? ''), item(QM9_NAME), { timeout: 60_000 });
    const clickedAt = Date.now();
    await page().click(`${item(QM9_NAME)} [data-testid="open-cancel"]`);
    await page().waitForSelector('[data-testid="open-progress"]', { state: 'detached', timeout: 10_000 });
    const stoppedMs = Date.now() - clickedAt;
    assert.ok(stoppedMs < 10_000, `stopped ${stoppedMs} ms after Cancel`);
    // Stays stopped: no document turns up later.
    await page().waitForTimeout(1500);
    assert.deepEqual(await tabNames(), before);
    assert.deepEqual(app!.errors.filter((e) => !/favicon/.test(e)), []);
  });
}
