import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EquimolEvent, OpenResult, Settings } from '../../core/contract/equimol-api';
import { HostExitedError } from '../../main/compute-host/compute-host-client';
import { HostSupervisor, type HostProcess } from '../../main/compute-host/supervisor';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drugs = new Uint8Array(readFileSync(join(root, 'assets/examples/drugs.sdf')));

/** The real host entry in a worker thread (TypeScript through tsx), as a HostProcess. */
function spawnWorkerHost(workers: Worker[], entry = 'main/compute-host/host-entry.ts'): HostProcess {
  const tsx = import.meta.resolve('tsx/esm/api');
  const url = pathToFileURL(join(root, entry)).href;
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, { eval: true });
  workers.push(worker);
  return {
    endpoint: { post: (m) => worker.postMessage(m), onMessage: (h) => worker.on('message', h) },
    onExit: (callback) => worker.on('exit', callback),
    kill: () => void worker.terminate(),
  };
}

test('a crashed host is restarted with the last settings; documents are gone and the UI is told', { timeout: 60_000 }, async () => {
  const workers: Worker[] = [];
  const supervisor = new HostSupervisor(() => spawnWorkerHost(workers));
  const events: EquimolEvent[] = [];
  supervisor.subscribe((e) => events.push(e));
  try {
    await supervisor.start();
    await supervisor.call<Settings>('setSettings', [{ theme: 'dark', showLabels: true }]);
    const opened = await supervisor.call<OpenResult>('openFiles', [[{ name: 'drugs.sdf', bytes: drugs }]]);
    assert.equal(opened.documents[0]!.recordCount, 20);
    const pending = supervisor.call('listDocuments').catch((e: unknown) => e);
    await workers[0]!.terminate(); // the crash
    const outcome = await pending;
    assert.ok(Array.isArray(outcome) || outcome instanceof HostExitedError, String(outcome));
    await supervisor.ready;
    assert.equal(workers.length, 2);
    const settings = await supervisor.call<Settings>('getSettings');
    assert.equal(settings.theme, 'dark');
    assert.equal(settings.showLabels, true);
    assert.deepEqual(await supervisor.call('listDocuments'), []);
    assert.ok(events.some((e) => e.type === 'compute-restarted' && /exit code/.test(e.reason)));
    // The new host works.
    const again = await supervisor.call<OpenResult>('openFiles', [[{ name: 'drugs.sdf', bytes: drugs }]]);
    assert.equal(again.documents[0]!.recordCount, 20);
  } finally {
    supervisor.stop();
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test('stop() ends the host without a restart', { timeout: 60_000 }, async () => {
  const workers: Worker[] = [];
  const supervisor = new HostSupervisor(() => spawnWorkerHost(workers));
  await supervisor.start();
  supervisor.stop();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(workers.length, 1);
  await assert.rejects(supervisor.call('listDocuments'), HostExitedError);
});

test('a host that keeps crashing is given up on after the allowed restarts, and calls reject', { timeout: 60_000 }, async () => {
  const exits: Array<(code: number) => void> = [];
  let spawned = 0;
  let gaveUp = '';
  // A host process that never gets ready and "crashes" when told to.
  const supervisor = new HostSupervisor(
    () => {
      spawned++;
      return { endpoint: { post: () => {}, onMessage: () => {} }, onExit: (cb) => void exits.push(cb), kill: () => {} };
    },
    { maxRestarts: 2, windowMs: 60_000, onGiveUp: (reason) => (gaveUp = reason) },
  );
  const first = supervisor.start();
  exits[0]!(134);
  await assert.rejects(first, HostExitedError);
  exits[1]!(134);
  exits[2]!(134);
  assert.equal(spawned, 3);
  assert.match(gaveUp, /keeps stopping \(exit code 134\)/);
  await assert.rejects(supervisor.call('listDocuments'), /keeps stopping/);
});
