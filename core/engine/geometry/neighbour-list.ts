/**
 * Neighbour lists in O(N) with cell lists (binning), for molecules and periodic crystals.
 *
 * Every pair (i, j, n) with |r_j + n·cell - r_i| < cutoff is returned in both directions, where n is an
 * integer lattice offset (zero along non-periodic directions). Small cells (cutoff larger than the cell)
 * search several images; an atom sees its own images but never itself (n = 0).
 *
 * Output convention (matches GraphContext): edge e has sender src[e] = i, receiver dst[e] = j, integer offset
 * cellOffsets[e] = n and Cartesian shift shifts[e] = n·cell, so that
 * r_e = positions[dst] - positions[src] + shifts[e] is the vector from the sender to the receiver's image.
 * Units: Å.
 */

export interface NeighbourList {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** [nEdges * 3] integer lattice offsets n. */
  readonly cellOffsets: Int32Array;
  /** [nEdges * 3] Cartesian shifts n·cell (Å). */
  readonly shifts: Float64Array;
  /** |r_e| (Å), [nEdges]. */
  readonly distances: Float64Array;
}

export interface NeighbourListInput {
  /** [nAtoms * 3] Cartesian positions (Å). */
  readonly positions: ArrayLike<number>;
  /** Cell rows a, b, c (Å), [9]; required when any pbc flag is set. */
  readonly cell?: ArrayLike<number>;
  readonly pbc?: readonly [boolean, boolean, boolean];
}

function invert3(m: ArrayLike<number>): number[] | undefined {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m) as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const s = 1 / det;
  return [
    (e * i - f * h) * s, (c * h - b * i) * s, (b * f - c * e) * s,
    (f * g - d * i) * s, (a * i - c * g) * s, (c * d - a * f) * s,
    (d * h - e * g) * s, (b * g - a * h) * s, (a * e - b * d) * s,
  ];
}

/** Builds the neighbour list. Throws RangeError for a non-positive cutoff or a singular periodic cell. */
export function neighbourList(input: NeighbourListInput, cutoff: number): NeighbourList {
  if (!(cutoff > 0) || !Number.isFinite(cutoff)) throw new RangeError(`cutoff must be a positive number of Å, got ${cutoff}`);
  const positions = input.positions;
  const n = positions.length / 3;
  if (!Number.isInteger(n)) throw new RangeError('positions length is not a multiple of 3');
  const pbc = input.pbc ?? [false, false, false];
  const anyPeriodic = pbc.some((p) => p);
  let cell: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  let inverse: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (input.cell) {
    const inv = invert3(input.cell);
    if (inv) {
      cell = Array.from(input.cell);
      inverse = inv;
    } else if (anyPeriodic) {
      throw new RangeError('periodic structure has a singular cell (zero volume)');
    }
  } else if (anyPeriodic) {
    throw new RangeError('periodic structure has no cell');
  }
  const periodic = anyPeriodic ? pbc : ([false, false, false] as const);

  // Fractional coordinates f = r · inverse; periodic directions wrapped into [0, 1) with integer wrap w.
  const frac = new Float64Array(n * 3);
  const wrap = new Int32Array(n * 3);
  const wrapped = new Float64Array(n * 3); // Cartesian wrapped positions r' = r - w·cell
  for (let a = 0; a < n; a++) {
    const x = positions[3 * a]!, y = positions[3 * a + 1]!, z = positions[3 * a + 2]!;
    for (let d = 0; d < 3; d++) {
      let f = x * inverse[d]! + y * inverse[3 + d]! + z * inverse[6 + d]!;
      if (periodic[d]) {
        const w = Math.floor(f);
        wrap[3 * a + d] = w;
        f -= w;
      }
      frac[3 * a + d] = f;
    }
    for (let d = 0; d < 3; d++) {
      wrapped[3 * a + d] = positions[3 * a + d]! - (wrap[3 * a]! * cell[d]! + wrap[3 * a + 1]! * cell[3 + d]! + wrap[3 * a + 2]! * cell[6 + d]!);
    }
  }

  // Bins per direction: perpendicular bin width >= cutoff when the extent allows; search range k per direction.
  const nBins = [1, 1, 1];
  const low = [0, 0, 0];
  const width = [1, 1, 1]; // in fractional units
  const reach = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const recipLength = Math.hypot(inverse[d]!, inverse[3 + d]!, inverse[6 + d]!);
    const planeDistance = 1 / recipLength; // Å per unit of fractional coordinate
    if (periodic[d]) {
      nBins[d] = Math.max(1, Math.floor(planeDistance / cutoff));
      width[d] = 1 / nBins[d]!;
      reach[d] = Math.ceil(cutoff / (width[d]! * planeDistance));
    } else {
      let min = Infinity, max = -Infinity;
      for (let a = 0; a < n; a++) {
        min = Math.min(min, frac[3 * a + d]!);
        max = Math.max(max, frac[3 * a + d]!);
      }
      if (n === 0) { min = 0; max = 0; }
      const extent = (max - min) * planeDistance;
      nBins[d] = Math.max(1, Math.min(Math.floor(extent / cutoff), 1 << 10));
      low[d] = min;
      width[d] = max > min ? (max - min) / nBins[d]! : 1;
      reach[d] = Math.min(nBins[d]! - 1, Math.ceil(cutoff / (width[d]! * planeDistance)));
    }
  }
  const totalBins = nBins[0]! * nBins[1]! * nBins[2]!;
  if (totalBins > 8 * n + 64) {
    // Sparse systems: cap the grid size by coarsening the non-periodic directions (still exact, just more pairs checked).
    for (let d = 0; d < 3; d++) {
      if (!periodic[d] && nBins[d]! > 1) {
        const factor = Math.ceil(Math.cbrt(totalBins / (8 * n + 64)));
        const planeDistance = 1 / Math.hypot(inverse[d]!, inverse[3 + d]!, inverse[6 + d]!);
        const span = width[d]! * nBins[d]!;
        nBins[d] = Math.max(1, Math.floor(nBins[d]! / factor));
        width[d] = span / nBins[d]!;
        reach[d] = Math.min(nBins[d]! - 1, Math.ceil(cutoff / (width[d]! * planeDistance)));
      }
    }
  }
  const binOf = new Int32Array(n);
  const binCoord = new Int32Array(n * 3);
  for (let a = 0; a < n; a++) {
    let index = 0;
    for (let d = 0; d < 3; d++) {
      let b = Math.floor((frac[3 * a + d]! - low[d]!) / width[d]!);
      if (b < 0) b = 0;
      if (b >= nBins[d]!) b = nBins[d]! - 1;
      binCoord[3 * a + d] = b;
      index = index * nBins[d]! + b;
    }
    binOf[a] = index;
  }
  const nBinsTotal = nBins[0]! * nBins[1]! * nBins[2]!;
  const binStart = new Int32Array(nBinsTotal + 1);
  for (let a = 0; a < n; a++) binStart[binOf[a]! + 1]!++;
  for (let b = 0; b < nBinsTotal; b++) binStart[b + 1]! += binStart[b]!;
  const binAtoms = new Int32Array(n);
  const fill = binStart.slice(0, nBinsTotal);
  for (let a = 0; a < n; a++) binAtoms[fill[binOf[a]!]!++] = a;

  const src: number[] = [];
  const dst: number[] = [];
  const offsets: number[] = [];
  const shifts: number[] = [];
  const distances: number[] = [];
  const cutoff2 = cutoff * cutoff;
  for (let i = 0; i < n; i++) {
    const bi0 = binCoord[3 * i]!, bi1 = binCoord[3 * i + 1]!, bi2 = binCoord[3 * i + 2]!;
    const xi = wrapped[3 * i]!, yi = wrapped[3 * i + 1]!, zi = wrapped[3 * i + 2]!;
    for (let d0 = -reach[0]!; d0 <= reach[0]!; d0++) {
      const t0 = bi0 + d0;
      const m0 = Math.floor(t0 / nBins[0]!);
      if (!periodic[0] && m0 !== 0) continue;
      const w0 = t0 - m0 * nBins[0]!;
      for (let d1 = -reach[1]!; d1 <= reach[1]!; d1++) {
        const t1 = bi1 + d1;
        const m1 = Math.floor(t1 / nBins[1]!);
        if (!periodic[1] && m1 !== 0) continue;
        const w1 = t1 - m1 * nBins[1]!;
        for (let d2 = -reach[2]!; d2 <= reach[2]!; d2++) {
          const t2 = bi2 + d2;
          const m2 = Math.floor(t2 / nBins[2]!);
          if (!periodic[2] && m2 !== 0) continue;
          const w2 = t2 - m2 * nBins[2]!;
          const bin = (w0 * nBins[1]! + w1) * nBins[2]! + w2;
          // Image translation m·cell (Å) in the wrapped frame.
          const sx = m0 * cell[0]! + m1 * cell[3]! + m2 * cell[6]!;
          const sy = m0 * cell[1]! + m1 * cell[4]! + m2 * cell[7]!;
          const sz = m0 * cell[2]! + m1 * cell[5]! + m2 * cell[8]!;
          for (let p = binStart[bin]!; p < binStart[bin + 1]!; p++) {
            const j = binAtoms[p]!;
            if (j === i && m0 === 0 && m1 === 0 && m2 === 0) continue;
            const dx = wrapped[3 * j]! + sx - xi;
            const dy = wrapped[3 * j + 1]! + sy - yi;
            const dz = wrapped[3 * j + 2]! + sz - zi;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 >= cutoff2) continue;
            // Offset in the original (unwrapped) frame: n = m - w_j + w_i.
            const n0 = m0 - wrap[3 * j]! + wrap[3 * i]!;
            const n1 = m1 - wrap[3 * j + 1]! + wrap[3 * i + 1]!;
            const n2 = m2 - wrap[3 * j + 2]! + wrap[3 * i + 2]!;
            src.push(i);
            dst.push(j);
            offsets.push(n0, n1, n2);
            if (anyPeriodic) {
              shifts.push(
                n0 * cell[0]! + n1 * cell[3]! + n2 * cell[6]!,
                n0 * cell[1]! + n1 * cell[4]! + n2 * cell[7]!,
                n0 * cell[2]! + n1 * cell[5]! + n2 * cell[8]!,
              );
            } else {
              shifts.push(0, 0, 0);
            }
            distances.push(Math.sqrt(r2));
          }
        }
      }
    }
  }
  return {
    src: Int32Array.from(src),
    dst: Int32Array.from(dst),
    cellOffsets: Int32Array.from(offsets),
    shifts: Float64Array.from(shifts),
    distances: Float64Array.from(distances),
  };
}

/** O(N² · images) reference implementation for tests. Same output convention, edges in a different order. */
export function bruteForceNeighbourList(input: NeighbourListInput, cutoff: number, maxImage = 3): NeighbourList {
  const n = input.positions.length / 3;
  const pbc = input.pbc ?? [false, false, false];
  const cell = input.cell ? Array.from(input.cell) : [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const range = (d: number) => (pbc[d] ? maxImage : 0);
  const src: number[] = [], dst: number[] = [], offsets: number[] = [], shifts: number[] = [], distances: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let a = -range(0); a <= range(0); a++) {
        for (let b = -range(1); b <= range(1); b++) {
          for (let c = -range(2); c <= range(2); c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const s = [0, 1, 2].map((d) => a * cell[d]! + b * cell[3 + d]! + c * cell[6 + d]!);
            const v = [0, 1, 2].map((d) => input.positions[3 * j + d]! + s[d]! - input.positions[3 * i + d]!);
            const r = Math.hypot(v[0]!, v[1]!, v[2]!);
            if (r < cutoff) {
              src.push(i); dst.push(j); offsets.push(a, b, c); shifts.push(...s); distances.push(r);
            }
          }
        }
      }
    }
  }
  return {
    src: Int32Array.from(src), dst: Int32Array.from(dst), cellOffsets: Int32Array.from(offsets),
    shifts: Float64Array.from(shifts), distances: Float64Array.from(distances),
  };
}
