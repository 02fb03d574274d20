/**
 * What the trajectory panel plots (pure, tested in Node): a relaxation's energy (eV) and fmax (eV/Å, log axis)
 * per step; molecular dynamics' temperature (K) and potential, total and kinetic energy (eV) over time (fs).
 */
import type { ColumnValues } from '../../core/contract/equimol-api';
import type { PlotSeries } from './components/series-plot';

/** The document columns each kind of trajectory plots (frame properties of core/session sampler documents). */
export const RELAX_KEYS = ['step', 'energy', 'fmax'] as const;
export const MD_KEYS = ['time', 'step', 'temperature', 'energy', 'kinetic', 'total'] as const;

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly leftLabel: string;
  readonly rightLabel?: string;
  readonly rightLog?: boolean;
  readonly series: readonly PlotSeries[];
  readonly testId: string;
}

export interface Plots {
  /** Rows with an x value: their structure indices and x. */
  readonly index: readonly number[];
  readonly x: readonly number[];
  readonly specs: readonly PlotSpec[];
}

/** Columns -> plots: relax energy (eV) and fmax (eV/Å, log) per step; MD temperature (K) and energies (eV) over time (fs). */
export function trajectoryPlots(values: ColumnValues, md: boolean): Plots {
  const column = (key: string) => values.values[key] ?? [];
  const xKey = md && column('time').some((v) => v !== null) ? 'time' : 'step';
  const xs = column(xKey);
  const rows: number[] = [];
  for (let i = 0; i < values.index.length; i++) {
    const x = xs[i] ?? null;
    // uPlot needs ascending x; rows without one (or out of order) are left out.
    if (x !== null && (rows.length === 0 || x >= xs[rows[rows.length - 1]!]!)) rows.push(i);
  }
  const pick = (key: string) => rows.map((i) => column(key)[i] ?? null);
  const x = rows.map((i) => xs[i]!);
  const index = rows.map((i) => values.index[i]!);
  const xLabel = xKey === 'time' ? 'time (fs)' : 'step';
  if (!md) {
    return {
      index,
      x,
      specs: [
        {
          title: 'Relaxation',
          xLabel,
          leftLabel: 'energy (eV)',
          rightLabel: 'fmax (eV/Å)',
          rightLog: pick('fmax').every((v) => v === null || v > 0),
          series: [
            { label: 'energy (eV)', color: '#2f6fec', values: pick('energy') },
            { label: 'fmax (eV/Å)', color: '#c2410c', values: pick('fmax'), axis: 'right' },
          ],
          testId: 'plot-relax',
        },
      ],
    };
  }
  return {
    index,
    x,
    specs: [
      { title: 'Temperature', xLabel, leftLabel: 'T (K)', series: [{ label: 'temperature (K)', color: '#c2410c', values: pick('temperature') }], testId: 'plot-temperature' },
      {
        title: 'Energy',
        xLabel,
        leftLabel: 'E (eV)',
        rightLabel: 'kinetic (eV)',
        series: [
          { label: 'potential (eV)', color: '#2f6fec', values: pick('energy') },
          { label: 'total (eV)', color: '#7c3aed', values: pick('total') },
          { label: 'kinetic (eV)', color: '#16a34a', values: pick('kinetic'), axis: 'right' },
        ],
        testId: 'plot-energy',
      },
    ],
  };
}

