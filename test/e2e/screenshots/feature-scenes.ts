/**
 * The screenshot scenes of issue 17's new views, each in its own browser page: coordination polyhedra in rutile,
 * the plots panel (histogram, scatter linked to the table and viewer), a parity plot of a prediction against the
 * file's label, distance / angle / dihedral measurements, the loading state of the 128,744-molecule QM9-xTB file,
 * resized panes with the column chooser open, and a molecule coloured by its charges with its dipole arrow.
 * The steps are those of the e2e tests named beside each scene.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { extent, MARGIN } from '../../../renderer/app/components/plots/plot-math';
import { DATASETS_DIR } from '../fixture-files';
import { clickAtom, dragSplitter, dropFiles, fileFromDisk, REPO_ROOT } from '../web-app-harness';
import { dismissToasts, dropServed, parkMouse, selectRow, serveFiles, shoot, visibleAtoms, waitForCount, waitIdle, withApp } from './shot-helpers';

const OOD_DRUGS = 'test/fixtures/ood-drugs/ood-drugs-xtb.extxyz.gz';
const PROPERTY_MODEL = 'model:qm9xtb-properties';

/** rutile.cif (assets/examples), 2 × 2 × 2 cells in ball-and-stick with the TiO6 octahedra, the cell and its a/b/c triad. */
export async function polyhedraScene(distDir: string): Promise<void> {
  await withApp({ distDir }, async (page, app) => {
    await dropFiles(page, [fileFromDisk('assets/examples/rutile.cif')]);
    await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 6);
    await page.waitForSelector('[data-testid="cell-button"].active');
    if ((await page.locator('[data-testid="polyhedra-button"].active').count()) === 0) await page.click('[data-testid="polyhedra-button"]');
    await page.waitForSelector('[data-testid="polyhedra-button"].active');
    for (const axis of ['a', 'b', 'c']) await page.fill(`input[aria-label="Supercell ${axis}"]`, '2');
    await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]').catch(() => undefined);
    await page.click('[data-testid="fit-button"]');
    await parkMouse(page);
    await dismissToasts(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'crystal-polyhedra.png');
  });
}

/** gap and energy of every frame of the out-of-distribution drug file, from its comment lines. */
function drugFrames(): Array<{ gap: number; energy: number }> {
  return gunzipSync(readFileSync(resolve(REPO_ROOT, OOD_DRUGS)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('Properties='))
    .map((line) => ({ gap: Number(/ gap=(\S+)/.exec(line)![1]), energy: Number(/ energy=(\S+)/.exec(line)![1]) }));
}

/** The frame whose (gap, energy) point lies farthest from the others in a width × height scatter, and its pixel. */
function isolatedPoint(frames: ReadonlyArray<{ gap: number; energy: number }>, width: number, height: number): { index: number; px: number; py: number } {
  const [x0, x1] = extent(frames.map((f) => f.gap));
  const [y0, y1] = extent(frames.map((f) => f.energy));
  const px = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0)) * (width - MARGIN.left - MARGIN.right);
  const py = (v: number) => height - MARGIN.bottom - ((v - y0) / (y1 - y0)) * (height - MARGIN.top - MARGIN.bottom);
  let best = { index: 0, px: px(frames[0]!.gap), py: py(frames[0]!.energy), gap: -1 };
  frames.forEach((f, i) => {
    const x = px(f.gap);
    const y = py(f.energy);
    const gap = Math.min(...frames.map((g, k) => (k === i ? Infinity : Math.hypot(px(g.gap) - x, py(g.energy) - y))));
    if (gap > best.gap) best = { index: i, px: x, py: y, gap };
  });
  return best;
}

async function openDrugsWithPlots(page: Page): Promise<void> {
  await dropFiles(page, [fileFromDisk(OOD_DRUGS)]);
  await waitForCount(page, '228');
  await page.click('[data-testid="plots-button"]');
  await page.waitForSelector('[data-testid="plots-panel"] [data-testid="histogram"]');
}

/** plots-search.test.ts: a histogram of the drugs' gap (plots.png), then gap against energy with a clicked point selected (plots-scatter.png). */
export async function plotsScene(distDir: string): Promise<void> {
  await withApp({ distDir }, async (page, app) => {
    await openDrugsWithPlots(page);
    await page.selectOption('[data-testid="plot-x"]', 'gap');
    await page.waitForFunction(() => document.querySelector('[data-testid="histogram"] .plot-bars')?.getAttribute('data-n') === '228');
    await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]').catch(() => undefined);
    await parkMouse(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'plots.png');

    await page.click('[data-testid="plot-kind-scatter"]');
    await page.selectOption('[data-testid="plot-x"]', 'gap');
    await page.selectOption('[data-testid="plot-y"]', 'energy');
    await page.waitForFunction(() => document.querySelector('[data-testid="scatter"] .plot-points')?.getAttribute('data-n') === '228');
    const box = (await (await page.$('[data-testid="scatter"]'))!.boundingBox())!;
    const target = isolatedPoint(drugFrames(), Math.round(box.width), Math.round(box.height));
    await page.mouse.click(box.x + target.px, box.y + target.py);
    await page.waitForSelector(`[data-testid="structure-table"] [data-row="${target.index}"].selected`);
    await page.waitForSelector('[data-testid="depiction"] img', { timeout: 20_000 }).catch(() => undefined);
    await parkMouse(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'plots-scatter.png');
  });
}

/** plots-search.test.ts: the QM9-xTB property model's gap predicted for the drugs, plotted against the file's gap with MAE and R². */
export async function parityScene(distDir: string): Promise<void> {
  await withApp({ distDir }, async (page, app) => {
    await openDrugsWithPlots(page);
    await page.waitForSelector(`[data-testid="predictor-select"] option[value="${PROPERTY_MODEL}"]`, { state: 'attached' });
    await page.selectOption('[data-testid="predictor-select"]', PROPERTY_MODEL);
    await page.click('[data-testid="start-job"]');
    await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 300_000 });
    await page.waitForFunction(() => !(document.querySelector('[data-testid="plot-kind-parity"]') as HTMLButtonElement | null)?.disabled);
    await page.click('[data-testid="plot-kind-parity"]');
    await page.selectOption('[data-testid="plot-pair"]', `${PROPERTY_MODEL}:gap`);
    await page.waitForSelector('[data-testid="parity-metrics"]');
    await dismissToasts(page);
    await parkMouse(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'parity.png');
  });
}

/** Bonds of the first molfile (V2000) of an SDF text, 0-based atom pairs. */
function firstMolfileBonds(text: string): Array<[number, number]> {
  const lines = text.split(/\r?\n/);
  const atoms = parseInt(lines[3]!.slice(0, 3), 10);
  const bonds = parseInt(lines[3]!.slice(3, 6), 10);
  return lines.slice(4 + atoms, 4 + atoms + bonds).map((line) => [parseInt(line.slice(0, 3), 10) - 1, parseInt(line.slice(3, 6), 10) - 1]);
}

/** A bonded chain a-b-c-d of atoms all in `allowed`, or null. */
function bondedChain(bonds: ReadonlyArray<[number, number]>, allowed: ReadonlySet<number>): number[] | null {
  const neighbours = new Map<number, number[]>();
  for (const [a, b] of bonds) {
    if (!allowed.has(a) || !allowed.has(b)) continue;
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  }
  const extend = (chain: number[]): number[] | null => {
    if (chain.length === 4) return chain;
    for (const next of neighbours.get(chain.at(-1)!) ?? []) {
      if (chain.includes(next)) continue;
      const found = extend([...chain, next]);
      if (found) return found;
    }
    return null;
  };
  for (const start of neighbours.keys()) {
    const found = extend([start]);
    if (found) return found;
  }
  return null;
}

/** layout.test.ts's measure modes on aspirin (first record of test/fixtures/sdf/molecules.sdf): a bond, an angle and a dihedral along one visible chain. */
export async function measurementsScene(distDir: string): Promise<void> {
  const sdf = 'test/fixtures/sdf/molecules.sdf';
  const bonds = firstMolfileBonds(readFileSync(resolve(REPO_ROOT, sdf), 'utf8'));
  await withApp({ distDir }, async (page, app) => {
    await dropFiles(page, [fileFromDisk(sdf)]);
    await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 21);
    await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]').catch(() => undefined);
    await waitIdle(page);
    // Heavy atoms first (0-12): a chain through the ring and the ester reads better than one through hydrogens.
    const heavy = await visibleAtoms(page, Array.from({ length: 13 }, (_, i) => i));
    const chain = bondedChain(bonds, new Set(heavy)) ?? bondedChain(bonds, new Set(await visibleAtoms(page, Array.from({ length: 21 }, (_, i) => i))));
    if (!chain) throw new Error('no bonded chain of four visible atoms in aspirin');
    await page.click('[data-testid="measure-button"]');
    const modes = [
      ['distance', chain.slice(0, 2)],
      ['angle', chain.slice(0, 3)],
      ['dihedral', chain],
    ] as const;
    for (const [index, [mode, atoms]] of modes.entries()) {
      await page.click(`[data-testid="measure-mode-${mode}"]`);
      for (const atom of atoms) if (!(await clickAtom(page, atom))) throw new Error(`atom ${atom + 1} is hidden`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="measurement"]').length === n, index + 1);
    }
    await page.keyboard.press('Escape');
    await parkMouse(page);
    await dismissToasts(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'measurements.png');
  });
}

/** open-progress.test.ts: the 128,744-molecule QM9-xTB file dropped, shot while it parses with structures counted so far. */
export async function loadingScene(distDir: string): Promise<void> {
  const name = 'qm9_xtb_equilibrium.extxyz.gz';
  await withApp({ distDir }, async (page, app) => {
    await serveFiles(page, { [name]: resolve(DATASETS_DIR, 'qm9_xtb', name) });
    await dropServed(page, [name]);
    const item = `[data-testid="open-progress-item"][data-file="${name}"]`;
    await page.waitForFunction(
      (selector) => {
        const el = document.querySelector(selector);
        const bar = Number(el?.querySelector('[data-testid="open-progress-bar"]')?.getAttribute('aria-valuenow') ?? 0);
        return el?.getAttribute('data-phase') === 'parsing' && bar >= 8 && /[1-9][\d,]* structures? so far/.test(el.querySelector('[data-testid="open-progress-records"]')?.textContent ?? '');
      },
      item,
      { timeout: 120_000, polling: 100 },
    );
    await shoot(page, app, 'loading.png');
    await page.click(`${item} [data-testid="open-cancel"]`);
    await page.waitForSelector('[data-testid="open-progress"]', { state: 'detached', timeout: 30_000 });
  });
}

/** panes.test.ts and table-columns.test.ts at 1280×720: the list, side panel and plots resized, the column chooser open. */
export async function panesColumnsScene(distDir: string): Promise<void> {
  await withApp({ distDir, width: 1280, height: 720 }, async (page, app) => {
    await openDrugsWithPlots(page);
    await page.selectOption('[data-testid="plot-x"]', 'gap');
    await selectRow(page, 3);
    await dragSplitter(page, 'left', 140, 0);
    await dragSplitter(page, 'right', 40, 0);
    await dragSplitter(page, 'bottom', 0, -40);
    await waitIdle(page, 200);
    await page.click('[data-testid="column-chooser-button"]');
    await page.waitForSelector('[data-testid="column-chooser"]');
    await waitIdle(page, 600);
    await shoot(page, app, 'panes-columns.png');
  });
}

/** color-by.test.ts: three QM9-xTB frames, the first coloured by its xtb charges with the colour bar and the file's dipole arrow. */
export async function colourByScene(distDir: string): Promise<void> {
  await withApp({ distDir }, async (page, app) => {
    await dropFiles(page, [fileFromDisk('test/fixtures/viewer/qm9-xtb-3.extxyz')]);
    await page.waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().atoms ?? 0) > 0);
    await page.selectOption('[data-testid="color-by"]', 'charges');
    await page.waitForSelector('[data-testid="color-bar"]');
    await page.click('[data-testid="dipole-button"]');
    await page.waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().dipoleArrow ?? 0) > 0);
    await page.evaluate(() => window.__equimolDebug!.viewer!.fitToView());
    await page.click('[data-testid="jobs-panel"] button[title="Hide jobs"]').catch(() => undefined);
    await page.waitForSelector('[data-testid="depiction"] img', { timeout: 20_000 }).catch(() => undefined);
    await parkMouse(page);
    await waitIdle(page, 900);
    await shoot(page, app, 'colour-by-charges.png');
  });
}
