// The conformer ensemble's pure parts in Node: the Conformers form's request and checks, the Kabsch superposition
// of conformers onto the lowest (renderer/app/conformer-ensemble.ts), the chart's bars, the jobs panel's progress
// line, and the viewer's overlay meshes (renderer/viewer/overlay-structures.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstancedMesh } from 'three';
import type { JobProgress } from '../../core/contract/equimol-api';
import { createStructure, type Structure } from '../../core/structure';
import { alignConformers, ensembleBars, conformersStatusText, KCAL_PER_EV } from '../../renderer/app/conformer-ensemble';
import { conformersFormProblem, conformersRequest, DEFAULT_CONFORMERS_FORM } from '../../renderer/app/conformers-form';
import { createOverlayGroup, type OverlayCounts } from '../../renderer/viewer/overlay-structures';

const NUMBERS = [6, 6, 8, 1, 1, 1, 1, 1, 1];
const POSITIONS = [0.0072, -0.5687, 0, -1.2854, 0.2499, 0, 1.1304, 0.3147, 0, 0.0392, -1.1972, 0.89, 0.0392, -1.1972, -0.89, -1.3175, 0.8784, 0.89, -1.3175, 0.8784, -0.89, -2.1422, -0.4239, 0, 1.9857, -0.1365, 0];
const ethanol = (positions: ArrayLike<number> = POSITIONS, name = 'ethanol'): Structure => createStructure({ name, numbers: NUMBERS, positions: Float64Array.from(positions) });

/** Rotation by `angle` (rad) about the unit `axis`, then a shift, of every atom. */
function moved(positions: ArrayLike<number>, axis: [number, number, number], angle: number, shift: [number, number, number]): number[] {
  const out: number[] = [];
  const [kx, ky, kz] = axis;
  const c = Math.cos(angle), s = Math.sin(angle);
  for (let i = 0; i < positions.length; i += 3) {
    const v = [positions[i]!, positions[i + 1]!, positions[i + 2]!];
    const dot = kx * v[0]! + ky * v[1]! + kz * v[2]!;
    const cross = [ky * v[2]! - kz * v[1]!, kz * v[0]! - kx * v[2]!, kx * v[1]! - ky * v[0]!];
    for (let j = 0; j < 3; j++) out.push(v[j]! * c + cross[j]! * s + axis[j]! * dot * (1 - c) + shift[j]!);
  }
  return out;
}

test('the default Conformers form asks for the search defaults: 16 replicas, 1200 → 298.15 K over 6 rungs of 50 steps, 6 kcal/mol, 0.125 Å, ESS 0.5, seed 1', () => {
  assert.equal(conformersFormProblem(DEFAULT_CONFORMERS_FORM), null);
  assert.deepEqual(conformersRequest('doc-1', 4, 'xtb:gfn2', DEFAULT_CONFORMERS_FORM), {
    kind: 'conformers', docIds: ['doc-1'], indices: [4], calculator: 'xtb:gfn2', population: 16, startTemperature: 1200, temperature: 298.15,
    rungs: 6, stepsPerRung: 50, essThreshold: 0.5, windowKcal: 6, rmsdThreshold: 0.125, seed: 1,
  });
});

test('the Conformers form names what is wrong: a start not above the target, a fractional rung count, an ESS threshold above 1', () => {
  assert.equal(conformersFormProblem({ ...DEFAULT_CONFORMERS_FORM, startTemperature: 298.15 }), 'Start temperature (298.15 K) must be above the temperature (298.15 K)');
  assert.equal(conformersFormProblem({ ...DEFAULT_CONFORMERS_FORM, rungs: 2.5 }), 'Rungs must be a whole number ≥ 1, got 2.5');
  assert.equal(conformersFormProblem({ ...DEFAULT_CONFORMERS_FORM, essThreshold: 1.5 }), 'ESS threshold must be a fraction in (0, 1], got 1.5');
  assert.equal(conformersFormProblem({ ...DEFAULT_CONFORMERS_FORM, windowKcal: Number.NaN }), 'Energy window must be a positive number (kcal/mol), got NaN');
});

test('alignConformers moves a rotated and shifted copy back onto the reference, and leaves the reference and other molecules alone', () => {
  const reference = ethanol();
  const copy = ethanol(moved(POSITIONS, [0.6, 0, 0.8], 2.1, [3, -1, 0.5]), 'copy');
  const other = createStructure({ name: 'water', numbers: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0] });
  const [a, b, c] = alignConformers([reference, copy, other]);
  assert.equal(a, reference);
  assert.equal(c, other);
  let gap = 0;
  for (let i = 0; i < POSITIONS.length; i++) gap = Math.max(gap, Math.abs(b!.positions[i]! - POSITIONS[i]!));
  assert.ok(gap < 1e-9, `superposed within ${gap} Å`);
  assert.ok(Math.abs(copy.positions[0]! - POSITIONS[0]!) > 0.5, 'the input copy was elsewhere');
  assert.equal(b!.name, 'copy');
});

test('alignConformers superposes heavy atoms only: a conformer with the hydroxyl H elsewhere has its C, C, O on the reference', () => {
  const turned = Float64Array.from(POSITIONS);
  turned[24] = 1.5; turned[25] = 0.9; turned[26] = 0.8; // H9 off the C–C–O plane
  const shifted = ethanol(moved(turned, [0, 0, 1], 0.9, [0, 2, 0]));
  const [, b] = alignConformers([ethanol(), shifted]);
  let heavy = 0;
  for (let i = 0; i < 9; i++) heavy = Math.max(heavy, Math.abs(b!.positions[i]! - POSITIONS[i]!));
  assert.ok(heavy < 1e-9, `heavy atoms within ${heavy} Å`);
  assert.ok(Math.hypot(b!.positions[24]! - POSITIONS[24]!, b!.positions[25]! - POSITIONS[25]!, b!.positions[26]! - POSITIONS[26]!) > 0.5);
});

test('ensembleBars ranks conformers from 1 and falls back to the energies above the lowest (eV → kcal/mol) without relative_energy', () => {
  const bars = ensembleBars({ docId: 'd', index: [0, 1, 2], values: { energy: [-10, -9.9, null], boltzmann_weight: [0.8, 0.2, null] } });
  assert.deepEqual(bars.x, [1, 2, 3]);
  assert.deepEqual(bars.weight, [0.8, 0.2, null]);
  assert.equal(bars.relativeEnergy[0], 0);
  assert.ok(Math.abs(bars.relativeEnergy[1]! - 0.1 * KCAL_PER_EV) < 1e-9);
  assert.equal(bars.relativeEnergy[2], null);
  assert.ok(Math.abs(KCAL_PER_EV - 23.0605) < 1e-3, 'CODATA: 1 eV = 23.0605 kcal/mol');
});

test('the conformers progress line names the stage, the 1-based rung, the temperature and the ESS of every rung so far', () => {
  const job = { id: 'j', kind: 'conformers', label: 'x', state: 'running', done: 0, total: 1, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 1,
    sampler: { step: 40, totalSteps: 160, energy: -4209.51234, temperature: 650.4, rung: 2, rungs: 8, ess: [31.96, 24.5, 18.25], stage: 'annealing' } } satisfies JobProgress;
  assert.equal(conformersStatusText(job), 'annealing · rung 3/8 · T 650 K · ESS 32.0, 24.5, 18.3 · E -4209.5123 eV');
});

test('the overlay draws every atom and bond half of its structures in two instanced meshes', () => {
  const group = createOverlayGroup([ethanol(), ethanol(moved(POSITIONS, [0, 1, 0], 1, [0, 0, 0]))])!;
  const counts = group.userData['counts'] as OverlayCounts;
  // Ethanol has 8 bonds (C–C, C–O, 5 C–H, O–H): 16 halves per molecule.
  assert.deepEqual(counts, { structures: 2, atoms: 18, bondHalves: 32 });
  assert.deepEqual(group.children.map((m) => (m as InstancedMesh).count), [18, 32]);
  assert.equal(createOverlayGroup([]), null);
});
