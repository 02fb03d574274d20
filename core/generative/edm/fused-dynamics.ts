/**
 * The fused forward pass of EDM's EGNN denoiser (main/native/src/egnn-denoiser.cc): the whole network of
 * `predictNoise` (./dynamics.ts) in one native call on host arrays, for sampling, where no gradient is needed.
 * Profiled on a batch of 32 molecules of 18 atoms (64×4), the tfjs composition spends 26 % of its time in gathers,
 * 33 % in elementwise adds and sigmoids and 13 % in segment sums, around 17 % of matrix products; the native pass
 * keeps the products on OpenBLAS and does the rest in one loop over the edges.
 *
 * Like the other fused kernels it rides on the addon the host installed for the native matMul (`setNativeMatMul`),
 * so it runs on Node with the addon built and never in web mode; it is off by default in core and the Node host turns
 * it on with the other fused kernels (EQUIMOL_FUSED, main/models/node-backend.ts). Training always takes the tfjs
 * composition (it needs gradients).
 */
import { nativeMatMulInstalled } from '../../engine/backend/wasm-graph-kernels';
import type { NativeKernels } from '../../engine/backend/native-kernels';

export interface NativeEgnnDenoiser {
  /** See main/native/src/egnn-denoiser.cc: writes x_L into outX and φ_out(h_L) into outH. */
  egnnDenoiser(
    sizes: Int32Array, scalars: Float32Array, nodeInput: Float32Array, x: Float32Array, edgeSrc: Int32Array, edgeDst: Int32Array,
    weights: Float32Array, outX: Float32Array, outH: Float32Array,
  ): void;
}

export function hasEgnnDenoiser(kernels: NativeKernels | undefined): kernels is NativeKernels & NativeEgnnDenoiser {
  return typeof (kernels as Partial<NativeEgnnDenoiser> | undefined)?.egnnDenoiser === 'function';
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

/** One forward pass: x_L [nAtoms·3] and φ_out(h_L) [nAtoms·nodeIn]. `weights` in `dynamicsParamShapes` order. */
export function runFusedDenoiser(
  kernel: NativeEgnnDenoiser, shape: FusedDenoiserShape, inputs: { nodeInput: Float32Array; x: Float32Array; edgeSrc: Int32Array; edgeDst: Int32Array },
  weights: Float32Array,
): { x: Float32Array; h: Float32Array } {
  const x = new Float32Array(shape.nAtoms * 3);
  const h = new Float32Array(shape.nAtoms * shape.nodeIn);
  kernel.egnnDenoiser(
    Int32Array.of(shape.nAtoms, shape.nEdges, shape.nodeIn, shape.features, shape.layers),
    Float32Array.of(shape.rangePerLayer, shape.normConstant, shape.norm),
    inputs.nodeInput, inputs.x, inputs.edgeSrc, inputs.edgeDst, weights, x, h,
  );
  return { x, h };
}
