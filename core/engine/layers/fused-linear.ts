/**
 * The equivariant linear map (linear.ts, e3nn o3.Linear) as ONE op on the native addon's kernel
 * (main/native/src/linear-maps.cc): every path's channel mixing in the irreps layout, instead of per path a slice,
 * reshape / transpose round trips, a matMul and a scaling, and a concat of the output blocks (and their gradients:
 * pads, splits and transposes). The map is bilinear in (x, W), so with a cotangent g, T(x, W, g) = Σ g·Linear(x; W)
 * and every derivative of any order is the same kernel in another role (multilinear-op.ts): forces and force training
 * run on it too.
 *
 * On webgpu the same kernel runs as WGSL (backend/webgpu-linear-maps.ts). The tfjs composition
 * (`EquivariantLinear.applyReference`) stays the reference and the path wherever the kernel is unavailable: wasm
 * without the addon (web mode), other backends, or `setFusedLinear(false)`.
 */
import * as tf from '@tensorflow/tfjs';
import { LINEAR_MAPS_KERNEL, linearMapsReady, type LinearMapsAttrs, type LinearMapsPlan } from '../backend/native-linear-maps';
import type { EquivariantLinear } from './linear';
import { packedConstantWeights } from './constant-weights';
import { multilinearPartial, type MultilinearKernel } from './multilinear-op';
import type { ParamRecord } from './params';
import { param } from './params';

const plans = new WeakMap<EquivariantLinear, LinearMapsPlan>();

/** The kernel's description of `layer`: per path its input and output blocks, degree, weight offset and α. */
export function linearMapsPlan(layer: EquivariantLinear): LinearMapsPlan {
  const cached = plans.get(layer);
  if (cached) return cached;
  const inOffsets = layer.irrepsIn.offsets, outOffsets = layer.irrepsOut.offsets;
  const table: number[] = [];
  const norms: number[] = [];
  let woff = 0;
  for (const p of layer.linearPaths) {
    const d = layer.irrepsOut.items[p.iOut]!.ir.dim;
    table.push(inOffsets[p.iIn]!, p.mulIn, outOffsets[p.iOut]!, p.mulOut, d, woff);
    norms.push(p.norm);
    woff += p.mulIn * p.mulOut;
  }
  const plan: LinearMapsPlan = { dimIn: layer.irrepsIn.dim, dimW: woff, dimOut: layer.irrepsOut.dim, paths: Int32Array.from(table), norms: Float32Array.from(norms) };
  plans.set(layer, plan);
  return plan;
}

/** Off by default; the Node host turns it on with the other fused kernels (EQUIMOL_FUSED, main/models/node-backend.ts). */
let fusedEnabled = false;

/** Turns the fused linear op on (it still needs the wasm backend with the native addon, or webgpu) or off (the reference). */
export function setFusedLinear(enabled: boolean): void {
  fusedEnabled = enabled;
}

/** Whether EquivariantLinear takes the fused kernel now. */
export function fusedLinearActive(): boolean {
  return fusedEnabled && linearMapsReady();
}

function linearMapsKernel(plan: LinearMapsPlan, nNodes: number): MultilinearKernel {
  return (role, inputs) => {
    const attrs: LinearMapsAttrs = { role, plan, nNodes };
    return tf.engine().runKernel(LINEAR_MAPS_KERNEL, { a: inputs[0]!, b: inputs[1]! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
}

/** The paths' weights flattened and concatenated, [dimW], differentiable with respect to each. */
function packOnTape(layer: EquivariantLinear, params: ParamRecord): tf.Tensor1D {
  const blocks = layer.linearPaths.map((p) => tf.reshape(param(params, p.weightName), [p.mulIn * p.mulOut]));
  return (blocks.length === 1 ? blocks[0]! : tf.concat(blocks)) as tf.Tensor1D;
}

/** x [n, irrepsIn.dim] -> [n, irrepsOut.dim], biases not included. Needs `fusedLinearActive()`. */
export function linearFused(layer: EquivariantLinear, params: ParamRecord, x: tf.Tensor2D): tf.Tensor2D {
  if (!linearMapsReady()) throw new Error(`${layer.name}: the fused linear op needs the wasm backend with the native addon, or webgpu`);
  const plan = linearMapsPlan(layer);
  const n = x.shape[0];
  if (x.shape[1] !== plan.dimIn) throw new Error(`${layer.name}: x is [${x.shape}], expected [${n},${plan.dimIn}]`);
  if (layer.linearPaths.length === 0) return tf.zeros([n, plan.dimOut]);
  return tf.tidy(() => {
    const w = packedConstantWeights(layer, params, layer.linearPaths.map((p) => p.weightName)) ?? packOnTape(layer, params); // [dimW]
    return multilinearPartial(2, [x, w, undefined], linearMapsKernel(plan, n)) as tf.Tensor2D;
  });
}
