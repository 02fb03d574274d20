/**
 * A session whose predictors are the registry's plus model entries that arrive asynchronously (the host lists
 * its model files after start-up). Predictor listing and job start wait for the model list, so a UI that asks
 * once at start sees every model; a failed listing leaves the registry predictors and is reported once.
 */
import type { JobProgress, JobRequest, PredictorInfo } from '../contract/equimol-api';
import { PREDICTORS, type PredictorEntry } from '../predict/registry';
import { EquimolSession, type PredictorSource, type SessionOptions } from './session';

export interface ModelSessionOptions extends SessionOptions {
  /** Model predictor entries (core/predict/model-predictors modelPredictorEntries), offered after the others. */
  readonly modelEntries: Promise<readonly PredictorEntry[]>;
  /** Called when the model list cannot be had (default: console.error). */
  readonly onModelListError?: (error: unknown) => void;
}

export class ModelSession extends EquimolSession {
  private readonly modelsListed: Promise<void>;

  constructor(options: ModelSessionOptions) {
    let models: readonly PredictorEntry[] = [];
    const base = options.predictors;
    const baseSources = (): readonly PredictorSource[] => (typeof base === 'function' ? base() : (base ?? PREDICTORS));
    const { modelEntries, onModelListError, ...rest } = options;
    super({ ...rest, predictors: () => [...baseSources(), ...models.filter((m) => !baseSources().some((b) => b.id === m.id))] });
    this.modelsListed = modelEntries.then(
      (entries) => {
        models = entries;
      },
      (error: unknown) => (onModelListError ?? ((e: unknown) => console.error('model list failed:', e)))(error),
    );
  }

  /** Resolves once the model entries are in (or their listing failed). */
  whenModelsListed(): Promise<void> {
    return this.modelsListed;
  }

  override async listPredictors(): Promise<readonly PredictorInfo[]> {
    await this.modelsListed;
    return super.listPredictors();
  }

  override async startJob(request: JobRequest): Promise<JobProgress> {
    await this.modelsListed;
    return super.startJob(request);
  }
}
