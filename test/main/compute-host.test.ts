import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { DocumentInfo, EquimolEvent, JobProgress, JobResultPage, OpenResult } from '../../core/contract/equimol-api';
import { ComputeHostClient, HostExitedError } from '../../main/compute-host/compute-host-client';
import { connectHostWorker, startHostWorker } from '../helpers/host-worker';
import type { HostMethod } from '../../main/compute-host/protocol';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drugs = new Uint8Array(readFileSync(join(root, 'assets/examples/drugs.sdf')));

let worker: Worker;
let client: ComputeHostClient;
const events: EquimolEvent[] = [];

before(async () => {
  ({ worker, client } = await connectHostWorker('9.8.7', (e) => events.push(e)));
});

after(async () => {
  await worker.terminate();
});

function progressOf(jobId: string): JobProgress[] {
  return events.flatMap((e) => (e.type === 'job-progress' && e.progress.id === jobId ? [e.progress] : []));
}

async function finished(jobId: string): Promise<JobProgress> {
  for (;;) {
    const last = progressOf(jobId).at(-1);
    if (last && (last.state === 'done' || last.state === 'failed' || last.state === 'cancelled')) return last;
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('the host in a worker thread answers app info from its own session', async () => {
  const info = await client.call<{ platform: string; version: string; formats: Array<{ id: string }> }>('getAppInfo');
  assert.equal(info.platform, 'electron');
  assert.equal(info.version, '9.8.7');
  assert.ok(info.formats.some((f) => f.id === 'sdf'));
});

test('a real file opened by bytes runs the geometry predictor with streamed progress events', async () => {
  const opened = await client.call<OpenResult>('openLocalFiles', [[{ name: 'drugs.sdf', path: '/examples/drugs.sdf', bytes: drugs }]]);
  const doc = opened.documents[0]!;
  assert.equal(doc.recordCount, 20);
  assert.equal(doc.path, '/examples/drugs.sdf');
  const job = await client.call<JobProgress>('startJob', [{ kind: 'predict', docIds: [doc.id], predictor: 'geometry', batchSize: 5 }]);
  const final = await finished(job.id);
  assert.equal(final.state, 'done');
  assert.equal(final.done, 20);
  const dones = progressOf(job.id).map((p) => p.done);
  assert.ok(dones.includes(5) && dones.includes(10) && dones.includes(15), `progress ${dones}`);
  for (let i = 1; i < dones.length; i++) assert.ok(dones[i]! >= dones[i - 1]!);
  const results = await client.call<JobResultPage>('getJobResults', [job.id, { offset: 0, limit: 20 }]);
  assert.equal(results.rows[0]!.name, 'aspirin');
  assert.ok(Math.abs((results.rows[0]!.values.molar_mass as number) - 180.159) < 0.02);
  assert.ok(events.some((e) => e.type === 'document-changed' && e.document.id === doc.id));
  // Opening with a path records it as a recent file, announced as a settings change.
  assert.ok(events.some((e) => e.type === 'settings-changed' && e.settings.recentFiles[0] === '/examples/drugs.sdf'));
  const csv = await client.call<{ bytes: Uint8Array }>('exportJob', [job.id, 'csv']);
  assert.equal(new TextDecoder().decode(csv.bytes).trimEnd().split(/\r?\n/).length, 21);
});

test('a job in the host is cancelled promptly', async () => {
  const big = new TextEncoder().encode(new TextDecoder().decode(drugs).repeat(100));
  const doc = (await client.call<OpenResult>('openFiles', [[{ name: 'drugs-x100.sdf', bytes: big }]])).documents[0] as DocumentInfo;
  assert.equal(doc.recordCount, 2000);
  const job = await client.call<JobProgress>('startJob', [{ kind: 'predict', docIds: [doc.id], predictor: 'geometry', batchSize: 4 }]);
  while (!progressOf(job.id).some((p) => p.done >= 8)) await new Promise((r) => setTimeout(r, 1));
  const cancelled = await client.call<JobProgress>('cancelJob', [job.id]);
  assert.equal(cancelled.state, 'cancelled');
  assert.ok(cancelled.done < 2000);
  assert.equal((await finished(job.id)).state, 'cancelled');
  await new Promise((r) => setTimeout(r, 50));
  const jobs = await client.call<JobProgress[]>('listJobs');
  const after = jobs.find((j) => j.id === job.id)!;
  assert.ok(after.done <= cancelled.done + 4, `ran on after cancel: ${cancelled.done} -> ${after.done}`);
});

test('the host draws RDKit depictions of molecules', async () => {
  const doc = (await client.call<OpenResult>('openFiles', [[{ name: 'drugs.sdf', bytes: drugs }]])).documents[0]!;
  const depiction = await client.call<{ svg: string | null; message?: string }>('getDepiction', [doc.id, 0, { width: 200, height: 150 }]);
  assert.ok(depiction.svg, depiction.message);
  assert.match(depiction.svg, /<svg[\s\S]*<\/svg>/);
  assert.match(depiction.svg, /width=['"]200(px)?['"]/);
});

test('unknown and platform methods are answered with errors, never run', async () => {
  await assert.rejects(client.call('evalCode' as HostMethod, ['1+1']), /unknown method 'evalCode'/);
  await assert.rejects(client.call('saveFile' as HostMethod, [{ suggestedName: 'a', bytes: new Uint8Array(1) }]), /unknown method 'saveFile'/);
  await assert.rejects(client.call('getStructure', ['doc-999', 0]), (e: Error) => e.name === 'UnknownDocumentError');
});

test('calls after the host exits reject instead of hanging', async () => {
  const second = startHostWorker('9.8.7');
  const secondClient = new ComputeHostClient({ post: (m) => second.postMessage(m), onMessage: (h) => second.on('message', h) });
  second.on('exit', (code) => secondClient.fail(`exit code ${code}`));
  await secondClient.ready;
  const pending = secondClient.call('listDocuments');
  await second.terminate();
  // The pending call either completed before the exit or was rejected by it; later calls always reject.
  await pending.catch((e: unknown) => assert.ok(e instanceof HostExitedError));
  await assert.rejects(secondClient.call('listDocuments'), HostExitedError);
});
