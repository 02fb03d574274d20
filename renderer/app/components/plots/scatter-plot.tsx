import { memo, useCallback, useMemo } from 'react';
import { formatNumber } from '../../util/format';
import { linearScale, MARGIN, PlotFrame, useWidth } from './plot-frame';
import { extent, nearestPoint, parityMetrics, type Points } from './plot-math';

export interface ScatterPlotProps {
  readonly points: Points;
  readonly xTitle: string;
  readonly yTitle: string;
  /** The selected record (0-based index): drawn ringed in the accent colour. */
  readonly selectedIndex: number | null;
  /** Clicking within a few pixels of a point selects its record. */
  readonly onSelect: (index: number) => void;
  /** Parity plot: equal axes, the y = x line, and MAE and R² of y (prediction) against x (label). */
  readonly parity?: boolean;
  readonly height?: number;
  readonly testId?: string;
}

/** Pixels within which a click picks a point. */
const PICK_RADIUS = 7;

/**
 * Points of two columns as one SVG path (points on the same pixel drawn once, so 100k records stay one cheap
 * element), the selected record ringed; a click picks the nearest point within PICK_RADIUS pixels.
 */
export const ScatterPlot = memo(function ScatterPlot(props: ScatterPlotProps) {
  const { points, parity = false, onSelect } = props;
  const [hostRef, width] = useWidth();
  const height = props.height ?? 240;
  const domains = useMemo(() => {
    const xd = extent(Array.from(points.x));
    const yd = extent(Array.from(points.y));
    if (!parity) return { xd, yd };
    const both: [number, number] = [Math.min(xd[0], yd[0]), Math.max(xd[1], yd[1])];
    return { xd: both, yd: both };
  }, [points, parity]);
  const x = useMemo(() => linearScale(domains.xd, [MARGIN.left, width - MARGIN.right]), [domains, width]);
  const y = useMemo(() => linearScale(domains.yd, [height - MARGIN.bottom, MARGIN.top]), [domains, height]);
  const path = useMemo(() => {
    const seen = new Set<number>();
    const parts: string[] = [];
    for (let i = 0; i < points.index.length; i++) {
      const px = Math.round(x(points.x[i]!));
      const py = Math.round(y(points.y[i]!));
      const cell = px * 8192 + py;
      if (seen.has(cell)) continue;
      seen.add(cell);
      parts.push(`M${px} ${py}h0`);
    }
    return parts.join('');
  }, [points, x, y]);
  const metrics = useMemo(() => (parity ? parityMetrics(points.x, points.y) : null), [points, parity]);
  const selected = props.selectedIndex === null ? -1 : points.index.indexOf(props.selectedIndex);

  const onClick = useCallback(
    (event: React.MouseEvent<SVGSVGElement>) => {
      const box = event.currentTarget.getBoundingClientRect();
      const hit = nearestPoint(points, x, y, event.clientX - box.left, event.clientY - box.top, PICK_RADIUS);
      if (hit >= 0) onSelect(points.index[hit]!);
    },
    [points, onSelect, x, y],
  );

  if (points.index.length === 0) return <div className="plot-empty muted" data-testid={`${props.testId ?? 'scatter'}-empty`}>No record has numbers in both columns.</div>;
  const [d0, d1] = domains.xd;
  return (
    <div className="plot-host" ref={hostRef}>
      <PlotFrame width={width} height={height} x={x} y={y} xTitle={props.xTitle} yTitle={props.yTitle} testId={props.testId ?? 'scatter'} onClick={onClick}>
        {parity ? <line className="plot-diagonal" x1={x(d0)} y1={y(d0)} x2={x(d1)} y2={y(d1)} /> : null}
        <path className="plot-points" d={path} data-n={points.index.length} />
        {selected >= 0 ? (
          <circle className="plot-selected" cx={x(points.x[selected]!)} cy={y(points.y[selected]!)} r={5} data-testid="scatter-selected" data-index={props.selectedIndex ?? ''}>
            <title>{`record ${props.selectedIndex! + 1}: ${formatNumber(points.x[selected]!)}, ${formatNumber(points.y[selected]!)}`}</title>
          </circle>
        ) : null}
        {metrics ? (
          <text className="plot-metrics" x={MARGIN.left + 8} y={MARGIN.top + 14} data-testid="parity-metrics" data-mae={metrics.mae} data-r2={metrics.r2}>
            {`MAE ${formatNumber(Number(metrics.mae.toPrecision(3)))}  R² ${Number.isFinite(metrics.r2) ? metrics.r2.toFixed(3) : '—'}  n ${metrics.n}`}
          </text>
        ) : null}
      </PlotFrame>
    </div>
  );
});
