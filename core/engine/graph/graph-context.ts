/**
 * The typed graph context every model consumes: one disjoint graph for a batch of structures.
 *
 * Conventions (shared by every model family; MACE/PyG style):
 * - Edge e goes from sender `edgeSrc[e]` (atom j) to receiver `edgeDst[e]` (atom i); messages are summed at the receiver.
 * - Edge vector r_e = positions[dst] - positions[src] + shifts[e] (Å): the vector from the sender to the
 *   receiver's periodic image dst + n, with shifts[e] = n·cell (Å) (zero for molecules). Compute it with
 *   `edgeVectors(ctx)` (core/engine/geometry/edges) so forces and stress flow. Both directions of every pair
 *   are present (sender i -> receiver j with n, and j -> i with -n).
 * - Species index = position of the atom's atomic number in the model's `species` list (not Z itself).
 * - Units: Å for lengths, eV for energies, eV/Å for forces, eV/Å³ for stress.
 *
 * Tensors are owned by the context: call `disposeGraphContext` when done (or build it inside tf.tidy).
 * Build one with `buildGraphContext` (core/engine/geometry/batch), which runs the neighbour list on the host.
 */
import * as tf from '@tensorflow/tfjs';

export interface GraphContext {
  /** Number of atoms over all graphs. */
  readonly nAtoms: number;
  /** Number of directed edges over all graphs. */
  readonly nEdges: number;
  /** Number of structures (graphs) in the batch. */
  readonly nGraphs: number;
  /** [nAtoms, 3] float32, Å. The tensor that forces and stress are differentiated against. */
  readonly positions: tf.Tensor2D;
  /** [nAtoms] int32, index into the model's species list. */
  readonly species: tf.Tensor1D;
  /** [nEdges] int32, sender atom j. */
  readonly edgeSrc: tf.Tensor1D;
  /** [nEdges] int32, receiver atom i. */
  readonly edgeDst: tf.Tensor1D;
  /** [nEdges, 3] float32, Cartesian lattice translation n·cell of the receiver's image (Å); zeros for molecules. */
  readonly shifts: tf.Tensor2D;
  /** [nAtoms] int32, graph index of each atom (0..nGraphs-1), non-decreasing. */
  readonly batch: tf.Tensor1D;
  /** [nGraphs, 3, 3] float32, cell rows a,b,c (Å); zeros for non-periodic graphs. */
  readonly cells: tf.Tensor3D;
  /** Host-side copies (for bookkeeping, splitting results per graph, and building derived contexts). */
  readonly host: GraphContextHost;
}

export interface GraphContextHost {
  /** Atomic numbers, [nAtoms]. */
  readonly numbers: Uint8Array;
  /** [nAtoms] species index. */
  readonly species: Int32Array;
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
  /** [nEdges * 3] integer cell offsets n (the shift is n·cell). */
  readonly cellOffsets: Int32Array;
  readonly batch: Int32Array;
  /** Atom offset of each graph, [nGraphs + 1]; graph g owns atoms atomStart[g] .. atomStart[g+1]-1. */
  readonly atomStart: Int32Array;
  /** Per-graph periodicity: true when any pbc flag of the structure is set. */
  readonly periodic: readonly boolean[];
  /** Per-graph cell volume (Å³); 0 for molecules. */
  readonly volumes: Float64Array;
  /** Neighbour cutoff the edges were built with (Å). */
  readonly cutoff: number;
}

/** Disposes every tensor of a context. */
export function disposeGraphContext(ctx: GraphContext): void {
  tf.dispose([ctx.positions, ctx.species, ctx.edgeSrc, ctx.edgeDst, ctx.shifts, ctx.batch, ctx.cells]);
}

/** The same graph with other positions/shifts/cells (used to differentiate w.r.t. positions and strain); shares the rest. */
export function withGeometry(
  ctx: GraphContext,
  geometry: { positions: tf.Tensor2D; shifts?: tf.Tensor2D; cells?: tf.Tensor3D },
): GraphContext {
  return { ...ctx, positions: geometry.positions, shifts: geometry.shifts ?? ctx.shifts, cells: geometry.cells ?? ctx.cells };
}
