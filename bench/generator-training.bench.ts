/**
 * Generator training throughput: molecules/s of EDM and GeoBFN training steps (core/generative/train-loop.ts: loss,
 * gradients, Adam, EMA; batch 64, the QM9 recipes' EGNN of 64 features × 4 layers) on the first 2000 QM9 molecules
 * with hydrogens (../shared/datasets/qm9_xtb), with the fused native denoiser (forward with a tape and its native
 * backward, core/generative/edm/fused-dynamics.ts) against the tfjs composition (switched off for that run) as the
 * in-run baseline. Same seed and steps either way; each timed run follows an untimed two-step warm-up.
 */
import { join } from 'node:path';
import { atomCountHistogram, createEdm } from '../core/generative/edm/edm-model';
import { fusedDenoiserKernel, setFusedDenoiser } from '../core/generative/edm/fused-dynamics';
import { trainEdm } from '../core/generative/edm/train';
import { createGeoBfn } from '../core/generative/geobfn/geobfn-model';
import { trainGeoBfn } from '../core/generative/geobfn/train';
import { createStructure, type Structure } from '../core/structure/structure';
import { readStructures } from '../main/io/read-structures';
import { initNodeBackend } from '../main/models/node-backend';
import { timeIt, type BenchFigure, type BenchSuite } from './harness';

const BATCH = 64;

type Trainer = (molecules: readonly Structure[], steps: number) => Promise<unknown>;

export const suite: BenchSuite = {
  name: 'generator-training',
  async run({ quick, datasetsDir, log }) {
    const backend = await initNodeBackend('wasm');
    if (!fusedDenoiserKernel()) {
      log('skipped: the native addon with egnnDenoiser is not built (npm run build:native) or EQUIMOL_FUSED=0');
      return [];
    }
    const all = await readStructures(join(datasetsDir, 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz'));
    const molecules = all.slice(0, 2000).map((s) => createStructure({ name: s.name, numbers: s.numbers, positions: s.positions }));
    const counts = atomCountHistogram(molecules);
    const steps = quick ? 4 : 16;
    const trainers: Record<string, Trainer> = {
      'EDM 64×4': async (m, maxSteps) => {
        const model = createEdm({ atomCounts: counts, features: 64, layers: 4, seed: 1 });
        try { await trainEdm(model, { molecules: m, seed: 1, batchSize: BATCH, maxSteps }); } finally { model.dispose(); }
      },
      'GeoBFN 64×4': async (m, maxSteps) => {
        const model = createGeoBfn({ atomCounts: counts, features: 64, layers: 4, seed: 1 });
        try { await trainGeoBfn(model, { molecules: m, seed: 1, batchSize: BATCH, maxSteps }); } finally { model.dispose(); }
      },
    };
    const figures: BenchFigure[] = [];
    for (const [name, train] of Object.entries(trainers)) {
      const rate = async (fused: boolean): Promise<number> => {
        setFusedDenoiser(fused);
        try {
          await train(molecules, 2);
          return (steps * BATCH) / ((await timeIt(() => train(molecules, steps))).ms / 1000);
        } finally {
          setFusedDenoiser(true);
        }
      };
      const composition = await rate(false);
      const fused = await rate(true);
      log(`${name}: fused ${fused.toFixed(1)} molecules/s, tfjs composition ${composition.toFixed(1)} (${(fused / composition).toFixed(2)}×)`);
      figures.push({
        name: `${name} training: molecules/s, fused native denoiser (forward + backward)`, value: fused, unit: 'molecules/s', better: 'higher',
        backend: backend.description, baseline: { name: 'the tfjs composition (same run)', value: composition },
        note: `${steps} steps of ${BATCH} QM9 molecules, Adam + EMA, one thread`,
      });
    }
    return figures;
  },
};
