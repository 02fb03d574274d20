import { useCallback, useEffect, useMemo } from 'react';
import type { EquimolApi } from '../../../core/contract/equimol-api';
import { useBuiltinJobHooks, type BuiltinJobs } from '../builtin-jobs';
import { useAtomColoring } from '../hooks/use-atom-coloring';
import { useJobErrorRows, type RowError } from '../hooks/use-job-error-rows';
import { useStructurePages, type StructurePages } from '../hooks/use-structure-pages';
import { useTrajectoryFrames } from '../hooks/use-trajectory-frames';
import { activeDocumentOf, selectedIndexOf, type AppStore } from '../state/app-state';
import type { AppServices } from '../state/app-services';
import { useSelectionEffects } from '../state/use-selection-effects';
import { useStoreState } from '../state/use-store';
import { frameSummary } from '../util/frame-summary';
import type { PanelContext } from './panel-registry';

export interface Workbench {
  readonly ctx: PanelContext;
  /** The structure list's pages (sorted, filtered) of the active document. */
  readonly pages: StructurePages;
  readonly builtin: BuiltinJobs;
  /** Why batch jobs could not predict structures, by rowErrorKey. */
  readonly rowErrors: ReadonlyMap<string, RowError>;
}

/**
 * The app's state as one PanelContext for every panel and command (rebuilt each render of the app, as the
 * state it reads changes), with what the hooks derive from the store: the list's pages, the trajectory frames on
 * screen, atom colouring, and the built-in job hooks.
 */
export function useWorkbench(api: EquimolApi, store: AppStore, services: AppServices): Workbench {
  const state = useStoreState(store);
  const activeDocument = activeDocumentOf(state);
  const selectedIndex = selectedIndexOf(state);
  const pages = useStructurePages(api, { docId: state.activeDocId, sortBy: state.sort.key, descending: state.sort.descending, filterText: state.filterText, version: state.docVersion });
  const selectedSummary = state.selectedRow >= 0 ? pages.row(state.selectedRow) : undefined;
  // Trajectory documents (relax / MD jobs) play their frames; the side panel shows the frame the viewer shows.
  const onTrajectoryFrame = useCallback((update: (frame: number) => number) => store.setState((s) => ({ frame: update(s.frame) })), [store]);
  const trajectoryFrames = useTrajectoryFrames(api, activeDocument, onTrajectoryFrame);
  const frames = trajectoryFrames.length > 0 ? trajectoryFrames : state.frames;
  const frameIndex = Math.min(state.frame, frames.length - 1);
  const frameStructure = frames.length > 0 ? (frames[frameIndex] ?? null) : null;
  const shownStructure = frameStructure ?? state.structure;
  const shownSummary = frameStructure ? frameSummary(frameStructure, frameIndex) : selectedSummary;
  const coloring = useAtomColoring(shownStructure, shownSummary, activeDocument?.columns);

  useSelectionEffects(api, store, services, { activeDocId: state.activeDocId, activeDoc: activeDocument, selectedIndex, summary: selectedSummary });
  const builtin = useBuiltinJobHooks(api, state.jobs, state.documents, services);
  useEffect(() => services.followOutputs(), [services, state.jobs, state.documents]);
  const rowErrors = useJobErrorRows(api, state.jobs);

  const dialogs = useMemo(
    () => ({ openDialog: (id: string) => store.setState({ dialog: id }), closeDialog: () => store.setState({ dialog: null }) }),
    [store],
  );
  const ctx: PanelContext = {
    api,
    state,
    store,
    services,
    platform: state.platform,
    theme: state.theme,
    documents: state.documents,
    activeDocument,
    selectedIndex,
    selectedSummary,
    structure: state.structure,
    shownStructure,
    shownSummary,
    frames,
    frameIndex,
    coloring,
    jobs: state.jobs,
    viewer: state.viewer,
    dialog: state.dialog,
    selectRecord: services.selectRecord,
    showDocument: services.showDocument,
    addDocuments: services.addDocuments,
    notify: services.notify,
    save: services.save,
    exportStructures: services.exportStructures,
    seekFrame: services.seekFrame,
    onJobStarted: services.onJobStarted,
    startJob: services.startJob,
    showJobOutput: builtin.sampler.showOutput,
    ...dialogs,
  };
  return { ctx, pages, builtin, rowErrors };
}
