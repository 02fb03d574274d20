import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface PlotSeries {
  readonly label: string;
  /** CSS colour of the line. */
  readonly color: string;
  /** One value per x (null: a gap). */
  readonly values: readonly (number | null)[];
  /** Which y axis (default 'left'). */
  readonly axis?: 'left' | 'right';
}

export interface SeriesPlotProps {
  readonly title: string;
  /** Ascending x values (step, fs). */
  readonly x: readonly number[];
  readonly xLabel: string;
  readonly series: readonly PlotSeries[];
  readonly leftLabel: string;
  readonly rightLabel?: string;
  /** Logarithmic right axis (fmax spans decades during a relaxation). */
  readonly rightLog?: boolean;
  /** Index into x of the cursor line (the frame shown), or null. */
  readonly cursorIndex: number | null;
  /** Clicking the plot seeks to the nearest point: its index into x. */
  readonly onSeek?: (index: number) => void;
  readonly theme: 'light' | 'dark';
  readonly height?: number;
  readonly testId?: string;
}

const THEME = {
  light: { text: '#5d6678', grid: 'rgba(0,0,0,0.07)', cursor: '#c2410c' },
  dark: { text: '#9aa3b2', grid: 'rgba(255,255,255,0.08)', cursor: '#fbbf24' },
} as const;

/** The plot's data in uPlot's column layout: x, then one array per series. */
function alignedData(x: readonly number[], series: readonly PlotSeries[]): uPlot.AlignedData {
  return [Float64Array.from(x), ...series.map((s) => s.values.slice(0, x.length).map((v) => (v === null || !Number.isFinite(v) ? null : v)))];
}

/**
 * A uPlot line chart (canvas) in a React wrapper: one or two y axes, a cursor line at the shown frame, click to
 * seek. Rebuilt when the series layout or theme changes; new data and cursor positions update it in place.
 */
export const SeriesPlot = memo(function SeriesPlot(props: SeriesPlotProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const layoutKey = JSON.stringify([props.title, props.xLabel, props.leftLabel, props.rightLabel ?? '', props.rightLog ?? false, props.theme, props.height ?? 150, props.series.map((s) => [s.label, s.color, s.axis ?? 'left'])]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const p = latest.current;
    const colors = THEME[p.theme];
    const hasRight = p.series.some((s) => s.axis === 'right');
    const axis = (label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({ label, stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 }, labelSize: 16, size: 64, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif', ...extra });
    const options: uPlot.Options = {
      title: p.title,
      width: Math.max(120, host.clientWidth),
      height: p.height ?? 150,
      scales: { x: { time: false }, y: {}, ...(hasRight ? { y2: p.rightLog ? { distr: 3 } : {} } : {}) },
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      axes: [
        axis(p.xLabel, { size: 34 }),
        axis(p.leftLabel),
        ...(hasRight ? [axis(p.rightLabel ?? '', { side: 1, scale: 'y2', grid: { show: false } })] : []),
      ],
      series: [{ label: p.xLabel }, ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.axis === 'right' ? 'y2' : 'y', spanGaps: false, points: { show: false } }))],
      hooks: {
        draw: [
          (u) => {
            const index = latest.current.cursorIndex;
            const xs = u.data[0];
            if (index === null || index < 0 || index >= xs.length) return;
            const left = u.valToPos(xs[index]!, 'x', true);
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = THEME[latest.current.theme].cursor;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(left, u.bbox.top);
            ctx.lineTo(left, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(options, alignedData(p.x, p.series), host);
    plotRef.current = plot;
    const onClick = () => {
      const index = plot.cursor.idx;
      if (index !== null && index !== undefined) latest.current.onSeek?.(index);
    };
    plot.over.addEventListener('click', onClick);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(120, host.clientWidth), height: latest.current.height ?? 150 }));
    observer?.observe(host);
    return () => {
      observer?.disconnect();
      plot.over.removeEventListener('click', onClick);
      plot.destroy();
      plotRef.current = null;
    };
  }, [layoutKey]);

  useEffect(() => {
    plotRef.current?.setData(alignedData(props.x, props.series));
  }, [props.x, props.series]);

  useEffect(() => {
    plotRef.current?.redraw(false, false);
  }, [props.cursorIndex]);

  return <div className="series-plot" ref={hostRef} data-testid={props.testId ?? 'series-plot'} data-points={props.x.length} />;
});
