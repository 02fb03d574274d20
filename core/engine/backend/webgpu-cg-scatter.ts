/**
 * The fused channelwise Clebsch–Gordan message + scatter ('EquimolCgScatter', main/native/src/cg-scatter.cc) as WGSL
 * compute programs for tfjs-backend-webgpu, so that a GPU of any vendor runs MACE's and NequIP's message passing as
 * one kernel per role instead of a gather, a dozen slice / matMul / mul / concat kernels and a segment sum:
 *
 *   T(x, y, w, g) = Σ_e Σ_p Σ_u w[e, woff_p + u] Σ_{ijk} C_p[i,j,k] x[src_e, off1_p + u·d1 + i] y[e, off2_p + j] g[dst_e, offOut_p + u·d3 + k]
 *
 * and `role` picks the partial derivative computed from the other three operands (x, y, w, g = 0..3; role 3 is the
 * forward), exactly as the native kernel, so core/engine/layers/fused-cg-scatter.ts builds the forward, the forces
 * and the force-training second derivatives from it unchanged.
 *
 * Each program is generated from the layer's path table: offsets, degrees and the non-zero Wigner-3j entries are
 * WGSL constants (one pipeline per plan and role, cached by tfjs). Invocations:
 *   role 3 (messages at receivers) and role 0 (gradient at senders): one per (edge, channel u); the sums at a node
 *     are float atomics (compare-exchange on the bits, as tfjs's own UnsortedSegmentSum), into a zero-filled output;
 *   role 2 (∂w, one column per path and channel, or per group of paths sharing one): one per (edge, u), each column
 *     written once;
 *   role 1 (∂y, summed over channels): one per edge, its row accumulated in registers.
 * Atomic sums make the order of additions, so the last bits, vary between runs, like tfjs-webgpu's segment sums.
 *
 * Imported (dynamically) only once the webgpu backend has started (webgpu-kernels.ts registers it).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CG_SCATTER_KERNEL, cgScatterOutShape, type CgScatterAttrs, type CgScatterPlan } from './native-cg-scatter';
import {
  groupBy, maxMultiplicity, operandReads, planId, planPaths, registerWebGpuKernel, runGenerated, sumOf, zeros, type GeneratedProgramSpec, type PlanPath,
} from './webgpu-path-program';

/** The WGSL body of role `role` for `plan`, after `e` (edge), `u` (channel, not role 1), `s` (sender), `d` (receiver). */
function roleBody(plan: CgScatterPlan, paths: readonly PlanPath[], role: number): string {
  const { X, Y, G, w } = operandReads(role);
  const { dim1, dim2, dimW, dimOut } = plan;
  // The row offsets of the given operands (x at the sender, y and w at the edge, g at the receiver).
  const bases = (p: PlanPath) => [
    `let xb = s * ${dim1} + ${p.off1} + u * ${p.d1};`,
    `let yb = e * ${dim2} + ${p.off2};`,
    `let wu = ${w}[e * ${dimW} + ${p.woff} + u];`,
    `let gb = d * ${dimOut} + ${p.offOut} + u * ${p.d3};`,
  ].filter((_, r) => r !== role);
  if (role === 1) {
    // ∂T/∂y[e, off2 + j] = Σ_p Σ_u w[u] Σ_{ik} C[i,j,k] x[u,i] g[u,k], in registers.
    const lines = [`var acc = array<f32, ${dim2}>();`];
    for (const p of paths) {
      lines.push(`for (var u = 0; u < ${p.mul}; u++) {`, ...bases(p));
      for (const [j, cs] of groupBy(p.coefficients, 'j')) lines.push(`acc[${p.off2 + j}] += wu * (${sumOf(cs, (c) => `${X(c.i)} * ${G(c.k)}`)});`);
      lines.push('}');
    }
    lines.push(`for (var j = 0; j < ${dim2}; j++) { setOutputAtIndex(e * ${dim2} + j, acc[j]); }`);
    return lines.join('\n');
  }
  const lines: string[] = [];
  if (role === 2) {
    // ∂T/∂w[e, woff + u]: paths that share a weight column (TDN's CP product, one weight per output irrep) add into
    // one register; each column is written once.
    const byColumn = new Map<number, PlanPath[]>();
    for (const p of paths) byColumn.set(p.woff, [...(byColumn.get(p.woff) ?? []), p]);
    for (const [woff, group] of byColumn) {
      lines.push(`if (u < ${group[0]!.mul}) {`, 'var acc = 0.0;');
      for (const p of group) lines.push('{', ...bases(p), `acc += ${sumOf(p.coefficients, (c) => `${X(c.i)} * ${Y(c.j)} * ${G(c.k)}`)};`, '}');
      lines.push(`setOutputAtIndex(e * ${dimW} + ${woff} + u, acc);`, '}');
    }
    return lines.join('\n');
  }
  for (const p of paths) {
    lines.push(`if (u < ${p.mul}) {`, ...bases(p));
    if (role === 3) {
      for (const [k, cs] of groupBy(p.coefficients, 'k')) lines.push(`equimolAtomicAdd(d * ${dimOut} + ${p.offOut} + u * ${p.d3} + ${k}, wu * (${sumOf(cs, (c) => `${X(c.i)} * ${Y(c.j)}`)}));`);
    } else if (role === 0) {
      for (const [i, cs] of groupBy(p.coefficients, 'i')) lines.push(`equimolAtomicAdd(s * ${dim1} + ${p.off1} + u * ${p.d1} + ${i}, wu * (${sumOf(cs, (c) => `${Y(c.j)} * ${G(c.k)}`)}));`);
    }
    lines.push('}');
  }
  return lines.join('\n');
}

/** Float add on an atomic<i32> slot of the output (tfjs declares an atomic program's output that way). */
const atomicAddWgsl = `
  fn equimolAtomicAdd(flat : i32, value : f32) {
    var old = atomicLoad(&result[flat]);
    loop {
      let swap = atomicCompareExchangeWeak(&result[flat], old, bitcast<i32>(bitcast<f32>(old) + value));
      if (swap.exchanged) { break; }
      old = swap.old_value;
    }
  }
`;

/** Inputs: a, b, c = the operands other than `role` in x, y, w, g order; src, dst int32 [nEdges]. */
function cgScatterWebGpu(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as WebGPUBackend;
  const { a, b, c, src, dst } = args.inputs as Record<'a' | 'b' | 'c' | 'src' | 'dst', tf.TensorInfo>;
  const attrs = args.attrs as unknown as CgScatterAttrs;
  const nEdges = src.shape[0]!;
  const shape = cgScatterOutShape(attrs, nEdges);
  if (nEdges === 0 || shape[0]! * shape[1]! === 0) return zeros(backend, shape);
  const { role, plan } = attrs;
  const channels = maxMultiplicity(plan);
  const spec: GeneratedProgramSpec = {
    variableNames: ['opA', 'opB', 'opC', 'senders', 'receivers'],
    outputShape: shape,
    invocations: role === 1 ? nEdges : nEdges * channels,
    shaderKey: `equimol_cg_scatter_${planId(plan)}_${role}`,
    atomic: role === 0 || role === 3,
    prelude: role === 0 || role === 3 ? atomicAddWgsl : '',
    body: () => [
      ...(role === 1 ? ['let e = index;'] : [`let e = index / ${channels};`, `let u = index % ${channels};`]),
      'let s = senders[e];',
      'let d = receivers[e];',
      roleBody(plan, planPaths(plan), role),
    ].join('\n'),
  };
  // Role 1 writes every element of its rows; the others add into (or leave untouched parts of) a zeroed output.
  return runGenerated(backend, spec, [a, b, c, src, dst], role === 1 ? undefined : zeros(backend, shape));
}

/** Registers the WGSL EquimolCgScatter for 'webgpu' unless one is registered; idempotent. */
export function installWebGpuCgScatter(): void {
  registerWebGpuKernel(CG_SCATTER_KERNEL, cgScatterWebGpu);
}
