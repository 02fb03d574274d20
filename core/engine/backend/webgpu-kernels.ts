/**
 * Float32-accurate Sin and Cos kernels for tfjs-backend-webgpu.
 *
 * The stock kernels call WGSL's built-in sin/cos, which WebGPU only requires to be within 2^-11 (4.9e-4) absolute
 * inside [-π, π] and not bounded at all outside. SwiftShader (Chromium's CPU adapter) misses float32 by ~1.9e-4 over
 * the whole range, and GPU drivers use similar fast approximations. Every model's radial basis is a sine
 * (Bessel functions sin(nπr/r_c)/r), so forces on webgpu came out 2e-4 (relative) away from cpu/wasm.
 *
 * These kernels reduce the argument to r ∈ [-π/4, π/4] around the nearest multiple q·π/2 (three-part Cody–Waite split
 * of π/2, so q·P1 is exact for |q| < 2^16) and evaluate the Cephes single-precision minimax polynomials, choosing
 * sin or cos of r and its sign from q mod 4: a few float32 ulps, like the cpu backend's Math.sin.
 *
 * Only the kernels are replaced: the registered gradients (Sin -> cos·dy, Cos -> -sin·dy) apply unchanged.
 * This module is imported (dynamically) only once the webgpu backend has started.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

type Trig = 'sin' | 'cos';

/** WGSL: accurate sin/cos of one f32 (quadrant q of the nearest q·π/2; cos(x) = sin(x + π/2) is quadrant q + 1). */
const accurateTrigWgsl = `
  fn equimolSinCos(x : f32, quadrantOffset : i32) -> f32 {
    let q = round(x * 0.636619772367581343);
    // π/2 = P1 + P2 + P3 with P1 = 201/128 exact in 8 bits.
    let r = ((x - q * 1.5703125) - q * 4.837512969970703125e-4) - q * 7.54978995489188216e-8;
    let z = r * r;
    let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
    let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
    let k = ((i32(q) + quadrantOffset) % 4 + 4) % 4;
    if (k == 0) { return s; }
    if (k == 1) { return c; }
    if (k == 2) { return -s; }
    return -c;
  }
`;

class AccurateTrigProgram implements WebGPUProgram {
  variableNames = ['A'];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [128, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(shape: number[], private readonly trig: Trig) {
    this.outputShape = shape;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
    this.shaderKey = `equimol_accurate_${trig}`;
  }

  getUserCode(): string {
    return `${accurateTrigWgsl}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, equimolSinCos(getAByOutputIndex(index), ${this.trig === 'sin' ? 0 : 1}));
        }
      }
    `;
  }
}

function accurateTrigKernel(trig: Trig): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    return (backend as WebGPUBackend).runWebGPUProgram(new AccurateTrigProgram(x.shape, trig), [x], 'float32');
  };
}

let stockKernels: tf.KernelConfig[] | undefined;

/** Registers the accurate Sin and Cos kernels for 'webgpu' in place of the stock ones; idempotent. */
export function installWebGpuKernels(): void {
  if (stockKernels) return;
  stockKernels = [];
  for (const [kernelName, trig] of [['Sin', 'sin'], ['Cos', 'cos']] as const) {
    const stock = tf.getKernel(kernelName, 'webgpu');
    if (stock) {
      stockKernels.push(stock);
      tf.unregisterKernel(kernelName, 'webgpu');
    }
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: accurateTrigKernel(trig) });
  }
}

/** Puts the stock webgpu Sin and Cos back (tests use it to show the difference). */
export function restoreStockWebGpuKernels(): void {
  if (!stockKernels) return;
  for (const kernelName of ['Sin', 'Cos']) tf.unregisterKernel(kernelName, 'webgpu');
  for (const stock of stockKernels) tf.registerKernel(stock);
  stockKernels = undefined;
}
