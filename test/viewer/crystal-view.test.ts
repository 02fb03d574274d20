// Crystal view logic (VESTA-like): element-pair bonds without cation–cation pairs, boundary images, bonds only
// between drawn atoms, coordination polyhedra. Pure modules, run in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elementOf, type Structure } from '../../core/structure';
import { BOND_TOLERANCE, viewBondsOf } from '../../renderer/viewer/bonds';
import { coordinationNumbers, crystalPairBonds, isMetal } from '../../renderer/viewer/crystal-bonds';
import { createPolyhedraGroup } from '../../renderer/viewer/crystal-overlays';
import { fractionalCoordinates, type CrystalViewOptions } from '../../renderer/viewer/crystal-view';
import { buildSceneData, type SceneData } from '../../renderer/viewer/scene-data';
import type { Vec3 } from '../../renderer/viewer/viewer-api';
import { expectedBoundaryCount, fccCopper, readExampleCif, waterCrystal } from './crystal-view-data';

const rutile = readExampleCif('rutile.cif');
const nacl = readExampleCif('nacl.cif');
const copper = fccCopper();
const VIEW: CrystalViewOptions = { boundary: true, bondedBeyond: false, polyhedra: false };

function scene(structure: Structure, crystal: CrystalViewOptions = VIEW, supercell: Vec3 = [1, 1, 1]): SceneData {
  return buildSceneData(structure, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell, crystal });
}

/** Coordination number per element symbol (every atom of that element must agree). */
function coordinationByElement(structure: Structure): Record<string, number> {
  const cn = coordinationNumbers(structure.numbers.length, viewBondsOf(structure));
  const out: Record<string, number> = {};
  structure.numbers.forEach((z, i) => {
    const symbol = elementOf(z).symbol;
    assert.ok(out[symbol] === undefined || out[symbol] === cn[i], `${symbol} atoms disagree: ${out[symbol]} vs ${cn[i]}`);
    out[symbol] = cn[i]!;
  });
  return out;
}

const cutoff = (za: number, zb: number) => elementOf(za).covalentRadius + elementOf(zb).covalentRadius + BOND_TOLERANCE;
const point = (array: Float32Array, i: number): [number, number, number] => [array[3 * i]!, array[3 * i + 1]!, array[3 * i + 2]!];
const distance = (p: readonly number[], q: readonly number[]) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);

/**
 * Every drawn bond joins two drawn atoms within the pair's cutoff and is not metal–metal, and every such pair of
 * drawn atoms is drawn exactly once (brute force over the drawn atoms).
 */
function assertBondsJoinDrawnAtoms(structure: Structure, data: SceneData): void {
  const atoms = data.atoms;
  const at = new Map<string, number>();
  const key = (p: readonly number[]) => p.map((v) => v.toFixed(3)).join(',');
  for (let i = 0; i < atoms.count; i++) at.set(key(point(atoms.position, i)), i);
  const drawn = new Set<string>();
  for (let h = 0; h < data.bonds.count; h += 2) {
    const from = at.get(key(point(data.bonds.start, h))), to = at.get(key(point(data.bonds.end, h + 1)));
    assert.ok(from !== undefined && to !== undefined, `bond ${h / 2} has an end without a drawn atom (a dangling half-stick)`);
    const za = structure.numbers[atoms.atom[from]!]!, zb = structure.numbers[atoms.atom[to]!]!;
    const length = distance(point(atoms.position, from), point(atoms.position, to));
    assert.ok(length <= cutoff(za, zb) + 1e-4, `bond ${elementOf(za).symbol}-${elementOf(zb).symbol} of ${length.toFixed(3)} Å exceeds its cutoff`);
    assert.ok(crystalPairBonds(za, zb));
    const pair = [from, to].sort((x, y) => x - y).join('-');
    assert.ok(!drawn.has(pair), `bond ${pair} drawn twice`);
    drawn.add(pair);
  }
  let expected = 0;
  for (let i = 0; i < atoms.count; i++) {
    for (let j = i + 1; j < atoms.count; j++) {
      const za = structure.numbers[atoms.atom[i]!]!, zb = structure.numbers[atoms.atom[j]!]!;
      const d = distance(point(atoms.position, i), point(atoms.position, j));
      if (crystalPairBonds(za, zb) && d > 0.1 && d < cutoff(za, zb)) expected++;
    }
  }
  assert.equal(drawn.size, expected);
  assert.equal(data.bondCount, expected);
}

test('crystal bonds follow element pairs: rutile Ti 6 / O 3, NaCl Na 6 / Cl 6, fcc Cu none, a water crystal O 2 / H 1', () => {
  assert.deepEqual(coordinationByElement(rutile), { Ti: 6, O: 3 });
  assert.deepEqual(coordinationByElement(nacl), { Na: 6, Cl: 6 });
  assert.equal(viewBondsOf(copper).count, 0, 'a pure metal draws no bonds');
  assert.deepEqual(coordinationByElement(waterCrystal()), { O: 2, H: 1 });
  const kinds = new Set<string>();
  const bonds = viewBondsOf(rutile);
  for (let t = 0; t < bonds.count; t++) kinds.add([rutile.numbers[bonds.a[t]!], rutile.numbers[bonds.b[t]!]].sort().join('-'));
  assert.deepEqual([...kinds], ['22-8'], 'rutile: Ti–O only, no Ti–Ti (2.96 Å) and no O–O');
});

test('the pair rule excludes metal–metal pairs only', () => {
  assert.ok(isMetal(22) && isMetal(29) && isMetal(11) && !isMetal(8) && !isMetal(14) && !isMetal(1));
  assert.equal(crystalPairBonds(22, 22), false);
  assert.equal(crystalPairBonds(11, 29), false);
  assert.equal(crystalPairBonds(22, 8), true);
  assert.equal(crystalPairBonds(14, 8), true, 'Si–O frameworks keep their bonds');
  assert.equal(crystalPairBonds(6, 6), true, 'covalent C–C keeps its bonds');
});

test('atoms on the cell boundary are drawn on every equivalent face, edge and corner', () => {
  for (const [structure, expected] of [[rutile, 15], [nacl, 27], [copper, 14]] as const) {
    const frac = Array.from(fractionalCoordinates(structure));
    assert.equal(expectedBoundaryCount(frac, [1, 1, 1]), expected);
    assert.equal(scene(structure).atoms.count, expected, structure.name);
  }
  const frac = Array.from(fractionalCoordinates(rutile));
  assert.equal(scene(rutile, VIEW, [2, 2, 1]).atoms.count, expectedBoundaryCount(frac, [2, 2, 1]));
  // Every drawn atom lies in the cell (fractional [-tol, 1 + tol]).
  const data = scene(nacl);
  const inv = 1 / 5.64;
  for (let i = 0; i < data.atoms.count; i++) for (const v of point(data.atoms.position, i)) assert.ok(v * inv > -1e-3 && v * inv < 1 + 1e-3);
  // Boundary images off: each atom exactly once per cell.
  assert.equal(scene(rutile, { ...VIEW, boundary: false }).atoms.count, 6);
  assert.equal(scene(rutile, { ...VIEW, boundary: false }, [2, 1, 1]).atoms.count, 12);
});

test('bonds are drawn whole between drawn atoms only: no half-sticks leaving the cell, no bond longer than its cutoff', () => {
  assertBondsJoinDrawnAtoms(rutile, scene(rutile));
  assertBondsJoinDrawnAtoms(nacl, scene(nacl));
  assertBondsJoinDrawnAtoms(rutile, scene(rutile, VIEW, [2, 1, 2]));
  assertBondsJoinDrawnAtoms(rutile, scene(rutile, { ...VIEW, polyhedra: true }));
  assert.equal(scene(nacl).bondCount, 54, 'rock salt cell with boundary: 3x3x3 grid, 54 edges');
  assert.equal(scene(copper).bondCount, 0);
});

test('bonded atoms beyond the boundary complete a molecule across a cell face only when asked', () => {
  const water = waterCrystal();
  const inside = scene(water);
  assert.equal(inside.atoms.count, 3);
  assert.equal(inside.bondCount, 0, 'O at x = 0.2 Å and its H images across the face: no dangling bonds');
  const beyond = scene(water, { ...VIEW, bondedBeyond: true });
  // O at x = 0.2 Å gets its two H images at x = -0.39 Å; the two H at x = 3.61 Å share one O image at x = 4.2 Å.
  assert.equal(beyond.atoms.count, 6);
  assert.equal(beyond.bondCount, 4);
  assertBondsJoinDrawnAtoms(water, beyond);
});

test('coordination polyhedra: TiO6 octahedra on the 9 Ti of the rutile cell, NaCl6 on the 14 Na, none for Cu', () => {
  const data = scene(rutile, { ...VIEW, polyhedra: true });
  const polyhedra = data.polyhedra!;
  assert.equal(polyhedra.count, 9, '8 corner images of Ti1 and the body-centre Ti2');
  for (let p = 0; p < polyhedra.count; p++) {
    assert.equal(rutile.numbers[polyhedra.centreAtom[p]!], 22);
    assert.equal(polyhedra.vertexStart[p + 1]! - polyhedra.vertexStart[p]!, 6);
  }
  // Vertex atoms are drawn, so every polyhedron corner is an O atom image.
  const drawnAt = new Set<string>();
  for (let i = 0; i < data.atoms.count; i++) drawnAt.add(point(data.atoms.position, i).map((v) => v.toFixed(3)).join(','));
  for (let v = 0; v < polyhedra.vertices.length / 3; v++) assert.ok(drawnAt.has(point(polyhedra.vertices, v).map((x) => x.toFixed(3)).join(',')));
  assert.equal(scene(nacl, { ...VIEW, polyhedra: true }).polyhedra!.count, 14);
  assert.equal(scene(copper, { ...VIEW, polyhedra: true }).polyhedra, null);
  assert.equal(scene(rutile).polyhedra, null, 'polyhedra off draws none');
});

test('polyhedra are closed convex hulls: an octahedron has 8 triangular faces', () => {
  const group = createPolyhedraGroup(scene(rutile, { ...VIEW, polyhedra: true }).polyhedra, 0x888888)!;
  assert.equal(group.userData['polyhedra'], 9);
  const faces = group.children[0] as unknown as { geometry: { getAttribute(name: string): { count: number } } };
  assert.equal(faces.geometry.getAttribute('position').count, 9 * 8 * 3);
  const edges = group.children[1] as unknown as { geometry: { getAttribute(name: string): { count: number } } };
  assert.equal(edges.geometry.getAttribute('position').count, 9 * 12 * 2, '12 edges per octahedron');
});
