/** The centre column's built-in panels: over the viewer (caption, colour bar, measure bar, empty state) and under it (frames, trajectory, training, conformers). */
import { useCallback } from 'react';
import { useBuiltinJobs } from '../../builtin-jobs';
import { ColorBar } from '../../components/color-bar';
import { ConformersPanel } from '../../components/conformers-panel';
import { PauseIcon, PlayIcon } from '../../components/icons';
import { MeasureBar } from '../../components/measure-bar';
import { TrainPanel } from '../../components/train-panel';
import { TrajectoryPanel } from '../../components/trajectory-panel';
import { isConformerEnsemble } from '../../conformer-ensemble';
import { isTrajectory } from '../../hooks/use-trajectory-frames';
import type { MeasureKind } from '../../../viewer/viewer-api';
import { plural } from '../../util/format';
import { registerPanel, type PanelProps } from '../panel-registry';
import { EmptyState } from './empty-state';

function ViewerCaption({ ctx }: PanelProps) {
  const summary = ctx.shownSummary!;
  return (
    <div className="viewer-caption" data-testid="viewer-caption">
      <strong>{summary.name || summary.formula}</strong>
      <div>
        {summary.formula} · {plural(summary.atoms, 'atom')}
        {ctx.structure?.cell ? ' · periodic' : ''}
      </div>
    </div>
  );
}
registerPanel({ id: 'equimol.viewer-caption', title: 'Structure caption', location: 'overlay', order: 10, when: (ctx) => ctx.shownStructure !== null && ctx.shownSummary !== undefined, component: ViewerCaption });
registerPanel({ id: 'equimol.color-bar', title: 'Colour bar', location: 'overlay', order: 20, when: (ctx) => ctx.coloring.legend !== null, component: ({ ctx }) => <ColorBar legend={ctx.coloring.legend!} /> });

function MeasureModes({ ctx }: PanelProps) {
  const { setState } = ctx.store;
  const onMode = useCallback((measureMode: MeasureKind) => setState({ measureMode }), [setState]);
  const onStop = useCallback(() => setState({ measuring: false }), [setState]);
  return <MeasureBar mode={ctx.state.measureMode} onMode={onMode} onStop={onStop} />;
}
registerPanel({ id: 'equimol.measure-bar', title: 'Measure modes', location: 'overlay', order: 30, when: (ctx) => ctx.state.measuring, component: MeasureModes });
registerPanel({ id: 'equimol.empty-state', title: 'Open files', location: 'overlay', order: 40, when: (ctx) => ctx.documents.length === 0, component: ({ ctx }) => <EmptyState onOpen={ctx.services.openDialog} /> });

function FrameBar({ ctx }: PanelProps) {
  const { playing } = ctx.state;
  const play = () => ctx.services.togglePlay(ctx.frames.length);
  return (
    <div className="traj-bar">
      <button className="btn ghost icon" onClick={play} data-testid="frame-play" title={playing ? 'Pause' : 'Play'}>
        {playing ? <PauseIcon /> : <PlayIcon />}
      </button>
      <input type="range" min={0} max={ctx.frames.length - 1} value={ctx.frameIndex} onChange={(e) => ctx.store.setState({ frame: Number(e.target.value) })} aria-label="Frame" data-testid="frame-slider" />
      <span className="mono muted" data-testid="frame-label">
        {ctx.frameIndex + 1}/{ctx.frames.length}
      </span>
    </div>
  );
}
registerPanel({ id: 'equimol.frame-bar', title: 'Frames', location: 'bottom', order: 10, when: (ctx) => ctx.frames.length > 0, component: FrameBar });

registerPanel({
  id: 'equimol.trajectory',
  title: 'Trajectory',
  location: 'bottom',
  order: 20,
  when: (ctx) => isTrajectory(ctx.activeDocument),
  component: ({ ctx }) => <TrajectoryPanel api={ctx.api} doc={ctx.activeDocument!} frame={ctx.frameIndex} onSeek={ctx.seekFrame} theme={ctx.theme} onExport={ctx.exportStructures} />,
});

function TrainingPanel({ ctx }: PanelProps) {
  const { train } = useBuiltinJobs();
  return train.shown ? <TrainPanel job={train.shown} theme={ctx.theme} onClose={train.closePanel} /> : null;
}
registerPanel({ id: 'equimol.train-panel', title: 'Training', location: 'bottom', order: 30, component: TrainingPanel });

function EnsemblePanel({ ctx }: PanelProps) {
  const { setState } = ctx.store;
  const onOverlay = useCallback((overlayConformers: boolean) => setState({ overlayConformers }), [setState]);
  return <ConformersPanel api={ctx.api} doc={ctx.activeDocument!} selectedIndex={ctx.selectedIndex} onSelect={ctx.selectRecord} overlay={ctx.state.overlayConformers} onOverlay={onOverlay} theme={ctx.theme} onExport={ctx.exportStructures} />;
}
registerPanel({ id: 'equimol.conformers-panel', title: 'Conformers', location: 'bottom', order: 40, when: (ctx) => isConformerEnsemble(ctx.activeDocument), component: EnsemblePanel });
