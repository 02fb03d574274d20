import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EquimolApi, JobId, JobProgress, JobRequest, TrainJobStatus } from '../../../core/contract/equimol-api';
import { svgDataUrl, trainCurvePlots, trainMetricsRows, trainStatusText } from '../train-form';
import { SeriesPlot } from './series-plot';

export interface TrainJobOptions {
  readonly api: EquimolApi;
  readonly jobs: readonly JobProgress[];
  readonly onStarted: (progress: JobProgress) => void;
  readonly onError: (title: string, detail: string) => void;
  /** Called once when a followed train job ends with a model (done, or cancelled with a checkpoint): re-list predictors. */
  readonly onModelWritten: () => void;
}

export interface TrainJob {
  readonly dialogOpen: boolean;
  readonly openDialog: () => void;
  readonly closeDialog: () => void;
  readonly start: (request: JobRequest) => void;
  /** The train job the panel shows (the last one started here), while the panel is open. */
  readonly shown: JobProgress | undefined;
  readonly closePanel: () => void;
}

/**
 * Train jobs started from the UI (the same shape as the Generate dialog's hook): the dialog, startJob, and the
 * job the Train panel follows; when it ends with a model, onModelWritten (the new model:NAME is listed).
 */
export function useTrainJob(options: TrainJobOptions): TrainJob {
  const { api, jobs } = options;
  const [dialogOpen, setDialogOpen] = useState(false);
  const [followed, setFollowed] = useState<JobId | null>(null);
  const announced = useRef(new Set<JobId>());
  const latest = useRef(options);
  latest.current = options;
  const shown = followed ? jobs.find((j) => j.id === followed) : undefined;

  useEffect(() => {
    for (const job of jobs) {
      if (job.kind !== 'train' || announced.current.has(job.id) || !job.sampler?.train?.result) continue;
      announced.current.add(job.id);
      latest.current.onModelWritten();
    }
  }, [jobs]);

  const start = useCallback(
    (request: JobRequest) => {
      setDialogOpen(false);
      api.startJob(request).then(
        (progress) => {
          setFollowed(progress.id);
          latest.current.onStarted(progress);
        },
        (error: unknown) => latest.current.onError('Could not start the training', error instanceof Error ? error.message : String(error)),
      );
    },
    [api],
  );

  return {
    dialogOpen,
    openDialog: useCallback(() => setDialogOpen(true), []),
    closeDialog: useCallback(() => setDialogOpen(false), []),
    start,
    shown,
    closePanel: useCallback(() => setFollowed(null), []),
  };
}

export interface TrainPanelProps {
  readonly job: JobProgress;
  readonly theme: 'light' | 'dark';
  readonly onClose: () => void;
}

const EMPTY_STATUS: TrainJobStatus = { stage: 'reading', member: 0, members: 1, epoch: 0, maxEpochs: 0, step: 0, stepsPerEpoch: 0, loss: Number.NaN, learningRate: 0, curve: [] };

/**
 * Under the viewer while a train job is followed: the live training loss and validation errors per epoch
 * (uPlot, redrawn from each status's curve), the status line with the ETA, and at the end the test metrics and
 * the parity plot of the test split (the run's SVG as an image: a data: URL, which the CSP allows).
 */
export const TrainPanel = memo(function TrainPanel(props: TrainPanelProps) {
  const { job } = props;
  const status = job.sampler?.train ?? EMPTY_STATUS;
  const plots = useMemo(() => trainCurvePlots(status), [status]);
  const metrics = trainMetricsRows(status);
  const parity = status.result?.paritySvg;
  const parityUrl = useMemo(() => (parity ? svgDataUrl(parity) : null), [parity]);
  return (
    <div className="trajectory-panel" data-testid="train-panel" data-state={job.state} data-epochs={status.curve.length}>
      <div className="trajectory-export">
        <strong title={job.label} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 }}>
          {job.label}
        </strong>
        <span className="muted mono" data-testid="train-status">
          {job.state === 'failed' ? `failed: ${job.message ?? ''}` : `${trainStatusText(status)}${job.state === 'cancelled' ? ' · cancelled' : ''}`}
        </span>
        <span className="spacer" />
        <button className="btn ghost" onClick={props.onClose} data-testid="train-panel-close" title="Hide the training panel (the job goes on)">
          Hide
        </button>
      </div>
      <div className="trajectory-plots">
        {plots.x.length > 0 ? (
          <>
            <SeriesPlot title="Training loss" x={plots.x} xLabel={plots.xLabel} series={plots.loss} leftLabel="loss" cursorIndex={null} theme={props.theme} height={140} testId="plot-train-loss" />
            <SeriesPlot
              title="Validation MAE"
              x={plots.x}
              xLabel={plots.xLabel}
              series={plots.validation}
              leftLabel={plots.validation[0]?.label ?? ''}
              {...(plots.validationRight ? { rightLabel: plots.validation[1]?.label ?? '' } : {})}
              cursorIndex={null}
              theme={props.theme}
              height={140}
              testId="plot-train-validation"
            />
          </>
        ) : (
          <div className="muted">{status.data ? `${status.data.train} training, ${status.data.validation} validation, ${status.data.test} test structures; the first epoch is running…` : 'Reading the data…'}</div>
        )}
        {parityUrl ? <img src={parityUrl} alt="Parity plot of the test split: predicted against reference" data-testid="train-parity" style={{ height: 150, width: 'auto', flex: 'none', background: '#fff', borderRadius: 4 }} /> : null}
      </div>
      {metrics.length > 0 ? (
        <div className="trajectory-export mono" data-testid="train-metrics" style={{ fontSize: 11, flexWrap: 'wrap' }}>
          {metrics.map(([label, value]) => (
            <span key={label} data-testid="train-metric" data-label={label}>
              <span className="muted">{label}</span> {value}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
});
