/**
 * Worker thread of the gradient helper pool (gradient-helpers.ts): holds its own copy of the model on its own tfjs
 * backend and computes the loss and gradients of the batch parts it is sent, at the weights sent with them.
 *
 * Messages in:  { id, part: Structure[], weights: Float32Array[], counts, loss }
 * Messages out: { ready, backend } once, then { id, loss, gradients } or { id, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendPreference } from '../../core/engine/backend/backend';
import { decodeModelFile } from '../../core/engine/model-file/model-file';
import { modelFromFile } from '../../core/engine/model-file/families';
import { assignWeights, batchLossAndGradients, weightNames, type BatchCounts, type LossWeights } from '../../core/engine/train/batch-loss';
import type { Structure } from '../../core/structure/structure';
import { initNodeBackend } from '../models/node-backend';

export interface GradientWorkerData {
  readonly modelJson: string;
  readonly modelWeights: Uint8Array;
  readonly backend: BackendPreference;
}

export interface GradientRequest {
  readonly id: number;
  readonly part: readonly Structure[];
  readonly weights: readonly Float32Array[];
  readonly counts: BatchCounts;
  readonly loss: LossWeights;
}

export type GradientReply =
  | { readonly ready: true; readonly backend: string }
  | { readonly id: number; readonly loss: number; readonly gradients: Array<Float32Array | undefined> }
  | { readonly id: number; readonly error: string }
  | { readonly startError: string };

const port = parentPort;
if (!port) throw new Error('gradient-worker.ts runs as a worker thread (see gradient-helpers.ts)');
const data = workerData as GradientWorkerData;
try {
  const backend = await initNodeBackend(data.backend);
  const model = modelFromFile(decodeModelFile(data.modelJson, data.modelWeights, 'helper model'));
  const variables = weightNames(model).map((n) => model.params[n]!);
  port.on('message', (request: GradientRequest) => {
    try {
      assignWeights(variables, request.weights);
      const { loss, gradients } = batchLossAndGradients(model, variables, request.part, request.loss, request.counts);
      port.postMessage({ id: request.id, loss, gradients } satisfies GradientReply);
    } catch (error) {
      port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies GradientReply);
    }
  });
  port.postMessage({ ready: true, backend: backend.description } satisfies GradientReply);
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error) } satisfies GradientReply);
}
