import { memo, useMemo } from 'react';
import type { DocumentInfo, EquimolApi, ExportFormat } from '../../../core/contract/equimol-api';
import { ENSEMBLE_KEYS, ensembleBars } from '../conformer-ensemble';
import { useColumnValues } from '../hooks/use-column-values';
import { plural } from '../util/format';
import { ConformerChart } from './conformer-chart';

export interface ConformersPanelProps {
  readonly api: EquimolApi;
  /** A conformer ensemble document (origin.kind 'conformers'). */
  readonly doc: DocumentInfo;
  /** The selected conformer (0-based structure index), or null. */
  readonly selectedIndex: number | null;
  readonly onSelect: (index: number) => void;
  /** Whether the other conformers are overlaid in the viewer. */
  readonly overlay: boolean;
  readonly onOverlay: (overlay: boolean) => void;
  readonly theme: 'light' | 'dark';
  /** Exports structures of the document: the listed indices, or all of them. */
  readonly onExport: (format: ExportFormat, indices?: readonly number[]) => void;
}

const ENSEMBLE_COLUMN_KEYS: readonly string[] = ENSEMBLE_KEYS;

/**
 * Under the viewer for a conformer ensemble: the relative energy and weight chart (click a bar to select that
 * conformer), the overlay toggle, and SDF export of the ensemble (energy, relative_energy, boltzmann_weight fields)
 * or of the selected conformer.
 */
export const ConformersPanel = memo(function ConformersPanel(props: ConformersPanelProps) {
  const { doc } = props;
  const values = useColumnValues(props.api, doc.id, ENSEMBLE_COLUMN_KEYS);
  const bars = useMemo(() => (values ? ensembleBars(values) : null), [values]);
  const k = bars && props.selectedIndex !== null ? bars.index.indexOf(props.selectedIndex) : -1;
  const selectedText =
    bars && k >= 0 ? `#${k + 1}: ΔE ${bars.relativeEnergy[k]?.toFixed(2) ?? '—'} kcal/mol · weight ${bars.weight[k]?.toFixed(3) ?? '—'}` : '';
  const live = doc.origin?.live ?? false;
  return (
    <div className="conformers-panel" data-testid="conformers-panel" data-live={live ? 'true' : 'false'}>
      <div className="conformers-chart-host">
        {bars && bars.x.length > 0 ? (
          <ConformerChart bars={bars} selected={props.selectedIndex} onSelect={props.onSelect} theme={props.theme} />
        ) : (
          <div className="muted">{values ? 'No conformers.' : 'Loading the ensemble…'}</div>
        )}
      </div>
      <div className="trajectory-export">
        <span className="muted" data-testid="conformers-summary">
          {plural(doc.recordCount, 'conformer')} · {doc.origin?.calculator ?? ''}
          {selectedText ? ` · ${selectedText}` : ''}
        </span>
        <span className="spacer" />
        <label className="conformers-overlay-toggle" title="Draw the other conformers, superposed on the lowest by their heavy atoms">
          <input type="checkbox" checked={props.overlay} onChange={(e) => props.onOverlay(e.target.checked)} data-testid="conformers-overlay" /> Overlay all
        </label>
        <button className="btn" onClick={() => props.selectedIndex !== null && props.onExport('sdf', [props.selectedIndex])} disabled={props.selectedIndex === null} data-testid="export-conformer" title="The selected conformer as SDF">
          Selected
        </button>
        <button className="btn" onClick={() => props.onExport('sdf')} disabled={doc.recordCount === 0} data-testid="export-ensemble-sdf" title="Every conformer as SDF with energy (eV), relative_energy (kcal/mol) and boltzmann_weight fields">
          Export SDF
        </button>
      </div>
    </div>
  );
});
