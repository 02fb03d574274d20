/// <reference lib="webworker" />
/**
 * Web mode's embed worker: parses records of embedding formats (SMILES lists → 3D with RDKit and openchemlib, about a
 * second per molecule) for the session worker, so the session answers other calls meanwhile. Started by the
 * session worker on the first SMILES file (core/session/embed-client.ts).
 */
import rdkitWasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import oclResourcesUrl from 'equimol-ocl-resources.json?url';
import { answerEmbedRequest, type EmbedRequest } from '../../../core/session/embed-client';
import { loadToolkits } from '../../../core/toolkits/toolkits';

declare const self: DedicatedWorkerGlobalScope;

const toolkits = loadToolkits({
  locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(rdkitWasmUrl, self.location.href).href : file),
  oclResourcesUrl: new URL(oclResourcesUrl, self.location.href).href,
});
void toolkits.catch(() => undefined);

self.addEventListener('message', (event: MessageEvent<EmbedRequest>) => {
  void answerEmbedRequest(event.data, toolkits).then((reply) => self.postMessage(reply));
});
