/**
 * The molecular dipole as one arrow from the centroid of the atoms. Pure (no three, no DOM), so it is tested in
 * Node; viewer-overlays.ts draws it with the force-arrow meshes.
 */
import type { Structure } from '../../core/structure';
import type { ArrowInstances } from './force-arrows';
import type { DipoleArrowOptions, Vec3 } from './viewer-api';

/** Structure property holding the dipole vector (Debye) in ASE's extxyz and the QM9-xTB files. */
export const DIPOLE_PROPERTY = 'dipole';
/** Dipoles below this magnitude (D) draw no arrow (a symmetric molecule's 0, or numerical noise). */
export const MIN_DIPOLE = 1e-3;

export interface DipoleArrow {
  /** Debye. */
  readonly vector: Vec3;
  readonly magnitude: number;
  /** Centroid of the atoms (Å). */
  readonly start: Vec3;
  /** Unit vector along the dipole. */
  readonly direction: Vec3;
  /** Å (= scale * magnitude). */
  readonly length: number;
}

function finiteVector(value: unknown): Vec3 | null {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return null;
  const list = value as ArrayLike<unknown>;
  if (list.length !== 3) return null;
  const v = [Number(list[0]), Number(list[1]), Number(list[2])] as const;
  return v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? v : null;
}

/** The dipole vector (D): `options.vector`, else the structure's property (default 'dipole') when it is 3 finite numbers. */
export function dipoleVectorOf(structure: Structure, options: Pick<DipoleArrowOptions, 'vector' | 'property'>): Vec3 | null {
  if (options.vector) return finiteVector(options.vector);
  return finiteVector(structure.properties[options.property ?? DIPOLE_PROPERTY]);
}

/** The arrow of a structure's dipole, or null when there is no vector, no atom, or the dipole is below MIN_DIPOLE. */
export function dipoleArrowOf(structure: Structure, options: DipoleArrowOptions): DipoleArrow | null {
  const vector = dipoleVectorOf(structure, options);
  const n = structure.numbers.length;
  if (!vector || n === 0) return null;
  const magnitude = Math.hypot(...vector);
  if (!(magnitude >= MIN_DIPOLE)) return null;
  const start = [0, 1, 2].map((c) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += structure.positions[3 * i + c]!;
    return sum / n;
  }) as unknown as Vec3;
  const direction = vector.map((x) => x / magnitude) as unknown as Vec3;
  return { vector, magnitude, start, direction, length: magnitude * options.scale };
}

/** '4.48 D'. */
export function formatDipole(magnitude: number): string {
  return `${magnitude.toFixed(2)} D`;
}

/** The dipole as a one-arrow ArrowInstances (atom -1: it belongs to no atom). */
export function dipoleArrowInstances(arrow: DipoleArrow): ArrowInstances {
  return { count: 1, atom: Int32Array.of(-1), start: Float32Array.from(arrow.start), direction: Float32Array.from(arrow.direction), length: Float32Array.of(arrow.length) };
}
