/**
 * Issue 16's side-by-side workload, in Equimol only: energy+forces of the shipped ethanol MACE
 * (assets/models/benchmarks/mace-ethanol-rmd17.model.json: 64 channels, L ≤ 1, SH ≤ 3, correlation 3, float32) on
 * the first 100 QM9 molecules made of H, C and O only (../shared/datasets/qm9_xtb/qm9_xtb_equilibrium.extxyz.gz;
 * 1,113 atoms, 11,826 edges at the model's 5 Å cutoff), graph building included, at 100 molecules per call and at
 * one molecule per call (the first 50, one by one: molecular dynamics), native threads 1 and 2, with the fused CG
 * message + scatter op on and off.
 *
 * Each figure's baseline is the unfused path measured in the same run (in-run baseline: the two are timed
 * alternately, ABBA, in one process). The value is the median pass; the note adds the fastest pass and the rate per
 * process CPU-second (both less sensitive to other load on the machine; CPU time counts every thread). The PyTorch figure of the issue (PyTorch 1.13, MACE v0.3.14, same
 * hyperparameters, messages L ≤ 1, measured on this machine) is quoted in the note as a fixed reference: it is NOT
 * measured in this run (PyTorch is not installable here).
 */
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { BenchFigure, BenchSuite } from './harness';
import { initBackend } from '../core/engine/backend/backend';
import { hasCgScatter } from '../core/engine/backend/native-cg-scatter';
import { setNativeMatMul } from '../core/engine/backend/wasm-graph-kernels';
import { buildGraphContext } from '../core/engine/geometry/batch';
import { disposeGraphContext } from '../core/engine/graph/graph-context';
import { fusedMessagePassingActive, setFusedMessagePassing } from '../core/engine/layers/fused-cg-scatter';
import { energyAndForces, type EnergyModel } from '../core/engine/model';
import { readText } from '../core/formats/read-text';
import { extxyzFormat } from '../core/formats/xyz/index';
import type { Structure } from '../core/structure/structure';
import { loadNativeKernels } from '../main/native/load-native-kernels';
import { readModelFile } from '../main/models/model-files';

export const ETHANOL_MACE_FILE = fileURLToPath(new URL('../assets/models/benchmarks/mace-ethanol-rmd17.model.json', import.meta.url));

/** Issue 16's PyTorch figures (molecules/s), quoted: measured once on this machine, not in this run. */
const PYTORCH_QUOTED: Record<string, number> = { 'batch 100, 1 thread': 131, 'batch 100, 2 threads': 148, 'batch 1': 51 };

/** The first `count` molecules of an extxyz.gz whose elements are all in `elements`, streamed (the file is ~300 MB unzipped). */
export async function firstMoleculesOf(path: string, elements: readonly string[], count: number): Promise<Structure[]> {
  const allowed = new Set(elements);
  const kept: string[] = [];
  let keptCount = 0;
  let record: string[] = [];
  let remaining = -1; // atom lines left in the current record; -1: expecting a count line
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (remaining === -1) {
      if (line.trim() === '') continue;
      remaining = Number(line.trim()) + 1; // + the comment line
      record = [line];
      continue;
    }
    record.push(line);
    remaining--;
    if (remaining > 0) continue;
    remaining = -1;
    if (record.slice(2).every((atom) => allowed.has(atom.trim().split(/\s+/)[0]!))) {
      kept.push(...record);
      if (++keptCount === count) break;
    }
  }
  lines.close();
  return readText(kept.join('\n') + '\n', 'qm9_xtb', extxyzFormat).structures;
}

/** One energy+forces pass over `molecules`, `perBatch` per call, graph building included. */
export function energyAndForcesPass(model: EnergyModel, molecules: readonly Structure[], perBatch: number): void {
  for (let start = 0; start < molecules.length; start += perBatch) {
    const ctx = buildGraphContext(molecules.slice(start, start + perBatch), { cutoff: model.cutoff, species: model.species });
    const result = energyAndForces(model, ctx);
    result.forces.dataSync();
    tf.dispose([result.energy, result.forces]);
    disposeGraphContext(ctx);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface PassTimes {
  /** Median wall-clock ms of a pass. */
  readonly wall: number;
  /** Fastest pass, wall-clock ms (the least disturbed by other load on the machine). */
  readonly best: number;
  /** Median process CPU ms of a pass (user + system, all threads). */
  readonly cpu: number;
}

/** Times of `a` and of `b`, timed alternately in ABBA order after one warm-up each (drift hits both alike). */
function alternatingTimes(a: () => void, b: () => void, repeats: number): { a: PassTimes; b: PassTimes } {
  a();
  b();
  const wall = { a: [] as number[], b: [] as number[] };
  const cpu = { a: [] as number[], b: [] as number[] };
  const timed = (which: 'a' | 'b') => {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    (which === 'a' ? a : b)();
    const c = process.cpuUsage(c0);
    wall[which].push(performance.now() - t0);
    cpu[which].push((c.user + c.system) / 1000);
  };
  for (let k = 0; k < repeats; k++) {
    if (k % 2 === 0) { timed('a'); timed('b'); } else { timed('b'); timed('a'); }
  }
  const summary = (which: 'a' | 'b'): PassTimes => ({ wall: median(wall[which]), best: Math.min(...wall[which]), cpu: median(cpu[which]) });
  return { a: summary('a'), b: summary('b') };
}

export const suite: BenchSuite = {
  name: 'engine vs PyTorch (issue 16 workload)',
  async run(options) {
    const info = await initBackend({ prefer: 'wasm' });
    const native = await loadNativeKernels({}).catch(() => undefined);
    if (!native || !hasCgScatter(native)) {
      options.log('skipped: the native addon with cgScatter is not built (npm run build:native)');
      return [];
    }
    const model = await readModelFile(ETHANOL_MACE_FILE);
    const molecules = await firstMoleculesOf(join(options.datasetsDir, 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz'), ['H', 'C', 'O'], 100);
    const ctx = buildGraphContext(molecules, { cutoff: model.cutoff, species: model.species });
    const [nAtoms, nEdges] = [ctx.nAtoms, ctx.nEdges];
    disposeGraphContext(ctx);
    if (molecules.length !== 100 || nAtoms !== 1113) throw new Error(`expected 100 H/C/O molecules with 1,113 atoms, got ${molecules.length} with ${nAtoms}`);
    options.log(`${molecules.length} H/C/O QM9 molecules: ${nAtoms} atoms, ${nEdges} edges (cutoff ${model.cutoff} Å); model ${Object.values(model.params).reduce((s, v) => s + v.size, 0)} parameters`);
    const repeats = options.quick ? 2 : 5;
    const figures: BenchFigure[] = [];
    setNativeMatMul(native);
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      const backend = `${info.description.replace(/\)$/, '')}, ${native.blas ?? 'native'} matMul + cgScatter ${threads} thread${threads === 1 ? '' : 's'})`;
      for (const perBatch of [100, 1]) {
        const used = perBatch === 1 ? molecules.slice(0, 50) : molecules;
        const run = (fused: boolean) => () => {
          setFusedMessagePassing(fused);
          if (fused && !fusedMessagePassingActive()) throw new Error('the fused message-passing op did not switch on');
          energyAndForcesPass(model, used, perBatch);
        };
        const ms = alternatingTimes(run(false), run(true), repeats);
        const key = perBatch === 1 ? 'batch 1' : `batch 100, ${threads} thread${threads === 1 ? '' : 's'}`;
        const pytorch = PYTORCH_QUOTED[key]!;
        const rate = (passMs: number) => (1000 * used.length) / passMs;
        const line = (t: PassTimes) => `fastest pass ${rate(t.best).toFixed(1)}, per CPU-second ${rate(t.cpu).toFixed(1)}`;
        figures.push({
          name: `shipped ethanol MACE (64 ch, L ≤ 1, corr. 3): energy+forces, fused (${used.length} H/C/O QM9 molecules, ${perBatch} per call)`,
          value: rate(ms.b.wall), unit: 'molecules/s', better: 'higher', backend,
          baseline: { name: `${backend}, unfused (same run, alternating)`, value: rate(ms.a.wall) },
          note: `median of ${repeats} passes; fused ${line(ms.b)}; unfused ${line(ms.a)}. PyTorch ${pytorch} molecules/s (${key}` +
            `${perBatch === 1 ? ', threads not stated' : ''}; quoted from issue 16, not measured in this run) → fused median ` +
            `${(rate(ms.b.wall) / pytorch).toFixed(2)}×, fastest ${(rate(ms.b.best) / pytorch).toFixed(2)}× PyTorch`,
        });
      }
    }
    setFusedMessagePassing(false); // the module's default
    native.setThreads(1);
    setNativeMatMul(undefined);
    model.dispose();
    return figures;
  },
};
