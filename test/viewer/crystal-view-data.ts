// Crystals for the crystal-view tests: the example CIFs and an fcc Cu cell built here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cifFormat } from '../../core/formats/cif/index';
import { createStructure, type Structure } from '../../core/structure';
import { REPO_ROOT } from '../helpers/browser';

export function readExampleCif(name: string): Structure {
  const lines = readFileSync(join(REPO_ROOT, 'assets/examples', name), 'utf8').split(/\r?\n/);
  return cifFormat.parseRecord({ index: 0, firstLine: 1, lines }, name);
}

/** Conventional fcc Cu cell, a = 3.615 Å: 4 atoms, 12 nearest neighbours at a/√2 = 2.556 Å. */
export function fccCopper(): Structure {
  const a = 3.615;
  const frac = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  return createStructure({ name: 'Cu fcc', numbers: [29, 29, 29, 29], positions: frac.map((f) => f * a), cell: [a, 0, 0, 0, a, 0, 0, 0, a], pbc: [true, true, true] });
}

/** A molecular crystal: one water molecule (O–H 0.96 Å, 104.5°) per 4 Å cubic cell, placed across a cell face. */
export function waterCrystal(): Structure {
  const half = (104.5 / 2) * (Math.PI / 180);
  const o = [0.2, 2, 2];
  const positions = [...o, o[0]! - 0.96 * Math.cos(half), 2 + 0.96 * Math.sin(half), 2, o[0]! - 0.96 * Math.cos(half), 2 - 0.96 * Math.sin(half), 2];
  return createStructure({ name: 'water', numbers: [8, 1, 1], positions, cell: [4, 0, 0, 0, 4, 0, 0, 0, 4], pbc: [true, true, true] });
}

/** Number of atom images in [-tol, n + tol] along each axis, counted from the fractional coordinates. */
export function expectedBoundaryCount(fractional: readonly number[], supercell: readonly number[], tol = 1e-3): number {
  let total = 0;
  for (let i = 0; i < fractional.length / 3; i++) {
    let images = 1;
    for (let k = 0; k < 3; k++) {
      const f = fractional[3 * i + k]! - Math.floor(fractional[3 * i + k]!);
      let along = 0;
      for (let t = -2; t <= supercell[k]! + 2; t++) if (f + t >= -tol && f + t <= supercell[k]! + tol) along++;
      images *= along;
    }
    total += images;
  }
  return total;
}
