/**
 * Web mode end to end, in Debian's Chromium (software WebGL): the built app (Vite: renderer + session worker)
 * served by renderer/web/serve.mjs, at 1280×720 and 1920×1080. One build for the whole file and one browser per size;
 * a size's tests run in order and build on each other (the SDF opened first is used by the measuring and batch tests).
 * The page is never wider than the window in the states the tests reach.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { DATASETS_DIR, distance, firstMolfileCoordinates, naclCif, sdfRecordCount } from './fixture-files';
import { assertNoHorizontalOverflow, buildWebApp, canvasPixelStats, dropFiles, fileFromDisk, openWebApp, type WebApp } from './web-app-harness';

const skip = chromiumSkipReason();
const SDF_PATH = 'test/fixtures/sdf/molecules.sdf';
const sdfText = readFileSync(resolve(REPO_ROOT, SDF_PATH), 'utf8');
const dist = mkdtempSync(join(tmpdir(), 'equimol-e2e-web-'));
let app: WebApp | undefined;

before(async () => {
  if (!skip) await buildWebApp(dist);
});

after(() => rmSync(dist, { recursive: true, force: true }));

function page() {
  return app!.page;
}

/** Count badges of the open document tabs, by file name. */
async function tabCounts(): Promise<Record<string, number>> {
  return page().$$eval('[data-testid="doc-tab"]', (tabs) =>
    Object.fromEntries(tabs.map((tab) => [tab.querySelector('.name')!.textContent!, Number(tab.querySelector('.badge')!.textContent!.replace(/,/g, ''))])),
  );
}

async function activateTab(name: string): Promise<void> {
  await page().click(`[data-testid="doc-tab"]:has(.name:text-is("${name}"))`);
  await page().waitForFunction((n) => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === n, name);
}

/** Waits until the viewer shows a structure with `atoms` atoms. */
async function waitForShownAtoms(atoms: number): Promise<void> {
  await page().waitForFunction((n) => window.__equimolDebug?.viewer?.getInfo().atoms === n, atoms, { timeout: 20_000 });
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${width}×${height}`, () => {
    before(async () => {
      if (skip) return;
      app = await openWebApp({ distDir: dist, width, height });
      app.page.setDefaultTimeout(20_000);
    });
    after(async () => {
      await app?.close();
      app = undefined;
    });

    test(`${width}×${height}: dropping a multi-record SDF and a CIF lists every structure of both files`, { skip }, async () => {
      const expectedSdf = sdfRecordCount(sdfText);
      assert.ok(expectedSdf > 1, 'fixture SDF holds several records');
      await dropFiles(page(), [fileFromDisk(SDF_PATH), naclCif()]);
      await page().waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 2, undefined, { timeout: 30_000 });
      const counts = await tabCounts();
      assert.deepEqual(counts, { 'molecules.sdf': expectedSdf, '1000041.cif': 1 });

      await activateTab('molecules.sdf');
      await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === String(n), expectedSdf);
      const rows = await page().$$eval('[data-testid="structure-table"] [role="row"][data-row]', (r) => r.length);
      assert.equal(rows, expectedSdf, 'every record is a row (all fit in view)');
      const firstName = sdfText.split(/\r?\n/)[0]!.trim();
      assert.equal(await page().textContent('[data-testid="structure-table"] [data-row="0"] .cell:nth-child(2)'), firstName);
      await assertNoHorizontalOverflow(page(), 'with an SDF and a CIF open');
    });

    test(`${width}×${height}: the viewer draws the selected molecule and the crystal (coloured atom pixels, not blank)`, { skip }, async () => {
      await activateTab('molecules.sdf');
      const atoms = firstMolfileCoordinates(sdfText).length;
      await waitForShownAtoms(atoms);
      await page().waitForTimeout(300);
      const molecule = await canvasPixelStats(page());
      const area = molecule.width * molecule.height;
      assert.ok(molecule.nonBackground > 0.03 * area, `molecule covers ${molecule.nonBackground} of ${area} pixels`);
      assert.ok(molecule.colored > 0.005 * area, `coloured (O red / element) pixels: ${molecule.colored}`);
      assert.ok(molecule.distinctColors > 20, `shaded spheres give many colours, got ${molecule.distinctColors}`);

      await activateTab('1000041.cif');
      await page().waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().atoms ?? 0) > 0 && window.__equimolDebug?.viewer?.getState().structure?.cell !== undefined);
      await page().waitForTimeout(300);
      const crystal = await canvasPixelStats(page());
      assert.ok(crystal.nonBackground > 0.03 * area, `crystal covers ${crystal.nonBackground} pixels`);
      assert.ok(crystal.colored > 0.005 * area, `Na/Cl coloured pixels: ${crystal.colored}`);
    });

    test(`${width}×${height}: picking two atoms in measure mode shows the distance the file implies (±0.01 Å)`, { skip }, async () => {
      await activateTab('molecules.sdf');
      const coordinates = firstMolfileCoordinates(sdfText);
      await waitForShownAtoms(coordinates.length);
      await page().click('[data-testid="measure-button"]');
      // Find two atoms that are both visible (not hidden behind another) and click them where they are drawn.
      const targets = await page().evaluate((n) => {
        const viewer = window.__equimolDebug!.viewer!;
        viewer.render();
        const visible: Array<{ atom: number; x: number; y: number }> = [];
        for (let atom = 0; atom < n && visible.length < 2; atom++) {
          const p = viewer.projectAtom(atom);
          if (p && viewer.pickAt(p.x, p.y)?.atom === atom) visible.push({ atom, ...p });
        }
        return visible;
      }, coordinates.length);
      assert.equal(targets.length, 2, 'two atoms are pickable');
      const box = (await page().$('[data-testid="viewer"] canvas'))!.boundingBox();
      const canvasBox = (await box)!;
      for (const t of targets) await page().mouse.click(canvasBox.x + t.x, canvasBox.y + t.y);
      const shown = await page().waitForSelector('[data-testid="measurement-value"]', { timeout: 10_000 });
      const text = (await shown.textContent())!;
      const value = parseFloat(text);
      const expected = distance(coordinates[targets[0]!.atom]!, coordinates[targets[1]!.atom]!);
      assert.match(text, /Å/);
      assert.ok(Math.abs(value - expected) < 0.01, `shown ${text}, file implies ${expected.toFixed(4)} Å (atoms ${targets[0]!.atom + 1}, ${targets[1]!.atom + 1})`);
      await assertNoHorizontalOverflow(page(), 'in measure mode with a distance shown');
      await page().keyboard.press('Escape');
    });

    test(`${width}×${height}: a batch geometry job runs to 100 % with a progress bar and its CSV equals \`equimol predict\` on the same file`, { skip }, async () => {
      // Only the SDF stays open so the job and the CLI see the same single file.
      for (const name of Object.keys(await tabCounts()).filter((n) => n !== 'molecules.sdf')) {
        await activateTab(name);
        await page().keyboard.press('Delete');
      }
      await page().waitForFunction(() => document.querySelectorAll('[data-testid="doc-tab"]').length === 1);
      await page().selectOption('[data-testid="predictor-select"]', 'geometry');
      await page().click('[data-testid="start-job"]');
      const job = await page().waitForSelector('[data-testid="job"]');
      assert.ok(await job.$('[role="progressbar"]'), 'the job row has a progress bar');
      await page().waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 60_000 });
      assert.equal(await page().getAttribute('[data-testid="job"] [role="progressbar"]', 'aria-valuenow'), '100');
      assert.match((await page().textContent('[data-testid="job-stats"]'))!, /^100%/);
      await assertNoHorizontalOverflow(page(), 'with the geometry job done');

      const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid="export-csv"]')]);
      const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-'));
      try {
        const uiCsv = join(dir, 'ui.csv');
        await download.saveAs(uiCsv);
        const cliCsv = join(dir, 'cli.csv');
        // Run beside the file so the CLI's `file` column holds the same bare name the dropped file has.
        const cli = spawnSync(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'main/cli/equimol.ts'), 'predict', 'molecules.sdf', '--predictor', 'geometry', '--out', cliCsv], {
          cwd: resolve(REPO_ROOT, SDF_PATH, '..'),
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.equal(cli.status, 0, `equimol predict failed: ${cli.stderr}`);
        const ui = readFileSync(uiCsv, 'utf8');
        const expected = readFileSync(cliCsv, 'utf8');
        assert.equal(ui.split('\n').length - 1, sdfRecordCount(sdfText) + 1, 'header + one row per structure');
        assert.equal(ui, expected);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test(`${width}×${height}: Open reads a gzipped trajectory; the table is windowed, sorts, filters; shortcuts and playback work`, { skip }, async () => {
      const path = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
      const manifest = JSON.parse(readFileSync(resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'manifest.json'), 'utf8')) as Record<string, number>;
      const frames = manifest['test_MD.extxyz.gz']!;
      await page().setInputFiles('[data-testid="file-input"]', path);
      await page().waitForFunction(() => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === 'test_MD.extxyz.gz', undefined, { timeout: 30_000 });
      await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === n.toLocaleString('en-US'), frames);
      const domRows = await page().$$eval('[data-testid="structure-table"] [data-row]', (r) => r.length);
      assert.ok(domRows > 10 && domRows < 100, `only the rows in view are in the DOM (${domRows} of ${frames})`);
      await assertNoHorizontalOverflow(page(), 'with the trajectory open');

      // The list starts sorted by index ascending; one click on '#' reverses it, putting the last frame first.
      await page().click('[data-testid="structure-table"] [role="columnheader"]:has-text("#")');
      await page().waitForFunction((n) => document.querySelector('[data-testid="structure-table"] [data-row="0"] .cell')?.textContent === String(n), frames);
      // A filter matching no formula empties the list; clearing it restores every row.
      await page().fill('[data-testid="filter-input"]', 'no-such-formula');
      await page().waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent?.startsWith('0 of'));
      await page().fill('[data-testid="filter-input"]', '');
      await page().waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === n.toLocaleString('en-US'), frames);

      // Keyboard: 2 = spacefill, ? = help.
      await page().click('[data-testid="viewer"]');
      await page().keyboard.press('2');
      await page().waitForFunction(() => window.__equimolDebug?.viewer?.getState().style === 'spacefill');
      await page().keyboard.press('?');
      await page().waitForSelector('[data-testid="help-dialog"]');
      await assertNoHorizontalOverflow(page(), 'with the help dialog open');
      await page().keyboard.press('Escape');
      await page().waitForSelector('[data-testid="help-dialog"]', { state: 'detached' });
      await page().keyboard.press('1');

      // Playback loads the frames into the viewer and advances them.
      await page().keyboard.press('Space');
      await page().waitForFunction(() => window.__equimolDebug?.viewer?.getState().playing === true && (window.__equimolDebug.viewer.getState().frames.length ?? 0) > 1, undefined, { timeout: 30_000 });
      const start = await page().evaluate(() => window.__equimolDebug!.viewer!.getState().frame);
      await page().waitForFunction((f) => window.__equimolDebug!.viewer!.getState().frame !== f, start, { timeout: 10_000 });
      await page().keyboard.press('Space');
      await page().waitForFunction(() => window.__equimolDebug?.viewer?.getState().playing === false);
    });

    test(`${width}×${height}: a malformed file shows an error naming its line, and a later good file still opens`, { skip }, async () => {
      // Record 1 of the fixture with the x coordinate of its first atom (file line 5) replaced by garbage.
      const lines = sdfText.split('\n');
      lines[4] = `    abc.de${lines[4]!.slice(10)}`;
      const end = lines.findIndex((l) => l.trim() === '$$$$');
      const broken = lines.slice(0, end + 1).join('\n') + '\n';
      const before = (await tabCounts())['molecules.sdf'];
      await dropFiles(page(), [{ name: 'broken.sdf', bytes: new TextEncoder().encode(broken) }]);
      const toast = await page().waitForSelector('[data-testid="toast-error"]:has-text("broken.sdf")', { timeout: 20_000 });
      const message = (await toast.textContent())!;
      assert.match(message, /line 5\b/, `the error names line 5: ${message}`);
      await assertNoHorizontalOverflow(page(), 'with the error toast shown');

      // The app keeps working: a good file dropped next opens and lists its structures.
      const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-'));
      try {
        const good = join(dir, 'again.sdf');
        writeFileSync(good, sdfText);
        await dropFiles(page(), [fileFromDisk(good)]);
        await page().waitForFunction(() => [...document.querySelectorAll('[data-testid="doc-tab"] .name')].some((n) => n.textContent === 'again.sdf'), undefined, { timeout: 20_000 });
        const counts = await tabCounts();
        assert.equal(counts['again.sdf'], sdfRecordCount(sdfText));
        assert.equal(counts['molecules.sdf'], before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.deepEqual(
        app!.errors.filter((e) => !/Failed to load resource/.test(e)),
        [],
        'no uncaught page errors during the session',
      );
    });
  });
}
