/**
 * Test-side graph building for the equivariant model tests: a brute-force neighbour list (all ordered pairs
 * within the cutoff, molecules only) producing the engine's GraphContext, plus the shared model checks
 * (energy invariance, force equivariance, forces = −dE/dr by finite differences, flat tensor count).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../../core/engine/graph/graph-context';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import type { EnergyModel } from '../../core/engine/model';
import { energyAndForces } from '../../core/engine/model';
import { assertEquivariant, assertForcesMatchFiniteDifferences } from '../helpers/assert-equivariant';

export interface TestMolecule {
  readonly numbers: readonly number[];
  /** [nAtoms*3] Å */
  readonly positions: ArrayLike<number>;
}

/** Ethanol (CCO), a typical MD17-like geometry in Å. */
export const ethanol: TestMolecule = {
  numbers: [6, 6, 8, 1, 1, 1, 1, 1, 1],
  positions: [
    -0.0127, 1.0858, 0.008, 0.0022, -0.006, 0.002, 1.3471, -0.4733, -0.0353, -0.5415, 1.4405, -0.8972, 0.5329, 1.4579, 0.8813,
    -1.0442, 1.4525, 0.0514, -0.5207, -0.3741, 0.8924, -0.4824, -0.4066, -0.8963, 1.9, -0.0, 0.6,
  ],
};

/** Water, for multi-graph batches. */
export const water: TestMolecule = { numbers: [8, 1, 1], positions: [0, 0, 0.1173, 0, 0.7572, -0.4692, 0, -0.7572, -0.4692] };

export function buildTestGraph(molecules: readonly TestMolecule[], species: readonly number[], cutoff: number): GraphContext {
  const numbers: number[] = [];
  const positions: number[] = [];
  const batch: number[] = [];
  const atomStart = [0];
  molecules.forEach((m, g) => {
    numbers.push(...m.numbers);
    positions.push(...Array.from(m.positions));
    for (let i = 0; i < m.numbers.length; i++) batch.push(g);
    atomStart.push(numbers.length);
  });
  const src: number[] = [];
  const dst: number[] = [];
  molecules.forEach((_, g) => {
    for (let i = atomStart[g]!; i < atomStart[g + 1]!; i++)
      for (let j = atomStart[g]!; j < atomStart[g + 1]!; j++) {
        if (i === j) continue;
        const d = Math.hypot(positions[3 * i]! - positions[3 * j]!, positions[3 * i + 1]! - positions[3 * j + 1]!, positions[3 * i + 2]! - positions[3 * j + 2]!);
        if (d < cutoff) {
          src.push(j);
          dst.push(i);
        }
      }
  });
  const speciesIndex = numbers.map((z) => {
    const s = species.indexOf(z);
    if (s < 0) throw new Error(`element Z=${z} not in species ${species.join(',')}`);
    return s;
  });
  const nAtoms = numbers.length;
  const nEdges = src.length;
  return {
    nAtoms,
    nEdges,
    nGraphs: molecules.length,
    positions: tf.tensor2d(positions, [nAtoms, 3]),
    species: tf.tensor1d(speciesIndex, 'int32'),
    edgeSrc: tf.tensor1d(src, 'int32'),
    edgeDst: tf.tensor1d(dst, 'int32'),
    shifts: tf.zeros([nEdges, 3]),
    batch: tf.tensor1d(batch, 'int32'),
    cells: tf.zeros([molecules.length, 3, 3]),
    host: {
      numbers: Uint8Array.from(numbers),
      species: Int32Array.from(speciesIndex),
      edgeSrc: Int32Array.from(src),
      edgeDst: Int32Array.from(dst),
      cellOffsets: new Int32Array(nEdges * 3),
      batch: Int32Array.from(batch),
      atomStart: Int32Array.from(atomStart),
      periodic: molecules.map(() => false),
      volumes: new Float64Array(molecules.length),
      cutoff,
    },
  };
}

/** Energies [nGraphs] and forces [nAtoms*3] through the engine's shared energyAndForces. */
export function evaluate(model: EnergyModel, molecules: readonly TestMolecule[]): { energy: Float32Array; forces: Float32Array } {
  const ctx = buildTestGraph(molecules, model.species, model.cutoff);
  try {
    const result = energyAndForces(model, ctx);
    const out = { energy: result.energy.dataSync() as Float32Array, forces: result.forces.dataSync() as Float32Array };
    tf.dispose([result.energy, result.forces]);
    return out;
  } finally {
    disposeGraphContext(ctx);
  }
}

/**
 * The checks every energy model passes: invariant energy and equivariant forces under rotation (with and
 * without inversion), translation and permutation; forces = −dE/dr by finite differences; batching two
 * graphs gives each its own energy; tensor count flat over repeated calls.
 */
export async function checkEnergyModel(
  model: EnergyModel,
  options: { transforms?: ('rotation' | 'rotation+inversion' | 'translation' | 'permutation' | 'combined')[]; relative?: number } = {},
): Promise<void> {
  const numbers = ethanol.numbers;
  await assertEquivariant({
    name: `${model.family} energy/forces`,
    positions: ethanol.positions,
    outputs: [
      { irreps: '1x0e', rows: 'fixed' },
      { irreps: '1x1o', rows: 'atom' },
    ],
    // Permuting atoms must permute the atomic numbers too: fn receives permuted positions only, so recover the
    // permutation-invariant species assignment by passing numbers through the same permutation below.
    fn: (positions) => {
      const perm = matchPermutation(ethanol.positions, positions!);
      const { energy, forces } = evaluate(model, [{ numbers: perm.map((k) => numbers[k]!), positions: positions! }]);
      return [energy, forces];
    },
    // 'combined' = improper rotation + translation + permutation at once; one seeded trial keeps the file fast.
    transforms: options.transforms ?? ['rotation', 'combined'],
    trials: 1,
    tolerance: { absolute: 1e-5, relative: options.relative ?? 2e-4 },
  });
  const { energy, forces } = evaluate(model, [ethanol]);
  assert.ok(Number.isFinite(energy[0]!));
  await assertForcesMatchFiniteDifferences({
    name: `${model.family} forces`,
    positions: ethanol.positions,
    forces,
    energy: (p) => evaluate(model, [{ numbers, positions: p }]).energy[0]!,
    step: 1e-2,
    samples: 3,
  });
  const both = evaluate(model, [water, ethanol]);
  const alone = evaluate(model, [water]);
  assert.ok(Math.abs(both.energy[0]! - alone.energy[0]!) < 1e-4 * Math.max(1, Math.abs(alone.energy[0]!)), 'batched graphs are independent');
  assert.ok(Math.abs(both.energy[1]! - energy[0]!) < 1e-4 * Math.max(1, Math.abs(energy[0]!)), 'batched graphs are independent');
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) evaluate(model, [ethanol]);
  assert.equal(tf.memory().numTensors, before, 'tensor count flat over repeated energy+forces calls');
}

/**
 * For the permutation check: which original atom each transformed atom came from (atoms are matched by their
 * invariant distance profile, exact for the distinct-geometry test molecule).
 */
function matchPermutation(original: ArrayLike<number>, moved: ArrayLike<number>): number[] {
  const n = original.length / 3;
  const profile = (p: ArrayLike<number>, i: number) => {
    const d: number[] = [];
    for (let j = 0; j < n; j++) d.push(Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!));
    return d.sort((a, b) => a - b);
  };
  const originals = Array.from({ length: n }, (_, i) => profile(original, i));
  return Array.from({ length: n }, (_, k) => {
    const pk = profile(moved, k);
    let best = 0;
    let bestErr = Infinity;
    originals.forEach((po, i) => {
      const err = po.reduce((s, v, m) => s + Math.abs(v - pk[m]!), 0);
      if (err < bestErr) {
        bestErr = err;
        best = i;
      }
    });
    return best;
  });
}
