/**
 * Per-atom vector arrows (forces, eV/Å) and fixed-atom markers as flat arrays, from a Structure and the scene's
 * atom instances. Pure (no three, no DOM), so it is tested in Node; viewer-overlays.ts uploads the arrays.
 */
import type { Structure } from '../../core/structure';
import type { AtomInstances } from './scene-data';

/** Per-atom array ASE's extxyz and the samplers use for forces (eV/Å). */
export const FORCES_ARRAY = 'forces';
/** Per-atom selective-dynamics flags (bool, width 3, true = free along that axis), as POSCAR and ASE's extxyz. */
export const MOVE_MASK_ARRAY = 'move_mask';
/** Arrows shorter than this (Å, after scaling) are not drawn. */
export const MIN_ARROW_LENGTH = 0.02;

export interface ArrowInstances {
  readonly count: number;
  /** Base atom per arrow. */
  readonly atom: Int32Array;
  /** [count * 3] arrow tail on the atom's drawn surface, where the arrow leaves the sphere (Å). */
  readonly start: Float32Array;
  /** [count * 3] unit direction. */
  readonly direction: Float32Array;
  /** Arrow length, Å (= scale * |vector|). */
  readonly length: Float32Array;
}

/**
 * Arrows of a numeric per-atom array of width 3 (`forces` by default) for every drawn atom instance (supercell
 * images included), `scale` Å per unit of the array (1 Å per eV/Å for forces), starting on the atom's sphere so
 * short arrows are not hidden inside it. Null when the structure has no such array; atoms whose vector is not
 * finite or shorter than MIN_ARROW_LENGTH get no arrow.
 */
export function arrowInstancesOf(structure: Structure, atoms: AtomInstances, scale: number, arrayName = FORCES_ARRAY): ArrowInstances | null {
  const array = structure.atomArrays[arrayName];
  if (!array || array.kind === 'string' || array.width !== 3) return null;
  const picked: number[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < atoms.count; i++) {
    const a = atoms.atom[i]!;
    const x = Number(array.data[3 * a]), y = Number(array.data[3 * a + 1]), z = Number(array.data[3 * a + 2]);
    const length = Math.hypot(x, y, z) * scale;
    if (!Number.isFinite(length) || length < MIN_ARROW_LENGTH) continue;
    picked.push(i);
    lengths.push(length);
  }
  const count = picked.length;
  const out: ArrowInstances = { count, atom: new Int32Array(count), start: new Float32Array(3 * count), direction: new Float32Array(3 * count), length: new Float32Array(lengths) };
  picked.forEach((i, k) => {
    const a = atoms.atom[i]!;
    out.atom[k] = a;
    const norm = lengths[k]! / scale;
    for (let c = 0; c < 3; c++) {
      const direction = Number(array.data[3 * a + c]) / norm;
      out.direction[3 * k + c] = direction;
      out.start[3 * k + c] = atoms.position[3 * i + c]! + atoms.radius[i]! * direction;
    }
  });
  return out;
}

/**
 * Atoms held in place: those whose `move_mask` flags are all false (fixed along a, b and c, as ASE's FixAtoms
 * from POSCAR selective dynamics `F F F`) plus the `extra` 0-based indices (a relax request's fixedAtoms).
 * Indices outside the structure are ignored. Sorted ascending.
 */
export function fixedAtomsOf(structure: Structure, extra: readonly number[] = []): number[] {
  const n = structure.numbers.length;
  const fixed = new Set<number>();
  const mask = structure.atomArrays[MOVE_MASK_ARRAY];
  if (mask && mask.kind !== 'string' && mask.width === 3) {
    for (let i = 0; i < n; i++) {
      if (!mask.data[3 * i] && !mask.data[3 * i + 1] && !mask.data[3 * i + 2]) fixed.add(i);
    }
  }
  for (const i of extra) if (Number.isInteger(i) && i >= 0 && i < n) fixed.add(i);
  return [...fixed].sort((a, b) => a - b);
}
