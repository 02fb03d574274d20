/**
 * Loading states of files being opened: per file its name, phase, a progress bar, the structures read so far
 * and a Cancel button. Presentational only (use-open-progress.ts follows the events).
 */
import { memo } from 'react';
import type { OpenId, OpenPhase, OpenProgress } from '../../../core/contract/equimol-api';
import { openFraction } from '../hooks/use-open-progress';
import { formatBytes, plural } from '../util/format';
import { StopIcon } from './icons';

const PHASE_LABELS: Readonly<Record<OpenPhase, string>> = {
  reading: 'Reading',
  parsing: 'Parsing',
  embedding: 'Building 3D',
};

/** 'Parsing · 12.0 of 71.5 MB' or 'Building 3D · 3 of 20 molecules'. */
export function openStatusText(progress: OpenProgress): string {
  const amount =
    progress.unit === 'records'
      ? `${progress.completed.toLocaleString('en-US')} of ${plural(progress.total, 'molecule')}`
      : `${formatBytes(progress.completed)} of ${formatBytes(progress.total)}`;
  return `${PHASE_LABELS[progress.phase]} · ${amount}`;
}

/** '12,345 structures so far · 2 failed'. */
export function openRecordsText(progress: OpenProgress): string {
  const parts = [`${plural(progress.records, 'structure')} so far`];
  if (progress.failedRecords > 0) parts.push(`${progress.failedRecords.toLocaleString('en-US')} failed`);
  return parts.join(' · ');
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

export interface OpenProgressListProps {
  readonly opens: readonly OpenProgress[];
  readonly onCancel: (openId: OpenId) => void;
}

export const OpenProgressList = memo(function OpenProgressList({ opens, onCancel }: OpenProgressListProps) {
  if (opens.length === 0) return null;
  return (
    <section
      className="open-progress"
      data-testid="open-progress"
      aria-label="Files being opened"
      aria-live="polite"
      style={{
        position: 'absolute',
        top: 12,
        left: '50%',
        transform: 'translateX(-50%)',
        zIndex: 5,
        width: 'min(560px, calc(100% - 24px))',
        maxHeight: '60%',
        overflow: 'auto',
        pointerEvents: 'auto',
        background: 'var(--bg-panel, var(--bg))',
        border: '1px solid var(--border)',
        borderRadius: 8,
        boxShadow: '0 6px 24px rgba(0, 0, 0, 0.18)',
        padding: '4px 0',
      }}
    >
      {opens.map((progress) => {
        const pct = 100 * openFraction(progress);
        return (
          <div
            key={progress.openId}
            data-testid="open-progress-item"
            data-open-id={progress.openId}
            data-file={baseName(progress.file)}
            data-phase={progress.phase}
            data-state={progress.state}
            style={{ display: 'grid', gridTemplateColumns: '1fr auto', gap: '4px 10px', alignItems: 'center', padding: '6px 12px' }}
          >
            <div style={{ minWidth: 0 }}>
              <strong data-testid="open-progress-file" title={progress.file} style={{ display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                {baseName(progress.file)}
              </strong>
              <small className="muted" data-testid="open-progress-phase">
                {openStatusText(progress)}
              </small>
            </div>
            <button className="btn danger" onClick={() => onCancel(progress.openId)} data-testid="open-cancel" title={`Stop opening ${baseName(progress.file)}`}>
              <StopIcon /> Cancel
            </button>
            <div
              className="progress"
              role="progressbar"
              aria-label={`${PHASE_LABELS[progress.phase]} ${baseName(progress.file)}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(pct)}
              data-testid="open-progress-bar"
              style={{ gridColumn: '1 / -1' }}
            >
              <div style={{ width: `${pct}%` }} />
            </div>
            <small className="muted mono" data-testid="open-progress-records" style={{ gridColumn: '1 / -1' }}>
              {openRecordsText(progress)}
            </small>
          </div>
        );
      })}
    </section>
  );
});
