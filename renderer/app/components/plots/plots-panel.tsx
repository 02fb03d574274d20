import { memo, useMemo, useState } from 'react';
import type { ColumnInfo, DocumentInfo, EquimolApi } from '../../../../core/contract/equimol-api';
import { useColumnValues } from '../../hooks/use-column-values';
import { Histogram } from './histogram';
import { axisTitle, numericColumns, pairedPoints, parityPairs } from './plot-math';
import { ScatterPlot } from './scatter-plot';
import './plots.css';

export type PlotKind = 'histogram' | 'scatter' | 'parity';

export interface PlotsPanelProps {
  readonly api: EquimolApi;
  readonly doc: DocumentInfo;
  /** The selected record (0-based index in `doc`), or null. */
  readonly selectedIndex: number | null;
  readonly onSelect: (index: number) => void;
  readonly onClose?: () => void;
}

function ColumnPicker(props: { readonly label: string; readonly value: string; readonly columns: readonly ColumnInfo[]; readonly onChange: (key: string) => void; readonly testId: string }) {
  return (
    <label className="plots-picker">
      <span className="muted">{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        {props.columns.map((c) => (
          <option key={c.key} value={c.key}>
            {axisTitle(c, c.key)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The first choice that is a column of the document: what the user picked, else the fallback. */
function pick(wanted: string | undefined, columns: readonly ColumnInfo[], fallback: string): string {
  return wanted !== undefined && columns.some((c) => c.key === wanted) ? wanted : fallback;
}

/**
 * Plots of the active document's numeric columns (getColumnValues, refetched as a job adds values): a histogram
 * of one column, a scatter of two (click a point to select its record; the selected record is ringed), and a
 * parity plot of a prediction column against the file column of the same quantity, with MAE and R².
 */
export const PlotsPanel = memo(function PlotsPanel(props: PlotsPanelProps) {
  const { doc } = props;
  const columns = useMemo(() => numericColumns(doc.columns), [doc.columns]);
  const pairs = useMemo(() => parityPairs(doc.columns), [doc.columns]);
  const [kind, setKind] = useState<PlotKind>('histogram');
  const [choice, setChoice] = useState<{ x?: string; y?: string; pair?: string }>({});
  const files = columns.filter((c) => c.key !== 'atoms');
  const x = pick(choice.x, columns, files[0]?.key ?? 'atoms');
  const y = pick(choice.y, columns, files.find((c) => c.key !== x)?.key ?? 'atoms');
  const pair = pairs.find((p) => p.prediction.key === choice.pair) ?? pairs[0];
  const shownKind: PlotKind = kind === 'parity' && !pair ? 'histogram' : kind;
  const keys = shownKind === 'histogram' ? [x] : shownKind === 'scatter' ? [x, y] : [pair!.label.key, pair!.prediction.key];
  const values = useColumnValues(props.api, doc.id, keys);
  const ready = values !== null && values.docId === doc.id && keys.every((k) => values.values[k] !== undefined);
  const byKey = (key: string) => columns.find((c) => c.key === key);
  const [first, second] = keys;
  const points = useMemo(() => (ready && second !== undefined ? pairedPoints(values!, first!, second) : null), [ready, values, first, second]);
  const selectedValue = ready && props.selectedIndex !== null ? (values!.values[x]?.[values!.index.indexOf(props.selectedIndex)] ?? null) : null;

  return (
    <div className="trajectory-panel plots-panel" data-testid="plots-panel" data-kind={shownKind}>
      <div className="plots-controls">
        <div className="segmented" role="tablist" aria-label="Plot kind">
          {(['histogram', 'scatter', 'parity'] as const).map((k) => (
            <button
              key={k}
              className={`btn ghost${shownKind === k ? ' active' : ''}`}
              role="tab"
              aria-selected={shownKind === k}
              disabled={k === 'parity' && pairs.length === 0}
              title={k === 'parity' && pairs.length === 0 ? 'No prediction column has a label column of the same name in the file' : undefined}
              onClick={() => setKind(k)}
              data-testid={`plot-kind-${k}`}
            >
              {k === 'histogram' ? 'Histogram' : k === 'scatter' ? 'Scatter' : 'Parity'}
            </button>
          ))}
        </div>
        {shownKind === 'parity' && pair ? (
          <label className="plots-picker">
            <span className="muted">prediction</span>
            <select value={pair.prediction.key} onChange={(e) => setChoice({ ...choice, pair: e.target.value })} data-testid="plot-pair">
              {pairs.map((p) => (
                <option key={p.prediction.key} value={p.prediction.key}>
                  {`${p.prediction.key} vs ${p.label.key}`}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <>
            <ColumnPicker label="x" value={x} columns={columns} onChange={(key) => setChoice({ ...choice, x: key })} testId="plot-x" />
            {shownKind === 'scatter' ? <ColumnPicker label="y" value={y} columns={columns} onChange={(key) => setChoice({ ...choice, y: key })} testId="plot-y" /> : null}
          </>
        )}
        <span className="spacer" />
        {props.onClose ? (
          <button className="btn ghost" onClick={props.onClose} data-testid="plots-close" title="Close plots">
            ×
          </button>
        ) : null}
      </div>
      {!ready ? (
        <div className="plot-empty muted">Loading…</div>
      ) : shownKind === 'histogram' ? (
        <Histogram values={values!.values[x]!} title={axisTitle(byKey(x), x)} selectedValue={selectedValue} />
      ) : shownKind === 'scatter' ? (
        <ScatterPlot points={points!} xTitle={axisTitle(byKey(x), x)} yTitle={axisTitle(byKey(y), y)} selectedIndex={props.selectedIndex} onSelect={props.onSelect} testId="scatter" />
      ) : (
        <ScatterPlot points={points!} xTitle={`${axisTitle(pair!.label, pair!.label.key)} (label)`} yTitle={`${axisTitle(pair!.prediction, pair!.prediction.key)} (predicted)`} selectedIndex={props.selectedIndex} onSelect={props.onSelect} parity testId="parity" />
      )}
    </div>
  );
});
