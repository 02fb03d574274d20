/**
 * Starts worker threads that each set up once and then answer requests (the gradient helpers of training,
 * main/train/gradient-helpers.ts; the model workers of the parallel calculator, main/calc/parallel-model-calculator.ts).
 * Each worker's first message is { ready: true, backend } or { startError }. Resolves when every worker is ready;
 * otherwise terminates them all and rejects with the first failure (a start error, a crash or an exit while starting).
 */
import { Worker } from 'node:worker_threads';
import type { EnergyModel } from '../../core/engine/model';
import { modelToFile } from '../../core/engine/model-file/families';

/** The first message of a worker. */
export type WorkerStartReply = { readonly ready: true; readonly backend: string } | { readonly startError: string };

export interface StartedWorkers {
  readonly workers: Worker[];
  /** Backend description each worker reported. */
  readonly backends: string[];
}

/** `count` workers from `entry` with `workerData`; `what` names them in errors ('gradient helper', 'model worker'). */
export async function startWorkers(entry: URL, workerData: unknown, count: number, what: string): Promise<StartedWorkers> {
  const workers = Array.from({ length: count }, () => new Worker(entry, { workerData }));
  try {
    const backends = await Promise.all(workers.map((worker, k) => new Promise<string>((resolve, reject) => {
      // Remove exactly these listeners once started (removeAllListeners would also drop the port's own hooks).
      const onError = (error: Error) => { done(); reject(error); };
      const onExit = (code: number) => { done(); reject(new Error(`${what} ${k} exited with code ${code} while starting`)); };
      const onMessage = (reply: WorkerStartReply) => {
        done();
        if ('ready' in reply) resolve(reply.backend);
        else reject(new Error(`${what} ${k} failed to start: ${'startError' in reply ? reply.startError : 'unexpected message'}`));
      };
      const done = () => { worker.off('error', onError); worker.off('exit', onExit); worker.off('message', onMessage); };
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.on('message', onMessage);
    })));
    return { workers, backends };
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
}

/** `model` encoded for a worker to rebuild (modelFromFile(decodeModelFile(...))); `title` names the copy in its card. */
export function modelCopyForWorkers(model: EnergyModel, title: string): { readonly modelJson: string; readonly modelWeights: Uint8Array } {
  const file = modelToFile(model, { card: { title, description: '', trainingData: '', intendedUse: '', limitations: '', citation: '' } });
  return { modelJson: file.json, modelWeights: file.weights };
}
