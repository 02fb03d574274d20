/**
 * Main's side of session files and stored settings: openSession reads a session's paths as openPaths named by the
 * renderer would (structure file names only), opens embedded files in the host and applies the theme; a bad session
 * file is rejected before anything is read; a corrupt settings file is reported in getAppInfo's notices.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, type SessionOpenResult } from '../../core/contract/equimol-api';
import { encodeBase64 } from '../../core/io/base64';
import type { HostMethod } from '../../main/compute-host/protocol';
import { ApiRouter, type ShellServices } from '../../main/shell/api-router';
import { readSettingsFile } from '../../main/shell/settings-store';

const FORMATS = [{ id: 'xyz', name: 'XYZ', extensions: ['xyz'], writable: true }];
const WATER = new TextEncoder().encode('3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n');

class FakeHost {
  readonly calls: Array<[HostMethod, readonly unknown[]]> = [];
  async call<T>(method: HostMethod, args: readonly unknown[] = []): Promise<T> {
    this.calls.push([method, args]);
    if (method === 'getAppInfo') return { name: 'Equimol', formats: FORMATS } as T;
    if (method === 'setSettings') return { ...DEFAULT_SETTINGS, ...(args[0] as object) } as T;
    const files = args[0] as Array<{ name: string; path?: string }>;
    const doc = (f: { name: string; path?: string }, i: number) => ({ id: `doc-${this.calls.length}-${i}`, name: f.name, recordCount: 1, ...(f.path ? { path: f.path } : {}) });
    if (method === 'openLocalFiles' || method === 'openFiles') return { documents: files.map(doc), failures: [] } as T;
    throw new Error(`unexpected ${method}`);
  }
}

function services(read: string[]): ShellServices {
  const disk = new Map([['/data/water.xyz', WATER], ['/etc/passwd', new TextEncoder().encode('root')]]);
  return {
    showOpenDialog: async () => [],
    showSaveDialog: async () => undefined,
    fileSize: async (p) => disk.get(p)?.byteLength ?? Promise.reject(new Error('ENOENT: no such file')),
    readFile: async (p) => {
      read.push(p);
      return disk.get(p)!;
    },
    writeFile: async () => undefined,
  };
}

function sessionBytes(documents: object[], extra: object = {}): Uint8Array {
  const json = {
    format: 'equimol-session', version: 1, savedAt: '2026-12-02T10:00:00Z', app: { name: 'Equimol', version: '0.1.0', platform: 'electron' },
    theme: 'dark', viewerStyle: 'spacefill', showCell: true, showLabels: false, documents, activeDocument: 0, measurements: [], ...extra,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

const entry = (more: object) => ({ name: 'water.xyz', byteLength: WATER.byteLength, selectedRecord: 0, supercell: [1, 1, 1], ...more });

test('openSession reads paths from disk, embedded files in the host, and applies the theme; other paths are refused', async () => {
  const host = new FakeHost();
  const read: string[] = [];
  const router = new ApiRouter(host, services(read));
  const bytes = sessionBytes([
    entry({ path: '/data/water.xyz' }),
    entry({ name: 'copy.xyz', bytesBase64: encodeBase64(WATER) }),
    entry({ name: 'passwd', path: '/etc/passwd', byteLength: 4 }),
    entry({ name: 'gone.xyz', path: '/data/gone.xyz' }),
  ]);
  const result = (await router.handle('equimol:openSession', [{ name: 's.equimol-session.json', bytes }])) as SessionOpenResult;
  assert.deepEqual(result.documents.map((d) => [d.name, d.path]), [['water.xyz', '/data/water.xyz'], ['copy.xyz', undefined]]);
  assert.deepEqual(read, ['/data/water.xyz'], 'a path without a structure file name is never read');
  assert.deepEqual(result.failures.map((f) => f.file), ['/etc/passwd', '/data/gone.xyz']);
  assert.match(result.failures[0]!.message, /not a structure file name/);
  assert.match(result.failures[1]!.message, /ENOENT/);
  assert.equal(result.settings.theme, 'dark');
  assert.equal(result.activeDocId, result.documents[0]!.id);
  assert.deepEqual(host.calls.map(([m]) => m), ['getAppInfo', 'openLocalFiles', 'openFiles', 'setSettings']);
});

test('a bad session file is rejected in main with the field, before any file is read', async () => {
  const host = new FakeHost();
  const read: string[] = [];
  const router = new ApiRouter(host, services(read));
  // JSON.stringify writes Infinity as null; a file can still hold 1e999, which reads back as Infinity.
  const text = new TextDecoder().decode(sessionBytes([entry({ path: '/data/water.xyz', supercell: [1, 1, 7] })])).replace('[1,1,7]', '[1,1,1e999]');
  const bytes = new TextEncoder().encode(text);
  await assert.rejects(router.handle('equimol:openSession', [{ name: 's.json', bytes }]), /session file: documents\[0\]\.supercell\[2\] must be an integer, got Infinity/);
  await assert.rejects(router.handle('equimol:openSession', [{ name: 's.json', bytes: 'text' }]), /openSession: file\.bytes must be a Uint8Array/);
  assert.deepEqual(read, []);
  assert.deepEqual(host.calls, []);
});

test('saveSession is validated then served by the host', async () => {
  const host = new FakeHost();
  host.call = async <T>(method: HostMethod, args: readonly unknown[] = []) => {
    host.calls.push([method, args]);
    return { fileName: 'x.equimol-session.json' } as T;
  };
  const router = new ApiRouter(host, services([]));
  const view = { activeDocId: 'doc-1', documents: [{ docId: 'doc-1', selectedRecord: 2, supercell: [1, 2, 1] }] };
  await router.handle('equimol:saveSession', [view]);
  assert.deepEqual(host.calls, [['saveSession', [view]]]);
  await assert.rejects(router.handle('equimol:saveSession', [{ ...view, documents: [{ docId: 'doc-1', selectedRecord: 2, supercell: [1, 99, 1] }] }]), /view\.documents\[0\]\.supercell\[1\] must be in 1\.\.16/);
});

test('a corrupt settings file is reported field by field, and getAppInfo carries the notices', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-settings-'));
  try {
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ theme: 'dark', layout: { 'side.width': 'x'.repeat(65) }, maxConcurrentJobs: 99 }));
    const stored = readSettingsFile(file);
    assert.deepEqual(stored.patch, { theme: 'dark' });
    assert.equal(stored.problems.length, 2);
    assert.match(stored.problems.join('\n'), /stored settings\.layout\.side\.width is too long \(65 > 64 characters\) \(ignored\)/);
    assert.match(stored.problems.join('\n'), /maxConcurrentJobs must be in 1\.\.8/);
    writeFileSync(file, '{ not json');
    assert.match(readSettingsFile(file).problems[0]!, /is not valid JSON/);
    assert.deepEqual(readSettingsFile(join(dir, 'missing.json')), { patch: {}, problems: [] });

    const router = new ApiRouter(new FakeHost(), services([]), ['settings file: something was ignored']);
    const info = (await router.handle('equimol:getAppInfo', [])) as { notices?: string[] };
    assert.deepEqual(info.notices, ['settings file: something was ignored']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
