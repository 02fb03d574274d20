import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EquimolEvent } from '../../core/contract/equimol-api';
import { EquimolSession, NotAvailableError, UnknownPredictorError } from '../../core/session/session';
import { UnknownDocumentError } from '../../core/session/documents';
import { UnknownJobError } from '../../core/session/job-queue';

test('the default session offers the registry predictors with their columns', async () => {
  const session = new EquimolSession();
  const predictors = await session.listPredictors();
  const geometry = predictors.find((p) => p.id === 'geometry');
  assert.ok(geometry, `predictors: ${predictors.map((p) => p.id).join(', ')}`);
  assert.ok(geometry.columns.some((c) => c.key === 'radius_of_gyration' && c.unit === 'Å'));
  assert.ok(geometry.batchSize >= 1);
});

test('a file in no known format becomes a per-file failure naming the file, not a rejection', async () => {
  const session = new EquimolSession();
  const bytes = new TextEncoder().encode('this is not a chemistry file\nat all\n');
  const result = await session.openFiles([{ name: 'notes.weird', bytes }]);
  assert.equal(result.documents.length, 0);
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0]!.file, 'notes.weird');
  assert.match(result.failures[0]!.message, /notes\.weird/);
  assert.deepEqual(await session.listDocuments(), []);
});

test('corrupt gzip is reported as a failure of that file', async () => {
  const session = new EquimolSession();
  const bytes = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
  const result = await session.openFiles([{ name: 'broken.xyz.gz', bytes }]);
  assert.equal(result.documents.length, 0);
  assert.match(result.failures[0]!.message, /broken\.xyz\.gz/);
});

test('unknown documents, jobs and predictors are rejected with named errors', async () => {
  const session = new EquimolSession();
  await assert.rejects(session.getDocument('doc-42'), UnknownDocumentError);
  await assert.rejects(session.listStructures('doc-42', { offset: 0, limit: 10 }), UnknownDocumentError);
  await assert.rejects(session.cancelJob('job-7'), UnknownJobError);
  await assert.rejects(session.startJob({ kind: 'predict', docIds: ['doc-1'], predictor: 'no-such-model' }), UnknownPredictorError);
});

test('platform methods are refused by the bare session', async () => {
  const session = new EquimolSession();
  await assert.rejects(session.openPaths(['/tmp/a.xyz']), NotAvailableError);
  await assert.rejects(session.showOpenDialog(), NotAvailableError);
  await assert.rejects(session.saveFile({ suggestedName: 'a.csv', bytes: new Uint8Array(1) }), NotAvailableError);
});

test('settings merge patches, cap recent files, and notify subscribers until they unsubscribe', async () => {
  const session = new EquimolSession({ settings: { theme: 'dark' } });
  const events: EquimolEvent[] = [];
  const unsubscribe = session.subscribe((e) => events.push(e));
  assert.equal((await session.getSettings()).theme, 'dark');
  const recent = Array.from({ length: 30 }, (_, i) => `/data/f${i}.sdf`);
  const next = await session.setSettings({ showLabels: true, recentFiles: recent });
  assert.equal(next.theme, 'dark');
  assert.equal(next.showLabels, true);
  assert.equal(next.recentFiles.length, 20);
  assert.equal(next.recentFiles[0], '/data/f0.sdf');
  assert.deepEqual(events.map((e) => e.type), ['settings-changed']);
  unsubscribe();
  await session.setSettings({ theme: 'light' });
  assert.equal(events.length, 1);
});

test('app info reports the contract version and platform', async () => {
  const info = await new EquimolSession({ platform: 'electron', appVersion: '1.2.3' }).getAppInfo();
  assert.equal(info.platform, 'electron');
  assert.equal(info.version, '1.2.3');
  assert.equal(info.apiVersion, 1);
});
