/**
 * What the fused-kernel tests share (fused-cg-scatter, fused-channel-product, fused-linear): loading the optional
 * native addon with the skip reason when it or the kernel is missing, and starting tfjs-wasm on a copy of the addon
 * that counts the kernel's calls (to tell the fused path from the reference).
 */
import { initBackend } from '../../core/engine/backend/backend';
import type { NativeKernels } from '../../core/engine/backend/native-kernels';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { loadNativeKernels } from '../../main/native/load-native-kernels';

export interface FusedAddon<K> {
  readonly addon: (NativeKernels & K) | undefined;
  /** Why the tests of `kernel` cannot run, or false. */
  readonly skip: string | false;
}

/**
 * The addon on one fused-kernel thread. The addon is optional (Equimol runs without it; `npm test` builds it first,
 * npm run build:native), but one that is there and does not load is an error.
 */
export async function loadFusedAddon<K>(kernel: keyof K & string, has: (k: NativeKernels | undefined) => k is NativeKernels & K): Promise<FusedAddon<K>> {
  const native = await loadNativeKernels({ EQUIMOL_NATIVE_THREADS: '1' }).catch((error: unknown) => {
    throw new Error(`main/native/build/Release/equimol_native.node is there but does not load: ${String(error)}`);
  });
  const skip = !native
    ? 'the native addon is not built (npm run build:native; needs a C++ compiler and libopenblas-dev)'
    : !has(native) ? `the native addon was built without ${kernel} (stale build: rerun npm run build:native)` : false;
  return { addon: skip ? undefined : (native as NativeKernels & K), skip };
}

/** `addon` with every function passed through and `kernel`'s calls counted in `calls`. */
export function countingAddon<K>(addon: NativeKernels & K, kernel: keyof K & string): NativeKernels & K & { calls: number } {
  const functions: Record<string, unknown> = { blas: addon.blas };
  const counter = { calls: 0 };
  for (const [name, value] of Object.entries(addon)) {
    if (typeof value === 'function') functions[name] = (value as (...args: unknown[]) => unknown).bind(addon);
  }
  const inner = functions[kernel] as (...args: unknown[]) => unknown;
  functions[kernel] = (...args: unknown[]) => {
    counter.calls++;
    return inner(...args);
  };
  return Object.assign(counter, functions) as unknown as NativeKernels & K & { calls: number };
}

/** tfjs-wasm with a counting copy of `addon` installed as its native kernels. */
export async function wasmWithCountingAddon<K>(addon: NativeKernels & K, kernel: keyof K & string): Promise<NativeKernels & K & { calls: number }> {
  await initBackend({ prefer: 'wasm', loader: { nativeKernels: async () => addon } });
  const counter = countingAddon(addon, kernel);
  setNativeMatMul(counter);
  return counter;
}
