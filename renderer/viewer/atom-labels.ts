/** Per-atom text labels (element, 1-based index or a per-atom property) as sprites on the drawn atom instances. */
import { Group } from 'three';
import { symbolOf, type Structure } from '../../core/structure';
import type { LabelFactory, LabelStyle } from './labels';
import { atomScalars, type AtomInstances } from './scene-data';
import { MAX_LABELS } from './viewer-state';
import type { LabelMode } from './viewer-api';

/**
 * The label of `atom`: its element symbol, its 1-based index, or its value of `property` (a string array's text,
 * an integer as is, else 3 significant digits; '' when missing). `scalars` are the property's values when numeric.
 */
export function labelText(structure: Structure, atom: number, mode: LabelMode, property: string | null, scalars: Float64Array | null): string {
  switch (mode) {
    case 'element':
      return symbolOf(structure.numbers[atom]!);
    case 'index':
      return String(atom + 1);
    case 'property': {
      const array = structure.atomArrays[property ?? ''];
      if (array?.kind === 'string') return array.data[atom * array.width] ?? '';
      const value = scalars?.[atom];
      return value === undefined || Number.isNaN(value) ? '' : Number.isInteger(value) ? String(value) : value.toPrecision(3);
    }
    default:
      return '';
  }
}

/** Labels of the first MAX_LABELS atom instances of `structure`; null for mode 'none'. */
export function createLabelGroup(structure: Structure, atoms: AtomInstances, mode: LabelMode, property: string | null, labels: LabelFactory, style: LabelStyle): Group | null {
  if (mode === 'none') return null;
  const scalars = mode === 'property' && property ? atomScalars(structure, property) : null;
  const group = new Group();
  for (let i = 0; i < Math.min(atoms.count, MAX_LABELS); i++) {
    const text = labelText(structure, atoms.atom[i]!, mode, property, scalars);
    if (text) group.add(labels.create(text, atoms.position[3 * i]!, atoms.position[3 * i + 1]!, atoms.position[3 * i + 2]!, style));
  }
  return group;
}
