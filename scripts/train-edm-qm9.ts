/**
 * Trains an EDM generator (Hoogeboom et al. 2022; core/generative/edm) on the QM9 geometries with hydrogens of
 * ../shared/datasets/qm9_xtb (128,744 molecules, H C N O, up to 29 atoms), on the CPU under a time budget:
 *
 *   nice -n 19 node --import tsx scripts/train-edm-qm9.ts --minutes 120 --features 64 --layers 4 --out tmp/runs/edm-qm9/edm-qm9
 *
 * The recipe (split by name, --init, checkpoints, card OUT.md, molecules/s) is generator-recipe.ts, shared with
 * train-geobfn-qm9.ts; EDM adds --schedule polynomial|cosine, --timesteps and --condition PROPERTY.
 */
import { atomCountHistogram, contextSpecOf, createEdm } from '../core/generative/edm/edm-model';
import { decodeGeneratorFile, encodeGeneratorFile } from '../core/generative/edm/generator-file';
import { trainEdm } from '../core/generative/edm/train';
import { number, runGeneratorRecipe } from './generator-recipe';

await runGeneratorRecipe({
  script: 'train-edm-qm9.ts',
  defaultOut: 'edm-qm9',
  options: {
    schedule: { type: 'string', default: 'polynomial' },
    timesteps: { type: 'string', default: '1000' },
    condition: { type: 'string' },
  },
  condition: (values) => values['condition'],
  create: (values, train) => createEdm({
    atomCounts: atomCountHistogram(train),
    features: number('features', values['features']),
    layers: number('layers', values['layers']),
    schedule: values['schedule'] === 'cosine'
      ? { kind: 'cosine', timesteps: number('timesteps', values['timesteps']) }
      : { kind: 'polynomial', timesteps: number('timesteps', values['timesteps']), power: 2, precision: 1e-5 },
    ...(values['condition'] ? { context: contextSpecOf(train, values['condition']) } : {}),
    seed: number('seed', values['seed']),
  }),
  decode: decodeGeneratorFile,
  encode: encodeGeneratorFile,
  train: trainEdm,
  card: {
    family: 'EDM',
    description: (model) => `E(3) equivariant diffusion model (EGNN dynamics, ${model.config.dynamics.features} features, ${model.config.dynamics.layers} blocks, ` +
      `${model.config.schedule.kind} schedule, T = ${model.config.schedule.timesteps})` + (model.config.context ? `, conditioned on ${model.config.context.property}` : ''),
    limitations: 'Trained on a CPU for a small fraction of EDM\'s budget (EDM: 256×9, ~3000 epochs on a GPU); scores not yet measured.',
    citation: 'Hoogeboom, Satorras, Vignac, Welling. Equivariant Diffusion for Molecule Generation in 3D. ICML 2022.',
  },
});
