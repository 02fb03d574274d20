// The tfjs WebGPU backend in real headless Chromium (WebGPU on SwiftShader, a CPU Vulkan implementation) against the
// cpu reference in the same page: second derivatives (with Equimol's second-order gradient fix), the message-passing
// ops and their gradients, a small EGNN and MACE (energies, forces, force-loss weight gradients) on rMD17 ethanol
// frames, and a flat tensor count across predictions. Skips only when Chromium is absent, exposes no WebGPU adapter, or
// ../shared/datasets is missing.
// Tolerances (float32): second derivatives within 1e-6 of the analytic value; segment sum/gather within 1e-5 of the
// cpu values' scale; energies and forces within 2e-5 of the largest cpu value; weight gradients within 1e-4 of each
// tensor's largest cpu gradient (floored at 1e-2 of the model's largest) and 1e-5 of the model's largest. Measured
// errors are ~1e-7 to 1e-6 with Equimol's sin/cos/acos kernels (core/engine/backend/webgpu-kernels.ts); with the stock
// WGSL sin (1.9e-4 off on SwiftShader) EGNN forces were 2.2e-4 off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromiumSkipReason, openBrowserPage, REPO_ROOT, type BrowserPage } from '../helpers/browser';
import type { ModelOutputs, WebGpuPageApi } from './pages/webgpu-page';

type PageWindow = { webgpuParity: WebGpuPageApi };

/**
 * WebGPU is behind a flag on Linux Chromium; SwiftShader provides the adapter without a GPU. Vulkan (SwiftShader)
 * canvases are needed for tfjs-webgpu's dataSync(), which reads back through a WebGPU canvas: without them it
 * returns zeros (initBackend detects that and refuses webgpu, see the last test).
 */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader'];
const DATASET = join(REPO_ROOT, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'train.extxyz.gz');
const FRAMES = 2;

/** Text of the first `count` frames of a gzip extended XYZ file (each frame: count line, comment, atom lines). */
function firstFrames(path: string, count: number): string {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  let end = 0;
  for (let frame = 0; frame < count; frame++) end += Number.parseInt(lines[end]!, 10) + 2;
  return lines.slice(0, end).join('\n') + '\n';
}

let session: BrowserPage | null = null;
let skip: string | false = chromiumSkipReason() || (existsSync(DATASET) ? false : `dataset ${DATASET} not found`);
if (!skip) {
  session = await openBrowserPage({ entry: 'test/engine/pages/webgpu-page.ts', readyGlobal: 'webgpuPageReady', extraArgs: WEBGPU_ARGS });
  const probe = await session.page.evaluate(() => (window as unknown as PageWindow).webgpuParity.probeAdapter());
  if (!probe.available) skip = `Chromium exposes no WebGPU adapter: ${probe.reason}`;
}
const extxyz = skip ? '' : firstFrames(DATASET, FRAMES);

before(async () => {
  if (skip) return;
  const info = await call('init');
  assert.equal(info.name, 'webgpu', `initBackend fell back: ${info.log.join('; ')}`);
});
after(async () => {
  await session?.close();
});

/** Calls a method of the page's API with (serialisable) arguments and returns its (serialisable) result. */
function call<K extends keyof WebGpuPageApi>(method: K, ...args: Parameters<WebGpuPageApi[K]>): ReturnType<WebGpuPageApi[K]> {
  return session!.page.evaluate(
    ([name, values]) => ((window as unknown as PageWindow).webgpuParity[name] as (...a: unknown[]) => Promise<unknown>)(...values),
    [method, args] as const,
  ) as ReturnType<WebGpuPageApi[K]>;
}

interface Difference {
  readonly abs: number;
  /** max |a - b| / max(floor, max |b|): the error relative to the reference's scale. */
  readonly rel: number;
}

function difference(a: readonly number[], b: readonly number[], floor = 1e-6): Difference {
  assert.equal(a.length, b.length);
  let abs = 0, scale = floor;
  for (let i = 0; i < a.length; i++) {
    assert.ok(Number.isFinite(a[i]!), `value ${i} is ${a[i]}`);
    abs = Math.max(abs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { abs, rel: abs / scale };
}

const format = (d: Difference) => `max abs ${d.abs.toExponential(2)}, rel ${d.rel.toExponential(2)}`;

const sigma = (x: number) => 1 / (1 + Math.exp(-x));
/** d²/dx² of each page case, by hand. */
const analyticSecond: Record<string, (x: number) => number> = {
  'x·sigmoid(x)': (x) => sigma(x) * (1 - sigma(x)) * (2 + x * (1 - 2 * sigma(x))),
  tanh: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
  exp: (x) => Math.exp(x),
  sin: (x) => -Math.sin(x),
  // f = x·g, g = tanh(eˣ): g' = (1 - t²)eˣ, g'' = (1 - t²)eˣ(1 - 2t·eˣ), f'' = 2g' + x·g''.
  'x·tanh(exp(x))': (x) => {
    const e = Math.exp(x), t = Math.tanh(e);
    return 2 * (1 - t * t) * e + x * (1 - t * t) * e * (1 - 2 * t * e);
  },
};

test('initBackend in Chromium picks webgpu when preferred and reports the second-order gradient fix', { skip }, async () => {
  const info = await call('init');
  assert.equal(info.name, 'webgpu');
  assert.equal(info.description, 'tfjs-webgpu');
  assert.ok(info.secondOrderGradientsFixed);
  assert.equal(info.graphKernels, false);
});

test('second derivatives (x·sigmoid x, tanh, exp, sin, x·tanh(exp x)) on webgpu equal the analytic ones and the cpu backend', { skip }, async (t) => {
  const webgpu = await call('secondDerivatives', 'webgpu');
  const cpu = await call('secondDerivatives', 'cpu');
  assert.equal(webgpu.length, 10);
  const half = webgpu.find((c) => c.name === 'x·sigmoid(x)' && c.x === 0.5)!;
  assert.ok(Math.abs(half.value - 0.4412) < 1e-3, `x·sigmoid(x)'' at 0.5 is ${half.value} (stock tfjs gives 0.470)`);
  let worstAnalytic = 0, worstCpu = 0;
  webgpu.forEach((c, k) => {
    const exact = analyticSecond[c.name]!(c.x);
    assert.equal(cpu[k]!.name, c.name);
    assert.ok(Math.abs(cpu[k]!.value - exact) < 1e-5, `cpu ${c.name}'' at ${c.x}: ${cpu[k]!.value} vs ${exact}`);
    assert.ok(Math.abs(c.value - exact) < 1e-6 * Math.max(1, Math.abs(exact)), `webgpu ${c.name}'' at ${c.x}: ${c.value} vs ${exact}`);
    worstAnalytic = Math.max(worstAnalytic, Math.abs(c.value - exact));
    worstCpu = Math.max(worstCpu, Math.abs(c.value - cpu[k]!.value));
  });
  t.diagnostic(`webgpu vs analytic max abs ${worstAnalytic.toExponential(2)}, webgpu vs cpu max abs ${worstCpu.toExponential(2)}`);
});

test('sin, cos (over [-30, 30]) and acos on webgpu are float32-accurate (Equimol kernels; WGSL built-ins are not)', { skip }, async (t) => {
  const webgpu = await call('accurateOpErrors', 'webgpu');
  const cpu = await call('accurateOpErrors', 'cpu');
  const show = (e: Record<string, number>) => Object.entries(e).map(([name, v]) => `${name} ${v.toExponential(2)}`).join(', ');
  t.diagnostic(`max |error|: webgpu ${show(webgpu.equimol)}; stock webgpu ${show(webgpu.stock!)}; cpu ${show(cpu.equimol)}`);
  // Float32 rounding of the result alone is up to 6e-8 (sin, cos) and 1.2e-7 (acos near π); reduction, polynomials and
  // sqrt add a few ulps (1e-6 is 4 ulps of π).
  for (const name of ['sin', 'cos', 'acos'] as const) {
    assert.ok(webgpu.equimol[name] < 1e-6, `webgpu ${name}: ${webgpu.equimol[name]}`);
    assert.ok(cpu.equimol[name] < 2e-7, `cpu ${name}: ${cpu.equimol[name]}`);
  }
});

test('unsortedSegmentSum and gather (forward and gradient) on webgpu equal the cpu backend, empty segments included', { skip }, async (t) => {
  const webgpu = await call('graphOps', 'webgpu');
  const cpu = await call('graphOps', 'cpu');
  assert.deepEqual(Object.keys(webgpu), Object.keys(cpu));
  assert.equal(Object.keys(cpu).length, 7);
  // Segments 40..49 receive no rows: their sums must be exactly zero on both backends.
  assert.ok(webgpu['segment sum']!.slice(40 * 16).every((v) => v === 0));
  for (const [name, values] of Object.entries(webgpu)) {
    const d = difference(values, cpu[name]!);
    t.diagnostic(`${name}: ${format(d)}`);
    assert.ok(d.rel < 1e-5, `${name}: ${format(d)}`);
  }
});

/**
 * Energies and forces within 2e-5 of the largest cpu value; per weight tensor, the force-loss gradient within 1e-4
 * of that tensor's largest cpu gradient floored at 1e-2 of the model's largest (a tensor the loss barely reaches is
 * judged against the model's gradient scale, not its own rounding noise), and within 1e-5 of the model's largest.
 */
function assertModelsAgree<F extends string>(t: { diagnostic(message: string): void }, webgpu: Record<F, ModelOutputs>, cpu: Record<F, ModelOutputs>, families: readonly F[], label = ''): void {
  for (const family of families) {
    const w: ModelOutputs = webgpu[family], c: ModelOutputs = cpu[family];
    assert.equal(c.energy.length, FRAMES);
    assert.equal(c.forces.length, FRAMES * 9 * 3); // ethanol: 9 atoms
    assert.ok(c.forces.some((f) => Math.abs(f) > 1e-3), `${family} forces are not all zero`);
    const energy = difference(w.energy, c.energy);
    const forces = difference(w.forces, c.forces);
    t.diagnostic(`${label}${family} energy: ${format(energy)}; forces: ${format(forces)}`);
    assert.ok(energy.rel < 2e-5, `${family} energy: ${format(energy)}`);
    assert.ok(forces.rel < 2e-5, `${family} forces: ${format(forces)}`);
    assert.deepEqual(w.parameterNames, c.parameterNames);
    // Per weight tensor, relative to that tensor's largest reference gradient floored at 1e-2 of the model's largest
    // (a tensor the loss barely reaches is judged against the model's gradient scale, not its own rounding noise),
    // and all of them together relative to the model's largest gradient.
    const largest = Math.max(...c.gradients.map((g) => Math.max(...g.map(Math.abs))));
    let worst: Difference & { name?: string } = { abs: 0, rel: 0 };
    let reached = 0;
    c.parameterNames.forEach((name, k) => {
      if (c.gradients[k]!.some((g) => g !== 0)) reached++;
      const d = difference(w.gradients[k]!, c.gradients[k]!, 1e-2 * largest);
      assert.ok(d.rel < 1e-4, `${family} gradient of ${name}: ${format(d)}`);
      assert.ok(d.abs < 1e-5 * largest, `${family} gradient of ${name}: max abs ${d.abs} against the largest gradient ${largest}`);
      if (d.rel > worst.rel) worst = { ...d, name };
    });
    assert.ok(reached >= c.parameterNames.length / 2, `${family}: the force loss reaches ${reached} of ${c.parameterNames.length} weights`);
    t.diagnostic(`${label}${family} weight gradients (${c.parameterNames.length} tensors): worst ${worst.name}: ${format(worst)}, largest gradient ${largest.toExponential(2)}`);
  }
}

test('a small EGNN and MACE give the same energies, forces and force-loss weight gradients on webgpu as on cpu', { skip }, async (t) => {
  const webgpu = await call('models', 'webgpu', extxyz);
  const cpu = await call('models', 'cpu', extxyz);
  assertModelsAgree(t, webgpu, cpu, ['egnn', 'mace']);
});

test('small TDN, eSCN and FAENet models give the same energies, forces and force-loss weight gradients on webgpu as on cpu, with the fused kernels off and on', { skip }, async (t) => {
  const cpu = await call('otherFamilies', 'cpu', extxyz);
  assertModelsAgree(t, await call('otherFamilies', 'webgpu', extxyz), cpu, ['tdn', 'escn', 'faenet']);
  assertModelsAgree(t, await call('otherFamilies', 'webgpu', extxyz, true), cpu, ['tdn', 'escn', 'faenet'], 'fused ');
});

test('the WGSL fused kernels (CG message + scatter, MACE and TDN products; product basis; linear maps) equal the cpu reference compositions in values, first gradients and second derivatives', { skip }, async (t) => {
  const fused = await call('fusedKernels', 'webgpu', extxyz, true);
  const reference = await call('fusedKernels', 'cpu', extxyz, false);
  assert.deepEqual(fused.active, { message: true, product: true, linear: true }, 'the fused ops are active on webgpu');
  assert.deepEqual(reference.active, { message: false, product: false, linear: false }, 'no fused kernels on cpu');
  assert.deepEqual(Object.keys(fused.ops), ['message L1-SH2', 'message L3-mixed', 'message CP-L1-SH2', 'product L1', 'product L2', 'product L3-to-1', 'linear mixed', 'linear fan-in', 'linear no-source', 'linear single']);
  for (const [name, r] of Object.entries(reference.ops)) {
    const f = fused.ops[name]!;
    const parts: Array<[string, number[], number[]]> = [['value', f.value, r.value]];
    const operands = name.startsWith('linear') ? ['x', ...r.first.slice(1).map((_, k) => `W${k}`)] : ['x', 'y', 'w'];
    assert.equal(f.first.length, operands.length);
    operands.forEach((operand, k) => parts.push([`∂/∂${operand}`, f.first[k]!, r.first[k]!], [`second derivative ∂/∂${operand}`, f.second[k]!, r.second[k]!]));
    for (const [what, a, b] of parts) {
      assert.ok(b.some((v) => v !== 0), `${name} ${what}: the reference is not all zero`);
      const d = difference(a, b);
      t.diagnostic(`${name} ${what}: ${format(d)}`);
      assert.ok(d.rel < 1e-5, `${name} ${what}: ${format(d)}`);
    }
  }
});

test('MACE with its messages, product basis and linear maps on the WGSL kernels gives the cpu energies, forces and force-loss gradients; the time per pass is reported', { skip }, async (t) => {
  const webgpu = await call('models', 'webgpu', extxyz, true);
  const cpu = await call('models', 'cpu', extxyz);
  assertModelsAgree(t, webgpu, cpu, ['mace'], 'fused ');
  const [fused, unfused] = [await call('maceTiming', extxyz, true, 5), await call('maceTiming', extxyz, false, 5)];
  const calls = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;
  // One interaction: the forward and the gradients the forces need (the message w.r.t. x, y and w).
  for (const name of ['EquimolCgScatter', 'EquimolChannelProduct', 'EquimolLinearMaps']) {
    assert.ok(calls(fused.kernels, name) >= 2, `the fused pass ran ${name} ${calls(fused.kernels, name)} times`);
    assert.equal(calls(unfused.kernels, name), 0);
  }
  t.diagnostic(`MACE energy+forces of ${FRAMES} ethanol frames on webgpu (SwiftShader, a CPU): fused ${fused.ms.toFixed(1)} ms in ${fused.kernels.length} kernel launches ` +
    `(${calls(fused.kernels, 'EquimolCgScatter')} CG message, ${calls(fused.kernels, 'EquimolChannelProduct')} product basis, ${calls(fused.kernels, 'EquimolLinearMaps')} linear maps), unfused ${unfused.ms.toFixed(1)} ms in ${unfused.kernels.length} (median of 5)`);
});

test('dataSync() on webgpu returns the same values as await data()', { skip }, async () => {
  const { sync, async } = await call('syncAndAsyncReads');
  assert.equal(sync.length, 800);
  assert.ok(async.some((v) => v !== 0));
  assert.deepEqual(sync, async);
});

test('tf.memory().numTensors stays flat across repeated MACE energy+force predictions on webgpu', { skip }, async () => {
  const counts = await call('tensorsAcrossPredictions', 'webgpu', extxyz, 3);
  assert.equal(counts.length, 3);
  assert.deepEqual(counts.slice(1), [counts[0], counts[0]], `tensor counts ${counts.join(', ')}`);
});

test('the webgpu page logged no errors', { skip }, () => {
  assert.deepEqual(session!.errors, []);
});

test('initBackend refuses a webgpu whose dataSync() reads back wrong values (Chromium without Vulkan canvases)', { skip }, async (t) => {
  const plain = await openBrowserPage({ entry: 'test/engine/pages/webgpu-page.ts', readyGlobal: 'webgpuPageReady', extraArgs: ['--enable-unsafe-webgpu'] });
  try {
    const info = await plain.page.evaluate(() => (window as unknown as PageWindow).webgpuParity.init());
    t.diagnostic(`without Vulkan canvases initBackend picked ${info.name}: ${info.log.join('; ')}`);
    if (info.name === 'webgpu') {
      // This Chromium reads back correctly without the flags: then webgpu is right, and must read correctly.
      const { sync, async } = await plain.page.evaluate(() => (window as unknown as PageWindow).webgpuParity.syncAndAsyncReads());
      assert.deepEqual(sync, async);
    } else {
      assert.ok(info.log.some((line) => line.includes('webgpu failed: dataSync() reads back wrong values')), info.log.join('; '));
    }
  } finally {
    await plain.close();
  }
});
