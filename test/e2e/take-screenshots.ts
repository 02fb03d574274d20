/**
 * Writes docs/screenshots/*.png: the web-mode app in light and dark themes, a molecule and a crystal.
 * Usage: npm run screenshots   (builds web mode, drives Debian's Chromium; needs ../shared/datasets).
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { DATASETS_DIR, naclCif } from './fixture-files';
import { buildWebApp, dropFiles, fileFromDisk, openWebApp, REPO_ROOT } from './web-app-harness';

const OUT_DIR = resolve(REPO_ROOT, 'docs', 'screenshots');

async function waitIdle(page: Page, ms = 600): Promise<void> {
  await page.waitForTimeout(ms);
}

async function openTab(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="doc-tab"]:has(.name:text-is("${name}"))`);
  await waitIdle(page, 300);
}

async function selectRow(page: Page, row: number): Promise<void> {
  // Click the index cell: clicking the (wide) row would scroll the table sideways to centre it.
  await page.click(`[data-testid="structure-table"] [data-row="${row}"] .cell:first-child`);
  await waitIdle(page, 500);
}

async function runGeometryJob(page: Page): Promise<void> {
  await page.selectOption('[data-testid="predictor-select"]', 'geometry');
  await page.click('[data-testid="start-job"]');
  await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 120_000 });
}

async function dismissToasts(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toast button').forEach((b) => b.click()));
}

/** Measures between the first two visible atoms of `candidates` so the measurement list and the viewer's ruler show. */
async function measureTwoAtoms(page: Page, candidates: readonly number[]): Promise<void> {
  await page.click('[data-testid="measure-button"]');
  const points = await page.evaluate((atoms) => {
    const viewer = window.__equimolDebug!.viewer!;
    viewer.render();
    const visible: Array<{ x: number; y: number }> = [];
    for (const atom of atoms) {
      const p = viewer.projectAtom(atom);
      if (p && viewer.pickAt(p.x, p.y)?.atom === atom && visible.length < 2) visible.push(p);
    }
    return visible;
  }, candidates);
  const box = (await (await page.$('[data-testid="viewer"] canvas'))!.boundingBox())!;
  for (const p of points) await page.mouse.click(box.x + p.x, box.y + p.y);
  await page.keyboard.press('Escape');
  await page.mouse.move(box.x + 5, box.y + 5);
}

async function shoot(theme: 'light' | 'dark', distDir: string): Promise<void> {
  const app = await openWebApp({ width: 1600, height: 960, colorScheme: theme, distDir });
  const page = app.page;
  try {
    // Molecule: an SDF of drug-like molecules plus a 3BPA trajectory, aspirin selected with a job run.
    await dropFiles(page, [
      fileFromDisk(join(DATASETS_DIR, 'botnet_3bpa', 'train_300K.extxyz.gz')),
      fileFromDisk('test/fixtures/sdf/molecules.sdf'),
    ]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 2, undefined, { timeout: 60_000 });
    await openTab(page, 'molecules.sdf');
    await runGeometryJob(page);
    await selectRow(page, 0);
    await page.waitForSelector('[data-testid="depiction"] img', { timeout: 20_000 }).catch(() => undefined);
    await measureTwoAtoms(page, [11, 12, 2, 3, 0, 1]);
    await dismissToasts(page);
    await waitIdle(page);
    await page.screenshot({ path: join(OUT_DIR, `molecule-${theme}.png`) });

    // Crystal: NaCl from COD (symmetry-expanded), 2 x 2 x 2 supercell in spacefill with the cell drawn, next to perovskites.
    for (const tab of ['molecules.sdf', 'train_300K.extxyz.gz']) {
      await openTab(page, tab);
      await page.keyboard.press('Delete');
    }
    await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]').catch(() => undefined);
    await dropFiles(page, [fileFromDisk(join(DATASETS_DIR, 'perov_5', 'perov_5_test.extxyz.gz')), naclCif()]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 2, undefined, { timeout: 60_000 });
    await openTab(page, '1000041.cif');
    await selectRow(page, 0);
    for (const axis of ['a', 'b', 'c']) await page.fill(`input[aria-label="Supercell ${axis}"]`, '2');
    await page.click('[data-testid="style-spacefill"]');
    await page.click('[data-testid="fit-button"]');
    await dismissToasts(page);
    await waitIdle(page, 900);
    await page.screenshot({ path: join(OUT_DIR, `crystal-${theme}.png`) });
    if (app.errors.length > 0) console.warn(`${theme}: page errors:\n  ${app.errors.join('\n  ')}`);
  } finally {
    await app.close();
  }
}

mkdirSync(OUT_DIR, { recursive: true });
const prebuilt = process.env['EQUIMOL_WEB_DIST'];
const distDir = prebuilt ?? (await mkdtemp(join(tmpdir(), 'equimol-shots-')));
try {
  if (!prebuilt) await buildWebApp(distDir);
  for (const theme of ['light', 'dark'] as const) {
    await shoot(theme, distDir);
    console.log(`wrote docs/screenshots/molecule-${theme}.png, crystal-${theme}.png`);
  }
} finally {
  if (!prebuilt) await rm(distDir, { recursive: true, force: true });
}
