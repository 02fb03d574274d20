/**
 * What the fused-kernel tests share (fused-cg-scatter, fused-cp-scatter, fused-channel-product, fused-linear): loading
 * the optional native addon with the skip reason when it or the kernel is missing, starting tfjs-wasm on a copy of the
 * addon that counts the kernel's calls (to tell the fused path from the reference), and a model's outputs with the
 * fused messages off and on.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/engine/backend/backend';
import type { NativeKernels } from '../../core/engine/backend/native-kernels';
import { setNativeMatMul } from '../../core/engine/backend/wasm-graph-kernels';
import { setFusedMessagePassing } from '../../core/engine/layers/fused-cg-scatter';
import type { EnergyModel } from '../../core/engine/model';
import type { Structure } from '../../core/structure/structure';
import { loadNativeKernels } from '../../main/native/load-native-kernels';
import { assertRelativelyClose, energyForcesAndForceLossGradients } from './backend-parity';
import { checkEnergyModel } from './layers-test-graph';

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

/**
 * Asserts that `model`'s energies, forces and force-loss weight gradients on `frames` are the same (float32 rounding)
 * with the fused message op off and on, that the message kernel (counted by `counter`) ran at least `minCalls` times
 * when on and never when off, and that the tensor count stays flat. Leaves the op off.
 */
export function assertSameWithFusedMessages(model: EnergyModel, frames: readonly Structure[], counter: { calls: number }, label: string, minCalls: number): void {
  const names = Object.keys(model.params).sort();
  const before = tf.memory().numTensors;
  setFusedMessagePassing(false);
  counter.calls = 0;
  const unfused = energyForcesAndForceLossGradients(model, frames, 5);
  assert.equal(counter.calls, 0, `${label}: unfused does not call the kernel`);
  setFusedMessagePassing(true);
  const fused = energyForcesAndForceLossGradients(model, frames, 5);
  assert.ok(counter.calls >= minCalls, `${label}: the interactions ran on the kernel (${counter.calls} calls)`);
  setFusedMessagePassing(false);
  assert.equal(tf.memory().numTensors, before, `${label}: tensor count flat`);
  assertRelativelyClose(fused.energy, unfused.energy, `${label} energies`);
  assertRelativelyClose(fused.forces, unfused.forces, `${label} forces`);
  names.forEach((name, k) => assertRelativelyClose(fused.gradients[k]!, unfused.gradients[k]!, `${label} force-loss gradient of ${name}`));
  assert.ok(fused.gradients.some((g) => g.some((v) => v !== 0)), `${label}: the force-loss gradients are not all zero`);
}

/**
 * checkEnergyModel (invariant energies, equivariant forces = −dE/dr, flat tensor count) with the fused message op on,
 * asserting the kernel ran; disposes `model`, turns the op off and uninstalls the addon.
 */
export async function checkEnergyModelOnFusedMessages(model: EnergyModel, counter: { calls: number }): Promise<void> {
  setFusedMessagePassing(true);
  try {
    await checkEnergyModel(model);
    assert.ok(counter.calls > 0, `the messages ran on the kernel (${counter.calls} calls)`);
  } finally {
    model.dispose();
    setFusedMessagePassing(false);
    setNativeMatMul(undefined);
  }
}
