/**
 * Colour maps for per-atom values and the legend that goes with them. Pure (no three, no DOM), so it is tested in
 * Node. Signed data (partial charges) get a diverging blue-white-red map symmetric about 0; non-negative data
 * (an ensemble spread, a force norm) a sequential map (viridis) from 0. A value that is not a finite number is
 * drawn in MISSING_COLOR, a grey that is in neither map.
 */

/** 'diverging': blue (min) - white (centre) - red (max); 'sequential': viridis, dark violet (min) to yellow (max). */
export type ColorMapName = 'diverging' | 'sequential';

/** Atoms whose value is missing (NaN, ±Infinity, no array row): mid grey, in neither map. */
export const MISSING_COLOR = 0x808080;

/** ColorBrewer RdBu ends and centre (sRGB). */
const DIVERGING_STOPS: readonly number[] = [0x2166ac, 0xf7f7f7, 0xb2182b];
/** viridis (matplotlib) at 0, 1/8, ..., 1 (sRGB). */
const SEQUENTIAL_STOPS: readonly number[] = [0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725];

function interpolate(stops: readonly number[], t: number): number {
  const clamped = Math.min(1, Math.max(0, t));
  const x = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const u = x - i;
  const from = stops[i]!, to = stops[i + 1]!;
  const channel = (shift: number) => Math.round(((from >> shift) & 0xff) + (((to >> shift) & 0xff) - ((from >> shift) & 0xff)) * u);
  return (channel(16) << 16) | (channel(8) << 8) | channel(0);
}

/** Blue-white-red at t in [0, 1] (clamped; 0.5 is white); a non-finite t gives MISSING_COLOR. */
export function divergingColor(t: number): number {
  return Number.isFinite(t) ? interpolate(DIVERGING_STOPS, t) : MISSING_COLOR;
}

/** viridis at t in [0, 1] (clamped); a non-finite t gives MISSING_COLOR. */
export function sequentialColor(t: number): number {
  return Number.isFinite(t) ? interpolate(SEQUENTIAL_STOPS, t) : MISSING_COLOR;
}

/** The value range a map spans: `min` gets the map's first colour, `max` its last. */
export interface ColorRange {
  readonly map: ColorMapName;
  readonly min: number;
  readonly max: number;
}

export interface ColorRangeOptions {
  /** 'auto' (default): diverging when any finite value is negative, else sequential. */
  readonly map?: ColorMapName | 'auto';
  /** Fixed ends; each omitted end comes from the data (see colorRangeOf). */
  readonly min?: number;
  readonly max?: number;
}

/**
 * Range of a map over `values` (non-finite values ignored). Diverging: symmetric about 0, ±max|v|, so 0 is white.
 * Sequential: 0 to the largest value (a spread or a norm starts at 0). Explicit `min` / `max` win. No finite value:
 * [0, 0].
 */
export function colorRangeOf(values: ArrayLike<number>, options: ColorRangeOptions = {}): ColorRange {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const any = lo <= hi;
  const map: ColorMapName = options.map === 'diverging' || options.map === 'sequential' ? options.map : any && lo < 0 ? 'diverging' : 'sequential';
  let min: number, max: number;
  if (!any) [min, max] = [0, 0];
  else if (map === 'diverging') {
    const extent = Math.max(Math.abs(lo), Math.abs(hi));
    [min, max] = [-extent, extent];
  } else [min, max] = [Math.min(0, lo), hi];
  return { map, min: options.min ?? min, max: options.max ?? max };
}

/** Colour (0xRRGGBB) of one value in a range; non-finite values get MISSING_COLOR. A zero-width range gives the map's centre (diverging) or start. */
export function colorOfValue(value: number, range: ColorRange): number {
  if (!Number.isFinite(value)) return MISSING_COLOR;
  const span = range.max - range.min;
  const t = span > 0 ? (value - range.min) / span : range.map === 'diverging' ? 0.5 : 0;
  return range.map === 'diverging' ? divergingColor(t) : sequentialColor(t);
}

/** What a colour bar shows: the array's name and unit, the range, the gradient and how many atoms have no value. */
export interface ColorLegend {
  readonly label: string;
  /** '' when dimensionless or unknown. */
  readonly unit: string;
  readonly map: ColorMapName;
  readonly min: number;
  readonly max: number;
  /** CSS colours (#rrggbb) evenly from min to max, for a linear-gradient. */
  readonly stops: readonly string[];
  /** Tick labels: min, the centre (0 for a diverging map), max. */
  readonly ticks: ReadonlyArray<{ readonly value: number; readonly text: string }>;
  /** Atoms drawn in MISSING_COLOR. */
  readonly missing: number;
}

export function cssHex(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

/** Short tick text: 3 significant digits, no trailing zeros, a true minus sign; '0' for zero. */
export function formatTick(value: number): string {
  if (value === 0 || Object.is(value, -0)) return '0';
  const magnitude = Math.abs(value);
  const text = magnitude >= 1e4 || magnitude < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
  return text.replace(/^-/, '−');
}

/** The legend of `values` coloured over `range` (labelled `label`, in `unit`). */
export function colorLegendOf(label: string, unit: string, values: ArrayLike<number>, range: ColorRange, stopCount = 9): ColorLegend {
  let missing = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) missing++;
  const stops = Array.from({ length: stopCount }, (_, k) => cssHex(colorOfValue(range.min + ((range.max - range.min) * k) / (stopCount - 1), range)));
  const centre = range.map === 'diverging' && range.min < 0 && range.max > 0 ? 0 : (range.min + range.max) / 2;
  const ticks = [range.min, centre, range.max].map((value) => ({ value, text: formatTick(value) }));
  return { label, unit, map: range.map, min: range.min, max: range.max, stops, ticks, missing };
}
