/**
 * Any trained energy model (EGNN, MACE, TDN, eSCN, FAENet) as a Calculator, and the one place that evaluates a
 * model on structures: `evaluateModelBatch` (used by this calculator, hence by the model predictors, and by
 * `evaluateModel` in core/engine/eval.ts). Forces and stress come from `energyAndForces` (core/engine/model.ts),
 * the engine's one place for F = −∂E/∂r and σ = (1/V) ∂E/∂ε. Units: Å, eV, eV/Å, eV/Å³ (ASE sign).
 *
 * Verlet list (Verlet 1967; as in ASE's NeighborList skin and LAMMPS' neighbor skin): a sampler evaluates the
 * same structure (same atoms in the same order, same cell) again and again with small moves. The calculator keeps
 * the host graph built with cutoff + skin and reuses it while no atom has moved more than skin/2 since the build:
 * then every pair now closer than the cutoff was closer than cutoff + skin at the build. Each step keeps only the
 * edges within the cutoff, so the model sees exactly the edges of a fresh build (in another order).
 *
 * The tfjs backend must be initialised by the caller. Tensors are created inside tf.tidy and disposed before
 * `calculate` resolves, so repeated calls leave no tensors behind.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../structure/structure';
import { buildHostGraph, graphContextFromHost, type HostGraph } from '../engine/geometry/batch';
import { energyAndForces, type EnergyModel, type ModelParams } from '../engine/model';
import {
  CalculationError,
  checkFinite,
  elementCoverageReason,
  structureLabel,
  type CalcRequest,
  type CalcResult,
  type Calculator,
  type CalculatorDescription,
} from './calculator';

/** Raw per-batch outputs (float32 as the model computes them). */
export interface ModelBatchEvaluation {
  /** [nGraphs] eV. */
  readonly energy: Float32Array;
  /** [nAtoms * 3] eV/Å, when forces or stress were requested. */
  readonly forces?: Float32Array;
  /** [nGraphs * 9] eV/Å³, when stress was requested (zero for non-periodic graphs). */
  readonly stress?: Float32Array;
  /** Atom offset of each graph, [nGraphs + 1]. */
  readonly atomStart: Int32Array;
}

export interface ModelBatchOptions {
  readonly forces?: boolean;
  readonly stress?: boolean;
  /** Parameters to evaluate with (an EMA copy during training); default model.params. */
  readonly params?: ModelParams;
}

/** Evaluates a host graph: energies, and forces/stress through `energyAndForces`. Leaves no tensors behind. */
export async function evaluateHostGraph(model: EnergyModel, host: HostGraph, options: ModelBatchOptions = {}): Promise<ModelBatchEvaluation> {
  const params = options.params ?? model.params;
  const outputs = tf.tidy(() => {
    const ctx = graphContextFromHost(host); // disposed by tidy
    if (!options.forces && !options.stress) return [model.energy(ctx, params)];
    const r = energyAndForces(model, ctx, { params, ...(options.stress ? { stress: true } : {}) });
    return r.stress ? [r.energy, r.forces, r.stress] : [r.energy, r.forces];
  });
  try {
    const data = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
    return { energy: data[0]!, ...(data[1] ? { forces: data[1] } : {}), ...(data[2] ? { stress: data[2] } : {}), atomStart: host.atomStart };
  } finally {
    tf.dispose(outputs);
  }
}

/** Structures → one disjoint graph → model outputs. Throws (naming the structure) for an element the model lacks. */
export function evaluateModelBatch(model: EnergyModel, structures: readonly Structure[], options: ModelBatchOptions = {}): Promise<ModelBatchEvaluation> {
  return evaluateHostGraph(model, buildHostGraph(structures, { cutoff: model.cutoff, species: model.species }), options);
}

export interface ModelCalculatorOptions {
  /** Calculator id, e.g. 'model:mace-ethanol-rmd17'. */
  readonly id: string;
  readonly name?: string;
  readonly notes?: string;
  /** Verlet skin (Å) for repeated evaluation of one structure; default 0.5. 0 rebuilds whenever an atom moves. */
  readonly skin?: number;
  /** Structures per forward pass (one disjoint graph); default 32. */
  readonly batchSize?: number;
  readonly params?: ModelParams;
  /** Dispose the model's weights when the calculator is disposed (default true). */
  readonly ownsModel?: boolean;
}

export interface ModelCalculatorStats {
  /** Neighbour lists built for the single-structure (Verlet) path. */
  readonly neighbourListBuilds: number;
  /** Single-structure evaluations that reused the last list. */
  readonly neighbourListReuses: number;
  /** Forward passes (graphs evaluated as one batch). */
  readonly forwardPasses: number;
  /** Directed edges the model saw in the last single-structure evaluation (those within the cutoff). */
  readonly lastEdgeCount: number;
}

export interface ModelCalculator extends Calculator {
  readonly model: EnergyModel;
  stats(): ModelCalculatorStats;
}

function fullyPeriodic(structure: Structure): boolean {
  return structure.cell !== undefined && structure.pbc.every(Boolean);
}

function sameArray(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The last single-structure build: the structure's identity, positions at the build and the cutoff+skin graph. */
interface VerletState {
  readonly numbers: Uint8Array;
  readonly pbc: readonly boolean[];
  readonly cell: Float64Array | undefined;
  readonly reference: Float64Array;
  readonly host: HostGraph;
}

/** The skin graph's edges within `cutoff` at the current positions, as a host graph of exactly those edges. */
function filteredHost(state: VerletState, positions: Float64Array, cutoff: number): HostGraph {
  const skinHost = state.host;
  const cell = state.cell ?? new Float64Array(9);
  const keep: number[] = [];
  const shift = new Float64Array(skinHost.nEdges * 3);
  const cutoff2 = cutoff * cutoff;
  for (let e = 0; e < skinHost.nEdges; e++) {
    const i = skinHost.edgeSrc[e]!, j = skinHost.edgeDst[e]!;
    let r2 = 0;
    for (let d = 0; d < 3; d++) {
      const s = skinHost.cellOffsets[3 * e]! * cell[d]! + skinHost.cellOffsets[3 * e + 1]! * cell[3 + d]! + skinHost.cellOffsets[3 * e + 2]! * cell[6 + d]!;
      shift[3 * e + d] = s;
      const x = positions[3 * j + d]! - positions[3 * i + d]! + s;
      r2 += x * x;
    }
    if (r2 < cutoff2) keep.push(e);
  }
  const nEdges = keep.length;
  const edgeSrc = new Int32Array(nEdges), edgeDst = new Int32Array(nEdges);
  const cellOffsets = new Int32Array(nEdges * 3), shifts = new Float32Array(nEdges * 3);
  keep.forEach((e, k) => {
    edgeSrc[k] = skinHost.edgeSrc[e]!;
    edgeDst[k] = skinHost.edgeDst[e]!;
    for (let d = 0; d < 3; d++) {
      cellOffsets[3 * k + d] = skinHost.cellOffsets[3 * e + d]!;
      shifts[3 * k + d] = shift[3 * e + d]!;
    }
  });
  return { ...skinHost, positions: Float32Array.from(positions), nEdges, edgeSrc, edgeDst, cellOffsets, shifts, cutoff };
}

export function createModelCalculator(model: EnergyModel, options: ModelCalculatorOptions): ModelCalculator {
  const skin = options.skin ?? 0.5;
  if (!(skin >= 0 && Number.isFinite(skin))) throw new RangeError(`Verlet skin must be ≥ 0 Å, got ${skin}`);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const graphOptions = { cutoff: model.cutoff, species: model.species };
  const batchOptions = (stress: boolean, forces: boolean): ModelBatchOptions => ({ forces, stress, ...(options.params ? { params: options.params } : {}) });
  const counters = { neighbourListBuilds: 0, neighbourListReuses: 0, forwardPasses: 0, lastEdgeCount: 0 };
  let verlet: VerletState | undefined;

  const description: CalculatorDescription = {
    id: options.id,
    name: options.name ?? `${model.family.toUpperCase()} model`,
    method: 'model',
    elements: [...model.species],
    charge: false,
    spin: false,
    periodic: true,
    stress: true,
    notes: options.notes ?? `${model.family} energy model, cutoff ${model.cutoff} Å; forces −∂E/∂r, stress (1/V) ∂E/∂ε for periodic cells`,
  };
  const unsupportedReason = (structure: Structure): string | undefined => elementCoverageReason(structure, model.species, 'the model');

  /** The single-structure host graph, reusing the last cutoff+skin list when nothing moved more than skin/2. */
  const verletHost = (structure: Structure): HostGraph => {
    const positions = structure.positions;
    let valid = verlet !== undefined && sameArray(verlet.numbers, structure.numbers) && sameArray(verlet.pbc.map(Number), structure.pbc.map(Number)) && sameArray(verlet.cell, structure.cell);
    if (valid) {
      const limit = (skin / 2) ** 2;
      const reference = verlet!.reference;
      for (let a = 0; a < positions.length && valid; a += 3) {
        const dx = positions[a]! - reference[a]!, dy = positions[a + 1]! - reference[a + 1]!, dz = positions[a + 2]! - reference[a + 2]!;
        if (dx * dx + dy * dy + dz * dz > limit) valid = false;
      }
    }
    if (valid) {
      counters.neighbourListReuses++;
    } else {
      verlet = undefined; // a failed build must not leave a stale list behind
      const host = buildHostGraph([structure], { ...graphOptions, cutoff: model.cutoff + skin });
      verlet = { numbers: Uint8Array.from(structure.numbers), pbc: [...structure.pbc], cell: structure.cell ? Float64Array.from(structure.cell) : undefined, reference: Float64Array.from(positions), host };
      counters.neighbourListBuilds++;
    }
    const host = filteredHost(verlet!, positions, model.cutoff);
    counters.lastEdgeCount = host.nEdges;
    return host;
  };

  /** Results of one group (same stress request), in order; a failing batch is retried one structure at a time. */
  const evaluateGroup = async (structures: readonly Structure[], labels: readonly string[], request: CalcRequest, withStress: boolean): Promise<Array<CalcResult | Error>> => {
    const forces = request.forces ?? false;
    const run = async (chunk: readonly Structure[]): Promise<CalcResult[]> => {
      const host = chunk.length === 1 ? verletHost(chunk[0]!) : buildHostGraph(chunk, graphOptions);
      counters.forwardPasses++;
      const out = await evaluateHostGraph(model, host, batchOptions(withStress, forces));
      return chunk.map((structure, g) => {
        const start = out.atomStart[g]!, end = out.atomStart[g + 1]!;
        return {
          energy: out.energy[g]!,
          ...(forces && out.forces ? { forces: Float64Array.from(out.forces.subarray(3 * start, 3 * end)) } : {}),
          ...(withStress && out.stress && fullyPeriodic(structure) ? { stress: Float64Array.from(out.stress.subarray(9 * g, 9 * g + 9)) } : {}),
        };
      });
    };
    const results: Array<CalcResult | Error> = [];
    for (let start = 0; start < structures.length; start += batchSize) {
      if (request.signal?.aborted) throw request.signal.reason ?? new Error('cancelled');
      const chunk = structures.slice(start, start + batchSize);
      try {
        (await run(chunk)).forEach((r, k) => results.push(checkFinite(r, labels[start + k])));
      } catch (batchError) {
        if (chunk.length === 1) {
          results.push(new CalculationError(`${labels[start]}: ${batchError instanceof Error ? batchError.message : String(batchError)}`));
          continue;
        }
        // One structure broke the shared graph (e.g. a degenerate cell): evaluate one by one so only it fails.
        for (let k = 0; k < chunk.length; k++) {
          try {
            results.push(checkFinite((await run([chunk[k]!]))[0]!, labels[start + k]));
          } catch (error) {
            results.push(new CalculationError(`${labels[start + k]}: ${error instanceof Error ? error.message : String(error)}`));
          }
        }
      }
    }
    return results;
  };

  return {
    description,
    model,
    unsupportedReason,
    stats: () => ({ ...counters }),
    async calculate(structures: readonly Structure[], request: CalcRequest = {}): Promise<Array<CalcResult | Error>> {
      if (request.signal?.aborted) throw request.signal.reason ?? new Error('cancelled');
      const results = new Array<CalcResult | Error>(structures.length);
      // Fully periodic structures go in their own graphs when stress is asked for (only they need the strain derivative).
      const groups: [number[], number[]] = [[], []];
      structures.forEach((structure, k) => {
        const reason = unsupportedReason(structure);
        if (reason) results[k] = new CalculationError(`${structureLabel(structure, k)}: ${reason}`);
        else groups[request.stress && fullyPeriodic(structure) ? 1 : 0].push(k);
      });
      for (const [g, indices] of groups.entries()) {
        if (indices.length === 0) continue;
        const group = await evaluateGroup(indices.map((k) => structures[k]!), indices.map((k) => structureLabel(structures[k]!, k)), request, g === 1);
        group.forEach((r, j) => (results[indices[j]!] = r));
      }
      return results;
    },
    dispose() {
      verlet = undefined;
      if (options.ownsModel ?? true) model.dispose();
    },
  };
}
