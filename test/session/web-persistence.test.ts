/**
 * Web mode's persistence in Node: the worker's persistent API (renderer/web/worker/persistent-api.ts) over a Map
 * standing in for IndexedDB. A "reload" is a new session over the same store: settings and the files that were
 * open come back; closed files stay recent and reopen by name; corrupt records are reported and ignored; the
 * eviction rule of core/session/recent-files.ts bounds what is kept.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { FileInput, Settings } from '../../core/contract/equimol-api';
import { checkStoredFile, planStore, type StoredFile } from '../../core/session/recent-files';
import { EquimolSession } from '../../core/session/session';
import type { PersistentStore } from '../../renderer/web/worker/browser-store';
import { createPersistentApi } from '../../renderer/web/worker/persistent-api';
import { REPO_ROOT } from '../helpers/browser';

const file = (path: string): FileInput => ({ name: path.split('/').pop()!, bytes: new Uint8Array(readFileSync(resolve(REPO_ROOT, path))) });
const DRUGS = file('assets/examples/drugs.sdf');
const NACL = file('assets/examples/nacl.cif');
const RUTILE = file('assets/examples/rutile.cif');

/** IndexedDB's two stores as Maps; records are kept as given (structured clone is not needed in one thread). */
class MemoryStore implements PersistentStore {
  settings: unknown = undefined;
  readonly files = new Map<string, unknown>();
  writes = 0;
  async readSettings() {
    return this.settings;
  }
  async writeSettings(settings: Settings) {
    this.settings = settings;
    this.writes++;
  }
  async readFiles() {
    return [...this.files.values()];
  }
  async writeFile(f: StoredFile) {
    this.files.set(f.name, f);
    this.writes++;
  }
  async deleteFiles(names: readonly string[]) {
    for (const n of names) this.files.delete(n);
  }
}

let clock = 1000;
function start(store: MemoryStore | Promise<never>) {
  const warnings: string[] = [];
  const api = createPersistentApi(new EquimolSession({ platform: 'web' }), Promise.resolve(store), { now: () => clock++, warn: (m) => warnings.push(m) });
  return { api, warnings };
}

/** Lets queued store writes finish (they run one after another on the microtask queue). */
const settle = () => new Promise((r) => setTimeout(r, 20));

test('after a reload the theme, the layout and both open files are back, in the order they were opened', async () => {
  const store = new MemoryStore();
  const first = start(store).api;
  await first.setSettings({ theme: 'dark', layout: { 'side.width': 320, 'jobs.collapsed': true } });
  await first.openFiles([DRUGS]);
  await first.openFiles([NACL]);
  assert.deepEqual((await first.getSettings()).recentFiles, ['nacl.cif', 'drugs.sdf']);
  await settle();

  const { api, warnings } = start(store);
  const settings = await api.getSettings();
  assert.equal(settings.theme, 'dark');
  assert.deepEqual(settings.layout, { 'side.width': 320, 'jobs.collapsed': true });
  assert.deepEqual((await api.listDocuments()).map((d) => [d.name, d.recordCount]), [['drugs.sdf', 20], ['nacl.cif', 1]]);
  assert.deepEqual(settings.recentFiles, ['nacl.cif', 'drugs.sdf']);
  assert.equal((await api.getAppInfo()).notices, undefined, 'nothing to report');
  assert.deepEqual(warnings, []);
});

test('a closed file is not reopened on reload but stays recent, and openPaths reopens it by name', async () => {
  const store = new MemoryStore();
  const first = start(store).api;
  const opened = await first.openFiles([DRUGS, NACL]);
  await first.closeDocument(opened.documents[0]!.id);
  await settle();

  const { api } = start(store);
  assert.deepEqual((await api.listDocuments()).map((d) => d.name), ['nacl.cif']);
  assert.deepEqual(new Set((await api.getSettings()).recentFiles), new Set(['drugs.sdf', 'nacl.cif']));
  const again = await api.openPaths(['drugs.sdf', 'never-seen.xyz']);
  assert.deepEqual(again.documents.map((d) => d.name), ['drugs.sdf']);
  assert.equal(again.failures.length, 1);
  assert.match(again.failures[0]!.message, /never-seen\.xyz: this browser does not keep a file of that name/);
  assert.equal((await api.getSettings()).recentFiles[0], 'drugs.sdf', 'reopening makes it the most recent');
});

test('corrupt stored settings and files are reported in the app notices and ignored; the valid rest is used', async () => {
  const store = new MemoryStore();
  store.settings = { theme: 'purple', viewerStyle: 'spacefill', layout: { 'bad key!': 1 }, injected: 1 };
  store.files.set('broken.xyz', { name: 'broken.xyz', bytes: 'not bytes', openedAt: 1, open: true });
  store.files.set('nan.xyz', { name: 'nan.xyz', bytes: new Uint8Array(3), openedAt: Number.NaN, open: true });
  store.files.set('nacl.cif', { name: 'nacl.cif', bytes: NACL.bytes, openedAt: 5, open: true });
  store.files.set('garbage.weird', { name: 'garbage.weird', bytes: new TextEncoder().encode('this is not a chemistry file\nat all\n'), openedAt: 6, open: true });
  const { api } = start(store);
  const settings = await api.getSettings();
  assert.equal(settings.theme, 'system', 'the bad theme is dropped');
  assert.equal(settings.viewerStyle, 'spacefill', 'the good field is kept');
  assert.deepEqual(settings.layout, {});
  assert.deepEqual((await api.listDocuments()).map((d) => d.name), ['nacl.cif']);
  const notices = (await api.getAppInfo()).notices ?? [];
  const text = notices.join('\n');
  assert.match(text, /stored settings\.theme must be one of/);
  assert.match(text, /stored settings has unknown field 'injected'/);
  assert.match(text, /stored settings\.layout has a bad key 'bad key!'/);
  assert.match(text, /'broken\.xyz' has no bytes/);
  assert.match(text, /'nan\.xyz' has no valid openedAt/);
  assert.match(text, /A kept file could not be reopened: garbage\.weird: unrecognised file format/);
  await settle();
  assert.equal(store.files.has('broken.xyz'), false, 'a corrupt record is deleted');
  assert.equal((store.files.get('garbage.weird') as StoredFile).open, false, 'a file that failed to reopen is not retried on every start');
});

test('storage that cannot be opened leaves a working session that keeps nothing, and says so', async () => {
  const api = createPersistentApi(new EquimolSession({ platform: 'web' }), Promise.reject(new Error('IndexedDB is not available in this browser')));
  const opened = await api.openFiles([NACL]);
  assert.equal(opened.documents.length, 1);
  const notices = (await api.getAppInfo()).notices ?? [];
  assert.match(notices.join('\n'), /Browser storage is not available \(IndexedDB is not available in this browser\)/);
});

test('a session file opened in web mode takes by-name files from the kept ones', async () => {
  const store = new MemoryStore();
  const { api } = start(store);
  const opened = await api.openFiles([DRUGS, RUTILE]);
  const [drugs, rutile] = opened.documents.map((d) => d.id);
  const saved = await api.saveSession({ activeDocId: rutile!, documents: [{ docId: drugs!, selectedRecord: 3, supercell: [1, 1, 1] }] });
  const json = JSON.parse(new TextDecoder().decode(saved.bytes)) as { documents: Array<Record<string, unknown>> };
  delete json.documents[0]!['bytesBase64']; // as if drugs.sdf had been too large to embed
  for (const d of await api.listDocuments()) await api.closeDocument(d.id);
  const restored = await api.openSession({ name: saved.fileName, bytes: new TextEncoder().encode(JSON.stringify(json)) });
  assert.deepEqual(restored.failures, []);
  assert.deepEqual(restored.documents.map((d) => d.name), ['drugs.sdf', 'rutile.cif']);
  assert.equal(restored.views[0]!.selectedRecord, 3);
  assert.equal(restored.activeDocId, restored.documents[1]!.id);
});

test('kept files are evicted least recently opened first beyond the count or byte bound', () => {
  const f = (name: string, size: number, openedAt: number, open = false): StoredFile => ({ name, bytes: new Uint8Array(size), openedAt, open });
  const limits = { maxFiles: 3, maxFileBytes: 100, maxTotalBytes: 250 };
  assert.deepEqual(planStore([f('a', 10, 1), f('b', 10, 4), f('c', 10, 3), f('d', 10, 2)], limits), { keep: [f('b', 10, 4), f('c', 10, 3), f('d', 10, 2)], evict: ['a'] });
  // bytes: 100 + 100 fit, the third (older) would make 300 > 250: it and everything older go, even a small one.
  const byBytes = planStore([f('new', 100, 9), f('mid', 100, 8), f('old', 100, 7, true), f('tiny', 1, 6)], limits);
  assert.deepEqual(byBytes.keep.map((x) => x.name), ['new', 'mid']);
  assert.deepEqual(byBytes.evict, ['old', 'tiny']);
  assert.equal(checkStoredFile({ name: 'x', bytes: new Uint8Array(101), openedAt: 1, open: false }, limits), "'x' is larger than 100 bytes");
  assert.equal(checkStoredFile(null), 'is not an object');
  assert.equal(checkStoredFile({ name: 'x', bytes: new Uint8Array(1), openedAt: 1, open: false, more: 1 }), "'x' has an unknown field 'more'");
});

test('the bounds hold through the persistent API: the 21st file evicts the least recently opened', async () => {
  const store = new MemoryStore();
  const { api } = start(store);
  const text = (i: number) => new TextEncoder().encode(`1\nfile ${i}\nH 0 0 ${i}\n`);
  for (let i = 0; i < 21; i++) await api.openFiles([{ name: `h${i}.xyz`, bytes: text(i) }]);
  await settle();
  const recent = (await api.getSettings()).recentFiles;
  assert.equal(recent.length, 20);
  assert.equal(recent[0], 'h20.xyz');
  assert.equal(recent.includes('h0.xyz'), false);
  assert.equal(store.files.size, 20);
  assert.equal(store.files.has('h0.xyz'), false);
});
