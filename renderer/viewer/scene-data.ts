/**
 * Turns a Structure plus view settings into flat per-instance arrays (atom spheres, bond half-cylinders),
 * periodic images and supercell copies included. Pure (no three, no DOM), so it is tested in Node and the
 * WebGL side only uploads arrays.
 */
import { ELEMENTS, type Structure } from '../../core/structure';
import { isPeriodic, viewBondsOf, type ViewBonds } from './bonds';
import { crystalLayout, type CrystalLayout, type CrystalViewOptions } from './crystal-view';
import { crystalDrawList, plainDrawList } from './draw-list';
import { colorLegendOf, colorOfValue, colorRangeOf, type ColorLegend } from './color-maps';
import type { CellImage, ColorScheme, Vec3, ViewerStyle } from './viewer-api';

export { divergingColor } from './color-maps';

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
  /** Crystal view (periodic structures only): boundary images, bonds inside the drawn region, polyhedra. */
  readonly crystal?: CrystalViewOptions;
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

/**
 * Bond halves: each a cylinder (or line) from start to end in one atom's colour. Double and triple bonds
 * (ball-and-stick, orders from the file) are drawn as 2 or 3 thinner parallel strands.
 */
export interface BondHalves {
  readonly count: number;
  readonly start: Float32Array;
  readonly end: Float32Array;
  /** Cylinder radius per half (Å). */
  readonly radius: Float32Array;
  readonly color: Uint32Array;
}

/** Parallel strands drawn for a bond order in ball-and-stick: aromatic and double 2, triple 3. */
export function strandsOf(order: number): number {
  return order >= 3 ? 3 : order >= 1.5 ? 2 : 1;
}

/** Strand radius factor and offsets (in units of the bond radius) for 1, 2, 3 strands. */
const STRANDS: Record<number, { radius: number; offsets: readonly number[] }> = {
  1: { radius: 1, offsets: [0] },
  2: { radius: 0.6, offsets: [-0.95, 0.95] },
  3: { radius: 0.45, offsets: [-1.35, 0, 1.35] },
};

export interface SceneData {
  readonly atoms: AtomInstances;
  /** Atoms for picking: the drawn spheres, or in wireframe every atom with PICK_RADIUS_WIREFRAME. */
  readonly pickAtoms: AtomInstances;
  readonly bonds: BondHalves;
  /** Number of drawn bonds (each bond is two halves). */
  readonly bondCount: number;
  /** Per base atom colour (0xRRGGBB). */
  readonly atomColors: Uint32Array;
  /** Colour bar of a 'property' colour scheme; null for element / uniform colours or an absent array. */
  readonly legend: ColorLegend | null;
  /** Periodic cell (rows a, b, c) when the structure is periodic, else null. */
  readonly cell: Float64Array | null;
  /** Supercell actually used ([1,1,1] for molecules). */
  readonly supercell: Vec3;
  /** Coordination polyhedra of the crystal view, or null when none are drawn. */
  readonly polyhedra: Polyhedra | null;
}

/** Coordination polyhedra: polyhedron p has vertices vertexStart[p] .. vertexStart[p+1] of `vertices`. */
export interface Polyhedra {
  readonly count: number;
  /** Base atom index of each centre. */
  readonly centreAtom: Int32Array;
  readonly vertexStart: Int32Array;
  /** [nVertices * 3] Å. */
  readonly vertices: Float32Array;
  /** Centre atom colour per polyhedron (0xRRGGBB). */
  readonly color: Uint32Array;
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

/** Per-atom colours of a scheme and, for 'property', the colour bar legend (null otherwise, or when the array is absent). */
export function atomColoringOf(structure: Structure, scheme: ColorScheme): { readonly colors: Uint32Array; readonly legend: ColorLegend | null } {
  const n = structure.numbers.length;
  const out = new Uint32Array(n);
  if (scheme.kind === 'uniform') {
    out.fill(parseCssHex(scheme.color));
    return { colors: out, legend: null };
  }
  if (scheme.kind === 'property') {
    const values = atomScalars(structure, scheme.name, scheme.norm ?? false);
    if (values) {
      const range = colorRangeOf(values, { ...(scheme.map ? { map: scheme.map } : {}), ...(scheme.min !== undefined ? { min: scheme.min } : {}), ...(scheme.max !== undefined ? { max: scheme.max } : {}) });
      for (let i = 0; i < n; i++) out[i] = colorOfValue(values[i]!, range);
      const label = scheme.label ?? (scheme.norm ? `|${scheme.name}|` : scheme.name);
      return { colors: out, legend: colorLegendOf(label, scheme.unit ?? '', values, range) };
    }
  }
  for (let i = 0; i < n; i++) out[i] = ELEMENTS[structure.numbers[i]!]?.color ?? 0xff1493;
  return { colors: out, legend: null };
}

export function atomColorsOf(structure: Structure, scheme: ColorScheme): Uint32Array {
  return atomColoringOf(structure, scheme).colors;
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

/**
 * Per bond with several strands: a unit vector perpendicular to the bond in the plane of a neighbouring atom
 * (so the strands of a double bond lie in the molecular plane, as in structure drawings). [nBonds * 3]
 */
function strandPlanes(structure: Structure, bonds: ViewBonds, strands: Uint8Array): Float32Array {
  const n = structure.numbers.length;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < bonds.count; t++) {
    neighbours[bonds.a[t]!]!.push(bonds.b[t]!);
    neighbours[bonds.b[t]!]!.push(bonds.a[t]!);
  }
  const p = structure.positions;
  const out = new Float32Array(bonds.count * 3);
  for (let t = 0; t < bonds.count; t++) {
    if (strands[t]! < 2) continue;
    const a = bonds.a[t]!, b = bonds.b[t]!;
    let ux = p[3 * b]! - p[3 * a]!, uy = p[3 * b + 1]! - p[3 * a + 1]!, uz = p[3 * b + 2]! - p[3 * a + 2]!;
    const ul = Math.hypot(ux, uy, uz) || 1;
    ux /= ul; uy /= ul; uz /= ul;
    let best: [number, number, number] | null = null;
    const candidates: Array<[number, number]> = [...neighbours[a]!.filter((c) => c !== b).map((c): [number, number] => [a, c]), ...neighbours[b]!.filter((c) => c !== a).map((c): [number, number] => [b, c])];
    for (const [from, c] of candidates) {
      const rx = p[3 * c]! - p[3 * from]!, ry = p[3 * c + 1]! - p[3 * from + 1]!, rz = p[3 * c + 2]! - p[3 * from + 2]!;
      const along = rx * ux + ry * uy + rz * uz;
      const vx = rx - along * ux, vy = ry - along * uy, vz = rz - along * uz;
      const vl = Math.hypot(vx, vy, vz);
      if (vl > 0.1) {
        best = [vx / vl, vy / vl, vz / vl];
        break;
      }
    }
    if (!best) {
      // No neighbour in a plane: any perpendicular.
      const [wx, wy, wz] = Math.abs(ux) < 0.9 ? [0, -uz, uy] : [uy, -ux, 0];
      const wl = Math.hypot(wx, wy, wz);
      best = [wx / wl, wy / wl, wz / wl];
    }
    out.set(best, 3 * t);
  }
  return out;
}

export function buildSceneData(structure: Structure, settings: SceneSettings): SceneData {
  const n = structure.numbers.length;
  const periodic = isPeriodic(structure);
  const cell = periodic ? structure.cell! : null;
  const supercell = supercellOf(structure, settings.supercell);
  const metrics = STYLE_METRICS[settings.style];
  const { colors, legend } = atomColoringOf(structure, settings.colorScheme);
  const baseRadius = new Float32Array(n);
  for (let i = 0; i < n; i++) baseRadius[i] = atomRadiusOf(structure.numbers[i]!, settings.style, settings.atomScale);

  const bonds = viewBondsOf(structure);
  const drawBonds = metrics.bondsAsLines || metrics.bondRadius > 0;
  const layout = periodic && settings.crystal ? crystalLayout(structure, bonds, supercell, settings.crystal) : null;
  const list = layout ? crystalDrawList(layout, drawBonds) : plainDrawList(n, bonds, supercell, drawBonds);

  // Wireframe draws spheres only for atoms without bonds.
  let atomMask: Uint8Array | null = null;
  if (metrics.bondsAsLines) {
    atomMask = new Uint8Array(n).fill(1);
    for (let t = 0; t < bonds.count; t++) {
      atomMask[bonds.a[t]!] = 0;
      atomMask[bonds.b[t]!] = 0;
    }
  }
  const instancesOf = (keep: (atom: number) => boolean, fixedRadius: number | null): AtomInstances => {
    let count = 0;
    for (let q = 0; q < list.count; q++) if (keep(list.atom[q]!)) count++;
    const out: AtomInstances = { count, atom: new Int32Array(count), image: new Int16Array(3 * count), position: new Float32Array(3 * count), radius: new Float32Array(count), color: new Uint32Array(count) };
    let k = 0;
    for (let q = 0; q < list.count; q++) {
      const i = list.atom[q]!;
      if (!keep(i)) continue;
      const img = list.image.subarray(3 * q, 3 * q + 3);
      const [ox, oy, oz] = imageOffset(cell, [img[0]!, img[1]!, img[2]!]);
      out.atom[k] = i;
      out.image.set(img, 3 * k);
      out.position[3 * k] = structure.positions[3 * i]! + ox;
      out.position[3 * k + 1] = structure.positions[3 * i + 1]! + oy;
      out.position[3 * k + 2] = structure.positions[3 * i + 2]! + oz;
      out.radius[k] = fixedRadius ?? baseRadius[i]!;
      out.color[k] = colors[i]!;
      k++;
    }
    return out;
  };
  const atoms = instancesOf(atomMask ? (i) => atomMask[i] === 1 : () => true, null);
  const pickAtoms = atomMask ? instancesOf(() => true, PICK_RADIUS_WIREFRAME) : atoms;

  const multiple = settings.style === 'ball-and-stick';
  const strands = new Uint8Array(bonds.count);
  for (let t = 0; t < bonds.count; t++) strands[t] = multiple ? strandsOf(bonds.order[t]!) : 1;
  const strandDirections = multiple && strands.some((k) => k > 1) ? strandPlanes(structure, bonds, strands) : null;
  let halfCount = 0;
  for (let d = 0; d < list.bondCount; d++) halfCount += 2 * strands[list.bondIndex[d]!]!;
  const start = new Float32Array(halfCount * 3);
  const end = new Float32Array(halfCount * 3);
  const halfColor = new Uint32Array(halfCount);
  const halfRadius = new Float32Array(halfCount);
  const bondRadius = metrics.bondRadius * settings.bondScale;
  let h = 0;
  for (let d = 0; d < list.bondCount; d++) {
    const bond = list.bondIndex[d]!;
    const r = list.bonds.subarray(8 * d, 8 * d + 8);
    const from = r[0]!, to = r[4]!;
    const [ax, ay, az] = imageOffset(cell, [r[1]!, r[2]!, r[3]!]);
    const [bx, by, bz] = imageOffset(cell, [r[5]!, r[6]!, r[7]!]);
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
    const layoutOfStrands = STRANDS[strands[bond]!]!;
    for (const offset of layoutOfStrands.offsets) {
      const o = offset * bondRadius;
      const ox = strandDirections ? strandDirections[3 * bond]! * o : 0;
      const oy = strandDirections ? strandDirections[3 * bond + 1]! * o : 0;
      const oz = strandDirections ? strandDirections[3 * bond + 2]! * o : 0;
      start.set([px + ox, py + oy, pz + oz], 3 * h);
      end.set([mx + ox, my + oy, mz + oz], 3 * h);
      halfRadius[h] = bondRadius * layoutOfStrands.radius;
      halfColor[h++] = colors[from]!;
      start.set([mx + ox, my + oy, mz + oz], 3 * h);
      end.set([qx + ox, qy + oy, qz + oz], 3 * h);
      halfRadius[h] = bondRadius * layoutOfStrands.radius;
      halfColor[h++] = colors[to]!;
    }
  }
  return {
    atoms,
    pickAtoms,
    bonds: { count: h, start, end, radius: halfRadius, color: halfColor },
    bondCount: list.bondCount,
    atomColors: colors,
    legend,
    cell,
    supercell,
    polyhedra: layout ? polyhedraOf(structure, cell!, layout, colors) : null,
  };
}

/** Polyhedron vertex positions (Å) and centre colours from a crystal layout. */
function polyhedraOf(structure: Structure, cell: Float64Array, layout: CrystalLayout, colors: Uint32Array): Polyhedra | null {
  if (layout.polyhedronCount === 0) return null;
  const vertices = new Float32Array(3 * layout.vertexInstance.length);
  layout.vertexInstance.forEach((q, v) => {
    const atom = layout.atom[q]!;
    const [ox, oy, oz] = imageOffset(cell, [layout.image[3 * q]!, layout.image[3 * q + 1]!, layout.image[3 * q + 2]!]);
    vertices[3 * v] = structure.positions[3 * atom]! + ox;
    vertices[3 * v + 1] = structure.positions[3 * atom + 1]! + oy;
    vertices[3 * v + 2] = structure.positions[3 * atom + 2]! + oz;
  });
  const centreAtom = Int32Array.from(layout.polyhedronCentre, (q) => layout.atom[q]!);
  return { count: layout.polyhedronCount, centreAtom, vertexStart: layout.vertexStart, vertices, color: Uint32Array.from(centreAtom, (a) => colors[a]!) };
}
