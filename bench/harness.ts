/**
 * Benchmark contract: every bench/<area>.bench.ts exports `suite: BenchSuite`. `npm run bench` (bench/run.ts)
 * runs them all and prints each figure beside the baseline measured in the same run and their ratio.
 * Targets are stated as `target` (a ratio or a value); a bench never fails a test run.
 */
export interface BenchFigure {
  /** What was measured, e.g. 'SDF parse throughput (120 MB, QM9)'. */
  readonly name: string;
  readonly value: number;
  /** 'MB/s', 'structures/s', 'ms/frame', 'MiB' ... */
  readonly unit: string;
  /** The compute backend or environment, e.g. 'tfjs-wasm (SIMD, 2 threads)', 'node 20', 'chromium (SwiftShader)'. */
  readonly backend?: string;
  /** Baseline measured in the same run, same unit, e.g. stock tfjs or a naive reader. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** 'higher' when bigger is better (throughput), 'lower' for times and memory. */
  readonly better: 'higher' | 'lower';
  /** Free text: target, sizes, caveats. */
  readonly note?: string;
}

export interface BenchOptions {
  /** Smaller inputs for a smoke run (`npm run bench -- --quick`). */
  readonly quick: boolean;
  /** Where a bench may write scratch files (generated inputs): bench/results/tmp, git-ignored. */
  readonly scratchDir: string;
  /** Absolute path of ../shared/datasets. */
  readonly datasetsDir: string;
  readonly log: (line: string) => void;
}

export interface BenchSuite {
  readonly name: string;
  run(options: BenchOptions): Promise<BenchFigure[]>;
}

/** Speed-up of value over baseline, oriented so > 1 means better than baseline. */
export function ratioOf(figure: BenchFigure): number | undefined {
  if (!figure.baseline || figure.baseline.value === 0 || figure.value === 0) return undefined;
  return figure.better === 'higher' ? figure.value / figure.baseline.value : figure.baseline.value / figure.value;
}

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - t0 };
}
