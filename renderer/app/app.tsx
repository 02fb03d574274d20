import { useCallback, useEffect, useMemo } from 'react';
import type { EquimolApi } from '../../core/contract/equimol-api';
import { BuiltinJobsContext } from './builtin-jobs';
import { useCommandKeys } from './commands/use-command-keys';
import { DropOverlay, HelpDialog, Toasts } from './components/overlays';
import { PaneSplitter, usePaneLayout } from './components/pane-splitter';
import { SidePanel } from './components/side-panel';
import { StructureList } from './components/structure-list';
import { rowErrorKey } from './hooks/use-job-error-rows';
import './panels/contributions';
import { PanelSlot } from './panels/panel-slot';
import { visiblePanels } from './panels/panel-registry';
import { Toolbar } from './panels/toolbar';
import { useWorkbench } from './panels/use-panel-context';
import { filterBy, sortBy } from './state/actions';
import { createAppStore } from './state/app-state';
import { createAppServices } from './state/app-services';
import { resolvedTheme, useSessionEvents } from './state/use-session-events';
import { StatusBar, Titlebar } from './titlebar';
import { useFileDrop } from './use-file-drop';
import { ViewerArea } from './viewer-area';

export interface AppProps {
  readonly api: EquimolApi;
}

/**
 * The app's frame: the state is one store (renderer/app/state), the panels and commands are registered
 * contributions (renderer/app/panels/contributions.ts) placed in the slots of this layout.
 */
export function App({ api }: AppProps) {
  const store = useMemo(() => createAppStore({ theme: resolvedTheme('system') }), []);
  const services = useMemo(() => createAppServices(api, store), [api, store]);
  useSessionEvents(api, store, services);
  const { ctx, pages, builtin, rowErrors } = useWorkbench(api, store, services);
  const { state } = ctx;
  const { setState } = store;
  useCommandKeys(ctx);
  const panes = usePaneLayout(api);
  useFileDrop(store, services.openFileList);
  useEffect(() => {
    document.documentElement.dataset['theme'] = state.theme;
  }, [state.theme]);

  const onSelectRow = useCallback((selectedRow: number) => setState({ selectedRow }), [setState]);
  const onSort = useCallback((key: string) => setState((s) => sortBy(s, key)), [setState]);
  const onFilterText = useCallback((text: string) => setState(filterBy(text)), [setState]);
  const onRemoveMeasurement = useCallback((i: number) => setState((s) => ({ measurements: s.measurements.filter((_, k) => k !== i) })), [setState]);
  const onClearMeasurements = useCallback(() => setState({ measurements: [] }), [setState]);
  const closeHelp = useCallback(() => setState({ helpOpen: false }), [setState]);
  const selectedIndex = ctx.selectedIndex;
  const rowError = state.activeDocId !== null && selectedIndex !== null ? rowErrors.get(rowErrorKey(state.activeDocId, selectedIndex)) : undefined;
  const sidePanels = visiblePanels('side', ctx).length > 0;

  return (
    <BuiltinJobsContext.Provider value={builtin}>
      <div className="app" data-testid="app">
        <Titlebar ctx={ctx} />

        <div className="workspace" ref={panes.workspaceRef} style={panes.style}>
          <StructureList
            documents={state.documents}
            activeDocId={state.activeDocId}
            onActivate={services.showDocument}
            onClose={services.closeDocument}
            pages={pages}
            selectedRow={state.selectedRow}
            onSelectRow={onSelectRow}
            sort={state.sort}
            onSort={onSort}
            filterText={state.filterText}
            onFilterText={onFilterText}
            rowErrors={rowErrors}
          />

          <main className="center" ref={panes.centerRef}>
            <PaneSplitter pane="left" layout={panes} />
            <PaneSplitter pane="right" layout={panes} />
            <div className="viewer-toolbar">
              <Toolbar area="viewer" ctx={ctx} separators />
            </div>
            <div style={{ position: 'relative', flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
              <ViewerArea ctx={ctx} />
              <PanelSlot location="overlay" ctx={ctx} />
            </div>
            <PaneSplitter pane="bottom" layout={panes} />
            <div className="bottom-panels" ref={panes.bottomRef} data-testid="bottom-panels">
              <PanelSlot location="bottom" ctx={ctx} />
            </div>
          </main>

          <SidePanel
            summary={ctx.shownSummary}
            structure={ctx.shownStructure}
            depiction={state.depiction}
            pickedAtom={state.pickedAtom}
            measurements={state.measurements}
            onRemoveMeasurement={onRemoveMeasurement}
            onClearMeasurements={onClearMeasurements}
            rowError={rowError}
            columns={ctx.activeDocument?.columns}
          >
            {sidePanels ? <PanelSlot location="side" ctx={ctx} /> : undefined}
          </SidePanel>
          <Toasts toasts={state.toasts} onDismiss={services.dismissToast} />
        </div>

        <div className="dock" data-testid="dock">
          <PanelSlot location="dock" ctx={ctx} />
        </div>
        <StatusBar ctx={ctx} />

        {state.dragging ? <DropOverlay /> : null}
        {state.helpOpen ? <HelpDialog onClose={closeHelp} /> : null}
        <PanelSlot location="dialog" ctx={ctx} />
        <PanelSlot location="service" ctx={ctx} />
      </div>
    </BuiltinJobsContext.Provider>
  );
}
