/**
 * Whether a model file is an ensemble of energy models, read from its JSON alone (no engine, so the train job host
 * can ask before anything heavy loads).
 */
import { readFile } from 'node:fs/promises';
import { PROPERTY_FAMILY } from '../../core/engine/model-file/model-file';

/**
 * How many energy models an ensemble file written by `writeEnsembleFile` (ensemble-file.ts) holds: a property-model
 * file whose one declared output is the energy. 0 for any other model file. Fine-tuning such a file fine-tunes each
 * member from its own weights.
 */
export async function energyEnsembleMemberCount(path: string): Promise<number> {
  const doc = JSON.parse(await readFile(path, 'utf8')) as { family?: string; outputs?: Array<{ kind?: string }>; members?: unknown[] };
  if (doc.family !== PROPERTY_FAMILY || !Array.isArray(doc.members) || !Array.isArray(doc.outputs)) return 0;
  return doc.outputs.length === 1 && doc.outputs[0]!.kind === 'energy' ? doc.members.length : 0;
}
