/**
 * The session the compute host serves: registry predictors and the shipped trained models (`model:<name>`,
 * assets/models/**), all created lazily (a model's weights and the tfjs backend load when a job first uses it),
 * and RDKit 2D depictions (the toolkit loads on the first depiction request, not at start-up). Calculators of
 * relax and md jobs: xtb, the shipped models and the analytic potentials (main/calc/calculator-catalogue.ts),
 * listed on first need.
 */
import type { Structure } from '../../core/contract/equimol-api';
import { depictionSvg } from '../../core/chem/describe';
import { loadRDKit } from '../../core/toolkits/toolkits';
import { modelPredictorEntries, type ModelCatalogue } from '../../core/predict/model-predictors';
import { ModelSession } from '../../core/session/model-session';
import type { EquimolSession, SessionOptions } from '../../core/session/session';
import { calculatorEntries } from '../calc/calculator-catalogue';
import { nodeGeneratorCatalogue } from '../models/generator-files';
import { initNodeBackend } from '../models/node-backend';
import { nodeModelCatalogue } from './model-catalogue';

export async function depictWithRDKit(structure: Structure, options: { readonly width: number; readonly height: number }): Promise<string | null> {
  await loadRDKit();
  return depictionSvg(structure, options.width, options.height);
}

export interface HostSessionOptions extends Partial<SessionOptions> {
  /** Where the model files come from (default: assets/models of the app); null offers no models. */
  readonly models?: ModelCatalogue | null;
  /** Where the generator files come from (default: *.generator.json under assets/models); null offers none. */
  readonly generatorFiles?: ModelCatalogue | null;
}

export function createHostSession(options: HostSessionOptions = {}): EquimolSession {
  const { models, generatorFiles, ...sessionOptions } = options;
  const generatorCatalogue = generatorFiles === undefined ? nodeGeneratorCatalogue() : generatorFiles;
  const generators = generatorCatalogue ? { generators: { catalogue: generatorCatalogue, initBackend: () => initNodeBackend('auto') } } : {};
  const catalogue = models === undefined ? nodeModelCatalogue() : models;
  // The same backend choice as `equimol predict --model` (auto: tfjs-node if installed, else wasm + native matMul).
  const modelEntries = catalogue ? modelPredictorEntries(catalogue, { initBackend: () => initNodeBackend('auto') }) : Promise.resolve([]);
  return new ModelSession({ platform: 'electron', depict: depictWithRDKit, calculators: () => calculatorEntries(), ...generators, ...sessionOptions, modelEntries });
}
