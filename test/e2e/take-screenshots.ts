/**
 * Writes docs/screenshots/*.png from the web-mode app in Debian's Chromium (needs ../shared/datasets):
 *   overview       molecule-{light,dark}.png, crystal-{light,dark}.png (1600×960, both themes)
 *   polyhedra      crystal-polyhedra.png: rutile 2×2×2 with TiO6 octahedra, the cell and its a/b/c axes
 *   plots          plots.png (histogram of gap) and plots-scatter.png (gap against energy, a clicked point selected)
 *   parity         parity.png: the QM9-xTB property model's predicted gap against the file's gap (runs a job, ~1 min)
 *   measurements   measurements.png: a distance, an angle and a dihedral on aspirin, listed in the side panel
 *   loading        loading.png: the 128,744-molecule QM9-xTB file opening, its progress shown
 *   panes-columns  panes-columns.png (1280×720): the panes resized and the table's column chooser open
 *   colour-by      colour-by-charges.png: a QM9-xTB molecule coloured by charges with its dipole arrow
 * Every scene is light theme at 1600×960 unless said above, in a fresh page.
 * Usage: npm run screenshots [-- --only plots,measurements]   (all scenes without --only)
 *   EQUIMOL_WEB_DIST=/tmp/shots-dist reuses a web build (`npx vite build --config renderer/web/vite.config.ts --outDir /tmp/shots-dist`)
 *   instead of building one into a temporary folder.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DATASETS_DIR, naclCif } from './fixture-files';
import { colourByScene, loadingScene, measurementsScene, panesColumnsScene, parityScene, plotsScene, polyhedraScene } from './screenshots/feature-scenes';
import { dismissToasts, openTab, OUT_DIR, parkMouse, selectRow, shoot, visibleAtoms, waitIdle, withApp } from './screenshots/shot-helpers';
import { buildWebApp, dropFiles, fileFromDisk } from './web-app-harness';

async function runGeometryJob(page: Page): Promise<void> {
  await page.selectOption('[data-testid="predictor-select"]', 'geometry');
  await page.click('[data-testid="start-job"]');
  await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 120_000 });
}

/** Measures between the first two visible atoms of `candidates` so the measurement list and the viewer's ruler show. */
async function measureTwoAtoms(page: Page, candidates: readonly number[]): Promise<void> {
  await page.click('[data-testid="measure-button"]');
  const points = await page.evaluate((atoms) => atoms.slice(0, 2).map((atom) => window.__equimolDebug!.viewer!.projectAtom(atom)!), await visibleAtoms(page, candidates));
  const box = (await (await page.$('[data-testid="viewer"] canvas'))!.boundingBox())!;
  for (const p of points) await page.mouse.click(box.x + p.x, box.y + p.y);
  await page.keyboard.press('Escape');
  await parkMouse(page);
}

/** The README's overview pair in one theme: a molecule with a job run and a measurement, then a NaCl supercell. */
async function overviewScene(theme: 'light' | 'dark', distDir: string): Promise<void> {
  await withApp({ distDir, theme }, async (page, app) => {
    // Molecule: an SDF of drug-like molecules plus a 3BPA trajectory, aspirin selected with a job run.
    await dropFiles(page, [fileFromDisk(join(DATASETS_DIR, 'botnet_3bpa', 'train_300K.extxyz.gz')), fileFromDisk('test/fixtures/sdf/molecules.sdf')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 2, undefined, { timeout: 60_000 });
    await openTab(page, 'molecules.sdf');
    await runGeometryJob(page);
    await selectRow(page, 0);
    await page.waitForSelector('[data-testid="depiction"] img', { timeout: 20_000 }).catch(() => undefined);
    await measureTwoAtoms(page, [11, 12, 2, 3, 0, 1]);
    await dismissToasts(page);
    await waitIdle(page);
    await shoot(page, app, `molecule-${theme}.png`);

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
    await shoot(page, app, `crystal-${theme}.png`);
  });
}

const SCENES: Readonly<Record<string, (distDir: string) => Promise<void>>> = {
  overview: async (distDir) => {
    for (const theme of ['light', 'dark'] as const) await overviewScene(theme, distDir);
  },
  polyhedra: polyhedraScene,
  plots: plotsScene,
  parity: parityScene,
  measurements: measurementsScene,
  loading: loadingScene,
  'panes-columns': panesColumnsScene,
  'colour-by': colourByScene,
};

/** Scene names from `--only a,b` (or `--only=a,b`); every scene without it. */
function chosenScenes(args: readonly string[]): string[] {
  const at = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return Object.keys(SCENES);
  const list = args[at]!.includes('=') ? args[at]!.split('=')[1]! : (args[at + 1] ?? '');
  const names = list.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in SCENES));
  if (unknown.length > 0 || names.length === 0) throw new Error(`--only takes a comma-separated list of ${Object.keys(SCENES).join(', ')}; got '${list}'`);
  return names;
}

const scenes = chosenScenes(process.argv.slice(2));
mkdirSync(OUT_DIR, { recursive: true });
const prebuilt = process.env['EQUIMOL_WEB_DIST'];
const distDir = prebuilt ?? (await mkdtemp(join(tmpdir(), 'equimol-shots-')));
try {
  if (!prebuilt) await buildWebApp(distDir);
  for (const name of scenes) {
    const startedAt = Date.now();
    await SCENES[name]!(distDir);
    console.log(`${name}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }
} finally {
  if (!prebuilt) await rm(distDir, { recursive: true, force: true });
}
