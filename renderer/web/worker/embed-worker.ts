/// <reference lib="webworker" />
/**
 * Web mode's embed worker: parses records of embedding formats (SMILES lists → 3D with RDKit and openchemlib, about a
 * second per molecule) for the session worker, so the session answers other calls meanwhile. Started by the
 * session worker on the first SMILES file (embed-client.ts).
 */
import rdkitWasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import oclResourcesUrl from 'equimol-ocl-resources.json?url';
import { formatById } from '../../../core/formats/registry';
import { FormatError } from '../../../core/structure/errors';
import { loadToolkits } from '../../../core/toolkits/toolkits';
import type { EmbedReply, EmbedRequest } from './embed-protocol';

declare const self: DedicatedWorkerGlobalScope;

const toolkits = loadToolkits({
  locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(rdkitWasmUrl, self.location.href).href : file),
  oclResourcesUrl: new URL(oclResourcesUrl, self.location.href).href,
});
void toolkits.catch(() => undefined);

const reply = (message: EmbedReply) => self.postMessage(message);

self.addEventListener('message', (event: MessageEvent<EmbedRequest>) => {
  const { id, formatId, chunk, file } = event.data;
  toolkits.then(
    () => {
      const format = formatById(formatId);
      if (!format?.embeds) return reply({ id, ok: false, message: `format '${formatId.slice(0, 64)}' is not embedded here`, line: 0, broken: true });
      try {
        reply({ id, ok: true, structure: format.parseRecord(chunk, file) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reply({ id, ok: false, message, line: error instanceof FormatError ? error.line || chunk.firstLine : chunk.firstLine, broken: false });
      }
    },
    (error: unknown) => reply({ id, ok: false, message: `the toolkits did not load: ${error instanceof Error ? error.message : String(error)}`, line: 0, broken: true }),
  );
});
