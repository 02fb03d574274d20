/**
 * A model calculator that uses more than one core: tfjs-wasm runs single-threaded in Node and the fused native
 * kernels thread only the message and product-basis ops, so a batch of structures is split into contiguous parts
 * of about equal atom counts, evaluated at once on this thread and on `workers` worker threads, each with its own
 * copy of the model (model-calculator-worker.ts), and the results put back in order. The numbers equal the
 * in-thread calculator's to float32 rounding: a structure shares its forward pass with other partners, which changes
 * the order of some sums (on 4,657 QM9 molecules, 33 of 9,314 energies and largest forces differed, by ≤ 5e-7 relative).
 *
 * Structures that fail stay error rows in their slots. If a worker dies or fails a part, that part is evaluated on
 * this thread instead, so a batch never loses rows to a helper. Cancellation (`signal`) is checked before the parts
 * start and by the in-thread part; parts already sent to workers finish.
 *
 * Workers start from model-calculator-worker-entry.mjs (tsx): for runs from sources (the CLI, benches, tests).
 */
import { CalculationError, type CalcRequest, type CalcResult, type Calculator } from '../../core/calc/calculator';
import { createModelCalculator } from '../../core/calc/model-calculator';
import type { BackendPreference } from '../../core/engine/backend/backend';
import type { EnergyModel } from '../../core/engine/model';
import type { Structure } from '../../core/structure/structure';
import { modelCopyForWorkers, startWorkers } from '../workers/start-workers';
import type { FailedResult, ModelCalculatorWorkerData, ModelCalculatorWorkReply, ModelCalculatorWorkRequest } from './model-calculator-worker';

export interface ParallelModelCalculatorOptions {
  readonly id: string;
  /** Worker threads besides this one (≥ 1): `threads - 1`. */
  readonly workers: number;
  /** Structures per forward pass within each part (default 32). */
  readonly batchSize?: number;
  readonly backend?: BackendPreference;
}

export interface ParallelModelCalculator extends Calculator {
  /** Backend description of each worker. */
  readonly workerBackends: readonly string[];
  /** Parts a worker failed that were evaluated on this thread instead. */
  readonly fallbacks: () => number;
  close(): Promise<void>;
}

/** Contiguous parts of `structures`, at most `count`, of about equal atom counts; empty parts dropped. */
export function splitByAtoms(structures: readonly Structure[], count: number): Structure[][] {
  const total = structures.reduce((s, x) => s + x.numbers.length, 0);
  const parts: Structure[][] = Array.from({ length: count }, () => []);
  let seen = 0;
  for (const structure of structures) {
    const k = Math.min(count - 1, Math.floor((count * (seen + structure.numbers.length / 2)) / Math.max(1, total)));
    parts[k]!.push(structure);
    seen += structure.numbers.length;
  }
  return parts.filter((p) => p.length > 0);
}

function fromWire(result: CalcResult | FailedResult): CalcResult | Error {
  return 'error' in result ? new CalculationError(result.error, result.atoms) : result;
}

export async function startParallelModelCalculator(model: EnergyModel, options: ParallelModelCalculatorOptions): Promise<ParallelModelCalculator> {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`worker count must be a positive integer, got ${options.workers}`);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const workerData: ModelCalculatorWorkerData = { ...modelCopyForWorkers(model, 'parallel calculator copy'), backend: options.backend ?? 'wasm', id: options.id, batchSize };
  const entry = new URL('./model-calculator-worker-entry.mjs', import.meta.url);
  const { workers, backends: workerBackends } = await startWorkers(entry, workerData, options.workers, 'model worker');
  const local = createModelCalculator(model, { id: options.id, batchSize, ownsModel: false });
  const pending = new Map<number, { worker: number; resolve: (r: Array<CalcResult | Error>) => void; reject: (e: Error) => void }>();
  const dead = new Set<number>();
  let nextId = 0;
  let fallbacks = 0;
  const failWorker = (k: number, error: Error) => {
    dead.add(k);
    for (const [id, call] of pending) {
      if (call.worker !== k) continue;
      pending.delete(id);
      call.reject(error);
    }
  };
  const exitListeners = workers.map((_, k) => (code: number) => failWorker(k, new Error(`model worker ${k} exited with code ${code}`)));
  workers.forEach((worker, k) => {
    worker.on('message', (reply: ModelCalculatorWorkReply) => {
      if (!('id' in reply)) return;
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if ('error' in reply) call.reject(new Error(`model worker ${k}: ${reply.error}`));
      else call.resolve(reply.results.map(fromWire));
    });
    worker.on('error', (error) => failWorker(k, new Error(`model worker ${k} crashed: ${error.message}`)));
    worker.on('exit', exitListeners[k]!);
  });
  const onWorker = (k: number, structures: readonly Structure[], request: CalcRequest): Promise<Array<CalcResult | Error>> => {
    if (dead.has(k)) return Promise.reject(new Error(`model worker ${k} is not running`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { worker: k, resolve, reject });
      workers[k]!.postMessage({ id, structures, forces: request.forces ?? false, stress: request.stress ?? false } satisfies ModelCalculatorWorkRequest);
    });
  };
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    workers.forEach((w, k) => w.off('exit', exitListeners[k]!));
    await Promise.all(workers.map((w) => w.terminate()));
    for (const call of pending.values()) call.reject(new Error('the parallel model calculator was closed'));
    pending.clear();
    local.dispose?.();
  };
  return {
    description: { ...local.description, notes: `${local.description.notes ?? ''} On ${workers.length + 1} threads (data-parallel over the batch).`.trim() },
    workerBackends,
    fallbacks: () => fallbacks,
    unsupportedReason: (structure) => local.unsupportedReason(structure),
    async calculate(structures, request = {}) {
      if (closed) throw new Error('the parallel model calculator is closed');
      request.signal?.throwIfAborted();
      const parts = splitByAtoms(structures, Math.min(workers.length + 1, structures.length));
      // Send the helpers' parts first, then evaluate part 0 here while they run.
      const remote = parts.slice(1).map((part, k) => onWorker(k, part, request).catch(() => {
        fallbacks++;
        return local.calculate(part, request);
      }));
      const first = parts.length > 0 ? await local.calculate(parts[0]!, request) : [];
      return [first, ...(await Promise.all(remote))].flat();
    },
    dispose() {
      void close();
    },
    close,
  };
}
