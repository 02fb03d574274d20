import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Settings } from '../../core/contract/equimol-api';
import type { HostMethod } from '../../main/compute-host/protocol';
import { EquimolSession } from '../../core/session/session';
import { ApiRouter, type ShellServices } from '../../main/shell/api-router';
import { readSettingsFile, saveSettings } from '../../main/shell/settings-store';

const disk = new Map([
  ['/home/chemist/drugs.sdf', new Uint8Array(readFileSync('assets/examples/drugs.sdf'))],
  ['/home/chemist/nacl.cif', new Uint8Array(readFileSync('assets/examples/nacl.cif'))],
]);
const shell: ShellServices = {
  showOpenDialog: async () => [],
  showSaveDialog: async () => undefined,
  fileSize: async (p) => disk.get(p)!.byteLength,
  readFile: async (p) => disk.get(p)!,
  writeFile: async () => undefined,
};

/** A session standing in for the compute host, saving every settings change to `file` as main.ts does. */
function desktop(file: string): { router: ApiRouter; session: EquimolSession } {
  const session = new EquimolSession({ platform: 'electron' });
  session.subscribe((event) => {
    if (event.type === 'settings-changed') saveSettings(file, event.settings);
  });
  const host = { call: <T>(method: HostMethod, args: readonly unknown[] = []) => (session[method] as (...a: unknown[]) => Promise<T>).apply(session, [...args]) };
  return { router: new ApiRouter(host, shell), session };
}

test('desktop: theme, layout and recent files (as paths) are written to settings.json and are back in the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-desktop-settings-'));
  const file = join(dir, 'settings.json');
  try {
    const first = desktop(file);
    await first.router.handle('equimol:openPaths', [['/home/chemist/drugs.sdf', '/home/chemist/nacl.cif']]);
    await first.router.handle('equimol:setSettings', [{ theme: 'dark', layout: { 'pane.left': '312', 'jobs.collapsed': true } }]);
    first.session.dispose();

    // The next start (main.ts start()): the stored file's valid fields go to the new host before the window opens.
    const stored = readSettingsFile(file);
    assert.deepEqual(stored.problems, []);
    const second = desktop(join(dir, 'unused.json'));
    await second.router.handle('equimol:setSettings', [stored.patch]);
    const restored = (await second.router.handle('equimol:getSettings', [])) as Settings;
    assert.equal(restored.theme, 'dark');
    assert.deepEqual(restored.layout, { 'pane.left': '312', 'jobs.collapsed': true });
    assert.deepEqual(restored.recentFiles, ['/home/chemist/nacl.cif', '/home/chemist/drugs.sdf'], 'full paths, the last opened first');
    second.session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
