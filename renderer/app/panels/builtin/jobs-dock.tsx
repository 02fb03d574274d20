/** The jobs panel (predictor picker, Start, one row per job) in the dock above the status bar. */
import { useCallback } from 'react';
import { JobsPanel } from '../../components/jobs-panel';
import { totalStructuresOf } from '../../state/app-state';
import { registerPanel, type PanelProps } from '../panel-registry';

function JobsDock({ ctx }: PanelProps) {
  const { state, services } = ctx;
  const { setState } = ctx.store;
  const onPredictorId = useCallback((predictorId: string) => setState({ predictorId }), [setState]);
  const onToggleCollapsed = useCallback(() => setState((s) => ({ jobsCollapsed: !s.jobsCollapsed })), [setState]);
  return (
    <JobsPanel
      predictors={state.predictors}
      predictorId={state.predictorId}
      onPredictorId={onPredictorId}
      documentCount={state.documents.length}
      structureCount={totalStructuresOf(state)}
      jobs={state.jobs}
      collapsed={state.jobsCollapsed}
      onToggleCollapsed={onToggleCollapsed}
      onStart={services.startPredict}
      onCancel={services.cancelJob}
      onExport={services.exportJob}
      onShowOutput={ctx.showJobOutput}
    />
  );
}
registerPanel({ id: 'equimol.jobs', title: 'Jobs', location: 'dock', order: 10, component: JobsDock });
