import { memo, useMemo, useState } from 'react';
import type { DocumentInfo, EquimolApi, ExportFormat } from '../../../core/contract/equimol-api';
import { useColumnValues } from '../hooks/use-column-values';
import { MD_KEYS, RELAX_KEYS, trajectoryPlots } from '../trajectory-plots';
import { SeriesPlot } from './series-plot';

export interface TrajectoryPanelProps {
  readonly api: EquimolApi;
  /** A trajectory document (origin.kind 'trajectory'). */
  readonly doc: DocumentInfo;
  /** The frame shown (0-based structure index). */
  readonly frame: number;
  readonly onSeek: (frame: number) => void;
  readonly theme: 'light' | 'dark';
  /** Exports structures of the document: the listed indices, or all of them. */
  readonly onExport: (format: ExportFormat, indices?: readonly number[]) => void;
}

const EXPORT_FORMATS: ReadonlyArray<readonly [ExportFormat, string]> = [
  ['extxyz', 'extXYZ'],
  ['sdf', 'SDF'],
  ['pdb', 'PDB'],
  ['poscar', 'POSCAR'],
];

/**
 * Under the viewer for a trajectory document: live plots of its columns (refetched as a running job adds
 * frames), a cursor at the shown frame (click a plot to seek), and export of the frame, the final structure or
 * the whole trajectory.
 */
export const TrajectoryPanel = memo(function TrajectoryPanel(props: TrajectoryPanelProps) {
  const { doc } = props;
  const md = doc.origin?.jobKind === 'md';
  const values = useColumnValues(props.api, doc.id, md ? MD_KEYS : RELAX_KEYS);
  const plots = useMemo(() => (values ? trajectoryPlots(values, md) : null), [values, md]);
  const [format, setFormat] = useState<ExportFormat>('extxyz');
  const cursorIndex = plots ? plots.index.indexOf(props.frame) : -1;
  const last = doc.recordCount - 1;
  const live = doc.origin?.live ?? false;
  return (
    <div className="trajectory-panel" data-testid="trajectory-panel" data-live={live ? 'true' : 'false'}>
      <div className="trajectory-plots">
        {plots && plots.x.length > 0 ? (
          plots.specs.map((spec) => (
            <SeriesPlot
              key={spec.testId}
              title={spec.title}
              x={plots.x}
              xLabel={spec.xLabel}
              series={spec.series}
              leftLabel={spec.leftLabel}
              {...(spec.rightLabel ? { rightLabel: spec.rightLabel } : {})}
              {...(spec.rightLog ? { rightLog: true } : {})}
              cursorIndex={cursorIndex < 0 ? null : cursorIndex}
              onSeek={(i) => props.onSeek(plots.index[i] ?? i)}
              theme={props.theme}
              height={140}
              testId={spec.testId}
            />
          ))
        ) : (
          <div className="muted">{values ? 'No frames yet.' : 'Loading the trajectory…'}</div>
        )}
      </div>
      <div className="trajectory-export">
        <span className="muted">
          {doc.origin?.calculator ?? ''} · {doc.recordCount} frames{live ? ' · running' : ''}
        </span>
        <span className="spacer" />
        <select className="select" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)} aria-label="Export format" data-testid="trajectory-format">
          {EXPORT_FORMATS.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
        <button className="btn" onClick={() => props.onExport(format, [props.frame])} disabled={doc.recordCount === 0} data-testid="export-frame" title="The frame shown">
          Frame
        </button>
        <button className="btn" onClick={() => props.onExport(format, [last])} disabled={doc.recordCount === 0} data-testid="export-final" title="The last frame (the relaxed structure)">
          Final
        </button>
        <button
          className="btn"
          onClick={() => props.onExport(format)}
          disabled={doc.recordCount === 0 || format === 'poscar'}
          data-testid="export-trajectory"
          title={format === 'poscar' ? 'POSCAR holds one structure: export a frame' : 'Every frame'}
        >
          Trajectory
        </button>
      </div>
    </div>
  );
});
