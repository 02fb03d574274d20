/**
 * Equimol's fused WGSL kernels (core/engine/backend/webgpu-*.ts: CG message + scatter, product basis, linear maps)
 * against tfjs-webgpu's own kernels for the same layers (the unfused composition, the in-run baseline): MACE energy
 * + forces per pass in Chromium's WebGPU. Here that is SwiftShader, a CPU Vulkan (no GPU on this machine): the
 * figures show what fusing removes (kernel launches, intermediate tensors), not GPU speed; on a task with the device
 * the same bench runs wherever Chromium finds a GPU adapter (drop --use-vulkan=swiftshader).
 * Model: the architecture of the shipped ethanol MACE (64 channels, L ≤ 1, SH ≤ 3, 2 interactions, correlation 3),
 * seeded weights; rMD17 ethanol frames, 1 per call (MD) and 10 per call (quick: 1 and 4).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromiumSkipReason, openBrowserPage } from '../test/helpers/browser';
import type { TimingMaceConfig, WebGpuPageApi } from '../test/engine/pages/webgpu-page';
import type { BenchFigure, BenchOptions, BenchSuite } from './harness';

const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader'];
const ETHANOL_MACE: TimingMaceConfig = { channels: 64, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, nBasis: 8, radialHidden: 32, readoutHidden: 16, avgNumNeighbors: 8, seed: 1 };

function firstFrames(path: string, count: number): string {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  let end = 0;
  for (let frame = 0; frame < count; frame++) end += Number.parseInt(lines[end]!, 10) + 2;
  return lines.slice(0, end).join('\n') + '\n';
}

type PageWindow = { webgpuParity: WebGpuPageApi };

export const suite: BenchSuite = {
  name: 'webgpu',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const dataset = join(options.datasetsDir, 'botnet_ethanol_rmd17', 'train.extxyz.gz');
    const skip = chromiumSkipReason() || (existsSync(dataset) ? false : `${dataset} not found`);
    if (skip) {
      options.log(`webgpu: skipped (${skip})`);
      return [];
    }
    const session = await openBrowserPage({ entry: 'test/engine/pages/webgpu-page.ts', readyGlobal: 'webgpuPageReady', extraArgs: WEBGPU_ARGS });
    const figures: BenchFigure[] = [];
    try {
      const page = session.page;
      const probe = await page.evaluate(() => (window as unknown as PageWindow).webgpuParity.probeAdapter());
      if (!probe.available) {
        options.log(`webgpu: skipped (${probe.reason})`);
        return [];
      }
      const info = await page.evaluate(() => (window as unknown as PageWindow).webgpuParity.init());
      if (info.name !== 'webgpu') throw new Error(`webgpu did not start: ${info.log.join('; ')}`);
      const adapter = `chromium webgpu (${probe.vendor || 'unknown vendor'} ${probe.architecture || ''})`.replace(' )', ')');
      for (const frames of options.quick ? [1, 4] : [1, 10]) {
        const extxyz = firstFrames(dataset, frames);
        const time = (fused: boolean) => page.evaluate(
          ([text, f, config]) => (window as unknown as PageWindow).webgpuParity.maceTiming(text, f, 3, config),
          [extxyz, fused, ETHANOL_MACE] as const,
        );
        const fused = await time(true);
        const unfused = await time(false);
        options.log(`webgpu: ${frames} frame(s): fused ${fused.ms.toFixed(0)} ms (${fused.kernels.length} kernels), unfused ${unfused.ms.toFixed(0)} ms (${unfused.kernels.length} kernels)`);
        figures.push({
          name: `MACE (ethanol architecture) energy+forces, ${frames} ethanol frame${frames === 1 ? '' : 's'} per pass, fused WGSL kernels`,
          value: fused.ms,
          unit: 'ms/pass',
          backend: adapter,
          baseline: { name: 'tfjs-webgpu stock kernels (unfused composition)', value: unfused.ms },
          better: 'lower',
          note: `median of 3 after a warm-up; ${fused.kernels.length} kernel launches against ${unfused.kernels.length}`,
        });
      }
    } finally {
      await session.close();
    }
    return figures;
  },
};
