/**
 * The fused forward pass of EDM's EGNN denoiser (main/native/src/egnn-denoiser.cc): the whole network of
 * `predictNoise` (./dynamics.ts) in one native call on host arrays, for sampling, where no gradient is needed.
 * Profiled on a batch of 32 molecules of 18 atoms (64×4), the tfjs composition spends 26 % of its time in gathers,
 * 33 % in elementwise adds and sigmoids and 13 % in segment sums, around 17 % of matrix products; the native pass
 * keeps the products on OpenBLAS and does the rest in one loop over the edges.
 *
 * Like the other fused kernels it rides on the addon the host installed for the native matMul (`setNativeMatMul`),
 * so it runs on Node with the addon built and never in web mode; it is off by default in core and the Node host turns
 * it on with the other fused kernels (EQUIMOL_FUSED, main/models/node-backend.ts). Training takes the same forward
 * with a tape of its intermediates and the native backward pass (egnn-denoiser-backward.cc): the gradients of every
 * weight, of the node input and of the input positions (first order only).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeMatMulInstalled } from '../../engine/backend/wasm-graph-kernels';
import type { NativeKernels } from '../../engine/backend/native-kernels';

export interface NativeEgnnDenoiser {
  /** See main/native/src/egnn-denoiser.cc: writes x_L into outX and φ_out(h_L) into outH, and the tape unless it is empty. */
  egnnDenoiser(
    sizes: Int32Array, scalars: Float32Array, nodeInput: Float32Array, x: Float32Array, edgeSrc: Int32Array, edgeDst: Int32Array,
    weights: Float32Array, outX: Float32Array, outH: Float32Array, tape: Float32Array,
  ): void;
  /** Floats of a training pass's tape for these sizes. */
  egnnDenoiserTapeSize(sizes: Int32Array): number;
  /** See main/native/src/egnn-denoiser-backward.cc: the gradients from dL/dx_L and dL/d(outH). */
  egnnDenoiserBackward(
    sizes: Int32Array, scalars: Float32Array, nodeInput: Float32Array, x: Float32Array, edgeSrc: Int32Array, edgeDst: Int32Array,
    weights: Float32Array, tape: Float32Array, gradOutX: Float32Array, gradOutH: Float32Array,
    gradWeights: Float32Array, gradNodeInput: Float32Array, gradX: Float32Array,
  ): void;
}

export function hasEgnnDenoiser(kernels: NativeKernels | undefined): kernels is NativeKernels & NativeEgnnDenoiser {
  const k = kernels as Partial<NativeEgnnDenoiser> | undefined;
  return typeof k?.egnnDenoiser === 'function' && typeof k.egnnDenoiserBackward === 'function' && typeof k.egnnDenoiserTapeSize === 'function';
}

let enabled = false;

/** Off by default in core; the Node host turns it on with the other fused kernels (EQUIMOL_FUSED). */
export function setFusedDenoiser(on: boolean): void {
  enabled = on;
}

/** The native denoiser when it is switched on and the installed addon has it, else undefined. */
export function fusedDenoiserKernel(): NativeEgnnDenoiser | undefined {
  const native = nativeMatMulInstalled();
  return enabled && hasEgnnDenoiser(native) ? native : undefined;
}

/** The network's sizes and constants, as the kernel reads them. */
export interface FusedDenoiserShape {
  readonly nAtoms: number;
  readonly nEdges: number;
  readonly nodeIn: number;
  readonly features: number;
  readonly layers: number;
  readonly rangePerLayer: number;
  readonly normConstant: number;
  /** 1 / normalisation factor of the sums over neighbours. */
  readonly norm: number;
}

/** The denoiser's inputs on the host. */
export interface FusedDenoiserInputs {
  readonly nodeInput: Float32Array;
  readonly x: Float32Array;
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
}

function sizesOf(shape: FusedDenoiserShape): Int32Array {
  return Int32Array.of(shape.nAtoms, shape.nEdges, shape.nodeIn, shape.features, shape.layers);
}

function scalarsOf(shape: FusedDenoiserShape): Float32Array {
  return Float32Array.of(shape.rangePerLayer, shape.normConstant, shape.norm);
}

/**
 * Tapes given back after their backward pass, for the next training step (a tape is tens of MB: allocating and
 * zero-filling one per step cost about a tenth of the step). The forward writes every element it reads back.
 */
const spareTapes: Float32Array[] = [];
const SPARE_TAPES = 2;

function takeTape(length: number): Float32Array {
  const k = spareTapes.findIndex((t) => t.length >= length);
  const buffer = k >= 0 ? spareTapes.splice(k, 1)[0]! : new Float32Array(Math.ceil(length * 1.25));
  return buffer.subarray(0, length);
}

/** Hands a tape back once its backward pass has run (a tape whose pass gets no backward is left to the GC). */
function giveBackTape(tape: Float32Array): void {
  if (spareTapes.length >= SPARE_TAPES) spareTapes.shift();
  spareTapes.push(new Float32Array(tape.buffer));
}

/**
 * One forward pass: x_L [nAtoms·3] and φ_out(h_L) [nAtoms·nodeIn]. `weights` in `dynamicsParamShapes` order. With
 * `taped`, also the tape `fusedDenoiserBackward` reads.
 */
export function runFusedDenoiser(
  kernel: NativeEgnnDenoiser, shape: FusedDenoiserShape, inputs: FusedDenoiserInputs, weights: Float32Array, taped = false,
): { x: Float32Array; h: Float32Array; tape: Float32Array } {
  const x = new Float32Array(shape.nAtoms * 3);
  const h = new Float32Array(shape.nAtoms * shape.nodeIn);
  const tape = taped ? takeTape(kernel.egnnDenoiserTapeSize(sizesOf(shape))) : new Float32Array(0);
  kernel.egnnDenoiser(sizesOf(shape), scalarsOf(shape), inputs.nodeInput, inputs.x, inputs.edgeSrc, inputs.edgeDst, weights, x, h, tape);
  return { x, h, tape };
}

/** The gradients of a pass with tape `tape`, from dL/dx_L [nAtoms·3] and dL/d(outH) [nAtoms·nodeIn]. */
export function fusedDenoiserBackward(
  kernel: NativeEgnnDenoiser, shape: FusedDenoiserShape, inputs: FusedDenoiserInputs, weights: Float32Array, tape: Float32Array,
  gradOutX: Float32Array, gradOutH: Float32Array,
): { weights: Float32Array; nodeInput: Float32Array; x: Float32Array } {
  const grads = { weights: new Float32Array(weights.length), nodeInput: new Float32Array(inputs.nodeInput.length), x: new Float32Array(inputs.x.length) };
  kernel.egnnDenoiserBackward(
    sizesOf(shape), scalarsOf(shape), inputs.nodeInput, inputs.x, inputs.edgeSrc, inputs.edgeDst, weights, tape,
    gradOutX, gradOutH, grads.weights, grads.nodeInput, grads.x,
  );
  return grads;
}

/** Every weight's values, row-major, one after another (the kernel's packed layout, in the order given). */
export function packWeights(weights: readonly tf.Tensor[]): Float32Array {
  const packed = new Float32Array(weights.reduce((sum, w) => sum + w.size, 0));
  let offset = 0;
  for (const w of weights) {
    packed.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  return packed;
}

/**
 * The denoiser as one differentiable tfjs op for training: [x_L, φ_out(h_L)] as [nAtoms, 3 + nodeIn] from the node
 * input [nAtoms, nodeIn], the positions [nAtoms, 3] and the weights (in `dynamicsParamShapes` order). The forward
 * runs natively with a tape, the gradient natively from it (every input; first order only: its gradient has no
 * gradient of its own).
 */
export function fusedDenoiserOp(
  kernel: NativeEgnnDenoiser, shape: FusedDenoiserShape, edges: { edgeSrc: Int32Array; edgeDst: Int32Array },
  nodeInput: tf.Tensor2D, x: tf.Tensor2D, weights: readonly tf.Tensor[],
): tf.Tensor2D {
  const width = 3 + shape.nodeIn;
  const op = tf.customGrad((...args: unknown[]) => {
    const tensors = args.slice(0, 2 + weights.length) as tf.Tensor[];
    const inputs: FusedDenoiserInputs = { nodeInput: tensors[0]!.dataSync() as Float32Array, x: tensors[1]!.dataSync() as Float32Array, ...edges };
    const packed = packWeights(tensors.slice(2));
    const pass = runFusedDenoiser(kernel, shape, inputs, packed, true);
    const out = new Float32Array(shape.nAtoms * width);
    for (let i = 0; i < shape.nAtoms; i++) {
      out.set(pass.x.subarray(3 * i, 3 * i + 3), width * i);
      out.set(pass.h.subarray(shape.nodeIn * i, shape.nodeIn * (i + 1)), width * i + 3);
    }
    return {
      value: tf.tensor2d(out, [shape.nAtoms, width]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const gradOutX = new Float32Array(3 * shape.nAtoms);
        const gradOutH = new Float32Array(shape.nodeIn * shape.nAtoms);
        for (let i = 0; i < shape.nAtoms; i++) {
          gradOutX.set(g.subarray(width * i, width * i + 3), 3 * i);
          gradOutH.set(g.subarray(width * i + 3, width * (i + 1)), shape.nodeIn * i);
        }
        const grads = fusedDenoiserBackward(kernel, shape, inputs, packed, pass.tape, gradOutX, gradOutH);
        giveBackTape(pass.tape);
        let offset = 0;
        const weightGrads = tensors.slice(2).map((w) => {
          const grad = tf.tensor(grads.weights.subarray(offset, offset + w.size), w.shape);
          offset += w.size;
          return grad;
        });
        return [tf.tensor2d(grads.nodeInput, [shape.nAtoms, shape.nodeIn]), tf.tensor2d(grads.x, [shape.nAtoms, 3]), ...weightGrads];
      },
    };
  });
  return op(nodeInput, x, ...weights) as tf.Tensor2D;
}
