/**
 * The fused equivariant linear map ('EquimolLinearMaps', main/native/src/linear-maps.cc; e3nn o3.Linear) as WGSL
 * compute programs for tfjs-backend-webgpu:
 *
 *   T(x, W, g) = Σ_n Σ_p α_p Σ_{u,v,m} W[woff_p + u·mulOut_p + v] x[n, offIn_p + u·d_p + m] g[n, offOut_p + v·d_p + m]
 *
 * with `role` the operand whose partial derivative is computed from the other two (0: x, 1: W, 2: the forward), as
 * the native kernel, so core/engine/layers/fused-linear.ts builds every derivative from it unchanged.
 *
 * Each invocation writes one element, as a sum in registers, so the result is the same bits on every run:
 *   role 2: one per (node, output column): Σ over the paths into that column's block and their input channels u;
 *   role 0: one per (node, input column): Σ over the paths out of its block and their output channels v;
 *   role 1: one per weight: Σ over the nodes and the block's components m.
 * The path table is WGSL constants (one pipeline per plan and role).
 *
 * Imported (dynamically) only once the webgpu backend has started (webgpu-kernels.ts registers it).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { LINEAR_MAPS_KERNEL, linearMapsOutShape, type LinearMapsAttrs, type LinearMapsPlan } from './native-linear-maps';
import { literal, planId, registerWebGpuKernel, runGenerated, zeros, type GeneratedProgramSpec } from './webgpu-path-program';

interface LinearPath {
  readonly offIn: number;
  readonly mulIn: number;
  readonly offOut: number;
  readonly mulOut: number;
  readonly d: number;
  readonly woff: number;
  readonly norm: number;
}

function linearPaths(plan: LinearMapsPlan): LinearPath[] {
  const out: LinearPath[] = [];
  for (let p = 0; p < plan.norms.length; p++) {
    const [offIn, mulIn, offOut, mulOut, d, woff] = Array.from(plan.paths.subarray(6 * p, 6 * p + 6));
    out.push({ offIn: offIn!, mulIn: mulIn!, offOut: offOut!, mulOut: mulOut!, d: d!, woff: woff!, norm: plan.norms[p]! });
  }
  return out;
}

/** The WGSL body of `role`; `index` is the invocation, the operands are opA, opB (the two given, in x, W, g order). */
function roleBody(plan: LinearMapsPlan, paths: readonly LinearPath[], role: number): string {
  const [x, w, g] = role === 0 ? ['', 'opA', 'opB'] : role === 1 ? ['opA', '', 'opB'] : ['opA', 'opB', ''];
  const { dimIn, dimOut } = plan;
  const lines = ['var acc = 0.0;'];
  if (role === 1) {
    // index = a weight; find its path, channel pair (u, v), and sum x·g over the nodes and components.
    for (const p of paths) {
      lines.push(
        `if (index >= ${p.woff} && index < ${p.woff + p.mulIn * p.mulOut}) {`,
        `let u = (index - ${p.woff}) / ${p.mulOut};`,
        `let v = (index - ${p.woff}) % ${p.mulOut};`,
        'var sum = 0.0;',
        'for (var n = 0; n < uniforms.nodes; n++) {',
        `for (var m = 0; m < ${p.d}; m++) { sum += ${x}[n * ${dimIn} + ${p.offIn} + u * ${p.d} + m] * ${g}[n * ${dimOut} + ${p.offOut} + v * ${p.d} + m]; }`,
        '}',
        `acc = ${literal(p.norm)} * sum;`,
        '}',
      );
    }
    lines.push('setOutputAtIndex(index, acc);');
    return lines.join('\n');
  }
  const width = role === 0 ? dimIn : dimOut;
  lines.push(`let n = index / ${width};`, `let c = index % ${width};`);
  for (const p of paths) {
    if (role === 2) {
      // c in this path's output block: channel v, component m; Σ_u W[u, v] x[n, u, m].
      lines.push(
        `if (c >= ${p.offOut} && c < ${p.offOut + p.mulOut * p.d}) {`,
        `let v = (c - ${p.offOut}) / ${p.d};`,
        `let m = (c - ${p.offOut}) % ${p.d};`,
        'var sum = 0.0;',
        `for (var u = 0; u < ${p.mulIn}; u++) { sum += ${w}[${p.woff} + u * ${p.mulOut} + v] * ${x}[n * ${dimIn} + ${p.offIn} + u * ${p.d} + m]; }`,
        `acc += ${literal(p.norm)} * sum;`,
        '}',
      );
    } else {
      // c in this path's input block: channel u, component m; Σ_v W[u, v] g[n, v, m].
      lines.push(
        `if (c >= ${p.offIn} && c < ${p.offIn + p.mulIn * p.d}) {`,
        `let u = (c - ${p.offIn}) / ${p.d};`,
        `let m = (c - ${p.offIn}) % ${p.d};`,
        'var sum = 0.0;',
        `for (var v = 0; v < ${p.mulOut}; v++) { sum += ${w}[${p.woff} + u * ${p.mulOut} + v] * ${g}[n * ${dimOut} + ${p.offOut} + v * ${p.d} + m]; }`,
        `acc += ${literal(p.norm)} * sum;`,
        '}',
      );
    }
  }
  lines.push('setOutputAtIndex(index, acc);');
  return lines.join('\n');
}

/** Inputs: a, b = the operands other than `role` in x, W, g order. */
function linearMapsWebGpu(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as WebGPUBackend;
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  const attrs = args.attrs as unknown as LinearMapsAttrs;
  const shape = linearMapsOutShape(attrs);
  const invocations = shape.reduce((s, d) => s * d, 1);
  if (invocations === 0 || attrs.plan.norms.length === 0) return zeros(backend, shape);
  const { plan, role } = attrs;
  const spec: GeneratedProgramSpec = {
    variableNames: ['opA', 'opB'],
    extraUniforms: ' nodes : i32,',
    outputShape: shape,
    invocations,
    shaderKey: `equimol_linear_maps_${planId(plan)}_${role}`,
    body: () => roleBody(plan, linearPaths(plan), role),
  };
  return runGenerated(backend, spec, [a, b], undefined, [attrs.nNodes]);
}

/** Registers the WGSL EquimolLinearMaps for 'webgpu' unless one is registered; idempotent. */
export function installWebGpuLinearMaps(): void {
  registerWebGpuKernel(LINEAR_MAPS_KERNEL, linearMapsWebGpu);
}
