/**
 * A model calculator that uses more than one core: tfjs-wasm runs single-threaded in Node and the fused native
 * kernels thread only the message and product-basis ops, so the work of a call is shared between this thread and
 * `workers` worker threads, each with its own copy of the model (model-calculator-worker.ts), and the results are
 * put back in order. Two ways, by the size of the call:
 *
 *  - A call of at least 2 forward passes per thread (`batchSize` structures each; `equimol predict --threads N`
 *    sends pipeline batches of 8 passes per thread) is cut into consecutive chunks of `batchSize` structures. Every
 *    worker is sent the whole call once, and each thread claims the next chunk from one shared counter (Atomics on
 *    a SharedArrayBuffer) when it is free, so no thread waits for another to hand it work and none holds work
 *    another could start: the threads finish within one chunk of each other. (A queue fed by this thread, with
 *    two chunks held per worker, left this thread idle at the end of each call: 3 of 8 chunks here and 5 there,
 *    1.4-1.6x instead of the 1.9x two free-running threads reach on the same passes.) A faster core takes more
 *    chunks: on a machine whose cores do not run at the same speed (a VM on a shared host) the threads still finish
 *    together. Each chunk is one forward pass whichever thread takes it, the same
 *    passes the in-thread calculator makes, so the numbers equal the in-thread calculator's exactly when no
 *    structure is refused (a refused one shifts the in-thread passes, so then to float32 rounding).
 *  - A smaller call (one molecular-dynamics step, a short batch) is split into contiguous parts of about equal
 *    atom counts, one per thread, evaluated at once. A structure then shares its forward pass with other partners,
 *    which changes the order of some sums: the numbers equal the in-thread calculator's to float32 rounding (on
 *    4,657 QM9 molecules, 33 of 9,314 energies and largest forces differed, by ≤ 5e-7 relative).
 *
 * Structures that fail stay error rows in their slots. If a worker dies or fails a chunk or part, it is evaluated
 * on this thread instead, so a call never loses rows to a helper. Cancellation (`signal`) is checked before work
 * starts and before each chunk this thread takes; work already sent to workers finishes and is dropped.
 *
 * Workers start from model-calculator-worker-entry.mjs (tsx): for runs from sources (the CLI, benches, tests).
 */
import { CalculationError, type CalcRequest, type CalcResult, type Calculator } from '../../core/calc/calculator';
import { createModelCalculator } from '../../core/calc/model-calculator';
import type { BackendPreference } from '../../core/engine/backend/backend';
import type { EnergyModel } from '../../core/engine/model';
import type { Structure } from '../../core/structure/structure';
import { modelCopyForWorkers, startWorkers } from '../workers/start-workers';
import type { FailedResult, ModelCalculatorWork, ModelCalculatorWorkerData, ModelCalculatorWorkReply, ModelCalculatorWorkRequest } from './model-calculator-worker';

export interface ParallelModelCalculatorOptions {
  readonly id: string;
  /** Worker threads besides this one (≥ 1): `threads - 1`. */
  readonly workers: number;
  /** Structures per forward pass: the chunk of the queue, and the pass size within each part (default 32). */
  readonly batchSize?: number;
  readonly backend?: BackendPreference;
}

export interface ParallelModelCalculator extends Calculator {
  /** Backend description of each worker. */
  readonly workerBackends: readonly string[];
  /** Chunks or parts a worker failed that were evaluated on this thread instead. */
  readonly fallbacks: () => number;
  /** Structures per forward pass (the chunk size of the queue). */
  readonly batchSize: number;
  /** Chunks of the last queued call evaluated on each thread: [this thread, worker 1, …]. */
  readonly lastShares: () => readonly number[];
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
  /** Calls sent to workers: a part (answered once) or a queued call (answered chunk by chunk, then done). */
  const pending = new Map<number, {
    worker: number;
    resolve: (r: Array<CalcResult | Error>) => void;
    reject: (e: Error) => void;
    onChunk?: (chunk: number, results: Array<CalcResult | Error> | Error) => void;
  }>();
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
      if ('chunk' in reply) {
        call.onChunk?.(reply.chunk, 'error' in reply ? new Error(`model worker ${k}: ${reply.error}`) : reply.results.map(fromWire));
        return;
      }
      pending.delete(reply.id);
      if ('error' in reply) call.reject(new Error(`model worker ${k}: ${reply.error}`));
      else call.resolve('done' in reply ? [] : reply.results.map(fromWire));
    });
    worker.on('error', (error) => failWorker(k, new Error(`model worker ${k} crashed: ${error.message}`)));
    worker.on('exit', exitListeners[k]!);
  });
  /**
   * Sends worker `k` its `work` and registers its answer: a part resolves with its results; a queued call passes
   * each claimed chunk to `onChunk` and resolves (with no rows) once the worker claims no more. Rejects when the
   * worker is not running or the work does not clone.
   */
  const send = (k: number, work: ModelCalculatorWork, onChunk?: (chunk: number, results: Array<CalcResult | Error> | Error) => void): Promise<Array<CalcResult | Error>> => {
    if (dead.has(k)) return Promise.reject(new Error(`model worker ${k} is not running`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { worker: k, resolve, reject, ...(onChunk ? { onChunk } : {}) });
      try {
        workers[k]!.postMessage({ ...work, id } satisfies ModelCalculatorWorkRequest);
      } catch (error) {
        pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
  const flags = (request: CalcRequest) => ({ forces: request.forces ?? false, stress: request.stress ?? false });
  let shares: number[] = [];
  /** A large call: consecutive chunks of `batchSize`, each claimed from a shared counter by whichever thread is free. */
  const queued = async (structures: readonly Structure[], request: CalcRequest): Promise<Array<CalcResult | Error>> => {
    const chunks: Structure[][] = [];
    for (let start = 0; start < structures.length; start += batchSize) chunks.push(structures.slice(start, start + batchSize));
    const results = new Array<Array<CalcResult | Error> | undefined>(chunks.length);
    const counts = [0, ...workers.map(() => 0)];
    const claim = new Int32Array(new SharedArrayBuffer(4)); // [next unclaimed chunk]
    const stop = () => Atomics.store(claim, 0, chunks.length);
    // A worker that cannot take the call (it is not running, or the structures do not clone) leaves its share to
    // this thread; a chunk it fails, or claims and then dies with, is evaluated here at the end.
    const remote = workers.map((_, k) => send(k, { queue: { chunks, claim }, ...flags(request) }, (c, r) => {
      if (r instanceof Error) return;
      results[c] = r;
      counts[k + 1]!++;
    }).catch(() => void fallbacks++));
    try {
      for (let c = Atomics.add(claim, 0, 1); c < chunks.length; c = Atomics.add(claim, 0, 1)) {
        request.signal?.throwIfAborted();
        results[c] = await local.calculate(chunks[c]!, request);
        counts[0]!++;
      }
      await Promise.all(remote);
      for (let c = 0; c < chunks.length; c++) {
        if (results[c]) continue;
        request.signal?.throwIfAborted();
        fallbacks++;
        results[c] = await local.calculate(chunks[c]!, request);
        counts[0]!++;
      }
    } finally {
      stop(); // after a cancellation the workers claim no more
    }
    shares = counts;
    return results.flat() as Array<CalcResult | Error>;
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
    description: { ...local.description, notes: `${local.description.notes ?? ''} On ${workers.length + 1} threads (data-parallel: chunks of ${batchSize} from a queue, or parts of a small batch).`.trim() },
    workerBackends,
    fallbacks: () => fallbacks,
    batchSize,
    lastShares: () => shares,
    unsupportedReason: (structure) => local.unsupportedReason(structure),
    async calculate(structures, request = {}) {
      if (closed) throw new Error('the parallel model calculator is closed');
      request.signal?.throwIfAborted();
      const threads = workers.length + 1;
      if (structures.length >= 2 * threads * batchSize) return queued(structures, request);
      const parts = splitByAtoms(structures, Math.min(threads, structures.length));
      // Send the helpers' parts first, then evaluate part 0 here while they run.
      const remote = parts.slice(1).map((part, k) => send(k, { structures: part, ...flags(request) }).catch(() => {
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
