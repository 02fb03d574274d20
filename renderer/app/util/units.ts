/**
 * Default units of well-known property and per-atom array names (file columns carry no unit; predictors give
 * theirs). `<name>_std` (an ensemble's spread) and `<name>_spread` share their value's unit. Unknown names: ''.
 */
const DEFAULT_UNITS: Readonly<Record<string, string>> = {
  charges: 'e',
  partial_charges: 'e',
  initial_charges: 'e',
  forces: 'eV/Å',
  dipole: 'D',
  dipole_norm: 'D',
  energy: 'eV',
  free_energy: 'eV',
  energy_per_atom: 'eV',
  homo: 'eV',
  lumo: 'eV',
  gap: 'eV',
  max_force: 'eV/Å',
  fmax: 'eV/Å',
  velocities: 'Å/fs',
  magmoms: 'μB',
};

/** The name without a spread suffix ('gap_std' -> 'gap', 'forces_spread' -> 'forces'). */
export function spreadBase(name: string): string | null {
  const match = /^(.+)_(std|spread)$/.exec(name);
  return match ? match[1]! : null;
}

/** Default unit of a property or array name ('charges' -> 'e', 'gap_std' -> 'eV'); '' when unknown. */
export function defaultUnitOf(name: string): string {
  return DEFAULT_UNITS[name] ?? DEFAULT_UNITS[spreadBase(name) ?? ''] ?? '';
}
