/** Colours of the viewer's light and dark themes (scene background, cell, overlays, label styles). */
import type { LabelStyle } from './labels';
import type { ViewerTheme } from './viewer-api';

export interface ThemeColors {
  readonly background: string;
  readonly cell: number;
  readonly supercell: number;
  readonly measure: number;
  readonly selection: number;
  /** Force arrows. */
  readonly arrow: number;
  /** Fixed-atom markers. */
  readonly fixed: number;
  readonly dipole: number;
  readonly label: LabelStyle;
  readonly measureLabel: LabelStyle;
}

export const THEMES: Readonly<Record<ViewerTheme, ThemeColors>> = {
  light: {
    background: '#ffffff',
    cell: 0x2b303b,
    supercell: 0x9aa1ad,
    measure: 0xc2410c,
    selection: 0x1e90ff,
    arrow: 0x16a34a,
    fixed: 0x7c3aed,
    dipole: 0xc026d3,
    label: { color: '#111418', outline: 'rgba(255,255,255,0.92)' },
    measureLabel: { color: '#9a3412', outline: 'rgba(255,255,255,0.95)' },
  },
  dark: {
    background: '#16181d',
    cell: 0xd5d9e0,
    supercell: 0x5d6470,
    measure: 0xfbbf24,
    selection: 0x38bdf8,
    arrow: 0x4ade80,
    fixed: 0xc4b5fd,
    dipole: 0xf0abfc,
    label: { color: '#f4f6fa', outline: 'rgba(0,0,0,0.85)' },
    measureLabel: { color: '#fde68a', outline: 'rgba(0,0,0,0.9)' },
  },
};

/** The colours of `theme` (light for an unknown name). */
export function themeOf(theme: ViewerTheme): ThemeColors {
  return THEMES[theme] ?? THEMES.light;
}
