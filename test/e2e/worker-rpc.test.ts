/**
 * The web-mode RPC in Node: a real EquimolSession served with serveApi on one end of a MessageChannel and
 * the main-thread proxy (createWorkerApi) on the other — the same code as the browser's Web Worker path,
 * minus the bundler. Checks results, typed arrays, errors (name and message) and pushed events.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { EquimolEvent, JobProgress } from '../../core/contract/equimol-api';
import { EquimolSession } from '../../core/session/session';
import { sanitizeSvg } from '../../renderer/app/util/depiction';
import { serveApi, type RpcEndpoint } from '../../renderer/web/worker/rpc-host';
import { createWorkerApi } from '../../renderer/web/worker-api';
import { REPO_ROOT } from '../helpers/browser';
import { firstMolfileCoordinates, sdfRecordCount } from './fixture-files';

const sdfText = readFileSync(resolve(REPO_ROOT, 'test/fixtures/sdf/molecules.sdf'), 'utf8');
const channel = new MessageChannel();
channel.port1.start();
channel.port2.start();
serveApi(new EquimolSession({ platform: 'web' }), channel.port1 as unknown as RpcEndpoint);
const api = createWorkerApi(channel.port2 as unknown as Worker);
after(() => {
  channel.port1.close();
  channel.port2.close();
});

test('openFiles over the RPC returns the document; pages and structures arrive with typed arrays intact', async () => {
  const result = await api.openFiles([{ name: 'molecules.sdf', bytes: new TextEncoder().encode(sdfText) }]);
  assert.equal(result.failures.length, 0);
  assert.equal(result.documents.length, 1);
  const doc = result.documents[0]!;
  assert.equal(doc.format, 'sdf');
  assert.equal(doc.recordCount, sdfRecordCount(sdfText));

  const page = await api.listStructures(doc.id, { offset: 0, limit: 3, sortBy: 'atoms', descending: true });
  assert.equal(page.total, doc.recordCount);
  assert.equal(page.rows.length, 3);
  assert.ok(page.rows[0]!.atoms >= page.rows[1]!.atoms && page.rows[1]!.atoms >= page.rows[2]!.atoms, 'sorted by atom count, descending');

  const structure = await api.getStructure(doc.id, 0);
  const coordinates = firstMolfileCoordinates(sdfText);
  assert.ok(structure.positions instanceof Float64Array);
  assert.ok(structure.numbers instanceof Uint8Array);
  assert.equal(structure.numbers.length, coordinates.length);
  assert.deepEqual(Array.from(structure.positions.subarray(0, 3)), coordinates[0]);
});

test('a failing call rejects with the error name and message from the session', async () => {
  await assert.rejects(api.getStructure('no-such-document', 0), (error: Error) => {
    assert.equal(error.name, 'UnknownDocumentError');
    assert.match(error.message, /no-such-document/);
    return true;
  });
  // The bare session has no store of recent files (the worker's persistent API has): openPaths is refused there.
  await assert.rejects(api.openPaths(['/tmp/x.sdf']), (error: Error) => error.name === 'NotAvailableError' && /openPaths is not available/.test(error.message));
});

test('job progress events are pushed to subscribers until they unsubscribe', async () => {
  const doc = (await api.listDocuments())[0]!;
  const seen: JobProgress[] = [];
  let finished: () => void;
  const done = new Promise<void>((ok) => (finished = ok));
  const unsubscribe = api.subscribe((event: EquimolEvent) => {
    if (event.type !== 'job-progress') return;
    seen.push(event.progress);
    if (event.progress.state === 'done') finished();
  });
  const started = await api.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry' });
  await done;
  unsubscribe();
  assert.ok(seen.every((p) => p.id === started.id));
  assert.equal(seen[seen.length - 1]!.done, doc.recordCount);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.done >= seen[i - 1]!.done, 'progress is monotone');
  const csv = await api.exportJob(started.id, 'csv');
  assert.equal(new TextDecoder().decode(csv.bytes).trimEnd().split('\n').length, doc.recordCount + 1);
});

test('depiction SVG is stripped of scripts, event handlers, foreignObject and javascript: links', () => {
  const hostile =
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><foreignObject><div>x</div></foreignObject>' +
    '<a href="javascript:alert(3)"><path d="M0 0L1 1" onclick=\'alert(4)\'/></a><text x="1">OH</text></svg>';
  const clean = sanitizeSvg(hostile);
  assert.doesNotMatch(clean, /alert/);
  assert.doesNotMatch(clean, /<script|foreignObject|onload|onclick/i);
  assert.match(clean, /<path d="M0 0L1 1"\/>/);
  assert.match(clean, /<text x="1">OH<\/text>/);
});
