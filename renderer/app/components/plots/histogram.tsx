import { memo, useMemo } from 'react';
import { formatNumber } from '../../util/format';
import { linearScale, MARGIN, PlotFrame, useWidth } from './plot-frame';
import { binOf, histogramBins } from './plot-math';

export interface HistogramProps {
  readonly values: readonly (number | null)[];
  readonly title: string;
  /** The selected record's value: its bin is highlighted. */
  readonly selectedValue: number | null;
  readonly height?: number;
}

/** Counts of a numeric column in equal-width bins (SVG bars); the selected record's bin in the accent colour. */
export const Histogram = memo(function Histogram(props: HistogramProps) {
  const [hostRef, width] = useWidth();
  const height = props.height ?? 220;
  const bins = useMemo(() => histogramBins(props.values), [props.values]);
  const selectedBin = binOf(bins, props.selectedValue);
  if (bins.n === 0) return <div className="plot-empty muted" data-testid="histogram-empty">No numbers in this column.</div>;
  const lo = bins.edges[0]!;
  const hi = bins.edges[bins.edges.length - 1]!;
  const x = linearScale([lo, hi], [MARGIN.left, width - MARGIN.right]);
  const y = linearScale([0, Math.max(...bins.counts) * 1.05], [height - MARGIN.bottom, MARGIN.top]);
  return (
    <div className="plot-host" ref={hostRef}>
      <PlotFrame width={width} height={height} x={x} y={y} xTitle={props.title} yTitle="count" testId="histogram" title={`Histogram of ${props.title}`}>
        <g className="plot-bars" data-bins={bins.counts.length} data-n={bins.n}>
          {bins.counts.map((count, i) => {
            const left = x(bins.edges[i]!);
            const w = Math.max(0.5, x(bins.edges[i + 1]!) - left - 1);
            return (
              <rect key={i} x={left + 0.5} y={y(count)} width={w} height={Math.max(0, y(0) - y(count))} className={i === selectedBin ? 'selected' : undefined} data-testid={i === selectedBin ? 'histogram-selected-bin' : undefined}>
                <title>{`${formatNumber(bins.edges[i]!)} – ${formatNumber(bins.edges[i + 1]!)}: ${count}`}</title>
              </rect>
            );
          })}
        </g>
      </PlotFrame>
    </div>
  );
});
