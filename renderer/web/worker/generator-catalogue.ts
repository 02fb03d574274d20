/**
 * Web mode's generator files: every `NAME.generator.json` under assets/models with its `NAME.weights.bin`, found
 * by the bundler at build time (import.meta.glob) and emitted as assets beside the app, fetched by the worker when
 * listed (JSON) and when a generate job first uses the generator (weights). As for the model files, a generator
 * added to assets/models is picked up by the next build.
 */
import type { ModelAsset, ModelCatalogue } from '../../../core/predict/model-predictors';
import { generatorNameOf, generatorWeightsPathFor } from '../../../core/session/generator-service';

const generatorJsonUrls = import.meta.glob<string>('../../../assets/models/**/*.generator.json', { query: '?url', import: 'default', eager: true });
const weightsUrls = import.meta.glob<string>('../../../assets/models/**/*.weights.bin', { query: '?url', import: 'default', eager: true });

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response;
}

/** `base` resolves the bundler's asset URLs (the worker's own location). */
export function bundledGeneratorCatalogue(base: string): ModelCatalogue {
  const assets = Object.keys(generatorJsonUrls)
    .sort()
    .map((path) => {
      const weights = weightsUrls[generatorWeightsPathFor(path)];
      return { name: generatorNameOf(path), location: new URL(generatorJsonUrls[path]!, base).href, weightsUrl: weights ? new URL(weights, base).href : undefined };
    });
  return {
    list: () => Promise.resolve(assets.map((a): ModelAsset => ({ name: a.name, location: a.location }))),
    readJson: async (asset) => (await fetchOk(asset.location)).text(),
    async readWeights(asset) {
      const url = assets.find((a) => a.name === asset.name)?.weightsUrl;
      if (!url) throw new Error(`no ${asset.name}.weights.bin was bundled beside ${asset.name}.generator.json`);
      return new Uint8Array(await (await fetchOk(url)).arrayBuffer());
    },
  };
}
