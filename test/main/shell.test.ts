import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, type MenuCommand, type Theme } from '../../core/contract/equimol-api';
import { filePathsFromArgv, PendingOpens } from '../../main/shell/launch-files';
import { buildMenuTemplate, type MenuItemSpec } from '../../main/shell/menu';
import { loadSettings, sanitizeSettings, saveSettings } from '../../main/shell/settings-store';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, parseWindowState, saveWindowState } from '../../main/shell/window-state';

test('window state round-trips through its JSON file and a corrupt file falls back to defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-ws-'));
  try {
    const file = join(dir, 'nested', 'window-state.json');
    assert.deepEqual(loadWindowState(file), DEFAULT_WINDOW_STATE);
    const state = { bounds: { x: 40, y: 60, width: 1400, height: 900 }, maximized: true };
    saveWindowState(file, state);
    assert.deepEqual(loadWindowState(file), state);
    writeFileSync(file, '{"bounds": {"width": "wide"');
    assert.deepEqual(loadWindowState(file), DEFAULT_WINDOW_STATE);
    assert.equal(parseWindowState({ bounds: { width: 100, height: 100 }, maximized: false }), undefined); // below minimum
    assert.equal(parseWindowState({ bounds: { width: 1000, height: 800 }, maximized: 'yes' }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restored bounds stay where they were on a visible display and move back when the display is gone', () => {
  const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  const onScreen = { x: 100, y: 100, width: 1200, height: 800 };
  assert.deepEqual(fitToDisplays(onScreen, displays), onScreen);
  const offScreen = { x: 3000, y: 200, width: 1200, height: 800 }; // was on a second monitor
  assert.deepEqual(fitToDisplays(offScreen, displays), { x: 360, y: 140, width: 1200, height: 800 });
  const huge = { x: -5000, y: 0, width: 4000, height: 3000 };
  assert.deepEqual(fitToDisplays(huge, displays), { x: 0, y: 0, width: 1920, height: 1080 });
});

test('settings files keep valid fields only', () => {
  assert.deepEqual(sanitizeSettings({ theme: 'dark', showCell: 'yes', recentFiles: ['/a.sdf'], injected: 1, maxConcurrentJobs: 99 }), {
    theme: 'dark',
    recentFiles: ['/a.sdf'],
  });
  assert.deepEqual(sanitizeSettings('nonsense'), {});
  const dir = mkdtempSync(join(tmpdir(), 'equimol-settings-'));
  try {
    const file = join(dir, 'settings.json');
    saveSettings(file, { ...DEFAULT_SETTINGS, theme: 'light' });
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).theme, 'light');
    assert.equal(loadSettings(file).theme, 'light');
    assert.deepEqual(loadSettings(join(dir, 'missing.json')), {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file arguments skip the executable, the app path and switches, resolve relative paths and keep only files', () => {
  const files = new Set(['/home/u/mol.sdf', '/home/u/data/b.xyz']);
  const isFile = (p: string) => files.has(p);
  assert.deepEqual(filePathsFromArgv(['/opt/Equimol/equimol', '--no-sandbox', 'mol.sdf', 'data/b.xyz', 'missing.pdb', '-psn_0_123'], '/home/u', true, isFile), [
    '/home/u/mol.sdf',
    '/home/u/data/b.xyz',
  ]);
  // Unpackaged: `electron . file` — argv[1] is the app path.
  assert.deepEqual(filePathsFromArgv(['/usr/bin/electron', '/home/u', '/home/u/mol.sdf'], '/tmp', false, isFile), ['/home/u/mol.sdf']);
});

test('files asked for before the window is ready are queued and delivered once, in order', () => {
  const pending = new PendingOpens();
  const delivered: string[][] = [];
  pending.add(['/a.sdf']);
  pending.add(['/b.xyz', '/a.sdf']);
  pending.ready((paths) => delivered.push(paths));
  pending.add(['/c.pdb']);
  assert.deepEqual(delivered, [['/a.sdf', '/b.xyz'], ['/c.pdb']]);
});

function find(items: readonly MenuItemSpec[], label: string): MenuItemSpec {
  for (const item of items) {
    if (item.label === label) return item;
    const inner = item.submenu ? findOrUndefined(item.submenu, label) : undefined;
    if (inner) return inner;
  }
  throw new Error(`no menu item '${label}'`);
}
function findOrUndefined(items: readonly MenuItemSpec[], label: string): MenuItemSpec | undefined {
  try {
    return find(items, label);
  } catch {
    return undefined;
  }
}

test('the menu has File (Open, Open Recent, Export, Close), View (styles, cell, labels, theme) and Help, wired to actions', () => {
  const commands: MenuCommand[] = [];
  const recentOpened: string[] = [];
  const themes: Theme[] = [];
  let docs = 0;
  const actions = {
    command: (c: MenuCommand) => commands.push(c),
    openRecent: (p: string) => recentOpened.push(p),
    clearRecent: () => {},
    setTheme: (t: Theme) => themes.push(t),
    openDocumentation: () => docs++,
  };
  const settings = { ...DEFAULT_SETTINGS, recentFiles: ['/data/aspirin.sdf', '/data/qm9.extxyz.gz'], viewerStyle: 'spacefill' as const, showCell: false };
  const template = buildMenuTemplate('linux', settings, actions);
  assert.deepEqual(template.map((m) => m.label ?? m.role), ['File', 'editMenu', 'View', 'Help']);
  find(template, 'Open…').click!();
  find(template, 'Export…').click!();
  find(template, 'Close Document').click!();
  find(template, 'Sticks').click!();
  find(template, 'Show Unit Cell').click!();
  find(template, 'Show Atom Labels').click!();
  find(template, 'qm9.extxyz.gz').click!();
  find(template, 'Dark').click!();
  find(template, 'Documentation').click!();
  assert.deepEqual(commands, [
    { id: 'open' },
    { id: 'export' },
    { id: 'close-document' },
    { id: 'set-viewer-style', style: 'sticks' },
    { id: 'toggle-cell' },
    { id: 'toggle-labels' },
  ]);
  assert.deepEqual(recentOpened, ['/data/qm9.extxyz.gz']);
  assert.deepEqual(themes, ['dark']);
  assert.equal(docs, 1);
  assert.equal(find(template, 'Space Filling').checked, true);
  assert.equal(find(template, 'Ball and Stick').checked, false);
  assert.equal(find(template, 'Show Unit Cell').checked, false);
  assert.equal(find(template, 'Open…').accelerator, 'CmdOrCtrl+O');
  const mac = buildMenuTemplate('darwin', { ...DEFAULT_SETTINGS }, actions);
  assert.equal(mac[0]!.label, 'Equimol');
  assert.equal(find(mac, 'No Recent Files').enabled, false);
});
