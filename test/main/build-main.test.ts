import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OpenResult } from '../../core/contract/equimol-api';
import { ComputeHostClient } from '../../main/compute-host/compute-host-client';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repo (dist/ is ignored) so the bundles resolve node_modules like the packaged app does.
const outdir = join('dist', `test-build-main-${process.pid}`);
const built = join(root, outdir);
execFileSync(process.execPath, ['scripts/build-main.mjs', '--outdir', outdir], { cwd: root, stdio: 'pipe' });

after(() => rmSync(built, { recursive: true, force: true }));

function requiredModules(file: string): string[] {
  const text = readFileSync(join(built, file), 'utf8');
  return [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();
}

test('the sandboxed preload bundle requires nothing but electron', () => {
  assert.deepEqual(requiredModules('preload.cjs'), ['electron']);
});

test('the main bundle loads only electron and Node built-ins (no toolkits in the UI process)', () => {
  for (const m of requiredModules('main.cjs')) assert.ok(m === 'electron' || m.startsWith('node:'), m);
});

test('the bundled compute host serves a real file in a worker thread', async () => {
  const worker = new Worker(join(built, 'compute-host.cjs'), { workerData: { appVersion: '0.1.0' } });
  try {
    const client = new ComputeHostClient({ post: (m) => worker.postMessage(m), onMessage: (h) => worker.on('message', h) });
    await client.ready;
    const bytes = new Uint8Array(readFileSync(join(root, 'assets/examples/drugs.sdf')));
    const opened = await client.call<OpenResult>('openFiles', [[{ name: 'drugs.sdf', bytes }]]);
    assert.equal(opened.documents[0]!.recordCount, 20);
    const page = await client.call<{ rows: Array<{ name: string; formula: string }> }>('listStructures', [opened.documents[0]!.id, { offset: 0, limit: 2 }]);
    assert.deepEqual(page.rows.map((r) => [r.name, r.formula]), [['aspirin', 'C9H8O4'], ['paracetamol', 'C8H9NO2']]);
  } finally {
    await worker.terminate();
  }
});

test('the bundled compute host embeds SMILES in an embed thread started from its own bundle', async () => {
  const worker = new Worker(join(built, 'compute-host.cjs'), { workerData: { appVersion: '0.1.0' }, stderr: true });
  let stderr = '';
  worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const client = new ComputeHostClient({ post: (m) => worker.postMessage(m), onMessage: (h) => worker.on('message', h) });
    await client.ready;
    const bytes = new TextEncoder().encode('CCO ethanol\nC1CC broken\nc1ccccc1 benzene\n');
    const opened = await client.call<OpenResult>('openFiles', [[{ name: 'three.smi', bytes }]]);
    assert.equal(opened.documents[0]!.recordCount, 2);
    assert.deepEqual(opened.documents[0]!.errors.map((e) => e.line), [2]);
    await new Promise((r) => setTimeout(r, 100)); // the host thread's stderr arrives asynchronously
    assert.doesNotMatch(stderr, /SMILES embedding runs in the session's thread/);
  } finally {
    await worker.terminate();
  }
});
