/**
 * A pool of worker threads that compute parts of each training batch for core's trainModel (its `helpers` option),
 * so one training run uses more than one core: tfjs-wasm runs single-threaded in Node, and a step on a small
 * molecule batch is bound by kernel launches, which a second thread halves.
 *
 * Each worker rebuilds the model from its file encoding and receives the current weights with every part; the
 * trainer sums the parts' losses and gradients (each normalised by the whole batch) and takes one optimiser step,
 * the same step as on one thread up to float32 summation order.
 *
 * Workers start from gradient-worker-entry.mjs, which registers tsx and loads the TypeScript worker: this pool is for
 * runs from sources (scripts/train-ethanol.ts, tests); a bundled build would need the worker as its own entry.
 */
import type { BackendPreference } from '../../core/engine/backend/backend';
import type { EnergyModel } from '../../core/engine/model';
import type { BatchCounts, LossAndGradients, LossWeights } from '../../core/engine/train/batch-loss';
import type { GradientHelpers } from '../../core/engine/train/train';
import type { Structure } from '../../core/structure/structure';
import { modelCopyForWorkers, startWorkers } from '../workers/start-workers';
import type { GradientReply, GradientRequest, GradientWorkerData } from './gradient-worker';

export interface GradientHelperPool extends GradientHelpers {
  /** Backend description of each worker, e.g. 'tfjs-wasm (SIMD, 1 thread, …)'. */
  readonly backends: readonly string[];
  close(): Promise<void>;
}

export async function startGradientHelpers(
  model: EnergyModel,
  options: { readonly count: number; readonly backend?: BackendPreference },
): Promise<GradientHelperPool> {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`helper count must be a positive integer, got ${options.count}`);
  const workerData: GradientWorkerData = { ...modelCopyForWorkers(model, 'training helper copy'), backend: options.backend ?? 'wasm' };
  const { workers, backends } = await startWorkers(new URL('./gradient-worker-entry.mjs', import.meta.url), workerData, options.count, 'gradient helper');
  const pending = new Map<number, { resolve: (r: LossAndGradients) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  const exitListeners = workers.map((_, k) => (code: number) => fail(new Error(`gradient helper ${k} exited with code ${code}`)));
  workers.forEach((worker, k) => {
    worker.on('message', (reply: GradientReply) => {
      if (!('id' in reply)) return;
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if ('error' in reply) call.reject(new Error(`gradient helper ${k}: ${reply.error}`));
      else call.resolve({ loss: reply.loss, gradients: reply.gradients });
    });
    worker.on('error', (error) => fail(new Error(`gradient helper ${k} crashed: ${error.message}`)));
    worker.on('exit', exitListeners[k]!);
  });
  let closed = false;
  return {
    count: workers.length,
    backends,
    lossAndGradients(helper: number, part: readonly Structure[], weights: readonly Float32Array[], counts: BatchCounts, loss: LossWeights): Promise<LossAndGradients> {
      if (closed) return Promise.reject(new Error('gradient helpers are closed'));
      if (failure) return Promise.reject(failure);
      const worker = workers[helper];
      if (!worker) return Promise.reject(new Error(`no gradient helper ${helper} (there are ${workers.length})`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // postMessage copies part and weights now (structured clone), so the trainer may update its weights after.
        worker.postMessage({ id, part, weights, counts, loss } satisfies GradientRequest);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      workers.forEach((worker, k) => worker.off('exit', exitListeners[k]!));
      await Promise.all(workers.map((w) => w.terminate()));
      for (const call of pending.values()) call.reject(new Error('gradient helpers closed'));
      pending.clear();
    },
  };
}
