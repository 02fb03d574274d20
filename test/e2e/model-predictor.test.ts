/**
 * Web mode end to end with a trained model: the built app (Vite: renderer + session worker with the bundled
 * assets/models and the tfjs wasm backend) in Debian's Chromium runs a `model:mace-ethanol-rmd17` job on 5 rMD17
 * ethanol frames (taken from ../shared/datasets at run time) and its exported CSV is compared with
 * `equimol predict --model` on the same file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCsvLine } from '../../core/export/csv';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { DATASETS_DIR } from './fixture-files';
import { dropFiles, openWebApp, type WebApp } from './web-app-harness';
import { ethanolFramesText } from '../helpers/ethanol-frames';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const MODEL = resolve(REPO_ROOT, 'assets/models/benchmarks/mace-ethanol-rmd17.model.json');
const FRAMES = 5;
const skip = chromiumSkipReason() || (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`);
let app: WebApp | undefined;
const dir = mkdtempSync(join(tmpdir(), 'equimol-e2e-model-'));

before(async () => {
  if (!skip) {
    app = await openWebApp({ width: 1280, height: 800 });
    app.page.setDefaultTimeout(30_000);
  }
});

after(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ethanolFrames = (count: number): string => ethanolFramesText(ETHANOL, count);

/** `equimol predict --model` on the same file, with extra environment; returns the CSV text. */
function cliPredict(out: string, env: Record<string, string>): string {
  // Beside the file, so the CLI's `file` column holds the bare name the dropped file has (tsx by URL: the
  // temporary folder has no node_modules to resolve it from).
  const cli = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), resolve(REPO_ROOT, 'main/cli/equimol.ts'), 'predict', 'ethanol5.extxyz', '--model', MODEL, '--out', out], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  assert.equal(cli.status, 0, `equimol predict failed: ${cli.stderr}`);
  return readFileSync(join(dir, out), 'utf8');
}

test('a model:mace-ethanol-rmd17 job on 5 ethanol frames in web mode exports the CSV `equimol predict --model` writes', { skip }, async () => {
  const page = app!.page;
  const text = ethanolFrames(FRAMES);
  const file = join(dir, 'ethanol5.extxyz');
  writeFileSync(file, text);
  await dropFiles(page, [{ name: 'ethanol5.extxyz', bytes: new TextEncoder().encode(text) }]);
  await page.waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === String(n), FRAMES);

  // The predictor choice lists the model with its family and measured test error.
  const option = await page.waitForSelector('[data-testid="predictor-select"] option[value="model:mace-ethanol-rmd17"]', { state: 'attached' });
  const card = JSON.parse(readFileSync(MODEL, 'utf8')) as { card: { title: string }; metrics: Array<{ forceMAE_meV_per_A: number }> };
  const title = (await option.getAttribute('title')) ?? '';
  assert.ok(title.startsWith(`MACE: ${card.card.title}`), title);
  assert.ok(title.includes(`test force MAE ${card.metrics[0]!.forceMAE_meV_per_A.toFixed(1)} meV/Å`), title);
  assert.match((await option.textContent()) ?? '', /^model:mace-ethanol-rmd17 — 4 columns$/);

  await page.selectOption('[data-testid="predictor-select"]', 'model:mace-ethanol-rmd17');
  await page.click('[data-testid="start-job"]');
  await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 45_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const uiCsv = join(dir, 'ui.csv');
  await download.saveAs(uiCsv);

  const ui = readFileSync(uiCsv, 'utf8');
  const uiRows = ui.trimEnd().split('\n').map(parseCsvLine);
  assert.equal(uiRows.length, FRAMES + 1, 'header + one row per frame');
  const header = uiRows[0]!;
  assert.deepEqual(header.slice(8, 11), ['energy [eV]', 'energy_per_atom [eV]', 'max_force [eV/Å]'], 'headers carry units');
  for (let r = 1; r <= FRAMES; r++) {
    assert.equal(uiRows[r]![header.indexOf('status')], 'ok', `row ${r}: ${uiRows[r]!.join(',')}`);
    const energy = Number(uiRows[r]![header.indexOf('energy [eV]')]);
    assert.ok(Math.abs(energy - -4209.5) < 2, `row ${r}: ethanol energy near -4209.5 eV, got ${energy}`);
  }

  // On the browser's backend (tfjs-wasm, SIMD, 1 thread, equimol kernels: EQUIMOL_NATIVE=0 keeps the CLI off
  // the native OpenBLAS matMul) the CLI writes the same bytes.
  assert.equal(cliPredict('cli-wasm.csv', { EQUIMOL_NATIVE: '0' }), ui, 'the browser and `equimol predict --model` on tfjs-wasm write the same bytes');
  // With the CLI's default backend (native matMul where built) the sums run in another order: the same
  // structures, columns and energies, forces equal to float32 rounding.
  const cliRows = cliPredict('cli-default.csv', {}).trimEnd().split('\n').map(parseCsvLine);
  assert.deepEqual(cliRows.map((row) => row.slice(0, 8)), uiRows.map((row) => row.slice(0, 8)), 'same columns, files, records, formulas, statuses');
  for (let r = 1; r <= FRAMES; r++) {
    for (let c = 8; c < header.length; c++) {
      const [a, b] = [uiRows[r]![c]!, cliRows[r]![c]!];
      if (a === '' || b === '') assert.equal(a, b, `row ${r} ${header[c]}`);
      else assert.ok(Math.abs(Number(a) - Number(b)) <= 1e-5 * Math.max(1, Math.abs(Number(b))), `row ${r} ${header[c]}: browser ${a}, CLI ${b}`);
    }
  }
  assert.deepEqual(app!.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
});
