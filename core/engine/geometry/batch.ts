/**
 * Batching: many Structures -> one disjoint graph (GraphContext) with atoms, edges and shifts concatenated.
 * Neighbour lists are built on the host per structure (O(N) cell lists) and offset into the batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Structure } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import type { GraphContext, GraphContextHost } from '../graph/graph-context';
import { neighbourList } from './neighbour-list';

export interface BuildGraphOptions {
  /** Neighbour cutoff (Å). */
  readonly cutoff: number;
  /** Atomic numbers the model knows, in species-index order. */
  readonly species: readonly number[];
}

/** Host-side graph arrays (no tensors): cheap to build in a worker and to cache across epochs. */
export interface HostGraph extends GraphContextHost {
  readonly positions: Float32Array;
  readonly shifts: Float32Array;
  readonly cells: Float32Array;
  readonly nAtoms: number;
  readonly nEdges: number;
  readonly nGraphs: number;
}

function cellVolume(c: ArrayLike<number>): number {
  return Math.abs(
    c[0]! * (c[4]! * c[8]! - c[5]! * c[7]!) - c[1]! * (c[3]! * c[8]! - c[5]! * c[6]!) + c[2]! * (c[3]! * c[7]! - c[4]! * c[6]!),
  );
}

/**
 * Builds host arrays for a batch. Throws Error naming the structure and element when an atom's element is
 * not among the model's species.
 */
export function buildHostGraph(structures: readonly Structure[], options: BuildGraphOptions): HostGraph {
  const speciesIndex = new Map<number, number>();
  options.species.forEach((z, i) => speciesIndex.set(z, i));
  const nAtoms = structures.reduce((s, st) => s + st.numbers.length, 0);
  const positions = new Float32Array(nAtoms * 3);
  const numbers = new Uint8Array(nAtoms);
  const species = new Int32Array(nAtoms);
  const batch = new Int32Array(nAtoms);
  const atomStart = new Int32Array(structures.length + 1);
  const cells = new Float32Array(structures.length * 9);
  const volumes = new Float64Array(structures.length);
  const periodic: boolean[] = [];
  const lists = [];
  let offset = 0;
  for (let g = 0; g < structures.length; g++) {
    const st = structures[g]!;
    const n = st.numbers.length;
    atomStart[g] = offset;
    for (let a = 0; a < n; a++) {
      const z = st.numbers[a]!;
      const s = speciesIndex.get(z);
      if (s === undefined) {
        const where = st.provenance ? `${st.provenance.file} record ${st.provenance.record + 1}` : `structure ${g + 1}${st.name ? ` (${st.name})` : ''}`;
        throw new Error(`${where}: element ${symbolOf(z)} (Z=${z}) of atom ${a + 1} is not supported by this model (knows ${options.species.map(symbolOf).join(', ')})`);
      }
      numbers[offset + a] = z;
      species[offset + a] = s;
      batch[offset + a] = g;
      positions[3 * (offset + a)] = st.positions[3 * a]!;
      positions[3 * (offset + a) + 1] = st.positions[3 * a + 1]!;
      positions[3 * (offset + a) + 2] = st.positions[3 * a + 2]!;
    }
    const isPeriodic = st.pbc.some((p) => p) && st.cell !== undefined;
    periodic.push(isPeriodic);
    if (st.cell && isPeriodic) {
      cells.set(st.cell, 9 * g);
      volumes[g] = cellVolume(st.cell);
    }
    lists.push(neighbourList({ positions: st.positions, ...(st.cell ? { cell: st.cell } : {}), pbc: isPeriodic ? st.pbc : [false, false, false] }, options.cutoff));
    offset += n;
  }
  atomStart[structures.length] = offset;
  const nEdges = lists.reduce((s, l) => s + l.src.length, 0);
  const edgeSrc = new Int32Array(nEdges);
  const edgeDst = new Int32Array(nEdges);
  const cellOffsets = new Int32Array(nEdges * 3);
  const shifts = new Float32Array(nEdges * 3);
  let e = 0;
  lists.forEach((list, g) => {
    const base = atomStart[g]!;
    for (let k = 0; k < list.src.length; k++, e++) {
      edgeSrc[e] = list.src[k]! + base;
      edgeDst[e] = list.dst[k]! + base;
    }
    cellOffsets.set(list.cellOffsets, 3 * (e - list.src.length));
    shifts.set(list.shifts, 3 * (e - list.src.length));
  });
  return {
    nAtoms, nEdges, nGraphs: structures.length, positions, shifts, cells,
    numbers, species, edgeSrc, edgeDst, cellOffsets, batch, atomStart, periodic, volumes, cutoff: options.cutoff,
  };
}

/** Uploads a host graph to tensors. Dispose with disposeGraphContext. */
export function graphContextFromHost(host: HostGraph): GraphContext {
  return {
    nAtoms: host.nAtoms,
    nEdges: host.nEdges,
    nGraphs: host.nGraphs,
    positions: tf.tensor2d(host.positions, [host.nAtoms, 3]),
    species: tf.tensor1d(host.species, 'int32'),
    edgeSrc: tf.tensor1d(host.edgeSrc, 'int32'),
    edgeDst: tf.tensor1d(host.edgeDst, 'int32'),
    shifts: tf.tensor2d(host.shifts, [host.nEdges, 3]),
    batch: tf.tensor1d(host.batch, 'int32'),
    cells: tf.tensor3d(host.cells, [host.nGraphs, 3, 3]),
    host,
  };
}

/** Structures -> GraphContext in one call. */
export function buildGraphContext(structures: readonly Structure[], options: BuildGraphOptions): GraphContext {
  return graphContextFromHost(buildHostGraph(structures, options));
}
