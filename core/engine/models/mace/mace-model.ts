/**
 * MACE / NequIP (Batatia et al. 2022; Batzner et al. 2022): the shared equivariant message-passing pipeline
 * (models/message-passing/equivariant-model.ts) with channelwise Clebsch–Gordan messages (cg-message.ts).
 */
import { Irreps } from '../../../o3/irreps';
import { EquivariantMessagePassingModel, defaultEquivariantConfig, type EquivariantModelConfig } from '../message-passing/equivariant-model';
import { ChannelwiseCgMessage } from './cg-message';

/** NequIP/MACE: channelwise Clebsch–Gordan messages. */
export function createMaceModel(config: Partial<EquivariantModelConfig> & { species: readonly number[] }): EquivariantMessagePassingModel {
  const full: EquivariantModelConfig = { ...defaultEquivariantConfig, ...config };
  return new EquivariantMessagePassingModel(
    'mace',
    full,
    (name, irrepsIn, c) => new ChannelwiseCgMessage(name, irrepsIn, Irreps.sphericalHarmonics(c.shLmax), c.messageLmax ?? c.lmax, c.nBasis, c.radialHidden),
    'MACE (Batatia et al. 2022) / NequIP (Batzner et al. 2022): uvu CG messages (MACE eq. 8; degrees up to messageLmax, ' +
      'default lmax), product basis by repeated ' +
      'element-wise CG products up to the correlation order (eqs. 10–11), linear + MLP readouts (eq. 13). Deviation: ' +
      'per-channel (not species-dependent) product weights and a linear self-connection.',
  );
}
