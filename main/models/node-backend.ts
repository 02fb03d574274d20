/**
 * The tfjs backend on Node (CLI, compute host, training workers, benches, tests): optional packages (tfjs-node,
 * tfjs-node-gpu) when installed, the native matMul addon when built (main/native; EQUIMOL_NATIVE=0 disables it,
 * EQUIMOL_NATIVE_THREADS=n sets its threads, default 1), then core's `initBackend`.
 *
 * EQUIMOL_FUSED (default 1, on): MACE/NequIP interactions run their message passing (gather senders, channelwise
 * Clebsch–Gordan product with the spherical harmonics and radial weights, sum at receivers) as one fused native op
 * (core/engine/layers/fused-cg-scatter.ts over main/native/src/cg-scatter.cc) where it can: wasm backend with the
 * native addon built; elsewhere the unfused tfjs composition runs as before. EQUIMOL_FUSED=0 keeps the unfused path
 * everywhere (same numbers to float32 rounding). The same switch runs each correlation step of MACE's product basis as
 * one fused native op (core/engine/layers/fused-channel-product.ts over main/native/src/channel-product.cc), and the
 * forward pass of EDM's EGNN denoiser while sampling (core/generative/edm/fused-dynamics.ts over egnn-denoiser.cc).
 * `initNodeBackend` applies it.
 *
 * tfjs is imported on first use (dynamic import) so commands that need no model start fast.
 */
import type { BackendInfo, BackendLoader, BackendPreference } from '../../core/engine/backend/backend';

export const nodeBackendLoader: BackendLoader = {
  async importOptional(packageName: string) {
    try {
      return await import(packageName);
    } catch {
      return undefined;
    }
  },
  async nativeKernels() {
    const { loadNativeKernels } = await import('../native/load-native-kernels');
    return loadNativeKernels();
  },
};

/**
 * tfjs-backend-cpu prints "Hi, looks like you are running TensorFlow.js in Node.js ... install our node backend"
 * through tfjs-core's `warn` on its first tensor whenever `IS_NODE` is set (tfjs-backend-cpu/src/backend_cpu.ts).
 * Equimol picks its backend itself (wasm with native kernels, or tfjs-node when installed), so the hint is noise
 * on every CLI run. tfjs-core's `warn`/`log` are silent when the `PROD` flag is set (`tf.enableProdMode()`,
 * tfjs-core/src/log.ts); `PROD` changes nothing else in tfjs 4.22 (no kernel or correctness check reads it).
 * Called before anything Node-side makes a tensor: backend initialisation and model loading (which may run first).
 */
export async function silenceTfjsHints(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
}

/** EQUIMOL_FUSED: unset, '' or '1' → true (the fused kernels on: messages, product basis, linear maps), '0' → false; anything else throws. */
export function fusedMessagePassingFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const text = env.EQUIMOL_FUSED;
  if (text === undefined || text === '' || text === '1') return true;
  if (text === '0') return false;
  throw new Error(`EQUIMOL_FUSED must be 0 or 1, got '${text}'`);
}

export async function initNodeBackend(prefer: BackendPreference = 'auto'): Promise<BackendInfo> {
  await silenceTfjsHints();
  const fused = fusedMessagePassingFromEnv();
  const { initBackend } = await import('../../core/engine/backend/backend');
  const { setFusedKernels } = await import('../../core/engine/layers/fused-kernels');
  setFusedKernels(fused);
  (await import('../../core/generative/edm/fused-dynamics')).setFusedDenoiser(fused);
  return initBackend({ prefer, loader: nodeBackendLoader });
}
