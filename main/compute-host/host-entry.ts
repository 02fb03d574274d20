/**
 * Entry point of the compute host process. In the app: an Electron utilityProcess (process.parentPort);
 * in tests and the headless fallback: a node:worker_threads Worker (parentPort). Bundled by
 * scripts/build-main.mjs into dist/main/compute-host.cjs. The same file, started as a worker thread with
 * workerData { role: 'embed' }, is the host's embed thread (SMILES → 3D off the host's thread; embed-thread.ts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parentPort as workerParentPort, workerData } from 'node:worker_threads';
import { formatById } from '../../core/formats/registry';
import { createEmbedClient } from '../../core/session/embed-client';
import { EMBED_THREAD_ROLE, serveEmbedRequests, startEmbedThread } from './embed-thread';
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

/**
 * Electron's userData folder of the packaged app (productName Equimol) on this platform, for a host started
 * without --models-dir: %APPDATA%\Equimol, ~/Library/Application Support/Equimol, $XDG_CONFIG_HOME/Equimol.
 */
function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Equimol');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Equimol');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Equimol');
}

const argument = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const data = (workerData ?? {}) as { appVersion?: string; userModelsDir?: string; role?: string };
// The app version and the user's models folder come as workerData (worker thread) or --app-version= and
// --models-dir= arguments (utility process; main passes userData/models); else EQUIMOL_MODELS_DIR, else the
// packaged app's userData/models.
// The session and its predictors load only in the host, not in the embed thread (which needs the formats and toolkits).
async function startHost(): Promise<void> {
  const [{ ComputeHost }, { createHostSession }] = await Promise.all([import('./compute-host'), import('./create-session')]);
  const appVersion = data.appVersion ?? argument('app-version');
  const userModelsDir = data.userModelsDir ?? argument('models-dir') ?? process.env['EQUIMOL_MODELS_DIR'] ?? join(defaultUserDataDir(), 'models');
  // SMILES → 3D in a thread of its own (this file again), so the host keeps answering while a SMILES file embeds.
  const embedRecord = createEmbedClient(
    () => startEmbedThread(new URL(import.meta.url)),
    async (formatId, chunk, file) => formatById(formatId)!.parseRecord(chunk, file),
  );
  new ComputeHost(createHostSession({ ...(appVersion ? { appVersion } : {}), userModelsDir, embedRecord }), parentEndpoint());
}

if (data.role === EMBED_THREAD_ROLE && workerParentPort) serveEmbedRequests(workerParentPort);
else void startHost();
