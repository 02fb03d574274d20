/**
 * The trained models the app ships, read with node:fs: every `*.model.json` under assets/models (with its
 * `.weights.bin` beside it). The folder is two levels above this file both in the dev checkout
 * (main/compute-host/) and in the bundle (dist/main/compute-host.cjs, inside app.asar when packaged, where
 * electron-builder.yml ships assets/models/**).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weightsPathFor } from '../../core/engine/model-file/model-file';
import { modelCatalogueOrder, modelNameOf, type ModelAsset, type ModelCatalogue } from '../../core/predict/model-predictors';

export function defaultModelsDir(): string {
  return fileURLToPath(new URL('../../assets/models/', import.meta.url));
}

/** `*.model.json` files under `dir`, recursively, sorted by path (general models first, modelCatalogueOrder at the top); a missing folder lists nothing. */
async function modelJsonPaths(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await modelJsonPaths(path)));
    else if (entry.name.endsWith('.model.json')) found.push(path);
  }
  return found.sort();
}

export function nodeModelCatalogue(dir: string = defaultModelsDir()): ModelCatalogue {
  return {
    async list(): Promise<ModelAsset[]> {
      return modelCatalogueOrder(await modelJsonPaths(dir)).map((path) => ({ name: modelNameOf(path), location: path }));
    },
    readJson: (asset) => readFile(asset.location, 'utf8'),
    async readWeights(asset) {
      const bytes = await readFile(weightsPathFor(asset.location));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}
