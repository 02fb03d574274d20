/// <reference lib="webworker" />
/**
 * Web mode's compute side: a module Web Worker hosting one EquimolSession (pure core) behind the EquimolApi
 * contract, served over postMessage. Wasm toolkits load here, with asset URLs resolved by the bundler; so do the
 * trained models (`model:<name>` predictors, and the same files as calculators of relax and md jobs; no xtb in
 * the browser) and the tfjs backend they run on (webgpu on a hardware GPU, else wasm). Settings and the open files are kept in IndexedDB
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
 * The backend web mode computes on: the page's `?backend=webgpu|wasm` when given (web-entry.ts passes it as this
 * worker's name), else webgpu where the browser has a hardware WebGPU adapter (not a software fallback such as
 * SwiftShader, slower than wasm), else wasm.
 */
async function computeBackendPreference(): Promise<'webgpu' | 'wasm'> {
  const asked = /(?:^| )backend=(webgpu|wasm)(?= |$)/.exec(self.name)?.[1];
  if (asked === 'webgpu' || asked === 'wasm') return asked;
  const { webGpuAdapterKind } = await import('../../../core/engine/backend/backend');
  return (await webGpuAdapterKind()) === 'hardware' ? 'webgpu' : 'wasm';
}

/**
 * The tfjs backend, on a model's first use: webgpu with Equimol's fused WGSL kernels (messages, product basis,
 * linear maps) where chosen and it starts, else wasm. The bundler hashes the .wasm file names, so the paths go to
 * tfjs as a per-file map (a prefix could not name them). Single-threaded: the threaded build would start nested
 * workers from blob: URLs, which the worker's Content-Security-Policy does not allow. The choice is logged to the
 * console ('Equimol compute: …').
 */
async function initComputeBackend(): Promise<unknown> {
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
  const prefer = await computeBackendPreference();
  const info = await initBackend({ prefer, log: (line) => console.info(`Equimol compute: ${line}`) });
  if (info.name !== 'wasm' && info.name !== 'webgpu') throw new Error(`neither the tfjs webgpu nor the wasm backend started (got ${info.description})`);
  const fused = info.name === 'webgpu';
  (await import('../../../core/engine/layers/fused-kernels')).setFusedKernels(fused);
  console.info(`Equimol compute: ${info.description}${fused ? ' with the fused WGSL kernels' : ''} (asked for ${prefer})`);
  return info;
}

/** The backend is started once, whether a predictor or a calculator asks first; a failed start is retried. */
let computeBackend: Promise<unknown> | undefined;
const initComputeBackendOnce = (): Promise<unknown> =>
  (computeBackend ??= initComputeBackend().catch((error: unknown) => {
    computeBackend = undefined;
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
  modelEntries: modelPredictorEntries(models, { initBackend: initComputeBackendOnce }),
  calculators: () => modelCalculatorEntries(models, { initBackend: initComputeBackendOnce }),
  generators: { catalogue: bundledGeneratorCatalogue(self.location.href), initBackend: initComputeBackendOnce },
});

// Settings and open files outlive the page (IndexedDB); every call waits until they are restored.
serveApi(createPersistentApi(session, openIndexedDbStore(self.indexedDB)), self as unknown as RpcEndpoint);
self.postMessage({ type: 'ready' });
