/**
 * Worker thread of the parallel model calculator (parallel-model-calculator.ts): holds its own copy of the model on
 * its own tfjs backend (wasm + the native fused kernels, as initNodeBackend sets up) and evaluates the parts of each
 * batch it is sent with the in-thread model calculator (core/calc/model-calculator.ts).
 *
 * Messages in:  { id, structures, forces, stress } (a part), or { id, queue: { chunks, claim }, forces, stress } (a
 *               queued call: the worker claims chunk indices from the shared counter `claim[0]` until they run out).
 * Messages out: { ready, backend } once (or { startError }), then for a part { id, results } or { id, error }, and for
 *               a queued call { id, chunk, results } or { id, chunk, error } per claimed chunk, then { id, done }.
 *               Each result is a CalcResult or { error, atoms } for a structure that failed (an error row, not a
 *               failed batch).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CalculationError, type CalcResult } from '../../core/calc/calculator';
import { createModelCalculator } from '../../core/calc/model-calculator';
import type { BackendPreference } from '../../core/engine/backend/backend';
import { modelFromFile } from '../../core/engine/model-file/families';
import { decodeModelFile } from '../../core/engine/model-file/model-file';
import type { Structure } from '../../core/structure/structure';
import { initNodeBackend } from '../models/node-backend';

export interface ModelCalculatorWorkerData {
  readonly modelJson: string;
  readonly modelWeights: Uint8Array;
  readonly backend: BackendPreference;
  readonly id: string;
  readonly batchSize: number;
}

/** What a request asks for: a part, or a queued call whose chunks the worker claims. */
export type ModelCalculatorWork = {
  readonly forces: boolean;
  readonly stress: boolean;
} & (
  | { readonly structures: readonly Structure[] }
  /** `claim`: an Int32Array on a SharedArrayBuffer whose element 0 is the next unclaimed chunk (Atomics.add). */
  | { readonly queue: { readonly chunks: readonly (readonly Structure[])[]; readonly claim: Int32Array } }
);

export type ModelCalculatorWorkRequest = { readonly id: number } & ModelCalculatorWork;

/** A structure's failure as it crosses the thread boundary. */
export interface FailedResult {
  readonly error: string;
  readonly atoms: readonly number[];
}

export type ModelCalculatorWorkReply =
  | { readonly ready: true; readonly backend: string }
  | { readonly startError: string }
  | { readonly id: number; readonly results: Array<CalcResult | FailedResult> }
  | { readonly id: number; readonly error: string }
  | { readonly id: number; readonly chunk: number; readonly results: Array<CalcResult | FailedResult> }
  | { readonly id: number; readonly chunk: number; readonly error: string }
  | { readonly id: number; readonly done: true };

const port = parentPort;
if (!port) throw new Error('model-calculator-worker.ts runs as a worker thread (see parallel-model-calculator.ts)');
const data = workerData as ModelCalculatorWorkerData;
try {
  const backend = await initNodeBackend(data.backend);
  const model = modelFromFile(decodeModelFile(data.modelJson, data.modelWeights, 'parallel calculator model'));
  const calculator = createModelCalculator(model, { id: data.id, batchSize: data.batchSize, ownsModel: true });
  const toWire = (results: Array<CalcResult | Error>) => results.map((r): CalcResult | FailedResult =>
    r instanceof Error ? { error: r.message, atoms: r instanceof CalculationError ? r.atoms : [] } : r);
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const runQueue = async (id: number, chunks: readonly (readonly Structure[])[], claim: Int32Array, options: { forces: boolean; stress: boolean }) => {
    for (let c = Atomics.add(claim, 0, 1); c < chunks.length; c = Atomics.add(claim, 0, 1)) {
      try {
        port.postMessage({ id, chunk: c, results: toWire(await calculator.calculate(chunks[c]!, options)) } satisfies ModelCalculatorWorkReply);
      } catch (error) {
        port.postMessage({ id, chunk: c, error: message(error) } satisfies ModelCalculatorWorkReply);
      }
    }
    port.postMessage({ id, done: true } satisfies ModelCalculatorWorkReply);
  };
  port.on('message', (request: ModelCalculatorWorkRequest) => {
    const options = { forces: request.forces, stress: request.stress };
    if ('queue' in request) {
      void runQueue(request.id, request.queue.chunks, request.queue.claim, options);
      return;
    }
    calculator.calculate(request.structures, options).then(
      (results) => port.postMessage({ id: request.id, results: toWire(results) } satisfies ModelCalculatorWorkReply),
      (error: unknown) => port.postMessage({ id: request.id, error: message(error) } satisfies ModelCalculatorWorkReply),
    );
  });
  port.postMessage({ ready: true, backend: backend.description } satisfies ModelCalculatorWorkReply);
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error) } satisfies ModelCalculatorWorkReply);
}
