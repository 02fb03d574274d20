/**
 * An ensemble of trained energy models as one file, in the property-model ensemble format of
 * core/engine/properties (property-file.ts): each member becomes a property model whose trunk is the trained model
 * and whose one declared output is its energy (forces through energyAndForces), so `readModelFile` opens the file
 * as the ensemble's mean energy (a calculator for relax and MD) and the properties code gives the spread.
 * The z-scaling calibration of the energy and force spreads is fitted on the validation split.
 * Trunk families only (mace, tdn, escn, egnn): for others the caller keeps the member files alone.
 */
import { AVERAGE_NEIGHBOUR_FAMILIES, rescaleForAverageNeighbours } from '../../core/engine/models/message-passing/average-neighbours';
import { PropertyEnsemble } from '../../core/engine/properties/ensemble';
import type { PropertyMetrics, PropertyMetricValues } from '../../core/engine/properties/metrics';
import { propertyModelToFile } from '../../core/engine/properties/property-file';
import { PropertyModel } from '../../core/engine/properties/property-model';
import { TRUNK_FAMILIES } from '../../core/engine/properties/trunks';
import type { ModelCard, TrainingMetadata } from '../../core/engine/model-file/model-file';
import { assignWeights } from '../../core/engine/train/batch-loss';
import type { Structure } from '../../core/structure/structure';
import type { EnergyModel } from '../../core/engine/model';
import { readModelFile, readPropertyModelFile, writeModelFile } from '../models/model-files';

export function canWriteEnsembleFile(family: string): boolean {
  return (TRUNK_FAMILIES as readonly string[]).includes(family);
}

/**
 * Writes the members' model files as one ensemble file at `path`; returns the calibrated validation metrics (N ≥ 2).
 * With `extras.test`, the calibrated ensemble is also evaluated there, and both metric sets are stored in the file
 * (`propertyMetrics`: test first, then the validation split it was calibrated on).
 */
export async function writeEnsembleFile(
  path: string,
  memberFiles: readonly string[],
  validation: readonly Structure[],
  extras: { card: ModelCard; training?: TrainingMetadata; test?: { dataset: string; structures: readonly Structure[] } },
): Promise<PropertyMetricValues | undefined> {
  const members: PropertyModel[] = [];
  let firstConfig: Readonly<Record<string, unknown>> | undefined;
  try {
    for (const file of memberFiles) {
      const trained = await readModelFile(file);
      try {
        if (!canWriteEnsembleFile(trained.family)) throw new Error(`${file}: ${trained.family} cannot be an ensemble trunk (${TRUNK_FAMILIES.join(', ')})`);
        const { config, weights } = alignedToFirst(trained, (firstConfig ??= trained.config));
        const member = new PropertyModel({
          trunk: trained.family, trunkConfig: { ...config, species: trained.species },
          outputs: [{ name: 'energy', kind: 'energy', unit: 'eV', irreps: '1x0e' }], headHidden: 16, seed: 1,
        });
        members.push(member);
        const names = Object.keys(member.params).sort();
        const own = Object.keys(trained.params).sort();
        if (names.join('\n') !== own.join('\n')) throw new Error(`${file}: the ensemble member has other weights than the trained model`);
        assignWeights(names.map((n) => member.params[n]!), names.map((n) => weights.get(n)!));
        member.trunk.model.normalisation = trained.normalisation;
      } finally {
        trained.dispose();
      }
    }
    const ensemble = new PropertyEnsemble(members);
    const metrics = members.length >= 2 ? await ensemble.calibrate(validation) : undefined;
    const propertyMetrics: PropertyMetrics[] = [];
    if (extras.test) propertyMetrics.push({ dataset: extras.test.dataset, structures: extras.test.structures.length, metrics: await ensemble.metrics(extras.test.structures) });
    if (extras.test && metrics) propertyMetrics.push({ dataset: `validation (${validation.length}, calibration)`, structures: validation.length, metrics });
    await writeModelFile(path, propertyModelToFile(ensemble, { card: extras.card, ...(extras.training ? { training: extras.training } : {}), ...(propertyMetrics.length > 0 ? { propertyMetrics } : {}) }));
    return metrics;
  } finally {
    for (const m of members) m.dispose();
  }
}

/**
 * A member's config and weights as stored in the ensemble: unchanged, or, where it differs from the first member only
 * in `avgNumNeighbors` (an estimate from its own training sample), re-expressed for the first member's value with
 * the same function (models/message-passing/average-neighbours.ts).
 */
function alignedToFirst(trained: EnergyModel, first: Readonly<Record<string, unknown>>): { config: Readonly<Record<string, unknown>>; weights: Map<string, Float32Array> } {
  const weights = new Map(Object.entries(trained.params).map(([n, v]) => [n, v.dataSync() as Float32Array] as const));
  const own = trained.config;
  const key = (c: Readonly<Record<string, unknown>>) => JSON.stringify({ ...c, seed: 0, avgNumNeighbors: 0 });
  const [from, to] = [Number(own['avgNumNeighbors']), Number(first['avgNumNeighbors'])];
  if (own === first || from === to || key(own) !== key(first) || !AVERAGE_NEIGHBOUR_FAMILIES.includes(trained.family)) return { config: own, weights };
  return { config: { ...own, avgNumNeighbors: to }, weights: rescaleForAverageNeighbours(trained.family, weights, from, to) };
}

/** Member k of an energy ensemble file as the trunk's own energy model (its weights, normalisation and config). */
export async function readEnergyEnsembleMember(path: string, k: number): Promise<EnergyModel> {
  const ensemble = await readPropertyModelFile(path);
  const member = ensemble.members[k];
  if (!member) {
    ensemble.dispose();
    throw new RangeError(`${path}: the ensemble has ${ensemble.members.length} members, not ${k + 1}`);
  }
  for (const [j, other] of ensemble.members.entries()) if (j !== k) other.dispose();
  const trunk = member.trunk.model;
  const own = Object.keys(member.params).sort().join('\n');
  if (own !== Object.keys(trunk.params).sort().join('\n')) {
    member.dispose();
    throw new Error(`${path}: member ${k + 1} has weights beside its trunk's, so it is not an energy model`);
  }
  return trunk;
}
