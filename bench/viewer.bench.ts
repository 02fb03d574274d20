/**
 * Viewer frame time in headless Chromium (WebGL on SwiftShader, i.e. CPU rasterisation, unless CHROMIUM_ARGS
 * are changed): median ms/frame over N frames while the camera turns, for 10k and 100k atoms (copies of a real
 * ethanol geometry from rMD17 on a 6 Å grid, ball-and-stick; above 5000 atoms the viewer draws ray-cast impostors).
 * Baseline, same run: the same 10k-atom scene drawn with one Mesh per atom and per bond half (non-instanced,
 * tessellated as the viewer would for that count). SwiftShader timings depend heavily on free CPU cores.
 */
import { cpus, loadavg } from 'node:os';
import { chromiumAvailable, CHROMIUM_PATH, openBrowserPage } from '../test/helpers/browser';
import { readFrames } from '../test/viewer/load-dataset';
import type { FrameResult, ViewerBenchApi } from '../test/viewer/pages/bench-page';
import type { BenchFigure, BenchSuite } from './harness';

type BenchWindow = { viewerBench: ViewerBenchApi };

export const suite: BenchSuite = {
  name: 'viewer frame time (headless Chromium)',
  async run(options) {
    if (!chromiumAvailable()) {
      options.log(`skipped: Chromium not found at ${CHROMIUM_PATH}`);
      return [];
    }
    const ethanol = readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1)[0]!;
    const numbers = Array.from(ethanol.numbers);
    const positions = Array.from(ethanol.positions);
    const frames = options.quick ? 5 : 30;
    const smallCopies = Math.round(10_000 / numbers.length);
    const largeCopies = Math.round((options.quick ? 30_000 : 100_000) / numbers.length);
    const session = await openBrowserPage({ entry: 'test/viewer/pages/bench-page.ts', readyGlobal: 'viewerBenchReady', width: 800, height: 600 });
    try {
      const run = async (method: 'instanced' | 'perObject', copies: number, count: number, antialias = true): Promise<FrameResult> => {
        const result = await session.page.evaluate(
          ([m, c, f, nums, pos, aa]) => (m === 'instanced' ? (window as unknown as BenchWindow).viewerBench.instanced(nums, pos, c, f, aa) : (window as unknown as BenchWindow).viewerBench.perObject(nums, pos, c, f)),
          [method, copies, count, numbers, positions, antialias] as const,
        );
        options.log(`${method}${antialias ? '' : ' (no MSAA)'} ${result.atoms} atoms, ${result.bonds} bonds: ${result.medianMs.toFixed(1)} ms/frame (median of ${count}), load ${result.loadMs.toFixed(0)} ms, ${result.drawCalls} draw calls, ${result.triangles} triangles`);
        return result;
      };
      // Warm-up compiles the shaders once for both paths.
      await run('instanced', 10, 2);
      const baseline = await run('perObject', smallCopies, Math.max(3, Math.round(frames / 3)));
      const small = await run('instanced', smallCopies, frames);
      const large = await run('instanced', largeCopies, Math.max(3, Math.round(frames / 3)));
      const largeNoAa = await run('instanced', largeCopies, Math.max(3, Math.round(frames / 3)), false);
      const dragCount = Math.max(3, Math.round(frames / 3));
      const dragged = await session.page.evaluate(
        ([c, f, nums, pos]) => (window as unknown as BenchWindow).viewerBench.dragged(nums, pos, c, f),
        [largeCopies, dragCount, numbers, positions] as const,
      );
      options.log(`dragged ${dragged.atoms} atoms: ${dragged.medianMs.toFixed(1)} ms/frame (median of ${dragCount}); ${dragged.glRenderer}`);
      if (session.errors.length > 0) throw new Error(`page errors: ${session.errors.join('; ')}`);
      // SwiftShader rasterises on the CPU: record how busy the machine was.
      const machine = `${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`;
      const backend = `chromium ${/SwiftShader/i.test(small.glRenderer) ? '(SwiftShader, CPU WebGL)' : `(${small.glRenderer})`}, 800x600, MSAA, ${machine}`;
      const base = { name: `one Mesh per atom/bond half, ${baseline.atoms} atoms`, value: baseline.medianMs };
      const figures: BenchFigure[] = [
        {
          name: `frame time, ${small.atoms} atoms ball-and-stick (instanced)`,
          value: small.medianMs,
          unit: 'ms/frame',
          backend,
          baseline: base,
          better: 'lower',
          note: `${small.drawCalls} vs ${baseline.drawCalls} draw calls; GL: ${small.glRenderer}`,
        },
        {
          name: `frame time, ${large.atoms} atoms ball-and-stick (instanced)`,
          value: large.medianMs,
          unit: 'ms/frame',
          backend,
          baseline: base,
          better: 'lower',
          note: `baseline is the ${baseline.atoms}-atom per-Mesh scene (10x fewer atoms); ${large.triangles} triangles`,
        },
        {
          name: `frame time, ${largeNoAa.atoms} atoms ball-and-stick (instanced, antialias: false)`,
          value: largeNoAa.medianMs,
          unit: 'ms/frame',
          backend: backend.replace(', MSAA,', ', no MSAA,'),
          baseline: base,
          better: 'lower',
          note: 'ViewerOptions.antialias = false: a host may choose it for very large structures on software GL',
        },
        {
          name: `frame time while dragging, ${dragged.atoms} atoms (pointer events; half resolution while moving)`,
          value: dragged.medianMs,
          unit: 'ms/frame',
          backend,
          baseline: base,
          better: 'lower',
          note: 'interactionPixelScale 0.5: full resolution is redrawn 250 ms after the drag stops',
        },
        {
          name: `load ${large.atoms} atoms (bond perception, instance upload, first frame)`,
          value: large.loadMs,
          unit: 'ms',
          backend,
          baseline: { name: `per-Mesh scene build + first frame, ${baseline.atoms} atoms`, value: baseline.loadMs },
          better: 'lower',
        },
      ];
      return figures;
    } finally {
      await session.close();
    }
  },
};
