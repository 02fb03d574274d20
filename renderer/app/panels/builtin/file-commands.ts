/** The titlebar's commands (open, export, theme, help) and the document / escape keys. */
import { ExportIcon, HelpIcon, MoonIcon, OpenIcon, SunIcon } from '../../components/icons';
import { registerCommand } from '../panel-registry';

registerCommand({
  id: 'equimol.open',
  title: 'Open files',
  keybinding: 'Mod+O',
  menu: 'open',
  toolbar: { area: 'titlebar', group: 100, order: 10, label: 'Open…', icon: OpenIcon, tooltip: 'Open files (Ctrl+O)', testId: 'open-button' },
  run: (ctx) => ctx.services.openDialog(),
});
registerCommand({
  id: 'equimol.export',
  title: 'Export',
  keybinding: 'Mod+E',
  menu: 'export',
  toolbar: { area: 'titlebar', group: 100, order: 20, label: 'Export', icon: ExportIcon, tooltip: 'Export (Ctrl+E)', enabled: (ctx) => ctx.documents.length > 0 },
  // The button needs a file; Ctrl+E with none says there is nothing to export.
  run: (ctx) => ctx.services.exportCurrent(),
});
registerCommand({
  id: 'equimol.toggle-theme',
  title: 'Toggle the light / dark theme',
  toolbar: {
    area: 'titlebar-end',
    group: 100,
    order: 10,
    variant: 'ghost-icon',
    iconOf: (ctx) => (ctx.theme === 'dark' ? SunIcon : MoonIcon),
    tooltip: (ctx) => (ctx.theme === 'dark' ? 'Light theme' : 'Dark theme'),
    testId: 'theme-toggle',
  },
  run: (ctx) => ctx.services.toggleTheme(),
});
registerCommand({
  id: 'equimol.help',
  title: 'Keyboard shortcuts',
  keybinding: '?',
  menu: 'about',
  toolbar: { area: 'titlebar-end', group: 100, order: 20, variant: 'ghost-icon', icon: HelpIcon, tooltip: 'Keyboard shortcuts (?)' },
  run: (ctx) => ctx.store.setState((s) => ({ helpOpen: !s.helpOpen })),
});
registerCommand({
  id: 'equimol.close-document',
  title: 'Close the file',
  keybinding: 'Delete',
  menu: 'close-document',
  enabled: (ctx) => ctx.state.activeDocId !== null,
  run: (ctx) => {
    const docId = ctx.store.getState().activeDocId;
    if (docId) ctx.services.closeDocument(docId);
  },
});
registerCommand({
  id: 'equimol.escape',
  title: 'Close the shortcuts, stop measuring',
  keybinding: 'Escape',
  run: (ctx) => ctx.store.setState({ helpOpen: false, measuring: false }),
});
