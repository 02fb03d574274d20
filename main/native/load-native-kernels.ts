/**
 * Loads the native matMul addon (main/native, Node-API over OpenBLAS; built by `npm run build:native`) for the
 * tfjs-wasm graph kernels. Resolves undefined when it is not built or is disabled, so Equimol runs without it.
 *
 * Environment:
 *   EQUIMOL_NATIVE=0           do not load it.
 *   EQUIMOL_NATIVE_PATH=file   load this .node file instead of the default locations.
 *   EQUIMOL_NATIVE_THREADS=n   threads of the fused kernels (cgScatter, channelProduct; default 1: the wasm backend
 *                              is single-threaded and training runs one job per core).
 *   EQUIMOL_BLAS_THREADS=n     OpenBLAS threads (default 1: on the model's products, [1113, 64]·[64, 64] and the like,
 *                              2 threads were slower than 1: 288 vs 314–333 molecules/s for the ethanol MACE at batch
 *                              100, the busy-waiting OpenBLAS threads taking the core the fused kernels need).
 *
 * Locations tried: the packaged app's resources (electron-builder extraResources: native/equimol_native.node), then
 * main/native/build/Release/equimol_native.node of the source tree (from these sources or from a dist/<x>/ bundle).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeKernels } from '../../core/engine/backend/native-kernels';

export const NATIVE_ADDON_FILE = 'equimol_native.node';

/** Where the addon may be, most specific first. */
export function nativeAddonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.EQUIMOL_NATIVE_PATH) return [env.EQUIMOL_NATIVE_PATH];
  const candidates: string[] = [];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) candidates.push(join(resourcesPath, 'native', NATIVE_ADDON_FILE));
  // From main/native/ and from dist/<bundle>/ alike, ../../ is the repository root.
  candidates.push(fileURLToPath(new URL(`../../main/native/build/Release/${NATIVE_ADDON_FILE}`, import.meta.url)));
  return candidates;
}

function threadsFrom(env: NodeJS.ProcessEnv, name: 'EQUIMOL_NATIVE_THREADS' | 'EQUIMOL_BLAS_THREADS'): number {
  const text = env[name];
  if (text === undefined || text === '') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`${name} must be an integer from 1 to 1024, got '${text}'`);
  return n;
}

function isNativeKernels(value: unknown): value is NativeKernels {
  const candidate = value as Partial<NativeKernels> | undefined;
  return typeof candidate?.sgemm === 'function' && typeof candidate.setThreads === 'function' && typeof candidate.threads === 'function';
}

/**
 * The addon with its threads set, or undefined when disabled or not built. Throws when a file is there but does not
 * load (wrong platform, missing libopenblas) or a thread count is malformed: initBackend logs that and goes on
 * without it.
 */
export async function loadNativeKernels(env: NodeJS.ProcessEnv = process.env): Promise<NativeKernels | undefined> {
  if (env.EQUIMOL_NATIVE === '0') return undefined;
  const path = nativeAddonCandidates(env).find((p) => existsSync(p));
  if (!path) return undefined;
  const threads = threadsFrom(env, 'EQUIMOL_NATIVE_THREADS');
  const blasThreads = threadsFrom(env, 'EQUIMOL_BLAS_THREADS');
  const addon: unknown = createRequire(import.meta.url)(path);
  if (!isNativeKernels(addon)) throw new Error(`${path} is not the Equimol native kernels addon (no sgemm/setThreads/threads)`);
  addon.setThreads(blasThreads);
  addon.setKernelThreads?.(threads);
  return addon;
}
