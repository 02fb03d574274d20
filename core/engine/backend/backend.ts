/**
 * Picks and initialises the fastest tfjs backend available, installs Equimol's kernels and the second-order
 * gradient fix, and says what runs.
 *
 * Order: tensorflow-gpu (tfjs-node-gpu) -> tensorflow (tfjs-node) -> webgpu -> wasm (SIMD; threads where the
 * platform allows) -> cpu. Optional Node packages cannot be imported from core, so the host passes a
 * `BackendLoader` (main/ or a test) that dynamic-imports them in try/catch; without one, only the pure
 * packages (wasm, webgpu, cpu) are tried.
 */
import * as tf from '@tensorflow/tfjs';
import { installSecondOrderGradients } from './second-order-gradients';
import type { NativeKernels } from './native-kernels';
import { setNativeMatMul, setWasmGraphKernels } from './wasm-graph-kernels';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'tensorflow-gpu' | 'auto';

export interface BackendLoader {
  /**
   * Imports an optional package by name ('@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'); resolves
   * undefined when it is not installed. Importing it registers the 'tensorflow' backend.
   */
  importOptional?(packageName: string): Promise<unknown>;
  /** Where the tfjs-backend-wasm .wasm files are served from (browser); Node finds them itself. */
  readonly wasmPaths?: string;
  /** Makes `navigator.gpu` available (e.g. the `webgpu` npm package in Node); resolves false when it cannot. */
  prepareWebGpu?(): Promise<boolean>;
  /** The native matMul addon (main/native, OpenBLAS) for the wasm backend's graph kernels; undefined when not built. */
  nativeKernels?(): Promise<NativeKernels | undefined>;
}

export interface InitBackendOptions {
  /** Force one backend ('auto' = fastest available). Falls back down the list when it cannot start. */
  readonly prefer?: BackendPreference;
  readonly loader?: BackendLoader;
  /** Install Equimol's wasm graph kernels (default true; benchmarks pass false for stock tfjs). */
  readonly graphKernels?: boolean;
  /** Diagnostics (which backends were tried and why they were skipped). */
  readonly log?: (line: string) => void;
}

export interface BackendInfo {
  readonly name: BackendName;
  /** Human-readable, for every reported figure: 'tfjs-wasm (SIMD, 1 thread, equimol kernels)'. */
  readonly description: string;
  readonly graphKernels: boolean;
  readonly secondOrderGradientsFixed: boolean;
  /** Large matMuls run on the native BLAS (wasm backend with graph kernels and a host that has the addon). */
  readonly nativeMatMul: boolean;
}

const order: readonly BackendPreference[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

async function tryTensorflow(packageName: string, loader: BackendLoader | undefined): Promise<boolean> {
  if (!loader?.importOptional) return false;
  const module = await loader.importOptional(packageName).catch(() => undefined);
  if (!module || !tf.findBackendFactory('tensorflow')) return false;
  return tf.setBackend('tensorflow');
}

async function tryWebGpu(loader: BackendLoader | undefined): Promise<boolean> {
  if (loader?.prepareWebGpu && !(await loader.prepareWebGpu().catch(() => false))) return false;
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (!gpu) return false;
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu').catch(() => false))) return false;
  if (!webGpuSyncReadbackWorks()) {
    throw new Error('dataSync() reads back wrong values (its WebGPU-canvas readback is broken here; in headless Chromium use --enable-features=Vulkan --use-vulkan=swiftshader)');
  }
  (await import('./webgpu-kernels')).installWebGpuKernels();
  return true;
}

/** What WebGPU offers here: a hardware adapter, only a fallback (software, e.g. SwiftShader) one, or none. */
export type WebGpuAdapterKind = 'hardware' | 'fallback' | 'none';

interface AdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { readonly isFallbackAdapter?: boolean };
}

/** Asks `navigator.gpu` for an adapter (nothing is started); 'none' without WebGPU or when the request fails. */
export async function webGpuAdapterKind(): Promise<WebGpuAdapterKind> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return 'none';
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return 'none';
  return adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ? 'fallback' : 'hardware';
}

/**
 * tfjs-webgpu's dataSync() copies the GPU buffer through a WebGPU canvas into a 2D canvas. Where that path is
 * broken (headless Chromium whose canvases are not on Vulkan) it silently returns zeros and then loses the device.
 * Core reads synchronously (training loss, model export), so such a webgpu must not be picked.
 */
function webGpuSyncReadbackWorks(): boolean {
  return tf.tidy(() => {
    // Large enough to run on the GPU (small inputs with CPU values are forwarded to the CPU).
    const values = tf.add(tf.fill([4096], 1.5), tf.fill([4096], 1)).dataSync();
    return values[0] === 2.5 && values[4095] === 2.5;
  });
}

async function tryWasm(loader: BackendLoader | undefined): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (loader?.wasmPaths) wasm.setWasmPaths(loader.wasmPaths);
  return tf.setBackend('wasm').catch(() => false);
}

/** Thrown when the wasm heap cannot hold a new tensor (instead of tfjs-wasm's silent null allocation). */
export class WasmHeapExhaustedError extends RangeError {
  constructor(readonly bytes: number, readonly heapBytes: number) {
    super(`tfjs-wasm ran out of memory: ${(bytes / 2 ** 20).toFixed(1)} MiB more did not fit in its ${(heapBytes / 2 ** 30).toFixed(2)} GiB heap (evaluate fewer or smaller structures per batch)`);
    this.name = 'WasmHeapExhaustedError';
  }
}

interface WasmModuleLike {
  _malloc(bytes: number): number;
  /** The raw exports; emscripten's `_malloc` is a stub that replaces itself with `asm.malloc` on its first call. */
  asm?: { malloc?(bytes: number): number };
  HEAPU8: Uint8Array;
  equimolHeapGuard?: boolean;
}

/**
 * tfjs-wasm ignores a failed malloc (it returns 0) and then writes the new tensor at address 0, corrupting the heap:
 * a later kernel dies with "memory access out of bounds" (seen with a 250k-parameter MACE on 100 QM9 molecules).
 * Wrap its malloc so an allocation that does not fit throws a clear, catchable error and the heap stays intact.
 */
function guardWasmHeap(): void {
  const module = (tf.backend() as unknown as { wasm?: WasmModuleLike }).wasm;
  if (!module || module.equimolHeapGuard) return;
  const raw = module.asm?.malloc;
  const malloc = raw ? raw.bind(module.asm) : module._malloc.bind(module);
  module._malloc = (bytes: number): number => {
    // The wasm heap addresses at most 4 GiB: a larger size would wrap around to a small allocation.
    if (bytes >= 2 ** 32 - 2 ** 16) throw new WasmHeapExhaustedError(bytes, module.HEAPU8.length);
    const address = malloc(bytes);
    if (address === 0 && bytes > 0) throw new WasmHeapExhaustedError(bytes, module.HEAPU8.length);
    return address;
  };
  module.equimolHeapGuard = true;
}

async function describe(name: BackendName, graphKernels: boolean, native?: NativeKernels): Promise<string> {
  const kernels = (graphKernels ? 'equimol kernels' : 'stock kernels') + (native ? `, ${native.blas ?? 'native'} matMul ${native.threads()} thread${native.threads() === 1 ? '' : 's'}` : '');
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT').catch(() => false);
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT').catch(() => false);
    return `tfjs-wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : '1 thread'}, ${kernels})`;
  }
  if (name === 'tensorflow') return 'tfjs-node (TensorFlow C library)';
  if (name === 'webgpu') return 'tfjs-webgpu';
  return 'tfjs-cpu (plain JavaScript)';
}

/**
 * Initialises tfjs: the preferred backend if it starts, else the next available one down the order.
 * Always installs the second-order gradient fix (backend-independent).
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const log = options.log ?? (() => {});
  const prefer = options.prefer ?? 'auto';
  const start = prefer === 'auto' ? 0 : order.indexOf(prefer);
  installSecondOrderGradients();
  for (const candidate of order.slice(Math.max(0, start))) {
    let ok = false;
    try {
      if (candidate === 'tensorflow-gpu') ok = await tryTensorflow('@tensorflow/tfjs-node-gpu', options.loader);
      else if (candidate === 'tensorflow') ok = await tryTensorflow('@tensorflow/tfjs-node', options.loader);
      else if (candidate === 'webgpu') ok = await tryWebGpu(options.loader);
      else if (candidate === 'wasm') ok = await tryWasm(options.loader);
      else ok = await tf.setBackend('cpu');
    } catch (error) {
      log(`backend ${candidate} failed: ${error instanceof Error ? error.message : String(error)}`);
      ok = false;
    }
    if (!ok) {
      log(`backend ${candidate} not available`);
      continue;
    }
    await tf.ready();
    const name = tf.getBackend() as BackendName;
    const graphKernels = name === 'wasm' && options.graphKernels !== false;
    if (name === 'wasm') {
      guardWasmHeap();
      setWasmGraphKernels(graphKernels);
    }
    const native = graphKernels ? await options.loader?.nativeKernels?.().catch((error: unknown) => { log(`native kernels failed: ${String(error)}`); return undefined; }) : undefined;
    setNativeMatMul(native);
    return { name, description: await describe(name, graphKernels, native), graphKernels, secondOrderGradientsFixed: true, nativeMatMul: native !== undefined };
  }
  throw new Error('no tfjs backend could be initialised');
}
