/**
 * Declared outputs of a property model, as its model file lists them, and how their reference values are read
 * from a Structure (extXYZ info keys and per-atom arrays, the way core/engine/eval.ts reads `energy`/`forces`).
 *
 *   kind           irreps  shape        example                     reference in a Structure
 *   graph-scalar   1x0e    [nGraphs]    homo, lumo, gap (eV)        properties[key]: number
 *   atom-scalar    1x0e    [nAtoms]     charges (e), Σ_i q_i = Q    atomArrays[key]: float, width 1
 *   graph-vector   1x1o    [nGraphs,3]  dipole (Debye)              properties[key]: 3 numbers
 *   energy         1x0e    [nGraphs]    energy (eV) → forces (eV/Å) properties[key] (+ atomArrays forces, width 3)
 */
import type { Structure } from '../../structure/structure';
import { referenceEnergy, referenceForces } from '../eval';

export type OutputKind = 'graph-scalar' | 'atom-scalar' | 'graph-vector' | 'energy';
export type Pooling = 'sum' | 'mean' | 'attention';

export interface OutputDeclaration {
  /** Output and column name: 'homo', 'charges', 'dipole', 'energy' ... */
  readonly name: string;
  readonly kind: OutputKind;
  /** 'eV', 'e', 'D'. */
  readonly unit: string;
  readonly irreps: '1x0e' | '1x1o';
  /** Structure property / atom array holding the reference (default: `name`). */
  readonly key?: string;
  /** Pooling of per-atom contributions for graph scalars (default 'attention'). */
  readonly pooling?: Pooling;
}

/** Per-target normalisation fitted on training data: prediction = mean + std · network output (scalars). */
export interface TargetStatistics {
  readonly mean: number;
  readonly std: number;
}

const IRREPS_OF: Record<OutputKind, '1x0e' | '1x1o'> = { 'graph-scalar': '1x0e', 'atom-scalar': '1x0e', 'graph-vector': '1x1o', energy: '1x0e' };

/** The outputs the QM9-xTB property models declare. */
export const QM9_XTB_OUTPUTS: readonly OutputDeclaration[] = [
  { name: 'homo', kind: 'graph-scalar', unit: 'eV', irreps: '1x0e', pooling: 'attention' },
  { name: 'lumo', kind: 'graph-scalar', unit: 'eV', irreps: '1x0e', pooling: 'attention' },
  { name: 'gap', kind: 'graph-scalar', unit: 'eV', irreps: '1x0e', pooling: 'attention' },
  { name: 'dipole', kind: 'graph-vector', unit: 'D', irreps: '1x1o' },
  { name: 'charges', kind: 'atom-scalar', unit: 'e', irreps: '1x0e' },
];

/** Throws an Error saying what is wrong with a list of declarations (duplicate names, bad kinds, irreps, units). */
export function validateOutputs(outputs: readonly OutputDeclaration[]): void {
  if (outputs.length === 0) throw new Error('a property model declares at least one output');
  const names = new Set<string>();
  for (const [k, o] of outputs.entries()) {
    const where = `outputs[${k}]`;
    if (typeof o.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(o.name)) throw new Error(`${where}: name ${JSON.stringify(o.name)} must be lower-case letters, digits and _`);
    if (names.has(o.name)) throw new Error(`${where}: output '${o.name}' is declared twice`);
    names.add(o.name);
    if (!(o.kind in IRREPS_OF)) throw new Error(`${where} (${o.name}): unknown kind ${JSON.stringify(o.kind)}`);
    if (o.irreps !== IRREPS_OF[o.kind]) throw new Error(`${where} (${o.name}): a ${o.kind} output has irreps ${IRREPS_OF[o.kind]}, not ${JSON.stringify(o.irreps)}`);
    if (o.kind === 'atom-scalar' && o.unit !== 'e') throw new Error(`${where} (${o.name}): per-atom outputs are charges in e (unit 'e')`);
    if (o.kind === 'graph-vector' && o.unit !== 'D') throw new Error(`${where} (${o.name}): vector outputs are dipoles in Debye (unit 'D')`);
    if (o.kind === 'energy' && o.unit !== 'eV') throw new Error(`${where} (${o.name}): energies are in eV`);
    if (o.pooling !== undefined && !['sum', 'mean', 'attention'].includes(o.pooling)) throw new Error(`${where} (${o.name}): unknown pooling ${JSON.stringify(o.pooling)}`);
  }
  if (outputs.filter((o) => o.kind === 'energy').length > 1) throw new Error('a property model declares at most one energy');
  if (outputs.filter((o) => o.kind === 'atom-scalar').length > 1) throw new Error('a property model declares at most one per-atom charge output');
  if (outputs.filter((o) => o.kind === 'graph-vector').length > 1) throw new Error('a property model declares at most one dipole output');
}

/** Number of values one structure has for an output: 1, 3 (vector), nAtoms (charges). */
export function outputWidth(output: OutputDeclaration, nAtoms: number): number {
  return output.kind === 'graph-vector' ? 3 : output.kind === 'atom-scalar' ? nAtoms : 1;
}

function labelOf(structure: Structure): string {
  return structure.provenance ? `${structure.provenance.file} record ${structure.provenance.record + 1}` : `structure '${structure.name}'`;
}

/**
 * The reference values of `output` in `structure` (flat: 1, 3 or nAtoms numbers), or undefined when the structure
 * has none. Throws naming the structure when a value is present but malformed (wrong length, non-finite).
 */
export function referenceValues(structure: Structure, output: OutputDeclaration): Float64Array | undefined {
  const key = output.key ?? output.name;
  if (output.kind === 'energy') {
    const e = referenceEnergy(structure, key);
    return e === undefined ? undefined : Float64Array.of(e);
  }
  if (output.kind === 'atom-scalar') {
    const array = structure.atomArrays[key];
    if (!array) return undefined;
    if (array.kind !== 'float' || array.width !== 1) throw new Error(`${labelOf(structure)}: per-atom array '${key}' must be one real number per atom`);
    if (!array.data.every(Number.isFinite)) throw new Error(`${labelOf(structure)}: per-atom array '${key}' holds a non-finite value`);
    return array.data;
  }
  const value = structure.properties[key];
  if (value === undefined) return undefined;
  if (output.kind === 'graph-vector') {
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(`${labelOf(structure)}: '${key}' must be three finite numbers (a vector in ${output.unit})`);
    }
    return Float64Array.from(value as readonly number[]);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${labelOf(structure)}: '${key}' must be a finite number (${output.unit})`);
  return Float64Array.of(value);
}

/** Reference forces (eV/Å) of a structure with an energy target, [nAtoms * 3], or undefined. */
export function referenceForcesOf(structure: Structure, forcesKey = 'forces'): Float64Array | undefined {
  return referenceForces(structure, forcesKey);
}

/**
 * Mean and standard deviation of each target over `structures` (charges and dipole components pooled over atoms
 * and axes; the dipole mean is 0 by symmetry, so only its spread is kept). Energies get the std of the per-atom
 * energy after the trunk's reference energies (the caller fits those); here the raw per-atom mean/std.
 */
export function fitTargetStatistics(structures: readonly Structure[], outputs: readonly OutputDeclaration[]): Record<string, TargetStatistics> {
  const out: Record<string, TargetStatistics> = {};
  for (const output of outputs) {
    let n = 0, sum = 0, sq = 0;
    for (const s of structures) {
      const values = referenceValues(s, output);
      if (!values) continue;
      for (const v of values) {
        const x = output.kind === 'energy' ? v / Math.max(1, s.numbers.length) : v;
        n++; sum += x; sq += x * x;
      }
    }
    if (n === 0) throw new Error(`no training structure has a '${output.key ?? output.name}' value for output '${output.name}'`);
    const mean = output.kind === 'graph-vector' ? 0 : sum / n;
    const variance = output.kind === 'graph-vector' ? sq / n : Math.max(0, sq / n - mean * mean);
    out[output.name] = { mean, std: Math.sqrt(variance) > 1e-8 ? Math.sqrt(variance) : 1 };
  }
  return out;
}
