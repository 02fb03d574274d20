/**
 * The ONE equivariance check every layer and model test uses.
 *
 * Given a function of (positions, feature blocks) with declared irreps for each input and output block, it
 * applies seeded random group elements g of E(3) × S_n and asserts
 *
 *   f(g·x) = g·f(x)
 *
 * where on positions g acts as r ↦ Q r + t (Q proper or improper), on an irreps feature block as the
 * block-diagonal Wigner-D of Q with parity (D^l(Q0)·p when Q = -Q0, det -1), and on rows indexed by atoms as a
 * permutation. Transforms checked, each `trials` times: proper rotation, rotation with inversion,
 * translation (when positions are given), permutation (when any block is indexed by atoms), and all combined.
 *
 * Tolerance is float32-sized: max |f(g·x) - g·f(x)| ≤ absolute + relative · max |g·f(x)| per output block.
 *
 * Usage for a layer on features:  outputs declared as `{ irreps: '8x0e+8x1o', rows: 'atom' }`.
 * Usage for a model:  `positions` given, outputs `[{ irreps: '1x0e', rows: 'fixed' }, { irreps: '1x1o', rows: 'atom' }]`
 * (per-graph energies are invariant, forces rotate like positions and follow the atoms).
 */
import assert from 'node:assert/strict';
import { Irreps, irrepsRepresentation, randomRotation } from '../../core/o3/index';
import type { Matrix3 } from '../../core/o3/index';
import { seededRandom } from '../../core/util/seeded-random';

/** Rows indexed by atoms follow the atom permutation; 'fixed' rows (edges built inside fn, graphs, samples) do not. */
export type RowIndex = 'atom' | 'fixed';

export interface FeatureBlockInput {
  readonly irreps: Irreps | string;
  /** [rows, irreps.dim] row-major. */
  readonly data: ArrayLike<number>;
  readonly rows?: RowIndex;
}

export interface FeatureBlockOutput {
  readonly irreps: Irreps | string;
  readonly rows?: RowIndex;
}

export type TransformName = 'rotation' | 'rotation+inversion' | 'translation' | 'permutation' | 'combined';

export interface EquivarianceCheck {
  /** What is checked, used in failure messages. */
  readonly name: string;
  /** Atom positions [nAtoms * 3] (Å), or omitted for functions of features only. */
  readonly positions?: ArrayLike<number>;
  readonly inputs?: readonly FeatureBlockInput[];
  readonly outputs: readonly FeatureBlockOutput[];
  /** The function under test: returns one flat array per declared output block. */
  readonly fn: (
    positions: Float64Array | undefined,
    inputs: readonly Float64Array[],
  ) => ReadonlyArray<ArrayLike<number>> | Promise<ReadonlyArray<ArrayLike<number>>>;
  readonly seed?: number;
  /** Random group elements per transform kind (default 2). */
  readonly trials?: number;
  readonly tolerance?: { readonly absolute?: number; readonly relative?: number };
  /** Restrict to some transforms (default: all that apply). */
  readonly transforms?: readonly TransformName[];
}

interface GroupElement {
  readonly kind: TransformName;
  readonly matrix: Matrix3;
  readonly translation: readonly [number, number, number];
  /** New atom k is old atom perm[k]. */
  readonly perm: Int32Array | undefined;
}

function applyToBlock(
  data: ArrayLike<number>,
  irreps: Irreps,
  representation: Float64Array,
  rows: RowIndex,
  perm: Int32Array | undefined,
): Float64Array {
  const dim = irreps.dim;
  const nRows = dim === 0 ? 0 : data.length / dim;
  if (!Number.isInteger(nRows)) throw new Error(`block of ${data.length} numbers is not a multiple of irreps dim ${dim} (${irreps})`);
  if (rows === 'atom' && perm && perm.length !== nRows) throw new Error(`atom-indexed block has ${nRows} rows, expected ${perm.length}`);
  const out = new Float64Array(data.length);
  for (let r = 0; r < nRows; r++) {
    const src = rows === 'atom' && perm ? perm[r]! : r;
    for (let i = 0; i < dim; i++) {
      let v = 0;
      for (let j = 0; j < dim; j++) {
        const d = representation[i * dim + j]!;
        if (d !== 0) v += d * data[src * dim + j]!;
      }
      out[r * dim + i] = v;
    }
  }
  return out;
}

function randomPermutation(n: number, random: () => number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  // A permutation that moves nothing checks nothing: force at least one swap.
  if (n > 1 && perm.every((v, i) => v === i)) {
    perm[0] = 1;
    perm[1] = 0;
  }
  return perm;
}

function countAtoms(check: EquivarianceCheck): number | undefined {
  if (check.positions) return check.positions.length / 3;
  for (const input of check.inputs ?? []) {
    if ((input.rows ?? 'atom') === 'atom') return input.data.length / Irreps.of(input.irreps).dim;
  }
  return undefined;
}

/**
 * Asserts f(g·x) = g·f(x) for random rotations (with and without inversion), translations and atom
 * permutations. Throws an AssertionError naming the transform, output block and worst deviation.
 */
export async function assertEquivariant(check: EquivarianceCheck): Promise<void> {
  const random = seededRandom(check.seed ?? 12345);
  const trials = check.trials ?? 2;
  const absolute = check.tolerance?.absolute ?? 1e-5;
  const relative = check.tolerance?.relative ?? 1e-4;
  const nAtoms = countAtoms(check);
  const hasAtomRows =
    nAtoms !== undefined &&
    (check.positions !== undefined || (check.inputs ?? []).some((b) => (b.rows ?? 'atom') === 'atom'));
  const identity = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const wanted = new Set<TransformName>(
    check.transforms ?? ['rotation', 'rotation+inversion', 'translation', 'permutation', 'combined'],
  );
  const elements: GroupElement[] = [];
  for (let t = 0; t < trials; t++) {
    const rotation = randomRotation(random);
    const inverted = rotation.map((v) => -v);
    const translation: [number, number, number] = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2];
    const perm = hasAtomRows ? randomPermutation(nAtoms!, random) : undefined;
    if (wanted.has('rotation')) elements.push({ kind: 'rotation', matrix: rotation, translation: [0, 0, 0], perm: undefined });
    if (wanted.has('rotation+inversion'))
      elements.push({ kind: 'rotation+inversion', matrix: inverted, translation: [0, 0, 0], perm: undefined });
    if (wanted.has('translation') && check.positions)
      elements.push({ kind: 'translation', matrix: identity, translation, perm: undefined });
    if (wanted.has('permutation') && perm) elements.push({ kind: 'permutation', matrix: identity, translation: [0, 0, 0], perm });
    if (wanted.has('combined'))
      elements.push({ kind: 'combined', matrix: inverted, translation: check.positions ? translation : [0, 0, 0], perm });
  }
  assert.ok(elements.length > 0, `${check.name}: no transform applies`);

  const inputs = (check.inputs ?? []).map((b) => ({ irreps: Irreps.of(b.irreps), data: b.data, rows: b.rows ?? 'atom' }));
  const outputs = check.outputs.map((b) => ({ irreps: Irreps.of(b.irreps), rows: b.rows ?? 'atom' }));
  const positions = check.positions ? Float64Array.from(check.positions) : undefined;
  const reference = await check.fn(
    positions,
    inputs.map((b) => Float64Array.from(b.data)),
  );
  assert.equal(reference.length, outputs.length, `${check.name}: fn returned ${reference.length} blocks, declared ${outputs.length}`);
  for (const [i, block] of reference.entries()) {
    for (const v of Array.from(block)) assert.ok(Number.isFinite(v), `${check.name}: output block ${i} has non-finite values`);
  }

  for (const g of elements) {
    const vectorRep = irrepsRepresentation(Irreps.parse('1x1o'), g.matrix);
    let movedPositions: Float64Array | undefined;
    if (positions) {
      movedPositions = applyToBlock(positions, Irreps.parse('1x1o'), vectorRep, 'atom', g.perm);
      for (let a = 0; a < movedPositions.length / 3; a++)
        for (let k = 0; k < 3; k++) movedPositions[3 * a + k] += g.translation[k]!;
    }
    const movedInputs = inputs.map((b) => applyToBlock(b.data, b.irreps, irrepsRepresentation(b.irreps, g.matrix), b.rows, g.perm));
    const actual = await check.fn(movedPositions, movedInputs);
    assert.equal(actual.length, outputs.length, `${check.name}: fn returned ${actual.length} blocks, declared ${outputs.length}`);
    outputs.forEach((out, i) => {
      const expected = applyToBlock(reference[i]!, out.irreps, irrepsRepresentation(out.irreps, g.matrix), out.rows, g.perm);
      const got = actual[i]!;
      assert.equal(got.length, expected.length, `${check.name}: output block ${i} changed length under ${g.kind}`);
      let scale = 0;
      for (const v of expected) scale = Math.max(scale, Math.abs(v));
      let worst = 0;
      let worstAt = -1;
      for (let k = 0; k < expected.length; k++) {
        const e = Math.abs(got[k]! - expected[k]!);
        if (!(e <= worst)) {
          worst = e;
          worstAt = k;
        }
      }
      const allowed = absolute + relative * scale;
      assert.ok(
        worst <= allowed,
        `${check.name}: output block ${i} (${out.irreps}) is not equivariant under ${g.kind}: ` +
          `max deviation ${worst.toExponential(3)} at index ${worstAt} (got ${got[worstAt]}, expected ${expected[worstAt]}), ` +
          `allowed ${allowed.toExponential(3)} (scale ${scale.toExponential(3)})`,
      );
    });
  }
}

/**
 * Asserts forces = -dE/dr by central finite differences of the energy at `samples` seeded (atom, axis) picks.
 * `energy` returns the total energy (eV) for positions [nAtoms*3] (Å); `forces` the [nAtoms*3] forces (eV/Å).
 * float32 energies: keep step ≈ 1e-2 Å and the relative tolerance ≈ 1e-2.
 */
export async function assertForcesMatchFiniteDifferences(options: {
  readonly name: string;
  readonly positions: ArrayLike<number>;
  readonly energy: (positions: Float64Array) => number | Promise<number>;
  readonly forces: ArrayLike<number>;
  readonly step?: number;
  readonly samples?: number;
  readonly seed?: number;
  readonly tolerance?: { readonly absolute?: number; readonly relative?: number };
}): Promise<void> {
  const step = options.step ?? 1e-2;
  const random = seededRandom(options.seed ?? 7);
  const n = options.positions.length;
  const samples = Math.min(options.samples ?? 6, n);
  let forceScale = 0;
  for (const f of Array.from(options.forces)) forceScale = Math.max(forceScale, Math.abs(f));
  const absolute = options.tolerance?.absolute ?? 1e-3;
  const relative = options.tolerance?.relative ?? 1e-2;
  for (let s = 0; s < samples; s++) {
    const k = Math.floor(random() * n);
    const plus = Float64Array.from(options.positions);
    const minus = Float64Array.from(options.positions);
    plus[k] += step;
    minus[k] -= step;
    const fd = -((await options.energy(plus)) - (await options.energy(minus))) / (2 * step);
    const analytic = options.forces[k]!;
    assert.ok(
      Math.abs(fd - analytic) <= absolute + relative * forceScale,
      `${options.name}: force component ${k} (atom ${Math.floor(k / 3)}, axis ${'xyz'[k % 3]}) = ${analytic} but ` +
        `-dE/dr by finite differences = ${fd} (step ${step} Å, force scale ${forceScale})`,
    );
  }
}
