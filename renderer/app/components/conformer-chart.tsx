import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EnsembleBars } from '../conformer-ensemble';

export interface ConformerChartProps {
  readonly bars: EnsembleBars;
  /** Structure index (0-based) of the selected conformer, or null. */
  readonly selected: number | null;
  /** Clicking a bar selects that conformer: its structure index. */
  readonly onSelect: (index: number) => void;
  readonly theme: 'light' | 'dark';
  readonly height?: number;
}

const THEME = {
  light: { text: '#5d6678', grid: 'rgba(0,0,0,0.07)', energy: '#ea580c', weight: '#2563eb', selected: 'rgba(30,144,255,0.16)' },
  dark: { text: '#9aa3b2', grid: 'rgba(255,255,255,0.08)', energy: '#fb923c', weight: '#60a5fa', selected: 'rgba(56,189,248,0.2)' },
} as const;

function chartData(bars: EnsembleBars): uPlot.AlignedData {
  return [Float64Array.from(bars.x), [...bars.relativeEnergy], [...bars.weight]];
}

/**
 * Bars per conformer (by rank): relative energy (kcal/mol, left axis) and Boltzmann weight (right axis, 0 to 1),
 * side by side, with the selected conformer shaded; clicking a bar selects its conformer. uPlot on a canvas.
 */
export const ConformerChart = memo(function ConformerChart(props: ConformerChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const colors = THEME[props.theme];
    const height = latest.current.height ?? 170;
    const axis = (label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({ label, stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 }, labelSize: 16, size: 56, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif', ...extra });
    const bars = (align: -1 | 1) => uPlot.paths.bars!({ size: [0.4, 36], align, gap: 1 });
    const options: uPlot.Options = {
      title: 'Conformers: relative energy and Boltzmann weight',
      width: Math.max(160, host.clientWidth),
      height,
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] },
        y: { range: (_u, _min, max) => [0, Math.max(0.5, max * 1.08)] },
        w: { range: [0, 1] },
      },
      legend: { show: true, live: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { show: false } },
      axes: [
        axis('conformer', { size: 34, incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }),
        axis('ΔE (kcal/mol)'),
        axis('weight', { side: 1, scale: 'w', grid: { show: false } }),
      ],
      series: [
        { label: 'conformer' },
        { label: 'ΔE (kcal/mol)', stroke: colors.energy, fill: colors.energy, width: 0, scale: 'y', paths: bars(-1), points: { show: false } },
        { label: 'weight', stroke: colors.weight, fill: colors.weight, width: 0, scale: 'w', paths: bars(1), points: { show: false } },
      ],
      hooks: {
        drawClear: [
          (u) => {
            const { bars: data, selected } = latest.current;
            const k = selected === null ? -1 : data.index.indexOf(selected);
            if (k < 0) return;
            const x = data.x[k]!;
            const left = u.valToPos(x - 0.5, 'x', true), right = u.valToPos(x + 0.5, 'x', true);
            u.ctx.save();
            u.ctx.fillStyle = THEME[latest.current.theme].selected;
            u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
            u.ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(options, chartData(latest.current.bars), host);
    plotRef.current = plot;
    const onClick = () => {
      const left = plot.cursor.left;
      if (left === undefined || left < 0) return;
      // The nearest rank to the click (bars stand on integer x).
      const x = Math.round(plot.posToVal(left, 'x'));
      const k = latest.current.bars.x.indexOf(x);
      const index = latest.current.bars.index[k];
      if (index !== undefined) latest.current.onSelect(index);
    };
    plot.over.addEventListener('click', onClick);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(160, host.clientWidth), height }));
    observer?.observe(host);
    return () => {
      observer?.disconnect();
      plot.over.removeEventListener('click', onClick);
      plot.destroy();
      plotRef.current = null;
    };
  }, [props.theme]);

  useEffect(() => {
    plotRef.current?.setData(chartData(props.bars));
  }, [props.bars]);

  useEffect(() => {
    plotRef.current?.redraw(false, false);
  }, [props.selected]);

  return <div className="series-plot conformer-chart" ref={hostRef} data-testid="conformer-chart" data-bars={props.bars.x.length} data-selected={props.selected ?? ''} />;
});
