/**
 * The session the compute host serves: registry predictors and the shipped trained models (`model:<name>`,
 * assets/models/**), all created lazily (a model's weights and the tfjs backend load when a job first uses it),
 * and RDKit 2D depictions (the toolkit loads on the first depiction request, not at start-up). Calculators of
 * relax and md jobs: xtb, the shipped models and the analytic potentials (main/calc/calculator-catalogue.ts),
 * listed on first need. With a user models folder: train jobs run (main/train/train-job-host.ts) and write their
 * models there, and the folder's models are listed after the shipped ones, as predictors and calculators; a model
 * a train job writes is listed as soon as it is written (the listings are re-read).
 */
import type { Structure } from '../../core/contract/equimol-api';
import { depictionSvg } from '../../core/chem/describe';
import { modelCalculatorEntries } from '../../core/calc/catalogue';
import { loadRDKit } from '../../core/toolkits/toolkits';
import { modelPredictorEntries, type ModelCatalogue } from '../../core/predict/model-predictors';
import { PREDICTORS, type PredictorEntry } from '../../core/predict/registry';
import type { RefreshableCalculatorSource } from '../../core/session/calculator-service';
import type { Trainer } from '../../core/session/jobs/train-job-kind';
import { ModelSession } from '../../core/session/model-session';
import type { EquimolSession, PredictorSource, SessionOptions } from '../../core/session/session';
import { calculatorEntries } from '../calc/calculator-catalogue';
import { nodeGeneratorCatalogue } from '../models/generator-files';
import { initNodeBackend } from '../models/node-backend';
import { createTrainJobHost } from '../train/train-job-host';
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
  /**
   * The user's models folder (the app: userData/models): train jobs write NAME.model.json there, and its models
   * are offered as `model:NAME` predictors and calculators. Absent: no train jobs (they are refused with
   * TRAIN_NEEDS_DESKTOP_REASON) and no user models.
   */
  readonly userModelsDir?: string;
}

const initBackend = () => initNodeBackend('auto');

/** The user's models as predictors and calculators, re-read when a train job writes a model. */
interface UserModels {
  readonly predictors: () => readonly PredictorEntry[];
  readonly calculators: RefreshableCalculatorSource;
  /** Lists the folder's models again (after a model was written); resolves once the predictors are in. */
  readonly refresh: () => Promise<void>;
  readonly trainer: Trainer;
}

function userModels(dir: string, shipped: ModelCatalogue | null): UserModels {
  const catalogue = nodeModelCatalogue(dir);
  let predictors: readonly PredictorEntry[] = [];
  const calculatorRefreshes: Array<() => void> = [];
  const listPredictors = async () => {
    predictors = await modelPredictorEntries(catalogue, { initBackend });
  };
  const refresh = async () => {
    await listPredictors();
    for (const r of calculatorRefreshes) r();
  };
  const host = createTrainJobHost({ modelsDir: dir, onModelWritten: refresh });
  const trainer: Trainer = {
    async check(request) {
      // A user model named like a shipped one would shadow it in both listings.
      if (shipped && (await shipped.list()).some((asset) => asset.name === request.name)) {
        throw new RangeError(`request.name: '${request.name}' is the name of a shipped model; choose another name`);
      }
      return host.check(request);
    },
    train: (run) => host.train(run),
  };
  return {
    predictors: () => predictors,
    calculators: {
      list: async () => [...(await calculatorEntries()), ...(await modelCalculatorEntries(catalogue, { initBackend }))],
      onChange: (r) => calculatorRefreshes.push(r),
    },
    refresh,
    trainer,
  };
}

export function createHostSession(options: HostSessionOptions = {}): EquimolSession {
  const { models, generatorFiles, userModelsDir, ...sessionOptions } = options;
  const generatorCatalogue = generatorFiles === undefined ? nodeGeneratorCatalogue() : generatorFiles;
  const generators = generatorCatalogue ? { generators: { catalogue: generatorCatalogue, initBackend } } : {};
  const catalogue = models === undefined ? nodeModelCatalogue() : models;
  // The same backend choice as `equimol predict --model` (auto: tfjs-node if installed, else wasm + native matMul).
  const shippedEntries = catalogue ? modelPredictorEntries(catalogue, { initBackend }) : Promise.resolve([]);
  if (userModelsDir === undefined) {
    return new ModelSession({ platform: 'electron', depict: depictWithRDKit, calculators: () => calculatorEntries(), ...generators, ...sessionOptions, modelEntries: shippedEntries });
  }
  const user = userModels(userModelsDir, catalogue);
  const base = sessionOptions.predictors;
  const baseSources = (): readonly PredictorSource[] => (typeof base === 'function' ? base() : (base ?? PREDICTORS));
  // Listing and job start wait for the user's models too (ModelSession waits for modelEntries).
  const userListed = user.refresh().catch((error: unknown) => console.error(`user models in ${userModelsDir} could not be listed:`, error));
  return new ModelSession({
    platform: 'electron', depict: depictWithRDKit, calculators: user.calculators, trainer: user.trainer, ...generators, ...sessionOptions,
    predictors: () => [...baseSources(), ...user.predictors()],
    modelEntries: Promise.all([shippedEntries, userListed]).then(([shipped]) => shipped),
  });
}
