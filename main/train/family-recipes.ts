/**
 * How to build an untrained energy model of each family from width flags, with the defaults and optimiser
 * settings that suit one CPU core (from the ethanol benchmarks in assets/models/benchmarks/).
 * Width flags: --features/--layers (egnn), --channels/--lmax/--sh-lmax/--interactions/--correlation (mace, tdn,
 * escn), --hidden/--interactions (faenet).
 */
import type { EnergyModel, EnergyNormalisation } from '../../core/engine/model';
import { createEgnn } from '../../core/engine/models/egnn/egnn';
import { createEscnModel } from '../../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../../core/engine/models/faenet/faenet-model';
import { createMaceModel } from '../../core/engine/models/mace/mace-model';
import { createTdnModel } from '../../core/engine/models/tdn/tdn-model';

export const FAMILIES = ['mace', 'egnn', 'tdn', 'escn', 'faenet'] as const;
export type Family = (typeof FAMILIES)[number];

/** Every width flag any family reads. */
export const WIDTH_FLAGS = ['features', 'layers', 'channels', 'lmax', 'sh-lmax', 'interactions', 'correlation', 'hidden'] as const;

export interface FamilyCommon {
  readonly species: readonly number[];
  readonly cutoff: number;
  readonly averageNeighbours: number;
  readonly seed: number;
}

export interface FamilyRecipe {
  readonly name: string;
  /** Defaults of this family's width flags. */
  readonly defaults: Readonly<Record<string, number>>;
  readonly learningRate: number;
  readonly warmupSteps: number;
  create(widths: Readonly<Record<string, number>>, common: FamilyCommon, normalisation: EnergyNormalisation): EnergyModel;
  /** 'MACE (64 channels, L ≤ 1, ...)' from the model's config. */
  describe(config: Readonly<Record<string, unknown>>): string;
  readonly description: string;
  readonly citation: string;
}

function equivariant(name: string, createModel: typeof createMaceModel, description: string, citation: string, widths: Record<string, number> = {}): FamilyRecipe {
  return {
    name,
    defaults: { channels: 16, lmax: 1, 'sh-lmax': 2, interactions: 2, correlation: 2, ...widths },
    learningRate: 0.005,
    warmupSteps: 50,
    create(f, c, normalisation) {
      const model = createModel({
        species: [...c.species], cutoff: c.cutoff, channels: f['channels']!, lmax: f['lmax']!, shLmax: f['sh-lmax']!,
        nInteractions: f['interactions']!, correlation: f['correlation']!, avgNumNeighbors: c.averageNeighbours, seed: c.seed,
      });
      model.normalisation = normalisation;
      return model;
    },
    describe: (config) => `${name} (${String(config['channels'])} channels, L ≤ ${String(config['lmax'])}, ${String(config['nInteractions'])} interactions, correlation ${String(config['correlation'])})`,
    description,
    citation,
  };
}

export const FAMILY_RECIPES: Readonly<Record<Family, FamilyRecipe>> = {
  egnn: {
    name: 'EGNN',
    defaults: { features: 64, layers: 3 },
    learningRate: 0.002,
    warmupSteps: 100,
    create: (f, c, normalisation) => createEgnn({
      species: [...c.species], cutoff: c.cutoff, features: f['features']!, layers: f['layers']!, updateCoordinates: false,
      averageNeighbours: c.averageNeighbours, seed: c.seed,
    }, normalisation),
    describe: (config) => `EGNN (${String(config['features'])} features, ${String(config['layers'])} layers)`,
    description: 'E(n)-equivariant graph neural network (Satorras et al. 2021) trained on energies and forces.',
    citation: 'Satorras, Hoogeboom, Welling, ICML 2021',
  },
  mace: equivariant('MACE', createMaceModel,
    'MACE (Batatia et al. 2022): E(3)-equivariant message passing with higher-body-order messages (symmetric tensor products of the atomic basis), trained on energies and forces.',
    'Batatia, Kovács, Simm, Ortner, Csányi, NeurIPS 2022',
    // A step on 8 ethanol frames costs about the same at 24 and 64 channels (kernel launches dominate at 72 atoms),
    // so MACE defaults to the wider, correlation-3 model: 140k parameters, ~25 s per epoch on one core.
    { channels: 64, 'sh-lmax': 3, correlation: 3 }),
  tdn: equivariant('TDN', createTdnModel,
    'TDN (Lin et al. 2025): the MACE pipeline with CP-decomposed message tensor products, trained on energies and forces.',
    'Lin et al. 2025 (tensor-decomposition networks); Batatia et al. NeurIPS 2022 (MACE)'),
  escn: equivariant('eSCN', createEscnModel,
    'eSCN (Passaro & Zitnick 2023): the MACE pipeline with SO(2) edge convolutions in an edge-aligned frame, trained on energies and forces.',
    'Passaro & Zitnick, ICML 2023; Batatia et al. NeurIPS 2022 (MACE)'),
  faenet: {
    name: 'FAENet',
    defaults: { hidden: 32, interactions: 2 },
    learningRate: 0.003,
    warmupSteps: 50,
    create(f, c, normalisation) {
      const model = createFaenetModel({
        species: [...c.species], cutoff: c.cutoff, hidden: f['hidden']!, nInteractions: f['interactions']!,
        avgNumNeighbors: c.averageNeighbours, seed: c.seed,
      });
      model.normalisation = normalisation;
      return model;
    },
    describe: (config) => `FAENet (${String(config['hidden'])} hidden, ${String(config['nInteractions'])} interactions, ${String(config['frameAveraging'])} frame averaging)`,
    description: 'FAENet (Duval et al. 2023): invariant message passing made E(3)-equivariant by PCA frame averaging, trained on energies and forces.',
    citation: 'Duval et al., ICML 2023; Puny et al., ICLR 2022 (frame averaging)',
  },
};

/** The recipe's width flags with `given` ones overriding the defaults; throws on a flag the family does not read. */
export function familyWidths(family: Family, given: Readonly<Record<string, number>>): Record<string, number> {
  const recipe = FAMILY_RECIPES[family];
  for (const flag of Object.keys(given)) {
    if (!(flag in recipe.defaults)) throw new Error(`--${flag} is not a width of ${family} (its widths: ${Object.keys(recipe.defaults).map((f) => `--${f}`).join(', ')})`);
  }
  return { ...recipe.defaults, ...given };
}
