// Helpers shared by the WebGPU parity pages (webgpu-page.ts, webgpu-fused-page.ts): the backend switch, reads, seeded
// inputs, the frames and the tiny parity models (created once so both backends evaluate the very same weights).
import * as tf from '@tensorflow/tfjs';
import type { EnergyModel } from '../../../core/engine/model';
import { createEgnn } from '../../../core/engine/models/egnn/egnn';
import { createMaceModel } from '../../../core/engine/models/mace/mace-model';
import { readText } from '../../../core/formats/read-text';
import { extxyzFormat } from '../../../core/formats/xyz/index';
import type { Structure } from '../../../core/structure/structure';
import { seededRandom } from '../../../core/util/seeded-random';

export type ParityBackend = 'webgpu' | 'cpu';

export async function use(backend: ParityBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

export async function values(tensor: tf.Tensor): Promise<number[]> {
  return Array.from(await tensor.data() as Float32Array);
}

export function randomArray(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

export const species = [1, 6, 8];
let cachedModels: Record<'egnn' | 'mace', EnergyModel> | undefined;

/** Tiny seeded models, created once so both backends evaluate the very same weights. */
export function parityModels(): Record<'egnn' | 'mace', EnergyModel> {
  cachedModels ??= {
    egnn: createEgnn({ species, features: 8, layers: 2, cutoff: 4, radialBasis: 4, updateCoordinates: true, seed: 2 }, { referenceEnergies: [0, 0, 0], scale: 5, shift: 0 }),
    mace: createMaceModel({ species, cutoff: 4, channels: 4, lmax: 1, shLmax: 1, nInteractions: 1, correlation: 2, nBasis: 4, radialHidden: 8, readoutHidden: 4, seed: 9 }),
  };
  return cachedModels;
}

export function readFrames(extxyz: string): Structure[] {
  const { structures, errors } = readText(extxyz, 'parity.extxyz', extxyzFormat);
  if (errors.length > 0) throw new Error(`parity.extxyz: ${errors[0]!.message}`);
  return structures;
}


