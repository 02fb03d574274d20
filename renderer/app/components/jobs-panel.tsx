import { memo } from 'react';
import type { ExportFormat, JobId, JobProgress, PredictorInfo } from '../../../core/contract/equimol-api';
import { conformersStatusText } from '../conformer-ensemble';
import { generateStatusText } from '../generate-form';
import { trainStatusText } from '../train-form';
import { formatDuration, formatRate, plural } from '../util/format';
import { BoltIcon, ChevronIcon, StopIcon } from './icons';

export interface JobsPanelProps {
  readonly predictors: readonly PredictorInfo[];
  readonly predictorId: string;
  readonly onPredictorId: (id: string) => void;
  readonly documentCount: number;
  readonly structureCount: number;
  readonly jobs: readonly JobProgress[];
  readonly collapsed: boolean;
  readonly onToggleCollapsed: () => void;
  readonly onStart: () => void;
  readonly onCancel: (jobId: JobId) => void;
  readonly onExport: (jobId: JobId, format: ExportFormat) => void;
  /** Shows a document the job made (relax / md trajectories, relaxed structures). */
  readonly onShowOutput?: (jobId: JobId) => void;
}

/** 'step 120/500 · E −4210.1234 eV · fmax 0.081 eV/Å' (relax) or '… · T 305 K · 60.0 fs' (md). */
export function samplerStatusText(job: JobProgress): string {
  const s = job.sampler;
  if (!s) return '';
  if (job.kind === 'conformers') return conformersStatusText(job);
  if (job.kind === 'generate') return generateStatusText(job);
  if (s.train) return trainStatusText(s.train);
  const parts = [`step ${s.step.toLocaleString('en-US')}/${s.totalSteps.toLocaleString('en-US')}`, `E ${s.energy.toFixed(4)} eV`];
  if (s.fmax !== undefined) parts.push(`fmax ${s.fmax.toFixed(3)} eV/Å`);
  if (s.temperature !== undefined) parts.push(`T ${s.temperature.toFixed(0)} K`);
  if (s.time !== undefined) parts.push(`${s.time.toFixed(1)} fs`);
  return parts.join(' · ');
}

const ACTIVE_STATES = new Set(['queued', 'running']);

function percentOf(job: JobProgress): number {
  if (job.state === 'done') return 100;
  return job.total > 0 ? (100 * job.done) / job.total : 0;
}

/** Bottom panel: predictor picker, start button, and one row per job with progress, rate, ETA, cancel and export. */
export const JobsPanel = memo(function JobsPanel(props: JobsPanelProps) {
  const { predictors, jobs } = props;
  const running = jobs.filter((j) => ACTIVE_STATES.has(j.state)).length;
  const selected = predictors.find((p) => p.id === props.predictorId);
  return (
    <section className={`jobs${props.collapsed ? ' collapsed' : ''}`} data-testid="jobs-panel">
      <div className="jobs-controls">
        <button className="btn ghost icon" onClick={props.onToggleCollapsed} title={props.collapsed ? 'Show jobs' : 'Hide jobs'} style={{ transform: props.collapsed ? 'rotate(180deg)' : undefined }}>
          <ChevronIcon />
        </button>
        <strong style={{ fontSize: 11, textTransform: 'uppercase', letterSpacing: 0.6, color: 'var(--text-dim)' }}>Batch prediction</strong>
        <select className="select" value={props.predictorId} onChange={(e) => props.onPredictorId(e.target.value)} data-testid="predictor-select" title={selected?.description}>
          {predictors.length === 0 ? <option value="">No predictors available</option> : null}
          {predictors.map((p) => (
            <option key={p.id} value={p.id} title={p.description}>
              {p.id} — {p.columns.length} {p.columns.length === 1 ? 'column' : 'columns'}
            </option>
          ))}
        </select>
        <button className="btn primary" onClick={props.onStart} disabled={!selected || props.documentCount === 0} data-testid="start-job">
          <BoltIcon /> Run on {props.documentCount > 1 ? `${props.documentCount} files` : 'open file'}
          {props.structureCount > 0 ? ` (${props.structureCount.toLocaleString('en-US')})` : ''}
        </button>
        <span className="muted" style={{ marginLeft: 6, flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
          {selected ? selected.description : ''}
        </span>
        <span className="muted">{jobs.length === 0 ? 'No jobs yet' : `${plural(jobs.length, 'job')}${running ? `, ${running} active` : ''}`}</span>
      </div>
      <div className="jobs-body">
        {jobs.map((job) => {
          const pct = percentOf(job);
          const active = ACTIVE_STATES.has(job.state);
          return (
            <div className={`job${job.sampler ? ' sampler' : ''}`} key={job.id} data-testid="job" data-state={job.state}>
              <div className="title" title={job.label}>
                {job.label}
                <small>
                  {job.state}
                  {job.failed > 0 ? ` · ${plural(job.failed, 'error row')}` : ''}
                  {job.message ? ` · ${job.message}` : ''}
                </small>
              </div>
              <div
                className={`progress${job.state === 'done' ? ' done' : ''}${job.state === 'failed' ? ' failed' : ''}`}
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(pct)}
                data-testid="job-progress"
              >
                <div style={{ width: `${pct}%` }} />
              </div>
              <div className="stats mono" data-testid="job-stats">
                {pct.toFixed(0)}% · {job.done.toLocaleString('en-US')}/{job.total.toLocaleString('en-US')}
                {job.unit === 'steps' ? ' steps' : ''} · {formatRate(job.rate)} ·{' '}
                {active ? `ETA ${job.etaSeconds === null ? '—' : formatDuration(job.etaSeconds)}` : formatDuration(job.elapsedSeconds)}
                {job.sampler ? (
                  <div className="sampler-status" data-testid="job-sampler">
                    {samplerStatusText(job)}
                  </div>
                ) : null}
              </div>
              <div className="actions">
                {job.outputDocIds && job.outputDocIds.length > 0 && props.onShowOutput ? (
                  <button className="btn" onClick={() => props.onShowOutput?.(job.id)} data-testid="show-output" title="Show the trajectory or the relaxed structures">
                    Show
                  </button>
                ) : null}
                {active ? (
                  <button className="btn danger" onClick={() => props.onCancel(job.id)} data-testid="cancel-job">
                    <StopIcon /> Cancel
                  </button>
                ) : job.state === 'done' || (job.unit !== 'steps' && job.done > 0) ? (
                  // A cancelled or failed job exports the rows it finished (`done` counts rows unless it counts steps).
                  <>
                    <button className="btn" onClick={() => props.onExport(job.id, 'csv')} data-testid="export-csv">
                      CSV
                    </button>
                    <button className="btn" onClick={() => props.onExport(job.id, 'sdf')} data-testid="export-sdf">
                      SDF
                    </button>
                    <button className="btn" onClick={() => props.onExport(job.id, 'extxyz')} data-testid="export-extxyz">
                      extXYZ
                    </button>
                  </>
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
});
