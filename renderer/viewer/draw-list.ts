/**
 * Atom images and bonds a scene draws, as base-atom indices plus integer cell images: the plain periodic view
 * (molecules, and crystals with the crystal view off) and the crystal view of crystal-view.ts. Pure.
 */
import type { ViewBonds } from './bonds';
import type { CrystalLayout } from './crystal-view';
import type { Vec3 } from './viewer-api';

/** Atom images drawn (base atom + integer cell image each) and bonds drawn between atom images. */
export interface DrawList {
  readonly count: number;
  readonly atom: Int32Array;
  readonly image: Int16Array;
  readonly bondCount: number;
  /** [bondCount * 8]: from atom, from image (3), to atom, to image (3). */
  readonly bonds: Int32Array;
  /** Index into the ViewBonds per drawn bond (order, strand plane). */
  readonly bondIndex: Int32Array;
}

/**
 * Molecules and the plain periodic view: every atom at its stored position in each supercell image; bond
 * (a, b, s) from a in image c to b in image c+s, the reverse copy from b in c to a in c-s only when c-s lies
 * outside the supercell (otherwise that copy is the forward bond of image c-s).
 */
export function plainDrawList(n: number, bonds: ViewBonds, supercell: Vec3, drawBonds: boolean): DrawList {
  const [na, nb, nc] = supercell;
  const images: Array<[number, number, number]> = [];
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) for (let k = 0; k < nc; k++) images.push([i, j, k]);
  const atom = new Int32Array(images.length * n);
  const image = new Int16Array(images.length * n * 3);
  images.forEach((img, c) => {
    for (let i = 0; i < n; i++) {
      atom[c * n + i] = i;
      image.set(img, 3 * (c * n + i));
    }
  });
  const inside = (i: number, j: number, l: number) => i >= 0 && i < na && j >= 0 && j < nb && l >= 0 && l < nc;
  const draws: number[] = [], which: number[] = [];
  if (drawBonds) {
    for (const [i, j, l] of images) {
      for (let t = 0; t < bonds.count; t++) {
        const a = bonds.a[t]!, b = bonds.b[t]!;
        const s0 = bonds.shift[3 * t]!, s1 = bonds.shift[3 * t + 1]!, s2 = bonds.shift[3 * t + 2]!;
        draws.push(a, i, j, l, b, i + s0, j + s1, l + s2);
        which.push(t);
        if ((s0 !== 0 || s1 !== 0 || s2 !== 0) && !inside(i - s0, j - s1, l - s2)) {
          draws.push(b, i, j, l, a, i - s0, j - s1, l - s2);
          which.push(t);
        }
      }
    }
  }
  return { count: atom.length, atom, image, bondCount: which.length, bonds: Int32Array.from(draws), bondIndex: Int32Array.from(which) };
}

/** The crystal view's draw list (crystal-view.ts) as atom images. */
export function crystalDrawList(layout: CrystalLayout, drawBonds: boolean): DrawList {
  const count = drawBonds ? layout.bondCount : 0;
  const draws = new Int32Array(8 * count);
  for (let d = 0; d < count; d++) {
    const p = layout.bondFrom[d]!, q = layout.bondTo[d]!;
    draws[8 * d] = layout.atom[p]!;
    draws.set(layout.image.subarray(3 * p, 3 * p + 3), 8 * d + 1);
    draws[8 * d + 4] = layout.atom[q]!;
    draws.set(layout.image.subarray(3 * q, 3 * q + 3), 8 * d + 5);
  }
  return { count: layout.count, atom: layout.atom, image: layout.image, bondCount: count, bonds: draws, bondIndex: layout.bondIndex.slice(0, count) };
}
