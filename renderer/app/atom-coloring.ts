/**
 * What the viewer can colour atoms by and where the dipole arrow comes from, from the shown structure and its
 * row of predictions. Pure (no React), so it is tested in Node.
 */
import type { ColumnInfo, SummaryValue } from '../../core/contract/equimol-api';
import type { Structure } from '../../core/structure';
import type { ColorScheme, Vec3 } from '../viewer/viewer-api';
import { defaultUnitOf } from './util/units';

/** One entry of the "Colour by" menu: a numeric per-atom array, by its first column (width 1) or its norm (width 3). */
export interface AtomColorOption {
  /** Menu value: the array name, or `|name|` for the norm of a vector array. */
  readonly id: string;
  readonly array: string;
  readonly norm: boolean;
  readonly label: string;
  readonly unit: string;
}

export const ELEMENT_COLORS = 'element';

/** Base name of an array or column: after the predictor id for a predicted one ('model:x:charges' -> 'charges'). */
export function baseName(key: string, source?: string): string {
  if (source && source !== 'file' && key.startsWith(`${source}:`)) return key.slice(source.length + 1);
  return key;
}

/** Every numeric per-atom array of the structure with one value (width 1) or a vector (width 3, as its norm). */
export function atomColorOptions(structure: Structure | null): AtomColorOption[] {
  if (!structure) return [];
  const options: AtomColorOption[] = [];
  for (const [name, array] of Object.entries(structure.atomArrays)) {
    if (array.kind !== 'float' && array.kind !== 'int') continue;
    const unit = defaultUnitOf(name.slice(name.lastIndexOf(':') + 1));
    if (array.width === 1) options.push({ id: name, array: name, norm: false, label: name, unit });
    else if (array.width === 3) options.push({ id: `|${name}|`, array: name, norm: true, label: `|${name}|`, unit });
  }
  return options;
}

/** The viewer's colour scheme for a menu choice (element colours for none). */
export function colorSchemeOf(option: AtomColorOption | null): ColorScheme {
  if (!option) return { kind: 'element' };
  return { kind: 'property', name: option.array, norm: option.norm, label: option.label, unit: option.unit };
}

export interface DipoleSource {
  /** Debye. */
  readonly vector: Vec3;
  /** 'file' or the predictor id. */
  readonly source: string;
}

function asVector(value: unknown): Vec3 | null {
  if (!Array.isArray(value) || value.length !== 3) return null;
  const v = value.map(Number);
  return v.every(Number.isFinite) ? [v[0]!, v[1]!, v[2]!] : null;
}

/**
 * The dipole to draw: the latest prediction's `dipole` column (a vector of width 3) when the row has one, else the
 * structure's own `dipole` property (ASE extxyz, the QM9-xTB files). Null when neither is a finite 3-vector.
 */
export function dipoleSourceOf(structure: Structure | null, values: Readonly<Record<string, SummaryValue>> | undefined, columns: readonly ColumnInfo[] = []): DipoleSource | null {
  if (!structure) return null;
  for (const column of [...columns].reverse()) {
    if (column.source === 'file' || baseName(column.key, column.source) !== 'dipole') continue;
    const vector = asVector(values?.[column.key]);
    if (vector) return { vector, source: column.source };
  }
  const own = asVector(structure.properties['dipole']);
  return own ? { vector: own, source: 'file' } : null;
}
