/**
 * The desktop compute host's embed worker: a node:worker_threads Worker that parses records of embedding formats
 * (SMILES lists → 3D, about a second per molecule) so the host keeps answering calls and reading other files
 * meanwhile, as web mode's embed worker does for its session worker (same protocol, core/session/embed-client.ts).
 * The thread runs the host's own entry file (host-entry.ts; dist/main/compute-host.cjs when bundled) with
 * workerData { role: 'embed' }, so no extra bundle is needed (from sources, through embed-thread-entry.mjs).
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { answerEmbedRequest, type EmbedEndpoint, type EmbedRequest } from '../../core/session/embed-client';
import { loadToolkits } from '../../core/toolkits/toolkits';

/** workerData of an embed thread. */
export const EMBED_THREAD_ROLE = 'embed';

/** Serves embed requests on `port` (the thread's parentPort) with toolkits loaded in this thread. */
export function serveEmbedRequests(port: MessagePort): void {
  const toolkits = loadToolkits();
  void toolkits.catch(() => undefined);
  port.on('message', (request: EmbedRequest) => {
    void answerEmbedRequest(request, toolkits).then((reply) => port.postMessage(reply));
  });
}

/**
 * Starts an embed thread running `entry` (a file that calls serveEmbedRequests when its workerData.role is
 * EMBED_THREAD_ROLE) and adapts it to the client's EmbedEndpoint: a thread that fails or exits reports an error,
 * so the client embeds in the host from then on. The thread does not keep the process alive.
 */
export function startEmbedThread(entry: URL): EmbedEndpoint {
  // From TypeScript sources the thread first registers tsx (embed-thread-entry.mjs), then loads `entry`.
  const fromSources = entry.pathname.endsWith('.ts');
  const script = fromSources ? new URL('./embed-thread-entry.mjs', import.meta.url) : entry;
  const thread = new Worker(script, { workerData: { role: EMBED_THREAD_ROLE, entry: entry.href }, name: 'equimol-embed' });
  thread.unref();
  return {
    postMessage: (message) => thread.postMessage(message),
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      if (type === 'message') thread.on('message', (data: unknown) => (listener as (event: { data: unknown }) => void)({ data }));
      else {
        const report = listener as (event: { message: string }) => void;
        thread.on('error', (error: Error) => report({ message: `the embed thread failed: ${error.message}` }));
        thread.on('exit', (code: number) => report({ message: `the embed thread exited (code ${code})` }));
      }
    },
  };
}
