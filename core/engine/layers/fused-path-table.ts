/**
 * The path table of the fused kernels (main/native/src/path-table.h) built from a layer's paths: per path the block
 * offsets, degrees, weight offset and multiplicity, and the non-zero entries of its scaled Wigner-3j block
 * (fused-cg-scatter.ts for the message products, fused-channel-product.ts for the product basis).
 */
import { wigner3j } from '../../o3/wigner-3j';
import type { FusedKernelPlan } from '../backend/wasm-heap-kernel';

/** Drops Wigner-3j entries below this (they are exact zeros up to rounding). */
const ZERO = 1e-12;

export interface TablePath {
  /** Column offsets of the path's blocks in x, y and the output; offset of its weights. */
  readonly off1: number;
  readonly off2: number;
  readonly offOut: number;
  readonly woff: number;
  /** Channels of the path. */
  readonly mul: number;
  /** Degrees of x, y and the output. */
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
  /** Factor on the Wigner-3j block (the path weight α). */
  readonly scale: number;
  /**
   * The path's coupling block [d1, d2, d3] (index (i·d2 + j)·d3 + k), used as given instead of scale · Wigner-3j:
   * for couplings that are not one Wigner-3j block (TDN's CP-factorised tensor, fused-cp-scatter.ts).
   */
  readonly coefficients?: ArrayLike<number>;
}

/** The plan of `paths` over operand rows of the given widths. */
export function pathTable(paths: readonly TablePath[], dims: Pick<FusedKernelPlan, 'dim1' | 'dim2' | 'dimW' | 'dimOut'>): FusedKernelPlan {
  const table: number[] = [];
  const coefIndex: number[] = [];
  const coefValue: number[] = [];
  for (const p of paths) {
    const [d1, d2, d3] = [2 * p.l1 + 1, 2 * p.l2 + 1, 2 * p.l3 + 1];
    const c = p.coefficients ?? wigner3j(p.l1, p.l2, p.l3); // [d1, d2, d3]
    const scale = p.coefficients ? 1 : p.scale;
    if (c.length !== d1 * d2 * d3) throw new Error(`path (${p.l1}, ${p.l2}, ${p.l3}): ${c.length} coefficients, expected ${d1 * d2 * d3}`);
    const coefStart = coefValue.length;
    for (let i = 0; i < d1; i++) {
      for (let j = 0; j < d2; j++) {
        for (let k = 0; k < d3; k++) {
          const value = c[(i * d2 + j) * d3 + k]!;
          if (Math.abs(value) <= ZERO) continue;
          coefIndex.push(i, j, k);
          coefValue.push(scale * value);
        }
      }
    }
    table.push(p.off1, d1, p.off2, d2, p.offOut, d3, p.woff, p.mul, coefStart, coefValue.length - coefStart);
  }
  return { ...dims, paths: Int32Array.from(table), coefIndex: Int32Array.from(coefIndex), coefValue: Float32Array.from(coefValue) };
}
