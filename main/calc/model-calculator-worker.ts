/**
 * Worker thread of the parallel model calculator (parallel-model-calculator.ts): holds its own copy of the model on
 * its own tfjs backend (wasm + the native fused kernels, as initNodeBackend sets up) and evaluates the parts of each
 * batch it is sent with the in-thread model calculator (core/calc/model-calculator.ts).
 *
 * Messages in:  { id, structures, forces, stress }
 * Messages out: { ready, backend } once (or { startError }), then { id, results } or { id, error }, where each result
 *               is a CalcResult or { error, atoms } for a structure that failed (an error row, not a failed batch).
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

export interface ModelCalculatorWorkRequest {
  readonly id: number;
  readonly structures: readonly Structure[];
  readonly forces: boolean;
  readonly stress: boolean;
}

/** A structure's failure as it crosses the thread boundary. */
export interface FailedResult {
  readonly error: string;
  readonly atoms: readonly number[];
}

export type ModelCalculatorWorkReply =
  | { readonly ready: true; readonly backend: string }
  | { readonly startError: string }
  | { readonly id: number; readonly results: Array<CalcResult | FailedResult> }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (!port) throw new Error('model-calculator-worker.ts runs as a worker thread (see parallel-model-calculator.ts)');
const data = workerData as ModelCalculatorWorkerData;
try {
  const backend = await initNodeBackend(data.backend);
  const model = modelFromFile(decodeModelFile(data.modelJson, data.modelWeights, 'parallel calculator model'));
  const calculator = createModelCalculator(model, { id: data.id, batchSize: data.batchSize, ownsModel: true });
  port.on('message', (request: ModelCalculatorWorkRequest) => {
    calculator.calculate(request.structures, { forces: request.forces, stress: request.stress }).then(
      (results) => {
        const wire = results.map((r): CalcResult | FailedResult =>
          r instanceof Error ? { error: r.message, atoms: r instanceof CalculationError ? r.atoms : [] } : r);
        port.postMessage({ id: request.id, results: wire } satisfies ModelCalculatorWorkReply);
      },
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ModelCalculatorWorkReply),
    );
  });
  port.postMessage({ ready: true, backend: backend.description } satisfies ModelCalculatorWorkReply);
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error) } satisfies ModelCalculatorWorkReply);
}
