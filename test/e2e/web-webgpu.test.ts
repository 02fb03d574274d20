/**
 * Web mode on WebGPU (issue 16): the built app in Chromium with WebGPU on SwiftShader (a CPU Vulkan, no GPU here).
 * With `?backend=webgpu` the session worker computes on tfjs-webgpu with Equimol's fused WGSL kernels (messages,
 * product basis, linear maps), and a model:mace-ethanol-rmd17 job on 5 rMD17 ethanol frames exports the energies
 * and forces the default (wasm) page exports, to float32 rounding. Without the query the worker takes webgpu only on
 * a hardware adapter: SwiftShader is a software fallback, so the default page computes on wasm.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCsvLine } from '../../core/export/csv';
import { chromiumSkipReason } from '../helpers/browser';
import { ethanolFramesText } from '../helpers/ethanol-frames';
import { DATASETS_DIR } from './fixture-files';
import { buildWebApp, dropFiles, openWebApp } from './web-app-harness';

const ETHANOL = resolve(DATASETS_DIR, 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const MODEL = 'model:mace-ethanol-rmd17';
const FRAMES = 5;
/** WebGPU is behind a flag on Linux Chromium; SwiftShader gives the adapter, Vulkan canvases tfjs-webgpu's dataSync(). */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader'];
const skip = chromiumSkipReason() || (existsSync(ETHANOL) ? false : `rMD17 ethanol not found at ${ETHANOL}`);
const dist = mkdtempSync(join(tmpdir(), 'equimol-web-webgpu-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

interface Run {
  readonly rows: string[][];
  readonly compute: string[];
}

/** Runs the model on the frames in a page opened with `query` and returns the exported CSV rows and the worker's backend lines. */
async function predictInWebMode(query: string): Promise<Run> {
  const app = await openWebApp({ width: 1280, height: 800, distDir: dist, chromiumArgs: WEBGPU_ARGS, query });
  try {
    const page = app.page;
    page.setDefaultTimeout(60_000);
    await dropFiles(page, [{ name: 'ethanol5.extxyz', bytes: new TextEncoder().encode(ethanolFramesText(ETHANOL, FRAMES)) }]);
    await page.waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === String(n), FRAMES);
    await page.selectOption('[data-testid="predictor-select"]', MODEL);
    await page.click('[data-testid="start-job"]');
    await page.waitForSelector('[data-testid="job"][data-state="done"]', { timeout: 120_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    const path = join(dist, `predict${query.replace(/\W/g, '-')}.csv`);
    await download.saveAs(path);
    assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], `${query || 'default page'}: no page or worker errors`);
    return { rows: readFileSync(path, 'utf8').trimEnd().split('\n').map(parseCsvLine), compute: app.console.filter((line) => line.includes('Equimol compute: tfjs-')) };
  } finally {
    await app.close();
  }
}

test('with ?backend=webgpu a MACE job runs on tfjs-webgpu with the fused WGSL kernels and exports the energies and forces of the default (wasm) page', { skip, timeout: 300_000 }, async (t) => {
  const webgpu = await predictInWebMode('?backend=webgpu');
  const wasm = await predictInWebMode('');
  t.diagnostic(`worker backends: ${webgpu.compute.join(' | ')} ; ${wasm.compute.join(' | ')}`);
  assert.deepEqual(webgpu.compute, ['info: Equimol compute: tfjs-webgpu with the fused WGSL kernels (asked for webgpu)']);
  assert.equal(wasm.compute.length, 1);
  assert.match(wasm.compute[0]!, /^info: Equimol compute: tfjs-wasm \(.*\) \(asked for wasm\)$/, 'SwiftShader is a fallback adapter: the default page stays on wasm');
  const header = wasm.rows[0]!;
  assert.deepEqual(webgpu.rows[0], header);
  assert.equal(wasm.rows.length, FRAMES + 1);
  const numeric = header.map((name, c) => (/\[/.test(name) ? c : -1)).filter((c) => c >= 0);
  assert.ok(numeric.length >= 3, `energy, per atom and max force columns: ${header.join(', ')}`);
  let worst = 0;
  for (let r = 1; r <= FRAMES; r++) {
    assert.equal(webgpu.rows[r]![header.indexOf('status')], 'ok');
    assert.deepEqual(webgpu.rows[r]!.slice(0, numeric[0]), wasm.rows[r]!.slice(0, numeric[0]), `row ${r}: same file, record, formula`);
    for (const c of numeric) {
      const [a, b] = [Number(webgpu.rows[r]![c]), Number(wasm.rows[r]![c])];
      assert.ok(Number.isFinite(a) && Number.isFinite(b), `row ${r} ${header[c]}: ${a} vs ${b}`);
      const rel = Math.abs(a - b) / Math.max(1, Math.abs(b));
      worst = Math.max(worst, rel);
      assert.ok(rel <= 1e-5, `row ${r} ${header[c]}: webgpu ${a}, wasm ${b}`);
    }
  }
  t.diagnostic(`largest difference relative to max(1, |wasm|): ${worst.toExponential(2)}`);
});
