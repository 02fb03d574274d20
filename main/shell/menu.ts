/**
 * The native menu as plain data (Electron's MenuItemConstructorOptions shape, without importing Electron):
 * File (Open, Open Recent, Export, Open/Save Session, Close), View (styles, cell, labels, theme), Help. Clicks call actions;
 * main/electron turns the template into a Menu.
 */
import { basename } from 'node:path';
import type { MenuCommand, Settings, Theme, ViewerStyle } from '../../core/contract/equimol-api';

export interface MenuItemSpec {
  readonly label?: string;
  readonly role?: string;
  readonly type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  readonly accelerator?: string;
  readonly checked?: boolean;
  readonly enabled?: boolean;
  readonly submenu?: readonly MenuItemSpec[];
  readonly click?: () => void;
}

export interface MenuActions {
  /** A command the renderer carries out (open dialog, export, view toggles). */
  command(command: MenuCommand): void;
  openRecent(path: string): void;
  clearRecent(): void;
  setTheme(theme: Theme): void;
  openDocumentation(): void;
}

const STYLES: ReadonlyArray<[ViewerStyle, string]> = [
  ['ball-and-stick', 'Ball and Stick'],
  ['sticks', 'Sticks'],
  ['spacefill', 'Space Filling'],
  ['wireframe', 'Wireframe'],
];

const THEMES: ReadonlyArray<[Theme, string]> = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

export function buildMenuTemplate(platform: string, settings: Settings, actions: MenuActions): MenuItemSpec[] {
  const mac = platform === 'darwin';
  const separator: MenuItemSpec = { type: 'separator' };
  const recent: MenuItemSpec[] =
    settings.recentFiles.length === 0
      ? [{ label: 'No Recent Files', enabled: false }]
      : [
          ...settings.recentFiles.map((path): MenuItemSpec => ({ label: basename(path), click: () => actions.openRecent(path) })),
          separator,
          { label: 'Clear Recent', click: () => actions.clearRecent() },
        ];
  const file: MenuItemSpec = {
    label: 'File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.command({ id: 'open' }) },
      { label: 'Open Recent', submenu: recent },
      separator,
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.command({ id: 'export' }) },
      separator,
      { label: 'Open Session…', click: () => actions.command({ id: 'open-session' }) },
      { label: 'Save Session…', accelerator: 'CmdOrCtrl+S', click: () => actions.command({ id: 'save-session' }) },
      separator,
      { label: 'Close Document', accelerator: 'CmdOrCtrl+W', click: () => actions.command({ id: 'close-document' }) },
      ...(mac ? [] : [separator, { role: 'quit' }]),
    ],
  };
  const view: MenuItemSpec = {
    label: 'View',
    submenu: [
      ...STYLES.map(
        ([style, label]): MenuItemSpec => ({
          label,
          type: 'radio',
          checked: settings.viewerStyle === style,
          click: () => actions.command({ id: 'set-viewer-style', style }),
        }),
      ),
      separator,
      { label: 'Show Unit Cell', type: 'checkbox', checked: settings.showCell, click: () => actions.command({ id: 'toggle-cell' }) },
      { label: 'Show Atom Labels', type: 'checkbox', checked: settings.showLabels, click: () => actions.command({ id: 'toggle-labels' }) },
      { label: 'Reset View', accelerator: 'CmdOrCtrl+0', click: () => actions.command({ id: 'reset-view' }) },
      separator,
      {
        label: 'Theme',
        submenu: THEMES.map(([theme, label]): MenuItemSpec => ({ label, type: 'radio', checked: settings.theme === theme, click: () => actions.setTheme(theme) })),
      },
      separator,
      { role: 'togglefullscreen' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
    ],
  };
  const help: MenuItemSpec = {
    role: 'help',
    label: 'Help',
    submenu: [
      { label: 'Documentation', click: () => actions.openDocumentation() },
      ...(mac ? [] : [{ label: 'About Equimol', click: () => actions.command({ id: 'about' }) }]),
    ],
  };
  const appMenu: MenuItemSpec = {
    label: 'Equimol',
    submenu: [
      { label: 'About Equimol', click: () => actions.command({ id: 'about' }) },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };
  const edit: MenuItemSpec = { role: 'editMenu' };
  const window: MenuItemSpec = { role: 'windowMenu' };
  return mac ? [appMenu, file, edit, view, window, help] : [file, edit, view, help];
}
