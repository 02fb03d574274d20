/// <reference lib="webworker" />
/**
 * Web mode's compute side: a module Web Worker hosting one EquimolSession (pure core) behind the EquimolApi
 * contract, served over postMessage. Wasm toolkits load here, with asset URLs resolved by the bundler; so do the
 * trained models (`model:<name>` predictors, and the same files as calculators of relax and md jobs; no xtb in
 * the browser) and the tfjs wasm backend they run on. Settings and the open files are kept in IndexedDB
 * (persistent-api.ts) and restored on the next start.
 */
import rdkitWasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import tfjsWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import oclResourcesUrl from 'equimol-ocl-resources.json?url';
import { modelCalculatorEntries } from '../../../core/calc/catalogue';
import { loadOpenChemLib, loadRDKit } from '../../../core/toolkits/toolkits';
import { depictionSvg } from '../../../core/chem/describe';
import { modelPredictorEntries } from '../../../core/predict/model-predictors';
import { ModelSession } from '../../../core/session/model-session';
import { bundledGeneratorCatalogue } from './generator-catalogue';
import { bundledModelCatalogue } from './model-catalogue';
import { openIndexedDbStore } from './browser-store';
import { createPersistentApi } from './persistent-api';
import { serveApi, type RpcEndpoint } from './rpc-host';
import { createEmbedClient } from '../../../core/session/embed-client';
import { formatById } from '../../../core/formats/registry';

declare const self: DedicatedWorkerGlobalScope;

const toolkitOptions = {
  locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(rdkitWasmUrl, self.location.href).href : file),
  oclResourcesUrl: new URL(oclResourcesUrl, self.location.href).href,
};

// Start fetching the toolkits at once with the bundler's asset URLs; formats' prepare() and the depicter
// later call the same loaders, which return these promises whatever their options.
const rdkitReady = loadRDKit(toolkitOptions);
void rdkitReady.catch(() => undefined);
void loadOpenChemLib(toolkitOptions).catch(() => undefined);

/**
 * The tfjs wasm backend, on a model's first use. The bundler hashes the .wasm file names, so the paths go to
 * tfjs as a per-file map (a prefix could not name them). Single-threaded: the threaded build would start nested
 * workers from blob: URLs, which the worker's Content-Security-Policy does not allow.
 */
async function initWasmBackend(): Promise<unknown> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const href = (url: string) => new URL(url, self.location.href).href;
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': href(tfjsWasmUrl),
    'tfjs-backend-wasm-simd.wasm': href(tfjsWasmSimdUrl),
    'tfjs-backend-wasm-threaded-simd.wasm': href(tfjsWasmThreadedSimdUrl),
  });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const { initBackend } = await import('../../../core/engine/backend/backend');
  const info = await initBackend({ prefer: 'wasm' });
  if (info.name !== 'wasm') throw new Error(`the tfjs wasm backend did not start (got ${info.description})`);
  return info;
}

/** The backend is started once, whether a predictor or a calculator asks first; a failed start is retried. */
let wasmBackend: Promise<unknown> | undefined;
const initWasmBackendOnce = (): Promise<unknown> =>
  (wasmBackend ??= initWasmBackend().catch((error: unknown) => {
    wasmBackend = undefined;
    throw error;
  }));

const models = bundledModelCatalogue(self.location.href);

// Predictors: the registry's (created lazily on first use) and the bundled models, as in the Electron compute host.
// Calculators: the bundled models only, listed on first need.
const session = new ModelSession({
  platform: 'web',
  // SMILES → 3D in a worker of its own, so this one keeps answering while a SMILES file embeds.
  embedRecord: createEmbedClient(
    () => new Worker(new URL('./embed-worker.ts', import.meta.url), { type: 'module', name: 'equimol-embed' }),
    async (formatId, chunk, file) => formatById(formatId)!.parseRecord(chunk, file),
  ),
  depict: async (structure, options) => {
    await rdkitReady;
    return depictionSvg(structure, options.width, options.height);
  },
  modelEntries: modelPredictorEntries(models, { initBackend: initWasmBackendOnce }),
  calculators: () => modelCalculatorEntries(models, { initBackend: initWasmBackendOnce }),
  generators: { catalogue: bundledGeneratorCatalogue(self.location.href), initBackend: initWasmBackendOnce },
});

// Settings and open files outlive the page (IndexedDB); every call waits until they are restored.
serveApi(createPersistentApi(session, openIndexedDbStore(self.indexedDB)), self as unknown as RpcEndpoint);
self.postMessage({ type: 'ready' });
