/**
 * Training throughput: rMD17 ethanol frames per second through trainModel (energy+force loss, Adam, EMA, one
 * validation pass per epoch), batch 8, on one thread (baseline) and on two (this thread plus one gradient helper
 * thread, main/train/gradient-helpers.ts). Same steps either way; the figure is wall-clock frames/s. For MACE also
 * one thread with the fused native kernels (message + scatter, product basis; forward, backward and the double
 * backward of force training) against the unfused tfjs composition, in the same run.
 */
import { join } from 'node:path';
import type { BenchFigure, BenchSuite } from './harness';
import { createEgnn } from '../core/engine/models/egnn/egnn';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import type { EnergyModel } from '../core/engine/model';
import { averageNeighbourCount, fitNormalisation } from '../core/engine/train/normalisation';
import { trainModel } from '../core/engine/train/train';
import { readStructures } from '../main/io/read-structures';
import { initNodeBackend } from '../main/models/node-backend';
import { fusedMessagePassingActive, setFusedMessagePassing } from '../core/engine/layers/fused-cg-scatter';
import { fusedProductBasisActive, setFusedProductBasis } from '../core/engine/layers/fused-channel-product';
import { startGradientHelpers } from '../main/train/gradient-helpers';

export const suite: BenchSuite = {
  name: 'training',
  async run({ quick, datasetsDir, log }) {
    const backend = await initNodeBackend('wasm');
    const frames = await readStructures(join(datasetsDir, 'botnet_ethanol_rmd17', 'train.extxyz.gz'));
    const train = frames.slice(0, quick ? 32 : 96);
    const validation = frames.slice(96, 104);
    const species = [1, 6, 8];
    const normalisation = fitNormalisation(frames, species);
    const neighbours = averageNeighbourCount(frames.slice(0, 50), 5);
    const models: Record<string, () => EnergyModel> = {
      'MACE 64 channels, L ≤ 1, sh L ≤ 3, correlation 3 (140k parameters)': () => {
        const m = createMaceModel({ species, cutoff: 5, channels: 64, lmax: 1, shLmax: 3, nInteractions: 2, correlation: 3, avgNumNeighbors: neighbours, seed: 1 });
        m.normalisation = normalisation;
        return m;
      },
      'EGNN 32 features, 2 layers': () => createEgnn({ species, cutoff: 5, features: 32, layers: 2, updateCoordinates: false, averageNeighbours: neighbours, seed: 1 }, normalisation),
    };
    const epochs = 2;
    const figures: BenchFigure[] = [];
    for (const [name, create] of Object.entries(models)) {
      const rate = async (threads: number, fused = true): Promise<number> => {
        setFusedMessagePassing(fused);
        setFusedProductBasis(fused);
        const model = create();
        const helpers = threads > 1 ? await startGradientHelpers(model, { count: threads - 1 }) : undefined;
        try {
          const options = { train, validation, batchSize: 8, learningRate: 1e-3, warmupSteps: 2, emaDecay: 0.99, gradientClipNorm: 10, seed: 1, ...(helpers ? { helpers } : {}) };
          await trainModel(model, { ...options, train: train.slice(0, 16), maxEpochs: 1 }); // warm-up: kernels, helper start
          const t0 = performance.now();
          await trainModel(model, { ...options, maxEpochs: epochs });
          return (epochs * train.length) / ((performance.now() - t0) / 1000);
        } finally {
          await helpers?.close();
          model.dispose();
        }
      };
      const one = await rate(1);
      if (name.startsWith('MACE') && fusedMessagePassingActive() && fusedProductBasisActive()) {
        const unfused = await rate(1, false);
        figures.push({
          name: `training throughput, ${name}, batch 8, 1 thread, fused kernels`,
          value: one, unit: 'frames/s', better: 'higher', backend: backend.description,
          baseline: { name: 'unfused tfjs composition (same run)', value: unfused },
          note: `${(one / 8).toFixed(2)} steps/s fused, ${(unfused / 8).toFixed(2)} unfused (energy+force loss: the force term's gradient is a second derivative through the fused ops)`,
        });
      }
      const two = await rate(2);
      log(`${name}: ${one.toFixed(1)} frames/s on 1 thread, ${two.toFixed(1)} on 2`);
      setFusedMessagePassing(true);
      setFusedProductBasis(true);
      figures.push({
        name: `training throughput, ${name}, batch 8, 2 threads`,
        value: two, unit: 'frames/s', better: 'higher', backend: `${backend.description} ×2 (worker thread)`,
        baseline: { name: '1 thread', value: one },
        note: `${epochs} epochs of ${train.length} rMD17 ethanol frames + validation on ${validation.length}; each thread gets half a batch, which at 36 atoms still costs most of a full batch's kernel launches, so expect < 1.5×, and a loss for models whose step is a few ms`,
      });
    }
    return figures;
  },
};
