/**
 * Model-file families for the equivariant models of this folder and its siblings: 'mace', 'tdn', 'escn',
 * 'faenet'. Importing this module registers them with the model-file loader (core/engine/model-file/families).
 * A file's config is the model's own config; parameters are checked by name and shape.
 */
import type { EnergyModel } from '../../model';
import { registerModelFamily } from '../../model-file/families';
import type { ModelFamily } from '../../model-file/families';
import { ModelFileError } from '../../model-file/model-file';
import type { DecodedModelFile } from '../../model-file/model-file';
import { assignParams } from '../../layers/params';
import { createEscnModel } from '../escn/escn-model';
import { createFaenetModel } from '../faenet/faenet-model';
import type { FaenetConfig } from '../faenet/faenet-model';
import { createTdnModel } from '../tdn/tdn-model';
import type { TdnModelConfig } from '../tdn/tdn-model';
import type { EquivariantModelConfig } from './mace-model';
import { createMaceModel } from './mace-model';

type Factory = (config: Record<string, unknown> & { species: readonly number[] }) => EnergyModel;

function family(name: string, create: Factory): ModelFamily {
  return {
    family: name,
    fromFile(decoded: DecodedModelFile): EnergyModel {
      const doc = decoded.document;
      const config = doc.config as Record<string, unknown>;
      if (!Array.isArray(config['species']) || (config['species'] as number[]).join() !== doc.species.join())
        throw new ModelFileError(`${name} config.species differs from the file's species [${doc.species.join()}]`);
      if (config['cutoff'] !== doc.cutoff) throw new ModelFileError(`${name} config.cutoff ${String(config['cutoff'])} differs from the file's cutoff ${doc.cutoff}`);
      let model: EnergyModel | undefined;
      try {
        model = create({ ...config, species: doc.species });
        assignParams(model.params, decoded.tensors);
        model.normalisation = doc.normalisation;
        return model;
      } catch (error) {
        model?.dispose();
        throw error instanceof ModelFileError ? error : new ModelFileError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

export const equivariantModelFamilies: readonly ModelFamily[] = [
  family('mace', (c) => createMaceModel(c as Partial<EquivariantModelConfig> & { species: readonly number[] })),
  family('tdn', (c) => createTdnModel(c as Partial<TdnModelConfig> & { species: readonly number[] })),
  family('escn', (c) => createEscnModel(c as Partial<EquivariantModelConfig> & { species: readonly number[] })),
  family('faenet', (c) => createFaenetModel(c as Partial<FaenetConfig> & { species: readonly number[] })),
];

for (const f of equivariantModelFamilies) registerModelFamily(f);
