/**
 * Test systems for the MD and watchdog tests and the sampling bench: argon-like fcc crystals and clusters.
 * Their potential is the project's Lennard-Jones (core/calc/analytic/lennard-jones.ts, equal to ASE 3.22.1's
 * LennardJones) with the argon parameters below: ε = 0.0104 eV, σ = 3.4 Å; m = 39.948 u (core/structure/elements.ts).
 */
import type { Structure } from '../../core/structure/structure';
import { createStructure } from '../../core/structure/structure';

/** Argon Lennard-Jones parameters: ε (eV), σ (Å). */
export const ARGON = { epsilon: 0.0104, sigma: 3.4 } as const;

/** fcc crystal of `repeat`³ conventional cells (4 repeat³ atoms) with lattice constant `a` Å, periodic. */
export function fccCrystal(z: number, a: number, repeat: number): Structure {
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const positions: number[] = [];
  for (let i = 0; i < repeat; i++) for (let j = 0; j < repeat; j++) for (let k = 0; k < repeat; k++) {
    for (const [u, v, w] of basis) positions.push((i + u!) * a, (j + v!) * a, (k + w!) * a);
  }
  const l = a * repeat;
  return createStructure({ name: `fcc ${repeat}³`, numbers: new Array<number>(positions.length / 3).fill(z), positions, cell: [l, 0, 0, 0, l, 0, 0, 0, l] });
}

/** Cluster: the atoms of an fcc lattice (constant `a` Å) nearest the origin, `count` of them, non-periodic. */
export function fccCluster(z: number, a: number, count: number): Structure {
  const points: [number, number, number][] = [];
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  for (let i = -3; i <= 3; i++) for (let j = -3; j <= 3; j++) for (let k = -3; k <= 3; k++) {
    for (const [u, v, w] of basis) points.push([(i + u!) * a, (j + v!) * a, (k + w!) * a]);
  }
  points.sort((p, q) => Math.hypot(...p) - Math.hypot(...q));
  return createStructure({ name: `fcc cluster ${count}`, numbers: new Array<number>(count).fill(z), positions: points.slice(0, count).flat() });
}
