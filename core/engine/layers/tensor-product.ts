/**
 * Clebsch–Gordan tensor products (e3nn o3.TensorProduct; Thomas et al. 2018 "Tensor field networks" eq. 4,
 * NequIP Batzner et al. 2022 eq. 3). For each instruction (path) i1 ⊗ i2 → iOut:
 *
 *   z^{(l3)}_{w,k} += α_path Σ_{u,v} W_{uvw} Σ_{i,j} C^{l1 l2 l3}_{ijk} x^{(l1)}_{u,i} y^{(l2)}_{v,j}   ('uvw', fully connected)
 *   z^{(l3)}_{u,k} += α_path Σ_v     W_{uv}  Σ_{i,j} C^{l1 l2 l3}_{ijk} x^{(l1)}_{u,i} y^{(l2)}_{v,j}   ('uvu', channelwise)
 *
 * C is the real Wigner-3j block (unit Frobenius norm). Path normalisation follows e3nn's defaults
 * (irrep_normalization='component', path_normalization='element'):
 *   α_path = √( (2l3+1) / Σ_{paths p into iOut} n_p ),  n_p = mul1·mul2 ('uvw') or mul2 ('uvu').
 * Weights are laid out instruction by instruction, each of shape [mul1, mul2, mulOut] ('uvw') or [mul1, mul2] ('uvu'),
 * exactly as e3nn's flat weight vector, so e3nn weights load unchanged.
 *
 * Cost per edge and path ∝ mul·(2l1+1)(2l2+1)(2l3+1): summed over all paths up to L this is the O(L^6) that
 * CP, SO(2) and Gaunt products avoid.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import type { Irrep } from '../../o3/irreps';
import { wigner3j } from '../../o3/wigner-3j';
import type { ParamRecord, ParamSpec } from './params';
import { param } from './params';

export type ConnectionMode = 'uvw' | 'uvu';

export interface InstructionSpec {
  readonly i1: number;
  readonly i2: number;
  readonly iOut: number;
  readonly mode: ConnectionMode;
}

export interface Instruction extends InstructionSpec {
  readonly pathWeight: number;
  readonly pathShape: readonly number[];
  /** Offset of this path's weights in the flat weight vector. */
  readonly weightOffset: number;
  readonly weightNumel: number;
}

export interface TensorProductOptions {
  /** Shared learnable weights (a parameter named `${name}/weight`) vs per-call weights ([n, weightNumel]). */
  readonly sharedWeights: boolean;
  /** Use the fused channelwise evaluation where it applies (default true; false forces the per-path loop). */
  readonly fused?: boolean;
}

/** Coupling constant C^{l1 l2 l3} arranged [2l2+1, (2l1+1)(2l3+1)] (index j, then (i, k)) as float32, cached. */
const couplingCache = new Map<string, Float32Array>();
function couplingByJ(l1: number, l2: number, l3: number): Float32Array {
  const key = `${l1},${l2},${l3}`;
  let out = couplingCache.get(key);
  if (!out) {
    const c = wigner3j(l1, l2, l3);
    const d1 = 2 * l1 + 1;
    const d2 = 2 * l2 + 1;
    const d3 = 2 * l3 + 1;
    out = new Float32Array(d2 * d1 * d3);
    for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) out[j * d1 * d3 + i * d3 + k] = c[(i * d2 + j) * d3 + k]!;
    couplingCache.set(key, out);
  }
  return out;
}

/**
 * Fused evaluation of a channelwise ('uvu') product whose second input has multiplicity 1 everywhere (spherical
 * harmonics: the NequIP/MACE message). All paths sharing the first input block i1 run as ONE batched matMul:
 *
 *   M[n, i, (p,k)] = Σ_j y[n, j] α_p C^p_{ijk}      (one [n, dimY] × [dimY, d1·S] matMul, constants folded)
 *   z[n, u, (p,k)] = W[n, u, p] · Σ_i x[n, u, i] M[n, i, (p,k)]
 *
 * instead of one chain of small ops per path. Same numbers as the per-path loop, fewer (and larger) kernels.
 */
interface FusedGroup {
  readonly i1: number;
  /** Output irrep indices of this group's paths, in order (consecutive). */
  readonly outputs: readonly number[];
  /** d3 of each path. */
  readonly widths: readonly number[];
  /** Σ d3 over the group's paths. */
  readonly width: number;
  readonly weightOffset: number;
  readonly nPaths: number;
  /** [dimIn2, d1·S] folded coupling (path weights included). */
  readonly coupling: Float32Array;
  /** [nPaths, S]: 1 where column (p, k) belongs to path p. */
  readonly expansion: Float32Array;
}

export class TensorProduct {
  readonly irrepsIn1: Irreps;
  readonly irrepsIn2: Irreps;
  readonly irrepsOut: Irreps;
  readonly instructions: readonly Instruction[];
  readonly weightNumel: number;

  constructor(
    readonly name: string,
    irrepsIn1: Irreps | string,
    irrepsIn2: Irreps | string,
    irrepsOut: Irreps | string,
    instructions: readonly InstructionSpec[],
    readonly options: TensorProductOptions = { sharedWeights: true },
  ) {
    this.irrepsIn1 = Irreps.of(irrepsIn1);
    this.irrepsIn2 = Irreps.of(irrepsIn2);
    this.irrepsOut = Irreps.of(irrepsOut);
    const elements = (ins: InstructionSpec) => {
      const m1 = this.irrepsIn1.items[ins.i1]!.mul;
      const m2 = this.irrepsIn2.items[ins.i2]!.mul;
      return ins.mode === 'uvw' ? m1 * m2 : m2;
    };
    let offset = 0;
    this.instructions = instructions.map((ins) => {
      const a = this.irrepsIn1.items[ins.i1];
      const b = this.irrepsIn2.items[ins.i2];
      const o = this.irrepsOut.items[ins.iOut];
      if (!a || !b || !o) throw new Error(`${name}: instruction (${ins.i1}, ${ins.i2}, ${ins.iOut}) indexes a missing irrep`);
      if (!a.ir.times(b.ir).some((ir) => ir.equals(o.ir))) throw new Error(`${name}: ${a.ir} x ${b.ir} cannot produce ${o.ir}`);
      if (ins.mode === 'uvu' && o.mul !== a.mul) throw new Error(`${name}: 'uvu' needs mulOut = mul1 (${o.mul} vs ${a.mul})`);
      const fan = instructions.filter((x) => x.iOut === ins.iOut).reduce((s, x) => s + elements(x), 0);
      const pathShape = ins.mode === 'uvw' ? [a.mul, b.mul, o.mul] : [a.mul, b.mul];
      const weightNumel = pathShape.reduce((s, v) => s * v, 1);
      const instruction: Instruction = { ...ins, pathWeight: Math.sqrt(o.ir.dim / fan), pathShape, weightOffset: offset, weightNumel };
      offset += weightNumel;
      return instruction;
    });
    this.weightNumel = offset;
    this.fusedGroups = this.planFusedChannelwise();
  }

  /** Whether apply() takes the fused channelwise evaluation (per-call weights, 'uvu', second input of multiplicity 1). */
  get usesFusedEvaluation(): boolean {
    return this.fusedGroups !== undefined;
  }

  /** Groups for the fused 'uvu' path, or undefined when this product does not have that shape. */
  private readonly fusedGroups: readonly FusedGroup[] | undefined;

  private planFusedChannelwise(): FusedGroup[] | undefined {
    const ins = this.instructions;
    if (this.options.sharedWeights || this.options.fused === false || ins.length === 0) return undefined;
    if (!ins.every((x) => x.mode === 'uvu') || !this.irrepsIn2.items.every((b) => b.mul === 1)) return undefined;
    // Each output fed by exactly one path, outputs and weights in instruction order, paths grouped by i1.
    if (ins.some((x, k) => x.iOut !== k) || ins.length !== this.irrepsOut.items.length) return undefined;
    const groups: FusedGroup[] = [];
    const dimY = this.irrepsIn2.dim;
    const off2 = this.irrepsIn2.offsets;
    let k = 0;
    while (k < ins.length) {
      const i1 = ins[k]!.i1;
      if (groups.some((g) => g.i1 === i1)) return undefined; // i1 not contiguous
      const members: Instruction[] = [];
      while (k < ins.length && ins[k]!.i1 === i1) members.push(ins[k++]!);
      const d1 = this.irrepsIn1.items[i1]!.ir.dim;
      const widths = members.map((m) => this.irrepsOut.items[m.iOut]!.ir.dim);
      const width = widths.reduce((a, b) => a + b, 0);
      const coupling = new Float32Array(dimY * d1 * width);
      const expansion = new Float32Array(members.length * width);
      let column = 0;
      members.forEach((m, p) => {
        const [l1, l2, l3] = [this.irrepsIn1.items[m.i1]!.ir.l, this.irrepsIn2.items[m.i2]!.ir.l, this.irrepsOut.items[m.iOut]!.ir.l];
        const c = wigner3j(l1, l2, l3); // [d1, d2, d3]
        const [d2, d3] = [2 * l2 + 1, 2 * l3 + 1];
        for (let i = 0; i < d1; i++)
          for (let j = 0; j < d2; j++)
            for (let q = 0; q < d3; q++) coupling[(off2[m.i2]! + j) * d1 * width + i * width + column + q] = m.pathWeight * c[(i * d2 + j) * d3 + q]!;
        for (let q = 0; q < d3; q++) expansion[p * width + column + q] = 1;
        column += d3;
      });
      const weightOffset = members[0]!.weightOffset;
      if (members.some((m, p) => m.weightOffset !== weightOffset + p * m.weightNumel)) return undefined;
      groups.push({ i1, outputs: members.map((m) => m.iOut), widths, width, weightOffset, nPaths: members.length, coupling, expansion });
    }
    return groups;
  }

  /** The fused channelwise evaluation (see FusedGroup); x1 [n, dim1], x2 [n, dim2], weights [n, weightNumel]. */
  private applyFused(groups: readonly FusedGroup[], x1: tf.Tensor2D, x2: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
    const n = x1.shape[0];
    const off1 = this.irrepsIn1.offsets;
    const blocks: tf.Tensor[] = new Array<tf.Tensor>(this.irrepsOut.items.length);
    for (const g of groups) {
      const { mul: m1, ir } = this.irrepsIn1.items[g.i1]!;
      const d1 = ir.dim;
      const coupling = tf.tensor2d(g.coupling, [this.irrepsIn2.dim, d1 * g.width]);
      const m = tf.reshape(tf.matMul(x2, coupling), [n, d1, g.width]); // [n, d1, S]
      const x = tf.reshape(tf.slice(x1, [0, off1[g.i1]!], [n, m1 * d1]), [n, m1, d1]); // [n, mul1, d1]
      const t = d1 === 1 ? tf.mul(x, m) : tf.matMul(x, m); // [n, mul1, S]
      const w = tf.reshape(tf.slice(weights, [0, g.weightOffset], [n, g.nPaths * m1]), [n, g.nPaths, m1]); // [n, P, mul1]
      const wColumns = g.nPaths === 1
        ? tf.reshape(w, [n, m1, 1]) // [n, mul1, 1], broadcast over the d3 columns
        : tf.reshape(tf.matMul(tf.reshape(tf.transpose(w, [0, 2, 1]), [n * m1, g.nPaths]), tf.tensor2d(g.expansion, [g.nPaths, g.width])), [n, m1, g.width]); // [n, mul1, S]
      const z = tf.mul(t, wColumns); // [n, mul1, S]
      const parts = g.nPaths === 1 ? [z] : tf.split(z, [...g.widths], 2); // [n, mul1, d3] each
      parts.forEach((part, p) => (blocks[g.outputs[p]!] = tf.reshape(part, [n, m1 * g.widths[p]!])));
    }
    return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 1)) as tf.Tensor2D;
  }

  /** All allowed paths, 'uvw' (e3nn FullyConnectedTensorProduct). */
  static fullyConnected(name: string, irrepsIn1: Irreps | string, irrepsIn2: Irreps | string, irrepsOut: Irreps | string): TensorProduct {
    const [a, b, o] = [Irreps.of(irrepsIn1), Irreps.of(irrepsIn2), Irreps.of(irrepsOut)];
    const instructions: InstructionSpec[] = [];
    a.items.forEach((x, i1) =>
      b.items.forEach((y, i2) =>
        o.items.forEach((z, iOut) => {
          if (x.ir.times(y.ir).some((ir) => ir.equals(z.ir))) instructions.push({ i1, i2, iOut, mode: 'uvw' });
        }),
      ),
    );
    return new TensorProduct(name, a, b, o, instructions, { sharedWeights: true });
  }

  /**
   * Channelwise 'uvu' product as in NequIP/MACE interaction blocks: one output block mul1 x ir_out for every
   * (i1, i2, ir_out ∈ ir1 ⊗ ir2) kept by `keep`, in that order, with per-edge weights (from a radial MLP).
   */
  static channelwise(
    name: string,
    irrepsIn1: Irreps | string,
    irrepsIn2: Irreps | string,
    keep: (ir: Irrep) => boolean,
    options: { fused?: boolean } = {},
  ): TensorProduct {
    const [a, b] = [Irreps.of(irrepsIn1), Irreps.of(irrepsIn2)];
    const outItems: { mul: number; ir: Irrep }[] = [];
    const instructions: InstructionSpec[] = [];
    a.items.forEach((x, i1) =>
      b.items.forEach((y, i2) => {
        for (const ir of x.ir.times(y.ir)) {
          if (!keep(ir)) continue;
          instructions.push({ i1, i2, iOut: outItems.length, mode: 'uvu' });
          outItems.push({ mul: x.mul, ir });
        }
      }),
    );
    return new TensorProduct(name, a, b, new Irreps(outItems), instructions, { sharedWeights: false, ...options });
  }

  paramSpecs(): ParamSpec[] {
    return this.options.sharedWeights && this.weightNumel > 0
      ? [{ name: `${this.name}/weight`, shape: [this.weightNumel], init: { kind: 'normal', std: 1 } }]
      : [];
  }

  /**
   * @param x1 [n, irrepsIn1.dim]
   * @param x2 [n, irrepsIn2.dim]
   * @param weights per-call weights [n, weightNumel] (sharedWeights = false) — else read from params
   * @returns [n, irrepsOut.dim]
   */
  apply(params: ParamRecord, x1: tf.Tensor2D, x2: tf.Tensor2D, weights?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x1.shape[0];
      const shared = this.options.sharedWeights ? param(params, `${this.name}/weight`) : undefined;
      if (!shared && !weights) throw new Error(`${this.name}: per-edge weights required`);
      if (this.fusedGroups && weights) return this.applyFused(this.fusedGroups, x1, x2, weights);
      const off1 = this.irrepsIn1.offsets;
      const off2 = this.irrepsIn2.offsets;
      const perOut: (tf.Tensor | undefined)[] = this.irrepsOut.items.map(() => undefined);
      // Slice each input block once (slicing is costly on some backends), not once per path.
      const blocks1 = new Map<number, tf.Tensor3D>();
      const blocks2 = new Map<number, tf.Tensor2D>();
      for (const ins of this.instructions) {
        const a = this.irrepsIn1.items[ins.i1]!;
        const b = this.irrepsIn2.items[ins.i2]!;
        const o = this.irrepsOut.items[ins.iOut]!;
        const [d1, d2, d3] = [a.ir.dim, b.ir.dim, o.ir.dim];
        const [m1, m2] = [a.mul, b.mul];
        if (!blocks1.has(ins.i1)) blocks1.set(ins.i1, tf.reshape(tf.slice(x1, [0, off1[ins.i1]!], [n, m1 * d1]), [n, m1, d1]));
        if (!blocks2.has(ins.i2)) blocks2.set(ins.i2, tf.reshape(tf.slice(x2, [0, off2[ins.i2]!], [n, m2 * d2]), [n * m2, d2]));
        const x = blocks1.get(ins.i1)!; // [n, mul1, d1]
        const y = blocks2.get(ins.i2)!; // [n*mul2, d2]
        const coupling = tf.tensor2d(couplingByJ(a.ir.l, b.ir.l, o.ir.l), [d2, d1 * d3]);
        // M[n, v, i, k] = Σ_j y[n, v, j] C[i, j, k]
        let m = tf.reshape(tf.matMul(y, coupling), [n, m2, d1, d3]);
        if (m2 > 1) m = tf.transpose(m, [0, 2, 1, 3]); // [n, d1, mul2, d3]
        // T[n, u, v, k] = Σ_i x[n, u, i] M[n, v, i, k]
        const t = tf.matMul(x, tf.reshape(m, [n, d1, m2 * d3])); // [n, mul1, mul2*d3]
        const wFlat = shared
          ? tf.slice(shared, [ins.weightOffset], [ins.weightNumel])
          : tf.slice(weights!, [0, ins.weightOffset], [n, ins.weightNumel]);
        let z: tf.Tensor; // [n, mulOut, d3]
        if (ins.mode === 'uvu') {
          const t4 = tf.reshape(t, [n, m1, m2, d3]);
          const w = shared ? tf.reshape(wFlat, [1, m1, m2, 1]) : tf.reshape(wFlat, [n, m1, m2, 1]);
          z = m2 === 1 ? tf.mul(tf.reshape(t4, [n, m1, d3]), tf.reshape(w, w.shape.slice(0, 2).concat([1]))) : tf.sum(tf.mul(t4, w), 2);
        } else {
          const mo = o.mul;
          // [n, mul1, mul2, d3] -> [n, d3, mul1*mul2]
          const moved = tf.transpose(tf.reshape(t, [n, m1 * m2, d3]), [0, 2, 1]);
          if (shared) {
            const w = tf.reshape(wFlat, [m1 * m2, mo]);
            z = tf.transpose(tf.reshape(tf.matMul(tf.reshape(moved, [n * d3, m1 * m2]), w), [n, d3, mo]), [0, 2, 1]);
          } else {
            const w = tf.reshape(wFlat, [n, m1 * m2, mo]);
            z = tf.transpose(tf.matMul(moved, w), [0, 2, 1]);
          }
        }
        z = tf.mul(z, ins.pathWeight);
        const prev = perOut[ins.iOut];
        perOut[ins.iOut] = prev ? tf.add(prev, z) : z;
      }
      const blocks = this.irrepsOut.items.map(({ mul, ir }, i) =>
        perOut[i] ? tf.reshape(perOut[i]!, [n, mul * ir.dim]) : tf.zeros([n, mul * ir.dim]),
      );
      return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 1)) as tf.Tensor2D;
    });
  }
}
