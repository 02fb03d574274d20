import { createContext, useCallback, useContext } from 'react';
import type { DocumentInfo, EquimolApi, JobProgress } from '../../core/contract/equimol-api';
import { useTrainJob, type TrainJob } from './components/train-panel';
import { useConformersJob, type ConformersJob } from './hooks/use-conformers-job';
import { useGenerateJob, type GenerateJob } from './hooks/use-generate-job';
import { useSamplerJobs, type SamplerJobs } from './hooks/use-sampler-jobs';
import type { AppServices } from './state/app-services';

/** The job kinds built in before the registry (relax / MD, conformers, generate, train): each hook follows its job. */
export interface BuiltinJobs {
  readonly sampler: SamplerJobs;
  readonly conformers: ConformersJob;
  readonly generate: GenerateJob;
  readonly train: TrainJob;
}

export const BuiltinJobsContext = createContext<BuiltinJobs | null>(null);

/** The built-in job hooks, for the built-in contributions (new job kinds use ctx.startJob instead). */
export function useBuiltinJobs(): BuiltinJobs {
  const jobs = useContext(BuiltinJobsContext);
  if (!jobs) throw new Error('useBuiltinJobs is used outside the app (no BuiltinJobsContext).');
  return jobs;
}

/**
 * Runs the built-in job hooks once for the app. The sampler hook also lists every job's output documents as
 * progress names them (for every kind, registered ones included). Their dialogs open through ctx.openDialog.
 */
export function useBuiltinJobHooks(api: EquimolApi, jobs: readonly JobProgress[], documents: readonly DocumentInfo[], services: AppServices): BuiltinJobs {
  const onError = useCallback((title: string, detail: string) => services.notify('error', title, detail), [services]);
  const common = { api, jobs, documents, showDocument: services.showDocument, onStarted: services.onJobStarted, onError };
  const sampler = useSamplerJobs({ ...common, addDocuments: services.addDocuments });
  const conformers = useConformersJob(common);
  const generate = useGenerateJob(common);
  const train = useTrainJob({ api, jobs, onStarted: services.onJobStarted, onError, onModelWritten: services.relistPredictors });
  return { sampler, conformers, generate, train };
}

