/**
 * Web mode's model catalogue: the trained model files under assets/models, found by the bundler at build time
 * (import.meta.glob) and emitted as assets beside the app, fetched by the worker when listed (JSON) and when
 * first used (weights). A model added to assets/models is picked up by the next build; no index to keep.
 */
import { weightsNameFor, weightsPathFor } from '../../../core/engine/model-file/model-file';
import { modelCatalogueOrder, modelNameOf, type ModelAsset, type ModelCatalogue } from '../../../core/predict/model-predictors';

const modelJsonUrls = import.meta.glob<string>('../../../assets/models/**/*.model.json', { query: '?url', import: 'default', eager: true });
const weightsUrls = import.meta.glob<string>('../../../assets/models/**/*.weights.bin', { query: '?url', import: 'default', eager: true });

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response;
}

/** `base` resolves the bundler's asset URLs (the worker's own location). */
export function bundledModelCatalogue(base: string): ModelCatalogue {
  const assets: Array<ModelAsset & { readonly weightsUrl: string | undefined }> = modelCatalogueOrder(Object.keys(modelJsonUrls))
    .map((path) => {
      const weightsPath = weightsPathFor(path);
      const weights = weightsUrls[weightsPath];
      return { name: modelNameOf(path), location: new URL(modelJsonUrls[path]!, base).href, weightsUrl: weights ? new URL(weights, base).href : undefined };
    });
  return {
    list: () => Promise.resolve(assets),
    readJson: async (asset) => (await fetchOk(asset.location)).text(),
    async readWeights(asset) {
      const url = assets.find((a) => a.name === asset.name)?.weightsUrl;
      if (!url) throw new Error(`no ${weightsNameFor(asset.name)} was bundled beside ${asset.name}.model.json`);
      return new Uint8Array(await (await fetchOk(url)).arrayBuffer());
    },
  };
}
