import { getCommands, getPanels, isShown, type CommandContribution, type PanelContext, type PanelContribution, type ToolbarArea } from './panel-registry';

export type ToolbarItem =
  | { readonly kind: 'command'; readonly id: string; readonly group: number; readonly command: CommandContribution }
  | { readonly kind: 'panel'; readonly id: string; readonly group: number; readonly panel: PanelContribution };

/**
 * What a toolbar area shows now, in order: commands placed there (and shown) and, in the viewer toolbar, the
 * 'toolbar' panels (widgets), sorted by group, then order, then registration.
 */
export function toolbarItems(area: ToolbarArea, ctx: PanelContext): readonly ToolbarItem[] {
  const entries: { item: ToolbarItem; order: number }[] = [];
  for (const command of getCommands()) {
    const placement = command.toolbar;
    if (!placement || placement.area !== area || !isShown(command, ctx)) continue;
    if (placement.when && !isShown({ id: command.id, when: placement.when }, ctx)) continue;
    entries.push({ item: { kind: 'command', id: command.id, group: placement.group, command }, order: placement.order ?? 100 });
  }
  if (area === 'viewer') {
    for (const panel of getPanels('toolbar')) {
      if (isShown(panel, ctx)) entries.push({ item: { kind: 'panel', id: panel.id, group: panel.group ?? 1000, panel }, order: panel.order ?? 100 });
    }
  }
  return entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => a.item.group - b.item.group || a.order - b.order || a.i - b.i)
    .map((e) => e.item);
}
