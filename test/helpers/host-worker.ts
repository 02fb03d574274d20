/**
 * The real compute-host entry point (main/compute-host/host-entry.ts) in a worker thread, TypeScript loaded through
 * tsx's register API, with a connected ComputeHostClient: what the main-side host tests talk to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EquimolEvent } from '../../core/contract/equimol-api';
import { ComputeHostClient } from '../../main/compute-host/compute-host-client';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts the host with `appVersion` and an empty user models folder of its own. */
export function startHostWorker(appVersion: string): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(join(root, 'main/compute-host/host-entry.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { appVersion, userModelsDir: mkdtempSync(join(tmpdir(), 'equimol-host-models-')) } });
}

/** A started host and its client, ready; every event goes to `onEvent`; a host that exits fails the client's calls. */
export async function connectHostWorker(appVersion: string, onEvent: (event: EquimolEvent) => void): Promise<{ worker: Worker; client: ComputeHostClient }> {
  const worker = startHostWorker(appVersion);
  const client = new ComputeHostClient({ post: (m) => worker.postMessage(m), onMessage: (h) => worker.on('message', h) });
  worker.on('exit', (code) => client.fail(`exit code ${code}`));
  client.subscribe(onEvent);
  await client.ready;
  return { worker, client };
}
