/**
 * The numbers behind the plots panel: histogram bins, nice axis ticks, paired (x, y) points of two columns,
 * the nearest point to a click, parity metrics (MAE, R²) and which prediction column goes with which label
 * column. Pure (no React, no DOM), so it is tested in Node.
 */
import type { ColumnInfo, ColumnValues } from '../../../../core/contract/equimol-api';
import { baseName } from '../../atom-coloring';

/** Margins of the plot area inside a plot's SVG, px. */
export const MARGIN = { left: 56, right: 12, top: 10, bottom: 36 } as const;

export interface Bins {
  /** Left edges and the last right edge: edges.length = counts.length + 1. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** Values counted (finite ones). */
  readonly n: number;
}

/** Finite values of a column. */
export function finite(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/** Equal-width bins over [min, max]: the Freedman–Diaconis width, between 5 and `maxBins` bins; one bin when all are equal. */
export function histogramBins(values: readonly (number | null)[], maxBins = 80): Bins {
  const xs = finite(values).sort((a, b) => a - b);
  if (xs.length === 0) return { edges: [], counts: [], n: 0 };
  const min = xs[0]!;
  const max = xs[xs.length - 1]!;
  if (min === max) return { edges: [min - 0.5, min + 0.5], counts: [xs.length], n: xs.length };
  const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))]!;
  const iqr = q(0.75) - q(0.25);
  const fd = iqr > 0 ? (2 * iqr) / Math.cbrt(xs.length) : 0;
  const bins = Math.max(5, Math.min(maxBins, fd > 0 ? Math.ceil((max - min) / fd) : Math.ceil(Math.sqrt(xs.length))));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - min) / width))]!++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  return { edges, counts, n: xs.length };
}

/** The bin holding `x`, or -1. */
export function binOf(bins: Bins, x: number | null): number {
  if (x === null || !Number.isFinite(x) || bins.counts.length === 0) return -1;
  const { edges } = bins;
  if (x < edges[0]! || x > edges[edges.length - 1]!) return -1;
  for (let i = 0; i < bins.counts.length; i++) if (x < edges[i + 1]!) return i;
  return bins.counts.length - 1;
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** [min, max] of values, widened by `pad` of the span (a point span gets ±0.5). */
export function extent(values: readonly number[], pad = 0.04): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

export interface Points {
  /** Record index of each point, with its x and y (finite). */
  readonly index: Int32Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** The records where both columns have a finite number. */
export function pairedPoints(values: ColumnValues, xKey: string, yKey: string): Points {
  const xs = values.values[xKey] ?? [];
  const ys = values.values[yKey] ?? [];
  const keep: number[] = [];
  for (let i = 0; i < values.index.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x !== null && x !== undefined && y !== null && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) keep.push(i);
  }
  return {
    index: Int32Array.from(keep, (i) => values.index[i]!),
    x: Float64Array.from(keep, (i) => xs[i]!),
    y: Float64Array.from(keep, (i) => ys[i]!),
  };
}

/** The point nearest to (px, py) in screen units (`toX`, `toY` map data to pixels) within `radius` pixels: its position in `points`, or -1. */
export function nearestPoint(points: Points, toX: (x: number) => number, toY: (y: number) => number, px: number, py: number, radius: number): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < points.index.length; i++) {
    const dx = toX(points.x[i]!) - px;
    const dy = toY(points.y[i]!) - py;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export interface ParityMetrics {
  readonly n: number;
  /** Mean absolute error of prediction (y) against label (x). */
  readonly mae: number;
  readonly rmse: number;
  /** Coefficient of determination 1 − SS_res / SS_tot of the labels (NaN when the labels do not vary). */
  readonly r2: number;
}

export function parityMetrics(label: ArrayLike<number>, prediction: ArrayLike<number>): ParityMetrics {
  const n = Math.min(label.length, prediction.length);
  if (n === 0) return { n: 0, mae: NaN, rmse: NaN, r2: NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += label[i]!;
  mean /= n;
  let abs = 0;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = prediction[i]! - label[i]!;
    abs += Math.abs(e);
    res += e * e;
    tot += (label[i]! - mean) ** 2;
  }
  return { n, mae: abs / n, rmse: Math.sqrt(res / n), r2: tot > 0 ? 1 - res / tot : NaN };
}

/** Numeric (scalar) columns, plus the atom count, as plot choices. */
export function numericColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  const atoms: ColumnInfo = { key: 'atoms', label: 'atoms', unit: '', kind: 'number', source: 'file' };
  return [atoms, ...columns.filter((c) => c.kind === 'number')];
}

export interface ParityPair {
  /** The predicted column ('model:x:gap') and the file column it predicts ('gap'). */
  readonly prediction: ColumnInfo;
  readonly label: ColumnInfo;
}

/**
 * Each numeric prediction column with the file column of the same quantity: its base name (after the predictor
 * id) equals the file column's key or label, case-insensitively. Spreads (`_std`) have no label column.
 */
export function parityPairs(columns: readonly ColumnInfo[]): ParityPair[] {
  const files = columns.filter((c) => c.source === 'file' && c.kind === 'number');
  const pairs: ParityPair[] = [];
  for (const prediction of columns) {
    if (prediction.source === 'file' || prediction.kind !== 'number') continue;
    const name = baseName(prediction.key, prediction.source).toLowerCase();
    const label = files.find((f) => f.key.toLowerCase() === name) ?? files.find((f) => f.label.toLowerCase() === name);
    if (label) pairs.push({ prediction, label });
  }
  return pairs;
}

/** A column's axis title: its label and unit. */
export function axisTitle(column: ColumnInfo | undefined, key: string): string {
  if (!column) return key;
  const name = column.source !== 'file' ? column.key : column.label;
  return column.unit ? `${name} [${column.unit}]` : name;
}

/** Width of a character of the plots' 11 px system-ui font, px (a little above its average, so a fitted title fits). */
const TITLE_CHAR_PX = 6.4;

/**
 * `title` shortened to fit `lengthPx` of axis: unchanged when it fits, else its start and end with '…' between, so the
 * unit and a '(predicted)' suffix stay readable (the full title goes in the SVG <title>).
 */
export function fitAxisTitle(title: string, lengthPx: number): string {
  const room = Math.floor(lengthPx / TITLE_CHAR_PX);
  if (title.length <= room) return title;
  if (room < 3) return '…';
  const tail = Math.ceil((room - 1) / 2);
  return `${title.slice(0, room - 1 - tail)}…${title.slice(title.length - tail)}`;
}
