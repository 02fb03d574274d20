/**
 * Turns a Structure plus view settings into flat per-instance arrays (atom spheres, bond half-cylinders),
 * periodic images and supercell copies included. Pure (no three, no DOM), so it is tested in Node and the
 * WebGL side only uploads arrays.
 */
import { ELEMENTS, type Structure } from '../../core/structure';
import { isPeriodic, viewBondsOf } from './bonds';
import type { CellImage, ColorScheme, Vec3, ViewerStyle } from './viewer-api';

/** Pick radius (Å) of atoms in wireframe, where most atoms have no sphere. */
export const PICK_RADIUS_WIREFRAME = 0.35;

export interface StyleMetrics {
  /** Atom radius = atomRadiusFactor * vdW radius + atomRadiusConstant (Å), before atomScale. */
  readonly atomRadiusFactor: number;
  readonly atomRadiusConstant: number;
  /** Bond cylinder radius (Å) before bondScale; 0 draws no bonds. */
  readonly bondRadius: number;
  /** Bonds as lines instead of cylinders. */
  readonly bondsAsLines: boolean;
}

export const STYLE_METRICS: Readonly<Record<ViewerStyle, StyleMetrics>> = {
  'ball-and-stick': { atomRadiusFactor: 0.25, atomRadiusConstant: 0, bondRadius: 0.14, bondsAsLines: false },
  spacefill: { atomRadiusFactor: 1, atomRadiusConstant: 0, bondRadius: 0, bondsAsLines: false },
  licorice: { atomRadiusFactor: 0, atomRadiusConstant: 0.2, bondRadius: 0.2, bondsAsLines: false },
  // Wireframe: bonds as lines; spheres only for atoms without bonds (small), so lone atoms stay visible.
  wireframe: { atomRadiusFactor: 0, atomRadiusConstant: 0.12, bondRadius: 0, bondsAsLines: true },
};

export interface SceneSettings {
  readonly style: ViewerStyle;
  readonly colorScheme: ColorScheme;
  readonly atomScale: number;
  readonly bondScale: number;
  readonly supercell: Vec3;
}

export interface AtomInstances {
  readonly count: number;
  /** Base atom index per instance. */
  readonly atom: Int32Array;
  /** [count * 3] supercell image per instance. */
  readonly image: Int16Array;
  /** [count * 3] Å. */
  readonly position: Float32Array;
  /** Å. */
  readonly radius: Float32Array;
  /** 0xRRGGBB (sRGB) per instance. */
  readonly color: Uint32Array;
}

/** Bond halves: each a cylinder (or line) from start to end in one atom's colour. */
export interface BondHalves {
  readonly count: number;
  readonly start: Float32Array;
  readonly end: Float32Array;
  readonly radius: number;
  readonly color: Uint32Array;
}

export interface SceneData {
  readonly atoms: AtomInstances;
  /** Atoms for picking: the drawn spheres, or in wireframe every atom with PICK_RADIUS_WIREFRAME. */
  readonly pickAtoms: AtomInstances;
  readonly bonds: BondHalves;
  /** Number of drawn bonds (each bond is two halves). */
  readonly bondCount: number;
  /** Per base atom colour (0xRRGGBB). */
  readonly atomColors: Uint32Array;
  /** Periodic cell (rows a, b, c) when the structure is periodic, else null. */
  readonly cell: Float64Array | null;
  /** Supercell actually used ([1,1,1] for molecules). */
  readonly supercell: Vec3;
}

/** Cartesian offset of a cell image: i*a + j*b + k*c. */
export function imageOffset(cell: ArrayLike<number> | null | undefined, image: CellImage): [number, number, number] {
  if (!cell) return [0, 0, 0];
  const [i, j, k] = image;
  return [
    i * cell[0]! + j * cell[3]! + k * cell[6]!,
    i * cell[1]! + j * cell[4]! + k * cell[7]!,
    i * cell[2]! + j * cell[5]! + k * cell[8]!,
  ];
}

/** Blue-white-red ramp for property colouring, t in [0, 1]. */
export function divergingColor(t: number): number {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0.5;
  const low = [0x21, 0x66, 0xac], mid = [0xf7, 0xf7, 0xf7], high = [0xb2, 0x18, 0x2b];
  const [from, to, u] = clamped < 0.5 ? [low, mid, clamped * 2] : [mid, high, (clamped - 0.5) * 2];
  const channel = (c: number) => Math.round(from[c]! + (to[c]! - from[c]!) * u);
  return (channel(0) << 16) | (channel(1) << 8) | channel(2);
}

/** Per-atom scalar of a numeric per-atom array: first column, or the row norm when `norm`. */
export function atomScalars(structure: Structure, name: string, norm = false): Float64Array | null {
  const array = structure.atomArrays[name];
  if (!array || array.kind === 'string') return null;
  const n = structure.numbers.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (norm) {
      let sum = 0;
      for (let w = 0; w < array.width; w++) sum += Number(array.data[i * array.width + w]!) ** 2;
      out[i] = Math.sqrt(sum);
    } else out[i] = Number(array.data[i * array.width]!);
  }
  return out;
}

export function parseCssHex(color: string, fallback = 0x808080): number {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(color.trim());
  if (!m) return fallback;
  const hex = m[1]!.length === 3 ? m[1]!.split('').map((c) => c + c).join('') : m[1]!;
  return parseInt(hex, 16);
}

export function atomColorsOf(structure: Structure, scheme: ColorScheme): Uint32Array {
  const n = structure.numbers.length;
  const out = new Uint32Array(n);
  if (scheme.kind === 'uniform') {
    out.fill(parseCssHex(scheme.color));
    return out;
  }
  if (scheme.kind === 'property') {
    const values = atomScalars(structure, scheme.name, scheme.norm ?? false);
    if (values) {
      let min = scheme.min ?? Infinity, max = scheme.max ?? -Infinity;
      if (scheme.min === undefined) for (const v of values) if (Number.isFinite(v)) min = Math.min(min, v);
      if (scheme.max === undefined) for (const v of values) if (Number.isFinite(v)) max = Math.max(max, v);
      const span = max - min;
      for (let i = 0; i < n; i++) out[i] = divergingColor(span > 0 ? (values[i]! - min) / span : 0.5);
      return out;
    }
  }
  for (let i = 0; i < n; i++) out[i] = ELEMENTS[structure.numbers[i]!]?.color ?? 0xff1493;
  return out;
}

export function atomRadiusOf(atomicNumber: number, style: ViewerStyle, atomScale: number): number {
  const metrics = STYLE_METRICS[style];
  const vdw = ELEMENTS[atomicNumber]?.vdwRadius ?? 2;
  return (metrics.atomRadiusFactor * vdw + metrics.atomRadiusConstant) * atomScale;
}

function supercellOf(structure: Structure, requested: Vec3): Vec3 {
  if (!isPeriodic(structure)) return [1, 1, 1];
  const clamp = (v: number, periodic: boolean) => (periodic ? Math.max(1, Math.min(20, Math.floor(v) || 1)) : 1);
  return [clamp(requested[0], structure.pbc[0]), clamp(requested[1], structure.pbc[1]), clamp(requested[2], structure.pbc[2])];
}

export function buildSceneData(structure: Structure, settings: SceneSettings): SceneData {
  const n = structure.numbers.length;
  const periodic = isPeriodic(structure);
  const cell = periodic ? structure.cell! : null;
  const supercell = supercellOf(structure, settings.supercell);
  const [na, nb, nc] = supercell;
  const images: Array<[number, number, number]> = [];
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) for (let k = 0; k < nc; k++) images.push([i, j, k]);
  const metrics = STYLE_METRICS[settings.style];
  const colors = atomColorsOf(structure, settings.colorScheme);
  const baseRadius = new Float32Array(n);
  for (let i = 0; i < n; i++) baseRadius[i] = atomRadiusOf(structure.numbers[i]!, settings.style, settings.atomScale);

  const bonds = viewBondsOf(structure);
  const drawBonds = metrics.bondsAsLines || metrics.bondRadius > 0;

  // Wireframe draws spheres only for atoms without bonds.
  let atomMask: Uint8Array | null = null;
  if (metrics.bondsAsLines) {
    atomMask = new Uint8Array(n).fill(1);
    for (let t = 0; t < bonds.count; t++) {
      atomMask[bonds.a[t]!] = 0;
      atomMask[bonds.b[t]!] = 0;
    }
  }
  const perImage = atomMask ? atomMask.reduce((s, v) => s + v, 0) : n;
  const count = perImage * images.length;
  const atom = new Int32Array(count);
  const image = new Int16Array(count * 3);
  const position = new Float32Array(count * 3);
  const radius = new Float32Array(count);
  const color = new Uint32Array(count);
  let k = 0;
  for (const img of images) {
    const [ox, oy, oz] = imageOffset(cell, img);
    for (let i = 0; i < n; i++) {
      if (atomMask && !atomMask[i]) continue;
      atom[k] = i;
      image.set(img, 3 * k);
      position[3 * k] = structure.positions[3 * i]! + ox;
      position[3 * k + 1] = structure.positions[3 * i + 1]! + oy;
      position[3 * k + 2] = structure.positions[3 * i + 2]! + oz;
      radius[k] = baseRadius[i]!;
      color[k] = colors[i]!;
      k++;
    }
  }

  // Bonds: bond (a, b, s) is drawn from a in image c to b in image c+s; the reverse copy from b in c to a in c-s
  // only when c-s lies outside the supercell (otherwise that copy is the forward bond of image c-s).
  const inside = (i: number, j: number, l: number) => i >= 0 && i < na && j >= 0 && j < nb && l >= 0 && l < nc;
  let bondCount = 0;
  if (drawBonds) {
    for (const [i, j, l] of images) {
      for (let t = 0; t < bonds.count; t++) {
        const s0 = bonds.shift[3 * t]!, s1 = bonds.shift[3 * t + 1]!, s2 = bonds.shift[3 * t + 2]!;
        bondCount += 1 + (s0 === 0 && s1 === 0 && s2 === 0 ? 0 : inside(i - s0, j - s1, l - s2) ? 0 : 1);
      }
    }
  }
  const start = new Float32Array(bondCount * 6);
  const end = new Float32Array(bondCount * 6);
  const halfColor = new Uint32Array(bondCount * 2);
  const bondRadius = metrics.bondRadius * settings.bondScale;
  let h = 0;
  const pushBond = (from: number, fromImage: readonly number[], to: number, toImage: readonly number[]) => {
    const [ax, ay, az] = imageOffset(cell, fromImage as CellImage);
    const [bx, by, bz] = imageOffset(cell, toImage as CellImage);
    const px = structure.positions[3 * from]! + ax, py = structure.positions[3 * from + 1]! + ay, pz = structure.positions[3 * from + 2]! + az;
    const qx = structure.positions[3 * to]! + bx, qy = structure.positions[3 * to + 1]! + by, qz = structure.positions[3 * to + 2]! + bz;
    const length = Math.hypot(qx - px, qy - py, qz - pz);
    // Split where the visible part of the bond (between the two sphere surfaces) has its middle.
    let split = 0.5;
    if (!metrics.bondsAsLines && length > 0) {
      split = (baseRadius[from]! + (length - baseRadius[from]! - baseRadius[to]!) / 2) / length;
      split = Math.min(0.8, Math.max(0.2, split));
    }
    const mx = px + (qx - px) * split, my = py + (qy - py) * split, mz = pz + (qz - pz) * split;
    start.set([px, py, pz], 3 * h);
    end.set([mx, my, mz], 3 * h);
    halfColor[h++] = colors[from]!;
    start.set([mx, my, mz], 3 * h);
    end.set([qx, qy, qz], 3 * h);
    halfColor[h++] = colors[to]!;
  };
  if (drawBonds) {
    for (const img of images) {
      const [i, j, l] = img;
      for (let t = 0; t < bonds.count; t++) {
        const s0 = bonds.shift[3 * t]!, s1 = bonds.shift[3 * t + 1]!, s2 = bonds.shift[3 * t + 2]!;
        pushBond(bonds.a[t]!, img, bonds.b[t]!, [i + s0, j + s1, l + s2]);
        if ((s0 !== 0 || s1 !== 0 || s2 !== 0) && !inside(i - s0, j - s1, l - s2)) pushBond(bonds.b[t]!, img, bonds.a[t]!, [i - s0, j - s1, l - s2]);
      }
    }
  }
  const atoms: AtomInstances = { count, atom, image, position, radius, color };
  let pickAtoms = atoms;
  if (atomMask) {
    const all = images.length * n;
    pickAtoms = { count: all, atom: new Int32Array(all), image: new Int16Array(all * 3), position: new Float32Array(all * 3), radius: new Float32Array(all).fill(PICK_RADIUS_WIREFRAME), color: new Uint32Array(all) };
    let p = 0;
    for (const img of images) {
      const [ox, oy, oz] = imageOffset(cell, img);
      for (let i = 0; i < n; i++, p++) {
        pickAtoms.atom[p] = i;
        pickAtoms.image.set(img, 3 * p);
        pickAtoms.position[3 * p] = structure.positions[3 * i]! + ox;
        pickAtoms.position[3 * p + 1] = structure.positions[3 * i + 1]! + oy;
        pickAtoms.position[3 * p + 2] = structure.positions[3 * i + 2]! + oz;
        pickAtoms.color[p] = colors[i]!;
      }
    }
  }
  return {
    atoms,
    pickAtoms,
    bonds: { count: h, start, end, radius: bondRadius, color: halfColor },
    bondCount,
    atomColors: colors,
    cell,
    supercell,
  };
}
