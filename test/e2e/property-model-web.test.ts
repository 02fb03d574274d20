/**
 * Web mode end to end with a property model: the app built with the tiny briefly-trained 3-member QM9-xTB property
 * ensemble (test/fixtures/models/tiny-qm9xtb-properties-3, made by make-property-fixture.ts) as its model
 * catalogue (a build-time rewrite of the worker's model glob, as generate.test.ts does for generators), in Debian's
 * Chromium at 1280×720 and 1920×1080 (one build for both). assets/examples/drugs.sdf is opened, `model:tiny-qm9xtb-properties-3` runs on its 20 molecules, and:
 * the gap, gap_std and in_domain columns reach the table and the exported CSV (byte-equal to `equimol predict
 * --model` on tfjs-wasm), molecules with S or Cl are error rows naming the element, and the per-atom charges reach
 * the viewer's "Colour by" menu and paint each atom by the charge the CLI writes to SDF; the page is never wider than
 * the window (file open, job done, colour bar shown).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCsvLine } from '../../core/export/csv';
import { colorOfValue, colorRangeOf } from '../../renderer/viewer/color-maps';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, fileFromDisk, openWebApp } from './web-app-harness';

const NAME = 'tiny-qm9xtb-properties-3';
const ID = `model:${NAME}`;
const MODEL = resolve(REPO_ROOT, `test/fixtures/models/${NAME}.model.json`);
const DRUGS = 'assets/examples/drugs.sdf';
const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-e2e-property-web-'));
const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-property-cli-'));

before(async () => {
  if (skip) return;
  await buildWebApp(dist, { catalogue: 'model-catalogue.ts', folder: 'test/fixtures/models/' });
});

after(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const cliOutputs = new Map<string, string>();

/**
 * `equimol predict drugs.sdf --model MODEL --out out` on tfjs-wasm (the browser's kernels); returns the output text.
 * Run once per output name: the second window size compares against the same CLI output.
 */
function cliPredict(out: string): string {
  const known = cliOutputs.get(out);
  if (known !== undefined) return known;
  const cli = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), resolve(REPO_ROOT, 'main/cli/equimol.ts'), 'predict', 'drugs.sdf', '--model', MODEL, '--out', out], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, EQUIMOL_NATIVE: '0' },
  });
  // Exit status 1 = done with error rows (the S and Cl molecules); anything else is a failure.
  assert.equal(cli.status, 1, `equimol predict: ${cli.stderr}`);
  assert.match(cli.stderr, /done: \d+ ok, [1-9]\d* errors/);
  const text = readFileSync(join(dir, out), 'utf8');
  cliOutputs.set(out, text);
  return text;
}

/** Element symbols of each record of an SDF text (V2000 atom block). */
function sdfElements(text: string): string[][] {
  return text.split(/^\$\$\$\$\r?\n?/m).filter((r) => r.trim() !== '').map((record) => {
    const lines = record.split(/\r?\n/);
    const atoms = parseInt(lines[3]!.slice(0, 3), 10);
    return lines.slice(4, 4 + atoms).map((line) => line.slice(31, 34).trim());
  });
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: a property ensemble in the web build's model folder is listed, predicts gap, gap_std, in_domain and per-atom charges on drugs.sdf as the CLI does, and colours atoms by charge`, { skip, timeout: 240_000 }, async () => {
    const app = await openWebApp({ distDir: dist, width, height });
    const page = app.page;
    page.setDefaultTimeout(30_000);
    try {
      const drugs = fileFromDisk(DRUGS);
      const elements = sdfElements(new TextDecoder().decode(drugs.bytes));
      assert.equal(elements.length, 20);
      await dropFiles(page, [drugs]);
      await page.waitForFunction(() => document.querySelector('[data-testid="structure-count"]')?.textContent === '20');
      await assertNoHorizontalOverflow(page, 'with drugs.sdf open');

      // Listed by the worker's catalogue, described from the file's JSON.
      const option = await page.waitForSelector(`[data-testid="predictor-select"] option[value="${ID}"]`, { state: 'attached' });
      const card = JSON.parse(readFileSync(MODEL, 'utf8')) as { card: { title: string } };
      const title = (await option.getAttribute('title')) ?? '';
      assert.ok(title.startsWith(`PROPERTIES: ${card.card.title}`), title);
      assert.match(title, /ensemble of 3 with calibrated spread/);

      await page.selectOption('[data-testid="predictor-select"]', ID);
      await page.click('[data-testid="start-job"]');
      await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 120_000 });
      await assertNoHorizontalOverflow(page, 'with the predict job done and its columns in the table');

      // The table shows the gap, its spread and the domain flag.
      const table = (await page.textContent('[data-testid="structure-list"]')) ?? '';
      for (const label of ['Gap', 'Gap spread', 'In domain']) assert.ok(table.includes(label), `column '${label}' in the table: ${table.slice(0, 400)}`);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
      const uiCsv = join(dir, 'ui.csv');
      await download.saveAs(uiCsv);
      const ui = readFileSync(uiCsv, 'utf8');
      const rows = ui.trimEnd().split('\n').map(parseCsvLine);
      const header = rows[0]!;
      for (const column of ['gap [eV]', 'gap_std [eV]', 'homo [eV]', 'lumo_std [eV]', 'in_domain']) assert.ok(header.includes(column), `CSV column ${column}: ${header.join(',')}`);
      assert.equal(rows.length, 21, 'header + one row per molecule');
      let ok = 0;
      elements.forEach((symbols, k) => {
        const row = rows[k + 1]!;
        const status = row[header.indexOf('status')];
        const unknown = [...new Set(symbols.filter((s) => !['H', 'C', 'N', 'O', 'F'].includes(s)))];
        if (unknown.length > 0) {
          assert.equal(status, 'error', `record ${k + 1} (${unknown.join(', ')}) is an error row`);
          assert.ok(unknown.every((s) => row.join(',').includes(s)), `record ${k + 1}: the error names ${unknown.join(', ')}: ${row.join(',')}`);
          return;
        }
        ok++;
        assert.equal(status, 'ok', `record ${k + 1}: ${row.join(',')}`);
        const gap = Number(row[header.indexOf('gap [eV]')]), spread = Number(row[header.indexOf('gap_std [eV]')]);
        assert.ok(Number.isFinite(gap) && gap > 0 && gap < 20, `record ${k + 1}: gap ${gap} eV`);
        assert.ok(Number.isFinite(spread) && spread > 0, `record ${k + 1}: three members disagree, gap_std ${spread} > 0`);
        assert.match(row[header.indexOf('in_domain')] ?? '', /^(yes|.*spread above threshold.*)$/, `record ${k + 1}: in_domain`);
      });
      assert.ok(ok >= 10, `${ok} molecules of H, C, N, O, F predicted`);
      copyFileSync(resolve(REPO_ROOT, DRUGS), join(dir, 'drugs.sdf'));
      assert.equal(cliPredict('cli.csv'), ui, 'the browser and `equimol predict --model` on tfjs-wasm write the same CSV bytes');

      // Per-atom charges reach the "Colour by" menu of the first molecule (aspirin: C, H, O) and colour its atoms.
      assert.equal(elements[0]!.join('').replace(/[CHO]/g, ''), '', 'record 1 is H, C, O only');
      // Record 1 stays selected while the job runs: the arrays the job adds to the molecule on show reach the viewer
      // without choosing the row again (the app fetches the selected structure again when predicted columns appear).
      assert.equal(await page.getAttribute('[data-testid="structure-list"] .vtable-row.selected', 'data-row'), '0');
      await page.waitForSelector(`[data-testid="color-by"] option[value="${ID}:charges"]`, { state: 'attached' });
      const choices = await page.$$eval('[data-testid="color-by"] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
      assert.ok(choices.includes(`${ID}:charges`) && choices.includes(`${ID}:charges_std`), `colour-by choices: ${choices.join(', ')}`);
      await page.selectOption('[data-testid="color-by"]', `${ID}:charges`);
      await page.waitForSelector('[data-testid="color-bar"]');
      await assertNoHorizontalOverflow(page, 'coloured by predicted charges, with the colour bar');
      const sdf = cliPredict('cli.sdf').split(/\r?\n/);
      const at = sdf.indexOf('> <charges>') + 1; // record 1's per-atom SD field, one value a line
      const q = sdf.slice(at, at + elements[0]!.length).map(Number);
      assert.ok(Math.abs(q.reduce((a, b) => a + b, 0)) < 1e-4, `aspirin is neutral: charges sum to ${q.reduce((a, b) => a + b, 0)}`);
      const colours = await page.evaluate(() => window.__equimolDebug!.viewer!.getAtomColors());
      const range = colorRangeOf(q);
      assert.deepEqual(colours, q.map((v) => colorOfValue(v, range)), 'every atom has the colour of its predicted charge');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    } finally {
      await app.close();
    }
  });
}
