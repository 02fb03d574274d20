/**
 * Trains a GeoBFN generator (Song et al., ICLR 2024; core/generative/geobfn) on the QM9 geometries with hydrogens of
 * ../shared/datasets/qm9_xtb (128,744 molecules, H C N O, up to 29 atoms), on the CPU under a time budget:
 *
 *   nice -n 19 node --import tsx scripts/train-geobfn-qm9.ts --minutes 120 --features 64 --layers 4 --out tmp/runs/geobfn-qm9/geobfn-qm9
 *
 * The recipe (split by name as train-edm-qm9.ts, --init, checkpoints, card OUT.md, molecules/s) is
 * generator-recipe.ts. GeoBFN's σ₁ (--sigma1-positions 0.001, --sigma1-charges 0.15) and K = 9 charge bins are the defaults.
 */
import { atomCountHistogram } from '../core/generative/edm/edm-model';
import { decodeGeoBfnFile, encodeGeoBfnFile } from '../core/generative/geobfn/generator-file';
import { createGeoBfn } from '../core/generative/geobfn/geobfn-model';
import { trainGeoBfn } from '../core/generative/geobfn/train';
import { number, runGeneratorRecipe } from './generator-recipe';

await runGeneratorRecipe({
  script: 'train-geobfn-qm9.ts',
  defaultOut: 'geobfn-qm9',
  options: {
    'sigma1-positions': { type: 'string', default: '0.001' },
    'sigma1-charges': { type: 'string', default: '0.15' },
  },
  create: (values, train) => createGeoBfn({
    atomCounts: atomCountHistogram(train),
    features: number('features', values['features']),
    layers: number('layers', values['layers']),
    sigma1Positions: number('sigma1-positions', values['sigma1-positions']),
    sigma1Charges: number('sigma1-charges', values['sigma1-charges']),
    seed: number('seed', values['seed']),
  }),
  decode: decodeGeoBfnFile,
  encode: encodeGeoBfnFile,
  train: trainGeoBfn,
  card: {
    family: 'GeoBFN',
    description: ({ config: c }) => `Geometric Bayesian flow network (EDM's EGNN, ${c.dynamics.features} features, ${c.dynamics.layers} blocks; ` +
      `σ₁ ${c.sigma1Positions} positions, ${c.sigma1Charges} charges on ${c.bins} bins; continuous-time loss)`,
    limitations: 'Trained on a CPU for a small fraction of GeoBFN\'s budget (GeoBFN: 256×9, 3000 epochs on a GPU); scores not yet measured.',
    citation: 'Song, Gong, Zhou, Liu, Xie, Ma, Zhou. Unified Generative Modeling of 3D Molecules via Bayesian Flow Networks. ICLR 2024.',
  },
});
