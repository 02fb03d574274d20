/**
 * A test-only contribution (never shipped: registry.test.ts adds it to its own build): a side panel showing what
 * the PanelContext hands it, a toolbar command bound to K, and the dialog that command opens.
 */
import { registerCommand, registerPanel, type PanelProps } from '../../renderer/app/panels/panel-registry';

function ProbePanel({ ctx }: PanelProps) {
  return (
    <div className="section" data-testid="registry-probe" data-doc={ctx.activeDocument?.name ?? ''} data-records={ctx.activeDocument?.recordCount ?? -1} data-selected={ctx.selectedIndex ?? 'none'} data-name={ctx.selectedSummary?.name ?? ''}>
      <div className="section-title">Registry probe</div>
      <button className="btn" onClick={() => ctx.selectRecord(1)} data-testid="registry-probe-select">
        Select record 2
      </button>
    </div>
  );
}
registerPanel({ id: 'test.registry-probe', title: 'Registry probe', location: 'side', when: (ctx) => ctx.activeDocument !== undefined, component: ProbePanel });

registerCommand({
  id: 'test.registry-probe.open',
  title: 'Probe',
  keybinding: 'K',
  toolbar: { area: 'viewer', group: 500, order: 70, label: 'Probe…', testId: 'probe-button' },
  enabled: (ctx) => ctx.selectedIndex !== null,
  run: (ctx) => ctx.openDialog('test.registry-probe.dialog'),
});

function ProbeDialog({ ctx }: PanelProps) {
  return (
    <div className="modal-backdrop" data-testid="probe-dialog">
      <div className="modal" role="dialog" aria-label="Probe">
        <span data-testid="probe-dialog-name">{ctx.selectedSummary?.name ?? ''}</span>
        <button className="btn" onClick={ctx.closeDialog} data-testid="probe-dialog-close">
          Close
        </button>
      </div>
    </div>
  );
}
registerPanel({ id: 'test.registry-probe.dialog', title: 'Probe', location: 'dialog', component: ProbeDialog });
