import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenResult } from '../../core/contract/equimol-api';
import { ContractError } from '../../core/contract/validate';
import { ApiRouter, isStructureFileName, type ShellServices } from '../../main/shell/api-router';
import type { HostMethod } from '../../main/compute-host/protocol';

const FORMATS = [
  { id: 'sdf', name: 'MDL SDF/MOL', extensions: ['sdf', 'sd', 'mol'], writable: true },
  { id: 'poscar', name: 'VASP POSCAR', extensions: ['vasp', 'poscar'], fileNames: ['POSCAR', 'CONTCAR'], writable: false },
];

class RecordingHost {
  readonly calls: Array<[HostMethod, readonly unknown[]]> = [];
  async call<T>(method: HostMethod, args: readonly unknown[] = []): Promise<T> {
    this.calls.push([method, args]);
    if (method === 'getAppInfo') return { formats: FORMATS } as T;
    if (method === 'listPredictors') return [{ id: 'geometry', description: '', columns: [], batchSize: 512 }] as T;
    if (method === 'openLocalFiles') {
      const files = args[0] as Array<{ name: string; path: string; bytes: Uint8Array }>;
      return { documents: files.map((f, i) => ({ id: `doc-${i + 1}`, name: f.name, path: f.path })), failures: [] } as unknown as T;
    }
    return { method, args } as T;
  }
}

function services(overrides: Partial<ShellServices> = {}): ShellServices & { written: Map<string, Uint8Array> } {
  const disk = new Map<string, Uint8Array>([
    ['/data/ethanol.sdf', new TextEncoder().encode('3\n\nO 0 0 0\nH 1 0 0\nH 0 1 0\n')],
    ['/data/notes.txt', new TextEncoder().encode('secret')],
  ]);
  const written = new Map<string, Uint8Array>();
  return {
    written,
    showOpenDialog: async () => ['/data/ethanol.sdf'],
    showSaveDialog: async (name) => `/home/u/${name}`,
    fileSize: async (path) => {
      const bytes = disk.get(path);
      if (!bytes) throw new Error('ENOENT: no such file');
      return bytes.byteLength;
    },
    readFile: async (path) => disk.get(path)!,
    writeFile: async (path, bytes) => void written.set(path, bytes),
    ...overrides,
  };
}

test('compute calls are validated then forwarded to the host unchanged', async () => {
  const host = new RecordingHost();
  const router = new ApiRouter(host, services());
  const query = { offset: 0, limit: 50, sortBy: 'atoms' };
  assert.deepEqual(await router.handle('equimol:listStructures', ['doc-1', query]), { method: 'listStructures', args: ['doc-1', query] });
  await assert.rejects(router.handle('equimol:listStructures', ['doc-1', { offset: -5, limit: 50 }]), ContractError);
  await assert.rejects(router.handle('equimol:evalInMain', ['process.exit()']), /unknown channel/);
  assert.equal(host.calls.length, 1);
});

test('startJob with an unknown predictor is rejected in main before reaching the host', async () => {
  const host = new RecordingHost();
  const router = new ApiRouter(host, services());
  await assert.rejects(
    router.handle('equimol:startJob', [{ kind: 'predict', docIds: ['doc-1'], predictor: 'rm -rf' }]),
    /'rm -rf' is not a known predictor \(known: geometry\)/,
  );
  await router.handle('equimol:startJob', [{ kind: 'predict', docIds: ['doc-1'], predictor: 'geometry' }]);
  assert.deepEqual(host.calls.map(([m]) => m), ['listPredictors', 'startJob']);
});

test('openPaths reads structure files from disk and refuses other files and relative paths', async () => {
  const host = new RecordingHost();
  const router = new ApiRouter(host, services());
  const result = (await router.handle('equimol:openPaths', [['/data/ethanol.sdf', '/data/notes.txt', 'relative/x.sdf', '/data/missing.sdf']])) as OpenResult;
  assert.deepEqual(result.documents.map((d) => [d.name, d.path]), [['ethanol.sdf', '/data/ethanol.sdf']]);
  assert.deepEqual(result.failures.map((f) => f.file), ['/data/notes.txt', 'relative/x.sdf', '/data/missing.sdf']);
  assert.match(result.failures[0]!.message, /notes\.txt: not a structure file name/);
  assert.match(result.failures[1]!.message, /not an absolute path/);
  assert.match(result.failures[2]!.message, /ENOENT/);
  const sent = host.calls.find(([m]) => m === 'openLocalFiles')![1][0] as Array<{ bytes: Uint8Array }>;
  assert.equal(sent.length, 1);
  assert.equal(new TextDecoder().decode(sent[0]!.bytes).split('\n')[0], '3');
});

test('files larger than the limit are refused without being read', async () => {
  let reads = 0;
  const router = new ApiRouter(new RecordingHost(), services({ fileSize: async () => 5 * 1024 ** 3, readFile: async () => (reads++, new Uint8Array()) }));
  const result = (await router.handle('equimol:openPaths', [['/data/huge.sdf']])) as OpenResult;
  assert.match(result.failures[0]!.message, /too large/);
  assert.equal(reads, 0);
});

test('the open dialog opens what the user picked; cancel opens nothing', async () => {
  const host = new RecordingHost();
  const picked = (await new ApiRouter(host, services()).handle('equimol:showOpenDialog', [])) as OpenResult;
  assert.equal(picked.documents[0]!.path, '/data/ethanol.sdf');
  const cancelled = (await new ApiRouter(host, services({ showOpenDialog: async () => [] })).handle('equimol:showOpenDialog', [])) as OpenResult;
  assert.deepEqual(cancelled, { documents: [], failures: [] });
});

test('saveFile writes the bytes where the save dialog says, and reports a cancelled dialog', async () => {
  const s = services();
  const bytes = new TextEncoder().encode('name,energy\n');
  assert.deepEqual(await new ApiRouter(new RecordingHost(), s).handle('equimol:saveFile', [{ suggestedName: '../../etc/results.csv', bytes }]), {
    saved: true,
    path: '/home/u/results.csv',
  });
  assert.equal(new TextDecoder().decode(s.written.get('/home/u/results.csv')), 'name,energy\n');
  const cancelled = await new ApiRouter(new RecordingHost(), services({ showSaveDialog: async () => undefined })).handle('equimol:saveFile', [{ suggestedName: 'a.csv', bytes }]);
  assert.deepEqual(cancelled, { saved: false });
});

test('structure file names are recognised by extension (gzip too) or exact name, case-insensitively', () => {
  for (const name of ['/d/a.sdf', '/d/A.MOL', '/d/x.sdf.gz', '/d/POSCAR', '/d/contcar', '/d/POSCAR.gz', '/d/Si.vasp']) assert.ok(isStructureFileName(name, FORMATS), name);
  for (const name of ['/d/a.txt', '/d/sdf', '/d/.bashrc', '/d/a.gz', '/etc/passwd']) assert.ok(!isStructureFileName(name, FORMATS), name);
});
