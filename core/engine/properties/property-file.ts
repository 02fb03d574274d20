/**
 * Property models and ensembles in the Equimol model file (core/engine/model-file/model-file.ts), format version 2,
 * family 'properties'. One `x.model.json` + one `x.weights.bin` hold a single model or an ensemble of N members:
 *
 *   config          { trunk, trunkConfig, outputs, headHidden, seed } of member 1 (members differ only in seeds)
 *   species, cutoff, normalisation   as in v1 (normalisation = member 1's trunk energy normalisation)
 *   outputs         the declared outputs: [{ name, kind, unit, irreps, pooling? }]
 *   members         [{ seed, trunkSeed, targets: { name: { mean, std } }, normalisation }] one entry per member
 *   calibration     { output: z-scaling factor } (ensembles, fitted on validation; 'forces' for forces)
 *   domainThresholds { output: calibrated-spread threshold } (ensembles)
 *   propertyMetrics [{ dataset, structures, metrics: { gapMAE_meV: …, gapSpearman: … } }]
 *   weights         tensors named `m<k>/<parameter>` for member k = 0 … N−1
 *
 * Loading checks every member's tensors by name and shape against a freshly built model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EnergyNormalisation } from '../model';
import { assignParams } from '../layers/params';
import { encodeModelFile, ModelFileError, PROPERTY_FAMILY, PROPERTY_MODEL_FILE_VERSION, type DecodedModelFile, type ModelCard, type TrainingMetadata } from '../model-file/model-file';
import { PropertyEnsemble } from './ensemble';
import type { PropertyMetrics } from './metrics';
import { validateOutputs, type OutputDeclaration, type TargetStatistics } from './outputs';
import { PropertyModel, type PropertyModelConfig } from './property-model';

export { PROPERTY_FAMILY };

interface MemberSection {
  readonly seed: number;
  readonly trunkSeed: number;
  readonly targets: Readonly<Record<string, TargetStatistics>>;
  readonly normalisation: EnergyNormalisation;
}

export interface PropertyFileExtras {
  readonly card: ModelCard;
  readonly training?: TrainingMetadata;
  readonly propertyMetrics?: readonly PropertyMetrics[];
  /** Weights to write instead of member k's variables (e.g. the EMA checkpoint of a running training). */
  readonly params?: ReadonlyArray<Readonly<Record<string, tf.Tensor>> | undefined>;
}

/** True when a decoded document is a property model file. */
export function isPropertyModelFile(decoded: DecodedModelFile): boolean {
  return decoded.document.family === PROPERTY_FAMILY;
}

/** Serialises one model or an ensemble (with its calibration) to JSON + weights. */
export function propertyModelToFile(source: PropertyModel | PropertyEnsemble, extras: PropertyFileExtras): { json: string; weights: Uint8Array } {
  const ensemble = source instanceof PropertyEnsemble ? source : undefined;
  const members = ensemble ? ensemble.members : [source as PropertyModel];
  const first = members[0]!;
  // The file stores one architecture: members may differ in their seeds only.
  const architecture = (m: PropertyModel) => JSON.stringify({ ...m.config, seed: 0, trunkConfig: { ...m.trunk.model.config, seed: 0 } });
  members.forEach((m, k) => {
    if (architecture(m) !== architecture(first)) throw new ModelFileError(`ensemble member ${k + 1} has another architecture than member 1 (members may differ in their seeds only)`);
  });
  const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  members.forEach((m, k) => {
    const params = extras.params?.[k] ?? m.params;
    for (const name of Object.keys(m.params)) {
      const t = params[name];
      if (!t) throw new ModelFileError(`member ${k + 1} has no weights for '${name}'`);
      tensors.set(`m${k}/${name}`, { shape: t.shape, values: t.dataSync() as Float32Array });
    }
  });
  const config: PropertyModelConfig = { ...first.config, trunkConfig: { ...first.trunk.model.config, species: first.species } };
  const memberSections: MemberSection[] = members.map((m) => ({
    seed: m.config.seed,
    trunkSeed: Number(m.trunk.model.config['seed'] ?? 1),
    targets: m.targets,
    normalisation: m.trunk.model.normalisation,
  }));
  const trunk = first.trunk.model;
  return encodeModelFile({
    family: PROPERTY_FAMILY,
    formatVersion: PROPERTY_MODEL_FILE_VERSION,
    config: config as unknown as Record<string, unknown>,
    description: { ...trunk.description, output: first.outputs.map((o) => `${o.name}: ${o.irreps}${o.kind === 'atom-scalar' ? ' per atom' : ''}`).join(', ') },
    species: first.species,
    cutoff: first.cutoff,
    normalisation: trunk.normalisation,
    card: extras.card,
    ...(extras.training ? { training: extras.training } : {}),
    sections: {
      outputs: first.outputs,
      members: memberSections,
      ...(ensemble && Object.keys(ensemble.calibration).length > 0 ? { calibration: ensemble.calibration, domainThresholds: ensemble.domainThresholds } : {}),
      ...(extras.propertyMetrics ? { propertyMetrics: extras.propertyMetrics } : {}),
    },
    tensors,
  });
}

function isRecordOfNumbers(x: unknown): x is Record<string, number> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Rebuilds the ensemble (N ≥ 1 members) a decoded property file describes; throws ModelFileError. */
export function propertyEnsembleFromFile(decoded: DecodedModelFile, fileName = 'model file'): PropertyEnsemble {
  const doc = decoded.document as unknown as Record<string, unknown>;
  const fail = (message: string): never => {
    throw new ModelFileError(`${fileName}: ${message}`);
  };
  if (doc['family'] !== PROPERTY_FAMILY) fail(`family '${String(doc['family'])}' is not a property model`);
  const outputs = doc['outputs'] as OutputDeclaration[] | undefined;
  if (!Array.isArray(outputs)) fail('a property model file lists its outputs');
  try {
    validateOutputs(outputs!);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const config = doc['config'] as unknown as PropertyModelConfig;
  if (typeof config.trunk !== 'string' || typeof config.trunkConfig !== 'object' || config.trunkConfig === null) fail('config needs trunk and trunkConfig');
  if (JSON.stringify(config.outputs) !== JSON.stringify(outputs)) fail('config.outputs differs from the declared outputs');
  if (config.trunkConfig.species?.join() !== decoded.document.species.join()) fail(`config.trunkConfig.species differs from the file's species [${decoded.document.species.join()}]`);
  const members = doc['members'] as MemberSection[] | undefined;
  if (!Array.isArray(members) || members.length === 0) fail('members must list at least one member');
  const built: PropertyModel[] = [];
  try {
    members!.forEach((section, k) => {
      const where = `members[${k}]`;
      if (!Number.isFinite(section.seed) || !Number.isFinite(section.trunkSeed)) fail(`${where} needs numeric seed and trunkSeed`);
      const model = new PropertyModel({ ...config, outputs: outputs!, seed: section.seed, trunkConfig: { ...config.trunkConfig, seed: section.trunkSeed } });
      built.push(model);
      const prefix = `m${k}/`;
      const own = new Map<string, { shape: readonly number[]; values: Float32Array }>();
      for (const [name, t] of decoded.tensors) if (name.startsWith(prefix)) own.set(name.slice(prefix.length), t);
      try {
        assignParams(model.params, own);
      } catch (error) {
        fail(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const o of outputs!) {
        const t = section.targets?.[o.name];
        if (!t || !Number.isFinite(t.mean) || !(t.std > 0)) fail(`${where}.targets.${o.name} needs a finite mean and a positive std`);
      }
      model.targets = { ...section.targets };
      const n = section.normalisation;
      if (!n || !Array.isArray(n.referenceEnergies) || n.referenceEnergies.length !== model.species.length || !Number.isFinite(n.scale) || !Number.isFinite(n.shift)) {
        fail(`${where}.normalisation must give ${model.species.length} reference energies, scale and shift`);
      }
      model.trunk.model.normalisation = n;
    });
    const expected = built.reduce((s, m) => s + Object.keys(m.params).length, 0);
    if (decoded.tensors.size !== expected) fail(`the weights hold ${decoded.tensors.size} tensors, the ${built.length} members ${expected}`);
    const ensemble = new PropertyEnsemble(built);
    if (doc['calibration'] !== undefined) {
      if (!isRecordOfNumbers(doc['calibration'])) fail('calibration must map outputs to finite factors');
      ensemble.calibration = { ...(doc['calibration'] as Record<string, number>) };
    }
    if (doc['domainThresholds'] !== undefined) {
      if (!isRecordOfNumbers(doc['domainThresholds'])) fail('domainThresholds must map outputs to finite thresholds');
      ensemble.domainThresholds = { ...(doc['domainThresholds'] as Record<string, number>) };
    }
    return ensemble;
  } catch (error) {
    for (const m of built) m.dispose();
    throw error;
  }
}

/** The recorded property metrics of a decoded or raw document (for cards and catalogue descriptions). */
export function propertyMetricsOf(document: unknown): PropertyMetrics[] {
  const list = (document as { propertyMetrics?: unknown })?.propertyMetrics;
  return Array.isArray(list) ? (list.filter((m) => typeof m === 'object' && m !== null && isRecordOfNumbers((m as PropertyMetrics).metrics)) as PropertyMetrics[]) : [];
}
