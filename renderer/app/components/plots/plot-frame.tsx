import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatNumber } from '../../util/format';
import { fitAxisTitle, MARGIN, niceTicks } from './plot-math';

export { MARGIN };

export interface Scale {
  readonly domain: readonly [number, number];
  /** Data value to SVG pixels. */
  (value: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((v: number) => r0 + (v - d0) * k) as Scale;
  return Object.assign(scale, { domain });
}

/** The width of an element, followed as it resizes (the panel shares the centre column with the viewer). */
export function useWidth(fallback = 480): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const measure = () => setWidth(Math.max(160, Math.floor(host.clientWidth)));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(host);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export interface PlotFrameProps {
  readonly width: number;
  readonly height: number;
  readonly x: Scale;
  readonly y: Scale;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly testId: string;
  readonly children: ReactNode;
  readonly onClick?: (event: React.MouseEvent<SVGSVGElement>) => void;
  readonly title?: string;
}

/** An SVG plot: ticks, grid and titles on both axes around the children (drawn in SVG pixels). */
export function PlotFrame(props: PlotFrameProps) {
  const { width, height, x, y } = props;
  const xTicks = niceTicks(x.domain[0], x.domain[1], Math.max(2, Math.floor((width - MARGIN.left) / 80)));
  const yTicks = niceTicks(y.domain[0], y.domain[1], Math.max(2, Math.floor((height - MARGIN.top - MARGIN.bottom) / 40)));
  const bottom = height - MARGIN.bottom;
  const right = width - MARGIN.right;
  return (
    <svg className="plot-svg" width={width} height={height} data-testid={props.testId} onClick={props.onClick} role="img" aria-label={props.title ?? `${props.yTitle} against ${props.xTitle}`}>
      <g className="plot-grid">
        {xTicks.map((t) => (
          <line key={`x${t}`} x1={x(t)} x2={x(t)} y1={MARGIN.top} y2={bottom} />
        ))}
        {yTicks.map((t) => (
          <line key={`y${t}`} x1={MARGIN.left} x2={right} y1={y(t)} y2={y(t)} />
        ))}
      </g>
      <rect className="plot-area" x={MARGIN.left} y={MARGIN.top} width={Math.max(0, right - MARGIN.left)} height={Math.max(0, bottom - MARGIN.top)} />
      {props.children}
      <g className="plot-axis">
        {xTicks.map((t) => (
          <text key={`x${t}`} x={x(t)} y={bottom + 13} textAnchor="middle">
            {formatNumber(t)}
          </text>
        ))}
        {yTicks.map((t) => (
          <text key={`y${t}`} x={MARGIN.left - 5} y={y(t) + 3.5} textAnchor="end">
            {formatNumber(t)}
          </text>
        ))}
        <text className="plot-title" x={(MARGIN.left + right) / 2} y={height - 4} textAnchor="middle" data-axis="x">
          <title>{props.xTitle}</title>
          {fitAxisTitle(props.xTitle, right - MARGIN.left)}
        </text>
        <text className="plot-title" transform={`translate(12 ${(MARGIN.top + bottom) / 2}) rotate(-90)`} textAnchor="middle" data-axis="y">
          <title>{props.yTitle}</title>
          {fitAxisTitle(props.yTitle, bottom - MARGIN.top)}
        </text>
      </g>
    </svg>
  );
}
