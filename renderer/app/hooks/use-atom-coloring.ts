import { useCallback, useMemo, useState } from 'react';
import type { ColumnInfo, StructureSummary } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import { atomColoringOf } from '../../viewer/scene-data';
import type { ColorLegend, ColorScheme, DipoleArrowOptions } from '../../viewer/viewer-api';
import { atomColorOptions, colorSchemeOf, dipoleSourceOf, ELEMENT_COLORS, type AtomColorOption, type DipoleSource } from '../atom-coloring';

/** Dipole arrows: 1 Å per Debye. */
const DIPOLE_SCALE = 1;

export interface AtomColoring {
  readonly options: readonly AtomColorOption[];
  /** The chosen menu value: an AtomColorOption id or ELEMENT_COLORS. Kept across structures; element colours where the shown one lacks it. */
  readonly colorBy: string;
  readonly setColorBy: (id: string) => void;
  readonly colorScheme: ColorScheme;
  /** The colour bar of the shown structure (the same function the viewer colours with); null for element colours. */
  readonly legend: ColorLegend | null;
  readonly dipole: DipoleSource | null;
  readonly showDipole: boolean;
  readonly toggleDipole: () => void;
  readonly dipoleArrow: DipoleArrowOptions | null;
}

/** "Colour by" and the dipole toggle for the structure the viewer shows and its row of predictions. */
export function useAtomColoring(structure: Structure | null, summary: StructureSummary | undefined, columns: readonly ColumnInfo[] | undefined): AtomColoring {
  const [colorBy, setColorBy] = useState(ELEMENT_COLORS);
  const [showDipole, setShowDipole] = useState(false);
  const options = useMemo(() => atomColorOptions(structure), [structure]);
  const option = options.find((o) => o.id === colorBy) ?? null;
  // One scheme object per choice (keyed by its fields), so the viewer does not rebuild on every render.
  const id = option?.id ?? ELEMENT_COLORS, array = option?.array ?? '', norm = option?.norm ?? false, label = option?.label ?? '', unit = option?.unit ?? '';
  const colorScheme = useMemo(() => colorSchemeOf(id === ELEMENT_COLORS ? null : { id, array, norm, label, unit }), [id, array, norm, label, unit]);
  const legend = useMemo(() => (structure && colorScheme.kind === 'property' ? atomColoringOf(structure, colorScheme).legend : null), [structure, colorScheme]);
  const dipole = useMemo(() => dipoleSourceOf(structure, summary?.values, columns), [structure, summary, columns]);
  const [dx, dy, dz] = dipole?.vector ?? [NaN, NaN, NaN];
  const dipoleArrow = useMemo<DipoleArrowOptions | null>(() => (showDipole && Number.isFinite(dx) ? { scale: DIPOLE_SCALE, vector: [dx, dy, dz] } : null), [showDipole, dx, dy, dz]);
  const toggleDipole = useCallback(() => setShowDipole((s) => !s), []);
  return { options, colorBy, setColorBy, colorScheme, legend, dipole, showDipole, toggleDipole, dipoleArrow };
}
