/**
 * The plots panel as a contribution: a 'Plots' toggle in the viewer toolbar (view group) registers the panel
 * under the viewer, and unregisters it to close (the registry's change re-renders the slot and the button).
 */
import { useCallback } from 'react';
import { registerCommand, registerPanel, type PanelContext, type PanelProps } from '../../panels/panel-registry';
import { PlotsPanel } from './plots-panel';

export const PLOTS_PANEL_ID = 'equimol.plots.panel';
export const PLOTS_COMMAND_ID = 'equimol.plots.toggle';

let unregisterPanel: (() => void) | null = null;

function PlotsContribution({ ctx }: PanelProps) {
  const onClose = useCallback(() => togglePlots(), []);
  return <PlotsPanel api={ctx.api} doc={ctx.activeDocument!} selectedIndex={ctx.selectedIndex} onSelect={ctx.selectRecord} onClose={onClose} />;
}

/** Opens the plots panel, or closes it when open. */
export function togglePlots(): void {
  if (unregisterPanel) {
    unregisterPanel();
    unregisterPanel = null;
    return;
  }
  unregisterPanel = registerPanel({
    id: PLOTS_PANEL_ID,
    title: 'Plots',
    location: 'bottom',
    order: 60,
    when: (ctx: PanelContext) => ctx.activeDocument !== undefined,
    component: PlotsContribution,
  });
}

registerCommand({
  id: PLOTS_COMMAND_ID,
  title: 'Plots',
  toolbar: { area: 'viewer', group: 300, order: 70, label: 'Plots', testId: 'plots-button', tooltip: 'Histogram, scatter and parity plots of the table’s columns' },
  enabled: (ctx) => ctx.activeDocument !== undefined,
  active: () => unregisterPanel !== null,
  run: () => togglePlots(),
});
