import { memo, type ReactNode } from 'react';
import type { ColumnInfo, Depiction, StructureSummary } from '../../../core/contract/equimol-api';
import { elementOf, symbolOf, type Structure } from '../../../core/structure';
import type { MeasureResult, Measurement } from '../../viewer/viewer-api';
import type { RowError } from '../hooks/use-job-error-rows';
import { svgDataUrl } from '../util/depiction';
import { formatNumber, formatValue } from '../util/format';
import { CloseIcon } from './icons';
import { PredictionsSection } from './predictions-section';

export interface MeasurementEntry {
  readonly measurement: Measurement;
  readonly result: MeasureResult;
}

export interface SidePanelProps {
  readonly summary: StructureSummary | undefined;
  readonly structure: Structure | null;
  readonly depiction: Depiction | null;
  readonly pickedAtom: number | null;
  readonly measurements: readonly MeasurementEntry[];
  readonly onRemoveMeasurement: (index: number) => void;
  readonly onClearMeasurements: () => void;
  /** Why a batch job could not predict the selected structure (its error row), shown above the properties. */
  readonly rowError?: RowError | undefined;
  /** The document's columns: predicted ones are listed under Predictions with their spread and domain flag. */
  readonly columns?: readonly ColumnInfo[] | undefined;
  /** Registered 'side' panels, after the measurements. */
  readonly children?: ReactNode;
}

function cellParameters(cell: Float64Array): { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number } {
  const v = (i: number) => [cell[3 * i]!, cell[3 * i + 1]!, cell[3 * i + 2]!] as const;
  const dot = (x: readonly number[], y: readonly number[]) => x[0]! * y[0]! + x[1]! * y[1]! + x[2]! * y[2]!;
  const [va, vb, vc] = [v(0), v(1), v(2)];
  const [a, b, c] = [Math.sqrt(dot(va, va)), Math.sqrt(dot(vb, vb)), Math.sqrt(dot(vc, vc))];
  const angle = (x: readonly number[], y: readonly number[], lx: number, ly: number) => (Math.acos(dot(x, y) / (lx * ly)) * 180) / Math.PI;
  const cross = [vb[1] * vc[2] - vb[2] * vc[1], vb[2] * vc[0] - vb[0] * vc[2], vb[0] * vc[1] - vb[1] * vc[0]];
  return { a, b, c, alpha: angle(vb, vc, b, c), beta: angle(va, vc, a, c), gamma: angle(va, vb, a, b), volume: Math.abs(dot(va, cross)) };
}

function atomLabel(structure: Structure | null, atom: number): string {
  const z = structure?.numbers[atom];
  return `${z === undefined ? '?' : symbolOf(z)}${atom + 1}`;
}

/** Right panel: properties of the selected structure, its 2D depiction, the picked atom and measurements. */
export const SidePanel = memo(function SidePanel(props: SidePanelProps) {
  const { summary, structure, depiction, pickedAtom, measurements } = props;
  const rows: Array<[string, string]> = [];
  if (summary) {
    rows.push(['Name', summary.name || '(untitled)'], ['Formula', summary.formula], ['Atoms', String(summary.atoms)]);
    if (summary.line > 0) rows.push(['Line in file', String(summary.line)]);
  }
  if (structure) {
    rows.push(['Charge', String(structure.charge)], ['Multiplicity', String(structure.multiplicity)]);
    if (structure.bonds) rows.push(['Bonds', String(structure.bonds.length)]);
    if (structure.cell) {
      const p = cellParameters(structure.cell);
      rows.push(
        ['a, b, c (Å)', [p.a, p.b, p.c].map((x) => x.toFixed(3)).join(', ')],
        ['α, β, γ (°)', [p.alpha, p.beta, p.gamma].map((x) => x.toFixed(2)).join(', ')],
        ['Volume (Å³)', p.volume.toFixed(2)],
        ['PBC', structure.pbc.map((f) => (f ? 'T' : 'F')).join(' ')],
      );
    }
    for (const [key, value] of Object.entries(structure.properties)) {
      if (rows.length > 60) break;
      rows.push([key, formatValue(value as never)]);
    }
  }
  const predictedKeys = new Set((props.columns ?? []).filter((c) => c.source !== 'file').map((c) => c.key));
  if (summary) {
    for (const [key, value] of Object.entries(summary.values)) {
      if ((structure && key in structure.properties) || predictedKeys.has(key)) continue;
      rows.push([key, formatValue(value)]);
    }
  }

  const atomRows: Array<[string, string]> = [];
  if (structure && pickedAtom !== null && pickedAtom < structure.numbers.length) {
    const i = pickedAtom;
    atomRows.push(
      ['Element', `${elementOf(structure.numbers[i]!).name} (${symbolOf(structure.numbers[i]!)})`],
      ['Index', String(i + 1)],
      ['Position (Å)', [0, 1, 2].map((k) => structure.positions[3 * i + k]!.toFixed(4)).join(', ')],
    );
    if (structure.formalCharges) atomRows.push(['Formal charge', String(structure.formalCharges[i])]);
    for (const [key, array] of Object.entries(structure.atomArrays)) {
      const values = Array.from({ length: array.width }, (_, k) => array.data[i * array.width + k]);
      atomRows.push([key, values.map((x) => (typeof x === 'number' ? formatNumber(x) : String(x))).join(', ')]);
    }
  }

  return (
    <aside className="panel panel-right" data-testid="side-panel">
      {props.rowError ? (
        <div className="row-error-details" role="alert" data-testid="row-error-details">
          <strong>⚠ {props.rowError.jobLabel}: no prediction</strong>
          <div>{props.rowError.message}</div>
        </div>
      ) : null}
      <div className="section">
        <div className="section-title">Properties</div>
        <div className="section-body props-scroll">
          {rows.length === 0 ? (
            <div className="muted">Select a structure to see its properties.</div>
          ) : (
            <table className="props" data-testid="properties">
              <tbody>
                {rows.map(([k, v], i) => (
                  <tr key={`${k}-${i}`}>
                    <td title={k}>{k}</td>
                    <td className="mono">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <PredictionsSection summary={summary} columns={props.columns ?? []} />
      {structure && !structure.cell ? (
        <div className="section">
          <div className="section-title">2D depiction</div>
          <div className="section-body">
            <div className="depiction" data-testid="depiction">
              {depiction === null ? (
                <div className="none">Drawing…</div>
              ) : depiction.svg ? (
                <img alt={`2D depiction of ${summary?.name || 'the structure'}`} src={svgDataUrl(depiction.svg)} />
              ) : (
                <div className="none">{depiction.message ?? 'No depiction available.'}</div>
              )}
            </div>
          </div>
        </div>
      ) : null}
      <div className="section">
        <div className="section-title">Picked atom</div>
        <div className="section-body" data-testid="picked-atom">
          {atomRows.length === 0 ? (
            <div className="muted">Click an atom in the viewer.</div>
          ) : (
            <table className="props">
              <tbody>
                {atomRows.map(([k, v]) => (
                  <tr key={k}>
                    <td>{k}</td>
                    <td className="mono">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <div className="section">
        <div className="section-title">
          Measurements
          {measurements.length > 0 ? (
            <button className="btn ghost" style={{ height: 20, textTransform: 'none', letterSpacing: 0 }} onClick={props.onClearMeasurements}>
              Clear
            </button>
          ) : null}
        </div>
        <div className="section-body">
          {measurements.length === 0 ? (
            <div className="muted">
              Press <span className="kbd">M</span>, choose Distance, Angle or Dihedral, and click two, three or four atoms.
            </div>
          ) : (
            <ul className="measure-list" data-testid="measurements">
              {measurements.map((entry, i) => (
                <li key={i} data-testid="measurement">
                  <span className="what">
                    {entry.result.kind} {entry.measurement.atoms.map((a) => atomLabel(structure, a)).join('–')}
                  </span>
                  <span className="value mono" data-testid="measurement-value">
                    {entry.result.value.toFixed(entry.result.unit === 'Å' ? 4 : 2)} {entry.result.unit}
                  </span>
                  <button className="btn ghost icon" style={{ width: 20, height: 20 }} title="Remove" onClick={() => props.onRemoveMeasurement(i)} data-testid="measurement-remove">
                    <CloseIcon />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {props.children}
    </aside>
  );
});
