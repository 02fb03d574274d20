/**
 * Issue 16's per-family figures: energy+forces molecules/s and atoms/s of every model family (EGNN, MACE, TDN, eSCN,
 * FAENet) at 100 molecules per call and at one molecule per call (molecular dynamics), on one and two threads, on
 * the path the desktop app takes (tfjs-wasm, native OpenBLAS matMul, and the fused kernels wherever a family's layers
 * have them: the message + scatter kernel, for MACE's and TDN's messages and FAENet's filter convolution, MACE's
 * product basis and the linear maps). Each figure's baseline is the same family and batch on today's unfused path,
 * 1 thread, timed alternately in the same run.
 *
 * Input: the first 100 QM9 molecules of ../shared/datasets/qm9_xtb (H, C, N, O, F; the batch-1 figures use the first
 * 20 one by one), graph building included. Models are fresh seeded ones of the sizes engine.bench.ts uses (speed does
 * not depend on the weights' values).
 */
import { join } from 'node:path';
import type { BenchFigure, BenchSuite } from './harness';
import { initBackend } from '../core/engine/backend/backend';
import { hasCgScatter } from '../core/engine/backend/native-cg-scatter';
import { setNativeMatMul } from '../core/engine/backend/wasm-graph-kernels';
import type { EnergyModel } from '../core/engine/model';
import { createEgnn } from '../core/engine/models/egnn/egnn';
import { createEscnModel } from '../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../core/engine/models/faenet/faenet-model';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import { createTdnModel } from '../core/engine/models/tdn/tdn-model';
import { loadNativeKernels } from '../main/native/load-native-kernels';
import { alternatingTimes, applyFusion, energyAndForcesPass, firstMoleculesOf, FUSED, UNFUSED } from './engine-pytorch.bench';

const SPECIES = [1, 6, 7, 8, 9];
const EQUIVARIANT = { species: SPECIES, cutoff: 5, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors: 15, seed: 1 };

const FAMILIES: ReadonlyArray<{ label: string; create: () => EnergyModel }> = [
  { label: 'EGNN (3 layers, 64 features)', create: () => createEgnn({ species: SPECIES, features: 64, layers: 3, cutoff: 5, seed: 1 }) },
  { label: 'MACE (24 channels, L ≤ 1, 2 interactions, correlation 2)', create: () => createMaceModel({ ...EQUIVARIANT, channels: 24 }) },
  { label: 'TDN (24 channels, L ≤ 1, CP tensor products)', create: () => createTdnModel({ ...EQUIVARIANT, channels: 24 }) },
  { label: 'eSCN (24 channels, L ≤ 1, SO(2) convolutions)', create: () => createEscnModel({ ...EQUIVARIANT, channels: 24 }) },
  { label: 'FAENet (64 hidden, 2 interactions, full frame averaging)', create: () => createFaenetModel({ species: SPECIES, cutoff: 5, hidden: 64, nInteractions: 2, avgNumNeighbors: 15, seed: 1 }) },
];

export const suite: BenchSuite = {
  name: 'model families: energy+forces per family, batch 100 and 1, 1 and 2 threads (issue 16)',
  async run(options) {
    const info = await initBackend({ prefer: 'wasm' });
    const native = await loadNativeKernels({}).catch(() => undefined);
    if (!native || !hasCgScatter(native) || !native.setKernelThreads) {
      options.log('skipped: the native addon with the fused kernels is not built (npm run build:native)');
      return [];
    }
    const molecules = await firstMoleculesOf(join(options.datasetsDir, 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz'), ['H', 'C', 'N', 'O', 'F'], options.quick ? 20 : 100);
    const single = molecules.slice(0, 20);
    const atomsOf = (list: typeof molecules) => list.reduce((sum, m) => sum + m.numbers.length, 0);
    options.log(`${molecules.length} QM9 molecules (${atomsOf(molecules)} atoms); batch 1 on the first ${single.length} (${atomsOf(single)} atoms)`);
    const repeats = options.quick ? 2 : 3;
    const figures: BenchFigure[] = [];
    setNativeMatMul(native);
    native.setThreads(1); // OpenBLAS: 1 thread is fastest on these products (main/native/load-native-kernels.ts)
    const baselineName = `${info.description.replace(/\)$/, '')}, ${native.blas ?? 'native'} matMul 1 thread, unfused, 1 thread (same run, alternating)`;
    for (const family of options.quick ? FAMILIES.slice(0, 2) : FAMILIES) {
      const model = family.create();
      const parameters = Object.values(model.params).reduce((sum, v) => sum + v.size, 0);
      for (const [perBatch, used] of [[100, molecules], [1, single]] as const) {
        const run = (threads: number, fused: boolean) => () => {
          native.setKernelThreads!(threads);
          applyFusion(fused ? FUSED : UNFUSED);
          energyAndForcesPass(model, used, perBatch);
        };
        const [today, one, two] = alternatingTimes([run(1, false), run(1, true), run(2, true)], repeats);
        const molRate = (ms: number) => (1000 * used.length) / ms;
        const atomRate = (ms: number) => (1000 * atomsOf(used)) / ms;
        for (const [threads, times] of [[1, one!], [2, two!]] as const) {
          const backend = `${info.description.replace(/\)$/, '')}, ${native.blas ?? 'native'} matMul 1 thread, fused kernels ${threads} thread${threads === 1 ? '' : 's'})`;
          const what = `${family.label}, ${parameters} parameters: energy+forces (${used.length} QM9 molecules, ${perBatch} per call), ${threads} thread${threads === 1 ? '' : 's'}`;
          figures.push({
            name: what, value: molRate(times.wall), unit: 'molecules/s', better: 'higher', backend,
            baseline: { name: baselineName, value: molRate(today!.wall) },
            note: `fastest pass ${molRate(times.best).toFixed(1)} against ${molRate(today!.best).toFixed(1)}`,
          });
          figures.push({
            name: `${what}, in atoms`, value: atomRate(times.wall), unit: 'atoms/s', better: 'higher', backend,
            baseline: { name: baselineName, value: atomRate(today!.wall) },
          });
        }
      }
      model.dispose();
    }
    applyFusion(UNFUSED); // the modules' default
    native.setKernelThreads(1);
    setNativeMatMul(undefined);
    return figures;
  },
};
