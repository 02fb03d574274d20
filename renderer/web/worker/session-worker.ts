/// <reference lib="webworker" />
/**
 * Web mode's compute side: a module Web Worker hosting one EquimolSession (pure core) behind the EquimolApi
 * contract, served over postMessage. Wasm toolkits load here, with asset URLs resolved by the bundler.
 */
import rdkitWasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import oclResourcesUrl from 'equimol-ocl-resources.json?url';
import { loadOpenChemLib, loadRDKit } from '../../../core/chem/toolkits';
import { depictionSvg } from '../../../core/chem/describe';
import { EquimolSession } from '../../../core/session/session';
import { serveApi, type RpcEndpoint } from './rpc-host';

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

// Predictors default to the registry (created lazily on first use), as in the Electron compute host.
const session = new EquimolSession({
  platform: 'web',
  depict: async (structure, options) => {
    await rdkitReady;
    return depictionSvg(structure, options.width, options.height);
  },
});

serveApi(session, self as unknown as RpcEndpoint);
self.postMessage({ type: 'ready' });
