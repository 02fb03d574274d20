/**
 * Trunks of property models: any energy-model family that exposes per-atom node features.
 *
 *   mace / tdn / escn  EquivariantMessagePassingModel.nodeFeatures → last interaction, hiddenIrreps ('Cx0e+Cx1o+…')
 *   egnn               EgnnModel.nodeFeatures → 'Fx0e' (invariant only: no atomic dipoles from l = 1 features)
 *
 * The trunk stays an EnergyModel: a property model with a declared energy uses its readout and normalisation, so
 * forces come from `energyAndForces(trunk, …)`. Without an energy output the trunk's readout weights are unused.
 */
import type * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import type { GraphContext } from '../graph/graph-context';
import type { EnergyModel, ModelParams } from '../model';
import { createEgnn, EgnnModel, type EgnnConfig } from '../models/egnn/egnn';
import { createMaceModel } from '../models/mace/mace-model';
import { createTdnModel, type TdnModelConfig } from '../models/tdn/tdn-model';
import { createEscnModel } from '../models/escn/escn-model';
import { EquivariantMessagePassingModel, type EquivariantModelConfig } from '../models/message-passing/equivariant-model';

export const TRUNK_FAMILIES = ['mace', 'tdn', 'escn', 'egnn'] as const;
export type TrunkFamily = (typeof TRUNK_FAMILIES)[number];

export interface Trunk {
  readonly model: EnergyModel;
  /** Irreps of the features heads read. */
  readonly featureIrreps: Irreps;
  /** [nAtoms, featureIrreps.dim] node features after the last layer. */
  features(ctx: GraphContext, params: ModelParams): tf.Tensor2D;
  /** Names of the trunk's energy-readout weights (unused when no energy is declared). */
  readonly readoutNames: readonly string[];
}

type WithSpecies<T> = Partial<T> & { species: readonly number[] };

/** Builds a trunk of `family` with seeded weights from a (partial) config; factory defaults fill gaps. */
export function createTrunk(family: string, config: Record<string, unknown> & { species: readonly number[] }): Trunk {
  let model: EnergyModel;
  switch (family) {
    case 'mace': model = createMaceModel(config as WithSpecies<EquivariantModelConfig>); break;
    case 'tdn': model = createTdnModel(config as WithSpecies<TdnModelConfig>); break;
    case 'escn': model = createEscnModel(config as WithSpecies<EquivariantModelConfig>); break;
    case 'egnn': model = createEgnn(config as WithSpecies<EgnnConfig>); break;
    default: throw new Error(`unknown trunk family '${family}' (property models take ${TRUNK_FAMILIES.join(', ')})`);
  }
  const readoutNames = Object.keys(model.params).filter((n) => n.startsWith('readout'));
  if (model instanceof EquivariantMessagePassingModel) {
    const mp = model;
    return {
      model, readoutNames, featureIrreps: mp.hiddenIrreps,
      features: (ctx, params) => {
        const all = mp.nodeFeatures(ctx, params);
        const last = all[all.length - 1]!;
        for (const f of all) if (f !== last) f.dispose();
        return last;
      },
    };
  }
  if (model instanceof EgnnModel) {
    const egnn = model;
    return { model, readoutNames, featureIrreps: Irreps.parse(`${egnn.egnnConfig.features}x0e`), features: (ctx, params) => egnn.nodeFeatures(ctx, params) };
  }
  throw new Error(`trunk family '${family}' exposes no node features`);
}
