import { useCallback, useMemo } from 'react';
import type { Structure } from '../../core/structure';
import type { MeasureEvent, PickEvent, StructureViewer } from '../viewer/viewer-api';
import { useBuiltinJobs } from './builtin-jobs';
import { ViewerPane } from './components/viewer-pane';
import { useConformerEnsemble } from './hooks/use-conformer-ensemble';
import { useFixedAtoms } from './hooks/use-fixed-atoms';
import type { PanelContext } from './panels/panel-registry';
import { addMeasurement } from './state/actions';
import { supercellOf } from './state/app-state';

/** Force arrows: 1 Å per eV/Å. */
const FORCE_ARROWS = { scale: 1 } as const;
const NO_ATOMS: readonly number[] = [];
const NO_STRUCTURES: readonly Structure[] = [];

/** Debug handle for tests and scripts: the live viewer. */
interface EquimolDebug {
  viewer: StructureViewer | null;
}

declare global {
  interface Window {
    __equimolDebug?: EquimolDebug;
  }
}

/**
 * The 3D view of the store's state: the shown structure or frame, a conformer ensemble's other conformers
 * overlaid, a trajectory's fixed atoms, measurements and picks written back to the store.
 */
export function ViewerArea({ ctx }: { readonly ctx: PanelContext }) {
  const { state, activeDocument, selectedIndex } = ctx;
  const { setState } = ctx.store;
  const { sampler } = useBuiltinJobs();
  // Conformer ensembles: the conformers superposed on the lowest, the others overlaid on the selected one.
  const ensemble = useConformerEnsemble(ctx.api, activeDocument);
  const viewerStructure = ensemble && selectedIndex !== null ? (ensemble[selectedIndex] ?? state.structure) : state.structure;
  const overlayConformers = state.overlayConformers;
  const conformerOverlay = useMemo(() => (ensemble && overlayConformers ? ensemble.filter((_, i) => i !== selectedIndex) : NO_STRUCTURES), [ensemble, overlayConformers, selectedIndex]);
  const fixedAtoms = useFixedAtoms(ctx.api, activeDocument, activeDocument?.origin ? sampler.fixedAtomsOf(activeDocument.origin.jobId) : NO_ATOMS);

  const onPick = useCallback((event: PickEvent) => setState({ pickedAtom: event.atom }), [setState]);
  const onMeasure = useCallback((event: MeasureEvent) => setState((s) => ({ measurements: addMeasurement(s.measurements, event) })), [setState]);
  const onFrame = useCallback((frame: number) => setState({ frame }), [setState]);
  const onReady = useCallback(
    (viewer: StructureViewer | null) => {
      setState({ viewer });
      window.__equimolDebug = { viewer };
    },
    [setState],
  );
  const measurements = useMemo(() => state.measurements.map((m) => m.measurement), [state.measurements]);
  const pickedAtom = state.pickedAtom;
  const selection = useMemo(() => (pickedAtom === null ? [] : [pickedAtom]), [pickedAtom]);

  return (
    <ViewerPane
      structure={viewerStructure}
      overlay={conformerOverlay}
      frames={ctx.frames}
      frame={state.frame}
      forceArrows={state.showForces ? FORCE_ARROWS : null}
      colorScheme={ctx.coloring.colorScheme}
      dipoleArrow={ctx.coloring.dipoleArrow}
      fixedAtoms={fixedAtoms}
      playing={state.playing}
      style={state.style}
      showCell={state.showCell}
      polyhedra={state.polyhedra}
      supercell={supercellOf(state)}
      labels={state.labels}
      interaction={state.measuring ? state.measureMode : 'select'}
      measurements={measurements}
      selection={selection}
      theme={ctx.theme}
      onReady={onReady}
      onPick={onPick}
      onMeasure={onMeasure}
      onFrame={onFrame}
    />
  );
}
