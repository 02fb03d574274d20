/**
 * SVG plots of a training run as plain strings (no DOM): the learning curve (training loss and validation errors
 * per epoch, log scale) and parity plots (predicted against reference). Written beside a model card by the train
 * runner; the renderer may show the same strings.
 */
import type { TrainHistoryEntry } from './train-state';

export interface Series {
  readonly label: string;
  readonly colour: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(1) : Number(x.toPrecision(3)).toString());

interface Frame { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

/** Tick values covering [lo, hi]: about `count` round steps (linear) or the powers of ten (log). */
function ticks(lo: number, hi: number, log: boolean, count = 5): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) if (e >= lo - 1e-9 && e <= hi + 1e-9) out.push(e);
    return out.length > 0 ? out : [lo, hi];
  }
  const span = hi - lo || 1;
  const raw = span / count;
  const step = [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** One panel: axes, ticks, labels and the series (lines or points); y on a log10 scale when `logY`. */
function panel(frame: Frame, series: readonly Series[], options: { xLabel: string; yLabel: string; title: string; logY?: boolean; scatter?: boolean; diagonal?: boolean }): string {
  const ty = (y: number) => (options.logY ? Math.log10(y) : y);
  const all = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0)));
  let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
  let y0 = Math.min(...all.map((p) => ty(p[1]))), y1 = Math.max(...all.map((p) => ty(p[1])));
  if (all.length === 0) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
  if (options.diagonal) { x0 = y0 = Math.min(x0, y0); x1 = y1 = Math.max(x1, y1); }
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const padY = 0.05 * (y1 - y0);
  y0 -= padY; y1 += padY;
  const m = { left: 58, right: 12, top: 26, bottom: 40 };
  const w = frame.width - m.left - m.right, h = frame.height - m.top - m.bottom;
  const px = (x: number) => frame.x + m.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => frame.y + m.top + h - ((y - y0) / (y1 - y0)) * h;
  const parts: string[] = [];
  parts.push(`<rect x="${frame.x + m.left}" y="${frame.y + m.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${frame.x + frame.width / 2}" y="${frame.y + 16}" text-anchor="middle" font-size="13">${escape(options.title)}</text>`);
  for (const t of ticks(x0, x1, false)) {
    parts.push(`<line x1="${px(t).toFixed(1)}" y1="${frame.y + m.top + h}" x2="${px(t).toFixed(1)}" y2="${frame.y + m.top + h + 4}" stroke="#888"/>`);
    parts.push(`<text x="${px(t).toFixed(1)}" y="${frame.y + m.top + h + 16}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1, Boolean(options.logY))) {
    parts.push(`<line x1="${frame.x + m.left - 4}" y1="${py(t).toFixed(1)}" x2="${frame.x + m.left}" y2="${py(t).toFixed(1)}" stroke="#888"/>`);
    parts.push(`<text x="${frame.x + m.left - 6}" y="${(py(t) + 3).toFixed(1)}" text-anchor="end" font-size="10">${fmt(options.logY ? 10 ** t : t)}</text>`);
  }
  parts.push(`<text x="${frame.x + m.left + w / 2}" y="${frame.y + frame.height - 6}" text-anchor="middle" font-size="11">${escape(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(${frame.x + 14},${frame.y + m.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="11">${escape(options.yLabel)}</text>`);
  if (options.diagonal) parts.push(`<line x1="${px(x0).toFixed(1)}" y1="${py(y0).toFixed(1)}" x2="${px(x1).toFixed(1)}" y2="${py(y1).toFixed(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  series.forEach((s, k) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0));
    if (options.scatter) {
      parts.push(`<g fill="${s.colour}" fill-opacity="0.5">${pts.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(ty(y)).toFixed(1)}" r="1.6"/>`).join('')}</g>`);
    } else if (pts.length > 0) {
      parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(ty(y)).toFixed(1)}`).join(' ')}"/>`);
    }
    parts.push(`<text x="${frame.x + m.left + 8}" y="${frame.y + m.top + 14 + 13 * k}" font-size="10" fill="${s.colour}">${escape(s.label)}</text>`);
  });
  return parts.join('\n');
}

function svg(width: number, height: number, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="${width}" height="${height}" fill="white"/>\n${body}\n</svg>\n`;
}

/** Training loss and validation energy (meV/atom) and force (meV/Å) MAE per epoch, log scale. */
export function learningCurveSvg(history: readonly TrainHistoryEntry[], title = 'Learning curve'): string {
  const epochs = (f: (h: TrainHistoryEntry) => number) => history.map((h) => [h.epoch + 1, f(h)] as const);
  return svg(640, 360, panel({ x: 0, y: 0, width: 640, height: 360 }, [
    { label: 'training loss', colour: '#444', points: epochs((h) => h.loss) },
    { label: 'validation energy MAE (meV/atom)', colour: '#1f77b4', points: epochs((h) => h.validation.energyMAE_meV_per_atom) },
    { label: 'validation force MAE (meV/Å)', colour: '#d62728', points: epochs((h) => h.validation.forceMAE_meV_per_A) },
  ], { xLabel: 'epoch', yLabel: 'loss / MAE (log scale)', title, logY: true }));
}

export interface ParityData {
  readonly label: string;
  readonly unit: string;
  /** [reference, predicted] pairs. */
  readonly pairs: ReadonlyArray<readonly [number, number]>;
}

/** Side-by-side parity panels (predicted against reference, y = x dashed), each with its MAE in the title. */
export function parityPlotSvg(panels: readonly ParityData[], title = 'Test set'): string {
  const width = 360 * Math.max(1, panels.length), height = 380;
  const body = panels.map((p, k) => {
    const mae = p.pairs.length ? p.pairs.reduce((s, [r, q]) => s + Math.abs(q - r), 0) / p.pairs.length : NaN;
    return panel({ x: 360 * k, y: 0, width: 360, height }, [{ label: `${p.pairs.length} values`, colour: '#1f77b4', points: p.pairs }], {
      xLabel: `reference (${p.unit})`, yLabel: `predicted (${p.unit})`, title: `${title}: ${p.label}, MAE ${fmt(mae)} ${p.unit}`, scatter: true, diagonal: true,
    });
  });
  return svg(width, height, body.join('\n'));
}
