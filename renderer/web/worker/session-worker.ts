/// <reference lib="webworker" />
/**
 * Web mode's compute side: a module Web Worker hosting one EquimolSession (pure core) behind the EquimolApi
 * contract, served over postMessage. Wasm toolkits load here, with asset URLs resolved by the bundler.
 */
import rdkitWasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import oclResourcesUrl from 'equimol-ocl-resources.json?url';
import { loadOpenChemLib, loadRDKit } from '../../../core/chem/toolkits';
import { EquimolSession } from '../../../core/session/session';
import { depictWithRDKit } from './depict';
import { serveApi, type RpcEndpoint } from './rpc-host';
import { webPredictors } from './predictors';

declare const self: DedicatedWorkerGlobalScope;

const toolkitOptions = {
  locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(rdkitWasmUrl, self.location.href).href : file),
  oclResourcesUrl: new URL(oclResourcesUrl, self.location.href).href,
};

// Start fetching the toolkits at once; formats' prepare() and the depicter wait on the same promises.
const rdkitReady = loadRDKit(toolkitOptions);
void loadOpenChemLib(toolkitOptions).catch(() => undefined);

const session = new EquimolSession({
  platform: 'web',
  predictors: webPredictors,
  depict: async (structure, options) => {
    await rdkitReady;
    return depictWithRDKit(structure, options);
  },
});

serveApi(session, self as unknown as RpcEndpoint);
self.postMessage({ type: 'ready' });
