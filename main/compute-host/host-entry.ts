/**
 * Entry point of the compute host process. In the app: an Electron utilityProcess (process.parentPort);
 * in tests and the headless fallback: a node:worker_threads Worker (parentPort). Bundled by
 * scripts/build-main.mjs into dist/main/compute-host.cjs.
 */
import { parentPort as workerParentPort, workerData } from 'node:worker_threads';
import { ComputeHost } from './compute-host';
import { createHostSession } from './create-session';
import type { MessageEndpoint } from './protocol';

/** Electron's utility-process port (absent outside Electron). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentEndpoint(): MessageEndpoint {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (handler) => electronPort.on('message', (event) => handler(event.data)),
    };
  }
  const port = workerParentPort;
  if (!port) throw new Error('compute host: started neither as an Electron utility process nor as a worker thread');
  return {
    post: (message) => port.postMessage(message),
    onMessage: (handler) => port.on('message', handler),
  };
}

// The app version comes as workerData (worker thread) or an --app-version= argument (utility process).
const appVersion =
  ((workerData ?? {}) as { appVersion?: string }).appVersion ??
  process.argv.find((a) => a.startsWith('--app-version='))?.slice('--app-version='.length);
new ComputeHost(createHostSession(appVersion ? { appVersion } : {}), parentEndpoint());
