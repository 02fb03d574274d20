/**
 * The fused channelwise ('uuu') product of MACE's product basis ('EquimolChannelProduct', main/native/src/
 * channel-product.cc) as WGSL compute programs for tfjs-backend-webgpu:
 *
 *   T(x, y, w, g) = Σ_n Σ_p Σ_u w[woff_p + u] Σ_{ijk} C_p[i,j,k] x[n, off1_p + u·d1 + i] y[n, off2_p + u·d2 + j] g[n, offOut_p + u·d3 + k]
 *
 * with `role` the operand whose partial derivative is computed from the other three (role 3 is the forward), as the
 * native kernel, so core/engine/layers/fused-channel-product.ts builds every derivative from it unchanged.
 *
 * One invocation per (node, channel u): the columns it writes (channel u of the blocks of x, y or the output) belong
 * to it alone, so it adds its paths' terms in place, without atomics, into a zero-filled output, and the result is
 * the same bits on every run. Role 2 (the weights, shared by all nodes) writes each node's terms to an [n, dimW]
 * scratch that tfjs's Sum kernel reduces over the nodes. Offsets, degrees and the non-zero Wigner-3j entries are
 * WGSL constants (one pipeline per plan and role).
 *
 * Imported (dynamically) only once the webgpu backend has started (webgpu-kernels.ts registers it).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CHANNEL_PRODUCT_KERNEL, channelProductOutShape, type ChannelProductAttrs, type ChannelProductPlan } from './native-channel-product';
import {
  groupBy, maxMultiplicity, operandReads, planId, planPaths, registerWebGpuKernel, runGenerated, sumOf, zeros, type GeneratedProgramSpec, type PlanPath,
} from './webgpu-path-program';

/** The WGSL body of `role` after `n` (node) and `u` (channel). */
function roleBody(plan: ChannelProductPlan, paths: readonly PlanPath[], role: number): string {
  const { X, Y, G, w } = operandReads(role);
  const { dim1, dim2, dimW, dimOut } = plan;
  const lines: string[] = [];
  for (const p of paths) {
    lines.push(
      `if (u < ${p.mul}) {`,
      `let xb = n * ${dim1} + ${p.off1} + u * ${p.d1};`,
      `let yb = n * ${dim2} + ${p.off2} + u * ${p.d2};`,
      `let gb = n * ${dimOut} + ${p.offOut} + u * ${p.d3};`,
      ...(role === 2 ? [] : [`let wu = ${w}[${p.woff} + u];`]),
    );
    const add = (at: string, value: string) => `result[${at}] = result[${at}] + ${value};`;
    if (role === 3) {
      for (const [k, cs] of groupBy(p.coefficients, 'k')) lines.push(add(`gb + ${k}`, `wu * (${sumOf(cs, (c) => `${X(c.i)} * ${Y(c.j)}`)})`));
    } else if (role === 0) {
      for (const [i, cs] of groupBy(p.coefficients, 'i')) lines.push(add(`xb + ${i}`, `wu * (${sumOf(cs, (c) => `${Y(c.j)} * ${G(c.k)}`)})`));
    } else if (role === 1) {
      for (const [j, cs] of groupBy(p.coefficients, 'j')) lines.push(add(`yb + ${j}`, `wu * (${sumOf(cs, (c) => `${X(c.i)} * ${G(c.k)}`)})`));
    } else {
      // This node's term of ∂T/∂w[woff + u], summed over the nodes afterwards.
      lines.push(`result[n * ${dimW} + ${p.woff} + u] = ${sumOf(p.coefficients, (c) => `${X(c.i)} * ${Y(c.j)} * ${G(c.k)}`)};`);
    }
    lines.push('}');
  }
  return lines.join('\n');
}

/** Inputs: a, b, c = the operands other than `role` in x, y, w, g order. */
function channelProductWebGpu(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as WebGPUBackend;
  const { a, b, c } = args.inputs as Record<'a' | 'b' | 'c', tf.TensorInfo>;
  const attrs = args.attrs as unknown as ChannelProductAttrs;
  const { nNodes, plan, role } = attrs;
  const shape = channelProductOutShape(attrs);
  if (nNodes === 0 || shape.some((d) => d === 0)) return zeros(backend, shape);
  const channels = maxMultiplicity(plan);
  // Role 2 writes each node's terms, summed over the nodes below.
  const outputShape = role === 2 ? [nNodes, plan.dimW] : shape;
  const spec: GeneratedProgramSpec = {
    variableNames: ['opA', 'opB', 'opC'],
    outputShape,
    invocations: nNodes * channels,
    shaderKey: `equimol_channel_product_${planId(plan)}_${role}`,
    body: () => [`let n = index / ${channels};`, `let u = index % ${channels};`, roleBody(plan, planPaths(plan), role)].join('\n'),
  };
  const written = runGenerated(backend, spec, [a, b, c], zeros(backend, outputShape));
  if (role !== 2) return written;
  try {
    const sum = tf.getKernel('Sum', 'webgpu')!;
    return sum.kernelFunc({ inputs: { x: written }, backend, attrs: { axis: [0], keepDims: false } }) as tf.TensorInfo;
  } finally {
    backend.disposeData(written.dataId);
  }
}

/** Registers the WGSL EquimolChannelProduct for 'webgpu' unless one is registered; idempotent. */
export function installWebGpuChannelProduct(): void {
  registerWebGpuKernel(CHANNEL_PRODUCT_KERNEL, channelProductWebGpu);
}
