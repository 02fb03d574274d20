/**
 * Float32-accurate Sin, Cos and Acos kernels for tfjs-backend-webgpu.
 *
 * The stock kernels call WGSL's built-in sin/cos/acos, which WebGPU only requires to be within 2^-11 (4.9e-4)
 * absolute inside [-π, π] (sin, cos; not bounded at all outside) or as accurate as atan2(sqrt(1 - x²), x) (acos).
 * SwiftShader (Chromium's CPU adapter) misses float32 by ~1.9e-4 (sin, cos) and ~5e-5 (acos), and GPU drivers use
 * similar fast approximations. Every model's radial basis is a sine (Bessel functions sin(nπr/r_c)/r), so forces on
 * webgpu came out 2e-4 (relative) away from cpu/wasm; FAENet's PCA frames take acos and cos of eigenvalue angles.
 *
 * These kernels reduce the argument to r ∈ [-π/4, π/4] around the nearest multiple q·π/2 (three-part Cody–Waite split
 * of π/2, so q·P1 is exact for |q| < 2^16) and evaluate the Cephes single-precision minimax polynomials, choosing
 * sin or cos of r and its sign from q mod 4: a few float32 ulps, like the cpu backend's Math.sin. Acos uses the Cephes
 * asinf polynomial: acos(x) = π/2 - asin(x) for |x| <= 1/2, else 2·asin(sqrt((1 - |x|)/2)) (reflected for x < 0), whose
 * 1 - |x| is exact, unlike WGSL's 1 - x² near ±1.
 *
 * Only the kernels are replaced: the registered gradients (Sin -> cos·dy, Cos -> -sin·dy, Acos) apply unchanged.
 * This module is imported (dynamically) only once the webgpu backend has started.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { installWebGpuCgScatter } from './webgpu-cg-scatter';
import { installWebGpuChannelProduct } from './webgpu-channel-product';
import { installWebGpuLinearMaps } from './webgpu-linear-maps';

type AccurateOp = 'sin' | 'cos' | 'acos';

/** WGSL: accurate acos, and sin/cos of one f32 (quadrant q of the nearest q·π/2; cos(x) = sin(x + π/2) is quadrant q + 1). */
const accurateUnaryWgsl = `
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

  fn equimolAsinPolynomial(z : f32) -> f32 {
    return (((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1;
  }

  fn equimolAcos(x : f32) -> f32 {
    let ax = abs(x);
    if (ax > 1.0) { return uniforms.NAN; }
    if (ax <= 0.5) {
      let z = x * x;
      return 1.5707963267948966 - (x + x * z * equimolAsinPolynomial(z));
    }
    let z = 0.5 * (1.0 - ax);
    let s = sqrt(z);
    let half = s + s * z * equimolAsinPolynomial(z);
    if (x > 0.0) { return 2.0 * half; }
    return 3.141592653589793 - 2.0 * half;
  }
`;

const wgslCall: Record<AccurateOp, string> = {
  sin: 'equimolSinCos(a, 0)',
  cos: 'equimolSinCos(a, 1)',
  acos: 'equimolAcos(a)',
};

class AccurateUnaryProgram implements WebGPUProgram {
  variableNames = ['A'];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [128, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(shape: number[], private readonly op: AccurateOp) {
    this.outputShape = shape;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
    this.shaderKey = `equimol_accurate_${op}`;
  }

  getUserCode(): string {
    return `${accurateUnaryWgsl}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let a = getAByOutputIndex(index);
          setOutputAtIndex(index, ${wgslCall[this.op]});
        }
      }
    `;
  }
}

function accurateKernel(op: AccurateOp): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    return (backend as WebGPUBackend).runWebGPUProgram(new AccurateUnaryProgram(x.shape, op), [x], 'float32');
  };
}

let stockKernels: tf.KernelConfig[] | undefined;

const accurateKernels = [['Sin', 'sin'], ['Cos', 'cos'], ['Acos', 'acos']] as const;

/**
 * Registers the accurate Sin, Cos and Acos kernels for 'webgpu' in place of the stock ones, and Equimol's fused
 * message, product-basis and linear-map kernels (webgpu-cg-scatter.ts, webgpu-channel-product.ts,
 * webgpu-linear-maps.ts); idempotent.
 */
export function installWebGpuKernels(): void {
  installWebGpuCgScatter();
  installWebGpuChannelProduct();
  installWebGpuLinearMaps();
  if (stockKernels) return;
  stockKernels = [];
  for (const [kernelName, op] of accurateKernels) {
    const stock = tf.getKernel(kernelName, 'webgpu');
    if (stock) {
      stockKernels.push(stock);
      tf.unregisterKernel(kernelName, 'webgpu');
    }
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: accurateKernel(op) });
  }
}

/** Puts the stock webgpu Sin, Cos and Acos back (tests use it to show the difference). */
export function restoreStockWebGpuKernels(): void {
  if (!stockKernels) return;
  for (const [kernelName] of accurateKernels) tf.unregisterKernel(kernelName, 'webgpu');
  for (const stock of stockKernels) tf.registerKernel(stock);
  stockKernels = undefined;
}
