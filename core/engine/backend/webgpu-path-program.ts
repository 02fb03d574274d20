/**
 * What the WGSL programs of the fused kernels (webgpu-cg-scatter.ts, webgpu-channel-product.ts,
 * webgpu-linear-maps.ts) share: the path table (path-table.h's layout) read back into paths with their coefficients,
 * float32 literals, the operand arrays of a role, a stable id per plan for the pipeline cache, a zero-filled output,
 * the program over a flat range of invocations, and registration.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { FusedKernelPlan } from './wasm-heap-kernel';

export interface Coefficient {
  readonly i: number;
  readonly j: number;
  readonly k: number;
  readonly value: number;
}

/** One row of the path table with its coefficients. */
export interface PlanPath {
  readonly off1: number;
  readonly d1: number;
  readonly off2: number;
  readonly d2: number;
  readonly offOut: number;
  readonly d3: number;
  readonly woff: number;
  readonly mul: number;
  readonly coefficients: readonly Coefficient[];
}

export function planPaths(plan: FusedKernelPlan): PlanPath[] {
  const out: PlanPath[] = [];
  for (let p = 0; p < plan.paths.length; p += 10) {
    const [off1, d1, off2, d2, offOut, d3, woff, mul, start, count] = Array.from(plan.paths.subarray(p, p + 10));
    const coefficients: Coefficient[] = [];
    for (let c = start!; c < start! + count!; c++) {
      coefficients.push({ i: plan.coefIndex[3 * c]!, j: plan.coefIndex[3 * c + 1]!, k: plan.coefIndex[3 * c + 2]!, value: plan.coefValue[c]! });
    }
    out.push({ off1: off1!, d1: d1!, off2: off2!, d2: d2!, offOut: offOut!, d3: d3!, woff: woff!, mul: mul!, coefficients });
  }
  return out;
}

/** A float32 WGSL literal (9 significant digits round-trip a float32). */
export const literal = (value: number): string => `(${Math.fround(value).toPrecision(9)})`;

/** The WGSL array names of the operands in x, y, w, g order for `role` (its own is absent). */
export function operandArrays(role: number): Record<'x' | 'y' | 'w' | 'g', string> {
  const given = ['opA', 'opB', 'opC'];
  const names = { x: '', y: '', w: '', g: '' };
  let k = 0;
  (['x', 'y', 'w', 'g'] as const).forEach((name, r) => {
    if (r !== role) names[name] = given[k++]!;
  });
  return names;
}

/** WGSL reads of x, y and g at the row offsets `xb`, `yb`, `gb` a body declares, and w's array name, for `role`. */
export function operandReads(role: number): { X(i: number): string; Y(j: number): string; G(k: number): string; w: string } {
  const a = operandArrays(role);
  return { X: (i) => `${a.x}[xb + ${i}]`, Y: (j) => `${a.y}[yb + ${j}]`, G: (k) => `${a.g}[gb + ${k}]`, w: a.w };
}

/** Σ over `coefficients` of `term(c)`, or 0.0 for none. */
export function sumOf(coefficients: readonly Coefficient[], term: (c: Coefficient) => string): string {
  return coefficients.length === 0 ? '0.0' : coefficients.map((c) => `${literal(c.value)} * ${term(c)}`).join(' + ');
}

export function groupBy(coefficients: readonly Coefficient[], key: 'i' | 'j' | 'k'): Map<number, Coefficient[]> {
  const groups = new Map<number, Coefficient[]>();
  for (const c of coefficients) groups.set(c[key], [...(groups.get(c[key]) ?? []), c]);
  return groups;
}

const planIds = new WeakMap<object, number>();
let nextPlanId = 0;

/** A number for each plan object (any kernel's), for its pipelines' shader keys. */
export function planId(plan: object): number {
  let id = planIds.get(plan);
  if (id === undefined) planIds.set(plan, (id = nextPlanId++));
  return id;
}

/** Largest multiplicity over the paths: the channel count of the (row, channel) invocations. */
export function maxMultiplicity(plan: FusedKernelPlan): number {
  let most = 1;
  for (let p = 0; p < plan.paths.length; p += 10) most = Math.max(most, plan.paths[p + 7]!);
  return most;
}

/** A float32 output of `shape`, zero-filled on the GPU (tfjs's Fill kernel). */
export function zeros(backend: WebGPUBackend, shape: number[]): tf.TensorInfo {
  const fill = tf.getKernel('Fill', 'webgpu')!;
  return fill.kernelFunc({ inputs: {}, backend, attrs: { shape, value: 0, dtype: 'float32' } }) as tf.TensorInfo;
}


export interface GeneratedProgramSpec {
  /** The inputs' WGSL array names, in the order runWebGPUProgram gets them. */
  readonly variableNames: string[];
  /** Uniforms beyond `invocations : i32,` (each `name : type,`), given to runWebGPUProgram after it. */
  readonly extraUniforms?: string;
  readonly outputShape: number[];
  readonly invocations: number;
  /** Names the pipeline in tfjs's cache: one per plan and role. */
  readonly shaderKey: string;
  /** The output as atomic<i32> (float adds by compare-exchange), zero-filled by the caller. */
  readonly atomic?: boolean;
  /** WGSL before `main` (helper functions). */
  readonly prelude?: string;
  /** The body of `fn main(index : i32)` for index < invocations; generated only when the pipeline is compiled. */
  readonly body: () => string;
}

/** A tfjs-webgpu program of `spec.invocations` invocations in a flat dispatch. */
export class GeneratedProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly uniforms: string;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;
  readonly atomic: boolean;

  constructor(private readonly spec: GeneratedProgramSpec) {
    this.variableNames = spec.variableNames;
    this.uniforms = `invocations : i32,${spec.extraUniforms ?? ''}`;
    this.outputShape = spec.outputShape;
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, [spec.invocations], this.workgroupSize);
    this.shaderKey = spec.shaderKey;
    this.atomic = spec.atomic ?? false;
  }

  getUserCode(): string {
    return `${this.spec.prelude ?? ''}
      fn main(index : i32) {
        if (index >= uniforms.invocations) { return; }
        ${this.spec.body()}
      }
    `;
  }
}

/** Runs `spec` on `inputs` into `output` (a fresh one when absent); `extra` are the values of `spec.extraUniforms`. */
export function runGenerated(backend: WebGPUBackend, spec: GeneratedProgramSpec, inputs: tf.TensorInfo[], output?: tf.TensorInfo, extra: readonly number[] = []): tf.TensorInfo {
  const uniforms = [spec.invocations, ...extra].map((value) => ({ type: 'int32', data: [value] }));
  return backend.runWebGPUProgram(new GeneratedProgram(spec), inputs, 'float32', uniforms, output);
}

/** Registers `kernelFunc` as the webgpu kernel `kernelName` unless one is registered; idempotent. */
export function registerWebGpuKernel(kernelName: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo): void {
  if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: kernelFunc as tf.KernelFunc });
}
